package backend

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestContractionRewrite builds, directly on the backend API, the patterns
// GoMLX's autodiff emits for matmul gradients and checks that the rewrite
// fires (or not) and gives the same values as the unrewritten graph.
func TestContractionRewrite(t *testing.T) {
	type build func(b backends.Builder, x, y backends.Op) (backends.Op, error)
	must := func(op backends.Op, err error) backends.Op {
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	cases := []struct {
		name    string
		xd, yd  []int
		rewrite bool
		fn      build
	}{
		{"dW=x^T·g via insert+broadcast", []int{4, 5}, []int{4, 3}, true, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			// x [4,5] -> [4,5,1]; y [4,3] -> [4,1,3]; Mul -> [4,5,3]; sum over 0 -> [5,3].
			xr := must(b.Reshape(x, 4, 5, 1))
			yr := must(b.Reshape(y, 4, 1, 3))
			return b.ReduceSum(must(b.Mul(xr, yr)), 0)
		}},
		{"output wants the right operand's axes first (operands swapped)", []int{4, 5}, []int{4, 3}, true, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			// x [4,5] -> [4,1,5]; y [4,3] -> [4,3,1]; Mul -> [4,3,5]; sum over 0 -> [3,5].
			xr := must(b.Reshape(x, 4, 1, 5))
			yr := must(b.Reshape(y, 4, 3, 1))
			return b.ReduceSum(must(b.Mul(xr, yr)), 0)
		}},
		{"dX=g·W^T with transpose and BroadcastInDim", []int{4, 3}, []int{5, 3}, true, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			// g [4,3] -> broadcast [4,5,3]; W [5,3] -> [1,5,3]; sum over 2 -> [4,5].
			gb := must(b.BroadcastInDim(x, shapes.Make(dtypes.Float64, 4, 5, 3), []int{0, 2}))
			wt := must(b.Transpose(y, 1, 0))
			wr := must(b.Reshape(wt, 1, 3, 5))
			wr = must(b.Transpose(wr, 0, 2, 1))
			return b.ReduceSum(must(b.Mul(gb, wr)), 2)
		}},
		{"batch axis kept, pre-reduced axis", []int{2, 4, 6}, []int{2, 4, 3}, true, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			// x [2,4,6] -> [2,4,6,1]; y [2,4,3] -> [2,4,1,3]; sum over 1 (contract) and 2 (x only).
			xr := must(b.Reshape(x, 2, 4, 6, 1))
			yr := must(b.Reshape(y, 2, 4, 1, 3))
			return b.ReduceSum(must(b.Mul(xr, yr)), 1, 2)
		}},
		{"elementwise product: no outer product, not rewritten", []int{4, 5}, []int{4, 5}, false, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			return b.ReduceSum(must(b.Mul(x, y)), 1)
		}},
		{"outer product without contraction: not rewritten", []int{4, 1}, []int{1, 5}, false, func(b backends.Builder, x, y backends.Op) (backends.Op, error) {
			return b.ReduceSum(must(b.Mul(x, y)), 1)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results [2][]float64
			for i, cfg := range []string{"", "norewrite"} {
				be, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				bld := be.Builder("rewrite").(*Builder)
				x := must(bld.Parameter("x", shapes.Make(dtypes.Float64, c.xd...), nil))
				y := must(bld.Parameter("y", shapes.Make(dtypes.Float64, c.yd...), nil))
				out := must(c.fn(bld, x, y))
				if i == 0 && (bld.rewrites == 1) != c.rewrite {
					t.Fatalf("rewrites = %d, want rewrite %v", bld.rewrites, c.rewrite)
				}
				os := bld.shape(out)
				exe, err := bld.Compile([]backends.Op{out}, nil)
				if err != nil {
					t.Fatal(err)
				}
				xv, yv := make([]float64, prod(c.xd)), make([]float64, prod(c.yd))
				for j := range xv {
					xv[j] = float64(j%7) - 2.5
				}
				for j := range yv {
					yv[j] = float64(j%5)*0.5 - 1
				}
				xb := must(be.BufferFromFlatData(0, xv, shapes.Make(dtypes.Float64, c.xd...)))
				yb := must(be.BufferFromFlatData(0, yv, shapes.Make(dtypes.Float64, c.yd...)))
				outs, err := exe.Execute([]backends.Buffer{xb, yb}, nil, 0)
				if err != nil {
					t.Fatal(err)
				}
				results[i] = make([]float64, os.Size())
				if err := be.BufferToFlatData(outs[0], results[i]); err != nil {
					t.Fatal(err)
				}
			}
			for j := range results[0] {
				if d := results[0][j] - results[1][j]; d > 1e-12 || d < -1e-12 {
					t.Fatalf("[%d] rewritten %g != unrewritten %g", j, results[0][j], results[1][j])
				}
			}
		})
	}
}

// TestTransposeAsReshape checks that transposes which only move axes of size
// 1 (or none) become Reshapes and give the values of real transposes.
func TestTransposeAsReshape(t *testing.T) {
	cases := []struct {
		dims, perm []int
		reshape    bool
	}{
		{[]int{2, 3, 4}, []int{0, 1, 2}, true},
		{[]int{1, 3, 4}, []int{1, 0, 2}, true},
		{[]int{3, 1, 1, 4}, []int{0, 3, 2, 1}, true},
		{[]int{3, 1, 4}, []int{2, 1, 0}, false},
		{[]int{2, 3}, []int{1, 0}, false},
	}
	for _, c := range cases {
		var results [2][]float32
		for i, cfg := range []string{"", "norewrite"} {
			be, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			bld := be.Builder("transpose").(*Builder)
			shape := shapes.Make(dtypes.Float32, c.dims...)
			x, err := bld.Parameter("x", shape, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := bld.reshapeOnly(x, c.perm); ok != c.reshape {
				t.Errorf("%v by %v: reshapeOnly = %v, want %v", c.dims, c.perm, ok, c.reshape)
			}
			out, err := bld.Transpose(x, c.perm...)
			if err != nil {
				t.Fatal(err)
			}
			exe, err := bld.Compile([]backends.Op{out}, nil)
			if err != nil {
				t.Fatal(err)
			}
			flat := make([]float32, shape.Size())
			for j := range flat {
				flat[j] = float32(j)
			}
			xb, err := be.BufferFromFlatData(0, flat, shape)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := exe.Execute([]backends.Buffer{xb}, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			results[i] = make([]float32, shape.Size())
			if err := be.BufferToFlatData(outs[0], results[i]); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(results[0], results[1]) {
			t.Errorf("%v by %v: got %v, want %v", c.dims, c.perm, results[0], results[1])
		}
	}
}
