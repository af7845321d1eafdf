//go:build !purego

#include "go_asm.h"
#include "textflag.h"

// Carry-less folding for a CRC-64 with a reflected polynomial P (see the
// Intel white paper "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ Instruction"). The constants for P come in a foldConsts struct
// (crc64_amd64.go) whose address is kept in DX; go_asm.h gives the offsets
// of its fields.
//
// Everything is bit-reflected: a 64-bit word w stands for the polynomial
// whose x^(63-i) coefficient is bit i of w, and a 128-bit register for the
// one whose x^(127-i) coefficient is bit i; message bytes load as they are.
// PCLMULQDQ of two reflected words gives bit k = coefficient of x^(126-k),
// so read as a 128-bit value it is the product times x.
//
// Folding a 128-bit block A = H·x^64 + L (H in the low quadword) forward by
// d bits replaces A·x^d with H·(x^(d+63) mod P) + L·(x^(d-1) mod P), each
// constant carrying x^-1 to cancel that extra x.

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func clmulAsm(a, b uint64) (lo, hi uint64)
TEXT ·clmulAsm(SB), NOSPLIT, $0-32
	MOVQ      a+0(FP), X0
	MOVQ      b+8(FP), X1
	PCLMULQDQ $0x00, X1, X0
	MOVQ      X0, lo+16(FP)
	PEXTRQ    $1, X0, AX
	MOVQ      AX, hi+24(FP)
	RET

// FOLD folds accumulator acc forward by the distance in X12 and adds the
// next 16 bytes at off(SI). It clobbers X9 and X10.
#define FOLD(acc, off) \
	MOVOU     acc, X9          \
	PCLMULQDQ $0x00, X12, acc  \
	PCLMULQDQ $0x11, X12, X9   \
	MOVOU     off(SI), X10     \
	PXOR      X9, acc          \
	PXOR      X10, acc

// FOLDINTO folds src forward by the distance in X13 (16 bytes) into dst.
// It clobbers src and X9.
#define FOLDINTO(src, dst) \
	MOVOU     src, X9          \
	PCLMULQDQ $0x00, X13, src  \
	PCLMULQDQ $0x11, X13, X9   \
	PXOR      X9, dst          \
	PXOR      src, dst

// FINISH reduces the 128-bit remainder A = H·x^64 + L in X0 (H in the low
// quadword) to the 64-bit state (A·x^64) mod P in the low quadword of X0.
// It expects the 128-bit fold pair in X13 and the constants in DX, and
// clobbers X1, X2 and X3.
//
// First T = H·(x^128 mod P) + L·x^64, with L moved to the low quadword.
// Then, with T = Th·x^64 + Tl, Barrett reduction: q = floor(Th·x^64 / P) =
// floor(Th·floor(x^127/P) / x^63) is exactly the low quadword of the
// product, Th·x^64 mod P is the low 64 bits of q·P = q·x·((P-1)/x) + q,
// and the state is Tl + that.
#define FINISH \
	MOVOU     X0, X1              \
	PCLMULQDQ $0x10, X13, X0      \
	PSRLDQ    $8, X1              \
	PXOR      X1, X0              \
	MOVOU     foldConsts_barrett(DX), X2 \
	MOVOU     X0, X1              \
	PCLMULQDQ $0x00, X2, X0       \
	MOVOU     X0, X3              \
	PCLMULQDQ $0x10, X2, X0       \
	PXOR      X1, X0              \
	PSRLDQ    $8, X0              \
	PXOR      X3, X0

// func foldCLMUL(k *foldConsts, state uint64, p []byte) uint64
TEXT ·foldCLMUL(SB), NOSPLIT, $0-48
	MOVQ  k+0(FP), DX
	MOVQ  state+8(FP), X8
	MOVQ  p_base+16(FP), SI
	MOVQ  p_len+24(FP), CX
	MOVOU foldConsts_k128(DX), X13
	CMPQ  CX, $128
	JB    single

	// Eight accumulators hold the first 128 bytes; the state is added to
	// the first 8 bytes of the message.
	MOVOU   0(SI), X0
	PXOR    X8, X0
	MOVOU   16(SI), X1
	MOVOU   32(SI), X2
	MOVOU   48(SI), X3
	MOVOU   64(SI), X4
	MOVOU   80(SI), X5
	MOVOU   96(SI), X6
	MOVOU   112(SI), X7
	ADDQ    $128, SI
	SUBQ    $128, CX
	MOVOU   foldConsts_k1024(DX), X12

loop128:
	CMPQ CX, $128
	JB   reduce8
	FOLD(X0, 0)
	FOLD(X1, 16)
	FOLD(X2, 32)
	FOLD(X3, 48)
	FOLD(X4, 64)
	FOLD(X5, 80)
	FOLD(X6, 96)
	FOLD(X7, 112)
	ADDQ $128, SI
	SUBQ $128, CX
	JMP  loop128

reduce8:
	FOLDINTO(X0, X1)
	FOLDINTO(X1, X2)
	FOLDINTO(X2, X3)
	FOLDINTO(X3, X4)
	FOLDINTO(X4, X5)
	FOLDINTO(X5, X6)
	FOLDINTO(X6, X7)
	MOVOU X7, X0
	JMP   loop16

single:
	MOVOU 0(SI), X0
	PXOR  X8, X0
	ADDQ  $16, SI
	SUBQ  $16, CX

loop16:
	CMPQ  CX, $16
	JB    finish
	MOVOU 0(SI), X1
	FOLDINTO(X0, X1)
	MOVOU X1, X0
	ADDQ  $16, SI
	SUBQ  $16, CX
	JMP   loop16

finish:
	FINISH
	MOVQ      X0, AX
	MOVQ      AX, ret+40(FP)
	RET

// ZFOLD folds the four lanes of acc forward by the distance in Z12 (256
// bytes) and adds the next 64 bytes at off(SI). It clobbers Z9.
#define ZFOLD(acc, off) \
	VPCLMULQDQ $0x00, Z12, acc, Z9  \
	VPCLMULQDQ $0x11, Z12, acc, acc \
	VPTERNLOGQ $0x96, off(SI), Z9, acc

// ZFOLDINTO folds the lanes of src forward by the distance in Z13 (64 bytes)
// into dst. It clobbers src and Z9.
#define ZFOLDINTO(src, dst) \
	VPCLMULQDQ $0x00, Z13, src, Z9  \
	VPCLMULQDQ $0x11, Z13, src, src \
	VPTERNLOGQ $0x96, Z9, src, dst

// func foldAVX512(k *foldConsts, state uint64, p []byte) uint64
TEXT ·foldAVX512(SB), NOSPLIT, $0-48
	MOVQ      k+0(FP), DX
	VMOVQ     state+8(FP), X8
	MOVQ      p_base+16(FP), SI
	MOVQ      p_len+24(FP), CX

	// Four 512-bit accumulators hold the first 256 bytes.
	VMOVDQU64 0(SI), Z0
	VPXORQ    Z8, Z0, Z0
	VMOVDQU64 64(SI), Z1
	VMOVDQU64 128(SI), Z2
	VMOVDQU64 192(SI), Z3
	ADDQ      $256, SI
	SUBQ      $256, CX
	VBROADCASTI32X4 foldConsts_k2048(DX), Z12

loop256:
	CMPQ CX, $256
	JB   reduce4
	ZFOLD(Z0, 0)
	ZFOLD(Z1, 64)
	ZFOLD(Z2, 128)
	ZFOLD(Z3, 192)
	ADDQ $256, SI
	SUBQ $256, CX
	JMP  loop256

reduce4:
	VBROADCASTI32X4 foldConsts_k512(DX), Z13
	ZFOLDINTO(Z0, Z1)
	ZFOLDINTO(Z1, Z2)
	ZFOLDINTO(Z2, Z3)

loop64:
	CMPQ       CX, $64
	JB         reduce1
	VPCLMULQDQ $0x00, Z13, Z3, Z9
	VPCLMULQDQ $0x11, Z13, Z3, Z3
	VPTERNLOGQ $0x96, 0(SI), Z9, Z3
	ADDQ       $64, SI
	SUBQ       $64, CX
	JMP        loop64

reduce1:
	// Fold lanes 0, 1 and 2 onto lane 3 with per-lane distances, then add
	// the four lanes together.
	VMOVDQU64     foldConsts_lanes(DX), Z13
	VPCLMULQDQ    $0x00, Z13, Z3, Z9
	VPCLMULQDQ    $0x11, Z13, Z3, Z10
	VPXORQ        Z9, Z10, Z9
	VEXTRACTI32X4 $3, Z3, X0
	VEXTRACTI64X4 $1, Z9, Y1
	VPXOR         Y1, Y9, Y9
	VEXTRACTI128  $1, Y9, X1
	VPXOR         X1, X9, X9
	VPXOR         X9, X0, X0
	VZEROUPPER
	MOVOU         foldConsts_k128(DX), X13

loop16:
	CMPQ  CX, $16
	JB    finish
	MOVOU 0(SI), X1
	FOLDINTO(X0, X1)
	MOVOU X1, X0
	ADDQ  $16, SI
	SUBQ  $16, CX
	JMP   loop16

finish:
	FINISH
	MOVQ X0, AX
	MOVQ AX, ret+40(FP)
	RET
