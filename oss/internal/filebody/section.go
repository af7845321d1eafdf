// Package filebody sends a range of an open file as a request body
// without copying it through the program's memory where the platform
// allows: the range's CRC-64 is computed over a read-only memory map of
// the file, and each attempt to send it gets a reader with a file offset
// of its own, which net/http passes to sendfile(2) on plain TCP
// connections. Where either is unavailable (TLS, another platform, no
// /proc), the same types fall back to reading the file into a buffer.
package filebody

import (
	"errors"
	"fmt"
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

	once sync.Once
	crc  uint64
	err  error
}

// New returns the range of f from off for size bytes. f stays the
// caller's: it must stay open while the section is in use.
func New(f *os.File, off, size int64) *Section {
	return &Section{SectionReader: io.NewSectionReader(f, off, size), f: f, off: off, size: size}
}

// CRC64 is the CRC-64/ECMA of the range as the file holds it when first
// asked; later calls return the same. It is computed over a memory map
// of the file where the platform has one, otherwise by reading it.
func (s *Section) CRC64() (uint64, error) {
	s.once.Do(func() {
		s.crc, s.err = checksum(s.f, s.off, s.size)
		if s.err != nil {
			s.err = fmt.Errorf("read bytes %d-%d of the file: %w", s.off, s.off+s.size-1, s.err)
		}
	})
	return s.crc, s.err
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

// readChecksum is the CRC-64 of the range, read through a buffer.
func readChecksum(f *os.File, off, size int64) (uint64, error) {
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	var crc uint64
	for size > 0 {
		n, err := f.ReadAt((*buf)[:min(int64(len(*buf)), size)], off)
		crc = crc64.Update(crc, (*buf)[:n])
		off += int64(n)
		size -= int64(n)
		if size > 0 && err == io.EOF {
			return 0, ErrChanged
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
	}
	return crc, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
