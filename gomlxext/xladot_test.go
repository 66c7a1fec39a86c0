package gomlxext_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/internal/xlatest"
)

// TestXLADotGradient compares the gradients of Dot and DotGeneral that gomlxext registers for XLA
// (two DotGenerals) with GoMLX's own (broadcast, multiply, reduce; used on dl4go), in float64, on
// products with every kind of axis: vector and matrix Dots, batch axes not in front, several
// contracting axes paired in another order than their axis order.
func TestXLADotGradient(t *testing.T) {
	x := xlatest.Backend(t, 0)
	dl, err := backends.NewWithConfig("dl4go")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		shapes [][]int
		fn     func(a, b *Node) *Node
	}{
		{"Dot vector·vector", [][]int{{5}, {5}}, func(a, b *Node) *Node { return Dot(a, b) }},
		{"Dot matrix·vector", [][]int{{3, 5}, {5}}, func(a, b *Node) *Node { return Dot(a, b) }},
		{"Dot matrix·matrix", [][]int{{3, 5}, {5, 4}}, func(a, b *Node) *Node { return Dot(a, b) }},
		{"attention scores", [][]int{{2, 3, 2, 4}, {2, 5, 2, 4}}, func(a, b *Node) *Node { return Einsum("bqhd,bkhd->bhqk", a, b) }},
		{"attention values", [][]int{{2, 2, 3, 5}, {2, 5, 2, 4}}, func(a, b *Node) *Node { return Einsum("bhqk,bkhd->bqhd", a, b) }},
		{"two contracting axes, crossed pairs, batch in the middle", [][]int{{2, 3, 4, 5}, {5, 2, 4, 6}}, func(a, b *Node) *Node {
			return DotGeneral(a, []int{3, 2}, []int{0}, b, []int{0, 2}, []int{1})
		}},
		{"no contraction (outer product)", [][]int{{3}, {4, 2}}, func(a, b *Node) *Node { return DotGeneral(a, nil, nil, b, nil, nil) }},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := func() []any {
				var out []any
				for _, dims := range c.shapes {
					n := 1
					for _, d := range dims {
						n *= d
					}
					v := make([]float64, n)
					for i := range v {
						v[i] = 2*rng.Float64() - 1
					}
					out = append(out, tensors.FromFlatDataAndDimensions(v, dims...))
				}
				return out
			}()
			grads := func(b backends.Backend) [][]float64 {
				fn := func(a, bb *Node) []*Node {
					z := c.fn(a, bb)
					w := Cos(IotaFull(z.Graph(), z.Shape())) // every output element weighs differently
					return Gradient(ReduceAllSum(Mul(z, w)), a, bb)
				}
				local := make([]any, len(inputs))
				for i, in := range inputs {
					local[i] = tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[float64](in.(*tensors.Tensor)), c.shapes[i]...)
				}
				out := MustNewExec(b, fn).MustExec(local...)
				return [][]float64{tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])}
			}
			got, want := grads(x), grads(dl)
			for i := range want {
				for j := range want[i] {
					if math.Abs(got[i][j]-want[i][j]) > 1e-12*(1+math.Abs(want[i][j])) {
						t.Fatalf("gradient of input %d [%d]: %.15g on XLA, %.15g with GoMLX's gradient on dl4go", i, j, got[i][j], want[i][j])
					}
				}
			}
		})
	}
}
