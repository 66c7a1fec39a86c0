package detection

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/data/shapes"
)

func TestDefaultBoxes(t *testing.T) {
	m, err := NewSSD(48)
	if err != nil {
		t.Fatal(err)
	}
	if k := m.K(); k != 4 {
		t.Fatalf("k = %d, want 4 (two squares, 2:1 and 1:2)", k)
	}
	if n := len(m.Defaults); n != (6*6+3*3)*4 {
		t.Fatalf("%d default boxes, want (36+9)·4 = 180", n)
	}
	// The first cell of the 6×6 map is centred at (4, 4); its boxes: 12×12, √(.25·.45)·48 square,
	// 12√2 × 12/√2 and 12/√2 × 12√2.
	want := [][2]float64{{12, 12}, {math.Sqrt(0.25*0.45) * 48, math.Sqrt(0.25*0.45) * 48}, {12 * math.Sqrt2, 12 / math.Sqrt2}, {12 / math.Sqrt2, 12 * math.Sqrt2}}
	for j, w := range want {
		b := m.Defaults[j]
		if !near((b.X0+b.X1)/2, 4) || !near((b.Y0+b.Y1)/2, 4) || math.Abs(b.Width()-w[0]) > 1e-9 || math.Abs(b.Height()-w[1]) > 1e-9 {
			t.Errorf("default box %d = %v, want centre (4,4) size %v", j, b, w)
		}
	}
	// The first cell of the 3×3 map (after 144 boxes) is centred at (8, 8) with a 21.6-pixel square.
	if b := m.Defaults[144]; !near((b.X0+b.X1)/2, 8) || math.Abs(b.Width()-0.45*48) > 1e-9 {
		t.Errorf("first box of the 3×3 map = %v", b)
	}
	if _, err := NewSSD(40); err == nil {
		t.Error("NewSSD(40) accepted a size that is not a multiple of 16")
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	d := Box{X0: 10, Y0: 12, X1: 22, Y1: 20}
	for _, g := range []Box{d, {X0: 11, Y0: 9, X1: 30, Y1: 25}, {X0: 0, Y0: 0, X1: 5, Y1: 40}} {
		back := Decode(Encode(g, d), d)
		if IoU(back, g) < 1-1e-9 {
			t.Errorf("Decode(Encode(%v)) = %v", g, back)
		}
	}
	if e := Encode(d, d); e != [4]float64{} {
		t.Errorf("Encode of the default box itself = %v, want zeros", e)
	}
	// A box shifted by a tenth of the default box's width encodes Δx = 1 (variance 0.1).
	if e := Encode(Box{X0: 11.2, Y0: 12, X1: 23.2, Y1: 20}, d); !near(e[0], 1) {
		t.Errorf("Δx = %v, want 1", e[0])
	}
}

func TestMatch(t *testing.T) {
	m, _ := NewSSD(48)
	gen, _ := shapes.New(shapes.Default())
	for i := 0; i < 50; i++ {
		s := gen.Sample(i)
		labels, offsets := Match(s.Objects, m.Defaults, 0.5)
		found := make([]bool, len(s.Objects))
		for j, l := range labels {
			if l == 0 {
				if offsets[j] != [4]float64{} {
					t.Fatalf("background box %d has offsets %v", j, offsets[j])
				}
				continue
			}
			// A positive box decodes back to the object it was matched to.
			b := Decode(offsets[j], m.Defaults[j])
			for k, o := range s.Objects {
				if IoU(b, o.Box) > 1-1e-9 && int32(o.Class+1) == l {
					found[k] = true
				}
			}
		}
		for k, f := range found {
			if !f {
				t.Fatalf("sample %d: object %d matched to no default box", i, k)
			}
		}
	}
}

func TestMeanIoU(t *testing.T) {
	truth := []int32{0, 0, 0, 1, 1, 2, 2, 2}
	pred := []int32{0, 0, 1, 1, 1, 2, 2, 0}
	// background: TP 2, FP 1 (last), FN 1 → 2/4; class 1: TP 2, FP 1 → 2/3; class 2: TP 2, FN 1 → 2/3;
	// class 3 never occurs: skipped.
	m, per := MeanIoU(pred, truth, 4)
	if !near(m, (0.5+2.0/3+2.0/3)/3) || !near(per[0], 0.5) || per[3] != -1 {
		t.Errorf("mIoU %v per class %v", m, per)
	}
}
