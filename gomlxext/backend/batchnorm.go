package backend

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
)

// reduceAllBut returns the axes of a rank-r tensor other than axis.
func reduceAllBut(r, axis int) []int {
	out := make([]int, 0, r-1)
	for i := range r {
		if i != axis {
			out = append(out, i)
		}
	}
	return out
}

// BatchNormForTraining implements backends.Builder: x is normalised with the
// mean and (biased) variance over all axes but featureAxis; scale and offset
// are [features]. It returns the normalised x, the mean and the variance.
func (b *Builder) BatchNormForTraining(x, scale, offset backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	xs := b.shape(x)
	if featureAxis < 0 || featureAxis >= xs.Rank() {
		return nil, nil, nil, fmt.Errorf("dl4go backend BatchNormForTraining: feature axis %d for %s", featureAxis, xs)
	}
	e := &errs{}
	axes := reduceAllBut(xs.Rank(), featureAxis)
	n := float64(xs.Size() / xs.Dimensions[featureAxis])
	invN := e.op(b.scalar(xs.DType, 1/n))
	sum := e.op(b.ReduceSum(x, axes...))
	mean := e.op(b.Mul(sum, invN))
	centered := e.op(b.Sub(x, e.op(b.broadcastAlong(mean, xs, featureAxis))))
	sq := e.op(b.Mul(centered, centered))
	variance := e.op(b.Mul(e.op(b.ReduceSum(sq, axes...)), invN))
	if e.err != nil {
		return nil, nil, nil, e.wrap("BatchNormForTraining")
	}
	out := b.normalize(e, centered, scale, offset, variance, epsilon, featureAxis)
	if e.err != nil {
		return nil, nil, nil, e.wrap("BatchNormForTraining")
	}
	return out, mean, variance, nil
}

// normalize returns centered * rsqrt(variance+eps) * scale + offset.
func (b *Builder) normalize(e *errs, centered, scale, offset, variance backends.Op, epsilon float32, featureAxis int) backends.Op {
	s := b.shape(centered)
	eps := e.op(b.scalar(s.DType, float64(epsilon)))
	inv := e.op(b.Rsqrt(e.op(b.Add(variance, eps))))
	factor := e.op(b.Mul(inv, scale)) // [features]
	if e.err != nil {
		return nil
	}
	y := e.op(b.Mul(centered, e.op(b.broadcastAlong(factor, s, featureAxis))))
	return e.op(b.Add(y, e.op(b.broadcastAlong(offset, s, featureAxis))))
}

// BatchNormForInference implements backends.Builder:
// (x - mean) * rsqrt(variance + epsilon) * scale + offset, all [features] along featureAxis.
func (b *Builder) BatchNormForInference(x, scale, offset, mean, variance backends.Op, epsilon float32, featureAxis int) (backends.Op, error) {
	xs := b.shape(x)
	if featureAxis < 0 || featureAxis >= xs.Rank() {
		return nil, fmt.Errorf("dl4go backend BatchNormForInference: feature axis %d for %s", featureAxis, xs)
	}
	e := &errs{}
	centered := e.op(b.Sub(x, e.op(b.broadcastAlong(mean, xs, featureAxis))))
	if e.err != nil {
		return nil, e.wrap("BatchNormForInference")
	}
	out := b.normalize(e, centered, scale, offset, variance, epsilon, featureAxis)
	return out, e.wrap("BatchNormForInference")
}

// BatchNormGradient implements backends.Builder: with xhat = (x-mean)*rsqrt(var+eps),
// gradOffset = Σ gradOutput, gradScale = Σ gradOutput*xhat and
// gradX = scale*rsqrt(var+eps) * (gradOutput - gradOffset/N - xhat*gradScale/N).
func (b *Builder) BatchNormGradient(x, scale, mean, variance, gradOutput backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	xs := b.shape(x)
	if featureAxis < 0 || featureAxis >= xs.Rank() {
		return nil, nil, nil, fmt.Errorf("dl4go backend BatchNormGradient: feature axis %d for %s", featureAxis, xs)
	}
	e := &errs{}
	axes := reduceAllBut(xs.Rank(), featureAxis)
	n := float64(xs.Size() / xs.Dimensions[featureAxis])
	bc := func(v backends.Op) backends.Op { return e.op(b.broadcastAlong(v, xs, featureAxis)) }
	eps := e.op(b.scalar(xs.DType, float64(epsilon)))
	invN := e.op(b.scalar(xs.DType, 1/n))
	inv := e.op(b.Rsqrt(e.op(b.Add(variance, eps))))
	if e.err != nil {
		return nil, nil, nil, e.wrap("BatchNormGradient")
	}
	xhat := e.op(b.Mul(e.op(b.Sub(x, bc(mean))), bc(inv)))
	gradOffset := e.op(b.ReduceSum(gradOutput, axes...))
	gradScale := e.op(b.ReduceSum(e.op(b.Mul(gradOutput, xhat)), axes...))
	if e.err != nil {
		return nil, nil, nil, e.wrap("BatchNormGradient")
	}
	meanG := e.op(b.Mul(gradOffset, invN))
	meanGX := e.op(b.Mul(gradScale, invN))
	t := e.op(b.Sub(gradOutput, bc(meanG)))
	t = e.op(b.Sub(t, e.op(b.Mul(xhat, bc(meanGX)))))
	gradX := e.op(b.Mul(t, bc(e.op(b.Mul(scale, inv)))))
	if e.err != nil {
		return nil, nil, nil, e.wrap("BatchNormGradient")
	}
	return gradX, gradScale, gradOffset, nil
}
