package backend

import (
	"math"
	"runtime"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// mkn views a reduction as out[m, n] = Σ_k x[m, k, n]: x's axes merged
// into one run of kept axes (M), then the reduced ones (K), then kept ones
// (N). ok is false when the reduced axes are not adjacent (after dropping
// axes of size 1).
func mkn(dims []int, reduced []bool) (m, k, n int, ok bool) {
	m, k, n = 1, 1, 1
	state := 0 // 0: before the reduced axes, 1: in them, 2: after
	for a, d := range dims {
		if d == 1 {
			continue
		}
		switch {
		case reduced[a] && state == 2:
			return 0, 0, 0, false
		case reduced[a]:
			state = 1
			k *= d
		case state == 0:
			m *= d
		default:
			state = 2
			n *= d
		}
	}
	return m, k, n, true
}

// reduceMKN computes out[m, n] = Σ_k x[m, k, n] on all CPUs. Sums of
// contiguous runs (n = 1) accumulate in float64; short sums (k < 8) are
// simplego's, bit for bit: in float32, from 0, in the order of k.
func reduceMKN(x, out []float32, m, k, n int) {
	if k < 8 {
		reduceShort(x, out, m, k, n)
		return
	}
	if n == 1 {
		if m >= runtime.NumCPU() {
			parallelFor(m, k, func(i int) { out[i] = float32(sum64(x[i*k : (i+1)*k])) })
			return
		}
		// Few long runs: partial sums of chunks, then their totals.
		const chunk = 1 << 14
		per := (k + chunk - 1) / chunk
		partial := make([]float64, m*per)
		parallelFor(m*per, chunk, func(t int) {
			i, c := t/per, t%per
			partial[t] = sum64(x[i*k+c*chunk : i*k+min((c+1)*chunk, k)])
		})
		for i := range m {
			out[i] = float32(sum64f(partial[i*per : (i+1)*per]))
		}
		return
	}
	// Rows of n: add the k rows of each m into out[m].
	rowBlocks(m, k, n, func(i, j0, j1 int) {
		acc := out[i*n+j0 : i*n+j1]
		copy(acc, x[i*k*n+j0:i*k*n+j1])
		for kk := 1; kk < k; kk++ {
			row := x[(i*k+kk)*n+j0 : (i*k+kk)*n+j1]
			if h := simdHead(fnAdd, len(row)); h > 0 { // the same IEEE additions, 8 lanes at a time
				vvAdd(&acc[0], &acc[0], &row[0], h)
				acc, row = acc[h:], row[h:]
			}
			for j, v := range row {
				acc[j] += v
			}
			acc = out[i*n+j0 : i*n+j1]
		}
	})
}

// reduceShort is reduceMKN for k < 8, as simplego sums: in float32, from 0,
// in the order of k (so a run of −0 sums to +0).
func reduceShort(x, out []float32, m, k, n int) {
	if n == 1 {
		const rows = 2048
		parallelFor((m+rows-1)/rows, rows*k, func(t int) {
			for i := t * rows; i < min(m, (t+1)*rows); i++ {
				var s float32
				for _, v := range x[i*k : i*k+k] {
					s += v
				}
				out[i] = s
			}
		})
		return
	}
	rowBlocks(m, k, n, func(i, j0, j1 int) {
		acc := out[i*n+j0 : i*n+j1]
		clear(acc)
		for kk := range k {
			a, row := acc, x[(i*k+kk)*n+j0:(i*k+kk)*n+j1]
			if h := simdHead(fnAdd, len(row)); h > 0 { // the same IEEE additions, 8 lanes at a time
				vvAdd(&a[0], &a[0], &row[0], h)
				a, row = a[h:], row[h:]
			}
			for j, v := range row {
				a[j] += v
			}
		}
	})
}

// rowBlocks runs fn(i, j0, j1) on all CPUs for every m and every block [j0, j1) of the n columns
// of a reduction out[m, n] over k rows: blocks of whole rows, or, when m is smaller than the
// number of CPUs, of at least 1024 columns.
func rowBlocks(m, k, n int, fn func(i, j0, j1 int)) {
	cols := n
	if m < runtime.NumCPU() {
		cols = max(1024, (n+runtime.NumCPU()-1)/runtime.NumCPU())
	}
	per := (n + cols - 1) / cols
	parallelFor(m*per, k*cols, func(t int) {
		i, c := t/per, t%per
		fn(i, c*cols, min((c+1)*cols, n))
	})
}

func sum64(v []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += float64(v[i])
		s1 += float64(v[i+1])
		s2 += float64(v[i+2])
		s3 += float64(v[i+3])
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i])
	}
	return (s0 + s1) + (s2 + s3)
}

func sum64f(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// reduceKernel sums a large float32 x over axes that are adjacent (once
// axes of size 1 are dropped), as reduceMKN; ok is false otherwise.
func (b *Builder) reduceKernel(st *staged, x backends.Op, xs shapes.Shape, reduced []bool, keptDims []int) (backends.Op, bool, error) {
	m, k, n, ok := mkn(xs.Dimensions, reduced)
	if !ok {
		return nil, false, nil
	}
	outs, err := st.customOp("reduce_sum", []*handle{x.(*handle)}, []shapes.Shape{shapes.Make(dtypes.Float32, keptDims...)}, false,
		func(in, out [][]float32) { reduceMKN(in[0], out[0], m, k, n) })
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// reduceMaxMKN computes out[m, n] = max_k x[m, k, n] on all CPUs, as simplego's ReduceMax does:
// starting from the lowest finite float32 (so an all −Inf run gives −MaxFloat32), with Go's max
// (a NaN anywhere gives NaN; +0 wins over −0) — results do not depend on the order.
func reduceMaxMKN(x, out []float32, m, k, n int) {
	const lowest = -math.MaxFloat32
	if n == 1 {
		parallelFor(m, k, func(i int) {
			r := x[i*k : (i+1)*k]
			a0, a1, a2, a3 := float32(lowest), float32(lowest), float32(lowest), float32(lowest)
			j := 0
			for ; j+4 <= len(r); j += 4 {
				a0, a1, a2, a3 = max(a0, r[j]), max(a1, r[j+1]), max(a2, r[j+2]), max(a3, r[j+3])
			}
			for ; j < len(r); j++ {
				a0 = max(a0, r[j])
			}
			out[i] = max(max(a0, a1), max(a2, a3))
		})
		return
	}
	rowBlocks(m, k, n, func(i, j0, j1 int) {
		acc := out[i*n+j0 : i*n+j1]
		for j := range acc {
			acc[j] = lowest
		}
		for kk := range k {
			row := x[(i*k+kk)*n+j0 : (i*k+kk)*n+j1]
			for j, v := range row {
				acc[j] = max(acc[j], v)
			}
		}
	})
}
