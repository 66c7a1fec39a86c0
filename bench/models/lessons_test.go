package models

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons/alphago"
	"github.com/dl4go/dl4go/lessons/bert"
	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/lessons/maml"
	"github.com/dl4go/dl4go/lessons/rl"
)

// wantParams returns the trainable parameter count of each lesson model, computed by hand from
// the layer sizes (the same formulas torch_bench.py's PyTorch models must meet).
func wantParams(t *testing.T) map[string]int {
	t.Helper()
	h := rl.Full().CartPole.Hidden
	// policy 4→h→2 and baseline 4→h→1, with biases.
	rlN := (4*h + h + 2*h + 2) + (4*h + h + h + 1)

	nc := alphago.Full().Zero.Net
	c, n2 := nc.Channels, nc.Size*nc.Size
	bn := func(ch int) int { return 2 * ch }    // batch-norm scale and offset.
	alphagoN := 9*alphago.NumPlanes*c + bn(c) + // stem
		nc.Blocks*2*(9*c*c+bn(c)) + // residual blocks: two 3×3 convolutions, no bias
		2*c + bn(2) + 2*n2*(n2+1) + n2 + 1 + // policy head
		c + bn(1) + n2*32 + 32 + 32 + 1 // value head

	ch, labels := FCNChannels, detection.NumLabels
	detectionN := 9*3*ch[0] + bn(ch[0]) + 9*ch[0]*ch[1] + bn(ch[1]) + 9*ch[1]*ch[2] + bn(ch[2]) + 9*ch[2]*ch[3] + bn(ch[3]) +
		ch[3]*labels + labels + // score8
		ch[1]*labels + labels + ch[0]*labels + labels + // score4, score2 (skips)
		3*16*labels*labels // three 4×4 transposed convolutions, no bias

	m := bert.Full().Model
	v, d, f := m.Vocab, m.Dim, m.FFN
	relBlocks := 0
	if m.RelPos > 0 {
		relBlocks = m.Layers
		if m.RelLayers > 0 {
			relBlocks = min(m.RelLayers, m.Layers)
		}
	}
	ln := 2 * d
	bertN := v*d + 2*d + m.SeqLen*d + ln + // token, segment, position embeddings, LayerNorm
		m.Layers*(ln+4*(d*d+d)+ln+d*f+f+f*d+d) + // pre-norm blocks
		ln + // final LayerNorm
		d*d + d + ln + v + // MLM transform, LayerNorm, output bias (output weights tied to the token table)
		d*d + d + 2*d + 2 + // NSP pooler and classifier
		relBlocks*m.Heads*(2*m.RelPos+1) // relative-position bias of the first RelLayers blocks (all when 0)

	g := dcgan.Full()
	z, gf, df := g.ZDim, g.GFeatures, g.DFeatures
	dcganN := z*49*2*gf + bn(2*gf) + 16*2*gf*gf + bn(gf) + 9*gf*gf + bn(gf) + 16*gf + // generator
		16*df + df + 16*df*2*df + bn(2*df) + 9*2*df*4*df + bn(4*df) + 16*4*df + 1 // discriminator

	mh := maml.Full().Hidden
	mamlN := mh + mh + mh*mh + mh + mh + 1

	return map[string]int{"rl": rlN, "alphago": alphagoN, "detection": detectionN, "bert": bertN, "dcgan": dcganN, "maml": mamlN}
}

// TestLessonsTrain trains each lesson model a few steps on one fixed small batch: the loss must
// fall, and the trainable parameter count must equal the one computed from the layer sizes.
func TestLessonsTrain(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	want := wantParams(t)
	for _, name := range LessonNames {
		t.Run(name, func(t *testing.T) {
			l, err := NewLesson(backend, name, 8, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			const steps = 12
			losses := make([]float64, steps)
			for i := range losses {
				if losses[i], err = l.Step(); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%s: %d params, loss %.4f → %.4f", name, l.Params(), losses[0], losses[steps-1])
			if got := l.Params(); got != want[name] {
				t.Errorf("%s has %d trainable parameters, want %d", name, got, want[name])
			}
			first, last := (losses[0]+losses[1])/2, (losses[steps-2]+losses[steps-1])/2
			if !(last < first) {
				t.Errorf("%s loss did not fall: %v", name, losses)
			}
		})
	}
}

func TestNewLessonUnknown(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewLesson(backend, "nope", 8, 1, 1); err == nil {
		t.Error("NewLesson(nope) succeeded, want an error")
	}
}

// TestLessonsFusedMatchesUnfused trains each lesson model a few steps with elementwise fusion on
// ("dl4go") and off ("dl4go:nofuse"): the losses must agree bit for bit (the fused kernels, the
// broadcasts they read in place included, do the unfused ops' own arithmetic).
func TestLessonsFusedMatchesUnfused(t *testing.T) {
	for _, name := range LessonNames {
		t.Run(name, func(t *testing.T) {
			var losses [2][]float64
			for i, config := range []string{"dl4go", "dl4go:nofuse"} {
				backend, err := backends.NewWithConfig(config)
				if err != nil {
					t.Fatal(err)
				}
				l, err := NewLesson(backend, name, 8, 1, 1)
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					loss, err := l.Step()
					if err != nil {
						t.Fatal(err)
					}
					losses[i] = append(losses[i], loss)
				}
			}
			for j := range losses[0] {
				if math.Float64bits(losses[0][j]) != math.Float64bits(losses[1][j]) {
					t.Fatalf("step %d: fused loss %v, unfused %v (all: %v vs %v)", j, losses[0][j], losses[1][j], losses[0], losses[1])
				}
			}
		})
	}
}
