package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

const (
	tmpDir   = "tmp"
	blobsDir = "blobs"
	copyBuf  = 1 << 20 // bytes per pooled copy buffer
)

// newBlobID returns 32 lowercase hex characters from crypto/rand.
func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// blobsPerShard is how many blobs in a row the store creates in one
// blobs/<2 hex> directory before it moves to the next, so that blobs
// written at the same time share their directory's fsync.
const blobsPerShard = 64

// newBlobID returns a new blob id: 32 lowercase hex characters, the first
// two naming the directory that blobs created about now go to, the rest
// from crypto/rand.
func (s *Disk) newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	// 167 is odd, so the directories are visited in a cycle of all 256.
	b[0] = byte(s.blobSeq.Add(1) / blobsPerShard * 167)
	return hex.EncodeToString(b[:])
}

// newUploadID returns 32 uppercase hex characters: 16 of the initiation
// time in Unix nanoseconds, then 16 from crypto/rand. IDs of one key thus
// sort in initiation order, and the time is recoverable from the ID.
func newUploadID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// blobDir is the directory of blob id, relative to the data directory.
func blobDir(id string) string { return blobsDir + "/" + id[:2] }

// blobPath is the file of blob id, relative to the data directory.
func blobPath(id string) string { return blobDir(id) + "/" + id }

// blobInfo describes a blob just written.
type blobInfo struct {
	id    string
	size  int64
	md5   []byte
	crc64 uint64
	nvme  uint64 // CRC-64/NVME, the checksum S3 clients ask for
}

// hashWriter writes to a file while computing MD5 and CRC-64 in one pass.
// It has no ReadFrom, so io.CopyBuffer uses the pooled buffer.
type hashWriter struct {
	f    *os.File
	md5  hash.Hash
	crc  uint64
	nvme uint64
}

func (w *hashWriter) Write(p []byte) (int, error) {
	w.md5.Write(p)
	w.crc = crc64.Update(w.crc, p)
	w.nvme = crc64.UpdateNVME(w.nvme, p)
	return w.f.Write(p)
}

// ctxReader fails with the context's error once it is done, so a long copy
// stops between chunks.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// writeBlob streams exactly size bytes of r into a new blob: the file is
// created under its final name, written, checked against wantMD5 (when
// not nil), fsynced and closed. On error nothing is left. Its directory
// entry is not durable yet: the caller passes the blob to commit as
// added, which fsyncs the directory before the change that references
// the blob. A crash before that change commits leaves a file no record
// references, which Open removes.
func (s *Disk) writeBlob(ctx context.Context, r io.Reader, size int64, wantMD5 []byte) (blobInfo, error) {
	if size < 0 && size != SizeUnknown {
		return blobInfo{}, fmt.Errorf("%w: negative size %d", ErrInvalidArgument, size)
	}
	id := s.newBlobID()
	if _, err := s.makeBlobDir(id); err != nil {
		return blobInfo{}, err
	}
	f, err := s.blobs.OpenFile(blobName(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return blobInfo{}, fmt.Errorf("store: create blob: %w", err)
	}
	info, err := s.fill(ctx, f, r, size, wantMD5)
	if err == nil {
		if err = f.Close(); err != nil {
			err = fmt.Errorf("store: close blob: %w", err)
		}
	} else {
		_ = f.Close()
	}
	if err != nil {
		_ = s.blobs.Remove(blobName(id))
		return blobInfo{}, err
	}
	info.id = id
	return info, nil
}

// fill copies the body into f, checks its length and digest and fsyncs f.
func (s *Disk) fill(ctx context.Context, f *os.File, r io.Reader, size int64, wantMD5 []byte) (blobInfo, error) {
	buf := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(buf)
	w := &hashWriter{f: f, md5: md5.New()}
	limit := size
	if size == SizeUnknown {
		limit = MaxBlobSize + 1
	}
	n, err := io.CopyBuffer(w, io.LimitReader(ctxReader{ctx, r}, limit), *buf)
	switch {
	case size == SizeUnknown && n > MaxBlobSize:
		return blobInfo{}, ErrEntityTooLarge
	case size == SizeUnknown && err == nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
		return blobInfo{}, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, n, size)
	case err != nil:
		return blobInfo{}, fmt.Errorf("store: receive body: %w", err)
	case n < size:
		return blobInfo{}, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, n, size)
	}
	sum := w.md5.Sum(nil)
	if wantMD5 != nil && !bytes.Equal(sum, wantMD5) {
		return blobInfo{}, ErrBadDigest
	}
	if err := ctx.Err(); err != nil {
		return blobInfo{}, err
	}
	if err := f.Sync(); err != nil {
		return blobInfo{}, fmt.Errorf("store: sync blob: %w", err)
	}
	return blobInfo{size: n, md5: sum, crc64: w.crc, nvme: w.nvme}, nil
}

// readInline reads exactly size bytes (at most InlineMax) of r for an
// object kept in its record, and checks them against wantMD5 when not nil.
// Nothing touches the disk: the commit that records the object makes the
// content durable with it.
func readInline(ctx context.Context, r io.Reader, size int64, wantMD5 []byte) (blobInfo, []byte, error) {
	if size < 0 || size > InlineMax {
		return blobInfo{}, nil, fmt.Errorf("%w: %d bytes inline", ErrInvalidArgument, size)
	}
	data := make([]byte, size)
	// Not io.ReadFull: it drops an error that comes with the last bytes,
	// and a reader that checks the body (a payload digest) reports its
	// mismatch exactly there.
	var n int
	for n < len(data) {
		k, err := ctxReader{ctx, r}.Read(data[n:])
		n += k
		switch {
		case (err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)) && n < len(data):
			return blobInfo{}, nil, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, n, size)
		case err != nil && err != io.EOF:
			return blobInfo{}, nil, fmt.Errorf("store: receive body: %w", err)
		case k == 0 && err == nil:
			return blobInfo{}, nil, fmt.Errorf("store: receive body: %w", io.ErrNoProgress)
		}
	}
	sum := md5.Sum(data)
	if wantMD5 != nil && !bytes.Equal(sum[:], wantMD5) {
		return blobInfo{}, nil, ErrBadDigest
	}
	if err := ctx.Err(); err != nil {
		return blobInfo{}, nil, err
	}
	return blobInfo{size: size, md5: sum[:], crc64: crc64.Update(0, data), nvme: crc64.UpdateNVME(0, data)}, data, nil
}

// syncDir fsyncs a directory of the data directory.
func (s *Disk) syncDir(name string) error { return syncDir(s.root, name) }

// removeBlobs deletes blobs no record references any more. A failure is
// logged, not returned: the change of state is already committed, and the
// next Open collects what is left.
func (s *Disk) removeBlobs(ids []string) {
	for _, id := range ids {
		err := fs.ErrInvalid
		if _, derr := blobDirName(id); derr == nil {
			err = s.blobs.Remove(blobName(id))
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("store: remove blob", "blob", id, "err", err)
		}
	}
}
