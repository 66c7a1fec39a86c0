package backend

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// phaseConv reports whether ConvGeneral should run as convPhases: an input-dilated
// convolution (a transposed convolution, or the input gradient of a strided one) with unit
// strides and kernel dilations, whose taps mostly fall on the inserted zeros.
func phaseConv(strides, inDil, kDil []int) bool {
	return slices.ContainsFunc(inDil, func(d int) bool { return d > 1 }) &&
		!slices.ContainsFunc(strides, func(s int) bool { return s != 1 }) &&
		!slices.ContainsFunc(kDil, func(d int) bool { return d != 1 })
}

// convPhases is ConvGeneral with input dilations d (strides and kernel dilations 1) without
// the zeros: in the dilated, padded input (padding low p before it), output o reads input row
// (o + k − p)/d for the taps k with o + k − p ≡ 0 (mod d), so the outputs of one phase
// o = r + d·t (r < d) are an ordinary convolution of the undilated input with the taps
// k = k₀ + j·d, k₀ = (p − r) mod d, reading rows t + j + (r + k₀ − p)/d:
//
//	y[r + d·t] = Σ_j x[t + j + c_r] · w[k₀ + j·d]
//
// Every phase (the product of the axes' phases, d₁·d₂·… of them) is computed for its
// ⌈(O − r)/d⌉ outputs per axis, and one kernel scatters the phases into the output. The
// multiply-adds are 1/(d₁·d₂·…) of the dilated convolution's, and the dilated input is never
// built. G channel groups carry over.
func (b *Builder) convPhases(st *staged, input, kernel backends.Op, axes backends.ConvolveAxesConfig, outShape shapes.Shape,
	paddings [][2]int, inDil []int, G int) (backends.Op, error) {
	is, ks := b.shape(input), b.shape(kernel)
	n := is.Rank() - 2
	e := &errs{}
	inPerm := append(append([]int{axes.InputBatch}, axes.InputSpatial...), axes.InputChannels)
	x := b.transposeIfNeeded(e, input, inPerm) // [B, S..., C]
	kPerm := append(slices.Clone(axes.KernelSpatial), axes.KernelInputChannels, axes.KernelOutputChannels)
	k := b.transposeIfNeeded(e, kernel, kPerm) // [K..., C/G, Cout]
	canon := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: n + 1, KernelInputChannels: n,
		KernelOutputChannels: n + 1, OutputBatch: 0, OutputChannels: n + 1}
	for i := range n {
		canon.InputSpatial = append(canon.InputSpatial, i+1)
		canon.KernelSpatial = append(canon.KernelSpatial, i)
		canon.OutputSpatial = append(canon.OutputSpatial, i+1)
	}
	B, Cout := is.Dimensions[axes.InputBatch], ks.Dimensions[axes.KernelOutputChannels]
	S, K, O := make([]int, n), make([]int, n), make([]int, n)
	for i := range n {
		S[i], K[i] = is.Dimensions[axes.InputSpatial[i]], ks.Dimensions[axes.KernelSpatial[i]]
		O[i] = outShape.Dimensions[axes.OutputSpatial[i]]
	}
	if e.err != nil {
		return nil, e.wrap("ConvGeneral phases layout")
	}
	kDims := b.shape(k).Dimensions
	ones := onesIfNil(nil, n)
	outDims := append(append([]int{B}, O...), Cout)
	outStrides := rowMajorStrides(outDims)
	var phases []*handle // phase r's outputs [B, T_r..., Cout], T_r = ⌈(O − r)/d⌉ per axis
	var dsts [][]int     // where they go: strides in the output
	var bases []int      // and the offset of their first element
	r := make([]int, n)
	for range prod(inDil) {
		starts, limits, steps := make([]int, n+2), slices.Clone(kDims), onesIfNil(nil, n+2)
		pads := make([][2]int, n)
		dims := append(append([]int{B}, O...), Cout)
		dst, base := slices.Clone(outStrides), 0
		empty, none := false, false
		for i := range n {
			d, p := inDil[i], paddings[i][0]
			dims[i+1] = (O[i] - r[i] + d - 1) / d
			dst[i+1] *= d
			base += r[i] * outStrides[i+1]
			none = none || dims[i+1] <= 0
			k0 := ((p-r[i])%d + d) % d
			if k0 >= K[i] {
				empty = true // no tap lands on this phase: its outputs are 0.
				continue
			}
			J := (K[i] - k0 + d - 1) / d
			c := (r[i] + k0 - p) / d // exact: r + k₀ − p ≡ 0 (mod d).
			starts[i], limits[i], steps[i] = k0, k0+(J-1)*d+1, d
			pads[i] = [2]int{-c, dims[i+1] + J - 1 - S[i] + c}
		}
		next(r, inDil)
		if none {
			continue // the output is shorter than d on some axis: this phase has no outputs.
		}
		var z backends.Op
		if empty {
			zero := e.op(b.scalar(is.DType, 0))
			if e.err == nil {
				z = e.op(b.fill(zero, is.DType, dims))
			}
		} else {
			sub := e.op(b.Builder.Slice(k, starts, limits, steps))
			if e.err == nil {
				z = e.op(b.convGeneral(x, sub, canon, ones, pads, ones, ones, G, 1)) // [B, T_r..., Cout]
			}
		}
		if e.err != nil {
			return nil, e.wrap("ConvGeneral phase")
		}
		h, ok := z.(*handle)
		if !ok {
			return nil, fmt.Errorf("dl4go backend ConvGeneral phase: not a staged value (bug)")
		}
		phases, dsts, bases = append(phases, h), append(dsts, dst), append(bases, base)
	}
	// Interleave: every output element belongs to exactly one phase, so each is written once.
	var once sync.Once
	plans := make([]copyPlan, len(phases))
	outs, err := st.customOp("conv_phases", phases, []shapes.Shape{shapes.Make(dtypes.Float32, outDims...)}, false,
		func(in, o [][]float32) {
			once.Do(func() {
				for p, h := range phases {
					plans[p] = newCopyPlan(h.shape.Dimensions, dsts[p])
					for j := range plans[p].off {
						plans[p].off[j] += bases[p]
					}
				}
			})
			out := o[0]
			for p, plan := range plans {
				plan.scatter(in[p], out)
			}
		})
	if err != nil {
		return nil, fmt.Errorf("dl4go backend ConvGeneral phases: %w", err)
	}
	var y backends.Op = outs[0]
	y = b.transposeIfNeeded(e, y, canonicalToOutput(axes))
	return y, e.wrap("ConvGeneral phases output")
}
