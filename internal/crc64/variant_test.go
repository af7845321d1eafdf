package crc64

import (
	"math/rand/v2"
	"testing"
)

// TestVariant checks that each Variant computes what the package's
// functions of its name do.
func TestVariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := make([]byte, 5000)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 15, 16, 255, 256, 1000, 5000} {
		a, b := p[:n/3], p[n/3:n]
		if ECMA.Checksum(p[:n]) != Checksum(p[:n]) || NVME.Checksum(p[:n]) != ChecksumNVME(p[:n]) {
			t.Fatalf("%d bytes: Checksum differs", n)
		}
		if ECMA.Update(7, p[:n]) != Update(7, p[:n]) || NVME.Update(7, p[:n]) != UpdateNVME(7, p[:n]) {
			t.Fatalf("%d bytes: Update differs", n)
		}
		for _, v := range []Variant{ECMA, NVME} {
			if got := v.Combine(v.Checksum(a), v.Checksum(b), int64(len(b))); got != v.Checksum(p[:n]) {
				t.Fatalf("%v, %d bytes: Combine %x", v, n, got)
			}
			h := v.New()
			h.Write(a)
			h.Write(b)
			if h.Sum64() != v.Checksum(p[:n]) {
				t.Fatalf("%v, %d bytes: New", v, n)
			}
		}
	}
	if ECMA.String() != "CRC-64/ECMA" || NVME.String() != "CRC-64/NVME" || (Variant{}) != ECMA {
		t.Error("variant names or zero value")
	}
}
