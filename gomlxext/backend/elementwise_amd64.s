#include "textflag.h"

// Elementwise float32 loops on AVX2: 32 elements per iteration; the caller
// handles the n mod 32 tail. Results are bit-identical to Go's scalar
// arithmetic (each lane is one IEEE operation).

// func vvAdd(o, a, b *float32, n int)
TEXT ·vvAdd(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS 0(DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS 64(DX), Y2, Y2
	VADDPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsAdd(o, a *float32, s float32, n int)
TEXT ·vsAdd(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS Y8, Y0, Y0
	VADDPS Y8, Y1, Y1
	VADDPS Y8, Y2, Y2
	VADDPS Y8, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vvSub(o, a, b *float32, n int)
TEXT ·vvSub(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS 0(DX), Y0, Y0
	VSUBPS 32(DX), Y1, Y1
	VSUBPS 64(DX), Y2, Y2
	VSUBPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsSub(o, a *float32, s float32, n int)
TEXT ·vsSub(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS Y8, Y0, Y0
	VSUBPS Y8, Y1, Y1
	VSUBPS Y8, Y2, Y2
	VSUBPS Y8, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func svSub(o *float32, s float32, b *float32, n int)
TEXT ·svSub(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	VBROADCASTSS s+8(FP), Y8
	MOVQ b+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VSUBPS 0(SI), Y8, Y0
	VSUBPS 32(SI), Y8, Y1
	VSUBPS 64(SI), Y8, Y2
	VSUBPS 96(SI), Y8, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vvMul(o, a, b *float32, n int)
TEXT ·vvMul(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS 0(DX), Y0, Y0
	VMULPS 32(DX), Y1, Y1
	VMULPS 64(DX), Y2, Y2
	VMULPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsMul(o, a *float32, s float32, n int)
TEXT ·vsMul(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS Y8, Y0, Y0
	VMULPS Y8, Y1, Y1
	VMULPS Y8, Y2, Y2
	VMULPS Y8, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vvDiv(o, a, b *float32, n int)
TEXT ·vvDiv(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VDIVPS 0(DX), Y0, Y0
	VDIVPS 32(DX), Y1, Y1
	VDIVPS 64(DX), Y2, Y2
	VDIVPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsDiv(o, a *float32, s float32, n int)
TEXT ·vsDiv(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VDIVPS Y8, Y0, Y0
	VDIVPS Y8, Y1, Y1
	VDIVPS Y8, Y2, Y2
	VDIVPS Y8, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func svDiv(o *float32, s float32, b *float32, n int)
TEXT ·svDiv(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	VBROADCASTSS s+8(FP), Y8
	MOVQ b+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ done
loop:
	VDIVPS 0(SI), Y8, Y0
	VDIVPS 32(SI), Y8, Y1
	VDIVPS 64(SI), Y8, Y2
	VDIVPS 96(SI), Y8, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vSign(o, a *float32, n int)
//
// o = sign(a): 1, −1 or +0 (NaN and ±0 give +0), as the Go loop.
TEXT ·vSign(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ done
	MOVL $0x3f800000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15
	VXORPS Y13, Y13, Y13
loop:
	VMOVUPS (SI), Y0
	VCMPPS $0x1e, Y13, Y0, Y1
	VCMPPS $0x11, Y13, Y0, Y2
	VANDPS Y15, Y1, Y1
	VANDPS Y15, Y2, Y2
	VSUBPS Y2, Y1, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vNeg(o, a *float32, n int)
TEXT ·vNeg(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ done
	MOVL $0x80000000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15
loop:
	VMOVUPS (SI), Y0
	VXORPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vAbs(o, a *float32, n int)
TEXT ·vAbs(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ done
	MOVL $0x7fffffff, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15
loop:
	VMOVUPS (SI), Y0
	VANDPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vvMax(o, a, b *float32, n int)
//
// Go's max: NaN if either operand is, and +0 for ±0.
TEXT ·vvMax(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VMAXPS Y1, Y0, Y2
	VCMPPS $0x00, Y1, Y0, Y3
	VANDPS Y1, Y0, Y4
	VBLENDVPS Y3, Y4, Y2, Y2
	VCMPPS $0x03, Y1, Y0, Y5
	VADDPS Y1, Y0, Y6
	VBLENDVPS Y5, Y6, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsMax(o, a *float32, s float32, n int)
TEXT ·vsMax(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVAPS Y8, Y1
	VMAXPS Y1, Y0, Y2
	VCMPPS $0x00, Y1, Y0, Y3
	VANDPS Y1, Y0, Y4
	VBLENDVPS Y3, Y4, Y2, Y2
	VCMPPS $0x03, Y1, Y0, Y5
	VADDPS Y1, Y0, Y6
	VBLENDVPS Y5, Y6, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vvMin(o, a, b *float32, n int)
//
// Go's min: NaN if either operand is, and −0 for ±0.
TEXT ·vvMin(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VMINPS Y1, Y0, Y2
	VCMPPS $0x00, Y1, Y0, Y3
	VORPS Y1, Y0, Y4
	VBLENDVPS Y3, Y4, Y2, Y2
	VCMPPS $0x03, Y1, Y0, Y5
	VADDPS Y1, Y0, Y6
	VBLENDVPS Y5, Y6, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vsMin(o, a *float32, s float32, n int)
TEXT ·vsMin(SB), NOSPLIT, $0-32
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y8
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVAPS Y8, Y1
	VMINPS Y1, Y0, Y2
	VCMPPS $0x00, Y1, Y0, Y3
	VORPS Y1, Y0, Y4
	VBLENDVPS Y3, Y4, Y2, Y2
	VCMPPS $0x03, Y1, Y0, Y5
	VADDPS Y1, Y0, Y6
	VBLENDVPS Y5, Y6, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// SEL4(pred) is one block of 8 channels of vSelect4: b = x0; for each later
// position i, c_i = (x_i pred b) AND ordered(b) (pred "not less or equal" or
// "not greater or equal", unordered-true: a NaN x_i beats an ordered b, an
// unordered b is never beaten), b = c_i ? x_i : b; then d3 = s AND c3,
// d2 = s AND c2 AND NOT c3, d1 = s AND c1 AND NOT (c2 OR c3), d0 = the rest.
#define SEL4(pred) \
	VMOVUPS (R8)(BX*1), Y0 \
	VMOVUPS (R9)(BX*1), Y1 \
	VCMPPS $pred, Y0, Y1, Y4 \
	VCMPPS $0x07, Y0, Y0, Y5 \
	VANDPS Y5, Y4, Y4 \
	VBLENDVPS Y4, Y1, Y0, Y0 \
	VMOVUPS (R10)(BX*1), Y2 \
	VCMPPS $pred, Y0, Y2, Y5 \
	VCMPPS $0x07, Y0, Y0, Y6 \
	VANDPS Y6, Y5, Y5 \
	VBLENDVPS Y5, Y2, Y0, Y0 \
	VMOVUPS (R11)(BX*1), Y3 \
	VCMPPS $pred, Y0, Y3, Y6 \
	VCMPPS $0x07, Y0, Y0, Y7 \
	VANDPS Y7, Y6, Y6 \
	VMOVUPS (SI)(BX*1), Y7 \
	VANDPS Y7, Y6, Y8 \
	VMOVUPS Y8, (DX)(BX*1) \
	VANDNPS Y7, Y6, Y9 \
	VANDPS Y9, Y5, Y8 \
	VMOVUPS Y8, (DI)(BX*1) \
	VANDNPS Y9, Y5, Y9 \
	VANDPS Y9, Y4, Y8 \
	VMOVUPS Y8, (R13)(BX*1) \
	VANDNPS Y9, Y4, Y9 \
	VMOVUPS Y9, (R12)(BX*1)

// func vSelect4(x0, x1, x2, x3, src, d0, d1, d2, d3 *float32, n int, isMin bool)
// select4's window on n/8*8 channels (the caller does the tail).
TEXT ·vSelect4(SB), NOSPLIT, $0-81
	MOVQ x0+0(FP), R8
	MOVQ x1+8(FP), R9
	MOVQ x2+16(FP), R10
	MOVQ x3+24(FP), R11
	MOVQ src+32(FP), SI
	MOVQ d0+40(FP), R12
	MOVQ d1+48(FP), R13
	MOVQ d2+56(FP), DI
	MOVQ d3+64(FP), DX
	MOVQ n+72(FP), CX
	SHRQ $3, CX
	SHLQ $5, CX // bytes of the whole blocks
	XORQ BX, BX
	CMPQ BX, CX
	JGE done
	MOVBLZX isMin+80(FP), AX
	TESTQ AX, AX
	JNZ minloop
maxloop:
	SEL4(0x16)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT maxloop
	JMP done
minloop:
	SEL4(0x19)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT minloop
done:
	VZEROUPPER
	RET

// func vWhere(o *float32, c *bool, t *float32, tStep int, f *float32, fStep int, n int)
// o[i] = c[i] ? t : f on n/8*8 elements, t and f advancing tStep and fStep
// bytes per 8 elements (32, or 0 for a scalar repeated 8 times); the caller
// does the tail. The bools (0 or 1) widen to lanes of 0 or −1: a blend mask.
TEXT ·vWhere(SB), NOSPLIT, $0-56
	MOVQ o+0(FP), DI
	MOVQ c+8(FP), BX
	MOVQ t+16(FP), R8
	MOVQ tStep+24(FP), R9
	MOVQ f+32(FP), R10
	MOVQ fStep+40(FP), R11
	MOVQ n+48(FP), CX
	SHRQ $3, CX
	JZ done
	VPXOR Y15, Y15, Y15
loop:
	VPMOVZXBD (BX), Y0
	VPSUBD Y0, Y15, Y0
	VMOVUPS (R8), Y1
	VMOVUPS (R10), Y2
	VBLENDVPS Y0, Y1, Y2, Y3
	VMOVUPS Y3, (DI)
	ADDQ $8, BX
	ADDQ R9, R8
	ADDQ R11, R10
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func vFill(o *float32, s float32, n int): o[0:n/8*8] = s.
TEXT ·vFill(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	VBROADCASTSS s+8(FP), Y0
	MOVQ n+16(FP), CX
	MOVQ CX, DX
	SHRQ $5, CX
	JZ eights
loop32:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y0, 32(DI)
	VMOVUPS Y0, 64(DI)
	VMOVUPS Y0, 96(DI)
	ADDQ $128, DI
	DECQ CX
	JNZ loop32
eights:
	ANDQ $31, DX
	SHRQ $3, DX
	JZ done
loop8:
	VMOVUPS Y0, 0(DI)
	ADDQ $32, DI
	DECQ DX
	JNZ loop8
done:
	VZEROUPPER
	RET
