package detection

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

func TestTransposedConvRecipeMatchesEngine(t *testing.T) {
	x := [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	backend := gomlxext.MustBackend()
	for _, tc := range []struct {
		name                    string
		kernel                  [][]float64
		stride, padding, wantHW int
	}{
		{"k3 s2 p0", [][]float64{{1, 2, 0}, {0, -1, 3}, {2, 1, 1}}, 2, 0, 7},
		{"k3 s2 p1", [][]float64{{1, 2, 0}, {0, -1, 3}, {2, 1, 1}}, 2, 1, 5},
		{"k4 s2 p1 (FCN ×2)", [][]float64{{1, 0, 2, 1}, {0, 1, 0, -1}, {3, 1, 1, 0}, {1, -2, 0, 1}}, 2, 1, 6},
		{"k2 s1 p0", [][]float64{{1, 2}, {3, 4}}, 1, 0, 4},
		{"k3 s3 p2", [][]float64{{1, 2, 0}, {0, -1, 3}, {2, 1, 1}}, 3, 2, 5},
	} {
		steps, err := TransposedConvRecipe(x, tc.kernel, tc.stride, tc.padding)
		if err != nil {
			t.Fatal(err)
		}
		got := steps[2]
		if len(got) != tc.wantHW || len(got[0]) != tc.wantHW {
			t.Fatalf("%s: output %d×%d, want %d×%d", tc.name, len(got), len(got[0]), tc.wantHW, tc.wantHW)
		}
		if n := len(steps[0]); n != (len(x)-1)*tc.stride+1 {
			t.Errorf("%s: step 1 size %d", tc.name, n)
		}
		scatter := TransposedConvScatter(x, tc.kernel, tc.stride, tc.padding)
		op, grad, err := TransposedConvEngine(backend, x, tc.kernel, tc.stride, tc.padding)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			for j := range got[i] {
				for name, other := range map[string][][]float64{"scatter": scatter, "engine op": op, "engine gradient": grad} {
					if math.Abs(got[i][j]-other[i][j]) > 1e-4 {
						t.Fatalf("%s: recipe[%d][%d] = %v, %s = %v", tc.name, i, j, got[i][j], name, other[i][j])
					}
				}
			}
		}
	}
	if _, err := TransposedConvRecipe(x, [][]float64{{1}}, 2, 1); err == nil {
		t.Error("padding > kernel−1 accepted")
	}
}
