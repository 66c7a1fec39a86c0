package layers

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
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
// bins on the host. The maximum is read from a sparse table of the map (the maxima over every
// 2^a × 2^b window, 4 gathers per bin), the mean computed as two matrix products; the gradient
// of the maximum goes to the cell that holds it.
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
	// The bins of each axis as cell ranges [from, to), [batch, boxes, n] (whole numbers), from
	// the rounded box (step 1) split into n (step 2).
	bins := func(lo, hi *Node, cells int) (from, to *Node) {
		start := Floor(AddScalar(MulScalar(lo, b.scale), 0.5))
		end := Floor(AddScalar(MulScalar(hi, b.scale), 0.5))
		width := InsertAxes(Max(Sub(end, start), OnesLike(start)), -1) // at least one cell
		start = InsertAxes(start, -1)
		i := Iota(g, shapes.Make(dt, 1, 1, n), 2)
		nn := Scalar(g, dt, float64(n))
		from = Add(start, Floor(Div(Mul(i, width), nn)))
		to = Add(start, Ceil(Div(Mul(AddScalar(i, 1), width), nn)))
		return ClipScalar(from, 0, float64(cells)), ClipScalar(to, 0, float64(cells))
	}
	x0, y0, x1, y1 := boxCoords(b.boxes)
	fromY, toY := bins(y0, y1, h)
	fromX, toX := bins(x0, x1, w)
	nonEmpty := And(InsertAxes(GreaterThan(toY, fromY), -1), InsertAxes(GreaterThan(toX, fromX), -2)) // [batch, boxes, n, n]
	var out *Node
	if b.average {
		// The mean is a weighted sum with weights 1/count over the bin's cells, separable in y and x.
		weights := func(from, to *Node, cells int) *Node {
			cell := Iota(g, shapes.Make(dt, 1, 1, 1, cells), 3)
			m := ConvertDType(And(GreaterOrEqual(cell, InsertAxes(from, -1)), LessThan(cell, InsertAxes(to, -1))), dt)
			count := InsertAxes(Max(Sub(to, from), OnesLike(to)), -1)
			return Div(m, count) // [batch, boxes, n, cells]
		}
		out = separableSample(f, weights(fromY, toY, h), weights(fromX, toX, w)) // [batch, boxes, n, n, channels]
	} else {
		// The maximum over a bin from a sparse table of the map: the maximum over every
		// 2^a × 2^b window at every cell (a few levels per axis), of which any bin takes the 4
		// windows that cover it from its corners (they overlap: the maximum does not mind).
		table := sparseTable(f) // [batch, levelsY, levelsX, h, w, channels]
		ky, y0, y1 := corners(fromY, toY, h)
		kx, x0, x1 := corners(fromX, toX, w)
		bi := BroadcastToDims(Iota(g, shapes.Make(dtypes.Int32, batch, 1, 1, 1), 0), batch, nb, n, n)
		grid := func(v *Node, axis int) *Node { // [batch, boxes, n] → [batch, boxes, n(y), n(x)]
			return BroadcastToDims(InsertAxes(v, axis), batch, nb, n, n)
		}
		at := func(y, x *Node) *Node {
			idx := Stack([]*Node{bi, grid(ky, 3), grid(kx, 2), grid(y, 3), grid(x, 2)}, -1)
			return Gather(table, idx) // [batch, boxes, n(y), n(x), channels]
		}
		out = Max(Max(at(y0, x0), at(y0, x1)), Max(at(y1, x0), at(y1, x1)))
	}
	keep := BroadcastToDims(Reshape(nonEmpty, batch, nb, n, n, 1), batch, nb, n, n, channels)
	return Where(keep, out, ZerosLike(out))
}

// levels is the number of power-of-two window lengths (1, 2, 4, …) that fit in size.
func levels(size int) int { return bits.Len(uint(size)) }

// sparseTable returns, for x [batch, h, w, channels], the maxima over every window of 2^a rows
// and 2^b columns starting at every cell: [batch, levels(h), levels(w), h, w, channels]. Windows
// that run past the edge repeat its last cells (bins never use them).
func sparseTable(x *Node) *Node {
	d := x.Shape().Dimensions
	h, w := d[1], d[2]
	shift := func(x *Node, axis, by int) *Node { // x moved by `by` towards 0 along axis, the edge repeated
		size := x.Shape().Dimensions[axis] // > by: 2^(levels−1) ≤ size
		span := func(from, to int) *Node {
			spec := make([]SliceAxisSpec, x.Rank())
			for a := range spec {
				spec[a] = AxisRange()
			}
			spec[axis] = AxisRange(from, to)
			return Slice(x, spec...)
		}
		last := span(size-1, size)
		dims := last.Shape().Clone().Dimensions
		dims[axis] = by
		return Concatenate([]*Node{span(by, size), BroadcastToDims(last, dims...)}, axis)
	}
	var byX []*Node // windows of 2^b columns
	run := x
	for b := range levels(w) {
		if b > 0 {
			run = Max(run, shift(run, 2, 1<<(b-1)))
		}
		byX = append(byX, run)
	}
	var rows []*Node
	for a := range levels(h) {
		var row []*Node
		for b := range byX {
			if a > 0 {
				byX[b] = Max(byX[b], shift(byX[b], 1, 1<<(a-1)))
			}
			row = append(row, byX[b])
		}
		rows = append(rows, Stack(row, 1)) // [batch, levels(w), h, w, channels]
	}
	return Stack(rows, 1)
}

// corners returns, for bins [from, to) of an axis of the given number of cells (whole numbers
// as floats [batch, boxes, n]; empty ones taken as one cell), the sparse-table level
// k = ⌊log₂(to − from)⌋ and the starts of the two 2^k windows that cover the bin, from and
// to − 2^k, as int32 inside the axis.
func corners(from, to *Node, cells int) (k, first, second *Node) {
	g, dt := from.Graph(), from.DType()
	l := Max(Sub(to, from), OnesLike(to))
	kf := ZerosLike(l)
	for p := 2; p < 1<<levels(cells); p *= 2 {
		kf = Add(kf, ConvertDType(GreaterOrEqual(l, Scalar(g, dt, float64(p))), dt))
	}
	i32 := func(v *Node) *Node { return ConvertDType(ClipScalar(v, 0, float64(cells-1)), dtypes.Int32) }
	return ConvertDType(kf, dtypes.Int32), i32(from), i32(Sub(Add(from, l), Pow(Scalar(g, dt, 2), kf)))
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
