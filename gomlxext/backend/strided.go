package backend

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// copyPlan is a strided copy of a float32 operand into a row-major output,
// as runs of inner elements: run j starts at off[j] in the operand and
// advances by step (0: one value repeated, 1: a contiguous copy, otherwise a
// strided gather). Transpose and BroadcastInDim are such copies; simplego
// runs them through an index iterator per element, on one core.
type copyPlan struct {
	inner, step int
	off         []int
}

// newCopyPlan plans out[i…] = in[Σ i_a·strides[a]] for an output of
// dimensions out.
// Strides may be negative (a reversed axis).
func newCopyPlan(out, strides []int) copyPlan {
	k, inner, step, started := len(out), 1, 0, false
	for ; k > 0; k-- {
		d, s := out[k-1], strides[k-1]
		switch {
		case d == 1:
		case !started:
			inner, step, started = d, s, true
		case s == step*inner:
			inner *= d
		default:
			return copyPlan{inner: inner, step: step, off: offsetTable(out[:k], strides[:k])}
		}
	}
	return copyPlan{inner: inner, step: step, off: []int{0}}
}

// scatter is the plan read the other way, on all CPUs: run j of in (contiguous, inner
// elements at j·inner) goes to out[off[j] + i·step].
func (p copyPlan) scatter(in, out []float32) {
	parallelFor(len(p.off), p.inner, func(j int) {
		row, d := in[j*p.inner:(j+1)*p.inner], p.off[j]
		if p.step == 1 {
			copy(out[d:d+len(row)], row)
			return
		}
		for i, v := range row {
			out[d+i*p.step] = v
		}
	})
}

// run copies in into out on all CPUs.
func (p copyPlan) run(in, out []float32) { runCopy(p, in, out) }

// runCopy is copyPlan.run for a slice of any element type.
func runCopy[T any](p copyPlan, in, out []T) {
	chunk, perRun := p.inner, 1
	if len(p.off) == 1 && p.inner > 1<<13 {
		chunk = 1 << 12
		perRun = (p.inner + chunk - 1) / chunk
	}
	parallelFor(len(p.off)*perRun, chunk, func(t int) {
		j, c := t/perRun, t%perRun
		start, end := c*chunk, min((c+1)*chunk, p.inner)
		o := out[j*p.inner+start : j*p.inner+end]
		src := p.off[j] + start*p.step
		switch p.step {
		case 0:
			v := in[src]
			for i := range o {
				o[i] = v
			}
		case 1:
			copy(o, in[src:src+len(o)])
		default:
			for i := range o {
				o[i] = in[src+i*p.step]
			}
		}
	})
}

// copyKernel builds a strided copy of x into an output of dimensions out on
// a Go kernel, when x is float32, float64, bool, uint8, int32 or int64 (an
// attention mask broadcast over heads is bool) and the output is large; ok is
// false otherwise.
//
// The copy reads in[base + Σ i_a·strides[a]] for output index i.
func (b *Builder) copyKernel(name string, x backends.Op, out, strides []int, base int) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	xs := b.shape(x)
	if !ok || !st.kernel || prod(out) < min(minElementwise, st.minMACs) {
		return nil, false, nil
	}
	var once sync.Once // the plan's tables are made at the first run
	var plan copyPlan
	planned := func() copyPlan {
		once.Do(func() {
			plan = newCopyPlan(out, strides)
			for j := range plan.off {
				plan.off[j] += base
			}
		})
		return plan
	}
	outShape := []shapes.Shape{shapes.Make(xs.DType, out...)}
	var outs []*handle
	var err error
	switch xs.DType {
	case dtypes.Float32:
		outs, err = st.customOp(name, []*handle{x.(*handle)}, outShape, false,
			func(in, o [][]float32) { planned().run(in[0], o[0]) })
	case dtypes.Float64, dtypes.Bool, dtypes.Uint8, dtypes.Int32, dtypes.Int64:
		outs, err = st.customOpAny(name, []*handle{x.(*handle)}, outShape, func(in, o []any) {
			switch v := in[0].(type) {
			case []float64:
				runCopy(planned(), v, o[0].([]float64))
			case []bool:
				runCopy(planned(), v, o[0].([]bool))
			case []uint8:
				runCopy(planned(), v, o[0].([]uint8))
			case []int32:
				runCopy(planned(), v, o[0].([]int32))
			case []int64:
				runCopy(planned(), v, o[0].([]int64))
			default:
				panic(fmt.Sprintf("dl4go backend %s: flat data %T for %s (bug)", name, v, xs.DType))
			}
		})
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// transposeKernel is Transpose on copyKernel.
func (b *Builder) transposeKernel(x backends.Op, permutation []int) (backends.Op, bool, error) {
	xs := b.shape(x)
	if len(permutation) != xs.Rank() {
		return nil, false, nil // simplego reports the error
	}
	inStrides := rowMajorStrides(xs.Dimensions)
	out, strides := make([]int, len(permutation)), make([]int, len(permutation))
	seen := make([]bool, len(permutation))
	for i, p := range permutation {
		if p < 0 || p >= xs.Rank() || seen[p] {
			return nil, false, nil
		}
		seen[p] = true
		out[i], strides[i] = xs.Dimensions[p], inStrides[p]
	}
	return b.copyKernel("transpose", x, out, strides, 0)
}

// broadcastInDimKernel is BroadcastInDim on copyKernel.
func (b *Builder) broadcastInDimKernel(x backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, bool, error) {
	xs := b.shape(x)
	if len(broadcastAxes) != xs.Rank() || outputShape.DType != xs.DType {
		return nil, false, nil
	}
	inStrides := rowMajorStrides(xs.Dimensions)
	strides := make([]int, outputShape.Rank())
	for i, a := range broadcastAxes {
		if a < 0 || a >= outputShape.Rank() {
			return nil, false, nil
		}
		switch xs.Dimensions[i] {
		case outputShape.Dimensions[a]:
			strides[a] = inStrides[i]
		case 1:
		default:
			return nil, false, nil
		}
	}
	return b.copyKernel("broadcast_in_dim", x, outputShape.Dimensions, strides, 0)
}

// sliceKernel is Slice on copyKernel; ok is false for arguments simplego should judge.
func (b *Builder) sliceKernel(x backends.Op, starts, limits, strides []int) (backends.Op, bool, error) {
	xs := b.shape(x)
	r := xs.Rank()
	if r == 0 || len(starts) != r || len(limits) != r || (len(strides) != 0 && len(strides) != r) {
		return nil, false, nil
	}
	inStrides := rowMajorStrides(xs.Dimensions)
	out, steps, base := make([]int, r), make([]int, r), 0
	for a := range r {
		step := 1
		if len(strides) != 0 {
			step = strides[a]
		}
		if step < 1 || starts[a] < 0 || limits[a] > xs.Dimensions[a] || starts[a] >= limits[a] {
			return nil, false, nil
		}
		out[a] = (limits[a] - starts[a] + step - 1) / step
		steps[a] = inStrides[a] * step
		base += starts[a] * inStrides[a]
	}
	return b.copyKernel("slice", x, out, steps, base)
}

// reverseKernel is Reverse on copyKernel: reversed axes read backwards from their last element.
func (b *Builder) reverseKernel(x backends.Op, rev []int) (backends.Op, bool, error) {
	xs := b.shape(x)
	strides := rowMajorStrides(xs.Dimensions)
	base := 0
	for _, a := range rev {
		base += (xs.Dimensions[a] - 1) * strides[a]
		strides[a] = -strides[a]
	}
	return b.copyKernel("reverse", x, xs.Dimensions, strides, base)
}

// padKernel is Pad of a large float32 x with non-negative edges and interior padding: the
// output filled with the fill value, then x scattered into it by a copy plan of its
// destinations (simplego's Pad is composed here of a Concatenate, Reshape and Slice per axis).
// ok is false for other Pads (negative edges crop).
func (b *Builder) padKernel(x, fill backends.Op, axesConfig []backends.PadAxis) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	xs := b.shape(x)
	if !ok || !st.kernel || xs.DType != dtypes.Float32 || xs.Rank() == 0 || len(axesConfig) > xs.Rank() {
		return nil, false, nil
	}
	outDims := slices.Clone(xs.Dimensions)
	for a, pa := range axesConfig {
		if pa.Start < 0 || pa.End < 0 || pa.Interior < 0 {
			return nil, false, nil
		}
		n := xs.Dimensions[a]
		outDims[a] = pa.Start + n + max(n-1, 0)*pa.Interior + pa.End
	}
	if prod(outDims) < min(minElementwise, st.minMACs) || xs.Size() == 0 {
		return nil, false, nil
	}
	outStrides := rowMajorStrides(outDims)
	dst, base := make([]int, xs.Rank()), 0
	for a := range xs.Rank() {
		dst[a] = outStrides[a]
		if a < len(axesConfig) {
			dst[a] *= axesConfig[a].Interior + 1
			base += axesConfig[a].Start * outStrides[a]
		}
	}
	var once sync.Once
	var plan copyPlan
	outs, err := st.customOp("pad", []*handle{x.(*handle), fill.(*handle)}, []shapes.Shape{shapes.Make(dtypes.Float32, outDims...)}, false,
		func(in, o [][]float32) {
			once.Do(func() {
				plan = newCopyPlan(xs.Dimensions, dst)
				for j := range plan.off {
					plan.off[j] += base
				}
			})
			src, out, v := in[0], o[0], in[1][0]
			if plan.step == 1 {
				// Contiguous rows in increasing order: each task writes its rows and the gaps of
				// fill before them (the last task the tail too), so every element is written once.
				rows := max(1, (1<<13)/plan.inner)
				parallelFor((len(plan.off)+rows-1)/rows, rows*plan.inner, func(t int) {
					lo, hi := t*rows, min((t+1)*rows, len(plan.off))
					for j := lo; j < hi; j++ {
						gap := 0
						if j > 0 {
							gap = plan.off[j-1] + plan.inner
						}
						fillFloats(out[gap:plan.off[j]], v)
						copy(out[plan.off[j]:plan.off[j]+plan.inner], src[j*plan.inner:(j+1)*plan.inner])
					}
					if hi == len(plan.off) {
						fillFloats(out[plan.off[hi-1]+plan.inner:], v)
					}
				})
				return
			}
			const chunk = 1 << 13
			parallelFor((len(out)+chunk-1)/chunk, chunk, func(t int) {
				fillFloats(out[t*chunk:min((t+1)*chunk, len(out))], v)
			})
			plan.scatter(src, out)
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// fillFloats sets every element of s to v (a memory clear for 0).
func fillFloats(s []float32, v float32) {
	if v == 0 && !math.Signbit(float64(v)) {
		clear(s)
		return
	}
	if h := s8(len(s)); h > 0 {
		vFill(&s[0], v, h)
		s = s[h:]
	}
	for i := range s {
		s[i] = v
	}
}
