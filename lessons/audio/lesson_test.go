package audio

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/dl4go/dl4go/plotting"

	"github.com/dl4go/dl4go/lessons"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if math.Abs(out.AliasPeak-out.AliasExpected) > 2 || math.Abs(out.CepstrumPitch-out.TruePitch) > 0.05*out.TruePitch ||
		out.EngineFFTDiff > 1e-9 || !(out.LeakageHammingAt10 < out.LeakageRectAt10-10) || out.Vowel.TestAcc <= out.Vowel.CentroidAcc-0.05 {
		t.Errorf("alias %.1f Hz (expected %.1f), cepstrum pitch %.1f (true %.1f), engine FFT diff %g, leakage rect %.1f / Hamming %.1f dB, vowels %.3f vs centroid %.3f",
			out.AliasPeak, out.AliasExpected, out.CepstrumPitch, out.TruePitch, out.EngineFFTDiff, out.LeakageRectAt10, out.LeakageHammingAt10, out.Vowel.TestAcc, out.Vowel.CentroidAcc)
	}
	charts := map[string]func() (*plotting.Chart, error){
		"alias": out.AliasChart, "quantization": out.QuantizationChart, "fft": out.FFTTimeChart, "leakage": out.LeakageChart,
		"spectrogram": out.SpectrogramChart, "mel": MelChart, "bank": out.FilterBankChart, "logmel": out.LogMelChart,
		"cepstrum": out.CepstrumChart, "confusion": out.ConfusionChart,
	}
	for name, f := range charts {
		c, err := f()
		if err == nil {
			err = plotting.Display(c)
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	if _, _, _, err := out.AliasSounds(); err != nil {
		t.Error(err)
	}
	if _, _, err := out.QuantizedSounds(4, 16); err != nil {
		t.Error(err)
	}
}

// TestTransforms checks the transforms against their definitions on small cases.
func TestTransforms(t *testing.T) {
	x := []complex128{1, 2i, -1, 0.5, 3, -2i, 0, 1}
	fast, err := FFT(x)
	if err != nil {
		t.Fatal(err)
	}
	back, err := IFFT(fast)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range DFT(x) {
		if cmplx.Abs(v-fast[k]) > 1e-12 || cmplx.Abs(back[k]-x[k]) > 1e-12 {
			t.Fatalf("bin %d: DFT %v FFT %v; IFFT(FFT) %v vs %v", k, v, fast[k], back[k], x[k])
		}
	}
	if _, err := FFT(make([]complex128, 6)); err == nil {
		t.Error("FFT of 6 samples: no error")
	}
	// DCT of a constant puts everything in coefficient 0; the mel scale round-trips.
	if d := DCT([]float64{2, 2, 2, 2}, 3); math.Abs(d[0]-4) > 1e-12 || math.Abs(d[1]) > 1e-12 {
		t.Errorf("DCT of a constant: %v", d)
	}
	if f := MelToHz(HzToMel(1234)); math.Abs(f-1234) > 1e-9 || math.Abs(HzToMel(1000)-1000) > 0.5 {
		t.Errorf("mel: 1234 Hz → %g; 1000 Hz is %g mel", f, HzToMel(1000))
	}
	if q := Quantize([]float64{0.3, -1, 1}, 2); q[0] != 0.5 || q[1] != -1 || q[2] != 0.5 {
		t.Errorf("2-bit quantization of 0.3, −1, 1: %v, want 0.5 −1 0.5", q)
	}
	if f := AliasFrequency(7000, 8000); f != 1000 {
		t.Errorf("7 kHz at 8 kHz aliases to %g", f)
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}
