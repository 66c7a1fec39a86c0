#include "textflag.h"

// func kern4x16g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)
//
// c[r][0:16] = Σ_kk a[r·aRow + kk·aK] · b[kk·ldb + …] for r < 4 (byte
// strides): the 4 rows of a broadcast from wherever they are (a packed
// [k][4] panel: aRow 4, aK 16; row-major rows: aRow the row stride, aK 4),
// b as 1 panel(s) of 16 columns panelStride bytes apart whose rows are
// ldb bytes apart (packed: k·64 and 64; a row-major matrix: 64 and its row
// stride), c rows ldc bytes apart; with acc ≠ 0, c += that sum instead
// (the same sequence of FMAs as one longer call). AVX2 + FMA3.
TEXT ·kern4x16g(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), SI
	MOVQ aRow+8(FP), R11
	MOVQ aK+16(FP), R13
	LEAQ (R11)(R11*2), R12
	MOVQ b+24(FP), DI
	MOVQ panelStride+32(FP), R9
	MOVQ ldb+40(FP), BX
	MOVQ k+48(FP), CX
	MOVQ c+56(FP), DX
	MOVQ ldc+64(FP), AX
	MOVQ acc+72(FP), R12
	TESTQ R12, R12
	JNZ accload
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	JMP accdone
accload:
	LEAQ (AX)(AX*2), R12
	VMOVUPS 0(DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 0(DX)(AX*1), Y2
	VMOVUPS 32(DX)(AX*1), Y3
	VMOVUPS 0(DX)(AX*2), Y4
	VMOVUPS 32(DX)(AX*2), Y5
	VMOVUPS 0(DX)(R12*1), Y6
	VMOVUPS 32(DX)(R12*1), Y7
accdone:
	LEAQ (R11)(R11*2), R12
	TESTQ CX, CX
	JZ done
loop:
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VBROADCASTSS (SI), Y12
	VFMADD231PS Y8, Y12, Y0
	VFMADD231PS Y9, Y12, Y1
	VBROADCASTSS (SI)(R11*1), Y13
	VFMADD231PS Y8, Y13, Y2
	VFMADD231PS Y9, Y13, Y3
	VBROADCASTSS (SI)(R11*2), Y14
	VFMADD231PS Y8, Y14, Y4
	VFMADD231PS Y9, Y14, Y5
	VBROADCASTSS (SI)(R12*1), Y15
	VFMADD231PS Y8, Y15, Y6
	VFMADD231PS Y9, Y15, Y7
	ADDQ R13, SI
	ADDQ BX, DI
	DECQ CX
	JNZ loop
done:
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y2, 0(DX)
	VMOVUPS Y3, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y4, 0(DX)
	VMOVUPS Y5, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y6, 0(DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func kern4x32g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)
//
// c[r][0:32] = Σ_kk a[r·aRow + kk·aK] · b[kk·ldb + …] for r < 4 (byte
// strides): the 4 rows of a broadcast from wherever they are (a packed
// [k][4] panel: aRow 4, aK 16; row-major rows: aRow the row stride, aK 4),
// b as 2 panel(s) of 16 columns panelStride bytes apart whose rows are
// ldb bytes apart (packed: k·64 and 64; a row-major matrix: 64 and its row
// stride), c rows ldc bytes apart; with acc ≠ 0, c += that sum instead
// (the same sequence of FMAs as one longer call). AVX-512F.
TEXT ·kern4x32g(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), SI
	MOVQ aRow+8(FP), R11
	MOVQ aK+16(FP), R13
	LEAQ (R11)(R11*2), R12
	MOVQ b+24(FP), DI
	MOVQ panelStride+32(FP), R9
	MOVQ ldb+40(FP), BX
	MOVQ k+48(FP), CX
	MOVQ c+56(FP), DX
	MOVQ ldc+64(FP), AX
	LEAQ (DI)(R9*1), R8
	MOVQ acc+72(FP), R12
	TESTQ R12, R12
	JNZ accload
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	JMP accdone
accload:
	LEAQ (AX)(AX*2), R12
	VMOVUPS 0(DX), Z0
	VMOVUPS 64(DX), Z1
	VMOVUPS 0(DX)(AX*1), Z2
	VMOVUPS 64(DX)(AX*1), Z3
	VMOVUPS 0(DX)(AX*2), Z4
	VMOVUPS 64(DX)(AX*2), Z5
	VMOVUPS 0(DX)(R12*1), Z6
	VMOVUPS 64(DX)(R12*1), Z7
accdone:
	LEAQ (R11)(R11*2), R12
	TESTQ CX, CX
	JZ done
loop:
	VMOVUPS (DI), Z16
	VMOVUPS (R8), Z17
	VBROADCASTSS (SI), Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VBROADCASTSS (SI)(R11*1), Z21
	VFMADD231PS Z16, Z21, Z2
	VFMADD231PS Z17, Z21, Z3
	VBROADCASTSS (SI)(R11*2), Z22
	VFMADD231PS Z16, Z22, Z4
	VFMADD231PS Z17, Z22, Z5
	VBROADCASTSS (SI)(R12*1), Z23
	VFMADD231PS Z16, Z23, Z6
	VFMADD231PS Z17, Z23, Z7
	ADDQ R13, SI
	ADDQ BX, DI
	ADDQ BX, R8
	DECQ CX
	JNZ loop
done:
	VMOVUPS Z0, 0(DX)
	VMOVUPS Z1, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z2, 0(DX)
	VMOVUPS Z3, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z6, 0(DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// func kern4x64g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int)
//
// c[r][0:64] = Σ_kk a[r·aRow + kk·aK] · b[kk·ldb + …] for r < 4 (byte
// strides): the 4 rows of a broadcast from wherever they are (a packed
// [k][4] panel: aRow 4, aK 16; row-major rows: aRow the row stride, aK 4),
// b as 4 panel(s) of 16 columns panelStride bytes apart whose rows are
// ldb bytes apart (packed: k·64 and 64; a row-major matrix: 64 and its row
// stride), c rows ldc bytes apart; with acc ≠ 0, c += that sum instead
// (the same sequence of FMAs as one longer call). AVX-512F.
TEXT ·kern4x64g(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), SI
	MOVQ aRow+8(FP), R11
	MOVQ aK+16(FP), R13
	LEAQ (R11)(R11*2), R12
	MOVQ b+24(FP), DI
	MOVQ panelStride+32(FP), R9
	MOVQ ldb+40(FP), BX
	MOVQ k+48(FP), CX
	MOVQ c+56(FP), DX
	MOVQ ldc+64(FP), AX
	LEAQ (DI)(R9*1), R8
	LEAQ (R8)(R9*1), R10
	LEAQ (R10)(R9*1), R9
	MOVQ acc+72(FP), R12
	TESTQ R12, R12
	JNZ accload
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	JMP accdone
accload:
	LEAQ (AX)(AX*2), R12
	VMOVUPS 0(DX), Z0
	VMOVUPS 64(DX), Z1
	VMOVUPS 128(DX), Z2
	VMOVUPS 192(DX), Z3
	VMOVUPS 0(DX)(AX*1), Z4
	VMOVUPS 64(DX)(AX*1), Z5
	VMOVUPS 128(DX)(AX*1), Z6
	VMOVUPS 192(DX)(AX*1), Z7
	VMOVUPS 0(DX)(AX*2), Z8
	VMOVUPS 64(DX)(AX*2), Z9
	VMOVUPS 128(DX)(AX*2), Z10
	VMOVUPS 192(DX)(AX*2), Z11
	VMOVUPS 0(DX)(R12*1), Z12
	VMOVUPS 64(DX)(R12*1), Z13
	VMOVUPS 128(DX)(R12*1), Z14
	VMOVUPS 192(DX)(R12*1), Z15
accdone:
	LEAQ (R11)(R11*2), R12
	TESTQ CX, CX
	JZ done
loop:
	VMOVUPS (DI), Z16
	VMOVUPS (R8), Z17
	VMOVUPS (R10), Z18
	VMOVUPS (R9), Z19
	VBROADCASTSS (SI), Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VFMADD231PS Z18, Z20, Z2
	VFMADD231PS Z19, Z20, Z3
	VBROADCASTSS (SI)(R11*1), Z21
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z6
	VFMADD231PS Z19, Z21, Z7
	VBROADCASTSS (SI)(R11*2), Z22
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z11
	VBROADCASTSS (SI)(R12*1), Z23
	VFMADD231PS Z16, Z23, Z12
	VFMADD231PS Z17, Z23, Z13
	VFMADD231PS Z18, Z23, Z14
	VFMADD231PS Z19, Z23, Z15
	ADDQ R13, SI
	ADDQ BX, DI
	ADDQ BX, R8
	ADDQ BX, R10
	ADDQ BX, R9
	DECQ CX
	JNZ loop
done:
	VMOVUPS Z0, 0(DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	VMOVUPS Z6, 128(DX)
	VMOVUPS Z7, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z8, 0(DX)
	VMOVUPS Z9, 64(DX)
	VMOVUPS Z10, 128(DX)
	VMOVUPS Z11, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z12, 0(DX)
	VMOVUPS Z13, 64(DX)
	VMOVUPS Z14, 128(DX)
	VMOVUPS Z15, 192(DX)
	VZEROUPPER
	RET

// func kern4x16r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)
//
// As kern4x16g, with the 4 rows of a read in place at a0..a3 along runs
// of consecutive contraction offsets (offsetRun{at, off, n}: n steps
// from element off of each row), b advancing ldb bytes per step across
// all runs (the runs are in contraction order). A convolution's patch rows
// are read this way without packing: the runs are its (kernel position,
// channels) stretches.
TEXT ·kern4x16r(SB), NOSPLIT, $0-88
	MOVQ a0+0(FP), SI
	MOVQ a1+8(FP), R8
	MOVQ a2+16(FP), R10
	MOVQ a3+24(FP), R11
	MOVQ runs+32(FP), AX
	MOVQ nruns+40(FP), CX
	MOVQ b+48(FP), DI
	MOVQ panelStride+56(FP), R9
	MOVQ ldb+64(FP), BX
	LEAQ (R9)(R9*2), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JZ done
run:
	MOVQ 8(AX), R13
	SHLQ $2, R13
	MOVQ 16(AX), DX
	TESTQ DX, DX
	JZ nextrun
step:
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VBROADCASTSS (SI)(R13*1), Y12
	VFMADD231PS Y8, Y12, Y0
	VFMADD231PS Y9, Y12, Y1
	VBROADCASTSS (R8)(R13*1), Y13
	VFMADD231PS Y8, Y13, Y2
	VFMADD231PS Y9, Y13, Y3
	VBROADCASTSS (R10)(R13*1), Y14
	VFMADD231PS Y8, Y14, Y4
	VFMADD231PS Y9, Y14, Y5
	VBROADCASTSS (R11)(R13*1), Y15
	VFMADD231PS Y8, Y15, Y6
	VFMADD231PS Y9, Y15, Y7
	ADDQ $4, R13
	ADDQ BX, DI
	DECQ DX
	JNZ step
nextrun:
	ADDQ $24, AX
	DECQ CX
	JNZ run
done:
	MOVQ c+72(FP), DX
	MOVQ ldc+80(FP), AX
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y2, 0(DX)
	VMOVUPS Y3, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y4, 0(DX)
	VMOVUPS Y5, 32(DX)
	ADDQ AX, DX
	VMOVUPS Y6, 0(DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func kern4x32r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)
//
// As kern4x32g, with the 4 rows of a read in place at a0..a3 along runs
// of consecutive contraction offsets (offsetRun{at, off, n}: n steps
// from element off of each row), b advancing ldb bytes per step across
// all runs (the runs are in contraction order). A convolution's patch rows
// are read this way without packing: the runs are its (kernel position,
// channels) stretches.
TEXT ·kern4x32r(SB), NOSPLIT, $0-88
	MOVQ a0+0(FP), SI
	MOVQ a1+8(FP), R8
	MOVQ a2+16(FP), R10
	MOVQ a3+24(FP), R11
	MOVQ runs+32(FP), AX
	MOVQ nruns+40(FP), CX
	MOVQ b+48(FP), DI
	MOVQ panelStride+56(FP), R9
	MOVQ ldb+64(FP), BX
	LEAQ (R9)(R9*2), R12
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	TESTQ CX, CX
	JZ done
run:
	MOVQ 8(AX), R13
	SHLQ $2, R13
	MOVQ 16(AX), DX
	TESTQ DX, DX
	JZ nextrun
step:
	VMOVUPS (DI), Z16
	VMOVUPS (DI)(R9*1), Z17
	VBROADCASTSS (SI)(R13*1), Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VBROADCASTSS (R8)(R13*1), Z21
	VFMADD231PS Z16, Z21, Z2
	VFMADD231PS Z17, Z21, Z3
	VBROADCASTSS (R10)(R13*1), Z22
	VFMADD231PS Z16, Z22, Z4
	VFMADD231PS Z17, Z22, Z5
	VBROADCASTSS (R11)(R13*1), Z23
	VFMADD231PS Z16, Z23, Z6
	VFMADD231PS Z17, Z23, Z7
	ADDQ $4, R13
	ADDQ BX, DI
	DECQ DX
	JNZ step
nextrun:
	ADDQ $24, AX
	DECQ CX
	JNZ run
done:
	MOVQ c+72(FP), DX
	MOVQ ldc+80(FP), AX
	VMOVUPS Z0, 0(DX)
	VMOVUPS Z1, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z2, 0(DX)
	VMOVUPS Z3, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	ADDQ AX, DX
	VMOVUPS Z6, 0(DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// func kern4x64r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int)
//
// As kern4x64g, with the 4 rows of a read in place at a0..a3 along runs
// of consecutive contraction offsets (offsetRun{at, off, n}: n steps
// from element off of each row), b advancing ldb bytes per step across
// all runs (the runs are in contraction order). A convolution's patch rows
// are read this way without packing: the runs are its (kernel position,
// channels) stretches.
TEXT ·kern4x64r(SB), NOSPLIT, $0-88
	MOVQ a0+0(FP), SI
	MOVQ a1+8(FP), R8
	MOVQ a2+16(FP), R10
	MOVQ a3+24(FP), R11
	MOVQ runs+32(FP), AX
	MOVQ nruns+40(FP), CX
	MOVQ b+48(FP), DI
	MOVQ panelStride+56(FP), R9
	MOVQ ldb+64(FP), BX
	LEAQ (R9)(R9*2), R12
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	TESTQ CX, CX
	JZ done
run:
	MOVQ 8(AX), R13
	SHLQ $2, R13
	MOVQ 16(AX), DX
	TESTQ DX, DX
	JZ nextrun
step:
	VMOVUPS (DI), Z16
	VMOVUPS (DI)(R9*1), Z17
	VMOVUPS (DI)(R9*2), Z18
	VMOVUPS (DI)(R12*1), Z19
	VBROADCASTSS (SI)(R13*1), Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VFMADD231PS Z18, Z20, Z2
	VFMADD231PS Z19, Z20, Z3
	VBROADCASTSS (R8)(R13*1), Z21
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z6
	VFMADD231PS Z19, Z21, Z7
	VBROADCASTSS (R10)(R13*1), Z22
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z11
	VBROADCASTSS (R11)(R13*1), Z23
	VFMADD231PS Z16, Z23, Z12
	VFMADD231PS Z17, Z23, Z13
	VFMADD231PS Z18, Z23, Z14
	VFMADD231PS Z19, Z23, Z15
	ADDQ $4, R13
	ADDQ BX, DI
	DECQ DX
	JNZ step
nextrun:
	ADDQ $24, AX
	DECQ CX
	JNZ run
done:
	MOVQ c+72(FP), DX
	MOVQ ldc+80(FP), AX
	VMOVUPS Z0, 0(DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	VMOVUPS Z6, 128(DX)
	VMOVUPS Z7, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z8, 0(DX)
	VMOVUPS Z9, 64(DX)
	VMOVUPS Z10, 128(DX)
	VMOVUPS Z11, 192(DX)
	ADDQ AX, DX
	VMOVUPS Z12, 0(DX)
	VMOVUPS Z13, 64(DX)
	VMOVUPS Z14, 128(DX)
	VMOVUPS Z15, 192(DX)
	VZEROUPPER
	RET

// func vDot(a, b *float32, n int) float32
// Σ a[i]·b[i] over n/32*32 elements (the caller adds the tail), in four
// 8-lane FMA accumulators. AVX2 + FMA3.
TEXT ·vDot(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DX
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	SHRQ $5, CX
	JZ vdotreduce
vdotloop:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS 0(DX), Y4, Y0
	VFMADD231PS 32(DX), Y5, Y1
	VFMADD231PS 64(DX), Y6, Y2
	VFMADD231PS 96(DX), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DX
	DECQ CX
	JNZ vdotloop
vdotreduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func matvecT64(a *float32, offs *int, v *float32, k int, o *float32)
// o[0:64] = Σ_kk v[kk]·a[offs[kk] : offs[kk]+64]: 64 consecutive rows of a
// product with one output column, the contraction along any offsets, in
// eight 8-lane FMA accumulators. AVX2 + FMA3.
TEXT ·matvecT64(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ offs+8(FP), BX
	MOVQ v+16(FP), DX
	MOVQ k+24(FP), CX
	MOVQ o+32(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JZ mvtstore
mvtloop:
	MOVQ 0(BX), AX
	LEAQ (SI)(AX*4), R8
	VBROADCASTSS 0(DX), Y8
	VFMADD231PS 0(R8), Y8, Y0
	VFMADD231PS 32(R8), Y8, Y1
	VFMADD231PS 64(R8), Y8, Y2
	VFMADD231PS 96(R8), Y8, Y3
	VFMADD231PS 128(R8), Y8, Y4
	VFMADD231PS 160(R8), Y8, Y5
	VFMADD231PS 192(R8), Y8, Y6
	VFMADD231PS 224(R8), Y8, Y7
	ADDQ $8, BX
	ADDQ $4, DX
	DECQ CX
	JNZ mvtloop
mvtstore:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET
