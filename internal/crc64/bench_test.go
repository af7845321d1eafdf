package crc64

import (
	"fmt"
	stdcrc64 "hash/crc64"
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

// BenchmarkChecksum compares our dispatching implementation ("ours"), the
// portable slicing-by-16 one ("generic"), any forced assembly paths and
// hash/crc64 ("stdlib").
func BenchmarkChecksum(b *testing.B) {
	var impls []impl
	for _, im := range implementations(b) {
		if im.name == "dispatch" {
			im.name = "ours"
		}
		impls = append(impls, im)
	}
	impls = append(impls, impl{"stdlib", func(crc uint64, p []byte) uint64 {
		return stdcrc64.Update(crc, ecmaTable, p)
	}})
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
	for _, len2 := range []int64{100 << 10, 5 << 30, math.MaxInt64} {
		b.Run(fmt.Sprint(len2), func(b *testing.B) {
			crc1, crc2 := uint64(0x0123456789abcdef), uint64(0xfedcba9876543210)
			for b.Loop() {
				crc1 = Combine(crc1, crc2, len2)
			}
			benchSink = crc1
		})
	}
}
