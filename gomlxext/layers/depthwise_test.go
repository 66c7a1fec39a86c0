package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/core/tensors/images"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// randomTensor returns a float32 tensor of normal values.
func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// TestDepthwiseConvolution checks, for multipliers, strides, padding and both channel layouts,
// the output shape and that the output and the gradients for x and the weights equal those of
// the definition: each input channel convolved alone (an ordinary one-channel convolution) with
// its DepthMultiplier filters, the results concatenated in channel order.
func TestDepthwiseConvolution(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		kernel, mult, stride, dilation int
		same, first                    bool
		wantDims                       []int
	}{
		{3, 1, 1, 1, true, false, []int{2, 6, 5, 3}},
		{3, 2, 2, 1, true, false, []int{2, 3, 3, 6}},
		{5, 1, 1, 1, false, false, []int{2, 2, 1, 3}},
		{3, 1, 1, 2, false, false, []int{2, 2, 1, 3}},
		{3, 2, 1, 1, true, true, []int{2, 6, 6, 5}},
	} {
		name := fmt.Sprintf("k%d-m%d-s%d-d%d-same%v-first%v", c.kernel, c.mult, c.stride, c.dilation, c.same, c.first)
		t.Run(name, func(t *testing.T) {
			x := randomTensor(rng, 2, 6, 5, 3) // [batch, H, W, C]
			config := images.ChannelsLast
			chAxis := 3
			if c.first {
				x, config, chAxis = randomTensor(rng, 2, 3, 6, 5), images.ChannelsFirst, 1 // [batch, C, H, W]
			}
			ctx := context.New()
			exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) []*Node {
				b := DepthwiseConvolution(ctx, x).KernelSize(c.kernel).DepthMultiplier(c.mult).ChannelsAxis(config)
				if c.stride != 1 {
					b.Strides(c.stride)
				}
				if c.dilation != 1 {
					b.Dilations(c.dilation)
				}
				if c.same {
					b.PadSame()
				}
				y := b.Done()
				w := ctx.In("depthwise_conv").GetVariable("weights").ValueGraph(x.Graph())
				bias := ctx.In("depthwise_conv").GetVariable("biases").ValueGraph(x.Graph())
				// Reference: one ordinary convolution per input channel.
				kAxis := w.Rank() - 1 // kernel output channels: [k, k, 1, C·m]
				if c.first {
					kAxis = 0 // [C·m, 1, k, k]
				}
				var parts []*Node
				for ch := range x.Shape().Dimensions[chAxis] {
					xc := SliceAxis(x, chAxis, AxisRange(ch, ch+1))
					wc := SliceAxis(w, kAxis, AxisRange(ch*c.mult, (ch+1)*c.mult))
					conv := Convolve(xc, wc).ChannelsAxis(config).Strides(c.stride).Dilations(c.dilation)
					if c.same {
						conv.PadSame()
					} else {
						conv.NoPadding()
					}
					parts = append(parts, conv.Done())
				}
				bdims := []int{1, 1, 1, 1}
				bdims[chAxis] = bias.Shape().Dimensions[0]
				ref := Add(Concatenate(parts, chAxis), Reshape(bias, bdims...))
				weights := OnesLike(y)
				weights = Add(weights, Iota(x.Graph(), y.Shape(), chAxis)) // different weight per channel
				out := []*Node{y, ref}
				out = append(out, Gradient(ReduceAllSum(Mul(y, weights)), x, w)...)
				out = append(out, Gradient(ReduceAllSum(Mul(ref, weights)), x, w)...)
				return out
			})
			out := exec.MustExec(x)
			if got := fmt.Sprint(out[0].Shape().Dimensions); got != fmt.Sprint(c.wantDims) {
				t.Fatalf("output dims %s, want %v", got, c.wantDims)
			}
			// out: y, ref, then the gradients for x and w through y, then through ref.
			for i, what := range []string{"output", "gradient for x", "gradient for the weights"} {
				a, b := [3]int{0, 2, 3}[i], [3]int{1, 4, 5}[i]
				got, want := tensors.MustCopyFlatData[float32](out[a]), tensors.MustCopyFlatData[float32](out[b])
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, definition %d", what, len(got), len(want))
				}
				for j := range want {
					if math.Abs(float64(got[j]-want[j])) > 1e-4*(1+math.Abs(float64(want[j]))) {
						t.Fatalf("%s [%d]: %g, by definition %g", what, j, got[j], want[j])
					}
				}
			}
		})
	}
}

// TestDepthwiseConvolutionBadInput checks that a missing kernel size is reported with the
// shapes involved.
func TestDepthwiseConvolutionBadInput(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "KernelSize must be set") {
			t.Fatalf("want a panic naming KernelSize, got %v", r)
		}
	}()
	ctx := context.New()
	_, err = context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		return DepthwiseConvolution(ctx, x).Done()
	}).Exec(tensors.FromFlatDataAndDimensions(make([]float32, 16), 1, 4, 4, 1))
	if err != nil {
		panic(err)
	}
}
