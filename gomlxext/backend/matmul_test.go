package backend

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMatmulF32 checks the SIMD kernels (AVX2 alone, and with AVX-512 where
// the CPU has it) against a naive triple loop on shapes with ragged edges
// (not multiples of 4, 16, 32 or 64).
func TestMatmulF32(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no AVX2+FMA")
	}
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, avx512 := range []bool{false, true} {
		if avx512 && !hasAVX512 {
			continue
		}
		useAVX512 = avx512
		testMatmulF32(t)
	}
}

func testMatmulF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, d := range [][4]int{{1, 1, 1, 1}, {2, 5, 7, 19}, {1, 64, 784, 256}, {3, 33, 1, 17}, {1, 4, 16, 16}, {2, 3, 0, 5}, {2, 9, 33, 70}, {1, 5, 3, 130}, {1, 7, 20, 40}, {1, 6, 9, 100}} {
		b, m, k, n := d[0], d[1], d[2], d[3]
		lhs, rhs := make([]float32, b*m*k), make([]float32, b*k*n)
		for i := range lhs {
			lhs[i] = rng.Float32() - 0.5
		}
		for i := range rhs {
			rhs[i] = rng.Float32() - 0.5
		}
		out := make([]float32, b*m*n)
		matmulF32(lhs, rhs, out, b, m, k, n)
		// The strided version with lhs given as [m, batch, k] (transposed) must agree.
		lt := make([]float32, len(lhs))
		for bi := range b {
			for i := range m {
				copy(lt[(i*b+bi)*k:(i*b+bi+1)*k], lhs[(bi*m+i)*k:(bi*m+i+1)*k])
			}
		}
		out2 := make([]float32, b*m*n)
		matmulF32Strided(lt, rhs, out2,
			dotLayout{batch: axisOffsets([]int{m, b, k}, []int{1}), cross: axisOffsets([]int{m, b, k}, []int{0}), contract: axisOffsets([]int{m, b, k}, []int{2})},
			dotLayout{batch: axisOffsets([]int{b, k, n}, []int{0}), cross: axisOffsets([]int{b, k, n}, []int{2}), contract: axisOffsets([]int{b, k, n}, []int{1})})
		for i := range out {
			if out[i] != out2[i] {
				t.Fatalf("%v: strided [%d] = %g, contiguous %g", d, i, out2[i], out[i])
			}
		}
		for bi := range b {
			for i := range m {
				for j := range n {
					var want float64
					for kk := range k {
						want += float64(lhs[bi*m*k+i*k+kk]) * float64(rhs[bi*k*n+kk*n+j])
					}
					got := float64(out[bi*m*n+i*n+j])
					if d := got - want; d > 1e-4 || d < -1e-4 {
						t.Fatalf("%v: out[%d][%d][%d] = %g, want %g", d, bi, i, j, got, want)
					}
				}
			}
		}
	}
}

// TestMatmulLayouts checks matmulF32Strided on every combination of
// row-major and transposed operands (read in place or packed), with both
// kernels, against a naive loop.
func TestMatmulLayouts(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no AVX2+FMA")
	}
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	rng := rand.New(rand.NewPCG(2, 2))
	for _, d := range [][3]int{{8, 9, 64}, {5, 17, 100}, {12, 3, 48}, {4, 1, 32}} {
		m, k, n := d[0], d[1], d[2]
		a, b := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = rng.Float32() - 0.5
		}
		for i := range b {
			b[i] = rng.Float32() - 0.5
		}
		at, bt := make([]float32, m*k), make([]float32, k*n) // [k, m] and [n, k]
		for i := range m {
			for kk := range k {
				at[kk*m+i] = a[i*k+kk]
			}
		}
		for kk := range k {
			for j := range n {
				bt[j*k+kk] = b[kk*n+j]
			}
		}
		for _, avx512 := range []bool{false, true} {
			useAVX512 = avx512 && hasAVX512
			for _, lT := range []bool{false, true} {
				for _, rT := range []bool{false, true} {
					lhs, l := a, dotLayout{batch: []int{0}, cross: axisOffsets([]int{m, k}, []int{0}), contract: axisOffsets([]int{m, k}, []int{1})}
					if lT {
						lhs, l = at, dotLayout{batch: []int{0}, cross: axisOffsets([]int{k, m}, []int{1}), contract: axisOffsets([]int{k, m}, []int{0})}
					}
					rhs, r := b, dotLayout{batch: []int{0}, cross: axisOffsets([]int{k, n}, []int{1}), contract: axisOffsets([]int{k, n}, []int{0})}
					if rT {
						rhs, r = bt, dotLayout{batch: []int{0}, cross: axisOffsets([]int{n, k}, []int{0}), contract: axisOffsets([]int{n, k}, []int{1})}
					}
					out := make([]float32, m*n)
					matmulF32Strided(lhs, rhs, out, prepared(l), r)
					for i := range m {
						for j := range n {
							var want float64
							for kk := range k {
								want += float64(a[i*k+kk]) * float64(b[kk*n+j])
							}
							if g := float64(out[i*n+j]); g-want > 1e-4 || want-g > 1e-4 {
								t.Fatalf("%v avx512=%v lT=%v rT=%v: out[%d][%d] = %g, want %g", d, avx512, lT, rT, i, j, g, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestMatmulContractionRuns checks the kernels that read the left operand
// along runs of consecutive contraction offsets (a convolution's patches)
// against the packed path and a naive loop.
func TestMatmulContractionRuns(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no AVX2+FMA")
	}
	savedAVX, savedRuns := useAVX512, noRunsKernel
	defer func() { useAVX512, noRunsKernel = savedAVX, savedRuns }()
	rng := rand.New(rand.NewPCG(3, 3))
	const rowLen = 60
	contract := []int{}
	for _, run := range [][2]int{{0, 8}, {20, 8}, {41, 6}} { // (start, length)
		for c := range run[1] {
			contract = append(contract, run[0]+c)
		}
	}
	k := len(contract)
	for _, m := range []int{4, 9, 16} {
		cross := make([]int, m)
		for i := range cross {
			cross[i] = (i*7%m)*rowLen + i%3 // uneven rows
		}
		lhs := make([]float32, (m+1)*rowLen)
		for i := range lhs {
			lhs[i] = rng.Float32() - 0.5
		}
		for _, n := range []int{16, 40, 64, 80} {
			rhs := make([]float32, k*n)
			for i := range rhs {
				rhs[i] = rng.Float32() - 0.5
			}
			l := prepared(dotLayout{batch: []int{0}, cross: cross, contract: contract})
			if l.runs == nil {
				t.Fatal("no runs in the layout (test bug)")
			}
			r := dotLayout{batch: []int{0}, cross: axisOffsets([]int{k, n}, []int{1}), contract: axisOffsets([]int{k, n}, []int{0})}
			for _, avx512 := range []bool{false, true} {
				useAVX512 = avx512 && hasAVX512
				for _, noRuns := range []bool{false, true} {
					noRunsKernel = noRuns
					out := make([]float32, m*n)
					matmulF32Strided(lhs, rhs, out, l, r)
					for i := range m {
						for j := range n {
							var want float64
							for kk, ko := range contract {
								want += float64(lhs[cross[i]+ko]) * float64(rhs[kk*n+j])
							}
							if g := float64(out[i*n+j]); g-want > 1e-4 || want-g > 1e-4 {
								t.Fatalf("m=%d n=%d avx512=%v packed=%v: out[%d][%d] = %g, want %g", m, n, avx512, noRuns, i, j, g, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestDotF32 checks dotF32 (its SIMD head, vDot, where the CPU has it, and its scalar tail)
// against a float64 sum, for every length up to 200 and unaligned starts.
func TestDotF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := make([]float32, 203), make([]float32, 203)
	for i := range a {
		a[i], b[i] = rng.Float32()*2-1, rng.Float32()*2-1
	}
	for off := range 3 {
		for n := 0; n <= 200; n++ {
			x, y := a[off:off+n], b[off+1:off+1+n]
			var want, mag float64
			for i := range x {
				want += float64(x[i]) * float64(y[i])
				mag += math.Abs(float64(x[i]) * float64(y[i]))
			}
			if got := float64(dotF32(x, y)); math.Abs(got-want) > 1e-6*(mag+1) {
				t.Fatalf("dotF32 of %d values from %d: %g, want %g", n, off, got, want)
			}
		}
	}
}

// TestMatvecTransposed checks the one-column product whose rows are consecutive in memory
// (a transposed left operand: matvecT64's 64-row blocks, then the remaining rows four at a
// time), with a batch and with output rows in another order, against a naive loop.
func TestMatvecTransposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, m := range []int{3, 64, 64*3 + 5} {
		const batch, k = 2, 37
		// lhs [batch, k, m]: row i, contraction kk of batch b at b·k·m + kk·m + i; rhs [batch, k, 1].
		lhs, rhs := make([]float32, batch*k*m), make([]float32, batch*k)
		for i := range lhs {
			lhs[i] = rng.Float32() - 0.5
		}
		for i := range rhs {
			rhs[i] = rng.Float32() - 0.5
		}
		for _, reordered := range []bool{false, true} {
			l := dotLayout{batch: axisOffsets([]int{batch, k, m}, []int{0}), cross: axisOffsets([]int{batch, k, m}, []int{2}),
				contract: axisOffsets([]int{batch, k, m}, []int{1})}
			if reordered {
				l.rows = make([]int, m)
				for i := range l.rows {
					l.rows[i] = m - 1 - i
				}
			}
			r := dotLayout{batch: axisOffsets([]int{batch, k, 1}, []int{0}), cross: []int{0}, contract: axisOffsets([]int{batch, k, 1}, []int{1})}
			out := make([]float32, batch*m)
			matmulF32Strided(lhs, rhs, out, l, r)
			for b := range batch {
				for i := range m {
					var want float64
					for kk := range k {
						want += float64(lhs[b*k*m+kk*m+i]) * float64(rhs[b*k+kk])
					}
					at := i
					if reordered {
						at = m - 1 - i
					}
					if g := float64(out[b*m+at]); math.Abs(g-want) > 1e-5 {
						t.Fatalf("m=%d reordered=%v: out[%d][%d] = %g, want %g", m, reordered, b, at, g, want)
					}
				}
			}
		}
	}
}

// TestMatmulLongContraction checks the chunked path (a contraction long enough to be cut into
// chunks, each tile's later chunks continuing its sums: a convolution's weight gradient)
// against a float64 loop and, bit for bit, against the same product read whole: the left
// operand read in place (transposed, evenly strided) and packed (rows out of memory order, as
// a weight gradient's are), the right one in place and packed (a ragged last panel), with
// both kernels, a batch and a partial last row tile.
func TestMatmulLongContraction(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no AVX2+FMA")
	}
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, d := range [][4]int{{1, 27, 9000, 16}, {2, 13, 5000, 20}, {1, 16, 7000, 4}, {1, 36, 1600, 64}} {
		batch, m, k, n := d[0], d[1], d[2], d[3]
		// lhs [batch, k, m] (a weight gradient's input: rows are its columns), rhs [batch, k, n].
		lhs, rhs := make([]float32, batch*k*m), make([]float32, batch*k*n)
		for i := range lhs {
			lhs[i] = rng.Float32() - 0.5
		}
		for i := range rhs {
			rhs[i] = rng.Float32() - 0.5
		}
		want := make([]float64, batch*m*n)
		for b := range batch {
			for i := range m {
				for j := range n {
					var s float64
					for kk := range k {
						s += float64(lhs[(b*k+kk)*m+i]) * float64(rhs[(b*k+kk)*n+j])
					}
					want[(b*m+i)*n+j] = s
				}
			}
		}
		dims := []int{batch, k, m}
		for _, avx512 := range []bool{false, true} {
			useAVX512 = avx512 && hasAVX512
			for _, order := range []string{"in place", "shuffled", "tiles reversed"} {
				l := dotLayout{batch: axisOffsets(dims, []int{0}), cross: axisOffsets(dims, []int{2}), contract: axisOffsets(dims, []int{1})}
				// Kernel row i is output row perm[i]: shuffled rows are gathered one by one, reversed
				// 4-row tiles are packed with 4-value copies (a weight gradient's rows).
				var perm []int
				switch {
				case order == "shuffled":
					perm = rng.Perm(m)
				case order == "tiles reversed" && m%4 == 0:
					for i := range m {
						perm = append(perm, (m/4-1-i/4)*4+i%4)
					}
				case order == "tiles reversed":
					continue
				}
				if perm != nil {
					cross := l.cross
					l.cross, l.rows = make([]int, m), perm
					for i, p := range perm {
						l.cross[i] = cross[p]
					}
				}
				r := dotLayout{batch: axisOffsets([]int{batch, k, n}, []int{0}), cross: axisOffsets([]int{batch, k, n}, []int{2}),
					contract: axisOffsets([]int{batch, k, n}, []int{1})}
				out, whole := make([]float32, batch*m*n), make([]float32, batch*m*n)
				matmulF32Strided(lhs, rhs, out, l, r)
				noChunks = true
				matmulF32Strided(lhs, rhs, whole, l, r)
				noChunks = false
				for i, g := range out {
					if e := math.Abs(float64(g) - want[i]); e > 1e-5*float64(k) {
						t.Fatalf("%v avx512=%v %s: out[%d] = %g, want %g", d, avx512, order, i, g, want[i])
					}
					if g != whole[i] {
						t.Fatalf("%v avx512=%v %s: out[%d] = %g in chunks, %g read whole (must be bit-identical)", d, avx512, order, i, g, whole[i])
					}
				}
			}
		}
	}
}
