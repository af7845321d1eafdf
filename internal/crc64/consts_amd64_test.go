//go:build !purego

package crc64

import (
	"fmt"
	"testing"
)

// foldPair returns the constants that fold a 128-bit block forward by d
// bits: x^(d+63) and x^(d-1) mod P, reflected.
func foldPair(normal uint64, d int) [2]uint64 {
	return [2]uint64{refl(xPowMod(normal, d+63)), refl(xPowMod(normal, d-1))}
}

// wantFoldConsts derives every folding constant from the normal-form
// polynomial.
func wantFoldConsts(normal uint64) *foldConsts {
	var k foldConsts
	k.k2048 = foldPair(normal, 2048)
	k.k1024 = foldPair(normal, 1024)
	k.k512 = foldPair(normal, 512)
	k.k128 = foldPair(normal, 128)
	for i, d := range []int{384, 256, 128} {
		pair := foldPair(normal, d)
		copy(k.lanes[2*i:], pair[:])
	}
	// floor(x^127 / P), and (P - 1) / x = x^63 + P'/x.
	k.barrett = [2]uint64{refl(xPowDiv(normal, 127)), refl(1<<63 | normal>>1)}
	return &k
}

// TestFoldConsts recomputes every assembly constant of each variant from
// its polynomial and compares it with the foldConsts the code uses.
func TestFoldConsts(t *testing.T) {
	for _, v := range variants {
		want, got := wantFoldConsts(v.normal), &v.m.fold
		if *got != *want {
			t.Errorf("%s: folding constants\n got %s\nwant %s", v.name, dumpFold(got), dumpFold(want))
		}
	}
}

func dumpFold(k *foldConsts) string {
	return fmt.Sprintf("k2048 %#016x\nk1024 %#016x\nk512 %#016x\nk128 %#016x\nlanes %#016x\nbarrett %#016x",
		k.k2048, k.k1024, k.k512, k.k128, k.lanes, k.barrett)
}
