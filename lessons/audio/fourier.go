package audio

import (
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
)

// DFT is the discrete Fourier transform written from its definition,
// X[k] = Σ_n x[n]·e^{−2πi·kn/N}: N² complex multiplications.
func DFT(x []complex128) []complex128 {
	n := len(x)
	// e^{−2πi·m/N} for m = 0 … N−1: k·t is reduced modulo N, which keeps the angle exact.
	w := make([]complex128, n)
	for m := range w {
		w[m] = cmplx.Rect(1, -2*math.Pi*float64(m)/float64(n))
	}
	out := make([]complex128, n)
	for k := range n {
		var s complex128
		for t, v := range x {
			s += v * w[(k*t)%n]
		}
		out[k] = s
	}
	return out
}

// FFT is the radix-2 Cooley–Tukey fast Fourier transform (iterative, bit-reversed order then
// log₂N butterfly stages): the same X[k] as DFT in N/2·log₂N multiplications. len(x) must be a
// power of two.
func FFT(x []complex128) ([]complex128, error) {
	return fft(x, false)
}

// IFFT is the inverse transform, x[n] = (1/N)·Σ_k X[k]·e^{+2πi·kn/N}.
func IFFT(x []complex128) ([]complex128, error) {
	out, err := fft(x, true)
	if err != nil {
		return nil, err
	}
	scale := complex(1/float64(len(x)), 0)
	for i := range out {
		out[i] *= scale
	}
	return out, nil
}

func fft(x []complex128, inverse bool) ([]complex128, error) {
	n := len(x)
	if n == 0 || n&(n-1) != 0 {
		return nil, fmt.Errorf("audio: FFT of %d samples: the radix-2 FFT needs a power of two (pad with zeros)", n)
	}
	out := make([]complex128, n)
	shift := 64 - bits.Len(uint(n)) + 1
	for i, v := range x {
		out[bits.Reverse64(uint64(i))>>shift] = v
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := cmplx.Rect(1, sign*2*math.Pi/float64(size))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range half {
				a, b := out[start+k], w*out[start+k+half]
				out[start+k], out[start+k+half] = a+b, a-b
				w *= step
			}
		}
	}
	return out, nil
}

// toComplex widens real samples.
func toComplex(x []float64) []complex128 {
	c := make([]complex128, len(x))
	for i, v := range x {
		c[i] = complex(v, 0)
	}
	return c
}

// PowerSpectrumDB returns 10·log₁₀|X[k]|² of the real frame x (after the window w, if any) for
// k = 0 … N/2, floored at −200 dB. len(x) must be a power of two.
func PowerSpectrumDB(x, w []float64) ([]float64, error) {
	frame := make([]float64, len(x))
	copy(frame, x)
	if w != nil {
		for i := range frame {
			frame[i] *= w[i]
		}
	}
	spec, err := FFT(toComplex(frame))
	if err != nil {
		return nil, err
	}
	db := make([]float64, len(x)/2+1)
	for k := range db {
		p := real(spec[k])*real(spec[k]) + imag(spec[k])*imag(spec[k])
		db[k] = 10 * math.Log10(math.Max(p, 1e-20))
	}
	return db, nil
}

// Rectangular, Hamming and Hann return windows of n samples. Hamming's w[i] = 0.54 − 0.46·cos(2πi/(n−1))
// tapers the frame's ends so that its edges join smoothly (the report's 窓関数); Hann (0.5 − 0.5·cos,
// periodic) is the window STFT uses for exact resynthesis.
func Rectangular(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// Hamming is the Hamming window of n samples (symmetric).
func Hamming(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	return w
}

// Hann is the periodic Hann window of n samples.
func Hann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return w
}

// STFT is a short-time Fourier transform: frames of len(window) samples every hop samples (the
// signal padded by half a frame of zeros at both ends, so every sample is covered by whole
// frames), each multiplied by the window and transformed. frames[t][k] is frame t's bin k.
func STFT(x []float64, window []float64, hop int) ([][]complex128, error) {
	n := len(window)
	if hop < 1 || hop > n {
		return nil, fmt.Errorf("audio: STFT hop %d with frames of %d samples: need 1 ≤ hop ≤ frame", hop, n)
	}
	pad := n / 2
	padded := make([]float64, len(x)+2*pad+n)
	copy(padded[pad:], x)
	var frames [][]complex128
	for start := 0; start+n <= len(x)+2*pad; start += hop {
		frame := make([]complex128, n)
		for i := range n {
			frame[i] = complex(padded[start+i]*window[i], 0)
		}
		f, err := FFT(frame)
		if err != nil {
			return nil, err
		}
		frames = append(frames, f)
	}
	return frames, nil
}

// ISTFT inverts STFT by weighted overlap-add: each frame's inverse FFT, multiplied by the window
// again, is added at its place, and the sum divided by Σ window² there. It returns length samples.
func ISTFT(frames [][]complex128, window []float64, hop, length int) ([]float64, error) {
	n := len(window)
	pad := n / 2
	sum := make([]float64, length+2*pad+n)
	norm := make([]float64, len(sum))
	for t, f := range frames {
		x, err := IFFT(f)
		if err != nil {
			return nil, err
		}
		for i := range n {
			sum[t*hop+i] += real(x[i]) * window[i]
			norm[t*hop+i] += window[i] * window[i]
		}
	}
	out := make([]float64, length)
	for i := range out {
		if w := norm[i+pad]; w > 1e-12 {
			out[i] = sum[i+pad] / w
		}
	}
	return out, nil
}

// Magnitudes returns |X| of the first n/2+1 bins of every frame: the spectrogram.
func Magnitudes(frames [][]complex128) [][]float64 {
	out := make([][]float64, len(frames))
	for t, f := range frames {
		out[t] = make([]float64, len(f)/2+1)
		for k := range out[t] {
			out[t][k] = cmplx.Abs(f[k])
		}
	}
	return out
}

// HzToMel is the mel scale (メル尺度), m = 2595·log₁₀(1 + f/700): equal steps in mel sound
// like equal steps of pitch; it is nearly linear below 1 kHz and logarithmic above, as hearing is
// finer at low frequencies than at high ones.
func HzToMel(f float64) float64 { return 2595 * math.Log10(1+f/700) }

// MelToHz inverts HzToMel.
func MelToHz(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }

// MelFilterBank returns nFilters triangular filters over the bins 0 … nFFT/2 of an nFFT-point
// spectrum at sampleRate, centred at equal mel steps from 0 Hz to the Nyquist frequency.
func MelFilterBank(nFilters, nFFT int, sampleRate float64) [][]float64 {
	bins := nFFT/2 + 1
	top := HzToMel(sampleRate / 2)
	centre := make([]float64, nFilters+2) // in bins (fractional)
	for i := range centre {
		centre[i] = MelToHz(top*float64(i)/float64(nFilters+1)) / (sampleRate / 2) * float64(bins-1)
	}
	bank := make([][]float64, nFilters)
	for m := range nFilters {
		bank[m] = make([]float64, bins)
		lo, mid, hi := centre[m], centre[m+1], centre[m+2]
		for k := range bins {
			f := float64(k)
			switch {
			case f > lo && f <= mid:
				bank[m][k] = (f - lo) / (mid - lo)
			case f > mid && f < hi:
				bank[m][k] = (hi - f) / (hi - mid)
			}
		}
	}
	return bank
}

// LogMel returns the log mel energies of each spectrogram frame (magnitudes, as Magnitudes
// gives): log(Σ_k bank[m][k]·|X_k|² + ε).
func LogMel(mags [][]float64, bank [][]float64) [][]float64 {
	out := make([][]float64, len(mags))
	for t, frame := range mags {
		out[t] = make([]float64, len(bank))
		for m, filt := range bank {
			var e float64
			for k, w := range filt {
				e += w * frame[k] * frame[k]
			}
			out[t][m] = math.Log(e + 1e-10)
		}
	}
	return out
}

// DCT is the orthonormal DCT-II of x, its first n coefficients: what turns log mel energies into
// MFCCs (a cepstrum on the mel scale).
func DCT(x []float64, n int) []float64 {
	m := len(x)
	out := make([]float64, n)
	for k := range n {
		var s float64
		for i, v := range x {
			s += v * math.Cos(math.Pi*float64(k)*(float64(i)+0.5)/float64(m))
		}
		scale := math.Sqrt(2 / float64(m))
		if k == 0 {
			scale = math.Sqrt(1 / float64(m))
		}
		out[k] = scale * s
	}
	return out
}

// Cepstrum is the real cepstrum of a frame (ケプストラム): the inverse FFT of the log magnitude
// spectrum. The slowly varying spectral envelope (the vocal tract's formants) lands at low
// quefrencies, the fine harmonic structure of the pitch at a peak at quefrency 1/f0.
func Cepstrum(frame []float64) ([]float64, error) {
	spec, err := FFT(toComplex(frame))
	if err != nil {
		return nil, err
	}
	for i, v := range spec {
		spec[i] = complex(math.Log(cmplx.Abs(v)+1e-10), 0)
	}
	c, err := IFFT(spec)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = real(v)
	}
	return out, nil
}
