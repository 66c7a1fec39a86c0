package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// maskedLogit is what a masked-out attention logit becomes: exp of it underflows to exactly 0
// next to any logit a float32 model produces, and a row with every key masked (a query on
// padding that sees nothing) gets finite, uniform weights instead of NaN.
const maskedLogit = -1e9

// ScaledDotProductAttention is the attention of "Attention Is All You Need":
//
//	Attention(Q, K, V) = softmax(Q·Kᵀ / √d_k) · V
//
// q is [batch, heads, queries, d_k], k [batch, heads, keys, d_k] and v [batch, heads, keys, d_v].
// mask, if not nil, is a boolean that says which key each query may attend to: [queries, keys]
// (the same for every example and head, as a causal mask), or rank 4 with 1 or the full size on
// each axis ([batch, 1, 1, keys] for padding); false entries get weight exactly 0. It returns the
// output [batch, heads, queries, d_v] and the weights [batch, heads, queries, keys] (each row
// sums to 1). The 1/√d_k keeps the logits' variance near 1 when q and k have unit-variance
// entries, so the softmax does not saturate as d_k grows.
func ScaledDotProductAttention(q, k, v, mask *Node) (output, weights *Node) {
	return attend(q, k, v, mask, nil, nil)
}

// attend is ScaledDotProductAttention with bias, if not nil, added to the scaled logits (a
// relative-position bias [1, heads, queries, keys]) and drop, if not nil, applied to the weights
// before they weigh the values (dropout while training); the weights it returns are those before
// drop.
func attend(q, k, v, mask, bias *Node, drop func(*Node) *Node) (output, weights *Node) {
	if q.Rank() != 4 || k.Rank() != 4 || v.Rank() != 4 {
		panic(fmt.Sprintf("layers.ScaledDotProductAttention: q, k, v must be [batch, heads, length, dim], got %s, %s, %s",
			q.Shape(), k.Shape(), v.Shape()))
	}
	qd, kd, vd := q.Shape().Dimensions, k.Shape().Dimensions, v.Shape().Dimensions
	if qd[0] != kd[0] || qd[1] != kd[1] || qd[3] != kd[3] || kd[0] != vd[0] || kd[1] != vd[1] || kd[2] != vd[2] {
		panic(fmt.Sprintf("layers.ScaledDotProductAttention: incompatible q %s, k %s, v %s", q.Shape(), k.Shape(), v.Shape()))
	}
	logits := Einsum("bhqd,bhkd->bhqk", q, k)               // [batch, heads, queries, keys]
	logits = MulScalar(logits, 1/math.Sqrt(float64(qd[3]))) // ÷ √d_k
	if bias != nil {
		logits = Add(logits, bias)
	}
	if mask != nil {
		logits = Where(broadcastMask(mask, logits.Shape().Dimensions), logits, ConstAs(logits, maskedLogit))
	}
	weights = Softmax(logits, -1)
	used := weights
	if drop != nil {
		used = drop(weights)
	}
	return Einsum("bhqk,bhkd->bhqd", used, v), weights // [batch, heads, queries, d_v]
}

// broadcastMask brings a boolean mask [queries, keys] or [b|1, h|1, q|1, keys] to dims.
func broadcastMask(mask *Node, dims []int) *Node {
	if mask.DType() != dtypes.Bool {
		panic(fmt.Sprintf("layers: an attention mask must be boolean, got %s", mask.Shape()))
	}
	if mask.Rank() == 2 {
		mask = InsertAxes(mask, 0, 0)
	}
	if mask.Rank() != 4 {
		panic(fmt.Sprintf("layers: an attention mask must be [queries, keys] or [batch, heads, queries, keys] (1 where it "+
			"is the same), got %s for weights %v", mask.Shape(), dims))
	}
	for i, d := range mask.Shape().Dimensions {
		if d != 1 && d != dims[i] {
			panic(fmt.Sprintf("layers: attention mask %s does not broadcast to the weights %v", mask.Shape(), dims))
		}
	}
	return BroadcastToDims(mask, dims...)
}

// PaddingMask returns which tokens are real: tokens [batch, length] (integer ids) → [batch, length]
// boolean, false where the id is pad. It is the key mask of attention over a padded batch
// (AttentionBuilder.KeyMask) and the loss mask of a padded target.
func PaddingMask(tokens *Node, pad int) *Node {
	if tokens.Rank() != 2 || !tokens.DType().IsInt() {
		panic(fmt.Sprintf("layers.PaddingMask: tokens must be integer ids [batch, length], got %s", tokens.Shape()))
	}
	return NotEqual(tokens, Scalar(tokens.Graph(), tokens.DType(), pad))
}

// CausalMask returns the causal (look-ahead) mask [n, n]: true where key j ≤ query i, so that
// position i sees itself and the positions before it, never the ones after — what makes a
// decoder (or a GPT) predict each token from its prefix only, while training on all positions
// at once.
func CausalMask(g *Graph, n int) *Node { return LowerTriangular(g, n) }

// AttentionBuilder configures a multi-head attention layer; create it with MultiHeadAttention,
// set its options, then call Done or DoneWithWeights.
type AttentionBuilder struct {
	ctx                    *context.Context
	query, key, value      *Node
	heads, headDim, outDim int
	keyMask                *Node
	causal, bias, newScope bool
	smearKeys              bool
	relPosClip             int
	relPosDecay            float64
	dropout                float64
}

// MultiHeadAttention prepares multi-head attention ("Attention Is All You Need") of
// query [batch, queries, d_q] over key [batch, keys, d_k] and value [batch, keys, d_v]:
//
//	y := layers.MultiHeadAttention(ctx, x, x, x).Heads(4).KeyMask(real).Done()           // self-attention
//	y, w := layers.MultiHeadAttention(ctx, y, mem, mem).Heads(4).DoneWithWeights()        // source–target
//
// Each head h projects the inputs (Q·W_q^h, K·W_k^h, V·W_v^h, HeadDim wide each) and runs
// ScaledDotProductAttention; the heads' outputs are concatenated and projected by W_o to
// OutputDim (default d_v): MultiHead(Q, K, V) = Concat(head_1, …, head_H)·W_o. Self-attention
// passes the same sequence as all three; source–target (cross) attention passes the decoder's
// states as query and the encoder's output as key and value.
//
// Heads defaults to 1 and HeadDim to d_q / Heads. The variables live in the scope "attention"
// below ctx (unless CurrentScope): "query", "key", "value" and "output", each a GoMLX
// layers.Dense ("weights", and "biases" unless UseBias(false)).
func MultiHeadAttention(ctx *context.Context, query, key, value *Node) *AttentionBuilder {
	return &AttentionBuilder{ctx: ctx, query: query, key: key, value: value, heads: 1, bias: true, newScope: true}
}

// Heads sets the number of attention heads (default 1).
func (b *AttentionBuilder) Heads(n int) *AttentionBuilder {
	b.heads = n
	return b
}

// HeadDim sets the width of each head's query, key and value projections (default d_q / Heads).
func (b *AttentionBuilder) HeadDim(n int) *AttentionBuilder {
	b.headDim = n
	return b
}

// OutputDim sets the width of the output projection (default d_v, the value's last axis).
func (b *AttentionBuilder) OutputDim(n int) *AttentionBuilder {
	b.outDim = n
	return b
}

// KeyMask sets which keys exist: mask [batch, keys] boolean, false for padding (PaddingMask).
// No query attends to a padded key.
func (b *AttentionBuilder) KeyMask(mask *Node) *AttentionBuilder {
	b.keyMask = mask
	return b
}

// Causal makes query i attend only to keys j ≤ i (CausalMask); combined with KeyMask when both
// are set. It needs as many queries as keys (self-attention).
func (b *AttentionBuilder) Causal() *AttentionBuilder {
	b.causal = true
	return b
}

// SmearKeys mixes each position's key with the previous position's ("smeared keys", Olsson et
// al. 2022, "In-context learning and induction heads"): per head h, with a learned α_h
// (initialised to 0, an even mix),
//
//	k'_j = σ(α_h)·k_j + (1 − σ(α_h))·k_{j−1}      (k_{−1} = 0)
//
// so a query can match "the token before" a position in one layer: the lookup "find where my
// token occurred and read what followed" (an induction head) no longer needs a previous-token
// head in an earlier layer. It needs self-attention over one sequence (keys in order). The
// variable is "smear" [heads] in the layer's scope.
func (b *AttentionBuilder) SmearKeys() *AttentionBuilder {
	b.smearKeys = true
	return b
}

// RelativePositionBias adds a learned bias to the attention logits that depends only on the
// offset of the key from the query, clipped to ±k (Shaw et al. 2018; T5, Raffel et al. 2020): per
// head h,
//
//	logit_h(i, j) = q_i·k_j/√d_k + b_h(clip(j − i, −k, k))
//
// with 2k+1 learned scalars b_h, initialised to 0 (offsets beyond ±k share the end values).
// Attending to "the token just before" (or after) is then one parameter, b_h(−1), instead of an
// alignment of the query and key projections with the position embeddings that gradient descent
// must first find. Query i and key j are positions i and j of their sequences (self-attention,
// or a query sequence aligned with the keys' start). The variable is "relative_bias"
// [heads, 2k+1] in the layer's scope, offset −k first. k ≤ 0 turns it off (the default).
func (b *AttentionBuilder) RelativePositionBias(k int) *AttentionBuilder {
	b.relPosClip = k
	return b
}

// RelativePositionDecay starts the bias of RelativePositionBias local instead of at 0: head h
// at b_h(d) = −(slope/2^h)·|d| (ALiBi's geometric slopes, Press et al. 2022, here only the
// starting point and learned from there), so that from the first step head 0 weighs the keys next
// to a query e^slope times more than the keys one step further away, and the later heads look
// wider. A bidirectional encoder then sees a blend of the neighbours of a [MASK] at once, instead
// of a uniform average of the whole input, and can learn from there which side each head should
// read. It needs RelativePositionBias; slope 0 is the default (a zero start).
func (b *AttentionBuilder) RelativePositionDecay(slope float64) *AttentionBuilder {
	b.relPosDecay = slope
	return b
}

// relativeBias returns the relative-position bias [1, heads, queries, keys] of RelativePositionBias
// (clip b.relPosClip) from the variable "relative_bias" [heads, 2k+1] (float32) in ctx, created
// at its RelativePositionDecay start.
func (b *AttentionBuilder) relativeBias(ctx *context.Context, g *Graph, dtype dtypes.DType, queries, keys int) *Node {
	k := b.relPosClip
	start := make([][]float32, b.heads) // b_h(d) = −(slope/2^h)·|d|, offset −k first.
	for h := range start {
		start[h] = make([]float32, 2*k+1)
		for d := -k; d <= k; d++ {
			start[h][d+k] = float32(-b.relPosDecay / math.Exp2(float64(h)) * math.Abs(float64(d)))
		}
	}
	table := ConvertDType(ctx.VariableWithValue("relative_bias", start).ValueGraph(g), dtype)
	idx := make([][]int32, queries) // idx[i][j] = clip(j − i, −k, k) + k
	for i := range idx {
		idx[i] = make([]int32, keys)
		for j := range idx[i] {
			idx[i][j] = int32(min(k, max(-k, j-i)) + k)
		}
	}
	bias := Gather(Transpose(table, 0, 1), ExpandAxes(Const(g, idx), -1)) // [queries, keys, heads]
	return InsertAxes(TransposeAllDims(bias, 2, 0, 1), 0)                 // [1, heads, queries, keys]
}

// Dropout sets the rate at which attention weights are dropped while training (default 0).
func (b *AttentionBuilder) Dropout(rate float64) *AttentionBuilder {
	b.dropout = rate
	return b
}

// UseBias sets whether the four projections have biases (default true).
func (b *AttentionBuilder) UseBias(use bool) *AttentionBuilder {
	b.bias = use
	return b
}

// CurrentScope makes the layer's variables live in ctx's own scope instead of a new "attention"
// scope below it.
func (b *AttentionBuilder) CurrentScope() *AttentionBuilder {
	b.newScope = false
	return b
}

// Done builds the layer and returns its output [batch, queries, OutputDim].
func (b *AttentionBuilder) Done() *Node {
	y, _ := b.DoneWithWeights()
	return y
}

// DoneWithWeights builds the layer and returns its output [batch, queries, OutputDim] and the
// attention weights [batch, heads, queries, keys] (each row sums to 1; 0 on masked keys): the
// heat maps of which key each query looked at.
func (b *AttentionBuilder) DoneWithWeights() (output, weights *Node) {
	q, k, v := b.query, b.key, b.value
	if q.Rank() != 3 || k.Rank() != 3 || v.Rank() != 3 {
		panic(fmt.Sprintf("layers.MultiHeadAttention: query, key and value must be [batch, length, dim], got %s, %s, %s",
			q.Shape(), k.Shape(), v.Shape()))
	}
	qd, kd, vd := q.Shape().Dimensions, k.Shape().Dimensions, v.Shape().Dimensions
	if qd[0] != kd[0] || kd[0] != vd[0] || kd[1] != vd[1] {
		panic(fmt.Sprintf("layers.MultiHeadAttention: key %s and value %s must have the query's batch (%s) and the same length",
			k.Shape(), v.Shape(), q.Shape()))
	}
	if b.heads <= 0 {
		panic(fmt.Sprintf("layers.MultiHeadAttention: Heads must be positive, got %d", b.heads))
	}
	headDim := b.headDim
	if headDim == 0 {
		if qd[2]%b.heads != 0 {
			panic(fmt.Sprintf("layers.MultiHeadAttention: the query width %d is not a multiple of %d heads: set HeadDim", qd[2], b.heads))
		}
		headDim = qd[2] / b.heads
	}
	outDim := b.outDim
	if outDim == 0 {
		outDim = vd[2]
	}
	batch, queries, keys := qd[0], qd[1], kd[1]
	var mask *Node
	if b.keyMask != nil {
		if b.keyMask.Rank() != 2 || b.keyMask.Shape().Dimensions[0] != batch || b.keyMask.Shape().Dimensions[1] != keys {
			panic(fmt.Sprintf("layers.MultiHeadAttention: KeyMask must be [batch %d, keys %d], got %s", batch, keys, b.keyMask.Shape()))
		}
		mask = InsertAxes(b.keyMask, 1, 1) // [batch, 1, 1, keys]
	}
	if b.causal {
		if queries != keys {
			panic(fmt.Sprintf("layers.MultiHeadAttention: Causal needs as many queries as keys, got %d and %d", queries, keys))
		}
		causal := InsertAxes(CausalMask(q.Graph(), queries), 0, 0) // [1, 1, queries, keys]
		if mask == nil {
			mask = causal
		} else {
			mask = LogicalAnd(BroadcastToDims(mask, batch, 1, queries, keys), BroadcastToDims(causal, batch, 1, queries, keys))
		}
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("attention")
	}
	project := func(name string, x *Node) *Node { // [batch, length, d] → [batch, heads, length, headDim]
		p := layers.Dense(ctx.In(name), x, b.bias, b.heads, headDim) // [batch, length, heads, headDim]
		return TransposeAllDims(p, 0, 2, 1, 3)
	}
	var drop func(*Node) *Node
	if b.dropout > 0 {
		drop = func(w *Node) *Node { return layers.DropoutStatic(ctx, w, b.dropout) }
	}
	kp := project("key", k) // [batch, heads, keys, headDim]
	if b.smearKeys {
		alpha := ctx.WithInitializer(initializers.Zero).VariableWithShape("smear", shapes.Make(kp.DType(), b.heads)).ValueGraph(q.Graph())
		w := Reshape(Sigmoid(alpha), 1, b.heads, 1, 1)
		prev := ShiftWithScalar(kp, 2, ShiftDirRight, 1, 0) // k_{j−1}, 0 at j = 0
		kp = Add(Mul(w, kp), Mul(OneMinus(w), prev))
	}
	var bias *Node
	if b.relPosClip > 0 {
		bias = b.relativeBias(ctx, q.Graph(), kp.DType(), queries, keys)
	}
	heads, weights := attend(project("query", q), kp, project("value", v), mask, bias, drop)
	concat := Reshape(TransposeAllDims(heads, 0, 2, 1, 3), batch, queries, b.heads*headDim) // Concat(head_1, …, head_H)
	return layers.Dense(ctx.In("output"), concat, b.bias, outDim), weights                  // ·W_o
}
