package backend

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// ConvGeneral implements backends.Builder as im2col + DotGeneral:
//
//  1. input → [batch, spatial..., channels]; kernel → [spatial..., in, out];
//  2. input dilation and padding (also negative) with Pad;
//  3. patches [batch, out..., K, channels] from K strided Slices (one per
//     kernel position) or O Slices (one per output position), whichever is
//     fewer, joined by Concatenate;
//  4. one DotGeneral with the kernel (batched over channel or batch groups);
//  5. transpose to the requested output layout.
//
// On the SIMD kernel (float32) it is convKernel's implicit GEMM instead, or convPhases for
// an input-dilated convolution with unit strides.
//
// Nil strides and dilations mean 1, nil paddings mean 0.
func (b *Builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	st := b.stagedBuilder()
	st.noCount++
	out, err := b.convGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations, channelGroupCount, batchGroupCount)
	st.noCount--
	if err == nil {
		st.countFLOPs(out, 2*convMACs(b.shape(input), b.shape(kernel), b.shape(out), axes, strides, paddings,
			inputDilations, kernelDilations, channelGroupCount))
	}
	return out, err
}

func (b *Builder) convGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	is, ks := b.shape(input), b.shape(kernel)
	nSp := is.Rank() - 2
	if nSp < 0 || ks.Rank() != is.Rank() || len(axes.InputSpatial) != nSp || len(axes.KernelSpatial) != nSp || len(axes.OutputSpatial) != nSp {
		return nil, fmt.Errorf("dl4go backend ConvGeneral: input %s, kernel %s and axes %+v do not match", is, ks, axes)
	}
	strides = onesIfNil(strides, nSp)
	inputDilations = onesIfNil(inputDilations, nSp)
	kernelDilations = onesIfNil(kernelDilations, nSp)
	if len(paddings) == 0 {
		paddings = make([][2]int, nSp)
	}
	G := max(channelGroupCount, 1)
	BG := max(batchGroupCount, 1)
	// Shape check with GoMLX's own shape inference (with defaults filled in).
	outShape, err := shapeinference.ConvGeneralOp(is, ks, axes, strides, paddings, inputDilations, kernelDilations, G, BG)
	if err != nil {
		return nil, fmt.Errorf("dl4go backend ConvGeneral: %w", err)
	}
	e := &errs{}
	if st, ok := b.Builder.(*staged); ok && st.kernel && isFloat(is, ks) && directConv(is, ks, axes, G, BG) {
		out, ok, err := b.convDirect(st, input, kernel, axes, outShape, strides, paddings, inputDilations, kernelDilations, G, BG)
		if err != nil || ok {
			return out, err
		}
	}
	if st, ok := b.Builder.(*staged); ok && st.kernel && is.DType == dtypes.Float32 && ks.DType == dtypes.Float32 &&
		BG == 1 && outShape.Size()*ks.Size()/max(ks.Dimensions[axes.KernelOutputChannels], 1) >= st.minMACs {
		if phaseConv(strides, inputDilations, kernelDilations) {
			return b.convPhases(st, input, kernel, axes, outShape, paddings, inputDilations, G)
		}
		return b.convKernel(st, input, kernel, axes, outShape, strides, paddings, inputDilations, kernelDilations, G)
	}

	// 1. Canonical layouts.
	inPerm := append(append([]int{axes.InputBatch}, axes.InputSpatial...), axes.InputChannels)
	x := b.transposeIfNeeded(e, input, inPerm)
	kPerm := append(slices.Clone(axes.KernelSpatial), axes.KernelInputChannels, axes.KernelOutputChannels)
	k := b.transposeIfNeeded(e, kernel, kPerm)
	B, C := is.Dimensions[axes.InputBatch], is.Dimensions[axes.InputChannels]
	Cout := ks.Dimensions[axes.KernelOutputChannels]
	kDims := make([]int, nSp)
	for i, a := range axes.KernelSpatial {
		kDims[i] = ks.Dimensions[a]
	}

	// 2. Input dilation and padding.
	pads := make([]backends.PadAxis, nSp+2)
	needPad := false
	for i := range nSp {
		pads[i+1] = backends.PadAxis{Start: paddings[i][0], End: paddings[i][1], Interior: inputDilations[i] - 1}
		if pads[i+1] != (backends.PadAxis{}) {
			needPad = true
		}
	}
	if needPad {
		zero := e.op(b.scalar(is.DType, 0))
		if e.err == nil {
			x = e.op(b.Pad(x, zero, pads...))
		}
	}
	if e.err != nil {
		return nil, e.wrap("ConvGeneral input")
	}
	pDims := b.shape(x).Dimensions
	oDims := make([]int, nSp)
	for i := range nSp {
		oDims[i] = outShape.Dimensions[axes.OutputSpatial[i]]
	}
	K, O := prod(kDims), prod(oDims)
	if min(K, O) > maxConvSlices && G == 1 && BG == 1 {
		// Both the kernel and the output are large: simplego's direct loop
		// avoids a graph with thousands of slices.
		return b.Builder.ConvGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations, G, BG)
	}

	// 3. Patches [B, O, K, C].
	var patches backends.Op
	if K == 1 {
		starts, limits, st := make([]int, nSp+2), slices.Clone(pDims), make([]int, nSp+2)
		st[0], st[nSp+1] = 1, 1
		for i := range nSp {
			limits[i+1] = (oDims[i]-1)*strides[i] + 1
			st[i+1] = strides[i]
		}
		patches = e.op(b.Slice(x, starts, limits, st))
		patches = e.op(b.Builder.Reshape(patches, B, O, 1, C))
	} else if K <= O {
		parts := make([]backends.Op, 0, K)
		pos := make([]int, nSp)
		for range K {
			starts, limits, st := make([]int, nSp+2), slices.Clone(pDims), make([]int, nSp+2)
			st[0], st[nSp+1] = 1, 1
			for i := range nSp {
				starts[i+1] = pos[i] * kernelDilations[i]
				limits[i+1] = starts[i+1] + (oDims[i]-1)*strides[i] + 1
				st[i+1] = strides[i]
			}
			s := e.op(b.Slice(x, starts, limits, st))
			parts = append(parts, e.op(b.Builder.Reshape(s, B, O, 1, C)))
			next(pos, kDims)
		}
		if e.err == nil {
			patches = e.op(b.Builder.Concatenate(2, parts...))
		}
	} else {
		parts := make([]backends.Op, 0, O)
		pos := make([]int, nSp)
		for range O {
			starts, limits, st := make([]int, nSp+2), slices.Clone(pDims), make([]int, nSp+2)
			st[0], st[nSp+1] = 1, 1
			for i := range nSp {
				starts[i+1] = pos[i] * strides[i]
				limits[i+1] = starts[i+1] + (kDims[i]-1)*kernelDilations[i] + 1
				st[i+1] = kernelDilations[i]
			}
			s := e.op(b.Slice(x, starts, limits, st))
			parts = append(parts, e.op(b.Builder.Reshape(s, B, 1, K, C)))
			next(pos, oDims)
		}
		if e.err == nil {
			patches = e.op(b.Builder.Concatenate(1, parts...))
		}
	}
	if e.err != nil {
		return nil, e.wrap("ConvGeneral patches")
	}

	// 4. DotGeneral. Kernel is [kDims..., C/G, Cout].
	var y backends.Op // [B/BG, O, Cout]
	switch {
	case G == 1 && BG == 1:
		p := e.op(b.Builder.Reshape(patches, B*O, K*C))
		kk := e.op(b.Builder.Reshape(k, K*C, Cout))
		y = e.op(b.Builder.DotGeneral(p, []int{1}, nil, kk, []int{0}, nil))
	case BG == 1: // channel groups: input channels and output channels split in G groups.
		p := e.op(b.Builder.Reshape(patches, B*O, K, G, C/G))
		kk := e.op(b.Builder.Reshape(k, K, C/G, G, Cout/G))
		y = e.op(b.Builder.DotGeneral(p, []int{1, 3}, []int{2}, kk, []int{0, 1}, []int{2})) // [G, B*O, Cout/G]
		y = e.op(b.Builder.Transpose(y, 1, 0, 2))
	default: // batch groups: output channel group g uses input batch group g.
		if G != 1 {
			return nil, fmt.Errorf("dl4go backend ConvGeneral: channel and batch grouping together are not supported")
		}
		p := e.op(b.Builder.Reshape(patches, BG, (B/BG)*O, K*C))
		kk := e.op(b.Builder.Reshape(k, K*C, BG, Cout/BG))
		y = e.op(b.Builder.DotGeneral(p, []int{2}, []int{0}, kk, []int{0}, []int{1})) // [BG, B/BG*O, Cout/BG]
		y = e.op(b.Builder.Transpose(y, 1, 0, 2))
	}
	if e.err != nil {
		return nil, e.wrap("ConvGeneral DotGeneral")
	}
	canon := append(append([]int{B / BG}, oDims...), Cout)
	y = e.op(b.Builder.Reshape(y, canon...))

	// 5. Output layout: canonical axis of each output axis.
	y = b.transposeIfNeeded(e, y, canonicalToOutput(axes))
	if e.err != nil {
		return nil, e.wrap("ConvGeneral output")
	}
	if got := b.shape(y); !got.Equal(outShape) {
		return nil, fmt.Errorf("dl4go backend ConvGeneral: built %s, expected %s (bug)", got, outShape)
	}
	return y, nil
}

// maxConvSlices bounds the number of Slice ops of one im2col.
const maxConvSlices = 256

func (b *Builder) transposeIfNeeded(e *errs, x backends.Op, perm []int) backends.Op {
	if e.err != nil || slices.Equal(perm, axesUpTo(len(perm))) {
		return x
	}
	return e.op(b.Builder.Transpose(x, perm...))
}

// next advances a row-major multi-index pos over dims.
func next(pos, dims []int) {
	for k := len(pos) - 1; k >= 0; k-- {
		pos[k]++
		if pos[k] < dims[k] {
			return
		}
		pos[k] = 0
	}
}

// offsetTable enumerates, row-major over sizes, the offsets Σ idx[i]·mults[i].
func offsetTable(sizes, mults []int) []int {
	offs := []int{0}
	for i, n := range sizes {
		next := make([]int, 0, len(offs)*n)
		for _, o := range offs {
			for j := range n {
				next = append(next, o+j*mults[i])
			}
		}
		offs = next
	}
	return offs
}

// canonicalToOutput is the Transpose permutation from a convolution's canonical output
// [batch, spatial..., channels] to the layout axes asks for.
func canonicalToOutput(axes backends.ConvolveAxesConfig) []int {
	n := len(axes.OutputSpatial)
	perm := make([]int, n+2)
	perm[axes.OutputBatch] = 0
	perm[axes.OutputChannels] = n + 1
	for i, a := range axes.OutputSpatial {
		perm[a] = i + 1
	}
	return perm
}

func rowMajorStrides(dims []int) []int {
	st := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= dims[i]
	}
	return st
}

// convKernel is ConvGeneral as an implicit GEMM on the SIMD kernel: the
// input is dilated and padded in its own layout, and the kernel reads the
// patches through offset tables, without materialising them:
//
//	out[g, (b, o...), co] = Σ_(k..., ci) x[b, o·s + k·kd, g·Cg + ci] · w[k..., ci, g·Cog + co].
func (b *Builder) convKernel(st *staged, input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	outShape shapes.Shape, strides []int, paddings [][2]int, inDil, kDil []int, G int) (backends.Op, error) {
	is, ks := b.shape(input), b.shape(kernel)
	n := is.Rank() - 2
	e := &errs{}
	x := input
	pads := make([]backends.PadAxis, is.Rank())
	needPad := false
	for i, a := range axes.InputSpatial {
		pads[a] = backends.PadAxis{Start: paddings[i][0], End: paddings[i][1], Interior: inDil[i] - 1}
		needPad = needPad || pads[a] != (backends.PadAxis{})
	}
	if needPad {
		zero := e.op(b.scalar(is.DType, 0))
		if e.err == nil {
			x = e.op(b.Pad(x, zero, pads...))
		}
	}
	if e.err != nil {
		return nil, e.wrap("ConvGeneral pad")
	}
	xs := rowMajorStrides(b.shape(x).Dimensions)
	kst := rowMajorStrides(ks.Dimensions)
	B, C := is.Dimensions[axes.InputBatch], is.Dimensions[axes.InputChannels]
	Cout := ks.Dimensions[axes.KernelOutputChannels]
	Cg, Cog := C/G, Cout/G
	oDims, kDims := make([]int, n), make([]int, n)
	for i := range n {
		oDims[i] = outShape.Dimensions[axes.OutputSpatial[i]]
		kDims[i] = ks.Dimensions[axes.KernelSpatial[i]]
	}
	// lhs: rows (b, o...), contraction (k..., ci), batch g.
	rowSizes, rowMults := []int{B}, []int{xs[axes.InputBatch]}
	conSizes, conMults := []int{}, []int{}
	kConMults := []int{}
	for i, a := range axes.InputSpatial {
		rowSizes, rowMults = append(rowSizes, oDims[i]), append(rowMults, strides[i]*xs[a])
		conSizes, conMults = append(conSizes, kDims[i]), append(conMults, kDil[i]*xs[a])
		kConMults = append(kConMults, kst[axes.KernelSpatial[i]])
	}
	conSizes = append(conSizes, Cg)
	conMults = append(conMults, xs[axes.InputChannels])
	kConMults = append(kConMults, kst[axes.KernelInputChannels])
	if _, even := evenStride(offsetTable(conSizes, kConMults)); !even {
		// A weight gradient (GoMLX's: the input's batch as its channels, the output
		// gradient as the kernel) contracts over (positions..., batch); summed
		// (batch, positions...) instead, the kernel operand is read in place, in
		// memory order, rather than gathered a batch stride apart.
		rot := func(v []int) []int { return append(v[len(v)-1:len(v):len(v)], v[:len(v)-1]...) }
		if _, even := evenStride(offsetTable(rot(conSizes), rot(kConMults))); even {
			conSizes, conMults, kConMults = rot(conSizes), rot(conMults), rot(kConMults)
		}
	}
	l := dotLayout{
		batch:    offsetTable([]int{G}, []int{Cg * xs[axes.InputChannels]}),
		cross:    offsetTable(rowSizes, rowMults),
		contract: offsetTable(conSizes, conMults),
	}
	r := dotLayout{
		batch:    offsetTable([]int{G}, []int{Cog * kst[axes.KernelOutputChannels]}),
		cross:    offsetTable([]int{Cog}, []int{kst[axes.KernelOutputChannels]}),
		contract: offsetTable(conSizes, kConMults),
	}
	y, err := st.kernelDot(x.(*handle), kernel.(*handle), l, r) // [G, B·O, Cog]
	if err != nil {
		return nil, fmt.Errorf("dl4go backend ConvGeneral: %w", err)
	}
	var out backends.Op = y
	if G > 1 {
		out = e.op(b.Builder.Transpose(out, 1, 0, 2))
	}
	canon := append(append([]int{B}, oDims...), Cout)
	out = e.op(b.Builder.Reshape(out, canon...))
	out = b.transposeIfNeeded(e, out, canonicalToOutput(axes))
	if e.err != nil {
		return nil, e.wrap("ConvGeneral output")
	}
	if got := b.shape(out); !got.Equal(outShape) {
		return nil, fmt.Errorf("dl4go backend ConvGeneral: built %s, expected %s (bug)", got, outShape)
	}
	return out, nil
}
