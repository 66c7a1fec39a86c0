package scaling

import (
	"math"
	"testing"
)

// TestRulesKeepTheConstraint checks α·β²·γ² = 2 for the grid's rules and the paper's, and that
// at φ the multipliers are α^φ, β^φ, γ^φ.
func TestRulesKeepTheConstraint(t *testing.T) {
	for _, r := range append(Full().Grid, PaperRule()) {
		a, b, c := r.Coefficients()
		if got := a * b * b * c * c; math.Abs(got-2) > 1e-9 {
			t.Errorf("%s: α·β²·γ² = %g, want 2", r.Name(), got)
		}
		m := r.At(2)
		if math.Abs(m.Depth-a*a) > 1e-9 || math.Abs(m.Width-b*b) > 1e-9 || math.Abs(m.Resolution-c*c) > 1e-9 {
			t.Errorf("%s at φ=2: %+v, want α², β², γ²", r.Name(), m)
		}
	}
	a, b, c := PaperRule().Coefficients()
	if math.Abs(math.Log(a)/math.Log(b)-math.Log(1.2)/math.Log(1.1)) > 1e-9 || math.Abs(math.Log(b)/math.Log(c)-math.Log(1.1)/math.Log(1.15)) > 1e-9 {
		t.Errorf("paper rule α, β, γ = %.3f, %.3f, %.3f: not the paper's 1.2, 1.1, 1.15 renormalised", a, b, c)
	}
}

// TestBudgetsMatch checks that every rule of the full run finds a network within Match of each
// budget, and logs them.
func TestBudgetsMatch(t *testing.T) {
	cfg := Full()
	base := cfg.Base.Scale(Multipliers{1, 1, 1})
	t.Logf("baseline: %s, %d MACs", base, base.MACs())
	for _, phi := range append([]float64{1}, cfg.Budgets...) {
		for _, r := range cfg.Grid {
			s, err := cfg.Base.Size(r, phi, cfg.Match)
			if err != nil {
				t.Fatal(err)
			}
			ideal := r.At(phi)
			t.Logf("φ=%g %-30s %.3fx  d %.2f (%.2f) w %.2f (%.2f) r %.2f (%.2f)  %s", phi, r.Name(), s.Ratio,
				s.Scale.Depth, ideal.Depth, s.Scale.Width, ideal.Width, s.Scale.Resolution, ideal.Resolution, s.Net)
			if math.Abs(s.Ratio/math.Exp2(phi)-1) > cfg.Match {
				t.Errorf("φ=%g %s: %.3g× the baseline's MACs, not within %g of %g×", phi, r.Name(), s.Ratio, cfg.Match, math.Exp2(phi))
			}
		}
	}
}

func TestScaleLayers(t *testing.T) {
	st := Full().Base.Stages // 1, 2, 2, 1 blocks
	for _, c := range []struct {
		d    float64
		want [4]int
	}{{1, [4]int{1, 2, 2, 1}}, {1.21, [4]int{1, 2, 3, 1}}, {2, [4]int{2, 4, 4, 2}}, {1.5, [4]int{1, 3, 3, 2}}, {4, [4]int{4, 8, 8, 4}}} {
		got := scaleLayers(st, c.d)
		if [4]int(got) != c.want {
			t.Errorf("d=%g: %v, want %v", c.d, got, c.want)
		}
	}
}

// TestLattice checks that Lattice(n) is every compound rule on the 1/n lattice, once each.
func TestLattice(t *testing.T) {
	for n, want := range map[int]int{3: 1, 4: 3, 5: 6, 6: 10} {
		rs := Lattice(n)
		if len(rs) != want {
			t.Errorf("Lattice(%d): %d rules, want %d", n, len(rs), want)
		}
		seen := map[Rule]bool{}
		for _, r := range rs {
			if err := r.check(); err != nil || !r.Compound() || seen[r] {
				t.Errorf("Lattice(%d): %+v is not a new compound rule (%v)", n, r, err)
			}
			for _, s := range []float64{r.Depth, r.Width, r.Resolution} {
				if k := s * float64(n); math.Abs(k-math.Round(k)) > 1e-9 {
					t.Errorf("Lattice(%d): share %g of %+v is not a multiple of 1/%d", n, s, r, n)
				}
			}
			seen[r] = true
		}
	}
	if got := Lattice(5)[0]; got != (Rule{0.2, 0.2, 0.6}) {
		t.Errorf("Lattice(5)[0] = %+v, want the resolution-heavy {0.2 0.2 0.6}", got)
	}
}
