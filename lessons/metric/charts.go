package metric

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/plotting"
)

// model returns the index of loss l in o.Models.
func (o *Outcome) model(l Loss) (int, error) {
	for i, m := range o.Models {
		if m.Loss == l {
			return i, nil
		}
	}
	names := make([]string, len(Losses))
	for i, l := range Losses {
		names[i] = fmt.Sprintf("%q", l)
	}
	return 0, fmt.Errorf("metric: no model trained with the loss %q (have %s)", l, strings.Join(names, ", "))
}

// LossChart draws every model's training loss against the step (each loss on its own scale:
// compare shapes, not heights).
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, m := range o.Models {
		series = append(series, plotting.Series{Name: string(m.Loss), Y: m.Curve.Loss})
	}
	return plotting.Line("training loss of each network", nil, series, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20))
}

// ActiveChart draws, for every network, the fraction of its batch's triplets with a non-zero
// triplet loss (at the triplet margin) against the step — the triplets that still teach
// anything — and, for the semi-hard network, the fraction of its mined triplets that are active.
func (o *Outcome) ActiveChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, m := range o.Models {
		series = append(series, plotting.Series{Name: string(m.Loss) + ": all triplets", Y: m.Curve.ActiveTriplets})
	}
	if i, err := o.model(TripletSemiHard); err == nil {
		series = append(series, plotting.Series{Name: "triplet (semi-hard): its mined triplets", Y: o.Models[i].Curve.Active})
	}
	return plotting.Line("fraction of active triplets (loss > 0) in each batch", nil, series,
		plotting.WithAxisNames("step", "fraction active"), plotting.WithSmoothing(20))
}

// DistanceHistogramChart draws, for the network trained with loss l, the distribution of the
// distances between test images of the same seen digit (one curve per digit) and between test
// images of different digits, from OverlapImages seen-digit test images.
func (o *Outcome) DistanceHistogramChart(l Loss) (*plotting.Chart, error) {
	i, err := o.model(l)
	if err != nil {
		return nil, err
	}
	n := min(o.Config.OverlapImages, len(o.Seen.Digits))
	same, diff := PairDistances(o.SeenEmb[i][:n], o.Seen.Digits[:n])
	const bins = 40
	x := make([]float64, bins)
	for b := range x {
		x[b] = (float64(b) + 0.5) * 2 / bins
	}
	density := func(v []float64) []float64 {
		h := make([]float64, bins)
		for _, d := range v {
			h[min(bins-1, int(d/2*bins))] += 1 / float64(len(v))
		}
		return h
	}
	var series []plotting.Series
	for d := range o.Config.SeenDigits {
		if len(same[d]) > 0 {
			series = append(series, plotting.Series{Name: fmt.Sprintf("same digit %d", d), Y: density(same[d])})
		}
	}
	series = append(series, plotting.Series{Name: "different digits", Y: density(diff)})
	return plotting.Line(fmt.Sprintf("%s: distances between held-out test images (share of pairs per bin)", l), x, series,
		plotting.WithAxisNames("distance D in the embedding", "share of pairs"))
}

// perDigit is how many test images of each digit the scatter shows.
const perDigit = 80

// ScatterChart draws the network trained with loss l's embeddings of held-out test images of
// every digit (the unseen ones included), projected on their first two principal components.
func (o *Outcome) ScatterChart(l Loss) (*plotting.Chart, error) {
	i, err := o.model(l)
	if err != nil {
		return nil, err
	}
	var vecs [][]float32
	var classes []int
	count := map[int]int{}
	add := func(emb [][]float32, digits []int) {
		for j, d := range digits {
			if count[d] < perDigit {
				count[d]++
				vecs, classes = append(vecs, emb[j]), append(classes, d)
			}
		}
	}
	add(o.SeenEmb[i], o.Seen.Digits)
	add(o.UnseenEmb[i], o.Unseen.Digits)
	pca, err := FitPCA(vecs, 2)
	if err != nil {
		return nil, err
	}
	xy := pca.Project(vecs)
	p := plotting.Points{Classes: classes}
	for _, v := range xy {
		p.X, p.Y = append(p.X, float64(v[0])), append(p.Y, float64(v[1]))
	}
	for d := range mnist.NumClasses {
		name := fmt.Sprint(d)
		if d >= o.Config.SeenDigits {
			name += " (unseen)"
		}
		p.ClassNames = append(p.ClassNames, name)
	}
	return plotting.Scatter(fmt.Sprintf("%s: test embeddings, first two principal components", l), p, plotting.WithAxisNames("PC 1", "PC 2"))
}

// RetrievalPicture shows, for the first rows test queries, the query and its K nearest
// neighbours under the network trained with loss l: seen-digit queries against the training
// gallery, or (unseen) unseen-digit queries against the other unseen test images. A wrong
// neighbour's caption is marked ✗.
func (o *Outcome) RetrievalPicture(l Loss, unseen bool, rows int) (*plotting.Picture, error) {
	i, err := o.model(l)
	if err != nil {
		return nil, err
	}
	q, nb, ref := o.Seen, o.Scores[i].SeenNeighbours, o.Gallery
	if unseen {
		q, nb, ref = o.Unseen, o.Scores[i].UnseenNeighbours, o.Unseen
	}
	var imgs [][]float32
	var caps []string
	for r := range min(rows, len(nb)) {
		imgs, caps = append(imgs, q.Images[r]), append(caps, fmt.Sprintf("query %d", q.Digits[r]))
		for _, j := range nb[r] {
			mark := ""
			if ref.Digits[j] != q.Digits[r] {
				mark = " ✗"
			}
			imgs, caps = append(imgs, ref.Images[j]), append(caps, fmt.Sprintf("%d%s", ref.Digits[j], mark))
		}
	}
	return plotting.ImageGrid(imgs, mnist.Height, mnist.Width, plotting.GridCols(o.Config.K+1), plotting.PicScale(2), plotting.PicCaptions(caps))
}

// ScoresChart compares the baselines and the four networks: k-NN accuracy on the seen digits and
// recall@1 on the unseen digits, with the two thresholds.
func (o *Outcome) ScoresChart() (*plotting.Chart, error) {
	var names []string
	var knn, rec, tk, tr []float64
	for _, s := range append(append([]*Scores{}, o.Baselines...), o.Scores...) {
		names = append(names, s.Name)
		knn, rec = append(knn, s.KNNAccuracy), append(rec, s.UnseenRecall1)
		tk, tr = append(tk, o.Config.MinKNNAccuracy), append(tr, o.Config.MinUnseenRecall)
	}
	c := o.Config
	return plotting.Bar("retrieval on held-out test images", names, []plotting.Series{
		{Name: fmt.Sprintf("%d-NN accuracy, seen %s", c.K, strings.ReplaceAll(c.digits(true), "_", " ")), Y: knn},
		{Name: fmt.Sprintf("recall@1, unseen %s", strings.ReplaceAll(c.digits(false), "_", " ")), Y: rec},
	}, plotting.WithAxisNames("", "share"))
}

// OverlapChart compares, for every representation, the share of (same-digit pair,
// different-digit pair) couples of test images in which the same-digit pair is the farther one:
// 0 when one distance threshold separates same from different, 0.5 when distance means nothing.
func (o *Outcome) OverlapChart() (*plotting.Chart, error) {
	var names []string
	var seen, unseen []float64
	for _, s := range append(append([]*Scores{}, o.Baselines...), o.Scores...) {
		names = append(names, s.Name)
		seen, unseen = append(seen, s.SeenOverlap), append(unseen, s.UnseenOverlap)
	}
	return plotting.Bar("intra- vs inter-class distances: share of same-digit pairs farther than a different-digit pair", names, []plotting.Series{
		{Name: "seen digits", Y: seen}, {Name: "unseen digits", Y: unseen},
	}, plotting.WithAxisNames("", "overlap (lower is better)"))
}

// MedianSameDistance is the median distance between test images of the same seen digit under
// the network trained with loss l, over its OverlapImages seen-digit queries: how far the loss
// pulls a class together (the contrastive loss: towards 0).
func (o *Outcome) MedianSameDistance(l Loss) (float64, error) {
	i, err := o.model(l)
	if err != nil {
		return 0, err
	}
	n := min(o.Config.OverlapImages, len(o.Seen.Digits))
	same, _ := PairDistances(o.SeenEmb[i][:n], o.Seen.Digits[:n])
	var all []float64
	for _, v := range same {
		all = append(all, v...)
	}
	if len(all) == 0 {
		return math.NaN(), nil
	}
	return median(all), nil
}

func median(v []float64) float64 {
	s := append([]float64{}, v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
