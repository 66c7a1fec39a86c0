package backend

import "golang.org/x/sys/cpu"

// hasFastKernel reports whether the AVX2+FMA matmul kernel can run.
var hasFastKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports whether the AVX-512 kernel kern4x64 can run (on the
// development machine, 1.9× the AVX2 kernel's FMA throughput per core).
var hasAVX512 = hasFastKernel && cpu.X86.HasAVX512F

// kern4x16g, kern4x32g and kern4x64g compute a 4×16 (AVX2), 4×32 or 4×64
// (AVX-512) tile c = a·b with byte strides: row r of a at a + r·aRow,
// advancing aK per contraction step; b's 16-column panels panelStride
// apart, advancing ldb per step; c's rows ldc apart (see kernel_amd64.s). With acc ≠ 0
// they add the product to c, exactly as if the contraction had continued.
//
//go:noescape
func kern4x16g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)

//go:noescape
func kern4x32g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)

//go:noescape
func kern4x64g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)

// kern4x16r, kern4x32r and kern4x64r are kern4x16g, kern4x32g and
// kern4x64g with the 4 rows of a read in place at a0..a3 along runs of
// consecutive contraction offsets (see kernel_amd64.s).
//
//go:noescape
func kern4x16r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)

//go:noescape
func kern4x32r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)

//go:noescape
func kern4x64r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)

// vDot is Σ a[i]·b[i] over the first n/32*32 elements, on AVX2 + FMA (see kernel_amd64.s).
//
//go:noescape
func vDot(a, b *float32, n int) float32

// matvecT64 is o[0:64] = Σ_kk v[kk]·a[offs[kk] : offs[kk]+64] for kk < k, on AVX2 + FMA
// (see kernel_amd64.s): 64 consecutive rows of a product with one output column.
//
//go:noescape
func matvecT64(a *float32, offs *int, v *float32, k int, o *float32)
