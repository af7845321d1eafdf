// Package filebody sends a range of an open file as a request body
// without copying it through the program's memory where the platform
// allows: the range's CRC-64 is computed over a read-only memory map of
// the file, and each attempt to send it gets a reader with a file offset
// of its own, which net/http passes to sendfile(2) on plain TCP
// connections. Where either is unavailable (TLS, another platform, no
// /proc), the same types fall back to reading the file into a buffer.
package filebody

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/ossup/ossup/internal/crc64"
)

// MinSize is the smallest range worth sending this way: below it the
// transport's 256 KiB write buffer takes most of the body by copying
// anyway, and a mapping costs more than it saves.
const MinSize = 1 << 20

// ErrChanged is the failure to read a range that the file no longer holds
// whole: it was truncated while being read.
var ErrChanged = errors.New("the file was truncated while it was read")

// Section is the range [off, off+size) of an open file. Its Read and Seek
// read the range plainly, for readers that know nothing of the rest.
type Section struct {
	*io.SectionReader
	f         *os.File
	off, size int64
	v         crc64.Variant

	mu      sync.Mutex
	crcDone bool
	crc     uint64
	sha     []byte // SHA-256, once asked for
	err     error
}

// New returns the range of f from off for size bytes, whose CRC-64 is of
// variant v. f stays the caller's: it must stay open while the section is
// in use.
func New(f *os.File, off, size int64, v crc64.Variant) *Section {
	return &Section{SectionReader: io.NewSectionReader(f, off, size), f: f, off: off, size: size, v: v}
}

// CRC64 is the CRC-64 of the range as the file holds it when first
// asked; later calls return the same. It is computed over a memory map
// of the file where the platform has one, otherwise by reading it.
func (s *Section) CRC64() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.crcDone && s.err == nil {
		s.digest(false)
	}
	return s.crc, s.err
}

// SHA256 is the SHA-256 of the range, which an S3 request over plain
// HTTP signs; computed as CRC64 is (in the same pass, when CRC64 has not
// been asked for yet), and then kept.
func (s *Section) SHA256() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sha == nil && s.err == nil {
		s.digest(true)
	}
	return s.sha, s.err
}

// Sum returns the digest of the range by h, read anew over the memory
// maps (for checksums a service asks for besides the CRC-64).
func (s *Section) Sum(h hash.Hash) ([]byte, error) {
	if err := scan(s.f, s.off, s.size, func(p []byte) { h.Write(p) }); err != nil {
		return nil, fmt.Errorf("read bytes %d-%d of the file: %w", s.off, s.off+s.size-1, err)
	}
	return h.Sum(nil), nil
}

// digest reads the range once for its CRC-64 and, with withSHA, its
// SHA-256. The caller holds s.mu.
func (s *Section) digest(withSHA bool) {
	var h hash.Hash
	if withSHA {
		h = sha256.New()
	}
	var crc uint64
	err := scan(s.f, s.off, s.size, func(p []byte) {
		crc = s.v.Update(crc, p)
		if h != nil {
			h.Write(p)
		}
	})
	if err != nil {
		s.err = fmt.Errorf("read bytes %d-%d of the file: %w", s.off, s.off+s.size-1, err)
		return
	}
	if !s.crcDone {
		s.crc, s.crcDone = crc, true
	}
	if h != nil {
		s.sha = h.Sum(nil)
	}
}

// Open returns a reader of the range for one attempt to send it, to be
// closed after. Where it can, the reader has its own open file
// description positioned at the range, and offers it to net/http's
// sendfile path through SyscallConn; otherwise it reads through ReadAt.
func (s *Section) Open() io.ReadCloser {
	if r := reopen(s.f, s.off, s.size); r != nil {
		return r
	}
	return io.NopCloser(io.NewSectionReader(s.f, s.off, s.size))
}

// readScan gives the range to fn a buffer at a time, read through
// ReadAt.
func readScan(f *os.File, off, size int64, fn func([]byte)) error {
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	for size > 0 {
		n, err := f.ReadAt((*buf)[:min(int64(len(*buf)), size)], off)
		fn((*buf)[:n])
		off += int64(n)
		size -= int64(n)
		if size > 0 && err == io.EOF {
			return ErrChanged
		}
		if err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
