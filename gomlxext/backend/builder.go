package backend

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/dtypes/bfloat16"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Builder wraps simplego's builder. Ops are simplego's own op handles, so
// everything not overridden here is simplego's implementation unchanged; the
// Builder only keeps side tables (views, products) about the ops it has seen,
// to recognise patterns worth rewriting.
type Builder struct {
	backends.Builder

	rewrite bool

	// views records, for ops made by Reshape, Transpose and BroadcastInDim,
	// how their axes map to the axes of an earlier op.
	views map[backends.Op]view

	// products records the operands' views of Mul ops.
	products map[backends.Op][2]view

	// rewrites counts the ReduceSum(Mul) → DotGeneral rewrites (for tests).
	rewrites int

	// fuse: elementwise fusion (fuse.go) is on; fused maps the ops made by
	// fused kernels to their expressions; scalars maps the broadcasts of a
	// rank-0 op to that op; bcasts the block broadcasts of a larger one
	// (a per-channel scale, a per-row mean) to their source.
	fuse    bool
	fused   map[backends.Op]*fusedExpr
	scalars map[backends.Op]backends.Op
	bcasts  map[backends.Op]blockBroadcast
}

var _ backends.Builder = (*Builder)(nil)

func newBuilder(inner backends.Builder, rewrite, fuse bool) *Builder {
	return &Builder{
		Builder:  inner,
		rewrite:  rewrite,
		views:    make(map[backends.Op]view),
		products: make(map[backends.Op][2]view),
		fuse:     fuse,
		fused:    make(map[backends.Op]*fusedExpr),
		scalars:  make(map[backends.Op]backends.Op),
		bcasts:   make(map[backends.Op]blockBroadcast),
	}
}

// Compile implements backends.Builder, dropping the side tables.
func (b *Builder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	outputs, err := b.complexOutputs(outputs)
	if err != nil {
		return nil, err
	}
	b.views, b.products, b.fused, b.scalars, b.bcasts = nil, nil, nil, nil, nil
	return b.Builder.Compile(outputs, shardings)
}

// shape returns the shape of op, panicking on a programmer error (an op
// that is not from this builder: it was already checked by simplego).
func (b *Builder) shape(op backends.Op) shapes.Shape {
	if c, ok := cplx(op); ok {
		return c.shape // an op without a complex path then fails in staged, saying so
	}
	s, err := b.Builder.OpShape(op)
	if err != nil {
		panic(fmt.Sprintf("dl4go backend: shape of op: %v", err))
	}
	return s
}

// scalar returns a constant scalar of the given dtype.
func (b *Builder) scalar(dtype dtypes.DType, v float64) (backends.Op, error) {
	switch dtype {
	case dtypes.Float32:
		return b.Builder.Constant([]float32{float32(v)})
	case dtypes.Float64:
		return b.Builder.Constant([]float64{v})
	case dtypes.BFloat16:
		return b.Builder.Constant([]bfloat16.BFloat16{bfloat16.FromFloat32(float32(v))})
	case dtypes.Int32:
		return b.Builder.Constant([]int32{int32(v)})
	case dtypes.Int64:
		return b.Builder.Constant([]int64{int64(v)})
	case dtypes.Int8:
		return b.Builder.Constant([]int8{int8(v)})
	case dtypes.Int16:
		return b.Builder.Constant([]int16{int16(v)})
	case dtypes.Uint8:
		return b.Builder.Constant([]uint8{uint8(v)})
	case dtypes.Uint16:
		return b.Builder.Constant([]uint16{uint16(v)})
	case dtypes.Uint32:
		return b.Builder.Constant([]uint32{uint32(v)})
	case dtypes.Uint64:
		return b.Builder.Constant([]uint64{uint64(v)})
	case dtypes.Bool:
		return b.Builder.Constant([]bool{v != 0})
	}
	return nil, fmt.Errorf("dl4go backend: no scalar constant for dtype %s", dtype)
}

// fill returns a tensor of the given shape filled with the scalar op value.
func (b *Builder) fill(value backends.Op, dtype dtypes.DType, dims []int) (backends.Op, error) {
	return b.BroadcastInDim(value, shapes.Make(dtype, dims...), nil)
}

// broadcastAlong broadcasts a rank-1 op v to shape, along axis.
func (b *Builder) broadcastAlong(v backends.Op, shape shapes.Shape, axis int) (backends.Op, error) {
	return b.BroadcastInDim(v, shape, []int{axis})
}

// errs chains op construction, keeping the first error.
type errs struct{ err error }

func (e *errs) op(op backends.Op, err error) backends.Op {
	if e.err == nil && err != nil {
		e.err = err
	}
	return op
}

func (e *errs) wrap(what string) error {
	if e.err == nil {
		return nil
	}
	return fmt.Errorf("dl4go backend %s: %w", what, e.err)
}

// axesUpTo returns the axes 0, 1, …, n−1.
func axesUpTo(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

func onesIfNil(v []int, n int) []int {
	if len(v) == 0 {
		r := make([]int, n)
		for i := range r {
			r[i] = 1
		}
		return r
	}
	r := slices.Clone(v)
	for i := range r {
		if r[i] <= 0 {
			r[i] = 1
		}
	}
	return r
}
