package crc64

import (
	"hash"
	stdcrc64 "hash/crc64"
	"math/bits"
	"testing"
)

// Each variant's polynomial without its x^64 term, in normal (MSB-first)
// form, as the standards and catalogues give it.
const (
	normalECMA = 0x42F0E1EBA9EA3693
	normalNVME = 0xAD93D23594C93659
)

// variant is one CRC-64 variant under test: its model, its normal-form
// polynomial and its public functions.
type variant struct {
	name     string
	m        *model
	normal   uint64
	update   func(crc uint64, p []byte) uint64
	checksum func(p []byte) uint64
	combine  func(crc1, crc2 uint64, len2 int64) uint64
	new      func() hash.Hash64
	// table is the hash/crc64 table for the reflected polynomial, an
	// independent reference with the same init and xorout.
	table *stdcrc64.Table
}

var variants = []variant{
	{
		name: "ECMA", m: &ecma, normal: normalECMA,
		update: Update, checksum: Checksum, combine: Combine, new: New,
		table: stdcrc64.MakeTable(stdcrc64.ECMA),
	},
	{
		name: "NVME", m: &nvme, normal: normalNVME,
		update: UpdateNVME, checksum: ChecksumNVME, combine: CombineNVME, new: NewNVME,
		table: stdcrc64.MakeTable(bits.Reverse64(normalNVME)),
	},
}

// xPowMod returns x^n mod P in normal form, for P = x^64 + normal.
func xPowMod(normal uint64, n int) uint64 {
	v := uint64(1)
	for range n {
		v = v<<1 ^ normal&-(v>>63)
	}
	return v
}

// xPowDiv returns floor(x^n / P) for 64 <= n < 128 in normal form, by long
// division of the 128-bit dividend hi:lo, for P = x^64 + normal.
func xPowDiv(normal uint64, n int) uint64 {
	hi, lo := uint64(1)<<(n-64), uint64(0)
	var q uint64
	for d := n; d >= 64; d-- {
		if hi>>(d-64)&1 == 0 {
			continue
		}
		s := d - 64
		q |= 1 << s
		hi ^= 1 << s // the x^64 term of P·x^s
		lo ^= normal << s
		if s > 0 {
			hi ^= normal >> (64 - s)
		}
	}
	return q
}

// refl converts a normal-form polynomial to the reflected form used by the
// implementation, where bit i holds the coefficient of x^(63-i).
func refl(v uint64) uint64 { return bits.Reverse64(v) }

// want returns the reference checksum of p from hash/crc64.
func (v *variant) want(p []byte) uint64 {
	return stdcrc64.Checksum(p, v.table)
}

// wantUpdate returns the reference for v.update(crc, p) from hash/crc64.
func (v *variant) wantUpdate(crc uint64, p []byte) uint64 {
	return stdcrc64.Update(crc, v.table, p)
}

func TestReflectedPoly(t *testing.T) {
	for _, v := range variants {
		if got := refl(v.normal); got != v.m.poly {
			t.Errorf("%s: reflected poly = %#x, want %#x", v.name, got, v.m.poly)
		}
	}
	if polyNVME != 0x9A6C9329AC4BC9B5 || refl(normalNVME) != 0x9A6C9329AC4BC9B5 {
		t.Errorf("NVME reflected poly = %#x", uint64(polyNVME))
	}
	if stdcrc64.ECMA != polyECMA {
		t.Errorf("hash/crc64.ECMA = %#x, want %#x", uint64(stdcrc64.ECMA), uint64(polyECMA))
	}
}

// TestDistinctMagic checks that no two variants share a marshal magic and
// that each has the size the format expects.
func TestDistinctMagic(t *testing.T) {
	seen := map[string]string{}
	for _, v := range variants {
		if len(v.m.magic) != magicSize {
			t.Errorf("%s: magic %q is not %d bytes", v.name, v.m.magic, magicSize)
		}
		if other, ok := seen[v.m.magic]; ok {
			t.Errorf("%s and %s share magic %q", v.name, other, v.m.magic)
		}
		seen[v.m.magic] = v.name
	}
}
