package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"

	"github.com/ossup/ossup/internal/crc64"
	bolt "go.etcd.io/bbolt"
)

// CopyOptions modify CopyObject.
type CopyOptions struct {
	// Check, when not nil, judges the source inside the copy's
	// transaction (the copy source conditions); its error fails the copy.
	Check func(src Object) error
	// Meta, when not nil, returns the copy's metadata from the source;
	// nil keeps the source's.
	Meta func(src Object) (Metadata, error)
	// ForbidOverwrite fails with ErrFileAlreadyExists when the
	// destination exists.
	ForbidOverwrite bool
	// SourceVersion is the version of the source to copy; empty means
	// its current object.
	SourceVersion string
}

// CopyObject makes dstBucket/dstKey an object with the content of
// srcBucket/srcKey in one transaction, without reading or copying data:
// the copy's manifest references the source's blobs, whose reference
// counts grow by one, so copying 5 GiB costs what copying 5 KiB does and
// deleting either object leaves the other whole. The copy keeps the
// source's size, ETag, CRC-64 and type and is modified now. Copying an
// object onto itself replaces its metadata (opts.Meta) and keeps its data.
func (s *Disk) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (Object, error) {
	if err := checkKey(dstKey); err != nil {
		return Object{}, err
	}
	var rec *objectRec
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		src, err := getVersionRec(tx, srcBucket, srcKey, opts.SourceVersion, true)
		if err != nil {
			return nil, err
		}
		srcObj := src.object(srcBucket, srcKey)
		if opts.Check != nil {
			if err := opts.Check(srcObj); err != nil {
				return nil, err
			}
		}
		rec = &objectRec{objectHdr: src.objectHdr, Blobs: src.Blobs, Inline: src.Inline}
		rec.Version, rec.Seq = "", 0
		rec.Modified = s.now().UnixNano()
		rec.Restore = nil // a copy is not restored
		if opts.Meta != nil {
			meta, err := opts.Meta(srcObj)
			if err != nil {
				return nil, err
			}
			rec.Meta = toMetaRec(meta)
		}
		if err := retain(tx, rec.blobIDs()); err != nil {
			return nil, err
		}
		return putObjectRec(tx, dstBucket, dstKey, rec, opts.ForbidOverwrite)
	})
	if err != nil {
		return Object{}, err
	}
	return rec.object(dstBucket, dstKey), nil
}

// errSourceChanged reports that the source of a part copy was replaced or
// deleted while its range was read; CopyPart then starts over.
var errSourceChanged = errors.New("store: copy source changed while read")

// copyAttempts bounds how often CopyPart starts over when its source
// changes under it.
const copyAttempts = 3

// segment is one piece of a part copy's range within one source blob.
type segment struct {
	blob   blobRef
	off    int64 // offset of the piece in the blob
	length int64
}

// whole reports whether the piece is the entire blob, to be shared.
func (g segment) whole() bool { return g.off == 0 && g.length == g.blob.Size }

// CopyPart stores part n of upload uploadID of bucket/key from length
// bytes at offset off of version srcVersion ("" for the current object) of
// srcBucket/srcKey (length -1: to the end). check, when not nil, judges
// the source first (the copy source conditions).
//
// Source blobs the range covers whole are shared, as CopyObject shares
// them; of the blobs it covers in part (at most the two at its ends) only
// the covered bytes are copied, into new blobs. The part's ETag and CRC-64
// are those of its bytes, so the range is read once to compute them. If
// the source is replaced meanwhile the copy starts over, and fails with
// errSourceChanged when it changed under every one of copyAttempts.
// An offset or length outside the source fails with ErrInvalidArgument.
func (s *Disk) CopyPart(ctx context.Context, bucket, key, uploadID string, n int, srcBucket, srcKey, srcVersion string, off, length int64, check func(src Object) error) (Part, error) {
	if n < 1 || n > MaxPartNumber {
		return Part{}, fmt.Errorf("%w: part number %d not in 1..%d", ErrInvalidArgument, n, MaxPartNumber)
	}
	for attempt := 1; ; attempt++ {
		p, err := s.copyPart(ctx, bucket, key, uploadID, n, srcBucket, srcKey, srcVersion, off, length, check)
		if (errors.Is(err, errSourceChanged) || errors.Is(err, fs.ErrNotExist)) && attempt < copyAttempts {
			continue
		}
		return p, err
	}
}

func (s *Disk) copyPart(ctx context.Context, bucket, key, uploadID string, n int, srcBucket, srcKey, srcVersion string, off, length int64, check func(src Object) error) (Part, error) {
	var src objectRec
	err := s.view(ctx, func(tx *bolt.Tx) (err error) {
		if _, err := findUpload(tx, bucket, key, uploadID); err != nil {
			return err
		}
		src, err = getVersionRec(tx, srcBucket, srcKey, srcVersion, true)
		if err != nil {
			return err
		}
		if check != nil {
			return check(src.object(srcBucket, srcKey))
		}
		return nil
	})
	if err != nil {
		return Part{}, err
	}
	if length < 0 {
		length = src.Size - off
	}
	if off < 0 || length < 0 || off+length > src.Size {
		return Part{}, fmt.Errorf("%w: range of %d bytes at %d outside an object of %d bytes", ErrInvalidArgument, length, off, src.Size)
	}
	if length > MaxBlobSize {
		return Part{}, ErrEntityTooLarge
	}
	var (
		segs  []segment
		blobs []blobRef
		added []string
		h     = &digest{md5: md5.New()}
	)
	if src.Inline != nil {
		// The source's content came with its record: the range is copied
		// from that snapshot into a blob of the part's own.
		var info blobInfo
		info, err = s.writeBlob(ctx, io.TeeReader(bytes.NewReader(src.Inline[off:off+length]), h), length, nil)
		if err == nil {
			added = []string{info.id}
			blobs = []blobRef{{ID: info.id, Size: info.size}}
		}
	} else {
		segs = segments(src.Blobs, off, length)
		blobs, added, err = s.gather(ctx, segs, h)
	}
	if err != nil {
		s.removeBlobs(added)
		return Part{}, err
	}
	rec := partRec{Size: length, CRC64: h.crc, NVME: h.nvme, HasNVME: true, Modified: s.now().UnixNano(), Blobs: blobs}
	copy(rec.MD5[:], h.md5.Sum(nil))
	err = s.commit(ctx, added, func(tx *bolt.Tx) ([]string, error) {
		u, err := findUpload(tx, bucket, key, uploadID)
		if err != nil {
			return nil, err
		}
		now, err := getVersionRec(tx, srcBucket, srcKey, srcVersion, true)
		if err != nil || now.ETag != src.ETag || now.Modified != src.Modified || !slices.Equal(now.Blobs, src.Blobs) {
			return nil, errSourceChanged
		}
		var shared []string
		for _, g := range segs {
			if g.whole() {
				shared = append(shared, g.blob.ID)
			}
		}
		if err := retain(tx, shared); err != nil {
			return nil, err
		}
		pb, k := u.b.Bucket([]byte(bktParts)), partKey(uploadID, n)
		var dropped []string
		if v := pb.Get(k); v != nil {
			old, err := decodePart(v)
			if err != nil {
				return nil, err
			}
			dropped = old.blobIDs()
		}
		enc, err := encodePart(&rec)
		if err != nil {
			return nil, err
		}
		return dropped, pb.Put(k, enc)
	})
	if err != nil {
		return Part{}, err
	}
	return rec.part(n), nil
}

// segments cuts [off, off+length) of a manifest into per-blob pieces.
func segments(blobs []blobRef, off, length int64) []segment {
	var out []segment
	var start int64
	end := off + length
	for _, b := range blobs {
		bEnd := start + b.Size
		if bEnd > off && start < end {
			lo, hi := max(off, start), min(end, bEnd)
			out = append(out, segment{blob: b, off: lo - start, length: hi - lo})
		}
		start = bEnd
	}
	return out
}

// gather reads the pieces in order, hashing all of them into h, and
// copies each partial piece into a new blob. It returns the part's
// manifest and the new blobs (to remove on failure).
func (s *Disk) gather(ctx context.Context, segs []segment, h *digest) (blobs []blobRef, added []string, err error) {
	for _, g := range segs {
		f, err := s.root.Open(blobPath(g.blob.ID))
		if err != nil {
			return nil, added, fmt.Errorf("store: copy source blob: %w", err)
		}
		sec := io.NewSectionReader(f, g.off, g.length)
		if g.whole() {
			buf := s.bufs.Get().(*[]byte)
			var got int64
			got, err = io.CopyBuffer(h, ctxReader{ctx, sec}, *buf)
			s.bufs.Put(buf)
			if err == nil && got != g.length {
				err = fmt.Errorf("store: copy source blob %s: %d of %d bytes: %w", g.blob.ID, got, g.length, io.ErrUnexpectedEOF)
			}
			blobs = append(blobs, g.blob)
		} else {
			var info blobInfo
			info, err = s.writeBlob(ctx, io.TeeReader(sec, h), g.length, nil)
			if err == nil {
				added = append(added, info.id)
				blobs = append(blobs, blobRef{ID: info.id, Size: info.size})
			}
		}
		_ = f.Close() // read-only
		if err != nil {
			return nil, added, err
		}
	}
	return blobs, added, nil
}

// digest computes MD5 and CRC-64 of what is written to it.
type digest struct {
	md5  hash.Hash
	crc  uint64
	nvme uint64
}

func (d *digest) Write(p []byte) (int, error) {
	d.md5.Write(p)
	d.crc = crc64.Update(d.crc, p)
	d.nvme = crc64.UpdateNVME(d.nvme, p)
	return len(p), nil
}
