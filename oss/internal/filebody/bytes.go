package filebody

import (
	"bytes"
	"hash"
	"io"
	"sync"

	"github.com/ossup/ossup/internal/crc64"
)

// MaxBytes is the largest range read into memory as Bytes: the size of
// the transport's write buffer, so that a part in flight holds no more
// memory than its connection already does.
const MaxBytes = 256 << 10

// pooledMin is the smallest range whose buffer comes from a pool;
// smaller ones are allocated, which costs less than the bookkeeping.
const pooledMin = 32 << 10

// bytesPools hold buffers of 64, 128 and 256 KiB: a range takes the
// smallest that holds it, so that the default part size of 100 KiB
// keeps 128 KiB per part in flight, not 256.
var bytesPools = [3]sync.Pool{
	{New: func() any { b := make([]byte, 64<<10); return &b }},
	{New: func() any { b := make([]byte, 128<<10); return &b }},
	{New: func() any { b := make([]byte, 256<<10); return &b }},
}

// poolFor is the pool of the smallest buffers that hold size bytes.
func poolFor(size int64) *sync.Pool {
	switch {
	case size <= 64<<10:
		return &bytesPools[0]
	case size <= 128<<10:
		return &bytesPools[1]
	}
	return &bytesPools[2]
}

// Bytes is a small range of a file read into memory, with its CRC-64.
// net/http sends a body it knows to be in memory together with the
// request's headers, in as few writes as its buffer allows; any other
// body goes after the headers have been flushed, copied to the
// connection 32 KiB at a time, a read and a write each.
//
// The buffer is reused once the range is released (Release) and every
// attempt to send it has been written (Open, Written), so that the
// transport never reads a buffer another range has been read into.
type Bytes struct {
	*bytes.Reader
	b   []byte
	crc uint64

	mu       sync.Mutex
	pooled   *[]byte // b's buffer, when it came from bytesPool
	writing  int     // attempts opened and not yet written
	released bool
}

// ReadBytes reads the size bytes of r from off into memory and computes
// their CRC-64 of variant v. A range that ends early is ErrChanged.
func ReadBytes(r io.ReaderAt, off, size int64, v crc64.Variant) (*Bytes, error) {
	rb := &Bytes{}
	if size >= pooledMin && size <= MaxBytes {
		rb.pooled = poolFor(size).Get().(*[]byte)
		rb.b = (*rb.pooled)[:size]
	} else {
		rb.b = make([]byte, size)
	}
	n, err := r.ReadAt(rb.b, off)
	if n == len(rb.b) {
		err = nil
	}
	if err == io.EOF {
		err = ErrChanged
	}
	if err != nil {
		rb.Release()
		return nil, err
	}
	rb.Reader = bytes.NewReader(rb.b)
	rb.crc = v.Update(0, rb.b)
	return rb, nil
}

// CRC64 is the CRC-64 of the bytes.
func (b *Bytes) CRC64() uint64 { return b.crc }

// Sum returns the digest of the bytes by h.
func (b *Bytes) Sum(h hash.Hash) []byte {
	h.Write(b.b)
	return h.Sum(nil)
}

// Open returns a reader of the bytes for one attempt to send them, which
// net/http knows to be in memory. Written must follow once the transport
// has written the attempt; an attempt never written keeps the buffer
// from being reused, and the collector takes it.
func (b *Bytes) Open() *bytes.Reader {
	b.mu.Lock()
	b.writing++
	b.mu.Unlock()
	return bytes.NewReader(b.b)
}

// Written tells that an attempt opened with Open has been written. A
// call with no attempt left open is ignored: it must not let the buffer
// go while another attempt is being written.
func (b *Bytes) Written() {
	b.mu.Lock()
	if b.writing > 0 {
		b.writing--
	}
	b.mu.Unlock()
	b.recycle()
}

// Release tells that the range will not be sent again: its buffer is
// reused once every attempt has been written.
func (b *Bytes) Release() {
	b.mu.Lock()
	b.released = true
	b.mu.Unlock()
	b.recycle()
}

func (b *Bytes) recycle() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released && b.writing == 0 && b.pooled != nil {
		poolFor(int64(len(*b.pooled))).Put(b.pooled)
		b.pooled, b.b, b.Reader = nil, nil, nil
	}
}
