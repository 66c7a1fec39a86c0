package metric

import (
	"fmt"
	"math"
	"strings"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// FormulaRow is one point at which the report's formulas are evaluated twice: by the engine's
// layers (gomlxext/layers) and by hand in float64.
type FormulaRow struct {
	D, Y, Dp, Dn, Dnn                 float64 // distance and label of a pair; a triplet's D_p, D_n; a negative pair's D_nn
	Contrastive, ContrastiveByHand    float64 // ½[y·D² + (1−y)·max(m − D, 0)²], m = margin
	Triplet, TripletByHand            float64 // max(D_p − D_n + m, 0)
	Quadruplet, QuadrupletByHand      float64 // max(D_p − D_n + m, 0) + max(D_p − D_nn + m₂, 0)
	margin, tripletMargin, pairMargin float64
}

// Formulas evaluates the contrastive, triplet and quadruplet losses at a few points with cfg's
// margins, through the engine and by hand. The contrastive loss of a same-class pair (y = 1) is
// ½D²: zero only at D = 0.
func Formulas(cfg Config) ([]FormulaRow, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("metric: %w", err)
	}
	rows := []FormulaRow{
		{D: 0, Y: 1, Dp: 0.2, Dn: 0.9, Dnn: 0.5},
		{D: 0.4, Y: 1, Dp: 0.6, Dn: 0.8, Dnn: 0.3},
		{D: 0.4, Y: 0, Dp: 0.9, Dn: 0.5, Dnn: 1.2},
		{D: 1.3, Y: 0, Dp: 0.3, Dn: 1.4, Dnn: 1.1},
	}
	col := func(f func(r FormulaRow) float64) *tensors.Tensor {
		v := make([]float32, len(rows))
		for i, r := range rows {
			v[i] = float32(f(r))
		}
		return tensors.FromFlatDataAndDimensions(v, len(v))
	}
	m, tm, pm := cfg.ContrastiveMargin, cfg.TripletMargin, cfg.PairMargin
	exec, err := G.NewExec(backend, func(d, y, dp, dn, dnn *G.Node) []*G.Node {
		return []*G.Node{xlayers.ContrastiveLoss(d, y, m), xlayers.TripletLoss(dp, dn, tm), xlayers.QuadrupletLoss(dp, dn, dnn, tm, pm)}
	})
	if err != nil {
		return nil, fmt.Errorf("metric: compile the formulas: %w", err)
	}
	res, err := exec.Exec(col(func(r FormulaRow) float64 { return r.D }), col(func(r FormulaRow) float64 { return r.Y }),
		col(func(r FormulaRow) float64 { return r.Dp }), col(func(r FormulaRow) float64 { return r.Dn }), col(func(r FormulaRow) float64 { return r.Dnn }))
	if err != nil {
		return nil, fmt.Errorf("metric: the formulas: %w", err)
	}
	c, t, q := tensors.MustCopyFlatData[float32](res[0]), tensors.MustCopyFlatData[float32](res[1]), tensors.MustCopyFlatData[float32](res[2])
	for i := range rows {
		r := &rows[i]
		r.margin, r.tripletMargin, r.pairMargin = m, tm, pm
		r.Contrastive, r.Triplet, r.Quadruplet = float64(c[i]), float64(t[i]), float64(q[i])
		r.ContrastiveByHand = 0.5 * (r.Y*r.D*r.D + (1-r.Y)*math.Pow(math.Max(m-r.D, 0), 2))
		r.TripletByHand = math.Max(r.Dp-r.Dn+tm, 0)
		r.QuadrupletByHand = r.TripletByHand + math.Max(r.Dp-r.Dnn+pm, 0)
	}
	return rows, nil
}

// FormulaTable prints Formulas' rows, and the largest difference between engine and hand.
func FormulaTable(rows []FormulaRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5s %3s %11s %9s | %5s %5s %5s %8s %9s | %10s %9s\n", "D", "y", "contrastive", "by hand", "D_p", "D_n", "D_nn", "triplet", "by hand", "quadruplet", "by hand")
	worst := 0.0
	for _, r := range rows {
		fmt.Fprintf(&b, "%5.2f %3.0f %11.4f %9.4f | %5.2f %5.2f %5.2f %8.4f %9.4f | %10.4f %9.4f\n",
			r.D, r.Y, r.Contrastive, r.ContrastiveByHand, r.Dp, r.Dn, r.Dnn, r.Triplet, r.TripletByHand, r.Quadruplet, r.QuadrupletByHand)
		worst = max(worst, math.Abs(r.Contrastive-r.ContrastiveByHand), math.Abs(r.Triplet-r.TripletByHand), math.Abs(r.Quadruplet-r.QuadrupletByHand))
	}
	if len(rows) > 0 {
		fmt.Fprintf(&b, "margins m = %g (contrastive), %g (triplet), m₂ = %g; largest difference engine − hand: %.1e\n", rows[0].margin, rows[0].tripletMargin, rows[0].pairMargin, worst)
	}
	return b.String()
}
