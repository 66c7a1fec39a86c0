package audio

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 13 to the lesson kit.
var Lesson = lessons.Lesson{ID: "13", Name: "audio"}

// Config sizes the lesson.
type Config struct {
	lessons.Options `json:"-"`

	SampleRate float64 // Hz, for everything but the aliasing demo.
	// AliasTone (Hz) is sampled at AliasRate, above its Nyquist frequency AliasRate/2.
	AliasTone, AliasRate float64
	// Bits are the quantization depths measured.
	Bits []int
	// FFTSizes are the transform sizes timed; CheckSize the size FFT and DFT are compared at.
	FFTSizes  []int
	CheckSize int
	// LeakageFrame is the frame of the window comparison, with a tone LeakageBin bins (a
	// fraction: between two bins) into it.
	LeakageFrame int
	LeakageBin   float64
	// Features are the STFT/MFCC settings; Vowels the recogniser.
	Features FeatureConfig
	Vowels   VowelConfig
	// Thresholds: FFT vs DFT (max abs), the SNR slope's distance from 6.02 dB/bit, the STFT → iSTFT
	// round trip (max abs), and the held-out-speaker vowel accuracy.
	FFTTolerance, SlopeTolerance, RoundTripTolerance, MinVowelAcc float64
}

// Full is the notebook's lesson.
func Full() Config {
	feat := FeatureConfig{FrameSize: 512, Hop: 160, MelBands: 26, MFCCs: 13}
	return Config{
		SampleRate: 16000, AliasTone: 7000, AliasRate: 8000,
		Bits:     []int{4, 6, 8, 10, 12, 14, 16},
		FFTSizes: []int{64, 128, 256, 512, 1024, 2048, 4096}, CheckSize: 1024,
		LeakageFrame: 256, LeakageBin: 20.5,
		Features: feat,
		Vowels: VowelConfig{SampleRate: 16000, Seconds: 0.3, TrainSpeakers: 24, TestSpeakers: 12, Takes: 4,
			Features: feat, Hidden: 32, Steps: 1500, Batch: 32, LearningRate: 3e-3, Seed: 13},
		FFTTolerance: 1e-9, SlopeTolerance: 0.5, RoundTripTolerance: 1e-6, MinVowelAcc: 0.95,
	}
}

// Quick is the same lesson with fewer speakers, steps and timed sizes, for tests and CI.
func Quick() Config {
	c := Full()
	c.FFTSizes = []int{64, 256, 1024}
	c.Vowels.TrainSpeakers, c.Vowels.TestSpeakers, c.Vowels.Takes, c.Vowels.Steps = 10, 6, 2, 300
	c.MinVowelAcc = 0.80
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Outcome is what Run measured, with what its charts and players need.
type Outcome struct {
	Config Config
	// AliasPeak is the measured frequency of AliasTone sampled at AliasRate; AliasExpected the
	// folded frequency |f − k·fs|.
	AliasPeak, AliasExpected float64
	// SNR[i] is the measured SNR (dB) at Bits[i]; SNRSlope the fitted dB per bit.
	SNR      []float64
	SNRSlope float64
	// FFTMaxDiff is max |FFT − DFT| at CheckSize (random complex input); EngineFFTDiff the same for
	// the engine's RealFFT op against FFT; DFTSeconds, FFTSeconds the times at each FFTSizes.
	FFTMaxDiff, EngineFFTDiff float64
	DFTSeconds, FFTSeconds    []float64
	// Leakage in dB (power spectra, peak at 0 dB) of the between-bins tone, for each window;
	// LeakageAt10 the level 10 bins from the peak.
	LeakageRect, LeakageHamming         []float64
	LeakageRectAt10, LeakageHammingAt10 float64
	// Speech is "a i u e o" by one held-out speaker; RoundTripMaxDiff max |iSTFT(STFT(x)) − x|.
	Speech           []float64
	RoundTripMaxDiff float64
	// CepstrumPitch is f0 read from the cepstrum's peak of a vowel frame; TruePitch the speaker's.
	CepstrumPitch, TruePitch float64
	Cepstrum                 []float64
	// Vowel is the recogniser's outcome.
	Vowel *VowelOutcome
	Wall  time.Duration
}

// Result is the lesson's RESULT line: the vowel recogniser's accuracy on speakers never heard in
// training. If any numerical check misses its tolerance, the line reports that check instead.
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	for _, r := range []lessons.Result{
		{Metric: "fft_vs_dft_max_abs_diff", Value: o.FFTMaxDiff, Threshold: c.FFTTolerance, LowerIsBetter: true},
		{Metric: "snr_slope_db_per_bit_off_6.02", Value: math.Abs(o.SNRSlope - 6.02), Threshold: c.SlopeTolerance, LowerIsBetter: true},
		{Metric: "stft_istft_max_abs_diff", Value: o.RoundTripMaxDiff, Threshold: c.RoundTripTolerance, LowerIsBetter: true},
	} {
		if r.Lesson = Lesson.ID; !r.OK() {
			return r
		}
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "vowel_accuracy_heldout_speakers", Value: o.Vowel.TestAcc, Threshold: c.MinVowelAcc}
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	return fmt.Sprintf("aliasing: %.0f Hz sampled at %.0f Hz sounds at %.1f Hz (expected %.0f)\n"+
		"quantization: %.2f dB per bit (rule: 6.02)\n"+
		"FFT vs DFT at n=%d: max difference %.1e; engine RealFFT vs FFT %.1e\n"+
		"leakage 10 bins from a between-bins tone: rectangular %.1f dB, Hamming %.1f dB\n"+
		"STFT → iSTFT round trip: max difference %.1e\n"+
		"cepstrum pitch %.1f Hz (true %.1f)\n"+
		"vowels, held-out speakers: MLP on MFCCs %.3f, nearest centroid %.3f, chance %.3f\n",
		o.Config.AliasTone, o.Config.AliasRate, o.AliasPeak, o.AliasExpected, o.SNRSlope,
		o.Config.CheckSize, o.FFTMaxDiff, o.EngineFFTDiff, o.LeakageRectAt10, o.LeakageHammingAt10,
		o.RoundTripMaxDiff, o.CepstrumPitch, o.TruePitch, o.Vowel.TestAcc, o.Vowel.CentroidAcc, 1/float64(len(Vowels)))
}

// Run does the whole lesson: every signal-processing measurement (cheap, computed every time),
// then trains (or resumes, or restores) the vowel recogniser and scores it on held-out speakers.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}

	alias := Tone(cfg.AliasTone, 0.8, 0, cfg.AliasRate, int(cfg.AliasRate/2))
	if out.AliasPeak, err = PeakFrequency(alias, cfg.AliasRate); err != nil {
		return nil, err
	}
	out.AliasExpected = AliasFrequency(cfg.AliasTone, cfg.AliasRate)

	out.SNR = QuantizationSNR(cfg.Bits, int(cfg.SampleRate))
	bits := make([]float64, len(cfg.Bits))
	for i, b := range cfg.Bits {
		bits[i] = float64(b)
	}
	out.SNRSlope = Slope(bits, out.SNR)

	rng := rand.New(rand.NewPCG(uint64(cfg.CheckSize), 5))
	x := make([]complex128, cfg.CheckSize)
	for i := range x {
		x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	fast, err := FFT(x)
	if err != nil {
		return nil, err
	}
	for k, v := range DFT(x) {
		out.FFTMaxDiff = math.Max(out.FFTMaxDiff, cmplx.Abs(v-fast[k]))
	}
	if out.EngineFFTDiff, err = EngineFFTDiff(backend, 8, cfg.CheckSize, 7); err != nil {
		return nil, err
	}
	for _, n := range cfg.FFTSizes {
		d, f, err := timeTransforms(n)
		if err != nil {
			return nil, err
		}
		out.DFTSeconds, out.FFTSeconds = append(out.DFTSeconds, d), append(out.FFTSeconds, f)
	}

	tone := Tone(cfg.LeakageBin*cfg.SampleRate/float64(cfg.LeakageFrame), 1, 0, cfg.SampleRate, cfg.LeakageFrame)
	if out.LeakageRect, err = normalisedDB(tone, Rectangular(cfg.LeakageFrame)); err != nil {
		return nil, err
	}
	if out.LeakageHamming, err = normalisedDB(tone, Hamming(cfg.LeakageFrame)); err != nil {
		return nil, err
	}
	at := int(math.Round(cfg.LeakageBin)) + 10
	out.LeakageRectAt10, out.LeakageHammingAt10 = out.LeakageRect[at], out.LeakageHamming[at]

	speaker := Speakers(cfg.Vowels.TrainSpeakers+cfg.Vowels.TestSpeakers, cfg.Vowels.Seed)[cfg.Vowels.TrainSpeakers]
	for v := range Vowels {
		s, err := Synthesize(v, speaker, cfg.SampleRate, 0.35, 100)
		if err != nil {
			return nil, err
		}
		out.Speech = append(out.Speech, s...)
	}
	window := Hann(cfg.Features.FrameSize)
	frames, err := STFT(out.Speech, window, cfg.Features.FrameSize/4)
	if err != nil {
		return nil, err
	}
	back, err := ISTFT(frames, window, cfg.Features.FrameSize/4, len(out.Speech))
	if err != nil {
		return nil, err
	}
	for i := range back {
		out.RoundTripMaxDiff = math.Max(out.RoundTripMaxDiff, math.Abs(back[i]-out.Speech[i]))
	}

	out.TruePitch = speaker.Pitch
	vowelA := out.Speech[int(0.1*cfg.SampleRate) : int(0.1*cfg.SampleRate)+1024]
	w := Hamming(len(vowelA))
	frame := make([]float64, len(vowelA))
	for i := range frame {
		frame[i] = vowelA[i] * w[i]
	}
	if out.Cepstrum, err = Cepstrum(frame); err != nil {
		return nil, err
	}
	lo, hi := int(cfg.SampleRate/400), int(cfg.SampleRate/60) // quefrencies of pitches 60–400 Hz
	peak := lo
	for q := lo; q <= hi; q++ {
		if out.Cepstrum[q] > out.Cepstrum[peak] {
			peak = q
		}
	}
	out.CepstrumPitch = cfg.SampleRate / float64(peak)

	set, err := MakeVowelSet(cfg.Vowels)
	if err != nil {
		return nil, err
	}
	dir, err := run.Part("vowels")
	if err != nil {
		return nil, err
	}
	if out.Vowel, err = trainVowels(backend, set, cfg.Vowels, dir, run.Quiet); err != nil {
		return nil, err
	}
	out.Wall = time.Since(t0)
	return out, nil
}

// normalisedDB is the windowed frame's power spectrum in dB relative to its peak.
func normalisedDB(x, w []float64) ([]float64, error) {
	db, err := PowerSpectrumDB(x, w)
	if err != nil {
		return nil, err
	}
	top := math.Inf(-1)
	for _, v := range db {
		top = math.Max(top, v)
	}
	for i := range db {
		db[i] -= top
	}
	return db, nil
}

// timeTransforms returns the best of three times of DFT and FFT on n random complex samples.
func timeTransforms(n int) (dft, fft float64, err error) {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	dft, fft = math.Inf(1), math.Inf(1)
	for range 3 {
		t := time.Now()
		DFT(x)
		dft = math.Min(dft, time.Since(t).Seconds())
		t = time.Now()
		if _, err := FFT(x); err != nil {
			return 0, 0, err
		}
		fft = math.Min(fft, time.Since(t).Seconds())
	}
	return dft, fft, nil
}
