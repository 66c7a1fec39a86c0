package audio

import (
	"math"
)

// Tone samples a sine of frequency f (Hz), amplitude a and phase phi at sampleRate for the given
// number of samples: x[n] = a·sin(2π·f·n/fs + φ). Sampling (標本化) keeps only these instants.
func Tone(f, a, phi, sampleRate float64, samples int) []float64 {
	x := make([]float64, samples)
	for i := range x {
		x[i] = a * math.Sin(2*math.Pi*f*float64(i)/sampleRate+phi)
	}
	return x
}

// AliasFrequency is the frequency a tone of f Hz appears at once sampled at fs: folded into
// [0, fs/2] — above the Nyquist frequency fs/2 the samples are exactly those of a lower tone.
func AliasFrequency(f, fs float64) float64 {
	f = math.Mod(f, fs)
	if f > fs/2 {
		f = fs - f
	}
	return f
}

// PeakFrequency returns the frequency of the strongest bin of x's spectrum (Hamming window, the
// first power of two ≥ len(x) points, zero-padded), with parabolic interpolation between bins.
func PeakFrequency(x []float64, sampleRate float64) (float64, error) {
	n := 1
	for n < len(x) {
		n <<= 1
	}
	frame := make([]float64, n)
	w := Hamming(len(x))
	for i, v := range x {
		frame[i] = v * w[i]
	}
	db, err := PowerSpectrumDB(frame, nil)
	if err != nil {
		return 0, err
	}
	k := 1
	for i := 1; i < len(db)-1; i++ {
		if db[i] > db[k] {
			k = i
		}
	}
	delta := 0.0
	if k > 0 && k < len(db)-1 {
		a, b, c := db[k-1], db[k], db[k+1]
		if d := a - 2*b + c; d != 0 {
			delta = 0.5 * (a - c) / d
		}
	}
	return (float64(k) + delta) * sampleRate / float64(n), nil
}

// Quantize rounds each sample in [−1, 1] to the nearest of 2^bits equally spaced levels (量子化):
// step Δ = 2/2^bits, levels kΔ for k = −2^(bits−1) … 2^(bits−1)−1 (the top level clips to 1−Δ).
func Quantize(x []float64, bits int) []float64 {
	step := 2 / math.Pow(2, float64(bits))
	lo, hi := -1.0, 1-step
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Max(lo, math.Min(hi, math.Round(v/step)*step))
	}
	return out
}

// SNR is the signal-to-noise ratio of y as a copy of x, in dB: 10·log₁₀(Σx² / Σ(y−x)²).
func SNR(x, y []float64) float64 {
	var s, e float64
	for i := range x {
		s += x[i] * x[i]
		e += (y[i] - x[i]) * (y[i] - x[i])
	}
	return 10 * math.Log10(s/e)
}

// QuantizationSNR measures, for each bit depth, the SNR of a full-scale sine (amplitude 1 − 2^−bits,
// at a frequency unrelated to the sample rate so the error looks like noise) quantized to that
// many bits. The rule of thumb is 6.02·bits + 1.76 dB: each bit halves the step, −6.02 dB of noise.
func QuantizationSNR(bitDepths []int, samples int) []float64 {
	out := make([]float64, len(bitDepths))
	for i, b := range bitDepths {
		x := Tone(997.3, 1-math.Pow(2, -float64(b)), 0.1, 16000, samples)
		out[i] = SNR(x, Quantize(x, b))
	}
	return out
}

// Slope fits y = a + s·x by least squares and returns s.
func Slope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}
