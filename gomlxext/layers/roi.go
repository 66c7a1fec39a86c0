package layers

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// RoI pooling cuts a fixed-size feature map out of a feature map for each region of interest
// (a box), whatever the box's size: the step of a two-stage detector (Fast/Faster/Mask R-CNN)
// between proposing regions and classifying them. Two ways, as builders with no variables:
//
//	pooled := layers.RoIPool(features, boxes).OutputSize(7).SpatialScale(1.0 / 4).Done()  // [batch, boxes, 7, 7, C]
//	aligned := layers.RoIAlign(features, boxes).OutputSize(7).SpatialScale(1.0 / 4).Done() // [batch, boxes, 7, 7, C]
//
// Coordinates: boxes are (x0, y0, x1, y1) in image pixels, pixel j spanning [j, j+1), so a box
// holding exactly pixels 3…5 of a row is x0 = 3, x1 = 6. SpatialScale maps them to the feature
// map (1/stride): feature cell j spans [j, j+1) there and its value sits at its centre, j + ½.
// Both ops are differentiable with respect to the features (their gradient is the transposed
// sampling: each cell gets the weights it was pooled with); RoIAlign's output is also a
// differentiable function of the box coordinates, RoIPool's is not (it rounds them).

// RoIPoolBuilder configures RoI Pool; create it with RoIPool, set its options, then call Done.
type RoIPoolBuilder struct {
	features, boxes *Node
	size            int
	scale           float64
	average         bool
}

// RoIPool prepares RoI Pool (Fast R-CNN) on features [batch, height, width, channels] for boxes
// [batch, numBoxes, 4] (x0, y0, x1, y1 in image pixels, see SpatialScale), in the three steps of
// the lesson:
//
//  1. the box is scaled to the feature map and its coordinates rounded to whole cells
//     (start = ⌊x0·scale + ½⌋, end = ⌊x1·scale + ½⌋, at least one cell wide);
//  2. it is split into OutputSize × OutputSize bins of whole cells (bin i spans cells
//     start + ⌊i·w/n⌋ … start + ⌈(i+1)·w/n⌉ − 1 for a width of w cells: bins may overlap or
//     repeat a cell when the box is narrower than n cells);
//  3. each bin's value is the maximum (or, with Average, the mean) of its cells.
//
// Done returns [batch, numBoxes, OutputSize, OutputSize, channels]; a bin entirely outside the
// map is 0. The rounding moves the pooled region by up to half a cell against the box — a
// stride-16 map shifts it by up to 8 pixels — which RoIAlign avoids. RoIPoolBins computes the
// bins on the host.
func RoIPool(features, boxes *Node) *RoIPoolBuilder {
	return &RoIPoolBuilder{features: features, boxes: boxes, size: 7, scale: 1}
}

// OutputSize sets the side of the pooled map (default 7, as in Fast R-CNN).
func (b *RoIPoolBuilder) OutputSize(n int) *RoIPoolBuilder {
	b.size = n
	return b
}

// SpatialScale sets the factor from image pixels to feature cells: 1/stride of the feature map
// (default 1: the boxes are in feature cells).
func (b *RoIPoolBuilder) SpatialScale(s float64) *RoIPoolBuilder {
	b.scale = s
	return b
}

// Average makes each bin the mean of its cells instead of their maximum.
func (b *RoIPoolBuilder) Average() *RoIPoolBuilder {
	b.average = true
	return b
}

// Done builds the op: [batch, numBoxes, OutputSize, OutputSize, channels].
func (b *RoIPoolBuilder) Done() *Node {
	h, w := checkRoI("RoIPool", b.features, b.boxes, b.size, b.scale)
	f := b.features
	dt := f.DType()
	g := f.Graph()
	d := f.Shape().Dimensions
	batch, channels := d[0], d[3]
	nb, n := b.boxes.Shape().Dimensions[1], b.size
	// Bin masks over the cells of each axis: [batch, boxes, n, cells] (1 inside the bin), and
	// whether the bin holds any cell: [batch, boxes, n].
	binMask := func(lo, hi *Node, cells int) (mask, nonEmpty *Node) {
		start := Floor(AddScalar(MulScalar(lo, b.scale), 0.5))
		end := Floor(AddScalar(MulScalar(hi, b.scale), 0.5))
		width := Max(Sub(end, start), OnesLike(start)) // [batch, boxes]
		i := Iota(g, shapes.Make(dt, 1, 1, n), 2)
		w3 := InsertAxes(width, -1)
		from := Add(InsertAxes(start, -1), Floor(Div(Mul(i, w3), Scalar(g, dt, float64(n)))))
		to := Add(InsertAxes(start, -1), Ceil(Div(Mul(AddScalar(i, 1), w3), Scalar(g, dt, float64(n)))))
		from, to = ClipScalar(from, 0, float64(cells)), ClipScalar(to, 0, float64(cells)) // [batch, boxes, n]
		cell := Iota(g, shapes.Make(dt, 1, 1, 1, cells), 3)
		mask = And(GreaterOrEqual(cell, InsertAxes(from, -1)), LessThan(cell, InsertAxes(to, -1)))
		return mask, GreaterThan(to, from)
	}
	x0, y0, x1, y1 := boxCoords(b.boxes)
	my, okY := binMask(y0, y1, h)                             // [batch, boxes, n, h]
	mx, okX := binMask(x0, x1, w)                             // [batch, boxes, n, w]
	nonEmpty := And(InsertAxes(okY, -1), InsertAxes(okX, -2)) // [batch, boxes, n, n]
	var out *Node
	if b.average {
		// The mean is a weighted sum with weights 1/count over the bin's cells, separable in y and x.
		norm := func(m *Node) *Node {
			m = ConvertDType(m, dt)
			return Div(m, Max(ReduceAndKeep(m, ReduceSum, -1), OnesLike(ReduceAndKeep(m, ReduceSum, -1))))
		}
		out = separableSample(f, norm(my), norm(mx)) // [batch, boxes, n, n, channels]
	} else {
		// Max over x within each column bin, then over y within each row bin.
		full := []int{batch, nb, n, h, w, channels}
		fx := BroadcastToDims(Reshape(f, batch, 1, 1, h, w, channels), full...)
		mxFull := BroadcastToDims(Reshape(mx, batch, nb, n, 1, w, 1), full...)
		cols := MaskedReduceMax(fx, mxFull, 4) // [batch, boxes, n(x), h, channels]
		full = []int{batch, nb, n, n, h, channels}
		fy := BroadcastToDims(Reshape(cols, batch, nb, 1, n, h, channels), full...)
		myFull := BroadcastToDims(Reshape(my, batch, nb, n, 1, h, 1), full...)
		out = MaskedReduceMax(fy, myFull, 4) // [batch, boxes, n(y), n(x), channels]
	}
	keep := BroadcastToDims(Reshape(nonEmpty, batch, nb, n, n, 1), batch, nb, n, n, channels)
	return Where(keep, out, ZerosLike(out))
}

// RoIAlignBuilder configures RoI Align; create it with RoIAlign, set its options, then call Done.
type RoIAlignBuilder struct {
	features, boxes *Node
	size, ratio     int
	scale           float64
	max             bool
}

// RoIAlign prepares RoI Align (Mask R-CNN) on features [batch, height, width, channels] for
// boxes [batch, numBoxes, 4] (x0, y0, x1, y1 in image pixels, see SpatialScale), in the steps
// of the lesson:
//
//  1. the box is scaled to the feature map and its coordinates are not rounded;
//  2. it is split into OutputSize × OutputSize equal bins;
//  3. each bin gets SamplingRatio × SamplingRatio regularly spaced sample points (2 × 2 = 4 by
//     default: at ¼ and ¾ of the bin's height and width);
//  4. each point's value is interpolated bilinearly from the 4 cell centres around it;
//  5. the bin's value is the mean (or, with Max, the maximum) of its points.
//
// Done returns [batch, numBoxes, OutputSize, OutputSize, channels]. A point farther than one
// cell outside the map counts as 0, one within a cell of the border takes the border's value
// (as torchvision's roi_align with aligned=True, whose half-cell convention this is: a cell's
// value sits at its centre). The interpolation is separable, so it runs as two matrix products
// with the per-box weight matrices (the "tent" max(0, 1−|y−j|) of each sample y and cell j)
// rather than as gathers. RoIAlignSamples computes the points on the host.
func RoIAlign(features, boxes *Node) *RoIAlignBuilder {
	return &RoIAlignBuilder{features: features, boxes: boxes, size: 7, ratio: 2, scale: 1}
}

// OutputSize sets the side of the output map (default 7; Mask R-CNN's mask branch uses 14).
func (b *RoIAlignBuilder) OutputSize(n int) *RoIAlignBuilder {
	b.size = n
	return b
}

// SpatialScale sets the factor from image pixels to feature cells: 1/stride of the feature map
// (default 1: the boxes are in feature cells).
func (b *RoIAlignBuilder) SpatialScale(s float64) *RoIAlignBuilder {
	b.scale = s
	return b
}

// SamplingRatio sets the sample points per bin along each axis (default 2: 4 points per bin).
func (b *RoIAlignBuilder) SamplingRatio(r int) *RoIAlignBuilder {
	b.ratio = r
	return b
}

// Max makes each bin the maximum of its sample points instead of their mean.
func (b *RoIAlignBuilder) Max() *RoIAlignBuilder {
	b.max = true
	return b
}

// Done builds the op: [batch, numBoxes, OutputSize, OutputSize, channels].
func (b *RoIAlignBuilder) Done() *Node {
	h, w := checkRoI("RoIAlign", b.features, b.boxes, b.size, b.scale)
	if b.ratio < 1 {
		panic(fmt.Sprintf("layers.RoIAlign: SamplingRatio %d < 1", b.ratio))
	}
	f := b.features
	dt := f.DType()
	g := f.Graph()
	n, r := b.size, b.ratio
	batch, nb, channels := f.Shape().Dimensions[0], b.boxes.Shape().Dimensions[1], f.Shape().Dimensions[3]
	// Sample positions as fractions of the box, bin-major: (i + (s+½)/r)/n for bin i, point s.
	frac := make([]float64, n*r)
	for i := range n {
		for s := range r {
			frac[i*r+s] = (float64(i) + (float64(s)+0.5)/float64(r)) / float64(n)
		}
	}
	fracs := Reshape(ConvertDType(Const(g, frac), dt), 1, 1, n*r)
	// weights returns the interpolation matrix [batch, boxes, n·r, cells] of one axis.
	weights := func(lo, hi *Node, cells int) *Node {
		lo, hi = MulScalar(lo, b.scale), MulScalar(hi, b.scale)
		// Index coordinate of each point: cell j's centre is at j (the continuous j + ½, less ½).
		y := AddScalar(Add(InsertAxes(lo, -1), Mul(InsertAxes(Sub(hi, lo), -1), fracs)), -0.5) // [batch, boxes, n·r]
		valid := ConvertDType(And(GreaterOrEqual(y, Scalar(g, dt, -1)), LessOrEqual(y, Scalar(g, dt, float64(cells)))), dt)
		y = InsertAxes(ClipScalar(y, 0, float64(cells-1)), -1)
		cell := Iota(g, shapes.Make(dt, 1, 1, 1, cells), 3)
		dist := Abs(Sub(y, cell))                    // [batch, boxes, n·r, cells]
		tent := Max(OneMinus(dist), ZerosLike(dist)) // the bilinear weight of cell j for point y
		return Mul(tent, InsertAxes(valid, -1))
	}
	x0, y0, x1, y1 := boxCoords(b.boxes)
	points := separableSample(f, weights(y0, y1, h), weights(x0, x1, w)) // [batch, boxes, n·r, n·r, channels]
	points = Reshape(points, batch, nb, n, r, n, r, channels)
	if b.max {
		return ReduceMax(points, 3, 5)
	}
	return ReduceMean(points, 3, 5)
}

// separableSample returns out[b, k, i, j, c] = Σ_y Σ_x wy[b, k, i, y] · f[b, y, x, c] · wx[b, k, j, x]
// for features f [batch, h, w, channels] and per-box weights wy [batch, boxes, ni, h] and
// wx [batch, boxes, nj, w]: [batch, boxes, ni, nj, channels].
func separableSample(f, wy, wx *Node) *Node {
	rows := Einsum("bkih,bhwc->bkiwc", wy, f)    // [batch, boxes, ni, w, channels]
	return Einsum("bkiwc,bkjw->bkijc", rows, wx) // [batch, boxes, ni, nj, channels]
}

// boxCoords splits boxes [batch, numBoxes, 4] into its x0, y0, x1, y1 [batch, numBoxes].
func boxCoords(boxes *Node) (x0, y0, x1, y1 *Node) {
	c := func(i int) *Node { return Squeeze(Slice(boxes, AxisRange(), AxisRange(), AxisElem(i)), -1) }
	return c(0), c(1), c(2), c(3)
}

// checkRoI panics (a programmer error) unless features is [batch, h, w, channels] and boxes
// [batch, numBoxes, 4] of the same dtype, with a positive output size and scale.
func checkRoI(op string, features, boxes *Node, size int, scale float64) (h, w int) {
	fd, bd := features.Shape().Dimensions, boxes.Shape().Dimensions
	if features.Rank() != 4 || boxes.Rank() != 3 || bd[2] != 4 || bd[0] != fd[0] {
		panic(fmt.Sprintf("layers.%s: features must be [batch, height, width, channels] and boxes [batch, numBoxes, 4] "+
			"(x0, y0, x1, y1) with the same batch: got features %s, boxes %s", op, features.Shape(), boxes.Shape()))
	}
	if boxes.DType() != features.DType() {
		panic(fmt.Sprintf("layers.%s: boxes are %s but features %s: convert the boxes (graph.ConvertDType)", op, boxes.DType(), features.DType()))
	}
	if size < 1 || !(scale > 0) || math.IsInf(scale, 0) {
		panic(fmt.Sprintf("layers.%s: OutputSize %d and SpatialScale %g must be positive", op, size, scale))
	}
	return fd[1], fd[2]
}

// RoIPoolBins returns the feature cells [from, to) of each of the n bins RoIPool pools along one
// axis of a box spanning [lo, hi) image pixels, on a map of the given number of cells reached
// with scale (1/stride): the host twin of RoIPool's steps 1 and 2, for pictures and checks.
func RoIPoolBins(lo, hi, scale float64, cells, n int) [][2]int {
	start, end := math.Floor(lo*scale+0.5), math.Floor(hi*scale+0.5)
	width := math.Max(end-start, 1)
	bins := make([][2]int, n)
	for i := range bins {
		from := start + math.Floor(float64(i)*width/float64(n))
		to := start + math.Ceil(float64(i+1)*width/float64(n))
		bins[i] = [2]int{int(min(max(from, 0), float64(cells))), int(min(max(to, 0), float64(cells)))}
	}
	return bins
}

// RoIAlignSamples returns the n·ratio sample positions RoIAlign takes along one axis of a box
// spanning [lo, hi) image pixels, in continuous feature-map coordinates (cell j spans [j, j+1)),
// bin by bin: the host twin of RoIAlign's steps 1–3, for pictures and checks.
func RoIAlignSamples(lo, hi, scale float64, n, ratio int) []float64 {
	lo, hi = lo*scale, hi*scale
	out := make([]float64, 0, n*ratio)
	for i := range n {
		for s := range ratio {
			out = append(out, lo+(hi-lo)*(float64(i)+(float64(s)+0.5)/float64(ratio))/float64(n))
		}
	}
	return out
}
