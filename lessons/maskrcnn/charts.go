package maskrcnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/dl4go/dl4go/data/shapes"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/plotting"
)

// picScale enlarges the 48-pixel images in the pictures.
const picScale = 4

// instanceClass is the palette index of the k-th instance of an image: its own colour, unlike
// the classes' (as lesson 07's TaskZoo colours instances).
func instanceClass(k int) int { return 3 + k }

func maskFloats(m []bool) []float32 {
	out := make([]float32, len(m))
	for i, v := range m {
		if v {
			out[i] = 1
		}
	}
	return out
}

// Family is the R-CNN family as a diagram: each detector's pipeline, the report's part 1
// (proposing regions) in red and purple, part 2 (classifying each region) in the other colours.
func Family() (*plotting.Picture, error) {
	return plotting.Diagram([]plotting.DiagramRow{
		{Title: "R-CNN (2014)", Steps: []string{"selective search\n~2000 regions", "warp each region\nto 227×227", "a CNN per region\n(2000 passes)", "SVM per class\n+ box regression"}, Classes: []int{7, 7, 0, 2}},
		{Title: "Fast R-CNN (2015)", Steps: []string{"selective search\n(CPU, ~2 s)", "one CNN pass\nshared features", "RoI Pool\n7×7 per region", "FC: classes\n+ boxes"}, Classes: []int{7, 0, 1, 2}},
		{Title: "Faster R-CNN (2015)", Steps: []string{"one CNN pass\nshared features", "RPN: anchors →\nproposals, NMS", "RoI Pool\n7×7 per region", "FC: classes\n+ boxes"}, Classes: []int{0, 3, 1, 2}},
		{Title: "Mask R-CNN (2017)", Steps: []string{"one CNN pass\nshared features", "RPN: anchors →\nproposals, NMS", "RoI Align\n7×7 per region", "FC: classes + boxes\nFCN: a mask per class"}, Classes: []int{0, 3, 4, 2}},
	})
}

// InstancesPicture shows samples as instance segmentation sees them: each object's box and
// visible mask in a colour of its own (partly hidden objects are labelled with how much shows).
func InstancesPicture(samples []shapes.Sample) (*plotting.Picture, error) {
	var row []*plotting.Picture
	for i, s := range samples {
		var dets []plotting.Detection
		for k, o := range s.Objects {
			label := shapes.ClassNames[o.Class]
			if o.Visible < 1 {
				label += fmt.Sprintf(" %.0f%%", 100*o.Visible)
			}
			dets = append(dets, plotting.Detection{X0: o.Box.X0, Y0: o.Box.Y0, X1: o.Box.X1, Y1: o.Box.Y1, Label: label,
				Score: -1, Class: instanceClass(k), Mask: maskFloats(o.Mask)})
		}
		p, err := plotting.Detections(s.RGBA(), dets, plotting.PicScale(picScale), plotting.PicAlpha(0.6))
		if err != nil {
			return nil, err
		}
		p.Alt = fmt.Sprintf("image %d: %d objects", i, len(s.Objects))
		row = append(row, p)
	}
	return plotting.Tile([][]*plotting.Picture{row}), nil
}

// AnchorsPicture draws the RPN's anchors on sample s: left, the anchors of the cell nearest
// the first object's centre (every size and ratio); right, the anchors labelled objects
// (RPNTargets: IoU ≥ 0.7, or an object's best anchor).
func (m *Model) AnchorsPicture(s shapes.Sample) (*plotting.Picture, error) {
	a := m.Config.AnchorsPerCell()
	cells := m.ImageSize / Stride
	cell := (cells/2)*cells + cells/2
	if len(s.Objects) > 0 {
		b := s.Objects[0].Box
		col, row := int((b.X0+b.X1)/2)/Stride, int((b.Y0+b.Y1)/2)/Stride
		cell = min(row, cells-1)*cells + min(col, cells-1)
	}
	var one, pos []plotting.Detection
	for k := range a {
		b := m.Anchors[cell*a+k]
		one = append(one, plotting.Detection{X0: b.X0, Y0: b.Y0, X1: b.X1, Y1: b.Y1, Score: -1, Class: k})
	}
	labels, _ := RPNTargets(s.Objects, m.Anchors, len(m.Anchors), rand.New(rand.NewPCG(1, 1)))
	for i, l := range labels {
		if l == 1 {
			b := m.Anchors[i]
			pos = append(pos, plotting.Detection{X0: b.X0, Y0: b.Y0, X1: b.X1, Y1: b.Y1, Score: -1, Class: i % a})
		}
	}
	opt := plotting.PicScale(picScale)
	left, err := plotting.Detections(s.RGBA(), one, opt)
	if err != nil {
		return nil, err
	}
	right, err := plotting.Detections(s.RGBA(), pos, opt)
	if err != nil {
		return nil, err
	}
	left.Alt, right.Alt = fmt.Sprintf("the %d anchors of one cell", a), fmt.Sprintf("%d anchors labelled objects", len(pos))
	return plotting.Tile([][]*plotting.Picture{{left, right}}), nil
}

// ProposalsPicture shows the best k proposals of the RPN on the first n held-out images, with
// their objectness.
func (o *ModelOutcome) ProposalsPicture(n, k int) (*plotting.Picture, error) {
	var row []*plotting.Picture
	for i := range min(n, len(o.Test)) {
		var dets []plotting.Detection
		for j, p := range o.Found.Proposals[i][:min(k, len(o.Found.Proposals[i]))] {
			dets = append(dets, plotting.Detection{X0: p.Box.X0, Y0: p.Box.Y0, X1: p.Box.X1, Y1: p.Box.Y1, Score: -1, Class: j})
		}
		pic, err := plotting.Detections(o.Test[i].RGBA(), dets, plotting.PicScale(picScale))
		if err != nil {
			return nil, err
		}
		pic.Alt = fmt.Sprintf("image %d: %d best proposals", i, len(dets))
		row = append(row, pic)
	}
	return plotting.Tile([][]*plotting.Picture{row}), nil
}

// instances draws the detected instances of held-out image i scoring ≥ MaskScore: box, class
// and score, and the mask in the instance's own colour.
func (o *ModelOutcome) instances(i int) (*plotting.Picture, error) {
	var dets []plotting.Detection
	for k, in := range o.Found.Instances[i] {
		if in.Score < o.Detector.Config.MaskScore {
			continue
		}
		dets = append(dets, plotting.Detection{X0: in.Box.X0, Y0: in.Box.Y0, X1: in.Box.X1, Y1: in.Box.Y1,
			Label: shapes.ClassNames[in.Class], Score: in.Score, Class: instanceClass(k), Mask: maskFloats(in.Mask)})
	}
	p, err := plotting.Detections(o.Test[i].RGBA(), dets, plotting.PicScale(picScale), plotting.PicAlpha(0.6))
	if err != nil {
		return nil, err
	}
	p.Alt = fmt.Sprintf("image %d: %d instances (%s)", i, len(dets), o.Pooler)
	return p, nil
}

// InstancesPicture shows the first n held-out images with what the model found: the final
// boxes with class and score, and each instance's mask in a colour of its own.
func (o *ModelOutcome) InstancesPicture(n int) (*plotting.Picture, error) {
	var row []*plotting.Picture
	for i := range min(n, len(o.Test)) {
		p, err := o.instances(i)
		if err != nil {
			return nil, err
		}
		row = append(row, p)
	}
	return plotting.Tile([][]*plotting.Picture{row}), nil
}

// ComparePicture shows n held-out images (columns) with partly hidden objects first: the true
// instances, then RoI Align's and RoI Pool's.
func (o *Outcome) ComparePicture(n int) (*plotting.Picture, error) {
	var pick []int
	for pass := range 2 { // images with a hidden object first, then the others
		for i, s := range o.Align.Test {
			hidden := false
			for _, obj := range s.Objects {
				hidden = hidden || obj.Visible < 1
			}
			if hidden == (pass == 0) && len(pick) < n {
				pick = append(pick, i)
			}
		}
	}
	truth, err := InstancesPicture(pickSamples(o.Align.Test, pick))
	if err != nil {
		return nil, err
	}
	rows := [][]*plotting.Picture{{truth}}
	for _, m := range []*ModelOutcome{o.Align, o.Pool} {
		var row []*plotting.Picture
		for _, i := range pick {
			p, err := m.instances(i)
			if err != nil {
				return nil, err
			}
			row = append(row, p)
		}
		rows = append(rows, []*plotting.Picture{plotting.Tile([][]*plotting.Picture{row})})
	}
	return plotting.Tile(rows), nil
}

func pickSamples(ss []shapes.Sample, idx []int) []shapes.Sample {
	var out []shapes.Sample
	for _, i := range idx {
		out = append(out, ss[i])
	}
	return out
}

// LossChart draws the training loss of both models.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	return plotting.Line("Mask R-CNN training loss (RPN + class + box + mask)", nil,
		[]plotting.Series{{Name: "RoI Align", Y: o.Align.Loss}, {Name: "RoI Pool", Y: o.Pool.Loss}},
		plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(25), plotting.WithLogY())
}

// MaskIoUChart compares the two poolers on the held-out images: the mean mask IoU of the
// matched objects, the same matches with the box filled as the mask (the baseline a detector
// without a mask head would give), and the mask head given the true boxes.
func (o *Outcome) MaskIoUChart() (*plotting.Chart, error) {
	var iou, box, truth []float64
	for _, m := range []*ModelOutcome{o.Align, o.Pool} {
		iou, box, truth = append(iou, m.MaskIoU), append(box, m.BoxMaskIoU), append(truth, m.OracleMaskIoU)
	}
	return plotting.Bar("Mask IoU on held-out images", []string{"RoI Align", "RoI Pool"}, []plotting.Series{
		{Name: "mask head (matched detections)", Y: iou}, {Name: "detected box as the mask", Y: box}, {Name: "mask head on the true boxes", Y: truth},
	}, plotting.WithAxisNames("", "mean mask IoU"), plotting.WithRange(0, 1))
}

// FCNPicture shows that the mask head, a fully convolutional network, takes any input size: for
// the objects of the first n held-out images, the masks it draws from RoISize² maps (the size it
// was trained on) and from 2·RoISize² maps, which come out twice as fine.
func (o *ModelOutcome) FCNPicture(n int) (*plotting.Picture, error) {
	test := o.Test[:min(n, len(o.Test))]
	r := o.Model.Config.RoISize
	var rows [][]*plotting.Picture
	for _, size := range []int{r, 2 * r} {
		maps, err := o.Detector.TrueBoxMasks(test, size)
		if err != nil {
			return nil, err
		}
		var imgs [][]float32
		var caps []string
		for i, s := range test {
			for j, obj := range s.Objects {
				imgs = append(imgs, maps[i][j])
				caps = append(caps, shapes.ClassNames[obj.Class])
			}
		}
		ms := 2 * size
		p, err := plotting.ImageGrid(imgs, ms, ms, plotting.PicScale(112/ms), plotting.PicCaptions(caps), plotting.GridCols(len(imgs)))
		if err != nil {
			return nil, err
		}
		p.Alt = fmt.Sprintf("%d×%d RoI maps → %d×%d masks", size, size, ms, ms)
		rows = append(rows, []*plotting.Picture{p})
	}
	return plotting.Tile(rows), nil
}

// RoundingShift measures what RoI Pool's first step does to the objects' boxes: the mean and
// the largest distance, in pixels, between a box edge and the same edge rounded to whole cells
// of the stride-4 map (0 for RoI Align, which keeps the real coordinates).
func RoundingShift(samples []shapes.Sample) (mean, largest float64) {
	n := 0
	for _, s := range samples {
		for _, o := range s.Objects {
			for _, e := range []float64{o.Box.X0, o.Box.Y0, o.Box.X1, o.Box.Y1} {
				d := e - float64(int(e/Stride+0.5))*Stride
				if d < 0 {
					d = -d
				}
				mean, largest, n = mean+d, max(largest, d), n+1
			}
		}
	}
	return mean / float64(max(n, 1)), largest
}

// MostShifted finds the object whose box RoI Pool's rounding moves most (the sum over its four
// edges, as in RoundingShift): the index of its sample and of the object in it; -1, -1 when
// there are no objects.
func MostShifted(samples []shapes.Sample) (sample, object int) {
	sample, object = -1, -1
	best := -1.0
	for i, s := range samples {
		for j, o := range s.Objects {
			d, _ := RoundingShift([]shapes.Sample{{Objects: []shapes.Object{o}}})
			if d > best {
				best, sample, object = d, i, j
			}
		}
	}
	return sample, object
}

// MisalignmentPicture draws what each pooler takes from the stride-4 feature map for box b of
// sample s (an object's box, say), with the cells as a grey grid: left, RoI Pool's box rounded
// to whole cells (red) and its size×size bins of whole cells; right, RoI Align's bins on the
// real box and their 4 bilinear sample points (green). The true box is white in both.
func MisalignmentPicture(s shapes.Sample, b detection.Box, size int) (*plotting.Picture, error) {
	const scale = 8
	cells := s.Size / Stride
	var grid []plotting.Mark
	for k := 0; k <= cells; k++ {
		v := float64(k * Stride)
		grid = append(grid, plotting.Mark{X0: v, Y0: 0, X1: v, Y1: float64(s.Size), RGB: "#5a5a5a"},
			plotting.Mark{X0: 0, Y0: v, X1: float64(s.Size), Y1: v, RGB: "#5a5a5a"})
	}
	outline := func(b detection.Box, rgb string, w int, label string) []plotting.Mark {
		return []plotting.Mark{
			{X0: b.X0, Y0: b.Y0, X1: b.X1, Y1: b.Y0, RGB: rgb, Width: w, Label: label}, {X0: b.X0, Y0: b.Y1, X1: b.X1, Y1: b.Y1, RGB: rgb, Width: w},
			{X0: b.X0, Y0: b.Y0, X1: b.X0, Y1: b.Y1, RGB: rgb, Width: w}, {X0: b.X1, Y0: b.Y0, X1: b.X1, Y1: b.Y1, RGB: rgb, Width: w},
		}
	}
	sc := 1.0 / Stride
	// RoI Pool: bins of whole cells.
	xs := xlayers.RoIPoolBins(b.X0, b.X1, sc, cells, size)
	ys := xlayers.RoIPoolBins(b.Y0, b.Y1, sc, cells, size)
	pool := append([]plotting.Mark(nil), grid...)
	y0, y1 := float64(ys[0][0]*Stride), float64(ys[size-1][1]*Stride)
	x0, x1 := float64(xs[0][0]*Stride), float64(xs[size-1][1]*Stride)
	for _, bin := range xs {
		pool = append(pool, plotting.Mark{X0: float64(bin[0] * Stride), Y0: y0, X1: float64(bin[0] * Stride), Y1: y1, RGB: "#ff6b6b"})
	}
	for _, bin := range ys {
		pool = append(pool, plotting.Mark{X0: x0, Y0: float64(bin[0] * Stride), X1: x1, Y1: float64(bin[0] * Stride), RGB: "#ff6b6b"})
	}
	pool = append(pool, outline(detection.Box{X0: x0, Y0: y0, X1: x1, Y1: y1}, "#ff3b3b", 3, "rounded")...)
	pool = append(pool, outline(b, "#ffffff", 2, "")...)
	// RoI Align: bins on the real box, 2×2 sample points each.
	align := append([]plotting.Mark(nil), grid...)
	for i := 1; i < size; i++ {
		fx, fy := b.X0+b.Width()*float64(i)/float64(size), b.Y0+b.Height()*float64(i)/float64(size)
		align = append(align, plotting.Mark{X0: fx, Y0: b.Y0, X1: fx, Y1: b.Y1, RGB: "#5fd35f"},
			plotting.Mark{X0: b.X0, Y0: fy, X1: b.X1, Y1: fy, RGB: "#5fd35f"})
	}
	px := xlayers.RoIAlignSamples(b.X0, b.X1, sc, size, 2)
	py := xlayers.RoIAlignSamples(b.Y0, b.Y1, sc, size, 2)
	for _, y := range py {
		for _, x := range px {
			align = append(align, plotting.Mark{X0: x * Stride, Y0: y * Stride, Dot: true, RGB: "#3cff3c", Width: 2})
		}
	}
	align = append(align, outline(b, "#ffffff", 2, "")...)
	left, err := plotting.Marks(s.RGBA(), pool, plotting.PicScale(scale))
	if err != nil {
		return nil, err
	}
	right, err := plotting.Marks(s.RGBA(), align, plotting.PicScale(scale))
	if err != nil {
		return nil, err
	}
	left.Alt = fmt.Sprintf("RoI Pool: the box rounded to cells %v..%v, %d×%d bins of whole cells", xs[0][0], xs[size-1][1], size, size)
	right.Alt = fmt.Sprintf("RoI Align: %d×%d bins on the real box, 4 sample points each", size, size)
	return plotting.Tile([][]*plotting.Picture{{left, right}}), nil
}
