package peak

import "golang.org/x/sys/cpu"

//go:noescape
func fmaAVX2(iters int, a, b float32, out *float32)

//go:noescape
func fmaAVX512(iters int, a, b float32, out *float32)

func kernels() []kernel {
	var ks []kernel
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernel{isa: "AVX2+FMA", flopsPerIter: 12 * 8 * 2, run: fmaAVX2, accumulators: 12})
	}
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernel{isa: "AVX-512", flopsPerIter: 24 * 16 * 2, run: fmaAVX512, accumulators: 24})
	}
	return ks
}
