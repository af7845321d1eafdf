package filebody

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

func writeRandom(t testing.TB, size int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{7})
	r.Read(data)
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, data
}

// TestCRC64 checks the checksum of ranges that start and end off page
// boundaries and span several map windows against the bytes' own.
func TestCRC64(t *testing.T) {
	f, data := writeRandom(t, 3<<20+123)
	setWindow(t, 256<<10)
	for _, r := range [][2]int64{
		{0, 0}, {0, 1}, {1, 4095}, {4095, 2}, {0, 3<<20 + 123}, {5, 3 << 20}, {700000, 1 << 20}, {3 << 20, 123},
	} {
		off, size := r[0], r[1]
		for _, v := range []crc64.Variant{crc64.ECMA, crc64.NVME} {
			got, err := New(f, off, size, v).CRC64()
			if err != nil {
				t.Fatalf("[%d,+%d): %v", off, size, err)
			}
			if want := v.Checksum(data[off : off+size]); got != want {
				t.Errorf("%v [%d,+%d): crc %d, want %d", v, off, size, got, want)
			}
		}
		// SHA-256 first (CRC-64 in the same pass), and after CRC-64.
		wantSHA := sha256.Sum256(data[off : off+size])
		s := New(f, off, size, crc64.NVME)
		sha, err := s.SHA256()
		crc, err2 := s.CRC64()
		if err != nil || err2 != nil || !bytes.Equal(sha, wantSHA[:]) || crc != crc64.ChecksumNVME(data[off:off+size]) {
			t.Errorf("[%d,+%d): SHA-256 then CRC-64: %x %d, %v %v", off, size, sha, crc, err, err2)
		}
		s = New(f, off, size, crc64.ECMA)
		if _, err := s.CRC64(); err != nil {
			t.Fatal(err)
		}
		if sha, err := s.SHA256(); err != nil || !bytes.Equal(sha, wantSHA[:]) {
			t.Errorf("[%d,+%d): CRC-64 then SHA-256: %x, %v", off, size, sha, err)
		}
	}
}

// TestCRC64Truncated truncates the file while a window is mapped: the
// fault on the lost pages is an error, not a crash.
func TestCRC64Truncated(t *testing.T) {
	f, _ := writeRandom(t, 1<<20)
	if !hasMap() {
		t.Skip("no memory map on this platform")
	}
	setMappedHook(t, func() {
		if err := os.Truncate(f.Name(), 4096); err != nil {
			t.Error(err)
		}
	})
	_, err := New(f, 0, 1<<20, crc64.ECMA).CRC64()
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("got %v, want ErrChanged", err)
	}
}

// TestCRC64ShortFile asks for a range past the end of the file.
func TestCRC64ShortFile(t *testing.T) {
	f, _ := writeRandom(t, 10000)
	if _, err := New(f, 5000, 10000, crc64.ECMA).CRC64(); err == nil {
		t.Fatal("no error for a range past the end of the file")
	}
}

// TestOpen reads the range through Open's reader, twice at once, and
// sends it as an HTTP request body over loopback TCP, where net/http
// takes the sendfile path, and checks the bytes the server received.
func TestOpen(t *testing.T) {
	f, data := writeRandom(t, 5<<20)
	s := New(f, 12345, 3<<20, crc64.ECMA)
	want := data[12345 : 12345+3<<20]
	r1, r2 := s.Open(), s.Open()
	b1, err := io.ReadAll(r1)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := io.ReadAll(r2)
	if err != nil {
		t.Fatal(err)
	}
	r1.Close()
	r2.Close()
	if !bytes.Equal(b1, want) || !bytes.Equal(b2, want) {
		t.Fatal("Open's readers read other bytes than the range")
	}

	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	for range 2 {
		req, err := http.NewRequest(http.MethodPut, srv.URL, s.Open())
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = s.size
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("the server received %d bytes that differ from the range", len(got))
		}
	}
}
