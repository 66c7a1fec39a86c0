package backend

// Hooks for the external tests' benchmarks.

// MatmulF32 is matmulF32 (out[b] = lhs[b]·rhs[b], row-major float32).
var MatmulF32 = matmulF32

// HasAVX512 reports whether the AVX-512 kernel can run here.
var HasAVX512 = hasAVX512

// UseAVX512 sets whether products use the AVX-512 kernel and returns a
// function that restores the previous setting.
func UseAVX512(on bool) (restore func()) {
	saved := useAVX512
	useAVX512 = on && hasAVX512
	return func() { useAVX512 = saved }
}

// FusedBuilt returns the number of fused elementwise kernels built so far.
func FusedBuilt() int64 { return fusedBuilt.Load() }

// FusedBroadcasts returns the number of block broadcasts fused kernels have
// read in place (instead of a materialised copy) so far.
func FusedBroadcasts() int64 { return fusedBcasts.Load() }
