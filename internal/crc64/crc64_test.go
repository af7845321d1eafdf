package crc64

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	stdcrc64 "hash/crc64"
	"math/rand/v2"
	"testing"
)

// impl is one implementation of Update under test.
type impl struct {
	name   string
	update func(crc uint64, p []byte) uint64
}

// randomBytes returns n bytes from a generator seeded with seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6f7373))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

// vector is a published or independently computed checksum.
type vector struct {
	in   string
	want uint64
}

// checkVectors checks the vectors against v.checksum and every
// implementation of v.
func checkVectors(t *testing.T, v *variant, tests []vector) {
	for _, tt := range tests {
		name := fmt.Sprintf("%q", tt.in)
		if len(tt.in) > 20 {
			name = fmt.Sprintf("%q…(%d)", tt.in[:8], len(tt.in))
		}
		t.Run(name, func(t *testing.T) {
			if got := v.checksum([]byte(tt.in)); got != tt.want {
				t.Errorf("Checksum = %#x, want %#x", got, tt.want)
			}
			for _, im := range implementations(t, v) {
				if got := im.update(0, []byte(tt.in)); got != tt.want {
					t.Errorf("%s: Update(0) = %#x, want %#x", im.name, got, tt.want)
				}
			}
		})
	}
}

func TestVectors(t *testing.T) {
	checkVectors(t, &variants[0], []vector{
		{"", 0},
		{"a", 3675645893302102789},
		{"123456789", 0x995DC9BBDF1939FA},
		{"123456789", 11051210869376104954},
		{"hi oss", 8707180448768400016},
		{"12345", 6748440630437108969},
		{"6789", 10278880121275185425},
		{"b", 8406248661285262385},
		{"This is a test of the emergency broadcast system.", 2871916124362751090},
		{string(bytes.Repeat([]byte("a"), 102400)), 12696911168479852064},
	})
}

// nvmeIota32 is the 32 bytes 0, 1, …, 31.
var nvmeIota32 = func() string {
	var b [32]byte
	for i := range b {
		b[i] = byte(i)
	}
	return string(b[:])
}()

func TestVectorsNVME(t *testing.T) {
	checkVectors(t, &variants[1], []vector{
		{"", 0},
		// The check value of the CRC RevEng catalogue entry CRC-64/NVME.
		{"123456789", 0xAE8B14860A799888},
		// Vectors from the test suites of AWS's checksum libraries.
		{string(make([]byte, 32)), 0xCF3473434D4ECF3B},
		{nvmeIota32, 0xB9D9D4A8492CBD7F},
		{"aaaaaaaaaa", 0x0C1A80036D65C555},
		{"hello world!", 0xD9160D1FA8E418E3},
		// Computed by the bitwise reference in this package.
		{"12345", 0x166AE2B7FF62CAF8},
		{"6789", 0xE0D6368F42D00737},
	})
}

// TestNVMEWireForm checks the base64 form that S3 carries in
// x-amz-checksum-crc64nvme, against a value from AWS's test suites.
func TestNVMEWireForm(t *testing.T) {
	h := NewNVME()
	h.Write([]byte("Hello, World!"))
	if got, want := base64.StdEncoding.EncodeToString(h.Sum(nil)), "1Km+Qyat0k0="; got != want {
		t.Errorf("base64 of Sum = %q, want %q", got, want)
	}
	sum := binary.BigEndian.AppendUint64(nil, ChecksumNVME([]byte("Hello, World!")))
	if got, want := base64.StdEncoding.EncodeToString(sum), "1Km+Qyat0k0="; got != want {
		t.Errorf("base64 of ChecksumNVME = %q, want %q", got, want)
	}
}

// bitwiseNVME is a bit-at-a-time CRC-64/NVME written from the catalogue
// parameters alone: polynomial 0xAD93D23594C93659, input and output
// reflected, init and xorout all ones. The register is kept reflected, so
// each input bit enters at the bottom and the reflected polynomial is
// added when a one shifts out.
func bitwiseNVME(crc uint64, p []byte) uint64 {
	const reflected = 0x9A6C9329AC4BC9B5 // bit i = coefficient of x^(63-i)
	reg := ^crc
	for _, b := range p {
		for i := range 8 {
			bit := (reg ^ uint64(b>>i)) & 1
			reg >>= 1
			if bit != 0 {
				reg ^= reflected
			}
		}
	}
	return ^reg
}

// TestNVMEBitwise compares every implementation of CRC-64/NVME, and the
// hash/crc64 reference, with the bitwise reference for every length up to
// 1024 at random offsets and starting checksums.
func TestNVMEBitwise(t *testing.T) {
	v := &variants[1]
	if got := bitwiseNVME(0, []byte("123456789")); got != 0xAE8B14860A799888 {
		t.Fatalf("bitwise reference check value = %#x", got)
	}
	r := rand.New(rand.NewPCG(24, 25))
	buf := randomBytes(26, 1024+64)
	impls := implementations(t, v)
	for n := range 1025 {
		off := r.IntN(64)
		p := buf[off : off+n]
		prev := uint64(0)
		if n%2 == 1 {
			prev = r.Uint64()
		}
		want := bitwiseNVME(prev, p)
		if got := v.wantUpdate(prev, p); got != want {
			t.Fatalf("hash/crc64 reference: len %d offset %d: got %#x, want %#x", n, off, got, want)
		}
		for _, im := range impls {
			if got := im.update(prev, p); got != want {
				t.Fatalf("%s: len %d offset %d from %#x: got %#x, want %#x", im.name, n, off, prev, got, want)
			}
		}
	}
}

// TestLengthsAndAlignments compares every implementation with hash/crc64 for
// every length up to 1024 and some large ones, at every offset 0..15 of the
// backing array, with a zero and a non-zero starting checksum.
func TestLengthsAndAlignments(t *testing.T) {
	const maxLen = 1024
	lengths := make([]int, 0, maxLen+8)
	for n := range maxLen + 1 {
		lengths = append(lengths, n)
	}
	// Around the amd64 chunk size of 256 KiB, and random.
	lengths = append(lengths, 1<<18-1, 1<<18, 1<<18+17, 1<<18+256+48, 300_000)
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		lengths = append(lengths, maxLen+r.IntN(300_000))
	}
	buf := randomBytes(3, 300_000+maxLen+16)
	for _, v := range variants {
		for _, im := range implementations(t, &v) {
			t.Run(v.name+"/"+im.name, func(t *testing.T) {
				for _, n := range lengths {
					for off := range 16 {
						p := buf[off : off+n]
						if got, want := im.update(0, p), v.want(p); got != want {
							t.Fatalf("len %d offset %d: got %#x, want %#x", n, off, got, want)
						}
						prev := uint64(n)*0x9e3779b97f4a7c15 + uint64(off)
						got, want := im.update(prev, p), v.wantUpdate(prev, p)
						if got != want {
							t.Fatalf("len %d offset %d from %#x: got %#x, want %#x", n, off, prev, got, want)
						}
					}
				}
			})
		}
	}
}

// TestUpdateSplits checks that updating in two pieces at random split points
// gives the checksum of the whole.
func TestUpdateSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	buf := randomBytes(6, 70_000)
	for _, v := range variants {
		for _, im := range implementations(t, &v) {
			t.Run(v.name+"/"+im.name, func(t *testing.T) {
				for range 500 {
					n := r.IntN(len(buf) - 15)
					if r.IntN(2) == 0 {
						n = r.IntN(600)
					}
					off := r.IntN(16)
					p := buf[off : off+n]
					split := r.IntN(len(p) + 1)
					got := im.update(im.update(0, p[:split]), p[split:])
					if want := v.want(p); got != want {
						t.Fatalf("len %d split %d: got %#x, want %#x", len(p), split, got, want)
					}
				}
			})
		}
	}
}

// TestHashWrites feeds the streaming hash random write sizes and compares it
// with hash/crc64's.
func TestHashWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	buf := randomBytes(9, 200_000)
	for _, v := range variants {
		for _, n := range []int{0, 1, 15, 16, 17, 255, 256, 257, 1000, 4096, 65537, len(buf)} {
			t.Run(fmt.Sprint(v.name, "/", n), func(t *testing.T) {
				p := buf[:n]
				h, ref := v.new(), stdcrc64.New(v.table)
				for rest := p; len(rest) > 0; {
					k := min(len(rest), r.IntN(3000))
					if wn, err := h.Write(rest[:k]); wn != k || err != nil {
						t.Fatalf("Write(%d bytes) = %d, %v", k, wn, err)
					}
					ref.Write(rest[:k])
					rest = rest[k:]
				}
				if got, want := h.Sum64(), ref.Sum64(); got != want {
					t.Fatalf("Sum64 = %#x, want %#x", got, want)
				}
				prefix := []byte("prefix")
				if got, want := h.Sum(prefix), ref.Sum(prefix); !bytes.Equal(got, want) {
					t.Fatalf("Sum = %x, want %x", got, want)
				}
				h.Reset()
				if got := h.Sum64(); got != 0 {
					t.Fatalf("Sum64 after Reset = %#x, want 0", got)
				}
			})
		}
		h := v.new()
		if got, want := h.Size(), Size; got != want {
			t.Errorf("%s: Size = %d, want %d", v.name, got, want)
		}
		if got, want := h.BlockSize(), 1; got != want {
			t.Errorf("%s: BlockSize = %d, want %d", v.name, got, want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	data := randomBytes(10, 10_000)
	for _, v := range variants {
		for _, split := range []int{0, 1, 9, 16, 300, 5000, len(data)} {
			t.Run(fmt.Sprint(v.name, "/", split), func(t *testing.T) {
				h := v.new()
				h.Write(data[:split])
				state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
				if err != nil {
					t.Fatalf("MarshalBinary: %v", err)
				}
				appended, err := h.(encoding.BinaryAppender).AppendBinary([]byte("x"))
				if err != nil || !bytes.Equal(appended, append([]byte("x"), state...)) {
					t.Fatalf("AppendBinary = %q, %v; want %q", appended, err, append([]byte("x"), state...))
				}
				h2 := v.new()
				if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
					t.Fatalf("UnmarshalBinary: %v", err)
				}
				h2.Write(data[split:])
				if got, want := h2.Sum64(), v.want(data); got != want {
					t.Fatalf("resumed Sum64 = %#x, want %#x", got, want)
				}
			})
		}
	}
}

func TestMarshalFormat(t *testing.T) {
	tests := []struct {
		v    *variant
		want string
	}{
		{&variants[0], "oc64\x01\x99\x5d\xc9\xbb\xdf\x19\x39\xfa"},
		{&variants[1], "ocnv\x01\xae\x8b\x14\x86\x0a\x79\x98\x88"},
	}
	for _, tt := range tests {
		h := tt.v.new()
		h.Write([]byte("123456789"))
		got, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: MarshalBinary = %q, %v; want %q", tt.v.name, got, err, tt.want)
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	goodECMA := []byte("oc64\x01\x99\x5d\xc9\xbb\xdf\x19\x39\xfa")
	goodNVME := []byte("ocnv\x01\xae\x8b\x14\x86\x0a\x79\x98\x88")
	for i, good := range [][]byte{goodECMA, goodNVME} {
		v := &variants[i]
		other := [][]byte{goodNVME, goodECMA}[i]
		tests := []struct {
			name string
			in   []byte
		}{
			{"nil", nil},
			{"empty", []byte{}},
			{"magic only", good[:4]},
			{"truncated", good[:len(good)-1]},
			{"too long", append(append([]byte{}, good...), 0)},
			{"bad magic", append([]byte("oc65"), good[4:]...)},
			{"bad version", append(append(good[:4:4], 2), good[5:]...)},
			{"version zero", append(append(good[:4:4], 0), good[5:]...)},
			{"stdlib state", []byte("crc\x02" + string(make([]byte, 16)))},
			{"other variant", other},
		}
		for _, tt := range tests {
			t.Run(v.name+"/"+tt.name, func(t *testing.T) {
				h := v.new()
				h.Write([]byte("keep"))
				before := h.Sum64()
				if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(tt.in); err == nil {
					t.Fatalf("UnmarshalBinary(%q) = nil, want error", tt.in)
				}
				if got := h.Sum64(); got != before {
					t.Errorf("state changed on error: %#x, want %#x", got, before)
				}
			})
		}
	}
}
func TestFormatParse(t *testing.T) {
	tests := []struct {
		crc  uint64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{11051210869376104954, "11051210869376104954"},
		{1<<64 - 1, "18446744073709551615"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Format(tt.crc); got != tt.want {
				t.Errorf("Format(%d) = %q, want %q", tt.crc, got, tt.want)
			}
			got, err := Parse(tt.want)
			if err != nil || got != tt.crc {
				t.Errorf("Parse(%q) = %d, %v; want %d", tt.want, got, err, tt.crc)
			}
		})
	}
	if got, err := Parse("007"); err != nil || got != 7 {
		t.Errorf("Parse(%q) = %d, %v; want 7", "007", got, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", "-1", "+1", " 1", "1 ", "18446744073709551616", "99999999999999999999",
		"0x10", "1a", "1_000", "1.0", "١", "\x00", "1\n",
	} {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			if got, err := Parse(in); err == nil {
				t.Errorf("Parse(%q) = %d, nil; want error", in, got)
			}
		})
	}
}
