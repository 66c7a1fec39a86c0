package ctc

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dl4go/dl4go/lessons/audio"
)

// DataConfig describes the synthetic "spoken" sequences: each a run of vowels of lesson 13
// (あいうえお: labels 1 … 5) said by one speaker, every vowel of random duration, with silences
// between and around them and background noise; features are log-mel frames.
type DataConfig struct {
	SampleRate float64
	// MinSymbols … MaxSymbols vowels per utterance, each MinDur … MaxDur seconds. Two different
	// vowels follow each other after 0 … MaxGap seconds of silence (often none: they glide into
	// each other); a repeated vowel only after MinGap … MaxGap, as a pause is what keeps "a a"
	// apart from a long "a". The utterance starts and ends with MinGap … MaxGap of silence.
	MinSymbols, MaxSymbols int
	MinDur, MaxDur         float64
	MinGap, MaxGap         float64
	Noise                  float64 // standard deviation of the background noise (peaks are 0.9).
	// TrainSpeakers say the training utterances, TestSpeakers (never heard in training) the
	// held-out ones; TrainSize and TestSize utterances.
	TrainSpeakers, TestSpeakers int
	TrainSize, TestSize         int
	Features                    audio.FeatureConfig // frames (FrameSize, Hop) and MelBands.
	Seed                        uint64
}

// NumClasses is the blank plus the five vowels.
const NumClasses = 6

// Utterance is one sequence: its samples, its log-mel frames and its labels.
type Utterance struct {
	Samples []float64
	Frames  [][]float64 // [frames][mel bands], mean-normalised per band over the utterance.
	Labels  []int       // vowels 1 … 5
	Speaker audio.Speaker
}

// Dataset is the training and held-out utterances.
type Dataset struct {
	Train, Test []Utterance
	// MaxFrames and MaxLabels bound every utterance (the models' padded shapes).
	MaxFrames, MaxLabels int
}

// MakeDataset synthesises the utterances of cfg.
func MakeDataset(cfg DataConfig) (*Dataset, error) {
	if cfg.MinSymbols < 1 || cfg.MaxSymbols < cfg.MinSymbols || cfg.TrainSize < 1 || cfg.TestSize < 1 {
		return nil, fmt.Errorf("ctc: invalid data config %+v", cfg)
	}
	voices := audio.Speakers(cfg.TrainSpeakers+cfg.TestSpeakers, cfg.Seed)
	rng := rand.New(rand.NewPCG(cfg.Seed, 14))
	d := &Dataset{MaxLabels: cfg.MaxSymbols}
	synth := func(n int, speakers []audio.Speaker) ([]Utterance, error) {
		var out []Utterance
		for i := range n {
			u, err := utterance(cfg, speakers[i%len(speakers)], rng, i)
			if err != nil {
				return nil, err
			}
			d.MaxFrames = max(d.MaxFrames, len(u.Frames))
			out = append(out, u)
		}
		return out, nil
	}
	var err error
	if d.Train, err = synth(cfg.TrainSize, voices[:cfg.TrainSpeakers]); err != nil {
		return nil, err
	}
	if d.Test, err = synth(cfg.TestSize, voices[cfg.TrainSpeakers:]); err != nil {
		return nil, err
	}
	return d, nil
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func utterance(cfg DataConfig, s audio.Speaker, rng *rand.Rand, take int) (Utterance, error) {
	u := Utterance{Speaker: s}
	silence := func(sec float64) {
		u.Samples = append(u.Samples, make([]float64, int(sec*cfg.SampleRate))...)
	}
	silence(uniform(rng, cfg.MinGap, cfg.MaxGap))
	n := cfg.MinSymbols + rng.IntN(cfg.MaxSymbols-cfg.MinSymbols+1)
	for i := range n {
		v := rng.IntN(len(audio.Vowels))
		switch {
		case i > 0 && v+1 == u.Labels[i-1]:
			silence(uniform(rng, cfg.MinGap, cfg.MaxGap))
		case i > 0 && rng.Float64() < 0.5:
			silence(uniform(rng, 0, cfg.MaxGap))
		}
		x, err := audio.Synthesize(v, s, cfg.SampleRate, uniform(rng, cfg.MinDur, cfg.MaxDur), 1000+take*10+i)
		if err != nil {
			return u, err
		}
		u.Samples = append(u.Samples, x...)
		u.Labels = append(u.Labels, v+1)
	}
	silence(uniform(rng, cfg.MinGap, cfg.MaxGap))
	for i := range u.Samples {
		u.Samples[i] += cfg.Noise * rng.NormFloat64()
	}
	f := cfg.Features
	stft, err := audio.STFT(u.Samples, audio.Hamming(f.FrameSize), f.Hop)
	if err != nil {
		return u, err
	}
	u.Frames = audio.LogMel(audio.Magnitudes(stft), audio.MelFilterBank(f.MelBands, f.FrameSize, cfg.SampleRate))
	for m := range f.MelBands {
		var mean float64
		for _, fr := range u.Frames {
			mean += fr[m] / float64(len(u.Frames))
		}
		for _, fr := range u.Frames {
			fr[m] = (fr[m] - mean) / 4
		}
	}
	if math.IsNaN(u.Frames[0][0]) {
		return u, fmt.Errorf("ctc: NaN features")
	}
	return u, nil
}
