package backend

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// planOf compiles outputs(builder, x) for x a float32 Parameter of the given dimensions on
// "dl4go" and returns the executable with its node graph.
func planOf(t *testing.T, dims []int, outputs func(b backends.Builder, x backends.Op) []backends.Op) *executable {
	t.Helper()
	be, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	b := be.Builder("plan")
	x, err := b.Parameter("x", shapes.Make(dtypes.Float32, dims...), nil)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := b.Compile(outputs(b, x), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exe.Finalize)
	return exe.(*executable)
}

// reaches reports whether node to waits (directly or not) for node from.
func (e *executable) reaches(from, to int) bool {
	seen := map[int]bool{}
	var walk func(int) bool
	walk = func(i int) bool {
		if i == to {
			return true
		}
		if seen[i] {
			return false
		}
		seen[i] = true
		for _, j := range e.nodes[i].succ {
			if walk(j) {
				return true
			}
		}
		return false
	}
	return walk(from)
}

// kernels returns the indices of the nodes that run the Go kernel name.
func (e *executable) kernels(name string) []int {
	var idx []int
	for i, n := range e.nodes {
		if n.c != nil && n.c.name == name {
			idx = append(idx, i)
		}
	}
	return idx
}

// must returns op, failing t on err.
func must(t *testing.T) func(op backends.Op, err error) backends.Op {
	return func(op backends.Op, err error) backends.Op {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
}

// TestPlanRunsIndependentNodesAtOnce checks the node graph of floor(y·y + y·yᵀ), y = x+x (two
// products on the matmul kernel, neither reading the other; Floor has no Go kernel and runs
// in a simplego stage): neither kernel waits for the other, and the stage that reads their
// sum waits for both.
func TestPlanRunsIndependentNodesAtOnce(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no SIMD matmul kernel on this CPU: products stay inside simplego stages")
	}
	e := planOf(t, []int{64, 64}, func(b backends.Builder, x backends.Op) []backends.Op {
		m := must(t)
		y := m(b.Add(x, x))
		d1 := m(b.DotGeneral(y, []int{1}, nil, y, []int{0}, nil))
		d2 := m(b.DotGeneral(y, []int{1}, nil, y, []int{1}, nil))
		return []backends.Op{m(b.Floor(m(b.Add(d1, d2))))}
	})
	k := e.kernels("dot")
	if len(k) != 2 {
		t.Fatalf("%d dot kernels, want 2 (nodes: %d)", len(k), len(e.nodes))
	}
	if e.reaches(k[0], k[1]) || e.reaches(k[1], k[0]) {
		t.Errorf("the two independent products wait for each other")
	}
	last := len(e.nodes) - 1
	if e.nodes[last].st == nil || !e.reaches(k[0], last) || !e.reaches(k[1], last) {
		t.Errorf("the last node (floor of the sum) does not wait for both products")
	}
}

// TestPlanDonationWaitsForReaders checks that a stage given a value to overwrite (its last
// reader in build order) waits for every other reader of it: y = x+x (a fused kernel) is read
// by Pad's kernel and then by a ReduceMax over non-adjacent axes (a simplego stage), which
// needs nothing from the Pad.
func TestPlanDonationWaitsForReaders(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no SIMD kernels on this CPU")
	}
	e := planOf(t, []int{4, 64, 256}, func(b backends.Builder, x backends.Op) []backends.Op {
		m := must(t)
		y := m(b.Add(x, x))
		zero := m(b.Constant([]float32{0}))
		p := m(b.Pad(y, zero, backends.PadAxis{}, backends.PadAxis{Start: 1, End: 1}, backends.PadAxis{Start: 1, End: 1}))
		return []backends.Op{p, m(b.ReduceMax(y, 0, 2))}
	})
	pad := e.kernels("pad")
	if len(pad) != 1 {
		t.Fatalf("%d pad kernels, want 1", len(pad))
	}
	donor := -1
	for i, n := range e.nodes {
		if n.st != nil {
			for j := range n.reads {
				if n.st.donate[j] {
					donor = i
				}
			}
		}
	}
	if donor < 0 {
		t.Fatal("no stage is donated y (the test's premise)")
	}
	if !e.reaches(pad[0], donor) {
		t.Errorf("the stage donated y (node %d) may run before Pad's kernel, which reads y (node %d)", donor, pad[0])
	}
}

// TestNodeErrorStopsTheRun runs a graph where one Go kernel fails (panics, as a kernel bug
// would) while an independent product runs: Execute returns the kernel's error, naming it,
// and does not hang, run after run.
func TestNodeErrorStopsTheRun(t *testing.T) {
	be, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	b := be.Builder("fail").(*Builder)
	st := b.Builder.(*staged)
	shape := shapes.Make(dtypes.Float32, 64, 64)
	m := must(t)
	x := m(b.Parameter("x", shape, nil))
	y := m(b.Add(x, x))
	bad, err := st.customOp("boom", []*handle{y.(*handle)}, []shapes.Shape{shape}, false,
		func(in, out [][]float32) { panic("boom") })
	if err != nil {
		t.Fatal(err)
	}
	d := m(b.DotGeneral(y, []int{1}, nil, y, []int{0}, nil))
	exe, err := b.Compile([]backends.Op{bad[0], d}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Finalize()
	for range 5 {
		in, err := be.BufferFromFlatData(0, make([]float32, 64*64), shape)
		if err != nil {
			t.Fatal(err)
		}
		_, err = exe.Execute([]backends.Buffer{in}, []bool{false}, 0)
		if err == nil || !strings.Contains(err.Error(), `"boom"`) {
			t.Fatalf("Execute: error %v, want the failing kernel's", err)
		}
		_ = be.BufferFinalize(in)
	}
}

// TestPlanSplitsStagesIntoGroups checks that a stage's ops that share nothing are compiled
// apart: x+x and x·x (elementwise, small enough to stay in simplego) are two nodes that do not
// wait for each other.
func TestPlanSplitsStagesIntoGroups(t *testing.T) {
	e := planOf(t, []int{4, 4}, func(b backends.Builder, x backends.Op) []backends.Op {
		m := must(t)
		return []backends.Op{m(b.Add(x, x)), m(b.Mul(x, x))}
	})
	if len(e.nodes) != 2 || e.nodes[0].st == nil || e.nodes[1].st == nil {
		t.Fatalf("%d nodes, want 2 simplego groups", len(e.nodes))
	}
	if e.reaches(0, 1) || e.reaches(1, 0) {
		t.Errorf("the two independent groups wait for each other")
	}
}

// TestPlanSharedValueIsNotDonated checks that a value whose last readers are two groups of one
// stage is donated to neither (each could overwrite it while the other reads it): y = x+x is
// read by the product y·y and, in the next stage, by y^y and floor(y) (ops without a Go
// kernel, in simplego stages).
func TestPlanSharedValueIsNotDonated(t *testing.T) {
	if !hasFastKernel {
		t.Skip("no SIMD matmul kernel on this CPU")
	}
	var y backends.Op
	e := planOf(t, []int{64, 64}, func(b backends.Builder, x backends.Op) []backends.Op {
		m := must(t)
		y = m(b.Add(x, x))
		d := m(b.DotGeneral(y, []int{1}, nil, y, []int{0}, nil))
		return []backends.Op{d, m(b.Pow(y, y)), m(b.Floor(y))}
	})
	readers := 0
	for _, n := range e.nodes {
		if n.st == nil {
			continue
		}
		for j, h := range n.reads {
			if h == y.(*handle) {
				readers++
				if n.st.donate[j] {
					t.Errorf("y is donated to one of the groups that read it")
				}
			}
		}
	}
	if readers < 2 {
		t.Fatalf("y is read by %d groups, want 2 (the test's premise)", readers)
	}
}
