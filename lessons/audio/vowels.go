package audio

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Vowels are the five Japanese vowels the recogniser learns, in the order of their class ids.
var Vowels = []string{"a (あ)", "i (い)", "u (う)", "e (え)", "o (お)"}

// formants are each vowel's first three formant frequencies (Hz) for a reference adult male
// voice, after published averages for Japanese vowels.
var formants = [][3]float64{
	{800, 1200, 2500}, // a
	{300, 2300, 3000}, // i
	{350, 1400, 2400}, // u (unrounded in Japanese)
	{500, 1900, 2600}, // e
	{500, 850, 2500},  // o
}

// Speaker is a synthetic voice: its pitch (the glottal pulse rate) and the length of its vocal
// tract, which scales every formant (a shorter tract: higher formants).
type Speaker struct {
	Pitch       float64 // f0 in Hz.
	FormantScal float64 // factor on every formant frequency.
	Seed        uint64  // jitter and breath noise of its recordings.
}

// Speakers draws n speakers from a population of adult and younger voices: pitch 85–260 Hz,
// formants ×0.8–1.3, the two loosely tied (higher voices tend to have shorter tracts).
func Speakers(n int, seed uint64) []Speaker {
	rng := rand.New(rand.NewPCG(seed, 13))
	out := make([]Speaker, n)
	for i := range out {
		t := rng.Float64()
		out[i] = Speaker{
			Pitch:       85 + 175*t,
			FormantScal: 0.8 + 0.5*(0.5*t+0.5*rng.Float64()),
			Seed:        rng.Uint64(),
		}
	}
	return out
}

// Synthesize speaks vowel v (an index into Vowels) with speaker s for the given duration: a
// source-filter model, as in formant synthesisers. The source is a glottal pulse train at the
// speaker's pitch (with 1% jitter) plus a little breath noise; the filter is three second-order
// resonators in cascade at the (scaled) formant frequencies, each moved by up to ±5% per
// recording (no two utterances are alike). Room noise is added at 10–30 dB SNR. take varies all
// of this between recordings. The result is normalised to a peak of 0.9.
func Synthesize(v int, s Speaker, sampleRate, seconds float64, take int) ([]float64, error) {
	if v < 0 || v >= len(formants) {
		return nil, fmt.Errorf("audio: vowel %d: want 0 … %d", v, len(formants)-1)
	}
	rng := rand.New(rand.NewPCG(s.Seed, uint64(v*1000+take)))
	n := int(seconds * sampleRate)
	x := make([]float64, n)
	next := 0.0
	for i := range x {
		if float64(i) >= next {
			x[i] = 1
			next += sampleRate / (s.Pitch * (1 + 0.01*rng.NormFloat64()))
		}
		x[i] += 0.02 * rng.NormFloat64()
	}
	bandwidths := [3]float64{80, 100, 140}
	for f := range 3 {
		x = resonate(x, formants[v][f]*s.FormantScal*(1+0.05*(2*rng.Float64()-1)), bandwidths[f], sampleRate)
	}
	var power float64
	for _, v := range x {
		power += v * v / float64(n)
	}
	noise := math.Sqrt(power / math.Pow(10, (10+20*rng.Float64())/10))
	for i := range x {
		x[i] += noise * rng.NormFloat64()
	}
	// Fade in and out over 10 ms, then normalise.
	fade := int(0.01 * sampleRate)
	var peak float64
	for i := range x {
		if i < fade {
			x[i] *= float64(i) / float64(fade)
		} else if i >= n-fade {
			x[i] *= float64(n-1-i) / float64(fade)
		}
		peak = math.Max(peak, math.Abs(x[i]))
	}
	for i := range x {
		x[i] *= 0.9 / peak
	}
	return x, nil
}

// resonate filters x with a two-pole resonator at frequency f with bandwidth bw (Klatt's
// formant filter): y[n] = A·x[n] + B·y[n−1] + C·y[n−2], unit gain at 0 Hz.
func resonate(x []float64, f, bw, fs float64) []float64 {
	c := -math.Exp(-2 * math.Pi * bw / fs)
	b := 2 * math.Exp(-math.Pi*bw/fs) * math.Cos(2*math.Pi*f/fs)
	a := 1 - b - c
	y := make([]float64, len(x))
	var y1, y2 float64
	for i, v := range x {
		y[i] = a*v + b*y1 + c*y2
		y2, y1 = y1, y[i]
	}
	return y
}

// FeatureConfig sets how MFCC features are computed.
type FeatureConfig struct {
	FrameSize int // samples per analysis frame (a power of two: 512 at 16 kHz = 32 ms).
	Hop       int // samples between frames.
	MelBands  int // triangular mel filters.
	MFCCs     int // cepstral coefficients kept.
}

// MFCCFeatures returns the utterance's features: the mean and the standard deviation over frames
// of its MFCCs (Hamming window, power spectrum, mel filter bank, log, DCT) — 2·MFCCs numbers.
func MFCCFeatures(x []float64, sampleRate float64, fc FeatureConfig) ([]float64, error) {
	frames, err := STFT(x, Hamming(fc.FrameSize), fc.Hop)
	if err != nil {
		return nil, err
	}
	logMel := LogMel(Magnitudes(frames), MelFilterBank(fc.MelBands, fc.FrameSize, sampleRate))
	// Only frames with sound: drop the padded ends (their energy is far below the utterance's).
	var coeffs [][]float64
	var top float64 = math.Inf(-1)
	for _, lm := range logMel {
		top = math.Max(top, energy(lm))
	}
	for _, lm := range logMel {
		if energy(lm) > top-10 {
			coeffs = append(coeffs, DCT(lm, fc.MFCCs))
		}
	}
	feat := make([]float64, 2*fc.MFCCs)
	for _, c := range coeffs {
		for k, v := range c {
			feat[k] += v / float64(len(coeffs))
		}
	}
	for _, c := range coeffs {
		for k, v := range c {
			d := v - feat[k]
			feat[fc.MFCCs+k] += d * d / float64(len(coeffs))
		}
	}
	for k := range fc.MFCCs {
		feat[fc.MFCCs+k] = math.Sqrt(feat[fc.MFCCs+k])
	}
	return feat, nil
}

// energy is the log of the summed mel energies of one frame (given as logs).
func energy(logMel []float64) float64 {
	var s float64
	for _, v := range logMel {
		s += math.Exp(v)
	}
	return math.Log(s)
}
