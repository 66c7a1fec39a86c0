package scaling

import (
	"fmt"
	"math"
)

// Rule is a scaling direction: how the extra computation of a bigger model is split between
// depth, width and resolution. Depth, Width and Resolution are the shares of log₂(FLOPs) each one
// gets (they sum to 1), because FLOPs grow as d·w²·r²: with α = 2^Depth, β = 2^(Width/2) and
// γ = 2^(Resolution/2), α·β²·γ² = 2 exactly, the paper's constraint, and at coefficient φ the
// network is d = α^φ, w = β^φ, r = γ^φ, about 2^φ times the baseline's FLOPs.
//
// The single-dimension rules are the corners {1,0,0} (depth), {0,1,0} (width) and {0,0,1}
// (resolution); compound scaling is a point inside, where all three grow.
type Rule struct{ Depth, Width, Resolution float64 }

// The single-dimension rules.
var (
	DepthOnly      = Rule{Depth: 1}
	WidthOnly      = Rule{Width: 1}
	ResolutionOnly = Rule{Resolution: 1}
)

// PaperRule is EfficientNet's α = 1.2, β = 1.1, γ = 1.15 (Tan & Le 2019, found by their grid
// search at φ = 1 on B0) as shares of log₂(FLOPs), renormalised so α·β²·γ² = 2 (theirs is 1.92).
func PaperRule() Rule {
	a, b, c := math.Log2(1.2), 2*math.Log2(1.1), 2*math.Log2(1.15)
	s := a + b + c
	return Rule{a / s, b / s, c / s}
}

// Lattice returns every compound rule whose shares of log₂(FLOPs) are multiples of 1/n, all three
// > 0: the (n−1)(n−2)/2 points (i/n, j/n, k/n) with i, j, k ≥ 1 and i+j+k = n, depth share
// ascending, then width share ascending. It is a uniform grid over the triangle of α·β²·γ² = 2
// (the paper's grid search at φ = 1, written in shares so that no direction is favoured): n = 5
// gives 6 rules whose shares run from 1/5 to 3/5 in every dimension.
func Lattice(n int) []Rule {
	var rs []Rule
	for i := 1; i < n; i++ {
		for j := 1; i+j < n; j++ {
			k := n - i - j
			rs = append(rs, Rule{float64(i) / float64(n), float64(j) / float64(n), float64(k) / float64(n)})
		}
	}
	return rs
}

// Coefficients returns α, β, γ: the depth, width and resolution multipliers at φ = 1.
func (r Rule) Coefficients() (alpha, beta, gamma float64) {
	return math.Exp2(r.Depth), math.Exp2(r.Width / 2), math.Exp2(r.Resolution / 2)
}

// At returns the multipliers at coefficient φ: d = α^φ, w = β^φ, r = γ^φ.
func (r Rule) At(phi float64) Multipliers {
	a, b, c := r.Coefficients()
	return Multipliers{Depth: math.Pow(a, phi), Width: math.Pow(b, phi), Resolution: math.Pow(c, phi)}
}

// Compound reports whether the rule grows all three dimensions.
func (r Rule) Compound() bool { return r.Depth > 0 && r.Width > 0 && r.Resolution > 0 }

// Name is "depth", "width", "resolution" for the single-dimension rules, else
// "compound α=… β=… γ=…".
func (r Rule) Name() string {
	switch r {
	case DepthOnly:
		return "depth"
	case WidthOnly:
		return "width"
	case ResolutionOnly:
		return "resolution"
	}
	a, b, c := r.Coefficients()
	return fmt.Sprintf("compound α=%.2f β=%.2f γ=%.2f", a, b, c)
}

// check returns an error unless the shares are ≥ 0 and sum to 1.
func (r Rule) check() error {
	if r.Depth < 0 || r.Width < 0 || r.Resolution < 0 || math.Abs(r.Depth+r.Width+r.Resolution-1) > 1e-6 {
		return fmt.Errorf("scaling: rule %+v: the shares of depth, width and resolution must be ≥ 0 and sum to 1 "+
			"(so that α·β²·γ² = 2)", r)
	}
	return nil
}

// Sized is the network a rule gives for a FLOPs budget.
type Sized struct {
	Rule Rule
	Phi  float64 // the budget: 2^Phi × the baseline's multiply-adds.
	// Scale is what the network applies to the baseline: blocks ÷ the baseline's blocks, the
	// channel multiplier and pixels ÷ the baseline's pixels. Whole blocks, channels and pixels
	// rarely allow exactly the rule's α^φ, β^φ, γ^φ at exactly the budget: see Base.Size.
	Scale Multipliers
	Net   Net
	// MACs is the network's multiply-adds per image, Ratio that ÷ the baseline's.
	MACs  int64
	Ratio float64
}

// Size returns the network for rule r at budget φ: of the networks whose multiply-adds are
// within match (0.1: 10%) of 2^φ × the baseline's, the one whose depth, width and resolution
// multipliers are closest to the rule's α^φ, β^φ, γ^φ, distance measured in log₂ FLOPs
// ((log₂ d − log₂ α^φ)² + (2 log₂ w − 2 log₂ β^φ)² + (2 log₂ r − 2 log₂ γ^φ)²). A
// single-dimension rule gets the exact single-dimension network when one is within match.
// It searches every whole number of blocks and of pixels up to 6× and 3× the baseline's, each
// with the rule's own width and with the width that hits the budget.
func (b Base) Size(r Rule, phi, match float64) (Sized, error) {
	one := b.Scale(Multipliers{1, 1, 1})
	base, baseBlocks := float64(one.MACs()), one.Blocks()
	target := math.Exp2(phi) * base
	ideal := r.At(phi)
	best, bestDist := Sized{Rule: r, Phi: phi}, math.Inf(1)
	consider := func(m Multipliers) float64 {
		n := b.Scale(m)
		macs := n.MACs()
		ratio := float64(macs) / base
		if math.Abs(float64(macs)/target-1) <= match {
			dist := sq(math.Log2(m.Depth/ideal.Depth)) + sq(2*math.Log2(m.Width/ideal.Width)) + sq(2*math.Log2(m.Resolution/ideal.Resolution))
			if dist < bestDist-1e-12 {
				best.Scale, best.Net, best.MACs, best.Ratio, bestDist = m, n, macs, ratio, dist
			}
		}
		return float64(macs)
	}
	for blocks := baseBlocks; blocks <= 6*baseBlocks; blocks++ {
		for px := b.Resolution; px <= 3*b.Resolution; px++ {
			m := Multipliers{Depth: float64(blocks) / float64(baseBlocks), Width: ideal.Width,
				Resolution: float64(px) / float64(b.Resolution)}
			consider(m)
			lo, hi := 0.25, 4.0 // bisect the width that hits the target
			m.Width = lo
			if consider(m) > target*(1+match) {
				break // more pixels only cost more
			}
			for range 14 {
				m.Width = (lo + hi) / 2
				if consider(m) < target {
					lo = m.Width
				} else {
					hi = m.Width
				}
			}
		}
	}
	if math.IsInf(bestDist, 1) {
		return best, fmt.Errorf("scaling: no network of rule %s is within %.0f%% of %.3g× the baseline's multiply-adds",
			r.Name(), 100*match, math.Exp2(phi))
	}
	return best, nil
}

func sq(x float64) float64 { return x * x }
