package backend

import (
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
// output dims, the flat offset of each window's first element and the
// offset of each position inside a window.
func poolTables(dims, win []int) (oDims, base, delta []int) {
	st := rowMajorStrides(dims)
	oDims = make([]int, len(dims))
	mults := make([]int, len(dims))
	for i, d := range dims {
		oDims[i] = d / win[i]
		mults[i] = win[i] * st[i]
	}
	return oDims, offsetTable(oDims, mults), offsetTable(win, st)
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
	oDims, base, delta := poolTables(xs.Dimensions, win)
	outs, err := st.customOp("pool", []*handle{x.(*handle)}, []shapes.Shape{shapes.Make(dtypes.Float32, oDims...)}, false,
		func(in, out [][]float32) {
			src, dst := in[0], out[0]
			parallelFor(len(dst)/1024+1, 1024*len(delta), func(t int) {
				for j := t * 1024; j < min((t+1)*1024, len(dst)); j++ {
					o := base[j]
					acc := src[o+delta[0]]
					for _, d := range delta[1:] {
						v := src[o+d]
						switch reduction {
						case backends.ReduceOpMax:
							if v > acc || v != v {
								acc = v
							}
						case backends.ReduceOpMin:
							if v < acc || v != v {
								acc = v
							}
						default:
							acc += v
						}
					}
					dst[j] = acc
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
	oDims, base, delta := poolTables(xs.Dimensions, win)
	if !shapes.Make(dtypes.Float32, oDims...).Equal(ss) {
		return nil, false, nil
	}
	outs, err := st.customOp("selectAndScatter", []*handle{operand.(*handle), source.(*handle)},
		[]shapes.Shape{xs}, true,
		func(in, out [][]float32) {
			x, src, dst := in[0], in[1], out[0]
			parallelFor(len(src)/1024+1, 1024*len(delta), func(t int) {
				for j := t * 1024; j < min((t+1)*1024, len(src)); j++ {
					o := base[j]
					best, bestD := x[o+delta[0]], delta[0]
					for _, d := range delta[1:] {
						v := x[o+d]
						if (!isMin && v > best) || (isMin && v < best) || (v != v && best == best) {
							best, bestD = v, d
						}
					}
					dst[o+bestD] = src[j]
				}
			})
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}
