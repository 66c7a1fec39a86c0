package detection

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/plotting"
)

// picScale enlarges the small shapes images in every picture.
const picScale = 4

func hexColour(hex string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(strings.TrimPrefix(hex, "#"), "%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}

// labelColour is the colour of a semantic label: black background, plotting's palette colour
// of the class otherwise (the colour Detections gives that class's boxes).
func labelColour(label int32) color.RGBA {
	if label == 0 {
		return color.RGBA{0, 0, 0, 255}
	}
	return hexColour(plotting.Color(int(label - 1)))
}

// labelPicture paints a semantic map (flat [size·size], 0 background, 1+class) enlarged.
func labelPicture(labels []int32, size int, alt string) *plotting.Picture {
	img := image.NewRGBA(image.Rect(0, 0, size*picScale, size*picScale))
	for y := 0; y < size*picScale; y++ {
		for x := 0; x < size*picScale; x++ {
			img.SetRGBA(x, y, labelColour(labels[(y/picScale)*size+x/picScale]))
		}
	}
	return &plotting.Picture{Image: img, Alt: alt}
}

func toPlot(dets []Detection, minScore float64, withScore bool) []plotting.Detection {
	var out []plotting.Detection
	for _, d := range dets {
		if d.Score < minScore {
			continue
		}
		s := d.Score
		if !withScore {
			s = -1
		}
		out = append(out, plotting.Detection{X0: d.Box.X0, Y0: d.Box.Y0, X1: d.Box.X1, Y1: d.Box.Y1,
			Label: shapes.ClassNames[d.Class], Score: s, Class: d.Class})
	}
	return out
}

func maskFloats(m []bool) []float32 {
	out := make([]float32, len(m))
	for i, v := range m {
		if v {
			out[i] = 1
		}
	}
	return out
}

// TaskZoo shows one image as the four tasks of the report see it: classification (which
// classes are in the image), object detection (a box and class per object), semantic
// segmentation (a class per pixel: two objects of one class are one region) and instance
// segmentation (a mask per object, each its own colour).
func TaskZoo(s shapes.Sample) (*plotting.Picture, error) {
	opt := plotting.PicScale(picScale)
	var names []string
	var boxes, instances []plotting.Detection
	for i, o := range s.Objects {
		names = append(names, shapes.ClassNames[o.Class])
		boxes = append(boxes, plotting.Detection{X0: o.Box.X0, Y0: o.Box.Y0, X1: o.Box.X1, Y1: o.Box.Y1,
			Label: shapes.ClassNames[o.Class], Score: -1, Class: o.Class})
		instances = append(instances, plotting.Detection{X0: o.Box.X0, Y0: o.Box.Y0, X1: o.Box.X1, Y1: o.Box.Y1,
			Label: fmt.Sprintf("#%d", i+1), Score: -1, Class: 3 + i, Mask: maskFloats(o.Mask)})
	}
	n := float64(s.Size)
	cls, err := plotting.Detections(s.RGBA(), []plotting.Detection{{X0: 1, Y0: 1, X1: n - 1, Y1: n - 1,
		Label: strings.Join(names, ", "), Score: -1, Class: 7}}, opt)
	if err != nil {
		return nil, err
	}
	det, err := plotting.Detections(s.RGBA(), boxes, opt)
	if err != nil {
		return nil, err
	}
	inst, err := plotting.Detections(s.RGBA(), instances, opt, plotting.PicAlpha(0.7))
	if err != nil {
		return nil, err
	}
	cls.Alt, det.Alt, inst.Alt = "classification", "object detection", "instance segmentation"
	return plotting.Tile([][]*plotting.Picture{{cls, det, labelPicture(s.Semantic(), s.Size, "semantic segmentation"), inst}}), nil
}

// DefaultBoxesPicture draws SSD's default boxes on sample s: left, the k boxes of one cell of
// each feature map (the cell nearest the first object's centre); right, the default boxes
// matched to the objects (the positives of the loss).
func (m *SSD) DefaultBoxesPicture(s shapes.Sample) (*plotting.Picture, error) {
	k := m.K()
	var cellBoxes []plotting.Detection
	first := 0
	cx, cy := float64(s.Size)/2, float64(s.Size)/2
	if len(s.Objects) > 0 {
		b := s.Objects[0].Box
		cx, cy = (b.X0+b.X1)/2, (b.Y0+b.Y1)/2
	}
	for mi, fm := range m.Maps {
		step := float64(m.ImageSize) / float64(fm.Size)
		col, r := min(int(cx/step), fm.Size-1), min(int(cy/step), fm.Size-1)
		base := first + (r*fm.Size+col)*k
		for j := 0; j < k; j++ {
			d := m.Defaults[base+j]
			label := ""
			if j == 0 {
				label = fmt.Sprintf("%d×%d", fm.Size, fm.Size)
			}
			cellBoxes = append(cellBoxes, plotting.Detection{X0: d.X0, Y0: d.Y0, X1: d.X1, Y1: d.Y1, Label: label, Score: -1, Class: 3 + mi})
		}
		first += fm.Size * fm.Size * k
	}
	labels, _ := Match(s.Objects, m.Defaults, 0.5)
	var matched []plotting.Detection
	for i, l := range labels {
		if l > 0 {
			d := m.Defaults[i]
			matched = append(matched, plotting.Detection{X0: d.X0, Y0: d.Y0, X1: d.X1, Y1: d.Y1, Score: -1, Class: int(l - 1)})
		}
	}
	opt := plotting.PicScale(picScale)
	a, err := plotting.Detections(s.RGBA(), cellBoxes, opt)
	if err != nil {
		return nil, err
	}
	b, err := plotting.Detections(s.RGBA(), matched, opt)
	if err != nil {
		return nil, err
	}
	a.Alt, b.Alt = "default boxes of one cell per feature map", "default boxes matched to the objects"
	return plotting.Tile([][]*plotting.Picture{{a, b}}), nil
}

// DetectionsPicture shows the first n held-out images: ground truth on top, the detections
// with score ≥ minScore (class and confidence) below.
func (o *SSDOutcome) DetectionsPicture(n int, minScore float64) (*plotting.Picture, error) {
	n = min(n, len(o.Test))
	var top, bottom []*plotting.Picture
	opt := plotting.PicScale(picScale)
	for i := 0; i < n; i++ {
		var gt, pred []Detection
		for _, g := range o.GT {
			if g.Image == i {
				gt = append(gt, Detection{Image: i, Class: g.Class, Score: 1, Box: g.Box})
			}
		}
		for _, d := range o.Detections {
			if d.Image == i {
				pred = append(pred, d)
			}
		}
		a, err := plotting.Detections(o.Test[i].RGBA(), toPlot(gt, 0, false), opt)
		if err != nil {
			return nil, err
		}
		b, err := plotting.Detections(o.Test[i].RGBA(), toPlot(pred, minScore, true), opt)
		if err != nil {
			return nil, err
		}
		a.Alt, b.Alt = fmt.Sprintf("image %d ground truth", i), fmt.Sprintf("image %d detections", i)
		top, bottom = append(top, a), append(bottom, b)
	}
	return plotting.Tile([][]*plotting.Picture{top, bottom}), nil
}

// PRChart draws the precision–recall curve of each class at IoU 0.5, with its AP.
func (o *SSDOutcome) PRChart() (*plotting.Chart, error) {
	var curves []plotting.PR
	for c := 0; c < shapes.NumClasses; c++ {
		pr := PRCurve(o.Detections, o.GT, c, 0.5)
		curves = append(curves, plotting.PR{Name: shapes.ClassNames[c], Recall: pr.Recall, Precision: pr.Precision, AP: pr.AP(AllPoint)})
	}
	return plotting.PRCurve(fmt.Sprintf("SSD-lite PR curves at IoU 0.5 (mAP %.3f)", o.MAP50), curves)
}

// ThresholdChart draws how the confidence threshold trades precision against recall (mean over
// the classes, IoU 0.5): a high threshold keeps only sure detections (precise, but objects are
// missed); a low one finds everything but lets false positives in.
func (o *SSDOutcome) ThresholdChart() (*plotting.Chart, error) {
	var xs, ps, rs []float64
	var prs []PR
	for c := 0; c < shapes.NumClasses; c++ {
		prs = append(prs, PRCurve(o.Detections, o.GT, c, 0.5))
	}
	for t := 0.0; t <= 1.0001; t += 0.02 {
		p, r := 0.0, 0.0
		for _, pr := range prs {
			pc, rc := pr.At(t)
			p, r = p+pc, r+rc
		}
		xs = append(xs, t)
		ps, rs = append(ps, p/float64(len(prs))), append(rs, r/float64(len(prs)))
	}
	return plotting.Line("Precision and recall vs the confidence threshold", xs,
		[]plotting.Series{{Name: "precision", Y: ps}, {Name: "recall", Y: rs}}, plotting.WithAxisNames("confidence threshold", ""))
}

// ConfusionChart draws the detection confusion matrix at score ≥ 0.5 and IoU ≥ 0.5 (see
// ConfusionMatrix): the background row counts false positives, the background column misses.
func (o *SSDOutcome) ConfusionChart() (*plotting.Chart, error) {
	m := ConfusionMatrix(o.Detections, o.GT, shapes.NumClasses, 0.5, 0.5)
	z := make([][]float64, len(m))
	for i := range m {
		for _, v := range m[i] {
			z[i] = append(z[i], float64(v))
		}
	}
	names := append(append([]string{}, shapes.ClassNames...), "background")
	return plotting.Heatmap("Detection confusion matrix (score ≥ 0.5, IoU ≥ 0.5)", z, names, names,
		plotting.WithAxisNames("predicted", "true"))
}

// LossChart draws the SSD training loss.
func (o *SSDOutcome) LossChart() (*plotting.Chart, error) {
	return plotting.Line("SSD-lite training loss (classification + smooth L1)", nil,
		[]plotting.Series{{Name: "loss", Y: o.Loss}}, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20), plotting.WithLogY())
}

// LossChart draws the FCN training losses, with and without skips.
func (o *SegOutcome) LossChart() (*plotting.Chart, error) {
	return plotting.Line("FCN training loss (pixel cross entropy)", nil,
		[]plotting.Series{{Name: "with skips", Y: o.Loss}, {Name: "without skips", Y: o.NoSkipLoss}},
		plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20), plotting.WithLogY())
}

// MasksPicture shows the first n held-out images (columns) and, in rows: the image, the true
// classes, the FCN's prediction with skips and without.
func (o *SegOutcome) MasksPicture(n int) (*plotting.Picture, error) {
	n = min(n, len(o.Test))
	rows := make([][]*plotting.Picture, 4)
	for i := 0; i < n; i++ {
		s := o.Test[i]
		px := s.Size * s.Size
		img, err := plotting.Detections(s.RGBA(), nil, plotting.PicScale(picScale))
		if err != nil {
			return nil, err
		}
		img.Alt = "image"
		rows[0] = append(rows[0], img)
		rows[1] = append(rows[1], labelPicture(s.Semantic(), s.Size, "truth"))
		rows[2] = append(rows[2], labelPicture(o.Pred[i*px:(i+1)*px], s.Size, "FCN with skips"))
		rows[3] = append(rows[3], labelPicture(o.NoSkipPred[i*px:(i+1)*px], s.Size, "FCN without skips"))
	}
	return plotting.Tile(rows), nil
}
