package backend

import (
	"math"
	"math/bits"
	"sync"
)

// The FFT kernel behind the backend's FFT op: 1-D discrete Fourier
// transforms of rows of length n in float64 (float32 data is widened row by
// row), O(n log n) for every n: an iterative radix-2 transform when n is a
// power of two, Bluestein's chirp-z algorithm (three power-of-two transforms
// of size ≥ 2n−1) otherwise. Twiddle factors come from math.Sincos of
// exactly reduced angles, not from recurrences, so the error stays near
// float64's rounding (≈ 1e-15 relative for n ≤ 2^16).

// fftPlan holds the tables for transforms of length n.
type fftPlan struct {
	n int
	// Power of two: the bit-reversal permutation and e^{-2πik/n}, k < n/2.
	rev       []int32
	twRe      []float64
	twIm      []float64
	bluestein *bluesteinPlan
}

// bluesteinPlan is Bluestein's algorithm for a length n that is not a power
// of two: X_k = w_k Σ_j (x_j w_j) conj(w_{k−j}) with w_k = e^{−iπk²/n}, the
// sum a circular convolution of length m (a power of two ≥ 2n−1).
type bluesteinPlan struct {
	m              int
	sub            *fftPlan
	chirpRe        []float64 // w_k, k < n
	chirpIm        []float64
	filtRe, filtIm []float64 // FFT_m of conj(w) placed circularly
}

var fftPlans sync.Map // int → *fftPlan

// planFFT returns the (cached) plan for length n ≥ 1.
func planFFT(n int) *fftPlan {
	if p, ok := fftPlans.Load(n); ok {
		return p.(*fftPlan)
	}
	p := &fftPlan{n: n}
	if n&(n-1) == 0 {
		p.initPow2()
	} else {
		p.initBluestein()
	}
	actual, _ := fftPlans.LoadOrStore(n, p)
	return actual.(*fftPlan)
}

func (p *fftPlan) initPow2() {
	n := p.n
	logN := bits.TrailingZeros(uint(n))
	p.rev = make([]int32, n)
	for i := range n {
		if logN > 0 {
			p.rev[i] = int32(bits.Reverse(uint(i)) >> (bits.UintSize - logN))
		}
	}
	p.twRe, p.twIm = make([]float64, n/2), make([]float64, n/2)
	for k := range n / 2 {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.twRe[k], p.twIm[k] = c, s
	}
}

func (p *fftPlan) initBluestein() {
	n := p.n
	m := 1
	for m < 2*n-1 {
		m <<= 1
	}
	bp := &bluesteinPlan{m: m, sub: planFFT(m)}
	bp.chirpRe, bp.chirpIm = make([]float64, n), make([]float64, n)
	for k := range n {
		// k² mod 2n keeps the angle small, so it is exact in float64.
		q := (int64(k) * int64(k)) % int64(2*n)
		s, c := math.Sincos(-math.Pi * float64(q) / float64(n))
		bp.chirpRe[k], bp.chirpIm[k] = c, s
	}
	bp.filtRe, bp.filtIm = make([]float64, m), make([]float64, m)
	for k := range n {
		bp.filtRe[k], bp.filtIm[k] = bp.chirpRe[k], -bp.chirpIm[k]
		if k > 0 {
			bp.filtRe[m-k], bp.filtIm[m-k] = bp.chirpRe[k], -bp.chirpIm[k]
		}
	}
	bp.sub.pow2(bp.filtRe, bp.filtIm, false)
	p.bluestein = bp
}

// scratchLen is the float64 scratch a transform needs per part (real or
// imaginary): none for powers of two, m for Bluestein.
func (p *fftPlan) scratchLen() int {
	if p.bluestein != nil {
		return p.bluestein.m
	}
	return 0
}

// transform computes, in place on re and im (length n), the unnormalised
// DFT X_k = Σ_j x_j e^{∓2πijk/n} (minus sign forward, plus inverse).
// sRe and sIm are scratch of scratchLen().
func (p *fftPlan) transform(re, im []float64, inverse bool, sRe, sIm []float64) {
	if p.n == 1 {
		return
	}
	if p.bluestein == nil {
		p.pow2(re, im, inverse)
		return
	}
	if inverse {
		// IDFT(x) = conj(DFT(conj(x))).
		for i := range im {
			im[i] = -im[i]
		}
		p.bluestein.forward(re, im, sRe, sIm)
		for i := range im {
			im[i] = -im[i]
		}
		return
	}
	p.bluestein.forward(re, im, sRe, sIm)
}

// pow2 is the iterative radix-2 transform (n a power of two).
func (p *fftPlan) pow2(re, im []float64, inverse bool) {
	n := p.n
	re, im = re[:n], im[:n]
	for i, r := range p.rev {
		if j := int(r); j > i {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	for size := 2; size <= n; size <<= 1 {
		half, step := size>>1, n/size
		for start := 0; start < n; start += size {
			a, b := re[start:start+half], re[start+half:start+size]
			ai, bi := im[start:start+half], im[start+half:start+size]
			for k := range half {
				wr, wi := p.twRe[k*step], sign*p.twIm[k*step]
				tr := wr*b[k] - wi*bi[k]
				ti := wr*bi[k] + wi*b[k]
				b[k], bi[k] = a[k]-tr, ai[k]-ti
				a[k] += tr
				ai[k] += ti
			}
		}
	}
}

// forward is Bluestein's forward DFT of re, im (length n), with scratch sRe,
// sIm of length m.
func (bp *bluesteinPlan) forward(re, im, sRe, sIm []float64) {
	n := len(bp.chirpRe)
	for j := range n {
		cr, ci := bp.chirpRe[j], bp.chirpIm[j]
		sRe[j] = re[j]*cr - im[j]*ci
		sIm[j] = re[j]*ci + im[j]*cr
	}
	clear(sRe[n:])
	clear(sIm[n:])
	bp.sub.pow2(sRe, sIm, false)
	for k := range bp.m {
		a, b := sRe[k], sIm[k]
		sRe[k] = a*bp.filtRe[k] - b*bp.filtIm[k]
		sIm[k] = a*bp.filtIm[k] + b*bp.filtRe[k]
	}
	bp.sub.pow2(sRe, sIm, true)
	inv := 1 / float64(bp.m)
	for k := range n {
		a, b := sRe[k]*inv, sIm[k]*inv
		cr, ci := bp.chirpRe[k], bp.chirpIm[k]
		re[k] = a*cr - b*ci
		im[k] = a*ci + b*cr
	}
}

// fftRows is the kernel's driver: rows independent transforms, each reading
// its input with load(row, re, im) into float64 rows of length n and writing
// them back with store(row, re, im). Rows are split across CPUs.
func fftRows(rows, n int, inverse bool, load, store func(row int, re, im []float64)) {
	p := planFFT(n)
	const rowsPerTask = 8
	tasks := (rows + rowsPerTask - 1) / rowsPerTask
	logN := max(1, bits.Len(uint(n)))
	parallelFor(tasks, rowsPerTask*n*logN, func(t int) {
		s := p.scratchLen()
		buf := make([]float64, 2*n+2*s)
		re, im, sRe, sIm := buf[:n], buf[n:2*n], buf[2*n:2*n+s], buf[2*n+s:]
		for row := t * rowsPerTask; row < min(rows, (t+1)*rowsPerTask); row++ {
			load(row, re, im)
			p.transform(re, im, inverse, sRe, sIm)
			store(row, re, im)
		}
	})
}
