package oss

import (
	"hash"

	"github.com/ossup/ossup/internal/crc64"
)

// NewCRC64 returns a hash of the CRC-64/ECMA checksum that OSS reports in
// x-oss-hash-crc64ecma (the checksum of [hash/crc64] with the ECMA table),
// computed with the client's own implementation: carry-less multiplication
// where the CPU has it, tens of times faster than the standard library's
// table. Its Sum64 is the value CRC64 fields of results hold.
func NewCRC64() hash.Hash64 { return crc64.New() }

// CombineCRC64 returns the CRC-64 of the concatenation of two byte
// strings from their CRC-64s, crc1 and crc2, and the length of the second
// in bytes: how a multipart object's checksum follows from its parts'.
func CombineCRC64(crc1, crc2 uint64, len2 int64) uint64 { return crc64.Combine(crc1, crc2, len2) }

// NewCRC64NVME returns a hash of the CRC-64/NVME checksum that S3 reports
// in x-amz-checksum-crc64nvme (base64 of the Sum's 8 bytes), computed as
// NewCRC64's is. In the S3 dialect its Sum64 is the value CRC64 fields of
// results hold.
func NewCRC64NVME() hash.Hash64 { return crc64.NewNVME() }

// CombineCRC64NVME is CombineCRC64 for CRC-64/NVME.
func CombineCRC64NVME(crc1, crc2 uint64, len2 int64) uint64 {
	return crc64.CombineNVME(crc1, crc2, len2)
}
