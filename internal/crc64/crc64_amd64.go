//go:build !purego

package crc64

// CPU features, detected once at package initialization and never changed.
var (
	// useCLMUL reports PCLMULQDQ and SSE4.1.
	useCLMUL = hasCLMUL()
	// useAVX512 reports AVX-512F and VPCLMULQDQ with the OS saving the
	// 512-bit register state (see hasAVX512CLMUL); it implies useCLMUL.
	useAVX512 = useCLMUL && hasAVX512CLMUL()
)

// Length thresholds in bytes, chosen by benchmark (see BenchmarkThreshold).
const (
	// clmulMin is the length from which update uses carry-less
	// multiplication; shorter inputs go to the tables.
	clmulMin = 32
	// avx512Min is the length from which the 512-bit loop is used, when
	// the CPU has it. foldAVX512 needs at least 256.
	avx512Min = 256
)

// cpuid executes CPUID with the given leaf and subleaf.
//
//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register XCR0.
//
//go:noescape
func xgetbv() (eax, edx uint32)

// foldConsts holds the constants of the carry-less folding loops in
// crc64_amd64.s for one polynomial P, in the reflected form described
// there; the assembly reads the fields at the offsets go_asm.h gives.
// consts_amd64_test.go derives every value from P.
type foldConsts struct {
	// k2048, k1024, k512 and k128 fold a 128-bit block forward by that
	// many bits d: x^(d+63) mod P and x^(d-1) mod P.
	k2048, k1024, k512, k128 [2]uint64
	// lanes folds the four 128-bit lanes of a 512-bit register onto the
	// last one: the pairs for 384, 256 and 128 bits, then zeros.
	lanes [8]uint64
	// barrett is floor(x^127 / P), and (P - 1) / x.
	barrett [2]uint64
}

// ecmaFold and nvmeFold are the folding constants for CRC-64/ECMA and
// CRC-64/NVME.
var (
	ecmaFold = foldConsts{
		k2048: [2]uint64{0x8260adf2381ad81c, 0xf31fd9271e228b79},
		k1024: [2]uint64{0x8757d71d4fcc1000, 0xd7d86b2af73de740},
		k512:  [2]uint64{0x6ae3efbb9dd441f3, 0x081f6054a7842df4},
		k128:  [2]uint64{0xe05dd497ca393ae4, 0xdabe95afc7875f40},
		lanes: [8]uint64{
			0xb5ea1af9c013aca4, 0x69a35d91c3730254,
			0x60095b008a9efa44, 0x3be653a30fe1af51,
			0xe05dd497ca393ae4, 0xdabe95afc7875f40,
			0, 0,
		},
		barrett: [2]uint64{0x9c3e466c172963d5, 0x92d8af2baf0e1e85},
	}
	nvmeFold = foldConsts{
		k2048: [2]uint64{0x37ccd3e14069cabc, 0xa043808c0f782663},
		k1024: [2]uint64{0xa1ca681e733f9c40, 0x5f852fb61e8d92dc},
		k512:  [2]uint64{0x0c32cdb31e18a84a, 0x62242240ace5045a},
		k128:  [2]uint64{0xeadc41fd2ba3d420, 0x21e9761e252621ac},
		lanes: [8]uint64{
			0xbdd7ac0ee1a4a0f0, 0xa3ffdc1fe8e82a8b,
			0xb0bc2e589204f500, 0xe1e0bb9d45d7a44c,
			0xeadc41fd2ba3d420, 0x21e9761e252621ac,
			0, 0,
		},
		barrett: [2]uint64{0x27ecfa329aef9f77, 0x34d926535897936b},
	}
)

// foldCLMUL advances the raw register state over p with 128-bit carry-less
// folding and Barrett reduction, using the constants k, and returns the new
// state. len(p) must be a positive multiple of 16.
//
//go:noescape
func foldCLMUL(k *foldConsts, state uint64, p []byte) uint64

// foldAVX512 is foldCLMUL with 512-bit registers for the bulk. len(p) must
// be a multiple of 16 and at least 256.
//
//go:noescape
func foldAVX512(k *foldConsts, state uint64, p []byte) uint64

// clmulAsm returns the 128-bit carry-less product of a and b.
//
//go:noescape
func clmulAsm(a, b uint64) (lo, hi uint64)

// clmul returns the 128-bit carry-less product of a and b.
func clmul(a, b uint64) (lo, hi uint64) {
	if useCLMUL {
		return clmulAsm(a, b)
	}
	return clmulGeneric(a, b)
}

// hasCLMUL reports whether CPUID leaf 1 lists PCLMULQDQ (ECX bit 1) and
// SSE4.1 (ECX bit 19).
func hasCLMUL() bool {
	const pclmulqdq, sse41 = 1 << 1, 1 << 19
	_, _, ecx, _ := cpuid(1, 0)
	return ecx&(pclmulqdq|sse41) == pclmulqdq|sse41
}

// hasAVX512CLMUL reports whether the 512-bit path can run: CPUID leaf 1
// ECX has AVX (bit 28) and OSXSAVE (bit 27), the OS saves the SSE, AVX and
// AVX-512 register state (XCR0 bits 1, 2, 5, 6 and 7), and leaf 7 has AVX2
// (EBX bit 5), AVX-512F (EBX bit 16) and VPCLMULQDQ (ECX bit 10).
func hasAVX512CLMUL() bool {
	if maxLeaf, _, _, _ := cpuid(0, 0); maxLeaf < 7 {
		return false
	}
	const avx, osxsave = 1 << 28, 1 << 27
	if _, _, ecx, _ := cpuid(1, 0); ecx&(avx|osxsave) != avx|osxsave {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 {
		return false
	}
	const avx2, avx512f, vpclmulqdq = 1 << 5, 1 << 16, 1 << 10
	_, ebx, ecx, _ := cpuid(7, 0)
	return ebx&(avx2|avx512f) == avx2|avx512f && ecx&vpclmulqdq != 0
}

// update dispatches on length and CPU features.
func update(m *model, crc uint64, p []byte) uint64 {
	if !useCLMUL || len(p) < clmulMin {
		return updateGeneric(m, crc, p)
	}
	return updateFold(m, crc, p, useAVX512)
}

// foldChunk bounds the bytes one assembly call folds, so that a goroutine
// hashing a large buffer reaches a preemption point (the prologue of
// foldStep) every few microseconds; assembly cannot be preempted.
const foldChunk = 256 << 10

// updateFold advances crc over the multiple-of-16 prefix of p in chunks of
// at most foldChunk bytes with foldStep, and over the rest with the tables
// of m. The caller checks useCLMUL, and useAVX512 if wide.
func updateFold(m *model, crc uint64, p []byte, wide bool) uint64 {
	state := ^crc
	for len(p) >= 16 {
		n := min(len(p), foldChunk) &^ 15
		state = foldStep(&m.fold, state, p[:n], wide)
		p = p[n:]
	}
	if len(p) > 0 {
		state = updateTail(m.slicing(), state, p)
	}
	return ^state
}

// foldStep folds p, a positive multiple of 16 bytes, with the constants k,
// by foldAVX512 if wide and p has at least avx512Min bytes, else by
// foldCLMUL. It is not inlined so that its prologue checks for preemption.
//
//go:noinline
func foldStep(k *foldConsts, state uint64, p []byte, wide bool) uint64 {
	if wide && len(p) >= avx512Min {
		return foldAVX512(k, state, p)
	}
	return foldCLMUL(k, state, p)
}
