package plotting

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html"
	"math"
)

// Sound is mono audio shown as an inline player: in a cell through [Show],
// in a page through [Sound.HTML] (an <audio controls> with a WAV data URI).
type Sound struct {
	Samples    []float32 // in [-1, 1]; clipped when encoded
	SampleRate int       // Hz
	Title      string    // shown above the player when not empty
}

// Audio wraps samples (mono, values in [-1, 1], clipped) at sampleRate Hz.
// NaN/Inf samples, no samples or a bad rate are errors.
//
//	s, err := plotting.Audio(wave, 16000)
//	plotting.Show(s)
func Audio(samples []float32, sampleRate int) (*Sound, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("plotting.Audio: no samples")
	}
	if sampleRate < 1 || sampleRate > 384000 {
		return nil, fmt.Errorf("plotting.Audio: sample rate %d Hz outside 1..384000", sampleRate)
	}
	for i, v := range samples {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("plotting.Audio: sample %d is %v", i, v)
		}
	}
	return &Sound{Samples: samples, SampleRate: sampleRate}, nil
}

// WAV encodes the sound as a 16-bit PCM mono RIFF/WAVE file.
func (s *Sound) WAV() []byte {
	n := len(s.Samples)
	b := make([]byte, 44+2*n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)                     // fmt chunk size
	binary.LittleEndian.PutUint16(b[20:], 1)                      // PCM
	binary.LittleEndian.PutUint16(b[22:], 1)                      // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(s.SampleRate))   // sample rate
	binary.LittleEndian.PutUint32(b[28:], uint32(s.SampleRate*2)) // byte rate
	binary.LittleEndian.PutUint16(b[32:], 2)                      // block align
	binary.LittleEndian.PutUint16(b[34:], 16)                     // bits per sample
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i, v := range s.Samples {
		x := math.Max(-1, math.Min(1, float64(v)))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(math.Round(x*32767))))
	}
	return b
}

// HTML returns an <audio controls> element playing the WAV from a data URI.
func (s *Sound) HTML() (string, error) {
	if s == nil || len(s.Samples) == 0 || s.SampleRate <= 0 {
		return "", fmt.Errorf("plotting: empty sound")
	}
	t := ""
	if s.Title != "" {
		t = "<div>" + html.EscapeString(s.Title) + "</div>"
	}
	return fmt.Sprintf(`<div class="dl4go-audio">%s<audio controls preload="auto" src="data:audio/wav;base64,%s"></audio></div>`,
		t, base64.StdEncoding.EncodeToString(s.WAV())), nil
}
