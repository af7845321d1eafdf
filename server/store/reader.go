package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// objectReader reads an object across its manifest's blobs. It keeps at
// most one blob open: the one the position is in.
type objectReader struct {
	root   *os.Root
	name   string // bucket/key, for errors
	blobs  []blobRef
	ends   []int64 // ends[i] is the offset just past blob i
	off    int64
	cur    int      // index of f in blobs, or -1
	f      *os.File // open blob, or nil
	closed bool
}

func newObjectReader(root *os.Root, name string, blobs []blobRef) *objectReader {
	ends := make([]int64, len(blobs))
	var end int64
	for i, b := range blobs {
		end += b.Size
		ends[i] = end
	}
	return &objectReader{root: root, name: name, blobs: blobs, ends: ends, cur: -1}
}

func (r *objectReader) size() int64 {
	if len(r.ends) == 0 {
		return 0
	}
	return r.ends[len(r.ends)-1]
}

// index returns the blob holding byte off (< size): the first blob that
// ends after off, found by binary search over the cumulative sizes.
func (r *objectReader) index(off int64) int {
	if r.cur >= 0 && off < r.ends[r.cur] && off >= r.ends[r.cur]-r.blobs[r.cur].Size {
		return r.cur
	}
	return sort.Search(len(r.ends), func(i int) bool { return r.ends[i] > off })
}

// openAt opens the blob holding byte off, closing the previous one. It does
// nothing when off is at or past the end.
func (r *objectReader) openAt(off int64) error {
	if off >= r.size() {
		return nil
	}
	i := r.index(off)
	if i == r.cur {
		return nil
	}
	if r.f != nil {
		_ = r.f.Close() // read-only
		r.f, r.cur = nil, -1
	}
	f, err := r.root.Open(blobPath(r.blobs[i].ID))
	if err != nil {
		return fmt.Errorf("store: read %s: blob %d of %d gone (object replaced or deleted while read?): %w",
			r.name, i+1, len(r.blobs), err)
	}
	r.f, r.cur = f, i
	return nil
}

// Read reads from the current position, at most to the end of its blob.
func (r *objectReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.off >= r.size() {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := r.openAt(r.off); err != nil {
		return 0, err
	}
	end := r.ends[r.cur]
	start := end - r.blobs[r.cur].Size
	if rest := end - r.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.f.ReadAt(p, r.off-start)
	r.off += int64(n)
	if n == len(p) {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, fmt.Errorf("store: read %s: blob %d of %d shorter than recorded: %w", r.name, r.cur+1, len(r.blobs), err)
}

// Seek sets the position for the next Read; the blob is found and opened
// by that Read. Positions past the end are allowed and read as EOF.
func (r *objectReader) Seek(offset int64, whence int) (int64, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += r.off
	case io.SeekEnd:
		abs += r.size()
	default:
		return 0, errors.New("store: seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("store: seek: negative position")
	}
	r.off = abs
	return abs, nil
}

// Close closes the open blob. It is safe to call more than once.
func (r *objectReader) Close() error {
	r.closed = true
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f, r.cur = nil, -1
	return err
}

// inlineReader reads an object kept in its record.
type inlineReader struct{ *bytes.Reader }

func (inlineReader) Close() error { return nil }
