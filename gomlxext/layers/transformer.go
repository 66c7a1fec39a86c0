package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// SinusoidalPositions returns the positional encoding of "Attention Is All You Need" on the
// host, [length][dim]:
//
//	PE(p, 2i) = sin(p / 10000^(2i/dim)),  PE(p, 2i+1) = cos(p / 10000^(2i/dim))
//
// Each pair of columns is a clock turning at its own frequency, from one turn every 2π
// positions (columns 0, 1) down to one every 2π·10000 (the last ones): every position gets its
// own pattern, and the encoding of p+k is a fixed rotation of that of p (for every p), so
// "k tokens back" is a linear function a layer can learn.
func SinusoidalPositions(length, dim int) [][]float64 {
	pe := make([][]float64, length)
	for p := range length {
		pe[p] = make([]float64, dim)
		for i := 0; i < dim; i += 2 {
			angle := float64(p) / math.Pow(10000, float64(i)/float64(dim))
			pe[p][i] = math.Sin(angle)
			if i+1 < dim {
				pe[p][i+1] = math.Cos(angle)
			}
		}
	}
	return pe
}

// PositionalEncoding returns SinusoidalPositions(length, dim) as a constant [length, dim] of
// dtype (a float type), to add to token embeddings [batch, length, dim]:
//
//	x = Add(embeddings, ExpandAxes(layers.PositionalEncoding(g, dtypes.Float32, length, dim), 0))
func PositionalEncoding(g *Graph, dtype dtypes.DType, length, dim int) *Node {
	if length <= 0 || dim <= 0 || !dtype.IsFloat() {
		panic(fmt.Sprintf("layers.PositionalEncoding: length and dim must be positive and dtype a float, got %d, %d, %s", length, dim, dtype))
	}
	flat := make([]float64, 0, length*dim)
	for _, row := range SinusoidalPositions(length, dim) {
		flat = append(flat, row...)
	}
	return ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(flat, length, dim)), dtype)
}

// BlockBuilder configures one Transformer block; create it with EncoderBlock or DecoderBlock,
// set its options, then call Done or DoneWithWeights.
type BlockBuilder struct {
	ctx                 *context.Context
	x, memory           *Node
	decoder             bool
	heads, ffn          int
	keyMask, memoryMask *Node
	preNorm, newScope   bool
	smearKeys           bool
	dropout             float64
	activation          activations.Type
}

// EncoderBlock prepares one encoder block of the Transformer over x [batch, length, d]: multi-head
// self-attention (every position attends to every non-padded position, left and right), then a
// position-wise feed-forward network FFN(x) = act(x·W₁ + b₁)·W₂ + b₂, each sub-layer wrapped in a
// residual connection and a layer normalisation:
//
//	y := layers.EncoderBlock(ctx.Inf("layer_%d", i), x).Heads(4).KeyMask(real).Done() // [batch, length, d]
//
// By default the normalisation follows the residual sum, LayerNorm(x + Sublayer(x)), as in the
// paper ("post-norm"); PreNorm puts it first, x + Sublayer(LayerNorm(x)), which trains more
// stably at higher learning rates (the stack then needs one LayerNorm after its last block).
// Heads defaults to 1, FFNDim to 4·d, the activation to ReLU. The variables live in the scope
// "encoder_block" below ctx (unless CurrentScope): "self_attention" (MultiHeadAttention),
// "ffn_hidden" and "ffn_output" (GoMLX layers.Dense), "norm_self" and "norm_ffn" (GoMLX
// layers.LayerNormalization).
func EncoderBlock(ctx *context.Context, x *Node) *BlockBuilder {
	return &BlockBuilder{ctx: ctx, x: x, heads: 1, activation: activations.TypeRelu, newScope: true}
}

// DecoderBlock prepares one decoder block of the Transformer over the target-side states
// x [batch, length, d]: masked (causal) multi-head self-attention — position i sees positions
// ≤ i only, so that training on every position at once (teacher forcing) never lets a position
// see the token it must predict — then source–target (cross) attention from x to the encoder's
// output memory [batch, memoryLength, d_m], then the feed-forward network, each in a residual
// connection with layer normalisation as in EncoderBlock:
//
//	y, self, cross := layers.DecoderBlock(ctx, y, memory).Heads(4).MemoryMask(srcReal).DoneWithWeights()
//
// With memory nil the block has no cross-attention: the block of a decoder-only language model
// (GPT). The variables are EncoderBlock's, in the scope "decoder_block", plus "cross_attention"
// and "norm_cross".
func DecoderBlock(ctx *context.Context, x, memory *Node) *BlockBuilder {
	b := EncoderBlock(ctx, x)
	b.memory, b.decoder = memory, true
	return b
}

// Heads sets the number of attention heads of each attention sub-layer (default 1; d must be a
// multiple of it).
func (b *BlockBuilder) Heads(n int) *BlockBuilder {
	b.heads = n
	return b
}

// FFNDim sets the hidden width of the feed-forward network (default 4·d).
func (b *BlockBuilder) FFNDim(n int) *BlockBuilder {
	b.ffn = n
	return b
}

// KeyMask sets which positions of x are real: mask [batch, length] boolean, false for padding
// (PaddingMask). No position attends to a padded one in self-attention.
func (b *BlockBuilder) KeyMask(mask *Node) *BlockBuilder {
	b.keyMask = mask
	return b
}

// MemoryMask sets which positions of a decoder's memory are real: mask [batch, memoryLength]
// boolean (the source's PaddingMask). Cross-attention never looks at a padded source token.
func (b *BlockBuilder) MemoryMask(mask *Node) *BlockBuilder {
	b.memoryMask = mask
	return b
}

// PreNorm puts each layer normalisation before its sub-layer (x + Sublayer(LayerNorm(x)))
// instead of after the residual sum (the paper's LayerNorm(x + Sublayer(x))).
func (b *BlockBuilder) PreNorm() *BlockBuilder {
	b.preNorm = true
	return b
}

// Dropout sets the rate at which each sub-layer's output is dropped before the residual sum
// while training (the paper's P_drop = 0.1; default 0).
func (b *BlockBuilder) Dropout(rate float64) *BlockBuilder {
	b.dropout = rate
	return b
}

// SmearKeys makes the self-attention mix each key with the previous position's
// (AttentionBuilder.SmearKeys): one block can then find the token after an earlier occurrence
// of the current one (an induction head).
func (b *BlockBuilder) SmearKeys() *BlockBuilder {
	b.smearKeys = true
	return b
}

// Activation sets the feed-forward network's activation (default activations.TypeRelu; GPT and
// BERT use activations.TypeGelu).
func (b *BlockBuilder) Activation(a activations.Type) *BlockBuilder {
	b.activation = a
	return b
}

// CurrentScope makes the block's variables live in ctx's own scope instead of a new
// "encoder_block" or "decoder_block" scope below it.
func (b *BlockBuilder) CurrentScope() *BlockBuilder {
	b.newScope = false
	return b
}

// Done builds the block and returns its output [batch, length, d].
func (b *BlockBuilder) Done() *Node {
	y, _, _ := b.DoneWithWeights()
	return y
}

// DoneWithWeights builds the block and returns its output [batch, length, d], the self-attention
// weights [batch, heads, length, length] and, for a decoder block with memory, the
// cross-attention weights [batch, heads, length, memoryLength] (nil otherwise).
func (b *BlockBuilder) DoneWithWeights() (output, self, cross *Node) {
	x := b.x
	if x.Rank() != 3 {
		panic(fmt.Sprintf("layers.%s: x must be [batch, length, d], got %s", b.name(), x.Shape()))
	}
	d := x.Shape().Dimensions[2]
	if b.heads <= 0 || d%b.heads != 0 {
		panic(fmt.Sprintf("layers.%s: the width d %d must be a multiple of Heads (%d)", b.name(), d, b.heads))
	}
	if b.memory != nil && (b.memory.Rank() != 3 || b.memory.Shape().Dimensions[0] != x.Shape().Dimensions[0]) {
		panic(fmt.Sprintf("layers.%s: memory must be [batch, memoryLength, d_m] with x's batch, got %s for x %s",
			b.name(), b.memory.Shape(), x.Shape()))
	}
	if b.memoryMask != nil && b.memory == nil {
		panic(fmt.Sprintf("layers.%s: MemoryMask without a memory", b.name()))
	}
	ffn := b.ffn
	if ffn == 0 {
		ffn = 4 * d
	}
	ctx := b.ctx
	if b.newScope {
		if b.decoder {
			ctx = ctx.In("decoder_block")
		} else {
			ctx = ctx.In("encoder_block")
		}
	}
	// sublayer wraps f in the residual connection and the layer normalisation.
	sublayer := func(norm string, x *Node, f func(in *Node) *Node) *Node {
		in := x
		if b.preNorm {
			in = layers.LayerNormalization(ctx.In(norm), x, -1).Done()
		}
		y := layers.DropoutStatic(ctx, f(in), b.dropout)
		y = Add(x, y)
		if !b.preNorm {
			y = layers.LayerNormalization(ctx.In(norm), y, -1).Done()
		}
		return y
	}
	x = sublayer("norm_self", x, func(in *Node) *Node {
		a := MultiHeadAttention(ctx.In("self_attention"), in, in, in).Heads(b.heads).CurrentScope()
		if b.keyMask != nil {
			a.KeyMask(b.keyMask)
		}
		if b.decoder {
			a.Causal()
		}
		if b.smearKeys {
			a.SmearKeys()
		}
		var y *Node
		y, self = a.DoneWithWeights()
		return y
	})
	if b.memory != nil {
		x = sublayer("norm_cross", x, func(in *Node) *Node {
			a := MultiHeadAttention(ctx.In("cross_attention"), in, b.memory, b.memory).Heads(b.heads).OutputDim(d).CurrentScope()
			if b.memoryMask != nil {
				a.KeyMask(b.memoryMask)
			}
			var y *Node
			y, cross = a.DoneWithWeights()
			return y
		})
	}
	x = sublayer("norm_ffn", x, func(in *Node) *Node {
		h := activations.Apply(b.activation, layers.Dense(ctx.In("ffn_hidden"), in, true, ffn))
		return layers.Dense(ctx.In("ffn_output"), h, true, d)
	})
	return x, self, cross
}

func (b *BlockBuilder) name() string {
	if b.decoder {
		return "DecoderBlock"
	}
	return "EncoderBlock"
}
