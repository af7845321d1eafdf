// Package crc64 computes the CRC-64/ECMA checksum that Alibaba Cloud OSS
// carries in the x-oss-hash-crc64ecma header, and the CRC-64/NVME checksum
// of S3.
//
// The checksum is CRC-64/XZ (also called CRC-64/GO-ECMA): the ECMA-182
// polynomial 0x42F0E1EBA9EA3693 processed bit-reflected (0xC96C5795D7870F42
// in reflected form), with the register initialized to all ones and the
// result inverted. It equals [hash/crc64.Checksum] with
// crc64.MakeTable(crc64.ECMA); the checksum of "123456789" is
// 11051210869376104954 (0x995DC9BBDF1939FA) and that of empty data is 0.
//
// The package also computes CRC-64/NVME, the checksum S3 carries in the
// x-amz-checksum-crc64nvme header, with [ChecksumNVME], [UpdateNVME],
// [NewNVME] and [CombineNVME]. It differs from CRC-64/ECMA only in the
// polynomial: 0xAD93D23594C93659 (0x9A6C9329AC4BC9B5 reflected), again
// processed bit-reflected with the register initialized to all ones and the
// result inverted. It equals [hash/crc64.Checksum] with
// crc64.MakeTable(0x9A6C9329AC4BC9B5); the checksum of "123456789" is
// 0xAE8B14860A799888. S3 sends it as the base64 of the 8 big-endian bytes
// that Sum appends.
//
// # Wire form
//
// OSS sends the checksum as an unsigned decimal integer without padding, for
// example "x-oss-hash-crc64ecma: 8707180448768400016" for the body "hi oss".
// [Format] produces that form and [Parse] reads it strictly.
//
// # Combining
//
// The checksum of a multipart object is the checksum of its concatenated
// parts. [Combine] derives it from the part checksums and part lengths
// without rereading data: appending b to a multiplies the state left by a by
// x^(8·len(b)) modulo the polynomial, so
// crc(a‖b) = crc(b) ⊕ crc(a)·x^(8·len(b)) mod P. Combine takes O(log len(b))
// multiplications in GF(2)[x]/P using a table of x^(8·2^k) mod P computed
// once. The object checksum is Combine folded over the parts in part-number
// order, starting from the first part's checksum (or 0). [CombineNVME] does
// the same for CRC-64/NVME, with its own polynomial.
//
// # Performance
//
// On amd64 CPUs with PCLMULQDQ, inputs of 32 bytes or more are folded with
// carry-less multiplication, 128 bytes per step in eight 128-bit registers,
// or 256 bytes per step in four 512-bit registers when the CPU has AVX-512
// and VPCLMULQDQ, and then reduced with Barrett reduction. Elsewhere, and for
// short inputs, a portable slicing-by-16 table implementation is used. Both
// variants share this code, each with its own folding constants and tables,
// and run at the same speed. All functions are safe for concurrent use; a
// hash returned by [New] or [NewNVME] is not.
package crc64
