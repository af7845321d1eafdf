//go:build !purego

package crc64

import (
	"fmt"
	"testing"
)

// implementations returns every update implementation of variant v this
// CPU can run: the dispatching one, the portable one and each assembly path
// forced on.
func implementations(t testing.TB, v *variant) []impl {
	t.Helper()
	m := v.m
	impls := []impl{
		{"dispatch", v.update},
		{"generic", func(crc uint64, p []byte) uint64 { return updateGeneric(m, crc, p) }},
	}
	if !useCLMUL {
		t.Log("CPU lacks PCLMULQDQ: assembly paths not tested")
		return impls
	}
	impls = append(impls, impl{"clmul", func(crc uint64, p []byte) uint64 {
		return updateFold(m, crc, p, false)
	}})
	if !useAVX512 {
		t.Log("CPU lacks AVX-512 VPCLMULQDQ: 512-bit path not tested")
		return impls
	}
	return append(impls, impl{"avx512", func(crc uint64, p []byte) uint64 {
		return updateFold(m, crc, p, true)
	}})
}

func TestCPUFeatures(t *testing.T) {
	t.Logf("PCLMULQDQ+SSE4.1: %v, AVX-512 VPCLMULQDQ: %v", useCLMUL, useAVX512)
	if useAVX512 && !useCLMUL {
		t.Error("useAVX512 without useCLMUL")
	}
}

// BenchmarkThreshold measures the lengths around clmulMin and avx512Min.
func BenchmarkThreshold(b *testing.B) {
	impls := implementations(b, &variants[0])[1:]
	for _, n := range []int{8, 15, 16, 24, 32, 48, 64, 128, 192, 256, 320, 384, 512} {
		p := randomBytes(2, n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("%s/%d", im.name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					benchSink = im.update(0, p)
				}
			})
		}
	}
}
