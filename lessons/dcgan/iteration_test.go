package dcgan

import (
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestIterationIsTheSteps checks that one iteration graph (gan.iterate, what training runs) is the
// report's steps run one after another — generate, update_discriminator, update_generator and the
// EMA update — for the DCGAN and for the projection GAN with conditional batch norm and the EMA:
// after three iterations on the same inputs every variable of the two GANs (weights, batch-norm
// averages, Adam's moments and steps, the averaged weights) is the same, bit for bit.
func TestIterationIsTheSteps(t *testing.T) {
	backend := gomlxext.MustBackend()
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
	}{
		{"dcgan", func(*Config) {}},
		{"projection, class BN, EMA", func(c *Config) { c.Condition, c.ClassBatchNorm, c.EMA = ProjectedLabels, true, 0.999 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tiny()
			tc.cfg(&cfg)
			fused, err := newGAN(backend, cfg)
			if err != nil {
				t.Fatal(err)
			}
			steps, err := newGAN(backend, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			b := cfg.Batch
			for it := range 3 {
				pix := make([]float32, b*784)
				for i := range pix {
					pix[i] = rng.Float32()
				}
				real := tensors.FromFlatDataAndDimensions(pix, b, 28, 28)
				z1, z2 := noise(7, uint64(2*it), b, cfg.ZDim), noise(7, uint64(2*it+1), b, cfg.ZDim)
				digits := drawLabels(7, uint64(it), b)
				y1, y2 := drawLabels(8, uint64(it), b), drawLabels(9, uint64(it), b)
				in := []any{real, tensors.FromFlatDataAndDimensions(z1, b, cfg.ZDim), tensors.FromFlatDataAndDimensions(z2, b, cfg.ZDim)}
				if cfg.Condition.Conditional() {
					in = append(in, tensors.FromFlatDataAndDimensions(digits, b, 1),
						tensors.FromFlatDataAndDimensions(y1, b, 1), tensors.FromFlatDataAndDimensions(y2, b, 1))
				}
				if cfg.EMA > 0 {
					in = append(in, float32(it))
				}
				if _, err := fused.iterate.Exec(in...); err != nil {
					t.Fatal(err)
				}

				fake, err := steps.generate.Exec(steps.inputs(z1, y1)...)
				if err != nil {
					t.Fatal(err)
				}
				dIn := []any{real, fake[0]}
				if cfg.Condition.Conditional() {
					dIn = append(dIn, tensors.FromFlatDataAndDimensions(digits, b), tensors.FromFlatDataAndDimensions(y1, b))
				}
				if _, err := steps.dStep.Exec(dIn...); err != nil {
					t.Fatal(err)
				}
				if _, err := steps.gStep.Exec(steps.inputs(z2, y2)...); err != nil {
					t.Fatal(err)
				}
				if steps.emaStep != nil {
					if _, err := steps.emaStep.Exec(float32(it)); err != nil {
						t.Fatal(err)
					}
				}
			}
			n := 0
			for v := range steps.ctx.IterVariables() {
				if v.Name() == context.RNGStateVariableName {
					continue // the random state's counter depends on the order the graphs first ran, not on training.
				}
				w := fused.ctx.GetVariableByScopeAndName(v.Scope(), v.Name())
				if w == nil {
					t.Errorf("%s: not in the fused GAN", v.ScopeAndName())
					continue
				}
				a, b := v.MustValue(), w.MustValue()
				if !a.Shape().Equal(b.Shape()) {
					t.Errorf("%s: shape %s, fused %s", v.ScopeAndName(), a.Shape(), b.Shape())
					continue
				}
				if !a.Equal(b) {
					t.Errorf("%s differs after 3 iterations:\n steps %v\n fused %v", v.ScopeAndName(), a, b)
				}
				n++
			}
			if n < 20 {
				t.Errorf("compared only %d variables", n)
			}
		})
	}
}
