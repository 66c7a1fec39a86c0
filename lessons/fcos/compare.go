package fcos

import (
	"fmt"
	"math"
	"strings"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// AnchorHyperParameters lists the settings lesson 07's SSD needs to lay out and match its
// default boxes, with their values: the box scales s_k of its feature maps (and the s_{k+1} of
// the extra box), the aspect ratios, the IoU at which a default box is matched, the two encoding
// variances and the hard-negative ratio. FCOS needs none of them.
func AnchorHyperParameters(m *detection.SSD) []string {
	var out []string
	seen := map[float64]bool{}
	for _, fm := range m.Maps {
		for _, s := range []float64{fm.Scale, fm.NextScale} {
			if !seen[s] {
				seen[s] = true
				out = append(out, fmt.Sprintf("scale %g", s))
			}
		}
	}
	for _, r := range m.Ratios {
		out = append(out, fmt.Sprintf("aspect ratio %g (and 1/%g)", r, r))
	}
	out = append(out, "match IoU 0.5",
		fmt.Sprintf("centre variance %g", detection.Variances[0]), fmt.Sprintf("size variance %g", detection.Variances[1]),
		fmt.Sprintf("negatives per positive %d", detection.NegPerPos))
	return out
}

// AnchorPositives counts, over samples, the default boxes of m that SSD's matching
// (detection.Match at IoU 0.5) makes positive: most anchors are background.
func AnchorPositives(m *detection.SSD, samples []shapes.Sample) (positives, total int) {
	for _, s := range samples {
		labels, _ := detection.Match(s.Objects, m.Defaults, 0.5)
		for _, l := range labels {
			if l > 0 {
				positives++
			}
		}
		total += len(labels)
	}
	return positives, total
}

// Row is one detector in the comparison table.
type Row struct {
	Name            string
	AnchorParams    int     // anchor hyper-parameters (AnchorHyperParameters for SSD, 0 for FCOS).
	Candidates      int     // boxes the network proposes per image (default boxes or locations).
	OutputsPerImage int     // values its heads produce per image.
	TrainSeconds    float64 // training wall time (NaN when not recorded).
	Steps           int
	MAP50           float64 // held-out mAP@0.5.
	COCO            float64 // held-out mAP@[.5:.95].
}

// Rows is the comparison table: FCOS, its ablation and lesson 07's SSD, all trained with the same
// images, batch and steps and measured on the same held-out images.
func (o *Outcome) Rows() []Row {
	size := o.Config.Data.Size
	loc := NumLocations(size, o.Config.Model.Levels)
	var rows []Row
	add := func(name string, r *ModelResult) {
		if r != nil {
			rows = append(rows, Row{Name: name, Candidates: loc, OutputsPerImage: r.Model.OutputsPerImage(size),
				TrainSeconds: r.TrainSeconds, Steps: o.Config.Train.Steps, MAP50: r.MAP50, COCO: r.COCO})
		}
	}
	add("FCOS (center-ness)", o.FCOS)
	add("FCOS without center-ness", o.NoCenter)
	if o.SSD != nil {
		m := o.SSD.Model
		rows = append(rows, Row{Name: "SSD-lite (lesson 07)", AnchorParams: len(AnchorHyperParameters(m)),
			Candidates: len(m.Defaults), OutputsPerImage: len(m.Defaults) * (detection.NumLabels + 4),
			TrainSeconds: o.SSDTrainSeconds, Steps: o.Config.SSD.Steps, MAP50: o.SSD.MAP50, COCO: o.SSD.COCO})
	}
	return rows
}

// Table is Rows as text.
func (o *Outcome) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s %7s %10s %8s %6s %8s %7s %9s\n", "detector", "anchor", "boxes/img", "outputs", "steps", "train s", "mAP@.5", "mAP@.5:.95")
	for _, r := range o.Rows() {
		ts := "—"
		if !math.IsNaN(r.TrainSeconds) {
			ts = fmt.Sprintf("%.0f", r.TrainSeconds)
		}
		fmt.Fprintf(&b, "%-26s %7d %10d %8d %6d %8s %7.3f %9.3f\n", r.Name, r.AnchorParams, r.Candidates, r.OutputsPerImage, r.Steps, ts, r.MAP50, r.COCO)
	}
	return b.String()
}
