package backend_test

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// fftLengths covers powers of two (radix-2), lengths 1 and 2, and lengths
// that take Bluestein's path (odd, prime, even non-powers of two).
var fftLengths = []int{1, 2, 3, 8, 12, 17, 64, 100, 257, 1024}

// complexRows returns rows×n deterministic complex values.
func complexRows(seed uint64, rows, n int) []complex128 {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]complex128, rows*n)
	for i := range out {
		out[i] = complex(2*rng.Float64()-1, 2*rng.Float64()-1)
	}
	return out
}

// maxAbs is the largest modulus in v (at least 1), the scale errors are measured against.
func maxAbs(v []complex128) float64 {
	m := 1.0
	for _, x := range v {
		m = max(m, cmplx.Abs(x))
	}
	return m
}

// complexTensor returns rows×n values as a complex64 or complex128 tensor [rows, n].
func complexTensor(v []complex128, dtype dtypes.DType, rows, n int) *tensors.Tensor {
	if dtype == dtypes.Complex64 {
		c := make([]complex64, len(v))
		for i, x := range v {
			c[i] = complex64(x)
		}
		return tensors.FromFlatDataAndDimensions(c, rows, n)
	}
	return tensors.FromFlatDataAndDimensions(v, rows, n)
}

func complexValues(t *tensors.Tensor) []complex128 {
	switch t.DType() {
	case dtypes.Complex64:
		c := tensors.MustCopyFlatData[complex64](t)
		out := make([]complex128, len(c))
		for i, x := range c {
			out[i] = complex128(x)
		}
		return out
	case dtypes.Complex128:
		return tensors.MustCopyFlatData[complex128](t)
	}
	panic("not complex: " + t.Shape().String())
}

func realValues(t *tensors.Tensor) []float64 {
	if t.DType() == dtypes.Float32 {
		f := tensors.MustCopyFlatData[float32](t)
		out := make([]float64, len(f))
		for i, x := range f {
			out[i] = float64(x)
		}
		return out
	}
	return tensors.MustCopyFlatData[float64](t)
}

// TestFFTOp checks GoMLX's FFT, InverseFFT, RealFFT and InverseRealFFT on
// dl4go against the textbook DFT (naiveDFT, complex128), for complex64
// (tolerance 1e-5 of the largest modulus) and complex128 (1e-12), with
// complex tensors going in and coming out of the computation.
func TestFFTOp(t *testing.T) {
	b := newBackend(t, "dl4go")
	const rows = 3
	for _, dt := range []dtypes.DType{dtypes.Complex64, dtypes.Complex128} {
		tol := 1e-12
		realDT := dtypes.Float64
		if dt == dtypes.Complex64 {
			tol, realDT = 1e-5, dtypes.Float32
		}
		for _, n := range fftLengths {
			t.Run(fmt.Sprintf("%s/n=%d", dt, n), func(t *testing.T) {
				x := complexRows(uint64(n), rows, n)
				if dt == dtypes.Complex64 { // the reference sees the rounded input
					for i := range x {
						x[i] = complex128(complex64(x[i]))
					}
				}
				xr := make([]float64, len(x)) // real input for RealFFT: the real parts
				for i := range x {
					xr[i] = real(x[i])
				}
				outs, err := graph.MustNewExec(b, func(c, r *graph.Node) []*graph.Node {
					spectrum := graph.RealFFT(r)
					return []*graph.Node{graph.FFT(c), graph.InverseFFT(c), spectrum,
						graph.InverseRealFFT(spectrum, n)}
				}).Exec(complexTensor(x, dt, rows, n), tensors.FromAnyValue(castRows(xr, realDT, rows, n)))
				if err != nil {
					t.Fatal(err)
				}
				if outs[0].DType() != dt || outs[2].DType() != dt || outs[3].DType() != realDT {
					t.Fatalf("dtypes %s %s %s", outs[0].Shape(), outs[2].Shape(), outs[3].Shape())
				}
				fwd, inv, spec, back := complexValues(outs[0]), complexValues(outs[1]), complexValues(outs[2]), realValues(outs[3])
				m := n/2 + 1
				for row := range rows {
					in := x[row*n : (row+1)*n]
					check := func(what string, got, want []complex128) {
						t.Helper()
						scale := maxAbs(want)
						for k := range want {
							if d := cmplx.Abs(got[k] - want[k]); d > tol*scale {
								t.Fatalf("%s row %d [%d] = %v, want %v (error %.3g of %.3g)", what, row, k, got[k], want[k], d/scale, tol)
							}
						}
					}
					check("FFT", fwd[row*n:(row+1)*n], naiveDFT(in, false))
					check("InverseFFT", inv[row*n:(row+1)*n], naiveDFT(in, true))
					re := make([]complex128, n)
					for j := range n {
						re[j] = complex(real(in[j]), 0)
					}
					check("RealFFT", spec[row*m:(row+1)*m], naiveDFT(re, false)[:m])
					for j := range n {
						if d := math.Abs(back[row*n+j] - real(in[j])); d > tol*maxAbs(re) {
							t.Fatalf("InverseRealFFT(RealFFT(x)) row %d [%d] = %g, want %g", row, j, back[row*n+j], real(in[j]))
						}
					}
				}
			})
		}
	}
}

// castRows returns v as a [rows, n] float32 or float64 Go slice of slices.
func castRows(v []float64, dtype dtypes.DType, rows, n int) any {
	if dtype == dtypes.Float32 {
		out := make([][]float32, rows)
		for r := range rows {
			out[r] = make([]float32, n)
			for j := range n {
				out[r][j] = float32(v[r*n+j])
			}
		}
		return out
	}
	out := make([][]float64, rows)
	for r := range rows {
		out[r] = v[r*n : (r+1)*n]
	}
	return out
}

// TestInverseRealFFTIgnoresImaginaryDC checks XLA's convention: the inverse
// real FFT reads bins 0 and n/2 (n even) as real.
func TestInverseRealFFTIgnoresImaginaryDC(t *testing.T) {
	b := newBackend(t, "dl4go")
	for _, n := range []int{6, 7} {
		m := n/2 + 1
		spec := complexRows(5, 1, m)
		clean := append([]complex128(nil), spec...)
		clean[0] = complex(real(clean[0]), 0)
		if n%2 == 0 {
			clean[m-1] = complex(real(clean[m-1]), 0)
		}
		exec := graph.MustNewExec(b, func(c *graph.Node) *graph.Node { return graph.InverseRealFFT(c, n) })
		got := realValues(exec.MustExec(complexTensor(spec, dtypes.Complex128, 1, m))[0])
		want := realValues(exec.MustExec(complexTensor(clean, dtypes.Complex128, 1, m))[0])
		// And the reference: the inverse DFT of the Hermitian extension of clean.
		full := make([]complex128, n)
		for k := range m {
			full[k] = clean[k]
			if k > 0 && n-k >= m {
				full[n-k] = cmplx.Conj(clean[k])
			}
		}
		ref := naiveDFT(full, true)
		for j := range n {
			if math.Abs(got[j]-want[j]) > 1e-14 || math.Abs(got[j]-real(ref[j])) > 1e-12 {
				t.Fatalf("n=%d [%d]: %g, with real DC/Nyquist %g, reference %g", n, j, got[j], want[j], real(ref[j]))
			}
		}
	}
}

// TestFFT2D checks FFT over the last two axes (RealFFT and InverseRealFFT
// with two lengths) against row and column transforms.
func TestFFT2D(t *testing.T) {
	b := newBackend(t, "dl4go")
	const h, w = 5, 6
	x := complexRows(11, h, w)
	outs := graph.MustNewExec(b, func(c *graph.Node) []*graph.Node {
		r := graph.Real(c)
		spec := graph.RealFFT(r, h, w)
		return []*graph.Node{graph.FFT(c, h, w), spec, graph.InverseRealFFT(spec, h, w), r}
	}).MustExec(complexTensor(x, dtypes.Complex128, h, w))
	// Reference: DFT of every row, then of every column.
	dft2 := func(x []complex128) []complex128 {
		want := append([]complex128(nil), x...)
		for r := range h {
			copy(want[r*w:(r+1)*w], naiveDFT(want[r*w:(r+1)*w], false))
		}
		for c := range w {
			col := make([]complex128, h)
			for r := range h {
				col[r] = want[r*w+c]
			}
			col = naiveDFT(col, false)
			for r := range h {
				want[r*w+c] = col[r]
			}
		}
		return want
	}
	want := dft2(x)
	got := complexValues(outs[0])
	for i := range want {
		if cmplx.Abs(got[i]-want[i]) > 1e-12*maxAbs(want) {
			t.Fatalf("FFT 2D [%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if outs[1].Shape().Dimensions[1] != w/2+1 {
		t.Fatalf("RealFFT 2D shape %s", outs[1].Shape())
	}
	xr := make([]complex128, len(x))
	for i := range x {
		xr[i] = complex(real(x[i]), 0)
	}
	wantSpec, spec := dft2(xr), complexValues(outs[1])
	for r := range h {
		for c := range w/2 + 1 {
			if cmplx.Abs(spec[r*(w/2+1)+c]-wantSpec[r*w+c]) > 1e-12*maxAbs(wantSpec) {
				t.Fatalf("RealFFT 2D [%d,%d] = %v, want %v", r, c, spec[r*(w/2+1)+c], wantSpec[r*w+c])
			}
		}
	}
	back, r := realValues(outs[2]), realValues(outs[3])
	for i := range r {
		if math.Abs(back[i]-r[i]) > 1e-12 {
			t.Fatalf("InverseRealFFT(RealFFT(x)) 2D [%d] = %g, want %g", i, back[i], r[i])
		}
	}
}

// TestFFTGradient compares GoMLX autodiff gradients through the FFT ops on
// dl4go with those through this package's O(n²) real-arithmetic DFT helpers
// (DFT, RFFT, IRFFT: real DotGenerals, whose gradients are plain real
// autodiff), in float64 to 1e-12 and in float32 (complex64) to 1e-5 of the
// float64 reference.
func TestFFTGradient(t *testing.T) {
	b := newBackend(t, "dl4go")
	type variant struct {
		name     string
		m        func(n int) int // length of the inputs' last axis
		fft, dft func(re, im *graph.Node, n int) *graph.Node
		usesImag bool
	}
	variants := []variant{
		{"FFT", func(n int) int { return n },
			func(re, im *graph.Node, _ int) *graph.Node { return realImag(graph.FFT(graph.Complex(re, im))) },
			func(re, im *graph.Node, _ int) *graph.Node {
				r, i := backend.DFT(re, im, false)
				return graph.Concatenate([]*graph.Node{r, i}, -1)
			}, true},
		{"InverseFFT", func(n int) int { return n },
			func(re, im *graph.Node, _ int) *graph.Node { return realImag(graph.InverseFFT(graph.Complex(re, im))) },
			func(re, im *graph.Node, _ int) *graph.Node {
				r, i := backend.DFT(re, im, true)
				return graph.Concatenate([]*graph.Node{r, i}, -1)
			}, true},
		{"RealFFT", func(n int) int { return n },
			func(re, _ *graph.Node, _ int) *graph.Node { return realImag(graph.RealFFT(re)) },
			func(re, _ *graph.Node, _ int) *graph.Node {
				r, i := backend.RFFT(re)
				return graph.Concatenate([]*graph.Node{r, i}, -1)
			}, false},
		{"InverseRealFFT", func(n int) int { return n/2 + 1 },
			func(re, im *graph.Node, n int) *graph.Node { return graph.InverseRealFFT(graph.Complex(re, im), n) },
			func(re, im *graph.Node, n int) *graph.Node { return backend.IRFFT(re, im, n) }, true},
	}
	for _, v := range variants {
		for _, n := range []int{7, 8, 12} {
			t.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(t *testing.T) {
				m := v.m(n)
				vals := randInputs(uint64(n), [][]int{{3, m}, {3, m}})
				grads := func(dtype dtypes.DType, fn func(re, im *graph.Node, n int) *graph.Node) [][]float64 {
					exec := graph.MustNewExec(b, func(x0, x1 *graph.Node) []*graph.Node {
						re, im := graph.ConvertDType(x0, dtype), graph.ConvertDType(x1, dtype)
						return graph.Gradient(weighted(fn(re, im, n)), x0, x1)
					})
					out := exec.MustExec(toTensors(vals, [][]int{{3, m}, {3, m}})...)
					return [][]float64{flat(out[0]), flat(out[1])}
				}
				want := grads(dtypes.Float64, v.dft)
				for _, c := range []struct {
					dtype dtypes.DType
					tol   float64
				}{{dtypes.Float64, 1e-12}, {dtypes.Float32, 1e-5}} {
					got := grads(c.dtype, v.fft)
					for i := range want {
						if i == 1 && !v.usesImag {
							continue
						}
						scale := 1.0
						for _, w := range want[i] {
							scale = max(scale, math.Abs(w))
						}
						for j := range want[i] {
							if d := math.Abs(got[i][j] - want[i][j]); d > c.tol*scale {
								t.Fatalf("%s gradient of input %d [%d] = %.15g, DFT helper %.15g (error %.2g of %.2g)",
									c.dtype, i, j, got[i][j], want[i][j], d/scale, c.tol)
							}
						}
					}
				}
			})
		}
	}
}
