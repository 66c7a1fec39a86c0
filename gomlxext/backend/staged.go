package backend

//go:generate go run ./internal/genstaged

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// staged is the layer under Builder that lets a computation mix simplego
// graphs with this package's own kernels. simplego cannot run foreign
// kernels inside its executor, so a computation is split into stages: each
// stage is an ordinary simplego graph, and between two stages the large
// float32 DotGenerals run on the AVX2+FMA kernel (matmulF32). Ops are
// *handle values that remember their stage; an op used by a later stage is
// imported there as a Parameter fed with the earlier stage's output.
type staged struct {
	be      backends.Backend // simplego
	name    string
	kernel  bool // use the SIMD kernel for large float32 DotGenerals
	narrow  bool // AVX2 kernels only ("noavx512")
	minMACs int  // smallest product (multiply-adds) given to the kernel
	par     int  // nodes run at once (schedule.go); 0 means runtime.GOMAXPROCS

	stages  []*stage
	params  []*handle // user parameters, in creation order
	customs []*customOp
	nextID  int
	handles []*handle // every handle, to drop build-time data after Compile
	// noCount > 0 while an op that counts its own FLOPs (ConvGeneral) builds
	// the DotGenerals it is made of.
	noCount int
}

// handle is an op of the staged builder.
type handle struct {
	id    int
	stage int
	op    backends.Op // simplego op in its stage's eager builder (shape checks)
	shape shapes.Shape
	// user >= 0 for user parameters; cop is set for results of a Go kernel
	// (customOp); call is set for every other op.
	user int
	cop  *customOp
	call *call
	// flops: multiply-add FLOPs (2 per MAC) of the matmul or convolution
	// this op is the result of (see ExecutedFLOPs).
	flops int64
}

// call records one builder call, to be replayed at Compile time into a
// fresh builder with only the live ops.
type call struct {
	fn      func(b backends.Builder, in []backends.Op) ([]backends.Op, error)
	inputs  []*handle
	outputs []*handle
}

type stage struct {
	b       backends.Builder // eager builder: shape inference and errors while building
	imports map[*handle]backends.Op
	// parts: at Compile, the stage's ops split into groups that share no op
	// (connected components), each its own simplego executable, so that
	// independent groups can run at the same time.
	parts []*stagePart
}

// stagePart is one compiled group of a stage's ops.
type stagePart struct {
	params  []*handle // the value each Parameter of exe is fed with
	outputs []*handle // the handles exe returns
	// donate[j]: params[j] is an intermediate value last used by this
	// part, handed over to simplego, which may reuse its memory in place.
	donate []bool
	exe    backends.Executable
}

// customOp is a Go kernel run between stage after and stage after+1: it
// reads the float32 values of inputs and writes its outputs (Parameters of
// the next stage).
type customOp struct {
	live    bool // set at Compile: some output is used
	after   int  // runs after this stage
	name    string
	inputs  []*handle
	outputs []*handle
	run     func(in, out [][]float32)
	// runAny, when set, replaces run for kernels on other dtypes (float64,
	// complex64, ...): it gets the flat slices of inputs and outputs.
	runAny func(in, out []any)
	// zero: outputs must start zeroed (buffers come from simplego's pools).
	zero bool
	// refine, when set, is called at Compile for a live kernel with the
	// liveness of handles; it returns the kernel's inputs, which may now
	// include live values it would otherwise recompute (fused kernels).
	refine func(live func(*handle) bool) []*handle
	// inlined, when set, lists the outputs of other kernels whose work this
	// one repeats (a fused kernel's inlined expressions): one that two live
	// kernels would repeat is computed once instead.
	inlined func() []*handle
}

// minKernelMACs is the smallest DotGeneral (in multiply-adds) given to the
// SIMD kernel; smaller ones stay inside the simplego stage.
const minKernelMACs = 1 << 15

var _ backends.Builder = (*staged)(nil)

func newStaged(be backends.Backend, name string, kernel bool, minMACs int) *staged {
	s := &staged{be: be, name: name, kernel: kernel && hasFastKernel, minMACs: minMACs}
	s.newStage()
	return s
}

func (s *staged) newStage() {
	s.stages = append(s.stages, &stage{
		b:       s.be.Builder(fmt.Sprintf("%s#%d", s.name, len(s.stages))),
		imports: make(map[*handle]backends.Op),
	})
}

func (s *staged) cur() backends.Builder { return s.stages[len(s.stages)-1].b }

func (s *staged) newHandle(op backends.Op, shape shapes.Shape) *handle {
	s.nextID++
	h := &handle{id: s.nextID, stage: len(s.stages) - 1, op: op, shape: shape, user: -1}
	s.handles = append(s.handles, h)
	return h
}

// inputs translates handles into ops of the current stage, importing the
// ones made in earlier stages as Parameters.
func (s *staged) inputs(ops ...backends.Op) ([]backends.Op, error) {
	ci := len(s.stages) - 1
	st := s.stages[ci]
	out := make([]backends.Op, len(ops))
	for i, op := range ops {
		h, ok := op.(*handle)
		if !ok || h == nil {
			if c, ok := op.(*cvalue); ok {
				return nil, fmt.Errorf("dl4go backend: input #%d is %s: this op does not take complex values on dl4go", i, c.shape)
			}
			return nil, fmt.Errorf("dl4go backend: input #%d (%T) is not an op of this builder", i, op)
		}
		if h.stage == ci {
			out[i] = h.op
			continue
		}
		if p, ok := st.imports[h]; ok {
			out[i] = p
			continue
		}
		p, err := st.b.Parameter(fmt.Sprintf("import#%d", h.id), h.shape, nil)
		if err != nil {
			return nil, fmt.Errorf("dl4go backend: import op into stage %d: %w", ci, err)
		}
		st.imports[h] = p
		out[i] = p
	}
	return out, nil
}

// record runs fn on the current stage's eager builder (checking shapes now)
// and keeps it to replay at Compile time.
func (s *staged) record(fn func(b backends.Builder, in []backends.Op) ([]backends.Op, error), ops []backends.Op) ([]backends.Op, error) {
	in, err := s.inputs(ops...)
	if err != nil {
		return nil, err
	}
	outs, err := fn(s.cur(), in)
	if err != nil {
		return nil, err
	}
	c := &call{fn: fn, inputs: make([]*handle, len(ops))}
	for i, op := range ops {
		c.inputs[i] = op.(*handle)
	}
	res := make([]backends.Op, len(outs))
	for i, op := range outs {
		shape, err := s.cur().OpShape(op)
		if err != nil {
			return nil, err
		}
		h := s.newHandle(op, shape)
		h.call = c
		c.outputs = append(c.outputs, h)
		res[i] = h
	}
	return res, nil
}

// at returns outs[i], or nil.
func (s *staged) at(outs []backends.Op, i int) backends.Op {
	if i < len(outs) {
		return outs[i]
	}
	return nil
}

// concatOps joins op lists.
func concatOps(lists ...[]backends.Op) []backends.Op {
	var out []backends.Op
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Name implements backends.Builder.
func (s *staged) Name() string { return s.name }

// OpShape implements backends.Builder.
func (s *staged) OpShape(op backends.Op) (shapes.Shape, error) {
	h, ok := op.(*handle)
	if !ok || h == nil {
		return shapes.Invalid(), fmt.Errorf("dl4go backend: OpShape of %T, not an op of this builder", op)
	}
	return h.shape, nil
}

// Parameter implements backends.Builder. A complex parameter gets no
// simplego op: only a kernel (Builder's split into real and imaginary
// parts) reads it.
func (s *staged) Parameter(name string, shape shapes.Shape, sharding *backends.ShardingSpec) (backends.Op, error) {
	if shape.DType.IsComplex() {
		h := s.newHandle(nil, shape)
		h.user = len(s.params)
		s.params = append(s.params, h)
		return h, nil
	}
	op, err := s.cur().Parameter(name, shape, sharding)
	if err != nil {
		return nil, err
	}
	h := s.newHandle(op, shape)
	h.user = len(s.params)
	s.params = append(s.params, h)
	return h, nil
}

// Constant implements backends.Builder.
func (s *staged) Constant(flat any, dims ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, _ []backends.Op) ([]backends.Op, error) {
		op, err := b.Constant(flat, dims...)
		return []backends.Op{op}, err
	}, nil)
	return s.at(outs, 0), err
}

// DistributedSPMD implements backends.Builder (not supported, as in simplego).
func (s *staged) DistributedSPMD(numDevices int) error { return s.cur().DistributedSPMD(numDevices) }

// DistributedAutoSharding implements backends.Builder (not supported, as in simplego).
func (s *staged) DistributedAutoSharding(meshes ...backends.Mesh) error {
	return s.cur().DistributedAutoSharding(meshes...)
}

// DeviceAssignment implements backends.Builder.
func (s *staged) DeviceAssignment(devices ...backends.DeviceNum) error {
	for _, st := range s.stages {
		if err := st.b.DeviceAssignment(devices...); err != nil {
			return err
		}
	}
	return nil
}

// DotGeneral implements backends.Builder. Large float32 products become a
// kernel call between the current stage and a new one: the kernel reads the
// operands in their own layouts (through offset tables) and writes
// [batch, m, n], which is reshaped to DotGeneral's output in the new stage.
func (s *staged) DotGeneral(lhs backends.Op, lhsContractingAxes, lhsBatchAxes []int,
	rhs backends.Op, rhsContractingAxes, rhsBatchAxes []int) (backends.Op, error) {
	ls, err1 := s.OpShape(lhs)
	rs, err2 := s.OpShape(rhs)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	lCross := crossAxes(ls.Rank(), lhsContractingAxes, lhsBatchAxes)
	rCross := crossAxes(rs.Rank(), rhsContractingAxes, rhsBatchAxes)
	dimsOf := func(s shapes.Shape, axes []int) (prodDims int, dims []int) {
		prodDims = 1
		for _, a := range axes {
			if a < 0 || a >= s.Rank() {
				return -1, nil
			}
			prodDims *= s.Dimensions[a]
			dims = append(dims, s.Dimensions[a])
		}
		return
	}
	B, bDims := dimsOf(ls, lhsBatchAxes)
	M, mDims := dimsOf(ls, lCross)
	K, _ := dimsOf(ls, lhsContractingAxes)
	N, nDims := dimsOf(rs, rCross)
	eligible := s.kernel && ls.DType == dtypes.Float32 && rs.DType == dtypes.Float32 &&
		B > 0 && M > 0 && K > 0 && N > 0 && B*M*K*N >= s.minMACs &&
		len(lhsBatchAxes) == len(rhsBatchAxes) && len(lhsContractingAxes) == len(rhsContractingAxes)
	if eligible {
		// Shapes must agree (otherwise let simplego report the error).
		rb, _ := dimsOf(rs, rhsBatchAxes)
		rk, _ := dimsOf(rs, rhsContractingAxes)
		eligible = rb == B && rk == K
	}
	flops := int64(2 * max(B, 0) * max(M, 0) * max(K, 0) * max(N, 0))
	if !eligible {
		outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
			op, err := b.DotGeneral(in[0], lhsContractingAxes, lhsBatchAxes, in[1], rhsContractingAxes, rhsBatchAxes)
			return []backends.Op{op}, err
		}, []backends.Op{lhs, rhs})
		if err == nil {
			s.countFLOPs(outs[0], flops)
		}
		return s.at(outs, 0), err
	}
	// The kernel reads both operands in their own layouts.
	lay := func(dims, batch, cross, contract []int) dotLayout {
		return dotLayout{batch: axisOffsets(dims, batch), cross: axisOffsets(dims, cross), contract: axisOffsets(dims, contract)}
	}
	out, err := s.kernelDot(lhs.(*handle), rhs.(*handle),
		lay(ls.Dimensions, lhsBatchAxes, lCross, lhsContractingAxes),
		lay(rs.Dimensions, rhsBatchAxes, rCross, rhsContractingAxes))
	if err != nil {
		return nil, err
	}
	final := append(append(bDims, mDims...), nDims...)
	res, err := s.Reshape(out, final...)
	if err == nil {
		s.countFLOPs(res, flops)
	}
	return res, err
}

// countFLOPs adds flops to op's count, unless an enclosing op counts its own.
func (s *staged) countFLOPs(op backends.Op, flops int64) {
	if h, ok := op.(*handle); ok && s.noCount == 0 {
		h.flops += flops
	}
}

// kernelDot ends the current stage with a kernel call computing
// out[b, i, j] = Σ_kk lhs[l.batch[b]+l.cross[i]+l.contract[kk]] ·
// rhs[r.batch[b]+r.contract[kk]+r.cross[j]], and returns out [b, m, n]
// (float32) as a value of the new stage.
func (s *staged) kernelDot(lhs, rhs *handle, l, r dotLayout) (*handle, error) {
	if len(l.batch) != len(r.batch) || len(l.contract) != len(r.contract) {
		return nil, fmt.Errorf("dl4go backend: kernel dot layouts do not match (bug)")
	}
	B, M, N := len(l.batch), len(l.cross), len(r.cross)
	l.narrow = s.narrow
	var once sync.Once
	outs, err := s.customOp("dot", []*handle{lhs, rhs}, []shapes.Shape{shapes.Make(dtypes.Float32, B, M, N)}, false,
		func(in, out [][]float32) {
			once.Do(func() { l = prepared(l) })
			matmulF32Strided(in[0], in[1], out[0], l, r)
		})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// customOp ends the current stage with the Go kernel run (float32 inputs
// and outputs) and returns its outputs as values of a new stage.
func (s *staged) customOp(name string, inputs []*handle, outShapes []shapes.Shape, zero bool, run func(in, out [][]float32)) ([]*handle, error) {
	for _, h := range inputs {
		if h.shape.DType != dtypes.Float32 {
			return nil, fmt.Errorf("dl4go backend %s: input %s is not float32 (bug)", name, h.shape)
		}
	}
	s.newStage()
	c := &customOp{after: len(s.stages) - 2, name: name, inputs: inputs, run: run, zero: zero}
	for i, shape := range outShapes {
		p, err := s.cur().Parameter(fmt.Sprintf("%s#%d.%d", name, len(s.customs), i), shape, nil)
		if err != nil {
			return nil, fmt.Errorf("dl4go backend %s: %w", name, err)
		}
		h := s.newHandle(p, shape)
		h.cop = c
		c.outputs = append(c.outputs, h)
	}
	s.customs = append(s.customs, c)
	return c.outputs, nil
}

// customOpAny is customOp for a kernel on flat slices of any dtype (run
// gets []float64, []complex64, ... as the handles' dtypes say).
func (s *staged) customOpAny(name string, inputs []*handle, outShapes []shapes.Shape, run func(in, out []any)) ([]*handle, error) {
	s.newStage()
	c := &customOp{after: len(s.stages) - 2, name: name, inputs: inputs, runAny: run}
	for i, shape := range outShapes {
		var p backends.Op
		if !shape.DType.IsComplex() {
			var err error
			if p, err = s.cur().Parameter(fmt.Sprintf("%s#%d.%d", name, len(s.customs), i), shape, nil); err != nil {
				return nil, fmt.Errorf("dl4go backend %s: %w", name, err)
			}
		}
		h := s.newHandle(p, shape)
		h.cop = c
		c.outputs = append(c.outputs, h)
	}
	s.customs = append(s.customs, c)
	return c.outputs, nil
}

// Dot implements backends.Builder as the equivalent DotGeneral (so large
// products reach the SIMD kernel): it contracts the last axis of lhs (rank 1
// or 2) with the first axis of rhs (rank 1 or 2).
func (s *staged) Dot(lhs, rhs backends.Op) (backends.Op, error) {
	ls, err1 := s.OpShape(lhs)
	rs, err2 := s.OpShape(rhs)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if ls.Rank() < 1 || ls.Rank() > 2 || rs.Rank() < 1 || rs.Rank() > 2 {
		return nil, fmt.Errorf("dl4go backend Dot: ranks of %s and %s must be 1 or 2", ls, rs)
	}
	return s.DotGeneral(lhs, []int{ls.Rank() - 1}, nil, rhs, []int{0}, nil)
}

func crossAxes(rank int, contracting, batch []int) []int {
	var out []int
	for a := range rank {
		if !slices.Contains(contracting, a) && !slices.Contains(batch, a) {
			out = append(out, a)
		}
	}
	return out
}

// Compile implements backends.Builder: it compiles every stage with the
// values later stages, kernels and the caller need as its outputs.
func (s *staged) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	if len(shardings) != 0 {
		return nil, fmt.Errorf("dl4go backend: sharding is not supported")
	}
	final := make([]*handle, len(outputs))
	for i, op := range outputs {
		h, ok := op.(*handle)
		if !ok || h == nil {
			return nil, fmt.Errorf("dl4go backend Compile: output #%d (%T) is not an op of this builder", i, op)
		}
		final[i] = h
	}
	// Liveness from the outputs.
	live := make(map[*handle]bool)
	usedLater := make(map[*handle]bool) // needed after its own stage
	var visit func(h *handle)
	visit = func(h *handle) {
		if live[h] {
			return
		}
		live[h] = true
		switch {
		case h.call != nil:
			for _, in := range h.call.inputs {
				if in.stage < h.stage {
					usedLater[in] = true
				}
				visit(in)
			}
			for _, o := range h.call.outputs {
				live[o] = true // replayed together
			}
		case h.cop != nil:
			for _, o := range h.cop.outputs {
				live[o] = true // computed together
			}
			for _, in := range h.cop.inputs {
				usedLater[in] = true
				visit(in)
			}
		}
	}
	isFinal := make(map[*handle]bool)
	for _, h := range final {
		visit(h)
		isFinal[h] = true
	}
	for _, c := range s.customs {
		c.live = false
		for _, o := range c.outputs {
			c.live = c.live || live[o]
		}
	}
	// An inlined expression that two live kernels would repeat is computed
	// once, by its own kernel (whose inputs are live: they are the repeating
	// kernels' inputs too), and read by both.
	for changed := true; changed; {
		changed = false
		uses := make(map[*handle]int)
		for _, c := range s.customs {
			if c.live && c.inlined != nil {
				for _, h := range c.inlined() {
					uses[h]++
				}
			}
		}
		for h, n := range uses {
			if n >= 2 && !live[h] && h.cop != nil {
				h.cop.live = true
				for _, o := range h.cop.outputs {
					live[o] = true
				}
				changed = true
			}
		}
	}
	for _, c := range s.customs {
		if c.live && c.refine != nil {
			c.inputs = c.refine(func(h *handle) bool { return live[h] })
		}
	}
	var all []*handle
	for h := range live {
		all = append(all, h)
	}
	slices.SortFunc(all, func(a, b *handle) int { return a.id - b.id })
	e := &executable{s: s, final: final, par: s.par}
	if e.par <= 0 {
		e.par = runtime.GOMAXPROCS(0)
	}
	for _, h := range all {
		e.flops += h.flops
	}
	for i, st := range s.stages {
		// The stage's ops in groups that share no op: an op joins the group
		// of every input computed in this stage (and of its call's other
		// outputs); a user parameter that is an output is copied by a group
		// of its own.
		group := make(map[*handle]*handle) // union-find parent
		var find func(h *handle) *handle
		find = func(h *handle) *handle {
			if p, ok := group[h]; ok && p != h {
				r := find(p)
				group[h] = r
				return r
			}
			return h
		}
		union := func(a, b *handle) {
			ra, rb := find(a), find(b)
			if ra != rb {
				if ra.id > rb.id {
					ra, rb = rb, ra
				}
				group[rb] = ra
			}
		}
		var members []*handle
		for _, h := range all {
			if h.stage != i || (h.call == nil && !(h.user >= 0 && isFinal[h])) {
				continue
			}
			members = append(members, h)
			group[h] = find(h)
			if h.call != nil {
				for _, x := range h.call.inputs {
					if x.stage == i && x.call != nil {
						union(h, x)
					}
				}
				for _, o := range h.call.outputs {
					if live[o] {
						union(h, o)
					}
				}
			}
		}
		var roots []*handle
		byRoot := make(map[*handle][]*handle)
		for _, h := range members {
			r := find(h)
			if _, ok := byRoot[r]; !ok {
				roots = append(roots, r)
			}
			byRoot[r] = append(byRoot[r], h)
		}
		slices.SortFunc(roots, func(a, b *handle) int { return a.id - b.id })
		for _, r := range roots {
			part, err := s.compilePart(i, byRoot[r], usedLater, isFinal)
			if err != nil {
				return nil, err
			}
			if part != nil {
				st.parts = append(st.parts, part)
			}
		}
	}
	// Release each intermediate value after its last use.
	lastUse := make(map[*handle]int)
	use := func(h *handle, step int) {
		if h.user < 0 && !isFinal[h] {
			lastUse[h] = max(lastUse[h], step)
		}
	}
	for i, st := range s.stages {
		for _, p := range st.parts {
			for _, h := range p.params {
				use(h, 2*i)
			}
		}
	}
	for _, c := range s.customs {
		if c.live {
			for _, in := range c.inputs {
				use(in, 2*c.after+1)
			}
		}
	}
	// An intermediate value whose last use is one part of a stage is
	// donated to it (not when two parts of that stage read it).
	lastReaders := make(map[*handle]int) // parts reading the value at its last use
	for i, st := range s.stages {
		for _, p := range st.parts {
			for _, h := range p.params {
				if step, ok := lastUse[h]; ok && step == 2*i {
					lastReaders[h]++
				}
			}
		}
	}
	donated := make(map[*handle]bool)
	for i, st := range s.stages {
		for _, p := range st.parts {
			p.donate = make([]bool, len(p.params))
			for j, h := range p.params {
				if step, ok := lastUse[h]; ok && step == 2*i && lastReaders[h] == 1 {
					p.donate[j], donated[h] = true, true
				}
			}
		}
	}
	e.plan(lastUse, donated)
	// Drop what only building needed: the eager builders and the recorded
	// calls (with the constants they captured).
	for _, h := range s.handles {
		h.call, h.op = nil, nil
	}
	for _, c := range s.customs {
		if !c.live {
			c.run, c.runAny = nil, nil // and whatever tables they hold
		}
	}
	s.handles = nil
	for _, st := range s.stages {
		st.b, st.imports = nil, nil
	}
	return e, nil
}

// compilePart compiles the group members (handles of stage i, in id
// order) into a simplego executable: its Parameters are the values it reads
// from outside the group, its outputs those needed later and the final
// outputs. It returns nil for a group with no output.
func (s *staged) compilePart(i int, members []*handle, usedLater, isFinal map[*handle]bool) (*stagePart, error) {
	rb := s.be.Builder(fmt.Sprintf("%s#%d", s.name, i))
	part := &stagePart{}
	ops := make(map[*handle]backends.Op)
	imported := func(h *handle) (backends.Op, error) {
		if op, ok := ops[h]; ok {
			return op, nil
		}
		op, err := rb.Parameter(fmt.Sprintf("v%d", h.id), h.shape, nil)
		if err != nil {
			return nil, err
		}
		ops[h] = op
		part.params = append(part.params, h)
		return op, nil
	}
	// Every Parameter first: simplego sizes an executable's per-run tables
	// by its last output, so a Parameter made after that output (say, an
	// input of an op that returns an older node) would index past them at
	// Execute.
	for _, h := range members {
		if h.call == nil {
			// A user parameter that is a final output.
			if _, err := imported(h); err != nil {
				return nil, fmt.Errorf("dl4go backend: compile stage %d: %w", i, err)
			}
			continue
		}
		for _, x := range h.call.inputs {
			if x.stage == i && x.call != nil {
				continue // computed in this stage
			}
			if _, err := imported(x); err != nil {
				return nil, fmt.Errorf("dl4go backend: compile stage %d: %w", i, err)
			}
		}
	}
	var outOps []backends.Op
	for _, h := range members {
		if _, done := ops[h]; h.call != nil && !done {
			in := make([]backends.Op, len(h.call.inputs))
			for j, x := range h.call.inputs {
				op, ok := ops[x]
				if !ok {
					return nil, fmt.Errorf("dl4go backend: compile stage %d: input of op #%d not ready (bug)", i, h.id)
				}
				in[j] = op
			}
			outs, err := h.call.fn(rb, in)
			if err != nil {
				return nil, fmt.Errorf("dl4go backend: compile stage %d: %w", i, err)
			}
			for j, o := range h.call.outputs {
				ops[o] = outs[j]
			}
		}
		// Outputs: ops computed here that are needed later, and final
		// outputs that are user parameters (copied by simplego).
		if (h.call != nil && (usedLater[h] || isFinal[h])) || (h.user >= 0 && isFinal[h]) {
			part.outputs = append(part.outputs, h)
			outOps = append(outOps, ops[h])
		}
	}
	if len(outOps) == 0 {
		return nil, nil
	}
	exe, err := rb.Compile(outOps, nil)
	if err != nil {
		return nil, fmt.Errorf("dl4go backend: compile stage %d of %q: %w", i, s.name, err)
	}
	part.exe = exe
	return part, nil
}

// executable runs the stages and kernels as a graph of nodes (schedule.go):
// each starts when the values it reads are computed, up to par at a time.
type executable struct {
	s     *staged
	final []*handle
	// nodes are the stages with an executable and the live kernels, in
	// build order (an order that respects every dependency).
	nodes []*execNode
	// readers[h]: how many nodes read the intermediate value h when it is
	// released by count (not donated, not a final output).
	readers map[*handle]int
	par     int // nodes run at once (1: one after another, in build order)
	// flops: the matmul and convolution FLOPs of one run.
	flops int64
}

var _ backends.Executable = (*executable)(nil)

// Finalize implements backends.Executable.
func (e *executable) Finalize() {
	for _, st := range e.s.stages {
		for _, p := range st.parts {
			p.exe.Finalize()
		}
	}
}

// Inputs implements backends.Executable.
func (e *executable) Inputs() (names []string, inputShapes []shapes.Shape) {
	for _, h := range e.s.params {
		names = append(names, fmt.Sprintf("param#%d", h.user))
		inputShapes = append(inputShapes, h.shape)
	}
	return
}

// Outputs implements backends.Executable.
func (e *executable) Outputs() []shapes.Shape {
	out := make([]shapes.Shape, len(e.final))
	for i, h := range e.final {
		out[i] = h.shape
	}
	return out
}

// Execute implements backends.Executable. Donated inputs belong to the
// executable from the call on (GoMLX drops its references to them): they go
// back to simplego's buffer pool when the run ends, so that the next run's
// outputs (say, a training step's new weights) reuse their memory instead of
// allocating.
func (e *executable) Execute(inputs []backends.Buffer, donate []bool, device backends.DeviceNum) (res []backends.Buffer, err error) {
	s := e.s
	if len(inputs) != len(s.params) {
		return nil, fmt.Errorf("dl4go backend Execute: %d inputs, want %d", len(inputs), len(s.params))
	}
	executedFLOPs.Add(e.flops)
	defer func() {
		for i, d := range donate {
			if d && i < len(inputs) && inputs[i] != nil && !slices.Contains(res, inputs[i]) {
				_ = s.be.BufferFinalize(inputs[i])
			}
		}
	}()
	values := make(map[*handle]backends.Buffer)
	for i, h := range s.params {
		values[h] = inputs[i]
	}
	finalVals := make(map[*handle]backends.Buffer)
	fail := func(err error) ([]backends.Buffer, error) {
		for h, b := range values {
			if h.user < 0 {
				_ = s.be.BufferFinalize(b)
			}
		}
		return nil, err
	}
	if err := e.runNodes(values, finalVals, device); err != nil {
		return fail(err)
	}
	result := make([]backends.Buffer, len(e.final))
	kept := make(map[backends.Buffer]bool)
	for i, h := range e.final {
		v, ok := finalVals[h]
		if !ok {
			v, ok = values[h]
		}
		if !ok {
			return fail(fmt.Errorf("dl4go backend Execute: output #%d not computed (bug)", i))
		}
		result[i] = v
		kept[v] = true
	}
	for h, b := range values {
		if h.user < 0 && !kept[b] {
			_ = s.be.BufferFinalize(b)
		}
	}
	return result, nil
}

// runCustom runs a Go kernel on the float32 buffers of its inputs.
func (e *executable) runCustom(c *customOp, bufs []backends.Buffer) ([]backends.Buffer, error) {
	be := e.s.be
	if c.runAny != nil {
		return e.runCustomAny(c, bufs)
	}
	in := make([][]float32, len(c.inputs))
	for i := range c.inputs {
		b := bufs[i]
		if b == nil {
			return nil, fmt.Errorf("dl4go backend %s: input #%d not computed (bug)", c.name, i)
		}
		flat, err := be.BufferData(b)
		if err != nil {
			return nil, fmt.Errorf("dl4go backend %s: %w", c.name, err)
		}
		in[i] = flat.([]float32)
	}
	outs := make([]backends.Buffer, len(c.outputs))
	outFlats := make([][]float32, len(c.outputs))
	for i, h := range c.outputs {
		b, flat, err := be.NewSharedBuffer(0, h.shape)
		if err != nil {
			for _, o := range outs[:i] {
				_ = be.BufferFinalize(o)
			}
			return nil, fmt.Errorf("dl4go backend %s: %w", c.name, err)
		}
		outs[i], outFlats[i] = b, flat.([]float32)
		if c.zero {
			clear(outFlats[i])
		}
	}
	if err := runKernel(c, in, outFlats, nil); err != nil {
		for _, o := range outs {
			_ = be.BufferFinalize(o)
		}
		return nil, err
	}
	return outs, nil
}

// runCustomAny runs a Go kernel on flat slices of any dtype.
func (e *executable) runCustomAny(c *customOp, bufs []backends.Buffer) ([]backends.Buffer, error) {
	be := e.s.be
	in := make([]any, len(c.inputs))
	for i := range c.inputs {
		b := bufs[i]
		if b == nil {
			return nil, fmt.Errorf("dl4go backend %s: input #%d not computed (bug)", c.name, i)
		}
		flat, err := be.BufferData(b)
		if err != nil {
			return nil, fmt.Errorf("dl4go backend %s: %w", c.name, err)
		}
		in[i] = flat
	}
	outs := make([]backends.Buffer, len(c.outputs))
	outFlats := make([]any, len(c.outputs))
	finalize := func() {
		for _, o := range outs {
			if o != nil {
				_ = be.BufferFinalize(o)
			}
		}
	}
	for i, h := range c.outputs {
		b, flat, err := be.NewSharedBuffer(0, h.shape)
		if err != nil {
			finalize()
			return nil, fmt.Errorf("dl4go backend %s: %w", c.name, err)
		}
		outs[i], outFlats[i] = b, flat
	}
	if err := runKernel(c, nil, nil, func() { c.runAny(in, outFlats) }); err != nil {
		finalize()
		return nil, err
	}
	return outs, nil
}

// profileLabels: with DL4GO_PPROF_LABELS=1, every stage and kernel runs
// under a pprof label "op" (its name), so a CPU profile shows where a step's
// time goes per kind of op: go tool pprof -tags profile.pprof.
var profileLabels = os.Getenv("DL4GO_PPROF_LABELS") == "1"

func labelled(name string, fn func()) {
	if !profileLabels {
		fn()
		return
	}
	pprof.Do(context.Background(), pprof.Labels("op", name), func(context.Context) { fn() })
}

// runKernel runs c's Go kernel, turning a panic (a bug in a kernel) into an
// error that names the kernel and its operand sizes.
func runKernel(c *customOp, in, out [][]float32, run func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			sizes := make([]int, len(c.inputs))
			for i, h := range c.inputs {
				sizes[i] = h.shape.Size()
			}
			err = fmt.Errorf("dl4go backend: kernel %q failed on inputs of %v elements (a bug, please report it): %v\n%s",
				c.name, sizes, r, debug.Stack())
		}
	}()
	if run != nil {
		run()
	} else {
		c.run(in, out)
	}
	return nil
}
