package crc64

// Combine returns the CRC-64/ECMA of a‖b given crc1 = Checksum(a),
// crc2 = Checksum(b) and len2 = len(b) in bytes. When len2 <= 0 it returns
// crc1, as zlib's crc32_combine does.
//
// Appending b to a multiplies the register state left by a by x^(8·len2)
// modulo P; the initial and final inversions cancel out, so
// crc(a‖b) = crc2 ⊕ crc1·x^(8·len2) mod P. The power is assembled from a
// table of x^(8·2^k) mod P, one multiplication per set bit of len2.
func Combine(crc1, crc2 uint64, len2 int64) uint64 {
	return ecma.combine(crc1, crc2, len2)
}

// CombineNVME is [Combine] for CRC-64/NVME: it returns the CRC-64/NVME of
// a‖b given crc1 = ChecksumNVME(a), crc2 = ChecksumNVME(b) and
// len2 = len(b), or crc1 when len2 <= 0.
func CombineNVME(crc1, crc2 uint64, len2 int64) uint64 {
	return nvme.combine(crc1, crc2, len2)
}

func (m *model) combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	pow := m.powerTable()
	for k := 0; len2 != 0; k++ {
		if len2&1 != 0 {
			crc1 = m.mulMod(crc1, pow[k])
		}
		len2 >>= 1
	}
	return crc1 ^ crc2
}

// powerTable returns x^(8·2^k) mod P for k = 0..63 in reflected form,
// computing them on first use. The result is shared and must not be
// modified.
func (m *model) powerTable() *[64]uint64 {
	if p := m.powers.Load(); p != nil {
		return p
	}
	p := new([64]uint64)
	p[0] = 1 << (63 - 8) // x^8
	for k := 1; k < len(p); k++ {
		p[k] = m.mulMod(p[k-1], p[k-1])
	}
	m.powers.CompareAndSwap(nil, p)
	return m.powers.Load()
}

// mulMod returns a·b mod P for reflected polynomials a and b.
//
// The carry-less product of the two bit patterns (clmul) is the 127-bit
// product with bit k holding the coefficient of x^(126-k). Shifted left by
// one bit, its low word H holds degrees 127..64 and its high word L degrees
// 63..0, both in reflected form, and H·x^64 mod P is H advanced by 8 zero
// bytes: one slicing-by-8 step.
func (m *model) mulMod(a, b uint64) uint64 {
	lo, hi := clmul(a, b)
	h, l := lo<<1, hi<<1|lo>>63
	t := m.slicing()
	return l ^ t[7][byte(h)] ^ t[6][byte(h>>8)] ^ t[5][byte(h>>16)] ^
		t[4][byte(h>>24)] ^ t[3][byte(h>>32)] ^ t[2][byte(h>>40)] ^
		t[1][byte(h>>48)] ^ t[0][byte(h>>56)]
}

// clmulGeneric is the portable clmul: it returns the 128-bit carry-less
// product of a and b as its low and high words. It goes four bits of a at
// a time, with the 16 multiples of b by a nibble (67 bits each) tabulated.
func clmulGeneric(a, b uint64) (lo, hi uint64) {
	var tl, th [16]uint64
	for j := range 4 {
		bit := 1 << j
		tl[bit] = b << j
		if j > 0 {
			th[bit] = b >> (64 - j)
		}
	}
	for n := 3; n < 16; n++ {
		if low := n & -n; low != n {
			tl[n] = tl[low] ^ tl[n^low]
			th[n] = th[low] ^ th[n^low]
		}
	}
	lo, hi = tl[a&0xf], th[a&0xf]
	for s := 4; s < 64; s += 4 {
		n := (a >> s) & 0xf
		// s < 64; the masks spare the compiler's oversized-shift checks.
		lo ^= tl[n] << (s & 63)
		hi ^= tl[n]>>((64-s)&63) ^ th[n]<<(s&63)
	}
	return lo, hi
}
