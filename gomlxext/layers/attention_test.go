package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// randn returns n standard-normal float32 values from seed.
func randn(seed uint64, n int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

// f64 converts a tensor's float32 data to float64.
func f64(t *tensors.Tensor) []float64 {
	v := tensors.MustCopyFlatData[float32](t)
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// softmaxRow is the softmax of logits over the entries where keep is true (0 elsewhere).
func softmaxRow(logits []float64, keep []bool) []float64 {
	hi := math.Inf(-1)
	for j, l := range logits {
		if keep[j] {
			hi = math.Max(hi, l)
		}
	}
	w, sum := make([]float64, len(logits)), 0.0
	for j, l := range logits {
		if keep[j] {
			w[j] = math.Exp(l - hi)
			sum += w[j]
		}
	}
	for j := range w {
		w[j] /= sum
	}
	return w
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %.7g, want %.7g", what, i, got[i], want[i])
		}
	}
}

// TestScaledDotProductAttention checks softmax(QKᵀ/√d_k)·V against the formula in float64, with
// a padding mask [batch, 1, 1, keys] and with a causal mask [queries, keys]: masked weights are
// exactly 0 and every row sums to 1.
func TestScaledDotProductAttention(t *testing.T) {
	backend := gomlxext.MustBackend()
	const b, h, nq, nk, d, dv = 2, 2, 4, 4, 5, 3
	q, k, v := randn(1, b*h*nq*d), randn(2, b*h*nk*d), randn(3, b*h*nk*dv)
	padding := []bool{true, true, true, true, true, true, false, false} // [2, 1, 1, 4]: example 1 has 2 keys
	for _, tc := range []struct {
		name string
		mask func(g *Graph) *Node
		keep func(bi, i, j int) bool
	}{
		{"none", func(*Graph) *Node { return nil }, func(int, int, int) bool { return true }},
		{"padding", func(g *Graph) *Node { return Const(g, tensors.FromFlatDataAndDimensions(padding, b, 1, 1, nk)) },
			func(bi, _, j int) bool { return padding[bi*nk+j] }},
		{"causal", func(g *Graph) *Node { return CausalMask(g, nq) }, func(_, i, j int) bool { return j <= i }},
	} {
		exec := MustNewExec(backend, func(q, k, v *Node) []*Node {
			out, w := ScaledDotProductAttention(q, k, v, tc.mask(q.Graph()))
			return []*Node{out, w}
		})
		res := exec.MustExec(tensors.FromFlatDataAndDimensions(q, b, h, nq, d),
			tensors.FromFlatDataAndDimensions(k, b, h, nk, d), tensors.FromFlatDataAndDimensions(v, b, h, nk, dv))
		if !res[0].Shape().Equal(shapes.Make(dtypes.Float32, b, h, nq, dv)) || !res[1].Shape().Equal(shapes.Make(dtypes.Float32, b, h, nq, nk)) {
			t.Fatalf("%s: shapes %s, %s", tc.name, res[0].Shape(), res[1].Shape())
		}
		var wantOut, wantW []float64
		for bi := range b {
			for hi := range h {
				for i := range nq {
					logits, keep := make([]float64, nk), make([]bool, nk)
					for j := range nk {
						for e := range d {
							logits[j] += float64(q[((bi*h+hi)*nq+i)*d+e]) * float64(k[((bi*h+hi)*nk+j)*d+e])
						}
						logits[j] /= math.Sqrt(d)
						keep[j] = tc.keep(bi, i, j)
					}
					w := softmaxRow(logits, keep)
					wantW = append(wantW, w...)
					for e := range dv {
						s := 0.0
						for j := range nk {
							s += w[j] * float64(v[((bi*h+hi)*nk+j)*dv+e])
						}
						wantOut = append(wantOut, s)
					}
				}
			}
		}
		gotW := f64(res[1])
		near(t, tc.name+" weights", gotW, wantW, 1e-5)
		near(t, tc.name+" output", f64(res[0]), wantOut, 1e-5)
		for i, w := range wantW {
			if w == 0 && gotW[i] != 0 {
				t.Fatalf("%s: masked weight %d is %g, want exactly 0", tc.name, i, gotW[i])
			}
		}
	}
}

// TestMultiHeadAttention checks the layer against MultiHead(Q,K,V) = Concat(head_1..head_H)·W_o
// with head_h = Attention(Q·W_q^h, K·W_k^h, V·W_v^h), computed by hand in float64 from the layer's
// own variables, for self-attention with a key mask and causal mask and for cross-attention.
func TestMultiHeadAttention(t *testing.T) {
	backend := gomlxext.MustBackend()
	const b, heads, dm = 2, 2, 4
	for _, tc := range []struct {
		name          string
		nq, nk        int
		keyMask       []bool // [b, nk] or nil
		causal, cross bool
		smear         bool
		relPos        int     // RelativePositionBias(relPos), its variable set to random values first…
		decay         float64 // … unless RelativePositionDecay(decay) sets its start.
	}{
		{name: "self, key mask and causal", nq: 3, nk: 3, keyMask: []bool{true, true, true, true, true, false}, causal: true},
		{name: "self, causal, smeared keys", nq: 4, nk: 4, keyMask: []bool{true, true, true, true, true, true, true, true}, causal: true, smear: true},
		{name: "self, key mask, relative-position bias ±2", nq: 5, nk: 5, keyMask: []bool{true, true, true, true, true, true, true, true, false, false}, relPos: 2},
		{name: "self, relative-position bias ±3 started local (decay 1.5)", nq: 6, nk: 6, keyMask: []bool{true, true, true, true, true, true, true, true, true, true, true, false}, relPos: 3, decay: 1.5},
		{name: "cross, key mask", nq: 3, nk: 5, keyMask: []bool{true, true, true, true, true, true, true, false, false, false}, cross: true},
	} {
		x, mem := randn(11, b*tc.nq*dm), randn(12, b*tc.nk*dm)
		ctx := context.New()
		var relBias [][]float32 // [heads][2·relPos+1]: distinct values, so a wrong offset shows.
		switch {
		case tc.decay > 0: // b_h(d) = −(decay/2^h)·|d|
			for h := range heads {
				row := make([]float32, 2*tc.relPos+1)
				for d := -tc.relPos; d <= tc.relPos; d++ {
					row[d+tc.relPos] = float32(-tc.decay / math.Exp2(float64(h)) * math.Abs(float64(d)))
				}
				relBias = append(relBias, row)
			}
		case tc.relPos > 0:
			r := randn(13, heads*(2*tc.relPos+1))
			for h := range heads {
				relBias = append(relBias, r[h*(2*tc.relPos+1):(h+1)*(2*tc.relPos+1)])
			}
			ctx.In("attention").VariableWithValue("relative_bias", relBias)
			ctx = ctx.Checked(false) // the layer finds the variable set here.
		}
		exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, mem, mask *Node) []*Node {
			kv := x
			if tc.cross {
				kv = mem
			}
			a := MultiHeadAttention(ctx, x, kv, kv).Heads(heads).KeyMask(mask)
			if tc.causal {
				a.Causal()
			}
			if tc.smear {
				a.SmearKeys()
			}
			if tc.relPos > 0 {
				a.RelativePositionBias(tc.relPos).RelativePositionDecay(tc.decay)
			}
			out, w := a.DoneWithWeights()
			return []*Node{out, w}
		})
		res := exec.MustExec(tensors.FromFlatDataAndDimensions(x, b, tc.nq, dm), tensors.FromFlatDataAndDimensions(mem, b, tc.nk, dm),
			tensors.FromFlatDataAndDimensions(tc.keyMask, b, tc.nk))
		if !res[0].Shape().Equal(shapes.Make(dtypes.Float32, b, tc.nq, dm)) || !res[1].Shape().Equal(shapes.Make(dtypes.Float32, b, heads, tc.nq, tc.nk)) {
			t.Fatalf("%s: shapes %s, %s", tc.name, res[0].Shape(), res[1].Shape())
		}
		variable := func(scope, name string) []float64 {
			v := ctx.In("attention").In(scope).In("dense").GetVariable(name)
			if v == nil {
				t.Fatalf("no variable attention/%s/dense/%s", scope, name)
			}
			return f64(v.MustValue())
		}
		hd := dm / heads
		// project returns in·W + b for one example: [length][heads·headDim].
		project := func(scope string, in []float32, bi, n int) [][]float64 {
			w, bias := variable(scope, "weights"), variable(scope, "biases")
			out := make([][]float64, n)
			for i := range n {
				out[i] = make([]float64, heads*hd)
				for o := range heads * hd {
					s := bias[o]
					for c := range dm {
						s += float64(in[(bi*n+i)*dm+c]) * w[c*heads*hd+o]
					}
					out[i][o] = s
				}
			}
			return out
		}
		wo, bo := variable("output", "weights"), variable("output", "biases")
		var wantOut, wantW []float64
		for bi := range b {
			kvIn := x
			if tc.cross {
				kvIn = mem
			}
			qp, kp, vp := project("query", x, bi, tc.nq), project("key", kvIn, bi, tc.nk), project("value", kvIn, bi, tc.nk)
			if tc.smear { // k'_j = σ(α_h)·k_j + (1 − σ(α_h))·k_{j−1}, k_{−1} = 0
				alpha := f64(ctx.In("attention").GetVariable("smear").MustValue())
				for j := tc.nk - 1; j >= 0; j-- {
					for h := range heads {
						w := 1 / (1 + math.Exp(-alpha[h]))
						for e := range hd {
							prev := 0.0
							if j > 0 {
								prev = kp[j-1][h*hd+e]
							}
							kp[j][h*hd+e] = w*kp[j][h*hd+e] + (1-w)*prev
						}
					}
				}
			}
			concat := make([][]float64, tc.nq)
			for i := range concat {
				concat[i] = make([]float64, heads*hd)
			}
			ws := make([][][]float64, heads)
			for h := range heads {
				for i := range tc.nq {
					logits, keep := make([]float64, tc.nk), make([]bool, tc.nk)
					for j := range tc.nk {
						for e := range hd {
							logits[j] += qp[i][h*hd+e] * kp[j][h*hd+e]
						}
						logits[j] /= math.Sqrt(float64(hd))
						if tc.relPos > 0 { // + b_h(clip(j − i, −k, k))
							logits[j] += float64(relBias[h][min(tc.relPos, max(-tc.relPos, j-i))+tc.relPos])
						}
						keep[j] = tc.keyMask[bi*tc.nk+j] && (!tc.causal || j <= i)
					}
					w := softmaxRow(logits, keep)
					ws[h] = append(ws[h], w)
					for e := range hd {
						for j := range tc.nk {
							concat[i][h*hd+e] += w[j] * vp[j][h*hd+e]
						}
					}
				}
			}
			for h := range heads {
				for i := range tc.nq {
					wantW = append(wantW, ws[h][i]...)
				}
			}
			for i := range tc.nq {
				for o := range dm {
					s := bo[o]
					for c := range heads * hd {
						s += concat[i][c] * wo[c*dm+o]
					}
					wantOut = append(wantOut, s)
				}
			}
		}
		near(t, tc.name+" weights", f64(res[1]), wantW, 1e-5)
		near(t, tc.name+" output", f64(res[0]), wantOut, 1e-4)
	}
}

// TestPositionalEncoding checks the sinusoids against the formula, the graph constant against the
// host table, and the property that makes relative positions learnable: each (sin, cos) pair of
// position p+k is the pair of position p rotated by an angle that depends on k only.
func TestPositionalEncoding(t *testing.T) {
	const length, dim = 50, 9 // an odd width: the last column is a sine without its cosine
	pe := SinusoidalPositions(length, dim)
	for p := range length {
		for c := range dim {
			freq := 1 / math.Pow(10000, float64(c-c%2)/dim)
			want := math.Sin(float64(p) * freq)
			if c%2 == 1 {
				want = math.Cos(float64(p) * freq)
			}
			if math.Abs(pe[p][c]-want) > 1e-12 {
				t.Fatalf("PE(%d, %d) = %g, want %g", p, c, pe[p][c], want)
			}
		}
	}
	for _, k := range []int{1, 7} {
		for c := 0; c+1 < dim; c += 2 {
			a := float64(k) / math.Pow(10000, float64(c)/dim)
			for p := 0; p+k < length; p++ {
				s, co := pe[p][c], pe[p][c+1]
				rs, rc := s*math.Cos(a)+co*math.Sin(a), co*math.Cos(a)-s*math.Sin(a) // rotate by a
				if math.Abs(rs-pe[p+k][c]) > 1e-12 || math.Abs(rc-pe[p+k][c+1]) > 1e-12 {
					t.Fatalf("PE(%d) columns %d,%d rotated by k=%d: (%g, %g), want (%g, %g)", p, c, c+1, k, rs, rc, pe[p+k][c], pe[p+k][c+1])
				}
			}
		}
	}
	got := MustExecOnce(gomlxext.MustBackend(), func(g *Graph) *Node { return PositionalEncoding(g, dtypes.Float32, length, dim) })
	var want []float64
	for _, row := range pe {
		want = append(want, row...)
	}
	near(t, "PositionalEncoding", f64(got), want, 1e-6)
}
