package audio

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// EngineFFTDiff runs GoMLX's graph.RealFFT on the engine (the dl4go backend or XLA) over a batch
// of frames of n random samples (float64) and returns the largest difference from this package's
// FFT: the same transform, as a graph op that can sit inside a model and be differentiated.
func EngineFFTDiff(backend backends.Backend, frames, n int, seed uint64) (float64, error) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, frames*n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	exec, err := G.NewExec(backend, func(x *G.Node) []*G.Node {
		f := G.RealFFT(x) // [frames, n/2+1] complex
		return []*G.Node{G.Real(f), G.Imag(f)}
	})
	if err != nil {
		return 0, fmt.Errorf("audio: engine FFT: %w", err)
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, frames, n))
	if err != nil {
		return 0, fmt.Errorf("audio: engine FFT: %w", err)
	}
	re, im := tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
	var diff float64
	bins := n/2 + 1
	for f := range frames {
		ref, err := FFT(toComplex(x[f*n : (f+1)*n]))
		if err != nil {
			return 0, err
		}
		for k := range bins {
			diff = math.Max(diff, math.Abs(re[f*bins+k]-real(ref[k])))
			diff = math.Max(diff, math.Abs(im[f*bins+k]-imag(ref[k])))
		}
	}
	return diff, nil
}
