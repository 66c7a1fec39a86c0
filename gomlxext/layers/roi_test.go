package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
)

// roiCase is a feature map [batch, h, w, c] and boxes [batch, nb, 4], flat.
type roiCase struct {
	feat            []float64
	batch, h, w, c  int
	boxes           []float64
	nb              int
	size, ratio     int
	scale           float64
	alignMax, poolA bool
}

// run executes RoIAlign (align) or RoIPool on the backend and returns the flat output.
func (rc roiCase) run(t *testing.T, align bool) []float64 {
	t.Helper()
	out, err := ExecOnce(gomlxext.MustBackend(), func(f, b *Node) *Node {
		if align {
			a := RoIAlign(f, b).OutputSize(rc.size).SamplingRatio(rc.ratio).SpatialScale(rc.scale)
			if rc.alignMax {
				a = a.Max()
			}
			return a.Done()
		}
		p := RoIPool(f, b).OutputSize(rc.size).SpatialScale(rc.scale)
		if rc.poolA {
			p = p.Average()
		}
		return p.Done()
	}, tensors.FromFlatDataAndDimensions(rc.feat, rc.batch, rc.h, rc.w, rc.c),
		tensors.FromFlatDataAndDimensions(rc.boxes, rc.batch, rc.nb, 4))
	if err != nil {
		t.Fatal(err)
	}
	if d := out.Shape().Dimensions; len(d) != 5 || d[0] != rc.batch || d[1] != rc.nb || d[2] != rc.size || d[3] != rc.size || d[4] != rc.c {
		t.Fatalf("output shape %s, want [%d %d %d %d %d]", out.Shape(), rc.batch, rc.nb, rc.size, rc.size, rc.c)
	}
	return tensors.MustCopyFlatData[float64](out)
}

func (rc roiCase) at(b, y, x, ch int) float64 { return rc.feat[((b*rc.h+y)*rc.w+x)*rc.c+ch] }

// bilinear is torchvision's bilinear_interpolate (roi_align_kernel.cpp), written out: 0 beyond
// one cell outside the map, the border value within it, else the 4 neighbours weighted.
func (rc roiCase) bilinear(b, ch int, y, x float64) float64 {
	if y < -1 || y > float64(rc.h) || x < -1 || x > float64(rc.w) {
		return 0
	}
	y, x = math.Max(y, 0), math.Max(x, 0)
	yl, xl := int(y), int(x)
	yh, xh := yl+1, xl+1
	if yl >= rc.h-1 {
		yl, yh, y = rc.h-1, rc.h-1, float64(rc.h-1)
	}
	if xl >= rc.w-1 {
		xl, xh, x = rc.w-1, rc.w-1, float64(rc.w-1)
	}
	ly, lx := y-float64(yl), x-float64(xl)
	hy, hx := 1-ly, 1-lx
	return hy*hx*rc.at(b, yl, xl, ch) + hy*lx*rc.at(b, yl, xh, ch) + ly*hx*rc.at(b, yh, xl, ch) + ly*lx*rc.at(b, yh, xh, ch)
}

// refAlign is RoI Align with loops: torchvision's roi_align(aligned=True) with a fixed sampling
// ratio, or the max of the points.
func (rc roiCase) refAlign() []float64 {
	var out []float64
	n, r := rc.size, rc.ratio
	for b := range rc.batch {
		for k := range rc.nb {
			bx := rc.boxes[(b*rc.nb+k)*4:]
			x0, y0 := bx[0]*rc.scale-0.5, bx[1]*rc.scale-0.5
			bw, bh := (bx[2]-bx[0])*rc.scale/float64(n), (bx[3]-bx[1])*rc.scale/float64(n)
			for i := range n {
				for j := range n {
					for ch := range rc.c {
						sum, mx := 0.0, math.Inf(-1)
						for iy := range r {
							y := y0 + float64(i)*bh + (float64(iy)+0.5)*bh/float64(r)
							for ix := range r {
								x := x0 + float64(j)*bw + (float64(ix)+0.5)*bw/float64(r)
								v := rc.bilinear(b, ch, y, x)
								sum, mx = sum+v, math.Max(mx, v)
							}
						}
						if rc.alignMax {
							out = append(out, mx)
						} else {
							out = append(out, sum/float64(r*r))
						}
					}
				}
			}
		}
	}
	return out
}

// refPool is RoI Pool with loops over the bins RoIPoolBins gives.
func (rc roiCase) refPool() []float64 {
	var out []float64
	for b := range rc.batch {
		for k := range rc.nb {
			bx := rc.boxes[(b*rc.nb+k)*4:]
			xs := RoIPoolBins(bx[0], bx[2], rc.scale, rc.w, rc.size)
			ys := RoIPoolBins(bx[1], bx[3], rc.scale, rc.h, rc.size)
			for _, yb := range ys {
				for _, xb := range xs {
					for ch := range rc.c {
						sum, mx, cnt := 0.0, math.Inf(-1), 0
						for y := yb[0]; y < yb[1]; y++ {
							for x := xb[0]; x < xb[1]; x++ {
								v := rc.at(b, y, x, ch)
								sum, mx, cnt = sum+v, math.Max(mx, v), cnt+1
							}
						}
						switch {
						case cnt == 0:
							out = append(out, 0)
						case rc.poolA:
							out = append(out, sum/float64(cnt))
						default:
							out = append(out, mx)
						}
					}
				}
			}
		}
	}
	return out
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestRoIAlignByHand checks one bin on a map whose values are 10·row + column: bilinear
// interpolation of a linear function is exact, so each point's value is 10·y + x at its index
// coordinates, and the 4 points can be worked out on paper.
func TestRoIAlignByHand(t *testing.T) {
	rc := roiCase{batch: 1, h: 4, w: 4, c: 1, nb: 1, size: 1, ratio: 2, scale: 1}
	for y := range 4 {
		for x := range 4 {
			rc.feat = append(rc.feat, float64(10*y+x))
		}
	}
	// Box x ∈ [0.5, 2.5), y ∈ [1, 3): points at x = 0.5 + {¼, ¾}·2 = 1, 2 and y = 1.5, 2.5 in
	// continuous coordinates, that is x = 0.5, 1.5 and y = 1, 2 between cell centres: the values
	// 10.5, 11.5, 20.5, 21.5, mean 16, max 21.5.
	rc.boxes = []float64{0.5, 1, 2.5, 3}
	if got := rc.run(t, true); math.Abs(got[0]-16) > 1e-12 {
		t.Errorf("RoIAlign mean = %v, want 16", got[0])
	}
	rc.alignMax = true
	if got := rc.run(t, true); math.Abs(got[0]-21.5) > 1e-12 {
		t.Errorf("RoIAlign max = %v, want 21.5", got[0])
	}
	// A non-linear map, one point: 2×2 cells [[1, 2], [3, 4]]; a 1-pixel box at x ∈ [0.5, 1.5),
	// y ∈ [0.25, 1.25) with one point per bin samples its centre (1, 0.75), index (0.5, 0.25):
	// (1−¼)(1−½)·1 + (1−¼)·½·2 + ¼·(1−½)·3 + ¼·½·4 = 0.375 + 0.75 + 0.375 + 0.5 = 2.
	rc = roiCase{feat: []float64{1, 2, 3, 4}, batch: 1, h: 2, w: 2, c: 1, boxes: []float64{0.5, 0.25, 1.5, 1.25}, nb: 1, size: 1, ratio: 1, scale: 1}
	if got := rc.run(t, true); math.Abs(got[0]-2) > 1e-12 {
		t.Errorf("RoIAlign of one point = %v, want 2", got[0])
	}
	if s := RoIAlignSamples(0.5, 2.5, 1, 1, 2); len(s) != 2 || s[0] != 1 || s[1] != 2 {
		t.Errorf("RoIAlignSamples(0.5, 2.5) = %v, want [1 2]", s)
	}
}

// TestRoIPoolByHand rounds a box on a stride-2 map and takes the bins' maxima.
func TestRoIPoolByHand(t *testing.T) {
	// Box x ∈ [1.3, 6.6) pixels at scale ½: [0.65, 3.3) cells, rounded to [1, 3), split into 2
	// bins: cells {1} and {2}. y ∈ [0, 8): [0, 4), bins {0, 1} and {2, 3}.
	if b := RoIPoolBins(1.3, 6.6, 0.5, 4, 2); b[0] != [2]int{1, 2} || b[1] != [2]int{2, 3} {
		t.Fatalf("RoIPoolBins(1.3, 6.6, ½) = %v, want [[1 2] [2 3]]", b)
	}
	// Three cells split in two bins overlap in the middle one: [0, 2) and [1, 3).
	if b := RoIPoolBins(0, 3, 1, 5, 2); b[0] != [2]int{0, 2} || b[1] != [2]int{1, 3} {
		t.Fatalf("RoIPoolBins(0, 3) = %v, want [[0 2] [1 3]]", b)
	}
	rc := roiCase{batch: 1, h: 4, w: 4, c: 1, nb: 1, size: 2, scale: 0.5, boxes: []float64{1.3, 0, 6.6, 8}}
	rc.feat = []float64{
		5, 1, 7, 0,
		2, 9, 3, 4,
		8, 6, 1, 2,
		0, 3, 4, 6,
	}
	// Bins (rows {0,1}, {2,3}) × (column {1}, column {2}): max(1, 9) = 9, max(7, 3) = 7,
	// max(6, 3) = 6, max(1, 4) = 4; means 5, 5, 4.5, 2.5.
	if got := rc.run(t, false); maxAbsDiff(got, []float64{9, 7, 6, 4}) > 0 {
		t.Errorf("RoIPool max = %v, want [9 7 6 4]", got)
	}
	rc.poolA = true
	if got := rc.run(t, false); maxAbsDiff(got, []float64{5, 5, 4.5, 2.5}) > 1e-12 {
		t.Errorf("RoIPool average = %v, want [5 5 4.5 2.5]", got)
	}
}

// randomCase has boxes of every kind: inside, across the border, tiny, wider than the map.
func randomCase(rng *rand.Rand) roiCase {
	rc := roiCase{batch: 2, h: 6, w: 7, c: 3, nb: 5, size: 3, ratio: 2, scale: 0.5}
	for range rc.batch * rc.h * rc.w * rc.c {
		rc.feat = append(rc.feat, rng.NormFloat64())
	}
	for range rc.batch {
		rc.boxes = append(rc.boxes, 2.2, 3.1, 9.7, 8.4, -3, -1, 4, 5, 5.1, 5.3, 5.6, 6.1, -2, 1, 16, 13,
			rng.Float64()*8, rng.Float64()*6, 8+rng.Float64()*6, 6+rng.Float64()*6)
	}
	return rc
}

// wideBinsCase has bins of 2 to 6 cells (RoIPool's maximum then combines overlapping windows).
func wideBinsCase(rng *rand.Rand) roiCase {
	rc := roiCase{batch: 2, h: 12, w: 11, c: 2, nb: 6, size: 2, ratio: 3, scale: 1}
	for range rc.batch * rc.h * rc.w * rc.c {
		rc.feat = append(rc.feat, rng.NormFloat64())
	}
	for range rc.batch * rc.nb {
		x, y := rng.Float64()*5, rng.Float64()*5
		rc.boxes = append(rc.boxes, x, y, x+4+rng.Float64()*7, y+4+rng.Float64()*7)
	}
	return rc
}

// TestRoIAgainstLoops compares both ops, both aggregations, with the loop references.
func TestRoIAgainstLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, tc := range []struct {
		name            string
		align, max, avg bool
	}{{"align mean", true, false, false}, {"align max", true, true, false}, {"pool max", false, false, false}, {"pool mean", false, false, true}} {
		for k, rc := range []roiCase{randomCase(rng), wideBinsCase(rng)} {
			rc.alignMax, rc.poolA = tc.max, tc.avg
			want := rc.refPool()
			if tc.align {
				want = rc.refAlign()
			}
			if d := maxAbsDiff(rc.run(t, tc.align), want); d > 1e-12 {
				t.Errorf("%s, case %d: differs from the loops by %g", tc.name, k, d)
			}
		}
	}
}

// TestRoIGradients checks the gradient with respect to the features against finite differences
// of Σ out·weights, for both ops, on boxes of every kind (randomCase: across the border, tiny,
// wider than the map) and on bins of several cells (wideBinsCase).
func TestRoIGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	backend := gomlxext.MustBackend()
	for _, tc := range []struct {
		align   bool
		wide    bool
		nonzero int // cells that must get a gradient
	}{{true, false, 10}, {false, false, 10}, {true, true, 30}, {false, true, 30}} {
		align := tc.align
		rc := randomCase(rng)
		if tc.wide {
			rc = wideBinsCase(rng)
		}
		weights := make([]float64, rc.batch*rc.nb*rc.size*rc.size*rc.c)
		for i := range weights {
			weights[i] = rng.NormFloat64()
		}
		loss := func(f, b *Node) *Node {
			var out *Node
			if align {
				out = RoIAlign(f, b).OutputSize(rc.size).SpatialScale(rc.scale).Done()
			} else {
				out = RoIPool(f, b).OutputSize(rc.size).SpatialScale(rc.scale).Done()
			}
			return ReduceAllSum(Mul(out, Reshape(Const(f.Graph(), weights), out.Shape().Dimensions...)))
		}
		res, err := ExecOnce(backend, func(f, b *Node) *Node { return Gradient(loss(f, b), f)[0] },
			tensors.FromFlatDataAndDimensions(rc.feat, rc.batch, rc.h, rc.w, rc.c),
			tensors.FromFlatDataAndDimensions(rc.boxes, rc.batch, rc.nb, 4))
		if err != nil {
			t.Fatal(err)
		}
		grad := tensors.MustCopyFlatData[float64](res)
		exec := MustNewExec(backend, loss)
		value := func(feat []float64) float64 {
			r := exec.MustExec(tensors.FromFlatDataAndDimensions(feat, rc.batch, rc.h, rc.w, rc.c),
				tensors.FromFlatDataAndDimensions(rc.boxes, rc.batch, rc.nb, 4))
			return tensors.MustCopyFlatData[float64](r[0])[0]
		}
		nonzero, worst := 0, 0.0
		for i := range rc.feat {
			const h = 1e-6
			save := rc.feat[i]
			rc.feat[i] = save + h
			up := value(rc.feat)
			rc.feat[i] = save - h
			down := value(rc.feat)
			rc.feat[i] = save
			worst = math.Max(worst, math.Abs((up-down)/(2*h)-grad[i]))
			if grad[i] != 0 {
				nonzero++
			}
		}
		if worst > 1e-6 || nonzero < tc.nonzero {
			t.Errorf("align=%v wide=%v: gradient differs from finite differences by %g (%d cells with a gradient)", align, tc.wide, worst, nonzero)
		}
	}
}

// TestRoIPanicsOnBadShapes: a programmer error names the shapes.
func TestRoIPanicsOnBadShapes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("boxes [batch, 3] accepted")
		}
	}()
	_, _ = ExecOnce(gomlxext.MustBackend(), func(f, b *Node) *Node { return RoIAlign(f, b).Done() },
		tensors.FromFlatDataAndDimensions(make([]float32, 16), 1, 4, 4, 1), tensors.FromFlatDataAndDimensions(make([]float32, 3), 1, 3))
}
