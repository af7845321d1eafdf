package filebody

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

// TestReadBytes reads ranges into memory, pooled and not, with their
// CRC-64, and a range past the end of the file as ErrChanged.
func TestReadBytes(t *testing.T) {
	f, data := writeRandom(t, 1<<20)
	for _, c := range []struct{ off, size int64 }{{0, 4 << 10}, {100, 100 << 10}, {5, 200 << 10}, {1<<20 - MaxBytes, MaxBytes}} {
		b, err := ReadBytes(f, c.off, c.size, crc64.ECMA)
		if err != nil {
			t.Fatal(err)
		}
		want := data[c.off : c.off+c.size]
		got, _ := io.ReadAll(b.Open())
		if !bytes.Equal(got, want) || b.CRC64() != crc64.Checksum(want) {
			t.Errorf("range %d+%d: not the file's bytes or CRC-64", c.off, c.size)
		}
		b.Written()
		b.Release()
	}
	if _, err := ReadBytes(f, 1<<20-10, 20, crc64.ECMA); !errors.Is(err, ErrChanged) {
		t.Errorf("a range past the end: %v, want ErrChanged", err)
	}
}

// TestBytesRecycled: a pooled buffer goes back to its pool only once the
// range is released and every attempt opened has been written; one
// attempt never written keeps it out for good.
func TestBytesRecycled(t *testing.T) {
	f, data := writeRandom(t, 1<<20)
	b, err := ReadBytes(f, 0, 100<<10, crc64.ECMA)
	if err != nil {
		t.Fatal(err)
	}
	if b.pooled == nil {
		t.Fatal("a range of 100 KiB did not take a pooled buffer")
	}
	r1 := b.Open()
	r2 := b.Open()
	b.Release()
	b.Written() // r1's attempt
	if b.pooled == nil {
		t.Fatal("the buffer was recycled while an attempt was still being written")
	}
	if got, _ := io.ReadAll(r2); !bytes.Equal(got, data[:100<<10]) || r1.Len() != 100<<10 {
		t.Fatal("the bytes changed before the last attempt was written")
	}
	b.Written() // r2's
	if b.pooled != nil {
		t.Fatal("the buffer was not recycled once released and written")
	}

	c, err := ReadBytes(f, 0, 100<<10, crc64.ECMA)
	if err != nil {
		t.Fatal(err)
	}
	c.Open() // never written: the transport may still hold it
	c.Release()
	if c.pooled == nil {
		t.Fatal("a buffer an unwritten attempt holds was recycled")
	}
}

// TestBytesWrittenTooOften: a Written with no attempt open (a redirect
// the client followed under the same trace) does not let the buffer go
// while a later attempt is being written.
func TestBytesWrittenTooOften(t *testing.T) {
	f, _ := writeRandom(t, 1<<20)
	b, err := ReadBytes(f, 0, 100<<10, crc64.ECMA)
	if err != nil {
		t.Fatal(err)
	}
	b.Open()
	b.Written()
	b.Written() // the redirect's request
	b.Open()    // the next attempt, still being written
	b.Release()
	if b.pooled == nil {
		t.Fatal("the buffer was recycled while an attempt was being written")
	}
	b.Written()
	if b.pooled != nil {
		t.Fatal("the buffer was not recycled once every attempt was written")
	}
}
