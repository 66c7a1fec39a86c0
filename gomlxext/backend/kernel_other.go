//go:build !amd64

package backend

// hasFastKernel is false: the SIMD matmul kernel exists only for amd64.
var hasFastKernel = false

func kern4x16(a, b *float32, k int, c *float32) {
	panic("dl4go backend: kern4x16 is only available on amd64")
}
