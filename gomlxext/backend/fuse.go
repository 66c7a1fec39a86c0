package backend

import (
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Elementwise fusion. A chain of large float32 elementwise ops on operands
// of one shape (or scalars) — ReLU's gradient Mul(v, Sign(Add(Sign(Sub(x,
// 0)), 1))), an optimizer's update, a normalisation's arithmetic — runs as
// one kernel that evaluates the whole expression chunk by chunk (1024
// elements, in L1), instead of one pass over memory per op. Each op builds a
// fused kernel whose expression inlines those of its operands when they are
// fused kernels too; an inlined kernel nobody else uses is dead and never
// runs (the staged builder compiles only live ops). Scalars broadcast to a
// full tensor (ZerosLike: ReLU's Max(x, 0)) are read as scalars, so the
// broadcast is not materialised either; nor are block broadcasts (a batch
// norm's per-channel scale [C] → [N, H, W, C], a layer norm's per-row mean
// [B, L] → [B, L, D]): the kernel tiles the small tensor chunk by chunk.
//
// The arithmetic is the unfused ops' own (the same Go and SIMD loops, in the
// same order, on the same float32 values), so results are bit for bit the
// same; "dl4go:nofuse" turns fusion off (TestFusionMatchesUnfused).

// maxFusedNodes bounds the expression of one fused kernel; beyond it an
// operand is read from memory (its own kernel's output).
const maxFusedNodes = 24

// fusedChunk is the number of elements a fused kernel evaluates at a time.
const fusedChunk = 1024

// fusedBuilt counts the fused kernels built, fusedBcasts the block
// broadcasts they read in place (for tests).
var fusedBuilt, fusedBcasts atomic.Int64

type fnodeKind int

const (
	fLeaf   fnodeKind = iota // a full input tensor
	fScalar                  // a rank-0 input, read once per run
	fBcast                   // a block broadcast of a smaller input (bc)
	fBinary
	fUnary
	fSign
	fNeg
	fAbs
)

// fnode is a node of a fused expression.
type fnode struct {
	kind fnodeKind
	in   int            // fLeaf, fScalar, fBcast: index into the kernel's inputs
	bc   blockBroadcast // fBcast: how the input is tiled (its op unused)
	bin  binaryFn
	un   unaryFn
	a, b *fnode
	// from is the fused kernel's output an inlined expression came from:
	// if that output is computed anyway (used elsewhere), refine reads it
	// instead of recomputing it.
	from *handle
}

// input reports whether n reads one of the kernel's inputs (a leaf of the
// expression).
func (n *fnode) input() bool { return n.kind == fLeaf || n.kind == fScalar || n.kind == fBcast }

func (n *fnode) size() int {
	if n == nil {
		return 0
	}
	return 1 + n.a.size() + n.b.size()
}

// fusedExpr is a fused kernel's expression and inputs.
type fusedExpr struct {
	root   *fnode
	inputs []*handle
}

// fusable returns the staged builder when elementwise ops producing shape
// can be fused: float32, at least the elementwise kernels' threshold.
func (b *Builder) fusable(shape shapes.Shape) (*staged, bool) {
	st, ok := b.Builder.(*staged)
	if !ok || !st.kernel || !b.fuse || shape.DType != dtypes.Float32 || shape.Size() < min(minElementwise, st.minMACs) {
		return nil, false
	}
	return st, true
}

// operand returns the expression of op (an operand of the op being fused,
// of shape full or a scalar) with its inputs appended to inputs (each
// handle once), or false if it cannot take part.
func (b *Builder) operand(op backends.Op, full shapes.Shape, inputs *[]*handle, budget int) (*fnode, bool) {
	if s, ok := b.scalars[op]; ok { // a broadcast scalar: read the scalar
		op = s
	}
	var bcast *blockBroadcast
	if bc, ok := b.bcasts[op]; ok && b.shape(op).Equal(full) { // a block broadcast: tile its source
		op, bcast = bc.src, &bc
	}
	h, ok := op.(*handle)
	if !ok {
		return nil, false
	}
	s := b.shape(op)
	if s.DType != dtypes.Float32 {
		return nil, false
	}
	input := func(kind fnodeKind, x *handle) *fnode {
		for i, y := range *inputs {
			if y == x {
				return &fnode{kind: kind, in: i}
			}
		}
		*inputs = append(*inputs, x)
		return &fnode{kind: kind, in: len(*inputs) - 1}
	}
	if s.IsScalar() {
		return input(fScalar, h), true
	}
	if bcast == nil && !s.Equal(full) { // an operand the op itself broadcasts ([C] against [N, C], ...)
		bc, ok := newBlockBroadcast(op, s, full, axesUpTo(s.Rank()))
		if !ok || s.Rank() != full.Rank() {
			return nil, false
		}
		bcast = &bc
	}
	if bcast != nil {
		n := input(fBcast, h)
		n.bc = *bcast
		fusedBcasts.Add(1)
		return n, true
	}
	fe, ok := b.fused[op]
	if !ok || fe.root.size() > budget {
		return input(fLeaf, h), true
	}
	// Inline its expression, its inputs renumbered into ours.
	var inline func(n *fnode) *fnode
	inline = func(n *fnode) *fnode {
		if n == nil {
			return nil
		}
		if n.input() {
			c := input(n.kind, fe.inputs[n.in])
			c.bc = n.bc
			return c
		}
		c := *n
		c.a, c.b = inline(n.a), inline(n.b)
		return &c
	}
	root := inline(fe.root)
	root.from = h
	return root, true
}

// inlined returns the kernel outputs whose expressions this one inlines
// (each once per occurrence, outermost first).
func (fe *fusedExpr) inlined() []*handle {
	var out []*handle
	var walk func(n *fnode)
	walk = func(n *fnode) {
		if n == nil || n.input() {
			return
		}
		if n.from != nil && n != fe.root {
			out = append(out, n.from)
		}
		walk(n.a)
		walk(n.b)
	}
	walk(fe.root)
	return out
}

// refine replaces each inlined expression whose kernel output is computed
// anyway (live: another op uses it) by a read of that output, and returns
// the kernel's inputs. The staged builder calls it at Compile, before it
// decides when values are freed.
func (fe *fusedExpr) refine(live func(*handle) bool) []*handle {
	var walk func(n *fnode) *fnode
	walk = func(n *fnode) *fnode {
		if n == nil || n.input() {
			return n
		}
		if n.from != nil && n != fe.root && live(n.from) {
			for i, x := range fe.inputs {
				if x == n.from {
					return &fnode{kind: fLeaf, in: i}
				}
			}
			fe.inputs = append(fe.inputs, n.from)
			return &fnode{kind: fLeaf, in: len(fe.inputs) - 1}
		}
		c := *n
		c.a, c.b = walk(n.a), walk(n.b)
		return &c
	}
	fe.root = walk(fe.root)
	return fe.inputs
}

// fuseOp builds the fused kernel of root over operands ops (one or two),
// of output shape out, or returns false if it does not apply.
func (b *Builder) fuseOp(out shapes.Shape, node fnode, ops ...backends.Op) (backends.Op, bool, error) {
	st, ok := b.fusable(out)
	if !ok {
		return nil, false, nil
	}
	var inputs []*handle
	budget := maxFusedNodes - 1
	args := make([]*fnode, len(ops))
	for i, op := range ops {
		a, ok := b.operand(op, out, &inputs, budget)
		if !ok {
			return nil, false, nil
		}
		args[i] = a
		budget -= a.size()
	}
	if len(args) == 2 && args[0].kind == fScalar && args[1].kind == fScalar {
		return nil, false, nil // a scalar op (its shape would not be out's)
	}
	if len(args) == 1 && args[0].kind == fScalar {
		return nil, false, nil
	}
	root := node
	root.a = args[0]
	if len(args) > 1 {
		root.b = args[1]
	}
	fe := &fusedExpr{root: &root, inputs: inputs}
	outs, err := st.customOp("fused", inputs, []shapes.Shape{out}, false, func(in, o [][]float32) { fe.run(in, o[0]) })
	if err != nil {
		return nil, false, err
	}
	st.customs[len(st.customs)-1].refine = fe.refine
	st.customs[len(st.customs)-1].inlined = fe.inlined
	b.fused[outs[0]] = fe
	fusedBuilt.Add(1)
	return outs[0], true, nil
}

// fusedBinary fuses fn(lhs, rhs) when both are of one shape or scalars.
func (b *Builder) fusedBinary(fn binaryFn, lhs, rhs backends.Op) (backends.Op, bool, error) {
	if b.fused == nil {
		return nil, false, nil
	}
	ls, rs := b.shape(lhs), b.shape(rhs)
	out := ls
	if out.IsScalar() {
		out = rs
	}
	if !ls.IsScalar() && !rs.IsScalar() && !ls.Equal(rs) { // one or both broadcast
		os, err := shapeinference.BinaryOp(binaryOpTypes[fn], ls, rs)
		if err != nil {
			return nil, false, nil // simplego reports it
		}
		out = os
	}
	return b.fuseOp(out, fnode{kind: fBinary, bin: fn}, lhs, rhs)
}

// fusedUnary fuses a unary op of kind (fUnary with un, fSign, fNeg, fAbs)
// on x, when the unfused op would use the same arithmetic: Erf and Sign
// differ from simplego's below their kernels' thresholds.
func (b *Builder) fusedUnary(kind fnodeKind, un unaryFn, x backends.Op) (backends.Op, bool, error) {
	if b.fused == nil {
		return nil, false, nil
	}
	xs := b.shape(x)
	st, ok := b.fusable(xs)
	if !ok {
		return nil, false, nil
	}
	if kind == fUnary && un == fnErf && xs.Size() < min(minParallelElementwise, st.minMACs) {
		return nil, false, nil
	}
	return b.fuseOp(xs, fnode{kind: kind, un: un}, x)
}

// run evaluates the expression over out, chunk by chunk, on all CPUs.
func (fe *fusedExpr) run(in [][]float32, out []float32) {
	scalars := make([]float32, len(in))
	for i, v := range in {
		if len(v) > 0 {
			scalars[i] = v[0]
		}
	}
	nodes := fe.root.size()
	const task = 8 * fusedChunk
	parallelFor((len(out)+task-1)/task, task, func(t int) {
		// One scratch chunk per node at most, reused for every chunk
		// (from the kernels' pool: not zeroed).
		scratch := getScratch(nodes * fusedChunk)
		defer putScratch(scratch)
		e := &fusedEval{in: in, scalars: scalars, scratch: scratch}
		for lo := t * task; lo < min(len(out), (t+1)*task); lo += fusedChunk {
			e.lo, e.hi, e.used = lo, min(lo+fusedChunk, len(out)), 0
			e.eval(fe.root, out[e.lo:e.hi])
		}
	})
}

type fusedEval struct {
	in      [][]float32
	scalars []float32
	lo, hi  int
	scratch []float32 // chunks handed out in order, used of them so far
	used    int
}

// value returns node n over the chunk: an input's slice, or a scratch chunk
// filled with it.
func (e *fusedEval) value(n *fnode) []float32 {
	if n.kind == fLeaf {
		return e.in[n.in][e.lo:e.hi]
	}
	buf := e.scratch[e.used*fusedChunk : e.used*fusedChunk+e.hi-e.lo]
	e.used++
	e.eval(n, buf)
	return buf
}

// eval writes node n (not a leaf nor a scalar) over the chunk into dst.
func (e *fusedEval) eval(n *fnode, dst []float32) {
	switch n.kind {
	case fLeaf:
		copy(dst, e.in[n.in][e.lo:e.hi])
	case fBcast:
		n.bc.fill(dst, e.in[n.in], e.lo)
	case fBinary:
		switch {
		case n.a.kind == fScalar:
			binarySV(n.bin, dst, e.scalars[n.a.in], e.value(n.b))
		case n.b.kind == fScalar:
			binaryVS(n.bin, dst, e.value(n.a), e.scalars[n.b.in])
		default:
			binaryVV(n.bin, dst, e.value(n.a), e.value(n.b))
		}
	case fUnary:
		unaryLoop(n.un, dst, e.value(n.a))
	case fSign:
		signLoop(dst, e.value(n.a))
	case fNeg:
		negLoop(dst, e.value(n.a))
	case fAbs:
		absLoop(dst, e.value(n.a))
	}
}

// blockBroadcast is a BroadcastInDim whose source's elements (src, of size
// count, laid out in row-major order) fill a contiguous block of the output's
// axes: output element i is src[(i/period)%count], period being the product
// of the output axes after the block. A batch norm's per-channel scale [C] →
// [N, H, W, C] has period 1; a per-row mean [B, L] → [B, L, D] (or
// [B, L, 1] → [B, L, D]) has period D.
type blockBroadcast struct {
	src           backends.Op
	period, count int
}

// newBlockBroadcast returns the blockBroadcast of BroadcastInDim(x → out
// along axes), or false when x (float32, not a scalar) does not map onto one
// contiguous block of out's axes.
func newBlockBroadcast(x backends.Op, xs, out shapes.Shape, axes []int) (blockBroadcast, bool) {
	if xs.DType != dtypes.Float32 || xs.IsScalar() || len(axes) != xs.Rank() || xs.Size() == out.Size() {
		return blockBroadcast{}, false
	}
	first, last := -1, -1 // the block: out's axes first..last that x's non-1 axes fill
	for i, a := range axes {
		d := xs.Dimensions[i]
		if d == 1 {
			continue
		}
		if a < 0 || a >= out.Rank() || d != out.Dimensions[a] || (last >= 0 && a <= last) {
			return blockBroadcast{}, false
		}
		if first < 0 {
			first = a
		}
		last = a
	}
	if first < 0 { // one value (x of size 1) everywhere
		return blockBroadcast{src: x, period: out.Size(), count: 1}, true
	}
	period := 1
	for a := last + 1; a < out.Rank(); a++ {
		period *= out.Dimensions[a]
	}
	count := 1
	for a := first; a <= last; a++ {
		count *= out.Dimensions[a]
	}
	if count != xs.Size() {
		return blockBroadcast{}, false // an output axis inside the block that x broadcasts
	}
	return blockBroadcast{src: x, period: period, count: count}, true
}

// fill writes output elements lo.. of the broadcast of src into dst.
func (bc blockBroadcast) fill(dst, src []float32, lo int) {
	if bc.period == 1 {
		// The tail of a period, a whole one, then doublings of the whole ones.
		rest := dst[copy(dst, src[lo%bc.count:]):]
		m := copy(rest, src)
		for m < len(rest) {
			m += copy(rest[m:], rest[:m])
		}
		return
	}
	q, r := lo/bc.period, lo%bc.period
	for len(dst) > 0 {
		v := src[q%bc.count]
		run := dst[:min(len(dst), bc.period-r)]
		fillFloats(run, v)
		dst, q, r = dst[len(run):], q+1, 0
	}
}
