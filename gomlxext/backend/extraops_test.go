package backend_test

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestTotalOrder checks the total-order comparisons on dl4go (simplego has
// none) against the order −NaN < −Inf < −1 < −0 < +0 < 1 < +Inf < +NaN.
func TestTotalOrder(t *testing.T) {
	b := newBackend(t, "dl4go")
	negNaN := math.Float64frombits(math.Float64bits(math.NaN()) | 1<<63)
	ordered := []float64{negNaN, math.Inf(-1), -1, math.Copysign(0, -1), 0, 1, math.Inf(1), math.NaN()}
	n := len(ordered)
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		lhs, rhs := make([]float64, n*n), make([]float64, n*n)
		for i := range n {
			for j := range n {
				lhs[i*n+j], rhs[i*n+j] = ordered[i], ordered[j]
			}
		}
		outs := graph.MustNewExec(b, func(l, r *graph.Node) []*graph.Node {
			l, r = graph.ConvertDType(l, dt), graph.ConvertDType(r, dt)
			return []*graph.Node{graph.LessThanTotalOrder(l, r), graph.LessOrEqualTotalOrder(l, r),
				graph.GreaterThanTotalOrder(l, r), graph.GreaterOrEqualTotalOrder(l, r),
				graph.EqualTotalOrder(l, r), graph.NotEqualTotalOrder(l, r)}
		}).MustExec(lhs, rhs)
		for k, want := range []func(i, j int) bool{
			func(i, j int) bool { return i < j }, func(i, j int) bool { return i <= j },
			func(i, j int) bool { return i > j }, func(i, j int) bool { return i >= j },
			func(i, j int) bool { return i == j }, func(i, j int) bool { return i != j },
		} {
			got := tensors.MustCopyFlatData[bool](outs[k])
			for i := range n {
				for j := range n {
					if got[i*n+j] != want(i, j) {
						t.Fatalf("%s comparison %d of %v and %v = %v", dt, k, ordered[i], ordered[j], got[i*n+j])
					}
				}
			}
		}
	}
}

// TestBitcastAndShifts checks Bitcast (same, smaller and larger widths) and
// the bit shifts against Go's.
func TestBitcastAndShifts(t *testing.T) {
	b := newBackend(t, "dl4go")
	x := []float32{1, -2.5, float32(math.Inf(1)), 3e-41}
	outs := graph.MustNewExec(b, func(x *graph.Node) []*graph.Node {
		bits := graph.Bitcast(x, dtypes.Uint32)
		halves := graph.Bitcast(bits, dtypes.Uint16)
		return []*graph.Node{bits, halves, graph.Bitcast(halves, dtypes.Float32)}
	}).MustExec(x)
	bits, halves, back := tensors.MustCopyFlatData[uint32](outs[0]), tensors.MustCopyFlatData[uint16](outs[1]),
		tensors.MustCopyFlatData[float32](outs[2])
	if d := outs[1].Shape().Dimensions; len(d) != 2 || d[1] != 2 {
		t.Fatalf("Bitcast to uint16 shape %s", outs[1].Shape())
	}
	for i, v := range x {
		w := math.Float32bits(v)
		if bits[i] != w || halves[2*i] != uint16(w) || halves[2*i+1] != uint16(w>>16) || math.Float32bits(back[i]) != w {
			t.Fatalf("Bitcast of %g: %#x, halves %#x %#x, back %g", v, bits[i], halves[2*i], halves[2*i+1], back[i])
		}
	}
	vals := []int32{1, -8, 0x40000000, -1, 5, 7}
	counts := []int32{3, 1, 1, 31, 32, -1}
	outs = graph.MustNewExec(b, func(v, c *graph.Node) []*graph.Node {
		return []*graph.Node{graph.BitwiseShiftLeft(v, c), graph.BitwiseShiftRightArithmetic(v, c),
			graph.BitwiseShiftRightLogical(v, c), graph.BitwiseShiftLeftScalar(v, 2)}
	}).MustExec(vals, counts)
	sl, sra, srl, sl2 := tensors.MustCopyFlatData[int32](outs[0]), tensors.MustCopyFlatData[int32](outs[1]),
		tensors.MustCopyFlatData[int32](outs[2]), tensors.MustCopyFlatData[int32](outs[3])
	for i, v := range vals {
		c := uint(counts[i])
		if counts[i] < 0 {
			c = 32
		}
		if sl[i] != v<<c || sra[i] != v>>c || srl[i] != int32(uint32(v)>>c) || sl2[i] != v<<2 {
			t.Fatalf("shifts of %d by %d: %d %d %d, by 2: %d", v, counts[i], sl[i], sra[i], srl[i], sl2[i])
		}
	}
}
