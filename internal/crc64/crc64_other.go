//go:build !amd64 || purego

package crc64

// foldConsts is empty without assembly.
type foldConsts struct{}

var ecmaFold, nvmeFold foldConsts

// update is the portable implementation, used everywhere but amd64 and
// with the purego build tag.
func update(m *model, crc uint64, p []byte) uint64 {
	return updateGeneric(m, crc, p)
}

// clmul returns the 128-bit carry-less product of a and b.
func clmul(a, b uint64) (lo, hi uint64) {
	return clmulGeneric(a, b)
}
