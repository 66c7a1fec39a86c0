// Package backend registers "dl4go", a GoMLX v0.26.0 backend that wraps the
// pure-Go backend simplego ("go") and makes it complete and fast enough for
// the dl4go curriculum. Importing the package is all it takes:
//
//	import _ "github.com/dl4go/dl4go/gomlxext/backend"
//	b, err := backends.NewWithConfig("dl4go") // or GOMLX_BACKEND=dl4go
//
// Start with New (the constructor registered under Name) and Builder, which
// sees every builder call GoMLX makes and either forwards it to simplego or
// composes it from simplego's ops. Nothing of GoMLX is forked.
//
// # How it runs
//
// Under Builder sits a staged builder (staged.go): a computation is a
// sequence of ordinary simplego graphs ("stages"); between two stages, large
// float32 products run on an AVX2+FMA matmul kernel written in Go assembly
// (kernel_amd64.s, about 10× simplego's DotGeneral per core; with AVX-512,
// 4×64 and 4×32 tiles at 1.9× the AVX2 kernel's speed), on all CPUs.
// simplego cannot run foreign kernels inside its executor, hence the stages.
// At Compile, only the ops the outputs need are replayed into the stages.
// Memory: each intermediate value is freed after its last use, or donated to
// the stage that uses it last (simplego then reuses it in place); inputs
// GoMLX donates (a training step's old weights) go back to simplego's
// buffer pool after the run; a kernel's tables are built at its first run.
// Without AVX2+FMA (or on other architectures), or with "dl4go:nokernel",
// everything runs inside simplego.
//
// # Ops added (missing or broken in simplego)
//
//   - Pad, including negative (cropping) and interior padding.
//   - Reverse.
//   - ConvGeneral: an implicit GEMM on the SIMD kernel (patches read through
//     offset tables, never materialised); without the kernel, im2col (strided
//     Slices + Concatenate) and one DotGeneral. Supports nil strides and
//     dilations, padding (also negative), input dilation (transposed
//     convolution), kernel dilation, channel groups (grouped/depthwise), in any
//     axes layout; batch groups on the im2col path. On the kernel, an
//     input-dilated convolution with unit strides (a transposed convolution, or
//     the input gradient vjp.go emits for a strided one) runs as one ordinary
//     convolution per output phase, interleaved, without the inserted zeros
//     (convphase.go: ¼ of the multiply-adds for stride 2 in 2D). Depthwise convolutions
//     (≥ 4 groups of one input channel, any channel multiplier) and the
//     input- and kernel-gradient convolutions vjp.go emits for them run as a
//     direct Go loop over output cells with window index tables, float32 and
//     float64 (depthwise.go).
//   - SelectAndScatterMax / SelectAndScatterMin (gradients of max/min pooling).
//   - BatchNormForTraining, BatchNormForInference, BatchNormGradient.
//   - DynamicSlice and DynamicUpdateSlice (via Gather and Scatter).
//   - ReduceWindow (pooling) as strided slices combined elementwise
//     (simplego's is correct but slow); large windows (CumSum) stay in simplego.
//   - The total-order comparisons (EqualTotalOrder, LessThanTotalOrder, ...),
//     Bitcast and the bit shifts (extraops.go); complex values and FFT (below).
//
// Of the backend interface only SelectAndScatterSum (which no GoMLX graph
// function emits) and the multi-device collectives are missing.
//
// # Ops rewritten for speed
//
//   - ReduceSum(Mul(x', y')) where x' and y' are reshapes, transposes or
//     broadcasts of x and y and the Mul materialises an outer product (how
//     GoMLX's autodiff emits the gradient of DotGeneral) becomes one
//     DotGeneral of x and y.
//   - DotGeneral and Dot on float32 (≥ 32k multiply-adds): the SIMD kernel,
//     reading both operands in their own layouts.
//   - Large float32 ReduceSum: over adjacent axes, a parallel Go kernel
//     (reduce.go); otherwise ones · x on the SIMD kernel.
//   - One-column products (a layer with one output channel): dot products
//     instead of 4×16 tiles. Products whose rows are consecutive in memory
//     but not in output order (convolution weight gradients) are computed in
//     memory order.
//   - Chains of large float32 elementwise ops on operands of one shape (or
//     scalars; a broadcast scalar such as ReLU's ZerosLike is read as one):
//     one fused kernel evaluates the whole expression 1024 elements at a
//     time (fuse.go), bit for bit the unfused result ("nofuse" turns it off).
//   - Transpose that moves no data (the identity, or moving axes of size 1):
//     a Reshape. Other large float32 Transposes and BroadcastInDims: strided
//     copies in runs, on all CPUs (strided.go).
//   - Large float32 elementwise ops (elementwise.go): binary ops with
//     broadcasting (bias additions, softmax and layer-norm statistics) as
//     loops over contiguous runs, equal-shape binary ops, Sign (ReLU's
//     gradient) and unary math (Exp, Log, Tanh, Logistic, Sqrt, Rsqrt, Erf),
//     all on all CPUs, the binary ops and Sign, Neg, Abs on AVX2
//     (elementwise_amd64.s); simplego walks an index iterator per element on
//     one core. Erf uses Abramowitz and Stegun's 7.1.26 (|error| < 1.5e-7).
//
// # Gradients
//
// Importing the package also registers, in GoMLX's autodiff
// (graph.VJPRegistration, for every backend), gradients for Pad, Reverse and
// Clamp (graph.Clip), zero gradients for Floor, Ceil, Round and Sign (GoMLX
// has none) and a ConvGeneral gradient that is correct for even
// kernel sizes (GoMLX's shifts the input gradient by one) and defined for
// input dilation (transposed convolution). See vjp.go.
//
// # Complex values and FFT
//
// simplego has no complex dtypes. Here a complex64 or complex128 op is kept
// as two float ops, its real and imaginary parts (complex.go), so GoMLX's
// complex graph functions work: Complex, Real, Imag, Conj, Abs, arithmetic,
// reshapes and slices, ReduceSum, DotGeneral, and the FFT op — graph.FFT,
// InverseFFT, RealFFT and InverseRealFFT, forward and backward (GoMLX's
// gradients), over one or more trailing axes, on a Go kernel that is
// O(n log n) for every length (radix-2, Bluestein's algorithm otherwise;
// fftkernel.go). Complex tensors go in and come out as usual. The RFFT,
// IRFFT and DFT helpers of this package do the same on real/imaginary pairs
// with O(n²) DotGenerals, for backends without complex dtypes (plain
// simplego).
//
// # Configuration
//
// "dl4go" runs simplego with "ops_sequential": one op at a time inside a
// stage (an op may still split its work across CPUs; the Go kernels use all
// CPUs). simplego's parallel op scheduling is unsafe: the race detector
// finds an op writing a recycled buffer that another op still reads
// (simplego v0.26.0 executeParallel), and with its bounded worker pool,
// nested parallel DotGenerals deadlock on a 2-CPU machine (TestNoDeadlock).
// Options, comma-separated after "dl4go:": any simplego option, "nokernel",
// "kernelall" (every product on the kernel, for tests), "noavx512" (the
// AVX2 kernel only, for comparisons), "nofuse" (no elementwise fusion, for
// tests), "norewrite" (no ReduceSum(Mul) rewrite, for tests) and "nodes=N".
//
// A computation runs as a graph of stages (simplego executables, one per
// group of ops that share nothing) and Go kernels; the ones that do not
// depend on each other run at the same time, up to GOMAXPROCS of them
// ("nodes=N" sets how many; nodes=1 runs them one after another in build
// order). What they compute does not depend on it, bit for bit.
package backend

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Name is the name under which the backend is registered in GoMLX ("dl4go").
const Name = "dl4go"

// DefaultSimpleGoConfig is the simplego configuration used when the "dl4go"
// configuration string gives none.
const DefaultSimpleGoConfig = "ops_sequential"

func init() {
	backends.Register(Name, New)
}

// Backend is the "dl4go" backend: simplego's Backend with a Builder that
// completes and rewrites the graph. Buffers and executables are simplego's.
type Backend struct {
	backends.Backend
	config  string
	rewrite bool
	kernel  bool
	narrow  bool
	fuse    bool
	minMACs int
	nodes   int // "nodes=N": stages and kernels run at once (0: GOMAXPROCS)
}

// New creates the backend. The config string is passed on to simplego
// (see simplego.New); empty means DefaultSimpleGoConfig. The option
// "norewrite" disables the ReduceSum(Mul) → DotGeneral rewrite and
// "nokernel" the SIMD matmul kernel (both for tests and comparisons);
// "kernelall" sends even tiny products to the kernel (for tests).
func New(config string) (backends.Backend, error) {
	var parts, inner []string
	rewrite, kernel, narrow, fuse, minMACs, nodes := true, true, false, true, minKernelMACs, 0
	if config != "" {
		parts = strings.Split(config, ",")
	}
	for _, p := range parts {
		if p == "norewrite" {
			rewrite = false
			continue
		}
		if p == "nokernel" {
			kernel = false
			continue
		}
		if p == "nofuse" {
			fuse = false
			continue
		}
		if p == "noavx512" {
			narrow = true
			continue
		}
		if p == "kernelall" {
			minMACs = 0
			continue
		}
		if v, ok := strings.CutPrefix(p, "nodes="); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("dl4go backend: option %q: want nodes=N with N ≥ 1 (how many stages and kernels run at once)", p)
			}
			nodes = n
			continue
		}
		inner = append(inner, p)
	}
	innerConfig := strings.Join(inner, ",")
	if len(inner) == 0 {
		innerConfig = DefaultSimpleGoConfig
	}
	sg, err := newQuietly(innerConfig)
	if err != nil {
		return nil, fmt.Errorf("dl4go backend: create simplego with %q: %w", innerConfig, err)
	}
	return &Backend{Backend: sg, config: config, rewrite: rewrite, kernel: kernel, narrow: narrow, fuse: fuse, minMACs: minMACs, nodes: nodes}, nil
}

// Name implements backends.Backend.
func (b *Backend) Name() string { return "dl4go (pure Go, wraps simplego)" }

// String implements backends.Backend: the registered name.
func (b *Backend) String() string { return Name }

// Description implements backends.Backend.
func (b *Backend) Description() string {
	return "dl4go: GoMLX pure-Go backend (simplego) completed with Pad, Reverse, im2col convolution, " +
		"pooling gradients and batch norm, and DotGeneral matmul gradients"
}

// Capabilities implements backends.Backend: simplego's plus the ops this package adds.
func (b *Backend) Capabilities() backends.Capabilities {
	c := b.Backend.Capabilities().Clone()
	for _, op := range addedOps {
		c.Operations[op] = true
	}
	c.DTypes[dtypes.Complex64], c.DTypes[dtypes.Complex128] = true, true
	return c
}

// addedOps are the ops this package implements on top of simplego.
var addedOps = []backends.OpType{
	backends.OpTypePad,
	backends.OpTypeReverse,
	backends.OpTypeConvGeneral,
	backends.OpTypeSelectAndScatterMax,
	backends.OpTypeSelectAndScatterMin,
	backends.OpTypeBatchNormForTraining,
	backends.OpTypeBatchNormForInference,
	backends.OpTypeBatchNormGradient,
	backends.OpTypeDynamicSlice,
	backends.OpTypeDynamicUpdateSlice,
	backends.OpTypeFFT,
	backends.OpTypeComplex,
	backends.OpTypeReal,
	backends.OpTypeImag,
	backends.OpTypeConj,
	backends.OpTypeClamp,
	backends.OpTypeBitcast,
	backends.OpTypeShiftLeft,
	backends.OpTypeShiftRightArithmetic,
	backends.OpTypeShiftRightLogical,
	backends.OpTypeEqualTotalOrder,
	backends.OpTypeNotEqualTotalOrder,
	backends.OpTypeGreaterOrEqualTotalOrder,
	backends.OpTypeGreaterThanTotalOrder,
	backends.OpTypeLessOrEqualTotalOrder,
	backends.OpTypeLessThanTotalOrder,
}

// Builder implements backends.Backend: it returns a *Builder wrapping simplego's.
func (b *Backend) Builder(name string) backends.Builder {
	st := newStaged(b.Backend, name, b.kernel, b.minMACs)
	st.narrow, st.par = b.narrow, b.nodes
	return newBuilder(st, b.rewrite, b.fuse)
}

// stdoutMu serialises the brief swap of os.Stdout in newQuietly.
var stdoutMu sync.Mutex

// newQuietly creates the simplego backend, discarding the line simplego.New
// prints to stdout for the "parallelism" option (it would end up in every
// notebook). os.Stdout is swapped only for the duration of that call.
func newQuietly(config string) (backends.Backend, error) {
	if !strings.Contains(config, "parallelism=") {
		return simplego.New(config)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return simplego.New(config)
	}
	defer devNull.Close()
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	saved := os.Stdout
	os.Stdout = devNull
	defer func() { os.Stdout = saved }()
	return simplego.New(config)
}
