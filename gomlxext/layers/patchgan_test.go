package layers

import (
	"fmt"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestReceptiveFieldFormula checks the formula on layouts whose receptive field is known: the
// pix2pix paper's 70×70 PatchGAN (and its 16×16 and 34×34 variants, 1 and 2 down-samplings),
// a single layer, and a VGG-like stack of 3×3 convolutions.
func TestReceptiveFieldFormula(t *testing.T) {
	for _, c := range []struct {
		kernels, strides []int
		want             int
	}{
		{[]int{4, 4, 4, 4, 4}, []int{2, 2, 2, 1, 1}, 70},
		{[]int{4, 4, 4}, []int{2, 1, 1}, 16},
		{[]int{4, 4, 4, 4}, []int{2, 2, 1, 1}, 34},
		{[]int{7}, []int{3}, 7},
		{[]int{3, 3, 3}, []int{1, 1, 1}, 7},
		{[]int{3, 2, 3}, []int{1, 2, 1}, 8},
	} {
		if got := ReceptiveField(c.kernels, c.strides); got != c.want {
			t.Errorf("ReceptiveField(%v, %v) = %d, want %d", c.kernels, c.strides, got, c.want)
		}
	}
	for down, want := range []int{7, 16, 34, 70} {
		if got := PatchGAN(nil, nil).Downsamplings(down).ReceptiveField(); got != want {
			t.Errorf("PatchGAN with %d down-samplings: receptive field %d, want %d", down, got, want)
		}
	}
}

// TestPatchGANReceptiveField measures what the formula claims: the gradient of one logit of a
// randomly initialised PatchGAN (away from the borders) with respect to its input is non-zero
// exactly on an N×N square, N = ReceptiveField. It also checks the output size.
func TestPatchGANReceptiveField(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	for _, down := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("down%d", down), func(t *testing.T) {
			const size = 48
			ctx := context.New()
			n := PatchGAN(ctx, nil).Downsamplings(down).ReceptiveField()
			exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *Node) []*Node {
				logits := PatchGAN(ctx, x).Features(4).Downsamplings(down).Done()
				d := logits.Shape().Dimensions
				one := Slice(logits, AxisRange(), AxisElem(d[1]/2), AxisElem(d[2]/2))
				return []*Node{logits, Gradient(ReduceAllSum(one), x)[0]}
			})
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, size*size*2)
			for i := range x {
				x[i] = float32((i*7919)%13)/13 - 0.5
			}
			out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, 1, size, size, 2))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(out[0].Shape().Dimensions), fmt.Sprint([]int{1, size>>down - 2, size>>down - 2}); got != want {
				t.Errorf("logits %s, want %s", got, want)
			}
			grad := tensors.MustCopyFlatData[float32](out[1])
			rows, cols := map[int]bool{}, map[int]bool{}
			for i, g := range grad {
				if g != 0 {
					p := i / 2
					rows[p/size], cols[p%size] = true, true
				}
			}
			if len(rows) != n || len(cols) != n {
				t.Errorf("gradient support %d rows × %d columns, receptive field formula %d", len(rows), len(cols), n)
			}
		})
	}
}
