#include "textflag.h"

// Exp and Logistic on float32 slices, 8 elements per iteration (two groups of
// four float64 lanes), each lane computed exactly as Go's math.Exp does on
// amd64 with FMA (src/math/exp_amd64.s, Shibata's method: x·log2(e) rounded
// to k, the reduced argument's Taylor series at x/16, four squarings, times
// 2^k), so that float32(math.Exp(float64(v))) and the logistic loop's
// results are bit-identical to the Go loops. Lanes whose result is fixed by
// float32's range are set, not computed: v < −110 gives 0 and v > 89 gives
// +Inf (math.Exp's result rounds to those in float32), NaN gives NaN.

// Each constant four times (one YMM register), at offset 32·i of expv.
#define LOG2E expv<>+0(SB)
#define LN2U expv<>+32(SB)
#define LN2L expv<>+64(SB)
#define SIXTEENTH expv<>+96(SB)
#define C8 expv<>+128(SB)
#define C7 expv<>+160(SB)
#define C6 expv<>+192(SB)
#define C5 expv<>+224(SB)
#define C4 expv<>+256(SB)
#define C3 expv<>+288(SB)
#define HALF expv<>+320(SB)
#define ONE expv<>+352(SB)
#define TWO expv<>+384(SB)
#define LO expv<>+416(SB)
#define HI expv<>+448(SB)
#define INF expv<>+480(SB)
#define BIAS expv<>+512(SB)
#define SIGN expv<>+544(SB)
#define ABS expv<>+576(SB)
#define ERFP expv<>+608(SB)
#define A1 expv<>+640(SB)
#define A2 expv<>+672(SB)
#define A3 expv<>+704(SB)
#define A4 expv<>+736(SB)
#define A5 expv<>+768(SB)

DATA expv<>+0(SB)/8, $1.4426950408889634073599246810018920
DATA expv<>+8(SB)/8, $1.4426950408889634073599246810018920
DATA expv<>+16(SB)/8, $1.4426950408889634073599246810018920
DATA expv<>+24(SB)/8, $1.4426950408889634073599246810018920
DATA expv<>+32(SB)/8, $0.69314718055966295651160180568695068359375
DATA expv<>+40(SB)/8, $0.69314718055966295651160180568695068359375
DATA expv<>+48(SB)/8, $0.69314718055966295651160180568695068359375
DATA expv<>+56(SB)/8, $0.69314718055966295651160180568695068359375
DATA expv<>+64(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expv<>+72(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expv<>+80(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expv<>+88(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expv<>+96(SB)/8, $0.0625
DATA expv<>+104(SB)/8, $0.0625
DATA expv<>+112(SB)/8, $0.0625
DATA expv<>+120(SB)/8, $0.0625
DATA expv<>+128(SB)/8, $2.4801587301587301587e-5
DATA expv<>+136(SB)/8, $2.4801587301587301587e-5
DATA expv<>+144(SB)/8, $2.4801587301587301587e-5
DATA expv<>+152(SB)/8, $2.4801587301587301587e-5
DATA expv<>+160(SB)/8, $1.9841269841269841270e-4
DATA expv<>+168(SB)/8, $1.9841269841269841270e-4
DATA expv<>+176(SB)/8, $1.9841269841269841270e-4
DATA expv<>+184(SB)/8, $1.9841269841269841270e-4
DATA expv<>+192(SB)/8, $1.3888888888888888889e-3
DATA expv<>+200(SB)/8, $1.3888888888888888889e-3
DATA expv<>+208(SB)/8, $1.3888888888888888889e-3
DATA expv<>+216(SB)/8, $1.3888888888888888889e-3
DATA expv<>+224(SB)/8, $8.3333333333333333333e-3
DATA expv<>+232(SB)/8, $8.3333333333333333333e-3
DATA expv<>+240(SB)/8, $8.3333333333333333333e-3
DATA expv<>+248(SB)/8, $8.3333333333333333333e-3
DATA expv<>+256(SB)/8, $4.1666666666666666667e-2
DATA expv<>+264(SB)/8, $4.1666666666666666667e-2
DATA expv<>+272(SB)/8, $4.1666666666666666667e-2
DATA expv<>+280(SB)/8, $4.1666666666666666667e-2
DATA expv<>+288(SB)/8, $1.6666666666666666667e-1
DATA expv<>+296(SB)/8, $1.6666666666666666667e-1
DATA expv<>+304(SB)/8, $1.6666666666666666667e-1
DATA expv<>+312(SB)/8, $1.6666666666666666667e-1
DATA expv<>+320(SB)/8, $0.5
DATA expv<>+328(SB)/8, $0.5
DATA expv<>+336(SB)/8, $0.5
DATA expv<>+344(SB)/8, $0.5
DATA expv<>+352(SB)/8, $1.0
DATA expv<>+360(SB)/8, $1.0
DATA expv<>+368(SB)/8, $1.0
DATA expv<>+376(SB)/8, $1.0
DATA expv<>+384(SB)/8, $2.0
DATA expv<>+392(SB)/8, $2.0
DATA expv<>+400(SB)/8, $2.0
DATA expv<>+408(SB)/8, $2.0
DATA expv<>+416(SB)/8, $-110.0
DATA expv<>+424(SB)/8, $-110.0
DATA expv<>+432(SB)/8, $-110.0
DATA expv<>+440(SB)/8, $-110.0
DATA expv<>+448(SB)/8, $89.0
DATA expv<>+456(SB)/8, $89.0
DATA expv<>+464(SB)/8, $89.0
DATA expv<>+472(SB)/8, $89.0
DATA expv<>+480(SB)/8, $0x7FF0000000000000
DATA expv<>+488(SB)/8, $0x7FF0000000000000
DATA expv<>+496(SB)/8, $0x7FF0000000000000
DATA expv<>+504(SB)/8, $0x7FF0000000000000
DATA expv<>+512(SB)/8, $0x3FF
DATA expv<>+520(SB)/8, $0x3FF
DATA expv<>+528(SB)/8, $0x3FF
DATA expv<>+536(SB)/8, $0x3FF
DATA expv<>+544(SB)/8, $0x8000000000000000
DATA expv<>+552(SB)/8, $0x8000000000000000
DATA expv<>+560(SB)/8, $0x8000000000000000
DATA expv<>+568(SB)/8, $0x8000000000000000
DATA expv<>+576(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA expv<>+584(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA expv<>+592(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA expv<>+600(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA expv<>+608(SB)/8, $0.3275911
DATA expv<>+616(SB)/8, $0.3275911
DATA expv<>+624(SB)/8, $0.3275911
DATA expv<>+632(SB)/8, $0.3275911
DATA expv<>+640(SB)/8, $0.254829592
DATA expv<>+648(SB)/8, $0.254829592
DATA expv<>+656(SB)/8, $0.254829592
DATA expv<>+664(SB)/8, $0.254829592
DATA expv<>+672(SB)/8, $-0.284496736
DATA expv<>+680(SB)/8, $-0.284496736
DATA expv<>+688(SB)/8, $-0.284496736
DATA expv<>+696(SB)/8, $-0.284496736
DATA expv<>+704(SB)/8, $1.421413741
DATA expv<>+712(SB)/8, $1.421413741
DATA expv<>+720(SB)/8, $1.421413741
DATA expv<>+728(SB)/8, $1.421413741
DATA expv<>+736(SB)/8, $-1.453152027
DATA expv<>+744(SB)/8, $-1.453152027
DATA expv<>+752(SB)/8, $-1.453152027
DATA expv<>+760(SB)/8, $-1.453152027
DATA expv<>+768(SB)/8, $1.061405429
DATA expv<>+776(SB)/8, $1.061405429
DATA expv<>+784(SB)/8, $1.061405429
DATA expv<>+792(SB)/8, $1.061405429
GLOBL expv<>(SB), RODATA|NOPTR, $800

// EXP4 replaces the four float64 lanes of x (each in [−110, 89]) by
// math.Exp's result, with archExp's FMA steps in order; k, yi (xi its low
// half: the int32 exponents) and p are scratch.
#define EXP4(x, k, yi, xi, p) \
	VMULPD LOG2E, x, k \
	VCVTPD2DQY k, xi \
	VCVTDQ2PD xi, k \
	VFNMADD231PD LN2U, k, x \
	VFNMADD231PD LN2L, k, x \
	VMULPD SIXTEENTH, x, x \
	VMOVUPD C8, p \
	VFMADD213PD C7, x, p \
	VFMADD213PD C6, x, p \
	VFMADD213PD C5, x, p \
	VFMADD213PD C4, x, p \
	VFMADD213PD C3, x, p \
	VFMADD213PD HALF, x, p \
	VFMADD213PD ONE, x, p \
	VMULPD p, x, x \
	VADDPD TWO, x, p \
	VMULPD p, x, x \
	VADDPD TWO, x, p \
	VMULPD p, x, x \
	VADDPD TWO, x, p \
	VMULPD p, x, x \
	VADDPD TWO, x, p \
	VFMADD213PD ONE, p, x \
	VPMOVSXDQ xi, k \
	VPADDQ BIAS, k, k \
	VPSLLQ $52, k, k \
	VMULPD k, x, x

// EXP8 is four float32 from off(SI) to off(DI): exp; v > 89 gives +Inf,
// v < −110 gives 0, NaN gives NaN.
#define EXP8(off, x, k, yi, xi, p, v, lo, hi, nan, xx) \
	VCVTPS2PD off(SI), v \
	VMOVAPD v, x \
	VCMPPD $1, LO, v, lo \
	VCMPPD $14, HI, v, hi \
	VCMPPD $3, v, v, nan \
	EXP4(x, k, yi, xi, p) \
	VANDNPD x, lo, x \
	VBLENDVPD hi, INF, x, x \
	VBLENDVPD nan, v, x, x \
	VCVTPD2PSY x, xx \
	VMOVUPS xx, off(DI)

// LOGISTIC8 is four float32 from off(SI) to off(DI): with e = exp(−|v|),
// 1/(1+e) where v ≥ 0, e/(1+e) otherwise (e = 0 below −110), NaN gives NaN.
#define LOGISTIC8(off, x, k, yi, xi, p, v, lo, ge, nan, xx) \
	VCVTPS2PD off(SI), v \
	VORPD SIGN, v, x \
	VCMPPD $1, LO, x, lo \
	VXORPD ge, ge, ge \
	VCMPPD $13, ge, v, ge \
	VCMPPD $3, v, v, nan \
	EXP4(x, k, yi, xi, p) \
	VANDNPD x, lo, x \
	VADDPD ONE, x, p \
	VBLENDVPD ge, ONE, x, x \
	VDIVPD p, x, x \
	VBLENDVPD nan, v, x, x \
	VCVTPD2PSY x, xx \
	VMOVUPS xx, off(DI)

// ERF4 is four float32 from off(SI) to off(DI): erf32's Abramowitz and
// Stegun 7.1.26 in float64, unfused products as in the Go loop: with
// a = |v|, t = 1/(1 + P·a), y = 1 − ((((A5·t + A4)·t + A3)·t + A2)·t + A1)·t·e
// where e = exp(−a·a) (0 below −110, as y rounds to 1 there either way), y
// given v's sign; NaN gives the input's bits unchanged.
#define ERF4(off, x, k, yi, xi, p, v, a, t, q, lo, xin, xx, nan) \
	VMOVUPS off(SI), xin \
	VCVTPS2PD xin, v \
	VANDPD ABS, v, a \
	VMULPD ERFP, a, t \
	VADDPD ONE, t, t \
	VMOVUPD ONE, q \
	VDIVPD t, q, t \
	VMULPD a, a, x \
	VXORPD SIGN, x, x \
	VCMPPD $1, LO, x, lo \
	EXP4(x, k, yi, xi, p) \
	VANDNPD x, lo, x \
	VMULPD A5, t, q \
	VADDPD A4, q, q \
	VMULPD t, q, q \
	VADDPD A3, q, q \
	VMULPD t, q, q \
	VADDPD A2, q, q \
	VMULPD t, q, q \
	VADDPD A1, q, q \
	VMULPD t, q, q \
	VMULPD x, q, q \
	VMOVUPD ONE, p \
	VSUBPD q, p, q \
	VANDPD ABS, q, q \
	VANDPD SIGN, v, p \
	VORPD p, q, q \
	VCVTPD2PSY q, xx \
	VCMPPS $3, xin, xin, nan \
	VBLENDVPS nan, xin, xx, xx \
	VMOVUPS xx, off(DI)

// func vErf(o, a *float32, n int)
//
// o = erf32(a), n/8*8 elements.
TEXT ·vErf(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ erf_done
erf_loop:
	ERF4(0, Y0, Y1, Y2, X2, Y3, Y4, Y5, Y6, Y7, Y8, X9, X10, X11)
	ERF4(16, Y0, Y1, Y2, X2, Y3, Y4, Y5, Y6, Y7, Y8, X9, X10, X11)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ erf_loop
erf_done:
	VZEROUPPER
	RET

// func vExp(o, a *float32, n int)
//
// o = float32(math.Exp(float64(a))), n/8*8 elements.
TEXT ·vExp(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ exp_done
exp_loop:
	EXP8(0, Y0, Y1, Y2, X2, Y3, Y4, Y5, Y6, Y7, X0)
	EXP8(16, Y8, Y9, Y10, X10, Y11, Y12, Y13, Y14, Y15, X8)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ exp_loop
exp_done:
	VZEROUPPER
	RET

// func vLogistic(o, a *float32, n int)
//
// o = the logistic loop's 1/(1+e^−a) for a ≥ 0, e^a/(1+e^a) otherwise, n/8*8 elements.
TEXT ·vLogistic(SB), NOSPLIT, $0-24
	MOVQ o+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ logistic_done
logistic_loop:
	LOGISTIC8(0, Y0, Y1, Y2, X2, Y3, Y4, Y5, Y6, Y7, X0)
	LOGISTIC8(16, Y8, Y9, Y10, X10, Y11, Y12, Y13, Y14, Y15, X8)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ logistic_loop
logistic_done:
	VZEROUPPER
	RET
