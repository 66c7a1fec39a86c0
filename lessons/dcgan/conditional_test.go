package dcgan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestConditionalNetworks checks the shapes of both ways of feeding the label, that D's verdict
// depends on the digit it is told (and G's image on the digit it is asked for), and that the
// projection discriminator hears the digit only through its embedding E: with E = 0 both digits
// get the same logit.
func TestConditionalNetworks(t *testing.T) {
	backend := gomlxext.MustBackend()
	for _, cond := range []Conditioning{InputLabels, ProjectedLabels} {
		t.Run(cond.String(), func(t *testing.T) {
			cfg := tiny()
			cfg.Condition = cond
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(7))
			// The same z and image, asked or told digit 3 and then digit 8.
			z := make([]float32, 2*cfg.ZDim)
			for i := range cfg.ZDim {
				z[i] = float32(i%5) - 2
				z[cfg.ZDim+i] = z[i]
			}
			labels := []int32{3, 8}
			exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, z, labels *Node) []*Node {
				img := Generator(ctx, cfg, z, labels)
				// D sees the first image twice, told two different digits.
				x := Concatenate([]*Node{Slice(img, AxisRange(0, 1)), Slice(img, AxisRange(0, 1))}, 0)
				return []*Node{img, Discriminator(ctx, cfg, x, labels)}
			})
			if err != nil {
				t.Fatal(err)
			}
			args := []any{tensors.FromFlatDataAndDimensions(z, 2, cfg.ZDim), tensors.FromFlatDataAndDimensions(labels, 2)}
			out, err := exec.Exec(args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := out[0].Shape().Dimensions; len(got) != 4 || got[1] != 28 || got[3] != 1 {
				t.Errorf("G: %v, want [2 28 28 1]", out[0].Shape())
			}
			img := tensors.MustCopyFlatData[float32](out[0])
			if same(img[:784], img[784:]) {
				t.Errorf("G drew the same image for digits 3 and 8")
			}
			logits := tensors.MustCopyFlatData[float32](out[1])
			if len(logits) != 2 || logits[0] == logits[1] {
				t.Errorf("D's logits %v for one image told digits 3 and 8: want two different numbers", logits)
			}
			e := ctx.GetVariableByScopeAndName("/"+DiscriminatorScope+"/projection", "embeddings")
			if (e != nil) != (cond == ProjectedLabels) {
				t.Fatalf("%v: projection embedding present: %v", cond, e != nil)
			}
			if e == nil {
				return
			}
			e.MustSetValue(tensors.FromShape(e.Shape())) // E = 0
			if out, err = exec.Exec(args...); err != nil {
				t.Fatal(err)
			}
			if l := tensors.MustCopyFlatData[float32](out[1]); l[0] != l[1] {
				t.Errorf("with E = 0, D's logits %v still depend on the digit", l)
			}
		})
	}
}

func same(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLabelsChecked checks the programmer errors: labels missing from a conditional network or
// given to an unconditional one.
func TestLabelsChecked(t *testing.T) {
	backend := gomlxext.MustBackend()
	for _, c := range []struct {
		cond   Conditioning
		labels bool
		want   string
	}{
		{InputLabels, false, "labels is nil"},
		{Unconditional, true, "unconditional network"},
	} {
		cfg := tiny()
		cfg.Condition = c.cond
		msg := panicMessage(func() {
			g := NewGraph(backend, "labels")
			z := Zeros(g, shapeOf(Const(g, float32(0)), 2, cfg.ZDim))
			var labels *Node
			if c.labels {
				labels = Const(g, []int32{1, 2})
			}
			Generator(context.New(), cfg, z, labels)
		})
		if !strings.Contains(msg, c.want) {
			t.Errorf("%v with labels %v: panic %q, want one saying %q", c.cond, c.labels, msg, c.want)
		}
	}
}

// panicMessage runs f and returns what it panicked with ("" if it did not).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestClassBatchNormAndEMA checks lesson 16's two generator options: with ClassBatchNorm G's batch
// norms hold a scale and a shift per digit, and with EMA a non-trainable average of every weight
// of G lives under /ema, differs from the trained weight after a few steps, and draws the judged
// samples (which then differ from the trained G's).
func TestClassBatchNormAndEMA(t *testing.T) {
	backend := gomlxext.MustBackend()
	cfg := tiny()
	cfg.Condition, cfg.ClassBatchNorm, cfg.EMA = ProjectedLabels, true, 0.999
	cfg.Steps = 4
	g, _, _, err := trainRun(backend, cfg, "", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	gamma := g.ctx.GetVariableByScopeAndName("/"+GeneratorScope+"/conv_bn", "gamma")
	if gamma == nil || gamma.Shape().Dimensions[0] != NumLabels {
		t.Fatalf("conditional batch norm: gamma %v, want [%d, channels]", gamma, NumLabels)
	}
	live := g.ctx.GetVariableByScopeAndName("/"+GeneratorScope+"/conv", "weights")
	shadow := g.ctx.GetVariableByScopeAndName("/"+emaScope+"/"+GeneratorScope+"/conv", "weights")
	if shadow == nil || shadow.Trainable {
		t.Fatalf("EMA shadow of G's conv weights: %v, want a non-trainable variable", shadow)
	}
	if same(tensors.MustCopyFlatData[float32](live.MustValue()), tensors.MustCopyFlatData[float32](shadow.MustValue())) {
		t.Errorf("the averaged weights equal the trained ones after %d steps", cfg.Steps)
	}
	averaged, _, err := g.sampleMany(20, judgeStream)
	if err != nil {
		t.Fatal(err)
	}
	g.emaGenerate = nil // now the trained G draws them
	trained, _, err := g.sampleMany(20, judgeStream)
	if err != nil {
		t.Fatal(err)
	}
	if same(averaged, trained) {
		t.Errorf("the averaged generator drew the same samples as the trained one")
	}
}
