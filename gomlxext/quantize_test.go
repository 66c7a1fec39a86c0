package gomlxext

import (
	"math"
	"testing"
)

// TestQuantizeInt8 checks per-channel symmetric int8 quantization on a [3, 2] kernel: each
// channel's largest magnitude maps to ±127, every value comes back within half a step (s_c/2),
// an all-zero channel stays zero, and the storage is one byte per value plus a float32 per channel.
func TestQuantizeInt8(t *testing.T) {
	w := []float32{
		0.5, 0,
		-1.27, 0,
		0.01, 0,
	}
	q, err := QuantizeInt8(w, []int{3, 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Scales) != 2 || math.Abs(float64(q.Scales[0])-0.01) > 1e-7 || q.Scales[1] != 0 {
		t.Fatalf("scales %v, want [0.01 0]", q.Scales)
	}
	if want := []int8{50, 0, -127, 0, 1, 0}; string(int8Bytes(q.Values)) != string(int8Bytes(want)) {
		t.Errorf("values %v, want %v", q.Values, want)
	}
	back := q.Dequantize()
	for i := range w {
		if d := math.Abs(float64(back[i] - w[i])); d > float64(q.Scales[i%2])/2+1e-7 {
			t.Errorf("value %d: %g came back as %g (error %g > half a step)", i, w[i], back[i], d)
		}
	}
	if q.Bytes() != 6+8 {
		t.Errorf("Bytes() = %d, want 6 values + 2 scales × 4 = 14", q.Bytes())
	}
	bias, err := QuantizeInt8([]float32{-2, 1}, []int{2})
	if err != nil || len(bias.Scales) != 1 || bias.Values[0] != -127 {
		t.Errorf("rank-1 tensor: %+v, %v; want one channel with -2 → -127", bias, err)
	}
	if _, err := QuantizeInt8(w, []int{4, 2}); err == nil {
		t.Error("a shape that does not fit the values: no error")
	}
	if _, err := QuantizeInt8([]float32{float32(math.NaN())}, []int{1}); err == nil {
		t.Error("NaN: no error")
	}
}

func int8Bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// TestFloat16 checks the half-precision round trip: exact for values it can hold, within its
// relative precision 2⁻¹¹ otherwise, ±Inf beyond its range.
func TestFloat16(t *testing.T) {
	in := []float32{1, -0.5, 0.1, 3.14159, 70000}
	h := FromFloat16(ToFloat16(in))
	if h[0] != 1 || h[1] != -0.5 {
		t.Errorf("exact values changed: %v", h[:2])
	}
	for i := 2; i < 4; i++ {
		if rel := math.Abs(float64(h[i]-in[i])) / math.Abs(float64(in[i])); rel > 1.0/2048 || rel == 0 {
			t.Errorf("%g → %g: relative error %g, want in (0, 2⁻¹¹]", in[i], h[i], rel)
		}
	}
	if !math.IsInf(float64(h[4]), 1) {
		t.Errorf("70000 → %g, want +Inf (beyond float16's 65504)", h[4])
	}
}
