package crc64

import (
	"bytes"
	"testing"
)

// fuzzSeeds are inputs around the lengths where the implementations switch
// strategy.
func fuzzSeeds() [][]byte {
	seeds := [][]byte{nil, []byte("a"), []byte("123456789"), []byte("hi oss")}
	for _, n := range []int{15, 16, 17, 63, 64, 127, 128, 129, 255, 256, 257, 511, 1024, 4099} {
		seeds = append(seeds, randomBytes(uint64(n), n))
	}
	return seeds
}

// FuzzChecksum checks that every CRC-64/ECMA implementation agrees with
// hash/crc64 at a fuzzed alignment, and that updating in two pieces equals
// the whole.
func FuzzChecksum(f *testing.F) {
	fuzzChecksum(f, &variants[0])
}

// FuzzChecksumNVME is FuzzChecksum for CRC-64/NVME.
func FuzzChecksumNVME(f *testing.F) {
	fuzzChecksum(f, &variants[1])
}

func fuzzChecksum(f *testing.F, v *variant) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint(i*7), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, split uint, align uint8) {
		// Copy data to a chosen offset within a 16-byte aligned buffer.
		off := int(align % 16)
		p := make([]byte, off+len(data))[off:]
		copy(p, data)
		want := v.want(p)
		s := int(split % uint(len(p)+1))
		for _, im := range implementations(t, v) {
			if got := im.update(0, p); got != want {
				t.Fatalf("%s: len %d offset %d: got %#x, want %#x", im.name, len(p), off, got, want)
			}
			if got := im.update(im.update(0, p[:s]), p[s:]); got != want {
				t.Fatalf("%s: len %d split %d: got %#x, want %#x", im.name, len(p), s, got, want)
			}
		}
	})
}

// FuzzCombine checks crc(a‖b) == Combine(crc(a), crc(b), len(b)) and that
// Combine is associative for a fuzzed third length.
func FuzzCombine(f *testing.F) {
	fuzzCombine(f, &variants[0])
}

// FuzzCombineNVME is FuzzCombine for CRC-64/NVME.
func FuzzCombineNVME(f *testing.F) {
	fuzzCombine(f, &variants[1])
}

func fuzzCombine(f *testing.F, v *variant) {
	seeds := fuzzSeeds()
	for i := range seeds {
		f.Add(seeds[i], seeds[len(seeds)-1-i], int64(i)<<(3*i))
	}
	f.Fuzz(func(t *testing.T, a, b []byte, lz int64) {
		whole := v.checksum(bytes.Join([][]byte{a, b}, nil))
		crcA, crcB := v.checksum(a), v.checksum(b)
		if got := v.combine(crcA, crcB, int64(len(b))); got != whole {
			t.Fatalf("Combine(%#x, %#x, %d) = %#x, want %#x", crcA, crcB, len(b), got, whole)
		}
		lz &= 1<<62 - 1
		z := crcA ^ crcB
		left := v.combine(v.combine(crcA, crcB, int64(len(b))), z, lz)
		right := v.combine(crcA, v.combine(crcB, z, lz), int64(len(b))+lz)
		if left != right {
			t.Fatalf("not associative with lz %d: %#x != %#x", lz, left, right)
		}
	})
}
