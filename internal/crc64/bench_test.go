package crc64

import (
	"fmt"
	"math"
	"testing"
)

var benchSizes = []struct {
	name string
	n    int
}{
	{"64B", 64},
	{"1KiB", 1 << 10},
	{"64KiB", 64 << 10},
	{"100KiB", 100 << 10},
	{"1MiB", 1 << 20},
}

// benchSink keeps results alive.
var benchSink uint64

// BenchmarkChecksum compares our dispatching CRC-64/ECMA implementation
// ("ours"), the portable slicing-by-16 one ("generic"), any forced assembly
// paths and hash/crc64 ("stdlib").
func BenchmarkChecksum(b *testing.B) {
	benchmarkChecksum(b, &variants[0])
}

// BenchmarkChecksumNVME is BenchmarkChecksum for CRC-64/NVME, with
// hash/crc64 given the NVME table.
func BenchmarkChecksumNVME(b *testing.B) {
	benchmarkChecksum(b, &variants[1])
}

func benchmarkChecksum(b *testing.B, v *variant) {
	var impls []impl
	for _, im := range implementations(b, v) {
		if im.name == "dispatch" {
			im.name = "ours"
		}
		impls = append(impls, im)
	}
	impls = append(impls, impl{"stdlib", v.wantUpdate})
	for _, im := range impls {
		for _, size := range benchSizes {
			p := randomBytes(1, size.n)
			b.Run(im.name+"/"+size.name, func(b *testing.B) {
				b.SetBytes(int64(size.n))
				for b.Loop() {
					benchSink = im.update(0, p)
				}
			})
		}
	}
}

// BenchmarkCombine measures Combine for a typical part size, a large part
// and the worst case of 63 set bits in len2.
func BenchmarkCombine(b *testing.B) {
	benchmarkCombine(b, &variants[0])
}

// BenchmarkCombineNVME is BenchmarkCombine for CombineNVME.
func BenchmarkCombineNVME(b *testing.B) {
	benchmarkCombine(b, &variants[1])
}

func benchmarkCombine(b *testing.B, v *variant) {
	for _, len2 := range []int64{100 << 10, 5 << 30, math.MaxInt64} {
		b.Run(fmt.Sprint(len2), func(b *testing.B) {
			crc1, crc2 := uint64(0x0123456789abcdef), uint64(0xfedcba9876543210)
			for b.Loop() {
				crc1 = v.combine(crc1, crc2, len2)
			}
			benchSink = crc1
		})
	}
}
