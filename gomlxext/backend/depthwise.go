package backend

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// maxDirectTable bounds the window index table of convDirect (entries).
const maxDirectTable = 1 << 22

// directConv reports whether ConvGeneral with these group counts is better
// computed by convDirect than as a GEMM: many groups, each with a tiny
// product. These are depthwise convolutions (channel groups = input
// channels, any channel multiplier M) and the two convolutions of their
// gradient that convVJP (vjp.go) emits: the input gradient (channel groups,
// M input channels and one output channel per group) and the kernel gradient
// (batch groups of one batch element, M output channels each).
func directConv(is, ks shapes.Shape, axes backends.ConvolveAxesConfig, G, BG int) bool {
	C := is.Dimensions[axes.InputChannels]
	Cout := ks.Dimensions[axes.KernelOutputChannels]
	switch {
	case G >= 4 && BG == 1:
		Cg, Cog := C/G, Cout/G
		return Cg*Cog <= 4
	case BG >= 4 && G == 1:
		return is.Dimensions[axes.InputBatch] == BG && Cout/BG <= 4
	}
	return false
}

// convDirect is ConvGeneral (float32 or float64, channel groups G or batch groups BG)
// as a direct Go loop, for convolutions whose groups are too small for a
// GEMM (see directConv). With x the input and w the kernel, in their own
// layouts, and output channel oc in channel group gc = oc/(Cout/G) or batch
// group gb = oc/(Cout/BG):
//
//	out[bo, p..., oc] = Σ_(q..., ci) x[gb·B/BG + bo, u(p, q)..., gc·Cg + ci] · w[q..., ci, oc]
//
// where u = (p·stride + q·kernelDilation − padLow) / inputDilation, and terms
// whose u falls outside the input or between dilated input rows are skipped (so padding and input dilation cost nothing). The valid source
// offsets of every (output position, kernel position) pair are precomputed
// in a window index table. Work is split over output cells (bo, p...); each
// cell accumulates rows over the output channels, which are contiguous
// loops when the channel axes are the last ones and M = 1.
func (b *Builder) convDirect(st *staged, input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	outShape shapes.Shape, strides []int, paddings [][2]int, inDil, kDil []int, G, BG int) (backends.Op, bool, error) {
	is, ks := b.shape(input), b.shape(kernel)
	n := is.Rank() - 2
	xs, ws, os := rowMajorStrides(is.Dimensions), rowMajorStrides(ks.Dimensions), rowMajorStrides(outShape.Dimensions)
	Cin := is.Dimensions[axes.InputChannels]
	Cout := ks.Dimensions[axes.KernelOutputChannels]
	Bout := outShape.Dimensions[axes.OutputBatch]
	oDims, kDims := make([]int, n), make([]int, n)
	for i := range n {
		oDims[i] = outShape.Dimensions[axes.OutputSpatial[i]]
		kDims[i] = ks.Dimensions[axes.KernelSpatial[i]]
	}
	O, K := prod(oDims), prod(kDims)
	if O*K > maxDirectTable || O == 0 || K == 0 {
		return nil, false, nil
	}
	// Window index table: tab[p·K + q] = spatial offset in x, or -1.
	tab := make([]int32, O*K)
	pPos, qPos := make([]int, n), make([]int, n)
	for p := range O {
		clear(qPos)
		for q := range K {
			off, ok := 0, true
			for i := range n {
				u := pPos[i]*strides[i] + qPos[i]*kDil[i] - paddings[i][0]
				if u < 0 || u%inDil[i] != 0 || u/inDil[i] >= is.Dimensions[axes.InputSpatial[i]] {
					ok = false
					break
				}
				off += u / inDil[i] * xs[axes.InputSpatial[i]]
			}
			if ok {
				tab[p*K+q] = int32(off)
			} else {
				tab[p*K+q] = -1
			}
			next(qPos, kDims)
		}
		next(pPos, oDims)
	}
	xSp, wSp := make([]int, n), make([]int, n)
	oSp := make([]int, n)
	for i := range n {
		wSp[i] = ws[axes.KernelSpatial[i]]
		oSp[i] = os[axes.OutputSpatial[i]]
		xSp[i] = xs[axes.InputSpatial[i]]
	}
	wQ := offsetTable(kDims, wSp)
	oP := offsetTable(oDims, oSp)
	// Per output channel: offset in x of its group; contraction length.
	xG := make([]int, Cout)
	var Cg int
	xsB, xsC := xs[axes.InputBatch], xs[axes.InputChannels]
	if BG > 1 {
		Cg = Cin
		for oc := range Cout {
			xG[oc] = oc / (Cout / BG) * xsB // one batch element per group (directConv)
		}
	} else {
		Cg = Cin / G
		for oc := range Cout {
			xG[oc] = oc / (Cout / G) * Cg * xsC
		}
	}
	wsCi, wsOc := ws[axes.KernelInputChannels], ws[axes.KernelOutputChannels]
	osB, osOc := os[axes.OutputBatch], os[axes.OutputChannels]
	contiguous := wsOc == 1 && osOc == 1
	for oc := range Cout {
		contiguous = contiguous && xG[oc] == oc
	}
	l := directLoop{cells: Bout * O, O: O, K: K, Cg: Cg, Cout: Cout, tab: tab, wQ: wQ, oP: oP, xG: xG,
		xsB: xsB, xsC: xsC, wsCi: wsCi, wsOc: wsOc, osB: osB, osOc: osOc, contiguous: contiguous}
	outs, err := st.customOpAny("convDirect", []*handle{input.(*handle), kernel.(*handle)}, []shapes.Shape{outShape},
		func(in, out []any) {
			switch y := out[0].(type) {
			case []float32:
				runDirect(l, in[0].([]float32), in[1].([]float32), y)
			case []float64:
				runDirect(l, in[0].([]float64), in[1].([]float64), y)
			}
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// isFloat reports whether both shapes are float32, or both float64.
func isFloat(a, b shapes.Shape) bool {
	return a.DType == b.DType && (a.DType == dtypes.Float32 || a.DType == dtypes.Float64)
}

// directLoop holds the tables of one convDirect (see there).
type directLoop struct {
	cells, O, K, Cg, Cout           int
	tab                             []int32
	wQ, oP, xG                      []int
	xsB, xsC, wsCi, wsOc, osB, osOc int
	contiguous                      bool
}

// runDirect runs the loop of convDirect on all CPUs, one output cell
// (batch element, output position) at a time.
func runDirect[T float32 | float64](l directLoop, x, w, y []T) {
	clear(y)
	parallelFor(l.cells, l.K*l.Cg*l.Cout, func(cell int) {
		bo, p := cell/l.O, cell%l.O
		ob := bo*l.osB + l.oP[p]
		xb := bo * l.xsB
		Cout := l.Cout
		for q, xo := range l.tab[p*l.K : (p+1)*l.K] {
			if xo < 0 {
				continue
			}
			for ci := range l.Cg {
				xr := xb + int(xo) + ci*l.xsC
				wr := l.wQ[q] + ci*l.wsCi
				if l.contiguous {
					xrow, wrow, yrow := x[xr:xr+Cout], w[wr:wr+Cout], y[ob:ob+Cout]
					for oc, wv := range wrow {
						yrow[oc] += xrow[oc] * wv
					}
					continue
				}
				for oc := range Cout {
					y[ob+oc*l.osOc] += x[xr+l.xG[oc]] * w[wr+oc*l.wsOc]
				}
			}
		}
	})
}
