package transfer

import (
	"testing"
)

// TestTargetSplit checks the target data: perClass images of each class, split 70/30 with no
// image in both parts, test images from MNIST's test split, labels 0..4 for digits 5..9.
func TestTargetSplit(t *testing.T) {
	s, err := targetSplit([]int{5, 6, 7, 8, 9}, 20, 0.7, 300, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 70 || s.Validation.Len() != 30 || s.Test.Len() != 300 {
		t.Fatalf("sizes %d/%d/%d, want 70/30/300", s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
	perClass := make([]int, 5)
	seen := map[string]bool{}
	for _, part := range []Images{s.Train, s.Validation} {
		for i, c := range part.Labels {
			if c < 0 || c > 4 {
				t.Fatalf("label %d", c)
			}
			perClass[c]++
			key := string(float32Bytes(part.Pixels[i*pixels : (i+1)*pixels]))
			if seen[key] {
				t.Errorf("an image is in both the training and the validation part (or twice)")
			}
			seen[key] = true
		}
	}
	for c, n := range perClass {
		if n != 20 {
			t.Errorf("class %d has %d labelled images, want 20", c, n)
		}
	}
	if _, err := targetSplit([]int{5, 6}, 20, 1, 0, 1); err == nil {
		t.Error("a train share of 1 (no validation images) accepted")
	}
}

func float32Bytes(v []float32) []byte {
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(x * 255)
	}
	return out
}

// TestEpochBatches checks the report's epochs: every training image once per epoch, batches
// of 16, one-hot labels.
func TestEpochBatches(t *testing.T) {
	im := Images{Pixels: make([]float32, 35*pixels), Labels: make([]int32, 35)}
	for i := range im.Labels {
		im.Labels[i] = int32(i % 5)
		im.Pixels[i*pixels] = float32(i) / 35
	}
	ds, perEpoch := epochBatches("t", im, 16, 5, true, 1)
	if perEpoch != 3 {
		t.Fatalf("%d steps per epoch for 35 images of batch 16, want 3", perEpoch)
	}
	count := map[float32]int{}
	for range perEpoch {
		_, in, labels, err := ds.Yield()
		if err != nil {
			t.Fatal(err)
		}
		if d := labels[0].Shape().Dimensions; d[0] != 16 || d[1] != 5 {
			t.Fatalf("labels %v, want [16 5] one-hot", d)
		}
		px := in[0].Value().([][][][]float32)
		for _, img := range px {
			count[img[0][0][0]]++
		}
	}
	if len(count) != 35 {
		t.Errorf("one epoch visited %d distinct images of 35", len(count))
	}
}
