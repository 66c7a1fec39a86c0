package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// PatchGANBuilder configures a PatchGAN discriminator; create it with PatchGAN, set its options,
// then call Done.
type PatchGANBuilder struct {
	ctx           *context.Context
	x             *Node
	feature, down int
}

// PatchGAN prepares the discriminator of pix2pix (Isola et al., 2017) over x [batch, H, W, C]
// (for a conditional GAN, the condition and the image concatenated along the channels): a fully
// convolutional network whose output is a map of logits, one per N×N patch of the input, so it
// judges local texture and edges and leaves the low frequencies to an L1 term:
//
//	logits := layers.PatchGAN(ctx, x).Features(16).Downsamplings(1).Done() // [batch, h, w]
//
// The layers are pix2pix's: Downsamplings 4×4 stride-2 convolutions (padding 1) starting at
// Features channels and doubling, one 4×4 stride-1 convolution (padding 1) with twice the last
// channels, LeakyReLU(0.2) after each, and a 4×4 stride-1 convolution (padding 1) to one logit
// per position. Downsamplings 3 with Features 64 is the paper's 70×70 PatchGAN. N is
// ReceptiveField; the output is h×w with h = ⌊H/2^Downsamplings⌋ − 2 (likewise w). There is no
// normalisation layer. Its variables live in the scope "patchgan" below ctx, with the initializer
// of ctx. Features must be set; Downsamplings defaults to 3.
func PatchGAN(ctx *context.Context, x *Node) *PatchGANBuilder {
	return &PatchGANBuilder{ctx: ctx, x: x, down: 3}
}

// Features sets the channels of the first convolution (required).
func (b *PatchGANBuilder) Features(n int) *PatchGANBuilder {
	b.feature = n
	return b
}

// Downsamplings sets the number of stride-2 convolutions (default 3).
func (b *PatchGANBuilder) Downsamplings(n int) *PatchGANBuilder {
	b.down = n
	return b
}

// Kernels and Strides return the kernel sizes and strides of the discriminator's convolutions,
// input first.
func (b *PatchGANBuilder) Kernels() []int { k, _ := b.layout(); return k }

// Strides: see Kernels.
func (b *PatchGANBuilder) Strides() []int { _, s := b.layout(); return s }

func (b *PatchGANBuilder) layout() (kernels, strides []int) {
	for range b.down {
		kernels, strides = append(kernels, 4), append(strides, 2)
	}
	return append(kernels, 4, 4), append(strides, 1, 1)
}

// ReceptiveField is the side N of the input patch one output logit sees (see ReceptiveField):
// 70 for the paper's layout, 16 for Downsamplings(1).
func (b *PatchGANBuilder) ReceptiveField() int {
	k, s := b.layout()
	return ReceptiveField(k, s)
}

// Done builds the discriminator: [batch, H, W, C] → logits [batch, h, w].
func (b *PatchGANBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || b.feature <= 0 || b.down < 0 {
		panic(fmt.Sprintf("layers.PatchGAN: x must be [batch, H, W, channels], Features ≥ 1 and Downsamplings ≥ 0: got x %s, Features %d, Downsamplings %d",
			x.Shape(), b.feature, b.down))
	}
	if d := x.Shape().Dimensions; d[1]>>b.down < 3 || d[2]>>b.down < 3 {
		panic(fmt.Sprintf("layers.PatchGAN: %d×%d input is too small for %d down-samplings (the map must stay ≥ 3×3)", d[1], d[2], b.down))
	}
	ctx := b.ctx.In("patchgan")
	h := x
	c := b.feature
	for i := range b.down {
		h = activations.LeakyReluWithAlpha(conv2D(ctx.In(fmt.Sprintf("down%d", i+1)), h, c, 4, 2, 1), 0.2)
		c *= 2
	}
	h = activations.LeakyReluWithAlpha(conv2D(ctx.In("conv"), h, c, 4, 1, 1), 0.2)
	h = conv2D(ctx.In("logits"), h, 1, 4, 1, 1) // [batch, h, w, 1]
	d := h.Shape().Dimensions
	return Reshape(h, d[0], d[1], d[2])
}

// ReceptiveField returns the side of the input patch that one output unit of a chain of
// convolutions sees, for the kernel sizes and strides of its layers (input first):
//
//	N = 1 + Σᵢ (kᵢ − 1) · Πⱼ<ᵢ sⱼ
//
// each layer widens the patch by kᵢ − 1 units of its input, and a unit of layer i's input is
// Πⱼ<ᵢ sⱼ input pixels apart from the next. Padding shifts the patch but does not change its size.
func ReceptiveField(kernels, strides []int) int {
	if len(kernels) != len(strides) {
		panic(fmt.Sprintf("layers.ReceptiveField: %d kernels but %d strides", len(kernels), len(strides)))
	}
	n, jump := 1, 1
	for i, k := range kernels {
		n += (k - 1) * jump
		jump *= strides[i]
	}
	return n
}
