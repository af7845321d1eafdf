package crc64

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strconv"
)

// Size is the size of a CRC-64 checksum in bytes.
const Size = 8

// Checksum returns the CRC-64/ECMA of p.
func Checksum(p []byte) uint64 {
	return update(&ecma, 0, p)
}

// Update returns the CRC-64/ECMA of the data whose checksum is crc followed
// by p. The checksum of empty data is 0, so Update(0, p) == Checksum(p). It
// behaves like [hash/crc64.Update] with the ECMA table.
func Update(crc uint64, p []byte) uint64 {
	return update(&ecma, crc, p)
}

// New returns a streaming CRC-64/ECMA [hash.Hash64]. Sum appends the checksum
// as 8 big-endian bytes, as [hash/crc64] does. The hash also implements
// [encoding.BinaryMarshaler], [encoding.BinaryAppender] and
// [encoding.BinaryUnmarshaler] to save and restore its state.
func New() hash.Hash64 {
	return &digest{m: &ecma}
}

// ChecksumNVME returns the CRC-64/NVME of p.
func ChecksumNVME(p []byte) uint64 {
	return update(&nvme, 0, p)
}

// UpdateNVME returns the CRC-64/NVME of the data whose checksum is crc
// followed by p. The checksum of empty data is 0, so
// UpdateNVME(0, p) == ChecksumNVME(p).
func UpdateNVME(crc uint64, p []byte) uint64 {
	return update(&nvme, crc, p)
}

// NewNVME returns a streaming CRC-64/NVME [hash.Hash64]. Sum appends the
// checksum as 8 big-endian bytes, the bytes whose base64 form S3 carries in
// x-amz-checksum-crc64nvme. Like the hash from [New], it can save and
// restore its state; the two marshaled forms are distinct, and neither
// hash accepts the other's.
func NewNVME() hash.Hash64 {
	return &digest{m: &nvme}
}

// digest is the streaming hash returned by New and NewNVME. crc is the
// checksum in variant m of the data written so far.
type digest struct {
	m   *model
	crc uint64
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return 1 }
func (d *digest) Reset()         { d.crc = 0 }
func (d *digest) Sum64() uint64  { return d.crc }

func (d *digest) Write(p []byte) (int, error) {
	d.crc = update(d.m, d.crc, p)
	return len(p), nil
}

func (d *digest) Sum(in []byte) []byte {
	return binary.BigEndian.AppendUint64(in, d.crc)
}

// The marshaled state is the variant's 4-byte magic ("oc64" for
// CRC-64/ECMA, "ocnv" for CRC-64/NVME), one version byte, then the checksum
// as 8 big-endian bytes.
const (
	magicSize      = 4
	marshalVersion = 1
	marshaledSize  = magicSize + 1 + Size
)

func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, d.m.magic...)
	b = append(b, marshalVersion)
	return binary.BigEndian.AppendUint64(b, d.crc), nil
}

func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) < magicSize+1 || string(b[:magicSize]) != d.m.magic {
		return errors.New("crc64: invalid hash state identifier")
	}
	if v := b[magicSize]; v != marshalVersion {
		return fmt.Errorf("crc64: unsupported hash state version %d", v)
	}
	if len(b) != marshaledSize {
		return errors.New("crc64: invalid hash state size")
	}
	d.crc = binary.BigEndian.Uint64(b[magicSize+1:])
	return nil
}

// Format renders crc as the unsigned decimal string carried in the
// x-oss-hash-crc64ecma header, without padding.
func Format(crc uint64) string {
	return strconv.FormatUint(crc, 10)
}

// Parse parses the unsigned decimal form of a checksum. It accepts only
// ASCII digits (no sign, spaces, prefix or underscores) and values that fit
// in a uint64; leading zeros are accepted. The error wraps
// [strconv.ErrSyntax] or [strconv.ErrRange].
func Parse(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("crc64: parse %q: %w", s, errors.Unwrap(err))
	}
	return v, nil
}
