package crc64

import "hash"

// Variant is one of the package's two CRC-64s, for code that computes
// either one, chosen at run time: a client that speaks OSS (CRC-64/ECMA)
// or S3 (CRC-64/NVME). The zero Variant is CRC-64/ECMA.
type Variant struct {
	nvme bool
}

// The variants.
var (
	ECMA = Variant{}
	NVME = Variant{nvme: true}
)

func (v Variant) model() *model {
	if v.nvme {
		return &nvme
	}
	return &ecma
}

// Checksum returns the variant's CRC-64 of p.
func (v Variant) Checksum(p []byte) uint64 { return update(v.model(), 0, p) }

// Update returns the variant's CRC-64 of the data whose checksum is crc
// followed by p.
func (v Variant) Update(crc uint64, p []byte) uint64 { return update(v.model(), crc, p) }

// New returns a streaming hash of the variant, as [New] and [NewNVME] do.
func (v Variant) New() hash.Hash64 { return &digest{m: v.model()} }

// Combine returns the variant's CRC-64 of a‖b from those of a and b and
// the length of b, as [Combine] and [CombineNVME] do.
func (v Variant) Combine(crc1, crc2 uint64, len2 int64) uint64 {
	return v.model().combine(crc1, crc2, len2)
}

// String names the variant: "CRC-64/ECMA" or "CRC-64/NVME".
func (v Variant) String() string {
	if v.nvme {
		return "CRC-64/NVME"
	}
	return "CRC-64/ECMA"
}
