package alphago

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// NumPlanes is the number of input planes of every network in this lesson (AlphaGo Zero's
// "simple input planes", cut down for a tiny board): the player-to-move's stones, the
// opponent's stones, a plane of ones (so that convolutions see the board edge) and a plane
// that is 1 when black is to move (komi makes the colours unequal).
const NumPlanes = 4

// convBN is Conv(3×3, channels) → BatchNorm, on x [batch, N, N, C] → [batch, N, N, channels].
func convBN(ctx *context.Context, x *Node, channels, kernel int) *Node {
	x = layers.Convolution(ctx.In("conv"), x).Channels(channels).KernelSize(kernel).PadSame().UseBias(false).Done()
	return batchnorm.New(ctx.In("bn"), x, -1).Momentum(0.9).Done()
}

// ResidualBlock is AlphaGo Zero's block, exactly as in the report (§2-1):
//
//	Conv → BatchNorm → ReLU → Conv → BatchNorm → Add(input) → ReLU
//
// x is [batch, N, N, channels]; the result has the same shape.
func ResidualBlock(ctx *context.Context, x *Node) *Node {
	channels := x.Shape().Dim(-1)
	y := convBN(ctx.In("a"), x, channels, 3)
	y = activations.Relu(y)
	y = convBN(ctx.In("b"), y, channels, 3)
	y = Add(y, x)
	return activations.Relu(y)
}

// NetConfig sizes the networks.
type NetConfig struct {
	Size     int // board size N.
	Channels int // convolution channels.
	Blocks   int // residual blocks (Zero) or extra conv layers (Lee's nets).
}

// DualNet is AlphaGo Zero's one network with two heads. planes is [batch, N, N, NumPlanes];
// it returns the policy logits [batch, N·N+1] (the last one is "pass") and the value
// [batch] in [−1, 1] (tanh), from the point of view of the player to move.
func DualNet(ctx *context.Context, cfg NetConfig, planes *Node) (logits, value *Node) {
	x := activations.Relu(convBN(ctx.In("stem"), planes, cfg.Channels, 3))
	for i := range cfg.Blocks {
		x = ResidualBlock(ctx.In(fmt.Sprintf("block%d", i)), x)
	}
	return policyHead(ctx.In("policy"), cfg, x), valueHead(ctx.In("value"), cfg, x)
}

// policyHead: Conv 1×1 (2 channels) → BN → ReLU → flatten → dense N·N+1 (softmax logits).
func policyHead(ctx *context.Context, cfg NetConfig, x *Node) *Node {
	p := activations.Relu(convBN(ctx, x, 2, 1))
	p = Reshape(p, p.Shape().Dim(0), -1)
	return layers.DenseWithBias(ctx.In("dense"), p, cfg.Size*cfg.Size+1)
}

// valueHead: Conv 1×1 (1 channel) → BN → ReLU → flatten → dense 32 → ReLU → dense 1 → tanh.
func valueHead(ctx *context.Context, cfg NetConfig, x *Node) *Node {
	v := activations.Relu(convBN(ctx, x, 1, 1))
	v = Reshape(v, v.Shape().Dim(0), -1)
	v = activations.Relu(layers.DenseWithBias(ctx.In("hidden"), v, 32))
	v = layers.DenseWithBias(ctx.In("out"), v, 1)
	return Tanh(Reshape(v, v.Shape().Dim(0)))
}

// plainTower is the body of AlphaGo Lee's nets (no residual connections, as in 2016):
// Conv3×3 → BN → ReLU, Blocks+1 times. x is [batch, N, N, NumPlanes] → [batch, N, N, Channels].
func plainTower(ctx *context.Context, cfg NetConfig, x *Node) *Node {
	for i := range cfg.Blocks + 1 {
		x = activations.Relu(convBN(ctx.In(fmt.Sprintf("layer%d", i)), x, cfg.Channels, 3))
	}
	return x
}

// PolicyNet is AlphaGo Lee's policy network: planes [batch, N, N, NumPlanes] → logits
// [batch, N·N+1]; softmax of them is where to play (the report's 19×19 output, plus pass).
func PolicyNet(ctx *context.Context, cfg NetConfig, planes *Node) *Node {
	return policyHead(ctx.In("policy"), cfg, plainTower(ctx.In("tower"), cfg, planes))
}

// ValueNet is AlphaGo Lee's value network: planes [batch, N, N, NumPlanes] → value [batch] in
// [−1, 1] (tanh): who will win, for the player to move. Its head flattens the planes and ends
// with dense layers, as the report says.
func ValueNet(ctx *context.Context, cfg NetConfig, planes *Node) *Node {
	return valueHead(ctx.In("value"), cfg, plainTower(ctx.In("tower"), cfg, planes))
}
