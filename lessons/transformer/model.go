package transformer

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// Model is an encoder–decoder that translates a source [batch, SourceLen] into target logits,
// trained with teacher forcing: the decoder reads the right answer shifted by one ([BOS] first)
// and predicts every next token at once.
type Model interface {
	// Name names the model in charts and tables.
	Name() string
	// Logits returns the next-token logits [batch, T, target vocabulary] for src int32
	// [batch, SourceLen] and the decoder's input tgtIn int32 [batch, T] ([BOS] y₁ … y_{T−1});
	// position t's prediction depends on src and tgtIn[:t+1] only.
	Logits(ctx *context.Context, src, tgtIn *G.Node) *G.Node
}

// TransformerModel sizes the Transformer (Vaswani et al., 2017): token embeddings ×√d plus the
// sinusoidal positional encoding, Layers encoder blocks over the source, Layers decoder blocks
// (causal self-attention, source–target attention, feed-forward), a linear layer to the target
// vocabulary. The blocks are gomlxext/layers' EncoderBlock and DecoderBlock.
type TransformerModel struct {
	Dim     int     // d_model: the width of every token vector.
	Heads   int     // attention heads (Dim/Heads wide each).
	FFN     int     // hidden width of each block's feed-forward network.
	Layers  int     // encoder blocks, and as many decoder blocks.
	PreNorm bool    // layer norm before each sub-layer (and after the last block) instead of after the residual sum.
	Dropout float64 // dropout on each sub-layer's output while training.
}

// Name implements Model.
func (m TransformerModel) Name() string { return "Transformer" }

// embed returns the token embeddings of ids int32 [batch, L] times √d plus the positional
// encoding: [batch, L, d].
func (m TransformerModel) embed(ctx *context.Context, ids *G.Node, vocab int) *G.Node {
	x := layers.Embedding(ctx, ids, dtypes.Float32, vocab, m.Dim)
	x = G.MulScalar(x, math.Sqrt(float64(m.Dim)))
	return G.Add(x, G.ExpandAxes(xlayers.PositionalEncoding(ids.Graph(), dtypes.Float32, ids.Shape().Dimensions[1], m.Dim), 0))
}

// Encode returns the encoder's output, memory [batch, SourceLen, d], for src int32
// [batch, SourceLen], and the source's padding mask [batch, SourceLen].
func (m TransformerModel) Encode(ctx *context.Context, src *G.Node) (memory, srcReal *G.Node) {
	ctx = ctx.In("encoder")
	srcReal = xlayers.PaddingMask(src, Pad)
	x := m.embed(ctx.In("embed"), src, SourceVocab().Size())
	for l := range m.Layers {
		b := xlayers.EncoderBlock(ctx.Inf("block_%d", l), x).Heads(m.Heads).FFNDim(m.FFN).KeyMask(srcReal).Dropout(m.Dropout)
		if m.PreNorm {
			b.PreNorm()
		}
		x = b.Done()
	}
	if m.PreNorm {
		x = layers.LayerNormalization(ctx.In("final_norm"), x, -1).Done()
	}
	return x, srcReal
}

// Decode returns the next-token logits [batch, T, target vocabulary] for the decoder's input
// tgtIn int32 [batch, T] over memory, and each decoder block's source–target attention weights
// [batch, heads, T, SourceLen].
func (m TransformerModel) Decode(ctx *context.Context, memory, srcReal, tgtIn *G.Node) (logits *G.Node, cross []*G.Node) {
	ctx = ctx.In("decoder")
	x := m.embed(ctx.In("embed"), tgtIn, TargetVocab().Size())
	for l := range m.Layers {
		b := xlayers.DecoderBlock(ctx.Inf("block_%d", l), x, memory).Heads(m.Heads).FFNDim(m.FFN).MemoryMask(srcReal).Dropout(m.Dropout)
		if m.PreNorm {
			b.PreNorm()
		}
		var c *G.Node
		x, _, c = b.DoneWithWeights()
		cross = append(cross, c)
	}
	if m.PreNorm {
		x = layers.LayerNormalization(ctx.In("final_norm"), x, -1).Done()
	}
	return layers.DenseWithBias(ctx.In("output"), x, TargetVocab().Size()), cross
}

// Logits implements Model.
func (m TransformerModel) Logits(ctx *context.Context, src, tgtIn *G.Node) *G.Node {
	memory, srcReal := m.Encode(ctx, src)
	logits, _ := m.Decode(ctx, memory, srcReal, tgtIn)
	return logits
}

// GRUModel sizes the Seq2Seq baseline (Cho et al., 2014; Sutskever et al., 2014): a GRU reads the
// embedded English words; its last state, the one fixed-size vector the whole source is squeezed
// into, starts a second GRU that writes the kanji, and is fed again beside every input token
// (Cho et al.'s context vector). There is no attention: the decoder must recall the source from
// that vector.
type GRUModel struct {
	Embed int // width of the token embeddings.
	Units int // width of both GRUs' state.
}

// Name implements Model.
func (m GRUModel) Name() string { return "GRU Seq2Seq" }

// Logits implements Model.
func (m GRUModel) Logits(ctx *context.Context, src, tgtIn *G.Node) *G.Node {
	enc := ctx.In("encoder")
	x := layers.Embedding(enc.In("embed"), src, dtypes.Float32, SourceVocab().Size(), m.Embed)
	_, context := xlayers.GRU(enc, x).Units(m.Units).Mask(xlayers.PaddingMask(src, Pad)).Done() // [batch, units]
	dec := ctx.In("decoder")
	y := layers.Embedding(dec.In("embed"), tgtIn, dtypes.Float32, TargetVocab().Size(), m.Embed)
	t := tgtIn.Shape().Dimensions[1]
	c := G.BroadcastToDims(G.InsertAxes(context, 1), context.Shape().Dimensions[0], t, m.Units)
	out, _ := xlayers.GRU(dec, G.Concatenate([]*G.Node{y, c}, -1)).Units(m.Units).InitialState(context).Done()
	return layers.DenseWithBias(dec.In("output"), out, TargetVocab().Size())
}
