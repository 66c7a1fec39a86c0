package transfer

import (
	"fmt"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// BasicBlockParams is the number of weights of a basic block from inC to c channels: two 3×3
// convolutions, 9·inC·c + 9·c², a 1×1 projection inC·c when the channels change (or stride ≠ 1),
// and two (three with the projection) batch normalizations of 2·c (scale and offset).
func BasicBlockParams(inC, c int, projection bool) int {
	n := 9*inC*c + 9*c*c + 2*2*c
	if projection {
		n += inC*c + 2*c
	}
	return n
}

// BottleneckParams is the number of weights of a bottleneck block c → width → c (no
// projection): inC·w + 9·w² + w·c for the convolutions, 2·(w + w + c) for the batch norms.
func BottleneckParams(c, width int) int {
	return c*width + 9*width*width + width*c + 2*(2*width+c)
}

// WideResNetParams is the number of weights of WRN-depth-k (Zagoruyko and Komodakis, "Wide
// Residual Networks", 2016) on inC-channel images with classes outputs: a 3×3 stem of 16
// channels, three groups of N = (depth−4)/6 pre-activation basic blocks of 16k, 32k and 64k
// channels (BN → ReLU → 3×3 conv, twice, then the Add; the first block of a group projects with
// a 1×1 convolution when the channels change), a last BN → ReLU, global average pooling and a
// dense layer. Batch norms count their scale and offset; the convolutions have no bias. k = 1
// is the thin ResNet of the same depth.
func WideResNetParams(depth, k, inC, classes int) (int, error) {
	if depth < 10 || (depth-4)%6 != 0 || k < 1 {
		return 0, fmt.Errorf("transfer: WRN-%d-%d: the depth must be 6N+4 with N ≥ 1 and k ≥ 1", depth, k)
	}
	blocks := (depth - 4) / 6
	n := 9 * inC * 16
	in := 16
	for _, w := range []int{16 * k, 32 * k, 64 * k} {
		for range blocks {
			n += 2*in + 9*in*w + 2*w + 9*w*w // BN(in), conv in→w, BN(w), conv w→w
			if in != w {
				n += in * w // the 1×1 projection
			}
			in = w
		}
	}
	return n + 2*in + in*classes + classes, nil
}

// BuildWideResNet builds WRN-depth-k from the lesson's blocks (xlayers.ResidualBlock with
// PreActivation), the network WideResNetParams counts: images [batch, H, W, inC] → logits
// [batch, classes]. The second and third groups start at stride 2.
func BuildWideResNet(ctx *context.Context, x *G.Node, depth, k, classes int) *G.Node {
	blocks := (depth - 4) / 6
	h := layers.Convolution(ctx.In("stem").WithInitializer(initializers.HeFn(ctx)), x).Channels(16).KernelSize(3).PadSame().UseBias(false).Done()
	for g, w := range []int{16 * k, 32 * k, 64 * k} {
		for b := range blocks {
			stride := 1
			if g > 0 && b == 0 {
				stride = 2
			}
			h = xlayers.ResidualBlock(ctx.In(fmt.Sprintf("group%d_block%d", g+1, b+1)), h).Channels(w).Strides(stride).PreActivation().Done()
		}
	}
	h = activations.Relu(batchnorm.New(ctx.In("final_bn"), h, -1).Done())
	return layers.DenseWithBias(ctx.In("head"), G.ReduceMean(h, 1, 2), classes)
}

// WideResNetRow is one line of the WideResNet table.
type WideResNetRow struct {
	Name         string // "WRN-28-10"
	Depth, K     int
	Params       int
	PaperMillion float64 // the paper's count (Table 1 and 2), 0 when it gives none
}

// WideResNetTable counts the networks the WRN paper compares on CIFAR-10 (3 channels, 10
// classes): thin and deep against wide and shallow.
func WideResNetTable() []WideResNetRow {
	rows := []WideResNetRow{{Depth: 40, K: 1, PaperMillion: 0.6}, {Depth: 40, K: 4, PaperMillion: 8.9},
		{Depth: 16, K: 8, PaperMillion: 11.0}, {Depth: 28, K: 10, PaperMillion: 36.5}}
	for i := range rows {
		r := &rows[i]
		r.Name = fmt.Sprintf("WRN-%d-%d", r.Depth, r.K)
		r.Params, _ = WideResNetParams(r.Depth, r.K, 3, 10)
	}
	return rows
}

// CountBuilt builds fn in a fresh context on zero input of the given dimensions ([batch, H, W, C])
// and returns its number of trainable weights: a count from the real variables, to check a
// formula against.
func CountBuilt(fn func(ctx *context.Context, x *G.Node) *G.Node, dims ...int) (int, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return 0, fmt.Errorf("transfer: %w", err)
	}
	ctx := context.New()
	exec, err := context.NewExec(backend, ctx, fn)
	if err != nil {
		return 0, fmt.Errorf("transfer: %w", err)
	}
	n := 1
	for _, d := range dims {
		n *= d
	}
	if _, err := exec.Exec(tensors.FromFlatDataAndDimensions(make([]float32, n), dims...)); err != nil {
		return 0, fmt.Errorf("transfer: build: %w", err)
	}
	return CountTrainable(ctx), nil
}

// CountTrainable is the number of trainable weights in ctx (after the model was built in it).
func CountTrainable(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}
