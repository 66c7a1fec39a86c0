package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestGroupNormalization checks that, with the initial scale 1 and offset 0, every normalised
// set — (example, group of channels) over all positions — has mean 0 and variance 1, for one
// group (layer norm), two groups and one group per channel (InstanceNormalization).
func TestGroupNormalization(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const n, h, w, c = 2, 3, 4, 6
	x := randomTensor(rng, n, h, w, c)
	xs := tensors.MustCopyFlatData[float32](x)
	for i := range xs { // give channels different means and scales, so that a wrong axis shows
		xs[i] = xs[i]*float32(1+i%c) + float32(3*(i%c))
	}
	x = tensors.FromFlatDataAndDimensions(xs, n, h, w, c)
	for _, groups := range []int{1, 2, c} {
		t.Run(fmt.Sprintf("groups%d", groups), func(t *testing.T) {
			y := context.MustExecOnce(backend, context.New(), func(ctx *context.Context, x *Node) *Node {
				if groups == c {
					return InstanceNormalization(ctx, x).Done()
				}
				return GroupNormalization(ctx, x).Groups(groups).Done()
			}, x)
			ys := tensors.MustCopyFlatData[float32](y)
			per := c / groups
			for b := range n {
				for g := range groups {
					var sum, sq float64
					count := 0
					for p := range h * w {
						for k := g * per; k < (g+1)*per; k++ {
							v := float64(ys[(b*h*w+p)*c+k])
							sum, sq, count = sum+v, sq+v*v, count+1
						}
					}
					mean := sum / float64(count)
					variance := sq/float64(count) - mean*mean
					if math.Abs(mean) > 1e-4 || math.Abs(variance-1) > 1e-3 {
						t.Errorf("example %d group %d: mean %g, variance %g, want 0 and 1", b, g, mean, variance)
					}
				}
			}
		})
	}
}

// TestMixConvolution checks the channel split, the groups' kernel shapes, and that the output
// equals each channel group's own depthwise convolution, concatenated.
func TestMixConvolution(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(MixConvSplit(7, 3)); got != "[3 2 2]" {
		t.Fatalf("MixConvSplit(7, 3) = %s, want [3 2 2]", got)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	x := randomTensor(rng, 2, 9, 8, 7)
	ctx := context.New()
	out := context.MustExecOnceN(backend, ctx, func(ctx *context.Context, x *Node) []*Node {
		y := MixConvolution(ctx, x).KernelSizes(3, 5, 7).Done()
		var ref []*Node
		start := 0
		for i, n := range MixConvSplit(7, 3) {
			w := ctx.In("mixconv").In(fmt.Sprintf("group%d", i)).In("depthwise_conv").GetVariable("weights").ValueGraph(x.Graph())
			ref = append(ref, Convolve(SliceAxis(x, 3, AxisRange(start, start+n)), w).ChannelGroupCount(n).PadSame().Done())
			start += n
		}
		return []*Node{y, Concatenate(ref, 3)}
	}, x)
	if got := fmt.Sprint(out[0].Shape().Dimensions); got != "[2 9 8 7]" {
		t.Fatalf("output dims %s, want [2 9 8 7]", got)
	}
	for i, want := range []string{"[3 3 1 3]", "[5 5 1 2]", "[7 7 1 2]"} {
		v := ctx.In("mixconv").In(fmt.Sprintf("group%d", i)).In("depthwise_conv").GetVariable("weights")
		if got := fmt.Sprint(v.Shape().Dimensions); got != want {
			t.Errorf("group %d kernel %s, want %s", i, got, want)
		}
	}
	got, want := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	for j := range want {
		if math.Abs(float64(got[j]-want[j])) > 1e-4*(1+math.Abs(float64(want[j]))) {
			t.Fatalf("[%d]: %g, per-group convolutions %g", j, got[j], want[j])
		}
	}
}

// TestCausalConvolution checks, from the gradient of one output step with respect to the
// input, that the output sees exactly the inputs t − j·d (j < K) of a single layer, and the 2^L
// inputs t − 2^L + 1 … t of a stack of L layers with K = 2 and dilations 1, 2, 4.
func TestCausalConvolution(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	const T, at = 20, 15
	x := randomTensor(rng, 1, T, 2)
	for _, c := range []struct {
		kernel    int
		dilations []int
		sees      []int // the input steps output step at depends on
	}{{3, []int{1}, []int{13, 14, 15}}, {2, []int{3}, []int{12, 15}}, {2, []int{1, 2, 4}, []int{8, 9, 10, 11, 12, 13, 14, 15}}} {
		t.Run(fmt.Sprint(c.kernel, c.dilations), func(t *testing.T) {
			out := context.MustExecOnceN(backend, context.New(), func(ctx *context.Context, x *Node) []*Node {
				h := x
				for i, d := range c.dilations {
					h = Tanh(CausalConvolution(ctx.In(fmt.Sprint("layer", i)), h).Channels(3).KernelSize(c.kernel).Dilations(d).Done())
				}
				y := SliceAxis(h, 1, AxisRange(at, at+1)) // [1, 1, 3]
				return []*Node{h, Gradient(ReduceAllSum(y), x)[0]}
			}, x)
			if got := fmt.Sprint(out[0].Shape().Dimensions); got != "[1 20 3]" {
				t.Fatalf("output dims %s, want [1 20 3]", got)
			}
			g := tensors.MustCopyFlatData[float32](out[1]) // [1, T, 2]
			for step := range T {
				seen := g[2*step] != 0 || g[2*step+1] != 0
				if want := slices.Contains(c.sees, step); seen != want {
					t.Errorf("input step %d influences output step %d: %v, want %v", step, at, seen, want)
				}
			}
		})
	}
}
