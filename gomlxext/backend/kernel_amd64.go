package backend

import "golang.org/x/sys/cpu"

// hasFastKernel reports whether the AVX2+FMA matmul kernel can run.
var hasFastKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports whether the AVX-512 kernel kern4x64 can run (on the
// development machine, 1.9× the AVX2 kernel's FMA throughput per core).
var hasAVX512 = hasFastKernel && cpu.X86.HasAVX512F

// kern4x16 computes c[4][16] = Σ_k a[k][0:4] ⊗ b[k][0:16] (see kernel_amd64.s).
//
//go:noescape
func kern4x16(a, b *float32, k int, c *float32)

// kern4x64 computes c[4][64] = Σ_k a[k][0:4] ⊗ [b0 b1 b2 b3][k][0:16], the
// four 16-column panels panelStride bytes apart (see kernel_amd64.s).
//
//go:noescape
func kern4x64(a, b *float32, panelStride, k int, c *float32)

// kern4x32 computes c[4][32] as kern4x64 with two panels.
//
//go:noescape
func kern4x32(a, b *float32, panelStride, k int, c *float32)
