package audio

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/plotting"
)

// Sound wraps samples for an audio player in the notebook (and the exported page).
func Sound(x []float64, sampleRate float64) (*plotting.Sound, error) {
	s := make([]float32, len(x))
	for i, v := range x {
		s[i] = float32(v)
	}
	return plotting.Audio(s, int(sampleRate))
}

// AliasSounds returns, for the ear: AliasTone sampled at a rate well above twice its frequency
// (it sounds as it is), sampled at AliasRate (it sounds at the alias), and the alias itself.
func (o *Outcome) AliasSounds() (clean, aliased, alias *plotting.Sound, err error) {
	c := o.Config
	hi := 4 * c.AliasTone
	if clean, err = Sound(Tone(c.AliasTone, 0.5, 0, hi, int(hi)), hi); err != nil {
		return
	}
	if aliased, err = Sound(Tone(c.AliasTone, 0.5, 0, c.AliasRate, int(c.AliasRate)), c.AliasRate); err != nil {
		return
	}
	alias, err = Sound(Tone(o.AliasExpected, 0.5, math.Pi, c.AliasRate, int(c.AliasRate)), c.AliasRate)
	return
}

// AliasChart draws 2 ms of the tone above the Nyquist frequency, the samples taken at AliasRate
// (joined by straight lines), and the tone of the folded frequency: they agree at every sample.
func (o *Outcome) AliasChart() (*plotting.Chart, error) {
	c := o.Config
	const over = 16 // grid points per sample
	n := int(0.002*c.AliasRate) * over
	t := make([]float64, n+1)
	tone, alias, samples := make([]float64, n+1), make([]float64, n+1), make([]float64, n+1)
	for i := range t {
		sec := float64(i) / (c.AliasRate * over)
		t[i] = 1e3 * sec
		tone[i] = math.Sin(2 * math.Pi * c.AliasTone * sec)
		alias[i] = math.Sin(2*math.Pi*o.AliasExpected*sec + math.Pi)
		k := i / over
		a := math.Sin(2 * math.Pi * c.AliasTone * float64(k) / c.AliasRate)
		b := math.Sin(2 * math.Pi * c.AliasTone * float64(k+1) / c.AliasRate)
		frac := float64(i%over) / over
		samples[i] = a + frac*(b-a)
	}
	return plotting.Line(fmt.Sprintf("%.0f Hz sampled at %.0f Hz: the samples are those of %.0f Hz", c.AliasTone, c.AliasRate, o.AliasExpected), t,
		[]plotting.Series{{Name: fmt.Sprintf("%.0f Hz tone", c.AliasTone), Y: tone}, {Name: "samples, joined", Y: samples},
			{Name: fmt.Sprintf("%.0f Hz (the alias)", o.AliasExpected), Y: alias}},
		plotting.WithAxisNames("ms", "amplitude"))
}

// QuantizationChart draws the measured SNR against the bit depth, with the 6.02·bits + 1.76 dB rule.
func (o *Outcome) QuantizationChart() (*plotting.Chart, error) {
	x, rule := make([]float64, len(o.Config.Bits)), make([]float64, len(o.Config.Bits))
	for i, b := range o.Config.Bits {
		x[i], rule[i] = float64(b), 6.02*float64(b)+1.76
	}
	return plotting.Line(fmt.Sprintf("quantization: measured %.2f dB per bit", o.SNRSlope), x,
		[]plotting.Series{{Name: "measured SNR", Y: o.SNR}, {Name: "6.02·bits + 1.76", Y: rule}},
		plotting.WithAxisNames("bits", "SNR (dB)"))
}

// QuantizedSounds returns the vowel "a" quantized to lo and to hi bits, for the ear.
func (o *Outcome) QuantizedSounds(lo, hi int) (low, high *plotting.Sound, err error) {
	speech := o.Speech[:len(o.Speech)/5] // the "a"
	if low, err = Sound(Quantize(speech, lo), o.Config.SampleRate); err != nil {
		return nil, nil, err
	}
	high, err = Sound(Quantize(speech, hi), o.Config.SampleRate)
	return low, high, err
}

// FFTTimeChart draws the time of DFT and FFT against the transform size (log scale).
func (o *Outcome) FFTTimeChart() (*plotting.Chart, error) {
	x := make([]float64, len(o.Config.FFTSizes))
	for i, n := range o.Config.FFTSizes {
		x[i] = float64(n)
	}
	ms := func(s []float64) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = 1e3 * v
		}
		return out
	}
	return plotting.Line("DFT (N²) vs FFT (N log N)", x, []plotting.Series{{Name: "DFT", Y: ms(o.DFTSeconds)}, {Name: "FFT", Y: ms(o.FFTSeconds)}},
		plotting.WithAxisNames("N", "ms"), plotting.WithLogY())
}

// LeakageChart draws the power spectra of the between-bins tone with both windows.
func (o *Outcome) LeakageChart() (*plotting.Chart, error) {
	x := make([]float64, len(o.LeakageRect))
	for i := range x {
		x[i] = float64(i)
	}
	return plotting.Line(fmt.Sprintf("spectral leakage of a tone between bins (%.1f)", o.Config.LeakageBin), x,
		[]plotting.Series{{Name: "rectangular window", Y: o.LeakageRect}, {Name: "Hamming window", Y: o.LeakageHamming}},
		plotting.WithAxisNames("bin", "dB"), plotting.WithRange(-100, 0))
}

// SpeechSound is "a i u e o" by one held-out speaker.
func (o *Outcome) SpeechSound() (*plotting.Sound, error) { return Sound(o.Speech, o.Config.SampleRate) }

// spectrogram returns the log-magnitude spectrogram of the speech (Hamming window).
func (o *Outcome) spectrogram() ([][]float64, error) {
	f := o.Config.Features
	frames, err := STFT(o.Speech, Hamming(f.FrameSize), f.Hop)
	if err != nil {
		return nil, err
	}
	return Magnitudes(frames), nil
}

// timeLabels names the columns of a spectrogram-like heat map.
func (o *Outcome) timeLabels(n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = fmt.Sprintf("%.2f s", float64(i*o.Config.Features.Hop)/o.Config.SampleRate)
	}
	return l
}

// SpectrogramChart draws the speech's spectrogram: time across, frequency up, brightness the
// amplitude in dB (bins up to 5 kHz).
func (o *Outcome) SpectrogramChart() (*plotting.Chart, error) {
	mags, err := o.spectrogram()
	if err != nil {
		return nil, err
	}
	f := o.Config.Features
	top := int(5000 / o.Config.SampleRate * float64(f.FrameSize))
	z := make([][]float64, 0, top/2)
	var freq []string
	for k := top - 1; k >= 0; k -= 2 {
		row := make([]float64, len(mags))
		for t := range mags {
			row[t] = 20 * math.Log10(mags[t][k]+1e-6)
		}
		z = append(z, row)
		freq = append(freq, fmt.Sprintf("%.0f Hz", float64(k)*o.Config.SampleRate/float64(f.FrameSize)))
	}
	return plotting.Heatmap("spectrogram of \"a i u e o\" (dB)", z, o.timeLabels(len(mags)), freq,
		plotting.WithAxisNames("time", "frequency"), plotting.WithSize("900px", "420px"))
}

// MelChart draws the mel scale against Hz.
func MelChart() (*plotting.Chart, error) {
	var x, m []float64
	for f := 0.0; f <= 8000; f += 100 {
		x, m = append(x, f), append(m, HzToMel(f))
	}
	return plotting.Line("the mel scale: m = 2595 log₁₀(1 + f/700)", x, []plotting.Series{{Name: "mel", Y: m}},
		plotting.WithAxisNames("Hz", "mel"))
}

// FilterBankChart draws the triangular mel filters over the spectrum's bins.
func (o *Outcome) FilterBankChart() (*plotting.Chart, error) {
	f := o.Config.Features
	bank := MelFilterBank(f.MelBands, f.FrameSize, o.Config.SampleRate)
	x := make([]float64, f.FrameSize/2+1)
	for k := range x {
		x[k] = float64(k) * o.Config.SampleRate / float64(f.FrameSize)
	}
	var series []plotting.Series
	for m, filt := range bank {
		series = append(series, plotting.Series{Name: fmt.Sprintf("filter %d", m), Y: filt})
	}
	return plotting.Line(fmt.Sprintf("%d mel filters: narrow at low frequencies, wide at high ones", f.MelBands), x, series,
		plotting.WithAxisNames("Hz", "weight"))
}

// LogMelChart draws the speech's log-mel spectrogram (mel band up, time across).
func (o *Outcome) LogMelChart() (*plotting.Chart, error) {
	mags, err := o.spectrogram()
	if err != nil {
		return nil, err
	}
	f := o.Config.Features
	lm := LogMel(mags, MelFilterBank(f.MelBands, f.FrameSize, o.Config.SampleRate))
	z := make([][]float64, f.MelBands)
	bands := make([]string, f.MelBands)
	for m := range f.MelBands {
		row := f.MelBands - 1 - m
		z[row] = make([]float64, len(lm))
		for t := range lm {
			z[row][t] = lm[t][m]
		}
		bands[row] = fmt.Sprintf("mel %d", m)
	}
	return plotting.Heatmap("log-mel spectrogram", z, o.timeLabels(len(lm)), bands, plotting.WithAxisNames("time", "mel band"))
}

// CepstrumChart draws the cepstrum of a frame of the vowel "a" against quefrency, up to 20 ms.
func (o *Outcome) CepstrumChart() (*plotting.Chart, error) {
	n := int(0.02 * o.Config.SampleRate)
	x, y := make([]float64, n-1), make([]float64, n-1)
	for q := 1; q < n; q++ {
		x[q-1], y[q-1] = 1e3*float64(q)/o.Config.SampleRate, o.Cepstrum[q]
	}
	return plotting.Line(fmt.Sprintf("cepstrum of \"a\": pitch peak at %.2f ms = %.0f Hz (the speaker's f0: %.0f Hz)",
		1e3/o.CepstrumPitch, o.CepstrumPitch, o.TruePitch), x, []plotting.Series{{Name: "cepstrum", Y: y}},
		plotting.WithAxisNames("quefrency (ms)", ""))
}

// ConfusionChart draws the recogniser's confusion matrix on the held-out speakers.
func (o *Outcome) ConfusionChart() (*plotting.Chart, error) {
	z := make([][]float64, len(o.Vowel.Confusion))
	for i, row := range o.Vowel.Confusion {
		z[i] = make([]float64, len(row))
		for j, v := range row {
			z[i][j] = float64(v)
		}
	}
	return plotting.Heatmap(fmt.Sprintf("vowels of held-out speakers: %.1f%% right", 100*o.Vowel.TestAcc), z, Vowels, Vowels,
		plotting.WithAxisNames("predicted", "spoken"), plotting.WithCellValues(true))
}
