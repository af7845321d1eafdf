package crc64

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCombineVectors(t *testing.T) {
	tests := []struct {
		v          *variant
		name       string
		crc1, crc2 uint64
		len2       int64
		want       uint64
	}{
		{&variants[0], "12345+6789", 6748440630437108969, 10278880121275185425, 4, 11051210869376104954},
		{&variants[0], "102400a+b", 12696911168479852064, 8406248661285262385, 1, 10317615437480851157},
		{&variants[0], "empty b", 6748440630437108969, 0, 0, 6748440630437108969},
		{&variants[0], "empty a", 0, 10278880121275185425, 4, 10278880121275185425},
		{&variants[0], "negative len2", 42, 7, -1, 42},
		{&variants[1], "12345+6789", 0x166AE2B7FF62CAF8, 0xE0D6368F42D00737, 4, 0xAE8B14860A799888},
		{&variants[1], "empty b", 0x166AE2B7FF62CAF8, 0, 0, 0x166AE2B7FF62CAF8},
		{&variants[1], "empty a", 0, 0xE0D6368F42D00737, 4, 0xE0D6368F42D00737},
		{&variants[1], "negative len2", 42, 7, -1, 42},
	}
	for _, tt := range tests {
		t.Run(tt.v.name+"/"+tt.name, func(t *testing.T) {
			if got := tt.v.combine(tt.crc1, tt.crc2, tt.len2); got != tt.want {
				t.Errorf("Combine(%#x, %#x, %d) = %#x, want %#x", tt.crc1, tt.crc2, tt.len2, got, tt.want)
			}
		})
	}
}

// TestCombineProperty checks crc(a‖b) == Combine(crc(a), crc(b), len(b)) at
// random split points, including empty a and empty b.
func TestCombineProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	data := randomBytes(13, 100_000)
	for _, v := range variants {
		for _, n := range []int{0, 1, 2, 17, 256, 1000, 4097, len(data)} {
			p := data[:n]
			whole := v.checksum(p)
			if want := v.want(p); whole != want {
				t.Fatalf("%s: len %d: checksum %#x, want %#x", v.name, n, whole, want)
			}
			splits := []int{0, n}
			for range 20 {
				splits = append(splits, r.IntN(n+1))
			}
			for _, s := range splits {
				if got := v.combine(v.checksum(p[:s]), v.checksum(p[s:]), int64(n-s)); got != whole {
					t.Fatalf("%s: len %d split %d: Combine = %#x, want %#x", v.name, n, s, got, whole)
				}
			}
		}
	}
}

// TestCombineZeros compares Combine with Update over zero-filled buffers,
// which exercises many bits of len2.
func TestCombineZeros(t *testing.T) {
	zeros := make([]byte, 1<<21)
	r := rand.New(rand.NewPCG(14, 15))
	lengths := []int{1, 7, 8, 255, 256, 1 << 20, 1<<20 + 1, 1<<21 - 1}
	for range 20 {
		lengths = append(lengths, r.IntN(len(zeros)+1))
	}
	for _, v := range variants {
		for _, n := range lengths {
			crc1 := r.Uint64()
			z := zeros[:n]
			if got, want := v.combine(crc1, v.checksum(z), int64(n)), v.update(crc1, z); got != want {
				t.Fatalf("%s: len2 %d: Combine = %#x, want %#x", v.name, n, got, want)
			}
		}
	}
}

// TestCombineAssociative checks that combining is associative for lengths
// far past 2^32, and that Combine(c, 0, n) multiplies c by x^(8n), so
// lengths add.
func TestCombineAssociative(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	for _, v := range variants {
		for range 2000 {
			x, y, z := r.Uint64(), r.Uint64(), r.Uint64()
			ly, lz := r.Int64N(1<<62), r.Int64N(1<<62)
			if r.IntN(4) == 0 {
				ly, lz = r.Int64N(1<<34), r.Int64N(1<<34)
			}
			left := v.combine(v.combine(x, y, ly), z, lz)
			right := v.combine(x, v.combine(y, z, lz), ly+lz)
			if left != right {
				t.Fatalf("%s: ly %d lz %d: %#x != %#x", v.name, ly, lz, left, right)
			}
			if got, want := v.combine(v.combine(x, 0, ly), 0, lz), v.combine(x, 0, ly+lz); got != want {
				t.Fatalf("%s: powers ly %d lz %d: %#x != %#x", v.name, ly, lz, got, want)
			}
		}
	}
}

// TestCombineMatrix compares Combine with an independent zlib-style
// reference that squares a 64×64 GF(2) matrix operator, for large lengths.
func TestCombineMatrix(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 19))
	lengths := []int64{1, 2, 3, 1 << 32, 1<<32 + 1, 5 << 30, 1 << 40, math.MaxInt64}
	for range 30 {
		lengths = append(lengths, r.Int64())
	}
	for _, v := range variants {
		for _, n := range lengths {
			t.Run(fmt.Sprint(v.name, "/", n), func(t *testing.T) {
				crc1, crc2 := r.Uint64(), r.Uint64()
				if got, want := v.combine(crc1, crc2, n), matrixCombine(v.m.poly, crc1, crc2, n); got != want {
					t.Errorf("Combine = %#x, want %#x", got, want)
				}
			})
		}
	}
}

// gf2Matrix is a linear map on 64-bit vectors: column i is the image of
// bit i.
type gf2Matrix [64]uint64

func (m *gf2Matrix) apply(v uint64) uint64 {
	var r uint64
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			r ^= m[i]
		}
	}
	return r
}

func (m *gf2Matrix) square() *gf2Matrix {
	var s gf2Matrix
	for i := range s {
		s[i] = m.apply(m[i])
	}
	return &s
}

// matrixCombine is zlib's crc32_combine method: start from the operator
// that appends one zero bit, square it to append 2, 4, 8… bits, and apply
// the powers for the set bits of 8·len2.
func matrixCombine(poly, crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	op := new(gf2Matrix)
	for i := range op {
		op[i] = mulx(poly, 1<<i)
	}
	op = op.square().square().square() // one zero byte
	for n := uint64(len2); n != 0; n >>= 1 {
		if n&1 != 0 {
			crc1 = op.apply(crc1)
		}
		op = op.square()
	}
	return crc1 ^ crc2
}

// mulModBitwise is the bit-at-a-time reference for mulMod: it adds b·x^i
// for each coefficient x^i of a, which is bit 63-i.
func mulModBitwise(poly, a, b uint64) uint64 {
	var r uint64
	for i := range 64 {
		if a&(1<<(63-i)) != 0 {
			r ^= b
		}
		b = mulx(poly, b)
	}
	return r
}

func TestMulMod(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 21))
	const one = 1 << 63 // x^0
	cases := [][2]uint64{{0, 0}, {one, one}, {one, 12345}, {1, 1}, {math.MaxUint64, math.MaxUint64}}
	for range 5000 {
		cases = append(cases, [2]uint64{r.Uint64(), r.Uint64()})
	}
	for _, v := range variants {
		for _, c := range cases {
			if got, want := v.m.mulMod(c[0], c[1]), mulModBitwise(v.m.poly, c[0], c[1]); got != want {
				t.Fatalf("%s: mulMod(%#x, %#x) = %#x, want %#x", v.name, c[0], c[1], got, want)
			}
		}
	}
}

// TestPowers checks the first table entries against repeated
// multiplication by x.
func TestPowers(t *testing.T) {
	for _, v := range variants {
		pow := v.m.powerTable()
		for k := range 12 {
			want := uint64(1 << 63) // x^0
			for range 8 << k {
				want = mulx(v.m.poly, want)
			}
			if pow[k] != want {
				t.Fatalf("%s: powers[%d] = %#x, want x^%d = %#x", v.name, k, pow[k], 8<<k, want)
			}
		}
	}
}

// TestClmul compares the dispatching and the portable carry-less multiply
// with a bit-at-a-time reference.
func TestClmul(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 23))
	cases := [][2]uint64{{0, 0}, {1, 1}, {1 << 63, 1 << 63}, {math.MaxUint64, math.MaxUint64}, {math.MaxUint64, 1}}
	for range 5000 {
		cases = append(cases, [2]uint64{r.Uint64(), r.Uint64()})
	}
	for _, c := range cases {
		var wantLo, wantHi uint64
		for i := range 64 {
			if c[0]&(1<<i) != 0 {
				wantLo ^= c[1] << i
				if i > 0 {
					wantHi ^= c[1] >> (64 - i)
				}
			}
		}
		for name, f := range map[string]func(a, b uint64) (uint64, uint64){"clmul": clmul, "generic": clmulGeneric} {
			if lo, hi := f(c[0], c[1]); lo != wantLo || hi != wantHi {
				t.Fatalf("%s(%#x, %#x) = %#x:%#x, want %#x:%#x", name, c[0], c[1], hi, lo, wantHi, wantLo)
			}
		}
	}
}
