//go:build !amd64

package backend

// hasFastKernel is false: the SIMD matmul kernel exists only for amd64.
var hasFastKernel = false

// hasAVX512 is false: the AVX-512 kernel exists only for amd64.
var hasAVX512 = false

func kern4x16(a, b *float32, k int, c *float32) {
	panic("dl4go backend: kern4x16 is only available on amd64")
}

func kern4x64(a, b *float32, panelStride, k int, c *float32) {
	panic("dl4go backend: kern4x64 is only available on amd64")
}

func kern4x32(a, b *float32, panelStride, k int, c *float32) {
	panic("dl4go backend: kern4x32 is only available on amd64")
}
