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

// foldCLMUL advances the raw register state over p with 128-bit carry-less
// folding and Barrett reduction and returns the new state. len(p) must be a
// positive multiple of 16.
//
//go:noescape
func foldCLMUL(state uint64, p []byte) uint64

// foldAVX512 is foldCLMUL with 512-bit registers for the bulk. len(p) must
// be a multiple of 16 and at least 256.
//
//go:noescape
func foldAVX512(state uint64, p []byte) uint64

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
func update(crc uint64, p []byte) uint64 {
	if !useCLMUL || len(p) < clmulMin {
		return updateGeneric(crc, p)
	}
	return updateFold(crc, p, useAVX512)
}

// foldChunk bounds the bytes one assembly call folds, so that a goroutine
// hashing a large buffer reaches a preemption point (the prologue of
// foldStep) every few microseconds; assembly cannot be preempted.
const foldChunk = 256 << 10

// updateFold advances crc over the multiple-of-16 prefix of p in chunks of
// at most foldChunk bytes with foldStep, and over the rest with the tables.
// The caller checks useCLMUL, and useAVX512 if wide.
func updateFold(crc uint64, p []byte, wide bool) uint64 {
	state := ^crc
	for len(p) >= 16 {
		n := min(len(p), foldChunk) &^ 15
		state = foldStep(state, p[:n], wide)
		p = p[n:]
	}
	if len(p) > 0 {
		state = updateTail(tables(), state, p)
	}
	return ^state
}

// foldStep folds p, a positive multiple of 16 bytes, with foldAVX512 if
// wide and p has at least avx512Min bytes, else with foldCLMUL. It is not
// inlined so that its prologue checks for preemption.
//
//go:noinline
func foldStep(state uint64, p []byte, wide bool) uint64 {
	if wide && len(p) >= avx512Min {
		return foldAVX512(state, p)
	}
	return foldCLMUL(state, p)
}
