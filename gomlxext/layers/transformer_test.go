package layers

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// changed returns a copy of x [batch, length, d] with position (bi, pos) replaced by noise.
func changed(x []float32, length, d, bi, pos int) []float32 {
	y := append([]float32(nil), x...)
	for c, v := range randn(uint64(100+bi*length+pos), d) {
		y[(bi*length+pos)*d+c] = 3 * v
	}
	return y
}

// rowsEqual reports whether positions [from, to) of example bi agree in a and b ([batch, length, d]).
func rowsEqual(a, b []float64, length, d, bi, from, to int) bool {
	for p := from; p < to; p++ {
		for c := range d {
			i := (bi*length+p)*d + c
			if math.Abs(a[i]-b[i]) > 1e-5 {
				return false
			}
		}
	}
	return true
}

// TestEncoderBlock checks the block's masks and its residual + layer normalisation: padded
// positions change nothing at the real ones (post-norm and pre-norm), a real position changes
// every position (self-attention is bidirectional), and post-norm outputs are normalised
// (mean 0, variance 1 per position at initialisation).
func TestEncoderBlock(t *testing.T) {
	backend := gomlxext.MustBackend()
	const b, l, d = 2, 5, 8
	x := randn(21, b*l*d)
	mask := []bool{true, true, true, true, true, true, true, true, false, false} // example 1: 3 real tokens
	for _, pre := range []bool{false, true} {
		ctx := context.New()
		exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, mask *Node) []*Node {
			blk := EncoderBlock(ctx, x).Heads(2).FFNDim(16).KeyMask(mask)
			if pre {
				blk.PreNorm()
			}
			y, self, cross := blk.DoneWithWeights()
			if cross != nil {
				panic("an encoder block has no cross-attention")
			}
			return []*Node{y, self}
		})
		run := func(x []float32) []*tensors.Tensor {
			return exec.MustExec(tensors.FromFlatDataAndDimensions(x, b, l, d), tensors.FromFlatDataAndDimensions(mask, b, l))
		}
		res := run(x)
		if !res[0].Shape().Equal(shapes.Make(dtypes.Float32, b, l, d)) || !res[1].Shape().Equal(shapes.Make(dtypes.Float32, b, 2, l, l)) {
			t.Fatalf("pre-norm %v: shapes %s, %s", pre, res[0].Shape(), res[1].Shape())
		}
		y := f64(res[0])
		padded := f64(run(changed(x, l, d, 1, 4))[0])
		if !rowsEqual(y, padded, l, d, 1, 0, 3) {
			t.Errorf("pre-norm %v: changing a padded position changed the real ones", pre)
		}
		real := f64(run(changed(x, l, d, 1, 2))[0])
		if rowsEqual(y, real, l, d, 1, 0, 1) {
			t.Errorf("pre-norm %v: changing the last real position did not change the first: no attention", pre)
		}
		if !rowsEqual(y, real, l, d, 0, 0, l) {
			t.Errorf("pre-norm %v: changing example 1 changed example 0", pre)
		}
		if !pre {
			for p := range b * l {
				mean, sq := 0.0, 0.0
				for c := range d {
					mean += y[p*d+c] / d
				}
				for c := range d {
					sq += (y[p*d+c] - mean) * (y[p*d+c] - mean) / d
				}
				if math.Abs(mean) > 1e-4 || math.Abs(sq-1) > 0.05 { // LayerNorm's ε (1e-3) shrinks the variance a little
					t.Fatalf("post-norm output at row %d: mean %g, variance %g; want 0, 1", p, mean, sq)
				}
			}
		}
	}
}

// TestDecoderBlock checks a decoder block's causal self-attention (a change at position t leaves
// positions < t as they were) and its source–target attention (padded memory changes nothing, real
// memory changes every position); without memory it is a decoder-only (GPT) block.
func TestDecoderBlock(t *testing.T) {
	backend := gomlxext.MustBackend()
	const b, l, m, d = 2, 4, 6, 8
	x, mem := randn(31, b*l*d), randn(32, b*m*d)
	memMask := []bool{true, true, true, true, true, true, true, true, true, true, false, false}
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, mem, mask *Node) []*Node {
		y, self, cross := DecoderBlock(ctx, x, mem).Heads(2).MemoryMask(mask).DoneWithWeights()
		return []*Node{y, self, cross}
	})
	run := func(x, mem []float32) []*tensors.Tensor {
		return exec.MustExec(tensors.FromFlatDataAndDimensions(x, b, l, d), tensors.FromFlatDataAndDimensions(mem, b, m, d),
			tensors.FromFlatDataAndDimensions(memMask, b, m))
	}
	res := run(x, mem)
	if !res[1].Shape().Equal(shapes.Make(dtypes.Float32, b, 2, l, l)) || !res[2].Shape().Equal(shapes.Make(dtypes.Float32, b, 2, l, m)) {
		t.Fatalf("weights shapes %s, %s", res[1].Shape(), res[2].Shape())
	}
	y := f64(res[0])
	later := f64(run(changed(x, l, d, 0, 2), mem)[0])
	if !rowsEqual(y, later, l, d, 0, 0, 2) {
		t.Error("changing position 2 changed positions 0 and 1: the self-attention is not causal")
	}
	if rowsEqual(y, later, l, d, 0, 3, 4) {
		t.Error("changing position 2 did not change position 3")
	}
	self := f64(res[1])
	for i := range l {
		for j := i + 1; j < l; j++ {
			if w := self[i*l+j]; w != 0 {
				t.Fatalf("self-attention weight of query %d on the later key %d is %g, want 0", i, j, w)
			}
		}
	}
	padded := f64(run(x, changed(mem, m, d, 1, 5))[0])
	if !rowsEqual(y, padded, l, d, 1, 0, l) {
		t.Error("changing padded memory changed the output")
	}
	realMem := f64(run(x, changed(mem, m, d, 1, 0))[0])
	if rowsEqual(y, realMem, l, d, 1, 0, 1) {
		t.Error("changing real memory did not change the first position: no cross-attention")
	}

	// Decoder-only (GPT): no memory, no cross-attention, still causal.
	gpt := context.MustNewExec(backend, context.New(), func(ctx *context.Context, x *Node) []*Node {
		y, self, cross := DecoderBlock(ctx, x, nil).Heads(2).PreNorm().DoneWithWeights()
		if cross != nil {
			panic("a decoder block without memory has no cross-attention")
		}
		return []*Node{y, self}
	})
	g0 := f64(gpt.MustExec(tensors.FromFlatDataAndDimensions(x, b, l, d))[0])
	g1 := f64(gpt.MustExec(tensors.FromFlatDataAndDimensions(changed(x, l, d, 1, 3), b, l, d))[0])
	if !rowsEqual(g0, g1, l, d, 1, 0, 3) || rowsEqual(g0, g1, l, d, 1, 3, 4) {
		t.Error("decoder-only block: a change at the last position must change it and nothing before it")
	}
}

// TestGRU checks the layer against the GRU equations computed by hand in float64 from its own
// variables, with an initial state and a mask that holds the state over padded steps.
func TestGRU(t *testing.T) {
	backend := gomlxext.MustBackend()
	const b, steps, f, u = 2, 4, 3, 5
	x, h0 := randn(41, b*steps*f), randn(42, b*u)
	mask := []bool{true, true, true, true, true, true, false, false}
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, h0, mask *Node) []*Node {
		out, last := GRU(ctx, x).Units(u).InitialState(h0).Mask(mask).Done()
		return []*Node{out, last}
	})
	res := exec.MustExec(tensors.FromFlatDataAndDimensions(x, b, steps, f), tensors.FromFlatDataAndDimensions(h0, b, u),
		tensors.FromFlatDataAndDimensions(mask, b, steps))
	// Give the biases values (they start at zero) and run again, so that they are checked too.
	for _, name := range []string{"input_biases", "recurrent_biases"} {
		ctx.In("gru").GetVariable(name).MustSetValue(tensors.FromFlatDataAndDimensions(randn(uint64(len(name)), 3*u), 3*u))
	}
	res = exec.MustExec(tensors.FromFlatDataAndDimensions(x, b, steps, f), tensors.FromFlatDataAndDimensions(h0, b, u),
		tensors.FromFlatDataAndDimensions(mask, b, steps))
	if !res[0].Shape().Equal(shapes.Make(dtypes.Float32, b, steps, u)) || !res[1].Shape().Equal(shapes.Make(dtypes.Float32, b, u)) {
		t.Fatalf("shapes %s, %s", res[0].Shape(), res[1].Shape())
	}
	v := func(name string) []float64 { return f64(ctx.In("gru").GetVariable(name).MustValue()) }
	w, uw, bi, bh := v("input_weights"), v("recurrent_weights"), v("input_biases"), v("recurrent_biases")
	sigmoid := func(a float64) float64 { return 1 / (1 + math.Exp(-a)) }
	var wantOut, wantLast []float64
	for e := range b {
		h := make([]float64, u)
		for j := range u {
			h[j] = float64(h0[e*u+j])
		}
		for s := range steps {
			xg, hg := make([]float64, 3*u), make([]float64, 3*u)
			for o := range 3 * u {
				xg[o], hg[o] = bi[o], bh[o]
				for c := range f {
					xg[o] += float64(x[(e*steps+s)*f+c]) * w[c*3*u+o]
				}
				for c := range u {
					hg[o] += h[c] * uw[c*3*u+o]
				}
			}
			if mask[e*steps+s] {
				next := make([]float64, u)
				for j := range u {
					z := sigmoid(xg[j] + hg[j])
					r := sigmoid(xg[u+j] + hg[u+j])
					n := math.Tanh(xg[2*u+j] + r*hg[2*u+j])
					next[j] = (1-z)*n + z*h[j]
				}
				h = next
			}
			wantOut = append(wantOut, h...)
		}
		wantLast = append(wantLast, h...)
	}
	near(t, "outputs", f64(res[0]), wantOut, 1e-5)
	near(t, "last state", f64(res[1]), wantLast, 1e-5)
}
