package backend

import (
	"math"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Elementwise float32 kernels. simplego runs a binary op with broadcasting
// (bias additions, softmax and layer-norm statistics, the scalar side of
// ReLU's gradient) through an index iterator per element, and Sign with a
// branch per element, on one core; these kernels run the same ops as plain
// loops over contiguous runs, on all CPUs.

// minElementwise is the smallest output (elements) given to these kernels,
// to the fused ones (fuse.go), and to the Where, Slice, Transpose,
// BroadcastInDim, Reverse, Pad (output) and ReduceSum/ReduceMax (input)
// kernels: simplego runs those ops with a branch or an index iterator per
// element, slower than a kernel's call from a thousand elements on (with 16
// thousand, alphago's batch-32 step took 5.7 ms against 3.2–3.6 ms, and
// DCGAN's batch-8 step spent 12% in those loops).
// minParallelElementwise is the smallest of an op that simplego runs as a
// plain loop (equal shapes, a scalar right-hand side, unary math), worth
// splitting across CPUs.
const (
	minElementwise         = 1 << 10
	minParallelElementwise = 1 << 16
)

// binaryFn is a float32 binary op of the broadcast kernel.
type binaryFn int

const (
	fnAdd binaryFn = iota
	fnSub
	fnMul
	fnDiv
	fnMax
	fnMin
)

var binaryOpTypes = [...]backends.OpType{
	fnAdd: backends.OpTypeAdd, fnSub: backends.OpTypeSub, fnMul: backends.OpTypeMul,
	fnDiv: backends.OpTypeDiv, fnMax: backends.OpTypeMax, fnMin: backends.OpTypeMin,
}

// Add implements backends.Builder.
func (b *Builder) Add(lhs, rhs backends.Op) (backends.Op, error) {
	return b.binary(fnAdd, lhs, rhs, b.Builder.Add)
}

// Sub implements backends.Builder.
func (b *Builder) Sub(lhs, rhs backends.Op) (backends.Op, error) {
	return b.binary(fnSub, lhs, rhs, b.Builder.Sub)
}

// Div implements backends.Builder.
func (b *Builder) Div(lhs, rhs backends.Op) (backends.Op, error) {
	return b.binary(fnDiv, lhs, rhs, b.Builder.Div)
}

// Max implements backends.Builder.
func (b *Builder) Max(lhs, rhs backends.Op) (backends.Op, error) {
	return b.binary(fnMax, lhs, rhs, b.Builder.Max)
}

// Min implements backends.Builder.
func (b *Builder) Min(lhs, rhs backends.Op) (backends.Op, error) {
	return b.binary(fnMin, lhs, rhs, b.Builder.Min)
}

// binary builds fn(lhs, rhs) on the broadcast kernel when it applies, else
// with inner (simplego's op).
func (b *Builder) binary(fn binaryFn, lhs, rhs backends.Op, inner func(lhs, rhs backends.Op) (backends.Op, error)) (backends.Op, error) {
	if anyComplex(lhs, rhs) {
		return b.complexBinary(fn, lhs, rhs)
	}
	if out, ok, err := b.fusedBinary(fn, lhs, rhs); ok || err != nil {
		return out, err
	}
	if out, ok, err := b.broadcastKernel(fn, lhs, rhs); ok || err != nil {
		return out, err
	}
	return inner(lhs, rhs)
}

// broadcastKernel runs fn(lhs, rhs) as a Go kernel when both are float32,
// one of them is broadcast (not a scalar right-hand side nor equal shapes,
// which simplego runs as plain loops) and the output is large.
func (b *Builder) broadcastKernel(fn binaryFn, lhs, rhs backends.Op) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	if !ok || !st.kernel {
		return nil, false, nil
	}
	ls, rs := b.shape(lhs), b.shape(rhs)
	if ls.DType != dtypes.Float32 || rs.DType != dtypes.Float32 {
		return nil, false, nil
	}
	os, err := shapeinference.BinaryOp(binaryOpTypes[fn], ls, rs)
	if err != nil {
		return nil, false, nil // simplego reports it
	}
	threshold := min(minElementwise, st.minMACs)
	if ls.Equal(rs) || rs.Size() == 1 {
		// simplego runs these as plain loops, on one core.
		threshold = min(minParallelElementwise, st.minMACs)
	}
	if os.Size() < threshold {
		return nil, false, nil
	}
	if _, ok := newBroadcastPlan(ls.Dimensions, rs.Dimensions, os.Dimensions, false); !ok {
		return nil, false, nil
	}
	// The plan's tables are made at the first run: an op that turns out
	// dead (a Mul the contraction rewrite replaces) never pays for them.
	var once sync.Once
	var plan broadcastPlan
	outs, err := st.customOp("broadcast", []*handle{lhs.(*handle), rhs.(*handle)}, []shapes.Shape{os}, false,
		func(in, out [][]float32) {
			once.Do(func() { plan, _ = newBroadcastPlan(ls.Dimensions, rs.Dimensions, os.Dimensions, true) })
			plan.run(fn, in[0], in[1], out[0])
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// broadcastPlan walks an output as outer × inner: inner is a contiguous run
// along which each operand either advances by one or stays (broadcast);
// outer offsets give each run's start in both operands.
type broadcastPlan struct {
	inner        int
	lStep, rStep int   // 1 or 0 along the inner run
	lOff, rOff   []int // per run
}

// newBroadcastPlan plans out = f(l, r) for operands of the output's rank
// (or rank 0) whose axes are either the output's or 1; ok is false for
// other operands. Without tables, it only checks them.
func newBroadcastPlan(l, r, out []int, tables bool) (p broadcastPlan, ok bool) {
	n := len(out)
	norm := func(d []int) ([]int, bool) {
		if len(d) == 0 {
			d = make([]int, n)
			for i := range d {
				d[i] = 1
			}
		}
		if len(d) != n {
			return nil, false
		}
		st := make([]int, n)
		s := 1
		for i := n - 1; i >= 0; i-- {
			switch d[i] {
			case out[i]:
				st[i] = s
				if d[i] == 1 {
					st[i] = 0
				}
			case 1:
				st[i] = 0
			default:
				return nil, false
			}
			s *= d[i]
		}
		return st, true
	}
	ls, ok1 := norm(l)
	rs, ok2 := norm(r)
	if !ok1 || !ok2 {
		return broadcastPlan{}, false
	}
	if !tables {
		return broadcastPlan{}, true
	}
	// The inner run: trailing axes along which both operands keep one
	// pattern (each contiguous, or each broadcast).
	p = broadcastPlan{inner: 1}
	kind := func(s []int, i int) int { return min(s[i], 1) }
	k := n
	for k > 0 && (out[k-1] == 1 || p.inner == 1 ||
		(kind(ls, k-1) == p.lStep && kind(rs, k-1) == p.rStep)) {
		if out[k-1] != 1 && p.inner == 1 {
			p.lStep, p.rStep = kind(ls, k-1), kind(rs, k-1)
		}
		p.inner *= out[k-1]
		k--
	}
	outer := 1
	for i := range k {
		outer *= out[i]
	}
	p.lOff, p.rOff = make([]int, outer), make([]int, outer)
	idx := make([]int, k)
	for j := range outer {
		lo, ro := 0, 0
		for i := range k {
			lo += idx[i] * ls[i]
			ro += idx[i] * rs[i]
		}
		p.lOff[j], p.rOff[j] = lo, ro
		for i := k - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < out[i] {
				break
			}
			idx[i] = 0
		}
	}
	return p, true
}

// run computes out = fn(l, r) on all CPUs.
func (p broadcastPlan) run(fn binaryFn, l, r, out []float32) {
	// Split into chunks of whole runs, or of one long run.
	chunk := p.inner
	if len(p.lOff) == 1 {
		chunk = max(p.inner/8, 4096)
	}
	runs := len(p.lOff)
	perRun := (p.inner + chunk - 1) / chunk
	parallelFor(runs*perRun, chunk, func(t int) {
		j, c := t/perRun, t%perRun
		start, end := c*chunk, min((c+1)*chunk, p.inner)
		o := out[j*p.inner+start : j*p.inner+end]
		var a, b []float32
		var sa, sb float32
		if p.lStep == 1 {
			a = l[p.lOff[j]+start : p.lOff[j]+end]
		} else {
			sa = l[p.lOff[j]]
		}
		if p.rStep == 1 {
			b = r[p.rOff[j]+start : p.rOff[j]+end]
		} else {
			sb = r[p.rOff[j]]
		}
		switch {
		case a != nil && b != nil:
			binaryVV(fn, o, a, b)
		case a != nil:
			binaryVS(fn, o, a, sb)
		case b != nil:
			binarySV(fn, o, sa, b)
		default:
			fillFloats(o, binaryScalar(fn, sa, sb))
		}
	})
}

func binaryScalar(fn binaryFn, a, b float32) float32 {
	switch fn {
	case fnAdd:
		return a + b
	case fnSub:
		return a - b
	case fnMul:
		return a * b
	case fnDiv:
		return a / b
	case fnMax:
		return max(a, b)
	default:
		return min(a, b)
	}
}

// simdElementwise: the SIMD loops of elementwise_amd64.s run the binary ops
// and Sign, Neg and Abs, with Go's results bit for bit (Max and Min fix up
// NaNs and signed zeros as Go's max and min do).
var simdElementwise = hasFastKernel

// simdHead returns how many leading elements of n the SIMD loops take (a
// multiple of 32 for Add, Sub, Mul, Div; of 8 for Max, Min), 0 when they do
// not apply.
func simdHead(fn binaryFn, n int) int {
	switch {
	case !simdElementwise:
		return 0
	case fn <= fnDiv:
		return n &^ 31
	}
	return n &^ 7
}

// signLoop writes sign(s) (1, −1, or +0 for ±0 and NaN) into d.
func signLoop(d, s []float32) {
	d = d[:len(s)]
	if h := s8(len(s)); h > 0 {
		vSign(&d[0], &s[0], h)
		d, s = d[h:], s[h:]
	}
	for i, v := range s {
		d[i] = float32(b2i(v > 0) - b2i(v < 0))
	}
}

// negLoop writes −s into d.
func negLoop(d, s []float32) {
	d = d[:len(s)]
	if h := s8(len(s)); h > 0 {
		vNeg(&d[0], &s[0], h)
		d, s = d[h:], s[h:]
	}
	for i, v := range s {
		d[i] = -v
	}
}

// absLoop writes |s| into d.
func absLoop(d, s []float32) {
	d = d[:len(s)]
	if h := s8(len(s)); h > 0 {
		vAbs(&d[0], &s[0], h)
		d, s = d[h:], s[h:]
	}
	for i, v := range s {
		d[i] = float32(math.Abs(float64(v)))
	}
}

// s8 is the part of n the 8-wide SIMD loops take.
func s8(n int) int {
	if !simdElementwise {
		return 0
	}
	return n &^ 7
}

func binaryVV(fn binaryFn, o, a, b []float32) {
	b = b[:len(a)]
	o = o[:len(a)]
	if h := simdHead(fn, len(a)); h > 0 {
		[...]func(o, a, b *float32, n int){fnAdd: vvAdd, fnSub: vvSub, fnMul: vvMul, fnDiv: vvDiv, fnMax: vvMax, fnMin: vvMin}[fn](&o[0], &a[0], &b[0], h)
		o, a, b = o[h:], a[h:], b[h:]
	}
	switch fn {
	case fnAdd:
		for i, x := range a {
			o[i] = x + b[i]
		}
	case fnSub:
		for i, x := range a {
			o[i] = x - b[i]
		}
	case fnMul:
		for i, x := range a {
			o[i] = x * b[i]
		}
	case fnDiv:
		for i, x := range a {
			o[i] = x / b[i]
		}
	case fnMax:
		for i, x := range a {
			o[i] = max(x, b[i])
		}
	case fnMin:
		for i, x := range a {
			o[i] = min(x, b[i])
		}
	}
}

func binaryVS(fn binaryFn, o, a []float32, s float32) {
	o = o[:len(a)]
	if h := simdHead(fn, len(a)); h > 0 {
		[...]func(o, a *float32, s float32, n int){fnAdd: vsAdd, fnSub: vsSub, fnMul: vsMul, fnDiv: vsDiv, fnMax: vsMax, fnMin: vsMin}[fn](&o[0], &a[0], s, h)
		o, a = o[h:], a[h:]
	}
	switch fn {
	case fnAdd:
		for i, x := range a {
			o[i] = x + s
		}
	case fnSub:
		for i, x := range a {
			o[i] = x - s
		}
	case fnMul:
		for i, x := range a {
			o[i] = x * s
		}
	case fnDiv:
		for i, x := range a {
			o[i] = x / s
		}
	case fnMax:
		for i, x := range a {
			o[i] = max(x, s)
		}
	case fnMin:
		for i, x := range a {
			o[i] = min(x, s)
		}
	}
}

// binarySV is binaryVS with the scalar on the left: the same loops for the
// commutative ops.
func binarySV(fn binaryFn, o []float32, s float32, b []float32) {
	o = o[:len(b)]
	if h := simdHead(fn, len(b)); h >= 32 && (fn == fnSub || fn == fnDiv) {
		if fn == fnSub {
			svSub(&o[0], s, &b[0], h)
		} else {
			svDiv(&o[0], s, &b[0], h)
		}
		o, b = o[h:], b[h:]
	}
	switch fn {
	case fnSub:
		for i, y := range b {
			o[i] = s - y
		}
	case fnDiv:
		for i, y := range b {
			o[i] = s / y
		}
	default:
		binaryVS(fn, o, b, s)
	}
}

// Sign implements backends.Builder: large float32 operands on a branch-free
// parallel kernel (ReLU's gradient takes two Signs of every activation).
func (b *Builder) Sign(x backends.Op) (backends.Op, error) {
	if out, ok, err := b.fusedUnary(fSign, 0, x); ok || err != nil {
		return out, err
	}
	st, ok := b.Builder.(*staged)
	xs := b.shape(x)
	if !ok || !st.kernel || xs.DType != dtypes.Float32 || xs.Size() < min(minElementwise, st.minMACs) {
		return b.Builder.Sign(x)
	}
	outs, err := st.customOp("sign", []*handle{x.(*handle)}, []shapes.Shape{xs}, false,
		func(in, out [][]float32) {
			src, dst := in[0], out[0]
			const chunk = 1 << 14
			parallelFor((len(src)+chunk-1)/chunk, chunk, func(t int) {
				s := src[t*chunk : min((t+1)*chunk, len(src))]
				signLoop(dst[t*chunk:t*chunk+len(s)], s)
			})
		})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unaryFn is a float32 unary op of the parallel unary kernel.
type unaryFn int

const (
	fnExp unaryFn = iota
	fnLog
	fnTanh
	fnLogistic
	fnSqrt
	fnRsqrt
	fnErf
)

// Exp implements backends.Builder.
func (b *Builder) Exp(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.complexExp(c)
	}
	return b.unary(fnExp, x, b.Builder.Exp)
}

// Log implements backends.Builder.
func (b *Builder) Log(x backends.Op) (backends.Op, error) { return b.unary(fnLog, x, b.Builder.Log) }

// Tanh implements backends.Builder.
func (b *Builder) Tanh(x backends.Op) (backends.Op, error) { return b.unary(fnTanh, x, b.Builder.Tanh) }

// Logistic implements backends.Builder.
func (b *Builder) Logistic(x backends.Op) (backends.Op, error) {
	return b.unary(fnLogistic, x, b.Builder.Logistic)
}

// Sqrt implements backends.Builder.
func (b *Builder) Sqrt(x backends.Op) (backends.Op, error) { return b.unary(fnSqrt, x, b.Builder.Sqrt) }

// Rsqrt implements backends.Builder.
func (b *Builder) Rsqrt(x backends.Op) (backends.Op, error) {
	return b.unary(fnRsqrt, x, b.Builder.Rsqrt)
}

// Erf implements backends.Builder (GELU takes one per activation, its
// gradient an Exp): large float32 operands use Abramowitz and Stegun's
// formula 7.1.26 (absolute error below 1.5e-7, float32's resolution near 1)
// in parallel, about twice as fast as math.Erf.
func (b *Builder) Erf(x backends.Op) (backends.Op, error) { return b.unary(fnErf, x, b.Builder.Erf) }

// unary builds fn(x) on a parallel kernel for large float32 operands (with
// simplego's float64 formulas, so results are the same, except Erf), else
// with inner.
func (b *Builder) unary(fn unaryFn, x backends.Op, inner func(backends.Op) (backends.Op, error)) (backends.Op, error) {
	if out, ok, err := b.fusedUnary(fUnary, fn, x); ok || err != nil {
		return out, err
	}
	st, ok := b.Builder.(*staged)
	xs := b.shape(x)
	if !ok || !st.kernel || xs.DType != dtypes.Float32 || xs.Size() < min(minParallelElementwise, st.minMACs) {
		return inner(x)
	}
	outs, err := st.customOp("unary", []*handle{x.(*handle)}, []shapes.Shape{xs}, false,
		func(in, out [][]float32) {
			src, dst := in[0], out[0]
			const chunk = 1 << 13
			parallelFor((len(src)+chunk-1)/chunk, chunk, func(t int) {
				s := src[t*chunk : min((t+1)*chunk, len(src))]
				unaryLoop(fn, dst[t*chunk:t*chunk+len(s)], s)
			})
		})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

func unaryLoop(fn unaryFn, d, s []float32) {
	d = d[:len(s)]
	switch fn {
	case fnExp:
		if h := s8(len(s)); h > 0 {
			vExp(&d[0], &s[0], h)
			d, s = d[h:], s[h:]
		}
		for i, v := range s {
			d[i] = float32(math.Exp(float64(v)))
		}
	case fnLog:
		for i, v := range s {
			d[i] = float32(math.Log(float64(v)))
		}
	case fnTanh:
		for i, v := range s {
			d[i] = float32(math.Tanh(float64(v)))
		}
	case fnLogistic:
		if h := s8(len(s)); h > 0 {
			vLogistic(&d[0], &s[0], h)
			d, s = d[h:], s[h:]
		}
		for i, v := range s {
			if v >= 0 {
				d[i] = float32(1 / (1 + math.Exp(-float64(v))))
			} else {
				e := math.Exp(float64(v))
				d[i] = float32(e / (1 + e))
			}
		}
	case fnSqrt:
		for i, v := range s {
			d[i] = float32(math.Sqrt(float64(v)))
		}
	case fnRsqrt:
		for i, v := range s {
			d[i] = float32(1 / math.Sqrt(float64(v)))
		}
	case fnErf:
		if h := s8(len(s)); h > 0 {
			vErf(&d[0], &s[0], h)
			d, s = d[h:], s[h:]
		}
		for i, v := range s {
			d[i] = erf32(v)
		}
	}
}

// erf32 is erf(x) by Abramowitz and Stegun 7.1.26: |error| < 1.5e-7.
func erf32(x float32) float32 {
	const (
		p                  = 0.3275911
		a1, a2, a3, a4, a5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429
	)
	if x != x {
		return x
	}
	// Each product is rounded before its sum (float64(...)), so that no
	// compiler fuses them into FMAs: vErf computes the same steps unfused.
	ax := math.Abs(float64(x))
	t := 1 / (1 + float64(p*ax))
	q := float64(a5*t) + a4
	q = float64(q*t) + a3
	q = float64(q*t) + a2
	q = float64(q*t) + a1
	q = float64(float64(q*t) * math.Exp(-float64(ax*ax)))
	return float32(math.Copysign(1-q, float64(x)))
}

// whereKernel builds a large float32 Where whose condition has the output's shape (each value
// of onTrue and onFalse of that shape too, or a scalar) as a parallel loop; simplego runs the
// same select on one core. ok is false otherwise.
func (b *Builder) whereKernel(condition, onTrue, onFalse backends.Op) (backends.Op, bool, error) {
	st, ok := b.Builder.(*staged)
	if !ok || !st.kernel {
		return nil, false, nil
	}
	// A branch that is a broadcast scalar (GoMLX's ZerosLike in Where's gradient) is read as
	// the scalar: the broadcast is then never materialised.
	for _, op := range []*backends.Op{&onTrue, &onFalse} {
		if s, ok := b.scalars[*op]; ok {
			*op = s
		}
	}
	cs, ts, fs := b.shape(condition), b.shape(onTrue), b.shape(onFalse)
	if cs.DType != dtypes.Bool || cs.IsScalar() || ts.DType != dtypes.Float32 || fs.DType != dtypes.Float32 ||
		cs.Size() < min(minElementwise, st.minMACs) {
		return nil, false, nil
	}
	for _, s := range []shapes.Shape{ts, fs} {
		if !s.IsScalar() && !slices.Equal(s.Dimensions, cs.Dimensions) {
			return nil, false, nil
		}
	}
	tScalar, fScalar := ts.IsScalar(), fs.IsScalar()
	outs, err := st.customOpAny("where", []*handle{condition.(*handle), onTrue.(*handle), onFalse.(*handle)},
		[]shapes.Shape{shapes.Make(dtypes.Float32, cs.Dimensions...)}, func(in, out []any) {
			c, tv, fv, o := in[0].([]bool), in[1].([]float32), in[2].([]float32), out[0].([]float32)
			const chunk = 1 << 13
			parallelFor((len(c)+chunk-1)/chunk, chunk, func(t int) {
				lo, hi := t*chunk, min((t+1)*chunk, len(c))
				if h := (hi - lo) &^ 7; simdElementwise && h > 0 { // 8 at a time: a blend
					var tRep, fRep [8]float32 // a scalar operand, 8 times
					tp, tStep, fp, fStep := &tRep[0], 0, &fRep[0], 0
					if tScalar {
						tRep = [8]float32{tv[0], tv[0], tv[0], tv[0], tv[0], tv[0], tv[0], tv[0]}
					} else {
						tp, tStep = &tv[lo:hi][0], 32
					}
					if fScalar {
						fRep = [8]float32{fv[0], fv[0], fv[0], fv[0], fv[0], fv[0], fv[0], fv[0]}
					} else {
						fp, fStep = &fv[lo:hi][0], 32
					}
					vWhere(&o[lo:hi][0], &c[lo:hi][0], tp, tStep, fp, fStep, h)
					lo += h
				}
				var tb, fb uint32
				if tScalar {
					tb = math.Float32bits(tv[0])
				}
				if fScalar {
					fb = math.Float32bits(fv[0])
				}
				// Without branches (a ReLU mask is a coin toss for the branch predictor): the
				// bits of the chosen value through a mask of all ones or all zeros.
				for i := lo; i < hi; i++ {
					if !tScalar {
						tb = math.Float32bits(tv[i])
					}
					if !fScalar {
						fb = math.Float32bits(fv[i])
					}
					m := -b2u32(c[i])
					o[i] = math.Float32frombits(tb&m | fb&^m)
				}
			})
		})
	if err != nil {
		return nil, false, err
	}
	return outs[0], true, nil
}

// b2u32 is 1 for true, 0 for false (compiled without a branch).
func b2u32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
