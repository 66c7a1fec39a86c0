package bert

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// Model sizes BERT-mini. BERT-base is 12 layers, d 768, 12 heads, 512 positions, 30k tokens;
// ours trains in minutes on 2 CPU cores.
type Model struct {
	Vocab  int // tokens in the WordPiece vocabulary.
	SeqLen int // fixed sequence length L ([CLS] A [SEP] B [SEP] and [PAD]s).
	Layers int // encoder blocks.
	Dim    int // d: width of every token vector.
	Heads  int // attention heads (Dim/Heads each).
	FFN    int // hidden width of each block's feed-forward network (4·Dim in BERT).
	// PreNorm puts each LayerNorm before its sub-layer (x + f(LN(x))) instead of after the residual
	// sum (LN(x + f(x)), BERT's original "post-norm"): more stable when training fast.
	PreNorm bool
	// RelPos, when > 0, adds a learned relative-position bias to every attention head's logits,
	// offsets clipped to ±RelPos (gomlxext/layers' RelativePositionBias): attending to the token
	// just before or after a [MASK] is then one parameter a head, not an alignment of query and key
	// projections with the position embeddings to be found.
	RelPos int
	// RelDecay starts the relative-position bias local (gomlxext/layers' RelativePositionDecay):
	// head h at −(RelDecay/2^h)·|offset|; 0 starts it at 0.
	RelDecay float64
	// RelLayers, when > 0, limits the relative-position bias to the first RelLayers blocks (the
	// later ones attend by content and absolute position alone, as BERT's); 0: every block.
	RelLayers int
}

// Scope names of the variables: the encoder (embeddings and blocks) is what transfers to a new
// task; the heads stay behind.
const (
	scopeEncoder = "bert"
	scopeMLM     = "mlm"
	scopeNSP     = "nsp"
	scopeTask    = "task"
	scopeNext    = "next"
)

// embed returns the input vectors [B, L, d]: token embedding + segment (A/B) embedding + learned
// position embedding, layer-normalized, as in BERT. tokens and segments are int32 [B, L], L ≤ SeqLen.
func (m Model) embed(ctx *context.Context, tokens, segments *graph.Node) *graph.Node {
	g := tokens.Graph()
	ctx = ctx.In(scopeEncoder).In("embeddings")
	init := initializers.RandomNormalFn(ctx, 0.02)
	x := graph.Gather(m.tokenTable(ctx, g), graph.ExpandAxes(tokens, -1))
	x = graph.Add(x, layers.Embedding(ctx.In("segment").WithInitializer(init), segments, dtypes.Float32, 2, m.Dim))
	pos := ctx.In("position").VariableWithValue("table", sinusoids(m.SeqLen, m.Dim, 0.1)).ValueGraph(g)
	if l := tokens.Shape().Dimensions[1]; l < m.SeqLen { // a shorter input uses the first l positions.
		pos = graph.Slice(pos, graph.AxisRange(0, l))
	}
	x = graph.Add(x, graph.ExpandAxes(pos, 0))
	return layers.LayerNormalization(ctx.In("norm"), x, -1).Done()
}

// sinusoids returns the Transformer's positional encoding (lesson 10) times scale, [L, d]:
// sin(p/10000^(2i/d)) in even columns, cos in odd ones. BERT learns its position embeddings;
// ours are learned too, but start from these, so that attending to "the next token" or "the
// previous token" is easy from the first step (a dot product of two sinusoid vectors depends only
// on their distance).
func sinusoids(l, d int, scale float64) [][]float32 {
	out := make([][]float32, l)
	for p := range l {
		out[p] = make([]float32, d)
		for i := 0; i < d; i += 2 {
			angle := float64(p) / math.Pow(10000, float64(i)/float64(d))
			out[p][i] = float32(scale * math.Sin(angle))
			if i+1 < d {
				out[p][i+1] = float32(scale * math.Cos(angle))
			}
		}
	}
	return out
}

// tokenTable returns the token embedding table [V, d], created on first use and shared by the
// input embedding and the MLM output layer.
func (m Model) tokenTable(ctx *context.Context, g *graph.Graph) *graph.Node {
	c := ctx.InAbsPath("/" + scopeEncoder + "/embeddings/token")
	if v := c.GetVariableByScopeAndName(c.Scope(), "table"); v != nil {
		return v.ValueGraph(g)
	}
	c = c.WithInitializer(initializers.RandomNormalFn(ctx, 0.1))
	return c.VariableWithShape("table", shapes.Make(dtypes.Float32, m.Vocab, m.Dim)).ValueGraph(g)
}

// Encode runs the bidirectional encoder: tokens and segments are int32 [B, L]; it returns the
// final token vectors [B, L, d] and, per layer, the attention weights [B, heads, L(query), L(key)].
// Every token attends to every non-[PAD] token, left and right: there is no causal mask. The
// attention is gomlxext/layers' MultiHeadAttention (the Transformer's, shared with lessons 10 and
// 12), whose logits are scaled by 1/√d_k as in the paper; GoMLX v0.26.0's own layer scales them by
// 1/d_k, which flattens every head's weights and makes attending to one neighbour among 128
// positions hard to learn. With Model.RelPos the first RelLayers blocks add a learned
// relative-position bias to the logits, started local with RelDecay.
func (m Model) Encode(ctx *context.Context, tokens, segments *graph.Node) (hidden *graph.Node, attention []*graph.Node) {
	x := m.embed(ctx, tokens, segments)
	keep := graph.NotEqual(tokens, graph.ScalarZero(tokens.Graph(), dtypes.Int32)) // [B, L]: not [PAD].
	for l := range m.Layers {
		c := ctx.In(scopeEncoder).Inf("layer_%d", l)
		in := x
		if m.PreNorm {
			in = layers.LayerNormalization(c.In("norm1"), x, -1).Done()
		}
		rel := m.RelPos
		if m.RelLayers > 0 && l >= m.RelLayers {
			rel = 0
		}
		att, coef := xlayers.MultiHeadAttention(c, in, in, in).Heads(m.Heads).KeyMask(keep).
			RelativePositionBias(rel).RelativePositionDecay(m.RelDecay).DoneWithWeights()
		x = graph.Add(x, att)
		if m.PreNorm {
			in = layers.LayerNormalization(c.In("norm2"), x, -1).Done()
		} else {
			x = layers.LayerNormalization(c.In("norm1"), x, -1).Done()
			in = x
		}
		h := activations.Gelu(layers.Dense(c.In("ffn1"), in, true, m.FFN))
		x = graph.Add(x, layers.Dense(c.In("ffn2"), h, true, m.Dim))
		if !m.PreNorm {
			x = layers.LayerNormalization(c.In("norm2"), x, -1).Done()
		}
		attention = append(attention, coef)
	}
	if m.PreNorm {
		x = layers.LayerNormalization(ctx.In(scopeEncoder).In("final_norm"), x, -1).Done()
	}
	return x, attention
}

// gatherPositions picks hidden [B, L, d] at positions int32 [B, P]: returns [B, P, d].
func gatherPositions(hidden, positions *graph.Node) *graph.Node {
	g := hidden.Graph()
	b, p := positions.Shape().Dimensions[0], positions.Shape().Dimensions[1]
	batchIdx := graph.Iota(g, shapes.Make(dtypes.Int32, b, p, 1), 0)
	idx := graph.Concatenate([]*graph.Node{batchIdx, graph.ExpandAxes(positions, -1)}, -1)
	return graph.Gather(hidden, idx)
}

// MLMLogits returns the masked-LM logits [B, P, V] at positions int32 [B, P]: a Dense+GELU+LayerNorm
// transform, then the token embedding table (transposed) as output layer, plus a bias (0 at the
// start, or as initMLMBias set it).
func (m Model) MLMLogits(ctx *context.Context, hidden, positions *graph.Node) *graph.Node {
	h := gatherPositions(hidden, positions)
	c := ctx.In(scopeMLM)
	h = activations.Gelu(layers.Dense(c.In("transform"), h, true, m.Dim))
	h = layers.LayerNormalization(c.In("norm"), h, -1).Done()
	logits := graph.Einsum("bpd,vd->bpv", h, m.tokenTable(ctx, h.Graph()))
	bias := c.GetVariableByScopeAndName(c.Scope(), "bias") // set beforehand by initMLMBias, if at all.
	if bias == nil {
		bias = c.WithInitializer(initializers.Zero).VariableWithShape("bias", shapes.Make(dtypes.Float32, m.Vocab))
	}
	logits = graph.Add(logits, graph.Reshape(bias.ValueGraph(h.Graph()), 1, 1, m.Vocab))
	return logits
}

// initMLMBias creates the MLM output bias [V] in ctx at the log-frequencies of the tokens in the
// training text (add-one smoothed): the model starts out predicting the unigram distribution it
// would otherwise spend its first steps learning.
func initMLMBias(ctx *context.Context, uni []float64, total float64) {
	bias := make([]float32, len(uni))
	for t, p := range uni {
		bias[t] = float32(math.Log((p*total + 1) / (total + float64(len(uni)))))
	}
	ctx.In(scopeMLM).VariableWithValue("bias", bias)
}

// pooled returns BERT's "pooler" output [B, d]: tanh(Dense([CLS] vector)).
func pooled(ctx *context.Context, hidden *graph.Node, dim int) *graph.Node {
	cls := graph.Squeeze(graph.Slice(hidden, graph.AxisRange(), graph.AxisElem(0)), 1)
	return graph.Tanh(layers.Dense(ctx.In("pooler"), cls, true, dim))
}

// NSPLogits returns the next-sentence logits [B, 2] (0: B is random, 1: B really follows A) from
// the [CLS] vector.
func (m Model) NSPLogits(ctx *context.Context, hidden *graph.Node) *graph.Node {
	c := ctx.In(scopeNSP)
	return layers.Dense(c.In("out"), pooled(c, hidden, m.Dim), true, 2)
}

// maskedCrossEntropy returns the mean cross entropy of logits [..., V] against int32 targets
// [...] over the entries where weights [...] (float32) is 1, and the accuracy of the arg-max there.
func maskedCrossEntropy(logits, targets, weights *graph.Node) (loss, acc *graph.Node) {
	v := logits.Shape().Dimensions[logits.Rank()-1]
	logp := graph.LogSoftmax(logits, -1)
	nll := graph.Neg(graph.ReduceSum(graph.Mul(logp, graph.OneHot(targets, v, dtypes.Float32)), -1))
	n := graph.Max(graph.ReduceAllSum(weights), graph.Scalar(logits.Graph(), dtypes.Float32, 1))
	loss = graph.Div(graph.ReduceAllSum(graph.Mul(nll, weights)), n)
	hit := graph.ConvertDType(graph.Equal(graph.ConvertDType(graph.ArgMax(logits, -1), dtypes.Int32), targets), dtypes.Float32)
	acc = graph.Div(graph.ReduceAllSum(graph.Mul(hit, weights)), n)
	return loss, acc
}
