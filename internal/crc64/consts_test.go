package crc64

import (
	"math/bits"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// normalPoly is P without its x^64 term, in normal (MSB-first) form.
const normalPoly = 0x42F0E1EBA9EA3693

// xPowMod returns x^n mod P in normal form.
func xPowMod(n int) uint64 {
	v := uint64(1)
	for range n {
		v = v<<1 ^ normalPoly&-(v>>63)
	}
	return v
}

// xPowDiv returns floor(x^n / P) for 64 <= n < 128 in normal form, by long
// division of the 128-bit dividend hi:lo.
func xPowDiv(n int) uint64 {
	hi, lo := uint64(1)<<(n-64), uint64(0)
	var q uint64
	for d := n; d >= 64; d-- {
		if hi>>(d-64)&1 == 0 {
			continue
		}
		s := d - 64
		q |= 1 << s
		hi ^= 1 << s // the x^64 term of P·x^s
		lo ^= normalPoly << s
		if s > 0 {
			hi ^= normalPoly >> (64 - s)
		}
	}
	return q
}

// refl converts a normal-form polynomial to the reflected form used by the
// assembly, where bit i holds the coefficient of x^(63-i).
func refl(v uint64) uint64 { return bits.Reverse64(v) }

// foldPair returns the constants that fold a 128-bit block forward by d
// bits: x^(d+63) and x^(d-1) mod P.
func foldPair(d int) []uint64 {
	return []uint64{refl(xPowMod(d + 63)), refl(xPowMod(d - 1))}
}

func TestReflectedPoly(t *testing.T) {
	if got := refl(normalPoly); got != poly {
		t.Fatalf("reflected poly = %#x, want %#x", got, uint64(poly))
	}
}

// TestAssemblyConstants recomputes every constant in crc64_amd64.s from P
// and compares it with the DATA directives in that file.
func TestAssemblyConstants(t *testing.T) {
	lanes := append(append(foldPair(384), foldPair(256)...), foldPair(128)...)
	want := map[string][]uint64{
		"foldK2048":  foldPair(2048),
		"foldK1024":  foldPair(1024),
		"foldK512":   foldPair(512),
		"foldK128":   foldPair(128),
		"foldKLanes": append(lanes, 0, 0),
		// floor(x^127 / P), and (P - 1) / x = x^63 + P'/x.
		"barrettK": {refl(xPowDiv(127)), refl(1<<63 | normalPoly>>1)},
	}
	got := parseDATA(t, "crc64_amd64.s")
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Errorf("%s: %d quadwords in the .s file, want %d", name, len(g), len(w))
			continue
		}
		for i := range w {
			if g[i] != w[i] {
				t.Errorf("%s+%d = %#016x, want %#016x", name, 8*i, g[i], w[i])
			}
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unchecked constant in the .s file", name)
		}
	}
}

var dataLine = regexp.MustCompile(`(?m)^DATA\s+(\w+)<>\+(\d+)\(SB\)/8,\s*\$(0x[0-9a-fA-F]+|\d+)\s*$`)

// parseDATA returns the 8-byte DATA values of each symbol in an assembly
// file, in offset order.
func parseDATA(t *testing.T, file string) map[string][]uint64 {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string][]uint64)
	for _, m := range dataLine.FindAllStringSubmatch(string(src), -1) {
		off, err1 := strconv.Atoi(m[2])
		v, err2 := strconv.ParseUint(m[3], 0, 64)
		if err1 != nil || err2 != nil || off != 8*len(got[m[1]]) {
			t.Fatalf("bad or out-of-order DATA line %q", m[0])
		}
		got[m[1]] = append(got[m[1]], v)
	}
	if len(got) == 0 {
		t.Fatalf("no DATA lines in %s", file)
	}
	return got
}
