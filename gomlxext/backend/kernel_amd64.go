package backend

import "golang.org/x/sys/cpu"

// hasFastKernel reports whether the AVX2+FMA matmul kernel can run.
var hasFastKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kern4x16 computes c[4][16] = Σ_k a[k][0:4] ⊗ b[k][0:16] (see kernel_amd64.s).
//
//go:noescape
func kern4x16(a, b *float32, k int, c *float32)
