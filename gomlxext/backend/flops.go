package backend

import (
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// executedFLOPs accumulates the FLOPs of every run of a dl4go executable.
var executedFLOPs atomic.Int64

// ExecutedFLOPs returns the floating-point operations of the matmuls and
// convolutions that dl4go executables have run in this process so far, as
// counted from their graphs at compile time: 2 per multiply-add of every
// DotGeneral (those GoMLX emits and those this backend makes of its
// gradients' ReduceSum(Mul)s) and of every ConvGeneral, counting only the
// kernel taps that land on real input elements (not on padding, nor on the
// holes of an input dilation: a transposed convolution counts the work it
// needs, not its zero-stuffed form). Elementwise ops, reductions, pooling
// and normalisation are not counted. The difference between two calls
// around a training step is that step's FLOPs (go run ./bench -peak).
func ExecutedFLOPs() int64 { return executedFLOPs.Load() }

// convMACs counts the multiply-adds of a convolution: for each output
// element, (input channels / groups) × the kernel taps on real input
// elements, the taps counted per spatial axis (axes are independent).
func convMACs(is, ks, os shapes.Shape, axes backends.ConvolveAxesConfig, strides []int, paddings [][2]int,
	inDil, kDil []int, groups int) int64 {
	nSp := len(axes.InputSpatial)
	strides, inDil, kDil = onesIfNil(strides, nSp), onesIfNil(inDil, nSp), onesIfNil(kDil, nSp)
	macs := int64(os.Dimensions[axes.OutputBatch]) * int64(os.Dimensions[axes.OutputChannels]) *
		int64(is.Dimensions[axes.InputChannels]/max(groups, 1))
	for i := range nSp {
		in, k, out := is.Dimensions[axes.InputSpatial[i]], ks.Dimensions[axes.KernelSpatial[i]], os.Dimensions[axes.OutputSpatial[i]]
		lo := 0
		if i < len(paddings) {
			lo = paddings[i][0]
		}
		span := (in-1)*inDil[i] + 1
		pairs := int64(0)
		for o := range out {
			for kk := range k {
				p := o*strides[i] + kk*kDil[i] - lo
				if p >= 0 && p < span && p%inDil[i] == 0 {
					pairs++
				}
			}
		}
		macs *= pairs
	}
	return macs
}
