package cgan

import (
	"fmt"
	"math/rand/v2"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons/dcgan"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// OneHotIsEmbedding checks numerically how the generator hears the digit: its first layer, a
// dense layer over [z, onehot(y)], equals a dense layer over z plus a learned embedding of y,
//
//	W·[z; onehot(y)] = W_z·z + W_y[y],
//
// W_y[y] being the row of the weights that the one-hot's single 1 selects. It builds a layer of
// G's shape (cfg.ZDim + 10 inputs, 7·7·2·cfg.GFeatures outputs, DCGAN's N(0, 0.02²) weights) and
// returns the largest difference between the two sides over n random pairs (z, y).
func OneHotIsEmbedding(cfg Config, n int) (float64, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return 0, fmt.Errorf("cgan: %w", err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	z, y := make([]float32, n*cfg.ZDim), make([]int32, n)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		y[i] = int32(rng.IntN(dcgan.NumLabels))
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(cfg.Seed))
	ctx = ctx.WithInitializer(initializers.RandomNormalFn(ctx, 0.02))
	units := 7 * 7 * 2 * cfg.GFeatures
	diff, err := context.ExecOnce(backend, ctx, func(ctx *context.Context, z, y *Node) *Node {
		proj := ctx.In("project")
		dense := layers.Dense(proj, Concatenate([]*Node{z, OneHot(y, dcgan.NumLabels, z.DType())}, -1), false, units) // [n, units]
		w := proj.In("dense").GetVariable("weights").ValueGraph(z.Graph())                                            // [ZDim+10, units]
		wz, wy := Slice(w, AxisRange(0, cfg.ZDim)), Slice(w, AxisRange(cfg.ZDim))
		embedded := Add(MatMul(z, wz), Gather(wy, InsertAxes(y, -1))) // [n, units]
		return ReduceAllMax(Abs(Sub(dense, embedded)))
	}, tensors.FromFlatDataAndDimensions(z, n, cfg.ZDim), tensors.FromFlatDataAndDimensions(y, n))
	if err != nil {
		return 0, fmt.Errorf("cgan: one-hot check: %w", err)
	}
	return float64(tensors.ToScalar[float32](diff)), nil
}
