package crc64

import (
	"encoding/binary"
	"sync/atomic"
)

// The polynomials in reflected (LSB-first) form: bit i holds the coefficient
// of x^(63-i), and the x^64 term is implicit.
const (
	// polyECMA is the ECMA-182 polynomial, 0x42F0E1EBA9EA3693 in normal form.
	polyECMA = 0xC96C5795D7870F42
	// polyNVME is the NVM Express polynomial, 0xAD93D23594C93659 in normal
	// form.
	polyNVME = 0x9A6C9329AC4BC9B5
)

// model is one CRC-64 variant: the reflected polynomial poly, with the
// register initialized to all ones and the result inverted. Its slicing
// tables and combine powers are computed on first use and never modified
// afterwards.
type model struct {
	poly uint64
	// fold holds the constants of the assembly folding loops for poly; it
	// is empty where there is no assembly. It is held by value, so that
	// its address is a link-time constant.
	fold foldConsts
	// magic starts the marshaled state of a hash of this variant.
	magic string

	tables atomic.Pointer[slicingTables]
	powers atomic.Pointer[[64]uint64]
}

// The two variants: CRC-64/ECMA (CRC-64/XZ) and CRC-64/NVME. They are
// used by address.
var (
	ecma = model{poly: polyECMA, fold: ecmaFold, magic: "oc64"}
	nvme = model{poly: polyNVME, fold: nvmeFold, magic: "ocnv"}
)

// slicingTables holds the tables for slicing-by-16. Table 0 is the classic
// byte-at-a-time table: tab[0][b] is the raw state b advanced by 8 zero bits.
// Table k advances by 8·(k+1) zero bits, so that 16 input bytes can be
// folded into the state with 16 independent lookups.
type slicingTables [16][256]uint64

// slicing returns the slicing-by-16 tables of m, computing them on first
// use. The result is shared and must not be modified. The fast path is an
// inlined atomic load; goroutines that race on first use may each compute
// the tables, and all then use the first stored.
func (m *model) slicing() *slicingTables {
	if t := m.tables.Load(); t != nil {
		return t
	}
	return m.initTables()
}

func (m *model) initTables() *slicingTables {
	m.tables.CompareAndSwap(nil, makeTables(m.poly))
	return m.tables.Load()
}

func makeTables(poly uint64) *slicingTables {
	t := new(slicingTables)
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			crc = mulx(poly, crc)
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for k := 1; k < 16; k++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[k][i] = crc
		}
	}
	return t
}

// mulx multiplies the reflected polynomial v by x modulo the reflected
// polynomial poly.
func mulx(poly, v uint64) uint64 {
	return v>>1 ^ poly&-(v&1)
}

// updateGeneric is the portable implementation of [Update] and
// [UpdateNVME].
func updateGeneric(m *model, crc uint64, p []byte) uint64 {
	if len(p) == 0 {
		return crc
	}
	return ^updateState(m.slicing(), ^crc, p)
}

// updateState advances the raw CRC register state (the checksum before the
// final inversion) over p using slicing-by-16 with the tables t and returns
// the new state.
func updateState(t *slicingTables, state uint64, p []byte) uint64 {
	for len(p) >= 16 {
		lo := state ^ binary.LittleEndian.Uint64(p)
		// Four independent partial sums keep the XOR chains short; the
		// upper 8 bytes index the tables straight from p.
		s0 := t[15][byte(lo)] ^ t[14][byte(lo>>8)] ^ t[13][byte(lo>>16)] ^ t[12][byte(lo>>24)]
		s1 := t[11][byte(lo>>32)] ^ t[10][byte(lo>>40)] ^ t[9][byte(lo>>48)] ^ t[8][byte(lo>>56)]
		s2 := t[7][p[8]] ^ t[6][p[9]] ^ t[5][p[10]] ^ t[4][p[11]]
		s3 := t[3][p[12]] ^ t[2][p[13]] ^ t[1][p[14]] ^ t[0][p[15]]
		state = (s0 ^ s1) ^ (s2 ^ s3)
		p = p[16:]
	}
	return updateTail(t, state, p)
}

// updateTail advances state over len(p) < 16 bytes with at most two
// slicing steps of up to 8 bytes.
//
// To advance by n <= 8 bytes, the n low bytes of the state, with the data
// added, move to the top of a word whose other bytes are zero (and so look
// up zeros), and that word is advanced by 8 bytes with 8 lookups; the other
// state bytes just shift down.
func updateTail(t *slicingTables, state uint64, p []byte) uint64 {
	for len(p) > 0 {
		var v uint64
		n := uint(len(p))
		if n >= 8 {
			n = 8
			v = binary.LittleEndian.Uint64(p)
		} else {
			v = loadShort(p)
		}
		v = (state ^ v) << (64 - 8*n)
		s0 := t[7][byte(v)] ^ t[6][byte(v>>8)] ^ t[5][byte(v>>16)] ^ t[4][byte(v>>24)]
		s1 := t[3][byte(v>>32)] ^ t[2][byte(v>>40)] ^ t[1][byte(v>>48)] ^ t[0][byte(v>>56)]
		state = state>>(8*n) ^ s0 ^ s1
		p = p[n:]
	}
	return state
}

// loadShort returns the 1 to 7 bytes of p as a little-endian integer, with
// two overlapping loads.
func loadShort(p []byte) uint64 {
	n := len(p)
	switch {
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(p)) |
			uint64(binary.LittleEndian.Uint32(p[n-4:]))<<(8*(n-4))
	case n >= 2:
		return uint64(binary.LittleEndian.Uint16(p)) |
			uint64(binary.LittleEndian.Uint16(p[n-2:]))<<(8*(n-2))
	default:
		return uint64(p[0])
	}
}
