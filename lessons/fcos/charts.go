package fcos

import (
	"fmt"
	"strings"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/plotting"
)

// picScale enlarges the 48-pixel images in every picture.
const picScale = 4

func hexRGB(hex string) [3]float32 {
	var r, g, b uint8
	_, _ = fmt.Sscanf(strings.TrimPrefix(hex, "#"), "%02x%02x%02x", &r, &g, &b)
	return [3]float32{float32(r) / 255, float32(g) / 255, float32(b) / 255}
}

// levelImage paints a per-location map of one level as a size×size image (each location a
// stride×stride block): rgb(j) gives location j's colour.
func levelImage(size, stride int, rgb func(j int) [3]float32) []float32 {
	n := size / stride
	img := make([]float32, size*size*3)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := rgb((y/stride)*n + x/stride)
			copy(img[(y*size+x)*3:], c[:])
		}
	}
	return img
}

func boxesOf(s shapes.Sample) []plotting.Detection {
	var out []plotting.Detection
	for i, o := range s.Objects {
		out = append(out, plotting.Detection{X0: o.Box.X0, Y0: o.Box.Y0, X1: o.Box.X1, Y1: o.Box.Y1,
			Label: fmt.Sprintf("#%d", i+1), Score: -1, Class: i})
	}
	return out
}

// AssignmentPicture shows how FCOS turns the objects of sample s into targets on each level:
// the image with its numbered boxes, then for every level the object each location is assigned
// to (its box's colour; black: background; white: an ambiguous location, inside two boxes that
// both fit) and its center-ness target — first without size ranges (every level takes every
// object), then with the FPN's ranges.
func AssignmentPicture(s shapes.Sample, levels []Level) (*plotting.Picture, error) {
	img, err := plotting.Detections(s.RGBA(), boxesOf(s), plotting.PicScale(picScale))
	if err != nil {
		return nil, err
	}
	img.Alt = "image and boxes"
	var maps [][]float32
	var captions []string
	for _, useRanges := range []bool{false, true} {
		ts := Assign(s.Objects, s.Size, levels, useRanges)
		first := 0
		for _, lv := range levels {
			lts := ts[first : first+(s.Size/lv.Stride)*(s.Size/lv.Stride)]
			first += len(lts)
			maps = append(maps, levelImage(s.Size, lv.Stride, func(j int) [3]float32 {
				switch t := lts[j]; {
				case t.Object < 0:
					return [3]float32{}
				case t.Candidates > 1:
					return [3]float32{1, 1, 1}
				default:
					return hexRGB(plotting.Color(t.Object))
				}
			}), levelImage(s.Size, lv.Stride, func(j int) [3]float32 {
				c := float32(lts[j].Center)
				return [3]float32{c, c, c}
			}))
			what := "no ranges"
			if useRanges {
				what = fmt.Sprintf("reach (%g, %g]", lv.MinReach, lv.MaxReach)
			}
			captions = append(captions, fmt.Sprintf("s=%d %s", lv.Stride, what), fmt.Sprintf("s=%d center-ness", lv.Stride))
		}
	}
	grid, err := plotting.ImageGrid(maps, s.Size, s.Size, plotting.PicScale(picScale), plotting.GridCols(2*len(levels)),
		plotting.PicCaptions(captions))
	if err != nil {
		return nil, err
	}
	return plotting.Tile([][]*plotting.Picture{{img, grid}}), nil
}

// MapsPicture shows, for held-out image i, FCOS's per-location outputs on every level (rows): the
// best class probability, the predicted center-ness and their product — the inference score —
// in gray from 0 (black) to 1 (white), beside the detections it keeps.
func (o *Outcome) MapsPicture(i int) (*plotting.Picture, error) {
	if i < 0 || i >= len(o.Test) {
		return nil, fmt.Errorf("fcos: MapsPicture: image %d of %d held-out images", i, len(o.Test))
	}
	d := o.FCOS.Detector
	s := o.Test[i]
	m, err := d.Raw(o.Test[i : i+1])
	if err != nil {
		return nil, err
	}
	dets, err := d.Detect(o.Test[i:i+1], 0)
	if err != nil {
		return nil, err
	}
	pic, err := plotting.Detections(s.RGBA(), toPlot(dets, 0.2), plotting.PicScale(picScale))
	if err != nil {
		return nil, err
	}
	pic.Alt = "FCOS detections (score ≥ 0.2)"
	var maps [][]float32
	var captions []string
	first := 0
	for _, lv := range d.Model.Levels {
		f := first
		gray := func(v func(j int) float64) []float32 {
			return levelImage(s.Size, lv.Stride, func(j int) [3]float32 {
				g := float32(v(f + j))
				return [3]float32{g, g, g}
			})
		}
		best := func(j int) float64 {
			b := 0.0
			for c := range shapes.NumClasses {
				b = max(b, float64(m.Probs[j*shapes.NumClasses+c]))
			}
			return b
		}
		ctr := func(j int) float64 { return float64(m.Center[j]) }
		maps = append(maps, gray(best), gray(ctr), gray(func(j int) float64 { return best(j) * ctr(j) }))
		captions = append(captions, fmt.Sprintf("s=%d class score", lv.Stride), fmt.Sprintf("s=%d center-ness", lv.Stride),
			fmt.Sprintf("s=%d product", lv.Stride))
		first += (s.Size / lv.Stride) * (s.Size / lv.Stride)
	}
	grid, err := plotting.ImageGrid(maps, s.Size, s.Size, plotting.PicScale(picScale), plotting.GridCols(3), plotting.PicCaptions(captions))
	if err != nil {
		return nil, err
	}
	return plotting.Tile([][]*plotting.Picture{{pic, grid}}), nil
}

func toPlot(dets []detection.Detection, minScore float64) []plotting.Detection {
	var out []plotting.Detection
	for _, d := range dets {
		if d.Score >= minScore {
			out = append(out, plotting.Detection{X0: d.Box.X0, Y0: d.Box.Y0, X1: d.Box.X1, Y1: d.Box.Y1,
				Label: shapes.ClassNames[d.Class], Score: d.Score, Class: d.Class})
		}
	}
	return out
}

// DetectionsPicture shows the first n held-out images (columns) with, in rows, the true boxes and
// the detections scoring ≥ minScore of FCOS, FCOS without center-ness and SSD.
func (o *Outcome) DetectionsPicture(n int, minScore float64) (*plotting.Picture, error) {
	n = min(n, len(o.Test))
	byImage := func(ds []detection.Detection, i int) []detection.Detection {
		var out []detection.Detection
		for _, d := range ds {
			if d.Image == i {
				out = append(out, d)
			}
		}
		return out
	}
	type row struct {
		name string
		dets []detection.Detection
	}
	rows := []row{{name: "truth"}, {"FCOS", o.FCOS.Detections}}
	if o.NoCenter != nil {
		rows = append(rows, row{"FCOS without center-ness", o.NoCenter.Detections})
	}
	if o.SSD != nil {
		rows = append(rows, row{"SSD-lite", o.SSD.Detections})
	}
	var cells [][]*plotting.Picture
	for _, r := range rows {
		var line []*plotting.Picture
		for i := 0; i < n; i++ {
			s := o.Test[i]
			var ds []plotting.Detection
			if r.dets == nil {
				for _, ob := range s.Objects {
					ds = append(ds, plotting.Detection{X0: ob.Box.X0, Y0: ob.Box.Y0, X1: ob.Box.X1, Y1: ob.Box.Y1,
						Label: shapes.ClassNames[ob.Class], Score: -1, Class: ob.Class})
				}
			} else {
				ds = toPlot(byImage(r.dets, i), minScore)
			}
			p, err := plotting.Detections(s.RGBA(), ds, plotting.PicScale(picScale))
			if err != nil {
				return nil, err
			}
			p.Alt = fmt.Sprintf("%s, held-out image %d", r.name, i)
			line = append(line, p)
		}
		cells = append(cells, line)
	}
	return plotting.Tile(cells), nil
}

// LossChart draws the training losses of FCOS and its ablation.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	series := []plotting.Series{{Name: "FCOS", Y: o.FCOS.Loss}}
	if o.NoCenter != nil {
		series = append(series, plotting.Series{Name: "without center-ness", Y: o.NoCenter.Loss})
	}
	return plotting.Line("FCOS training loss (focal + GIoU [+ center-ness BCE]) / positives", nil, series,
		plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20), plotting.WithLogY())
}

// MAPChart compares the detectors' held-out mAP@0.5 and mAP@[.5:.95].
func (o *Outcome) MAPChart() (*plotting.Chart, error) {
	var names []string
	var m50, coco []float64
	for _, r := range o.Rows() {
		names, m50, coco = append(names, r.Name), append(m50, r.MAP50), append(coco, r.COCO)
	}
	return plotting.Bar(fmt.Sprintf("held-out mAP (%d images)", len(o.Test)), names,
		[]plotting.Series{{Name: "mAP@0.5", Y: m50}, {Name: "mAP@[.5:.95]", Y: coco}}, plotting.WithAxisNames("", "mAP"))
}

// Chart shows the share of positive locations that lie inside two boxes: one level alone, every
// level without size ranges, and FPN's size-range assignment.
func (a Ambiguity) Chart() (*plotting.Chart, error) {
	return plotting.Bar(fmt.Sprintf("ambiguous samples on %d training images", a.Images),
		[]string{fmt.Sprintf("one level (stride %d)", a.SingleStride), "every level, no ranges", "FPN with size ranges"},
		[]plotting.Series{{Name: "% of positive locations", Y: []float64{100 * a.SingleFraction(), 100 * a.Fraction(), 100 * a.FPNFraction()}}},
		plotting.WithAxisNames("", "% ambiguous"))
}
