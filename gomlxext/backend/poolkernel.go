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
// (minimum) of its window; everything else is zero.
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
	outs, err := st.customOp("selectAndScatter", []*handle{operand.(*handle), source.(*handle)},
		[]shapes.Shape{xs}, true,
		func(in, out [][]float32) {
			x, src, dst := in[0], in[1], out[0]
			workers := max(runtime.NumCPU(), 1)
			chunk := (len(base) + workers - 1) / workers
			parallelFor(workers, chunk*inner*len(delta), func(w int) {
				// Per channel of the run: the best value so far and its offset.
				best, bestD := make([]float32, inner), make([]int, inner)
				for j := w * chunk; j < min((w+1)*chunk, len(base)); j++ {
					o := base[j]
					copy(best, x[o+delta[0]:o+delta[0]+inner])
					for c := range bestD {
						bestD[c] = delta[0]
					}
					for _, d := range delta[1:] {
						for c, v := range x[o+d : o+d+inner] {
							if b := best[c]; (!isMin && v > b) || (isMin && v < b) || (v != v && b == b) {
								best[c], bestD[c] = v, d
							}
						}
					}
					for c, d := range bestD {
						dst[o+d+c] = src[j*inner+c]
					}
				}
			})
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}
