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
	return update(0, p)
}

// Update returns the CRC-64/ECMA of the data whose checksum is crc followed
// by p. The checksum of empty data is 0, so Update(0, p) == Checksum(p). It
// behaves like [hash/crc64.Update] with the ECMA table.
func Update(crc uint64, p []byte) uint64 {
	return update(crc, p)
}

// New returns a streaming CRC-64/ECMA [hash.Hash64]. Sum appends the checksum
// as 8 big-endian bytes, as [hash/crc64] does. The hash also implements
// [encoding.BinaryMarshaler], [encoding.BinaryAppender] and
// [encoding.BinaryUnmarshaler] to save and restore its state.
func New() hash.Hash64 {
	return new(digest)
}

// digest is the streaming hash returned by New. crc is the checksum of the
// data written so far.
type digest struct {
	crc uint64
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return 1 }
func (d *digest) Reset()         { d.crc = 0 }
func (d *digest) Sum64() uint64  { return d.crc }

func (d *digest) Write(p []byte) (int, error) {
	d.crc = update(d.crc, p)
	return len(p), nil
}

func (d *digest) Sum(in []byte) []byte {
	return binary.BigEndian.AppendUint64(in, d.crc)
}

// The marshaled state is marshalMagic, one version byte, then the checksum
// as 8 big-endian bytes.
const (
	marshalMagic   = "oc64"
	marshalVersion = 1
	marshaledSize  = len(marshalMagic) + 1 + Size
)

func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, marshalMagic...)
	b = append(b, marshalVersion)
	return binary.BigEndian.AppendUint64(b, d.crc), nil
}

func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) < len(marshalMagic)+1 || string(b[:len(marshalMagic)]) != marshalMagic {
		return errors.New("crc64: invalid hash state identifier")
	}
	if v := b[len(marshalMagic)]; v != marshalVersion {
		return fmt.Errorf("crc64: unsupported hash state version %d", v)
	}
	if len(b) != marshaledSize {
		return errors.New("crc64: invalid hash state size")
	}
	d.crc = binary.BigEndian.Uint64(b[len(marshalMagic)+1:])
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
