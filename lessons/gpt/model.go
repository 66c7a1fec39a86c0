package gpt

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// Model sizes a GPT: a decoder-only Transformer. Token embeddings plus the sinusoidal positional
// encoding go through Layers decoder blocks without cross-attention (causal self-attention and a
// GELU feed-forward network, pre-norm: gomlxext/layers.DecoderBlock with no memory), a final
// layer norm, and the token embedding table again (transposed, "tied") to give the next-token
// logits. GPT-3 is the same shape, 96 blocks of width 12288: 175 billion parameters.
type Model struct {
	Vocab   int     // tokens.
	SeqLen  int     // the context window: positions seen at once.
	Dim     int     // d: the width of every token vector.
	Heads   int     // attention heads (Dim/Heads wide each).
	FFN     int     // hidden width of each block's feed-forward network.
	Layers  int     // decoder blocks.
	Dropout float64 // dropout on each sub-layer's output while training.
	// SmearKeys mixes each attention key with the previous position's in every block
	// (gomlxext/layers' SmearKeys, Olsson et al. 2022): a cheap prior towards induction heads.
	SmearKeys bool
}

// Logits returns the next-token logits [batch, L, Vocab] of ids int32 [batch, L] (L ≤ SeqLen):
// position t's logits depend on ids[:t+1] only (the causal mask), so one pass trains every
// position at once and generation reads the last one.
func (m Model) Logits(ctx *context.Context, ids *G.Node) *G.Node {
	g := ids.Graph()
	l := ids.Shape().Dimensions[1]
	// Entries of variance 1/d, times √d: unit-variance token vectors, as large as the positional
	// encoding; tied, they also give logits of unit variance at the start.
	table := ctx.In("embed").WithInitializer(initializers.RandomNormalFn(ctx, 1/math.Sqrt(float64(m.Dim)))).
		VariableWithShape("tokens", shapes.Make(dtypes.Float32, m.Vocab, m.Dim)).ValueGraph(g) // [Vocab, d]
	x := G.Gather(table, G.ExpandAxes(ids, -1)) // [batch, L, d]
	x = G.MulScalar(x, math.Sqrt(float64(m.Dim)))
	x = G.Add(x, G.ExpandAxes(xlayers.PositionalEncoding(g, dtypes.Float32, l, m.Dim), 0))
	for i := range m.Layers {
		b := xlayers.DecoderBlock(ctx.Inf("block_%d", i), x, nil).Heads(m.Heads).FFNDim(m.FFN).PreNorm().
			Activation(activations.TypeGelu).Dropout(m.Dropout)
		if m.SmearKeys {
			b.SmearKeys()
		}
		x = b.Done()
	}
	x = layers.LayerNormalization(ctx.In("final_norm"), x, -1).Done()
	return G.Einsum("bld,vd->blv", x, table) // tied output layer
}
