package backend

import (
	"runtime"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// tiled reports whether windows tile the operand without overlap: strides
// nil or equal to the window, no padding, no dilation.
func tiled(win, strides, baseDil, winDil []int, paddings [][2]int) bool {
	for i, w := range win {
		if (len(strides) > 0 && strides[i] != w) || (len(baseDil) > 0 && baseDil[i] != 1) ||
			(len(winDil) > 0 && winDil[i] != 1) || (len(paddings) > 0 && paddings[i] != [2]int{}) {
			return false
		}
	}
	return true
}

// poolTables returns, for windows win tiling dims (remainders dropped), the
// output dims; the length of the runs the windows share (the trailing axes
// the windows do not span, e.g. the channels of NHWC: one window per
// channel, side by side in memory); the flat offset of each run of windows'
// first elements; and the offset of each position inside a window.
func poolTables(dims, win []int) (oDims []int, inner int, base, delta []int) {
	st := rowMajorStrides(dims)
	oDims = make([]int, len(dims))
	mults := make([]int, len(dims))
	for i, d := range dims {
		oDims[i] = d / win[i]
		mults[i] = win[i] * st[i]
	}
	k := len(dims)
	inner = 1
	for k > 0 && win[k-1] == 1 {
		inner *= dims[k-1]
		k--
	}
	return oDims, inner, offsetTable(oDims[:k], mults[:k]), offsetTable(win, st)
}

// poolKernel is ReduceWindow (max, min or sum) with tiling windows on a
// float32 operand, as a Go kernel: one pass over the operand, on all CPUs.
func (b *Builder) poolKernel(x backends.Op, reduction backends.ReduceOpType, win []int) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	xs := b.shape(x)
	if !ok || !st.kernel || xs.DType != dtypes.Float32 || xs.Size() < st.minMACs {
		return nil, false, nil
	}
	if reduction != backends.ReduceOpMax && reduction != backends.ReduceOpMin && reduction != backends.ReduceOpSum {
		return nil, false, nil
	}
	oDims, inner, base, delta := poolTables(xs.Dimensions, win)
	outs, err := st.customOp("pool", []*handle{x.(*handle)}, []shapes.Shape{shapes.Make(dtypes.Float32, oDims...)}, false,
		func(in, out [][]float32) {
			src, dst := in[0], out[0]
			parallelFor(len(base), inner*len(delta), func(j int) {
				acc := dst[j*inner : (j+1)*inner]
				o := base[j]
				copy(acc, src[o+delta[0]:o+delta[0]+inner])
				for _, d := range delta[1:] {
					run := src[o+d : o+d+inner]
					switch reduction {
					case backends.ReduceOpMax: // NaN wins, as in simplego
						for c, v := range run {
							acc[c] = max(acc[c], v)
						}
					case backends.ReduceOpMin:
						for c, v := range run {
							acc[c] = min(acc[c], v)
						}
					default:
						for c, v := range run {
							acc[c] += v
						}
					}
				}
			})
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// selectAndScatterKernel is SelectAndScatterMax/Min with tiling windows on
// float32, as a Go kernel: each source value goes to the first maximum
// (minimum) of its window, NaN first; everything else is zero. Each window's
// positions are written in full, in runs of channels, so the output is only
// cleared first where the windows leave a remainder uncovered.
func (b *Builder) selectAndScatterKernel(operand, source backends.Op, win []int, isMin bool) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	xs, ss := b.shape(operand), b.shape(source)
	if !ok || !st.kernel || xs.DType != dtypes.Float32 || ss.DType != dtypes.Float32 || xs.Size() < st.minMACs {
		return nil, false, nil
	}
	oDims, inner, base, delta := poolTables(xs.Dimensions, win)
	if !shapes.Make(dtypes.Float32, oDims...).Equal(ss) {
		return nil, false, nil
	}
	covered := ss.Size()*len(delta) == xs.Size()
	outs, err := st.customOp("selectAndScatter", []*handle{operand.(*handle), source.(*handle)},
		[]shapes.Shape{xs}, !covered,
		func(in, out [][]float32) {
			x, src, dst := in[0], in[1], out[0]
			workers := max(runtime.NumCPU(), 1)
			chunk := (len(base) + workers - 1) / workers
			parallelFor(workers, chunk*inner*len(delta), func(w int) {
				// Per channel of the run: the best value so far and its position in the window.
				best, pick := make([]float32, inner), make([]int32, inner)
				for j := w * chunk; j < min((w+1)*chunk, len(base)); j++ {
					o := base[j]
					if len(delta) == 4 { // 2×2 windows: one pass.
						select4(x, src[j*inner:(j+1)*inner], dst, o, delta, isMin)
						continue
					}
					copy(best, x[o+delta[0]:o+delta[0]+inner])
					clear(pick)
					for k, d := range delta[1:] {
						if isMin {
							selectMin(best, pick, x[o+d:o+d+inner], int32(k+1))
						} else {
							selectMax(best, pick, x[o+d:o+d+inner], int32(k+1))
						}
					}
					s := src[j*inner : (j+1)*inner]
					for k, d := range delta {
						scatterPicked(dst[o+d:o+d+inner], s, pick, int32(k))
					}
				}
			})
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// selectMax makes best the larger of best and run (a NaN in run replacing a
// number, ties kept), pick k where run won.
func selectMax(best []float32, pick []int32, run []float32, k int32) {
	pick, run = pick[:len(best)], run[:len(best)]
	for c, v := range run {
		if b := best[c]; v > b || (v != v && b == b) {
			best[c], pick[c] = v, k
		}
	}
}

// selectMin is selectMax for the smaller.
func selectMin(best []float32, pick []int32, run []float32, k int32) {
	pick, run = pick[:len(best)], run[:len(best)]
	for c, v := range run {
		if b := best[c]; v < b || (v != v && b == b) {
			best[c], pick[c] = v, k
		}
	}
}

// scatterPicked writes row[c] = src[c] where pick[c] is k, else 0.
func scatterPicked(row, src []float32, pick []int32, k int32) {
	src, pick = src[:len(row)], pick[:len(row)]
	for c := range row {
		if pick[c] == k {
			row[c] = src[c]
		} else {
			row[c] = 0
		}
	}
}

// select4 is selectAndScatterKernel's window of four positions (2×2): for
// each channel c of the run at o, dst at the first maximum (minimum, NaN
// first) of x at o+delta[0..3] gets src[c], the three others 0.
func select4(x, src, dst []float32, o int, delta []int, isMin bool) {
	n := len(src)
	x0, x1, x2, x3 := x[o+delta[0]:][:n], x[o+delta[1]:][:n], x[o+delta[2]:][:n], x[o+delta[3]:][:n]
	d0, d1, d2, d3 := dst[o+delta[0]:][:n], dst[o+delta[1]:][:n], dst[o+delta[2]:][:n], dst[o+delta[3]:][:n]
	if h := n &^ 7; simdElementwise && h > 0 { // 8 channels at a time, the same rule
		vSelect4(&x0[0], &x1[0], &x2[0], &x3[0], &src[0], &d0[0], &d1[0], &d2[0], &d3[0], h, isMin)
		x0, x1, x2, x3, src = x0[h:], x1[h:], x2[h:], x3[h:], src[h:]
		d0, d1, d2, d3 = d0[h:], d1[h:], d2[h:], d3[h:]
	}
	for c, s := range src {
		b, k := x0[c], 0
		if isMin {
			if v := x1[c]; v < b || (v != v && b == b) {
				b, k = v, 1
			}
			if v := x2[c]; v < b || (v != v && b == b) {
				b, k = v, 2
			}
			if v := x3[c]; v < b || (v != v && b == b) {
				k = 3
			}
		} else {
			if v := x1[c]; v > b || (v != v && b == b) {
				b, k = v, 1
			}
			if v := x2[c]; v > b || (v != v && b == b) {
				b, k = v, 2
			}
			if v := x3[c]; v > b || (v != v && b == b) {
				k = 3
			}
		}
		d0[c], d1[c], d2[c], d3[c] = 0, 0, 0, 0
		switch k {
		case 0:
			d0[c] = s
		case 1:
			d1[c] = s
		case 2:
			d2[c] = s
		default:
			d3[c] = s
		}
	}
}
