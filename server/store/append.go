package store

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"

	"github.com/ossup/ossup/internal/crc64"
	bolt "go.etcd.io/bbolt"
)

// Errors of AppendObject.
var (
	// ErrPositionNotEqualToLength: the append position is not the
	// object's length. It comes wrapped in a *PositionError.
	ErrPositionNotEqualToLength = errors.New("store: append position is not the object's length")
	// ErrObjectNotAppendable: the object exists and is not Appendable.
	ErrObjectNotAppendable = errors.New("store: object is not appendable")
)

// PositionError is an append at the wrong position; Length is where the
// next append must start.
type PositionError struct{ Length int64 }

func (e *PositionError) Error() string {
	return fmt.Sprintf("%v: length is %d", ErrPositionNotEqualToLength, e.Length)
}

func (e *PositionError) Unwrap() error { return ErrPositionNotEqualToLength }

// MaxAppendableSize is the largest an Appendable object grows, in bytes.
const MaxAppendableSize = MaxBlobSize

// AppendObject appends exactly size bytes of r (SizeUnknown: to its end)
// to bucket/key at position, which must be the object's length (a
// *PositionError otherwise). At position 0 a free key becomes an
// Appendable object with meta; later appends keep the metadata the first
// one set. Appending to an object of another type fails with
// ErrObjectNotAppendable, and growing past MaxAppendableSize with
// ErrEntityTooLarge.
//
// The body becomes one more blob at the end of the object's manifest, so
// nothing already stored is rewritten. The object's CRC-64 is combined
// from the old one and the body's; its ETag is the uppercase hex MD5 of
// the old ETag followed by the body's MD5, so it changes with every append
// but is not the MD5 of the content. opts.ContentMD5, when set, is checked
// against the body; ForbidOverwrite is ignored.
func (s *Disk) AppendObject(ctx context.Context, bucket, key string, position int64, r io.Reader, size int64, meta Metadata, opts PutOptions) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	if position < 0 {
		return Object{}, fmt.Errorf("%w: negative position %d", ErrInvalidArgument, position)
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		_, err := appendTarget(tx, bucket, key, position)
		return err
	})
	if err != nil {
		return Object{}, err
	}
	if size > MaxAppendableSize-position {
		return Object{}, ErrEntityTooLarge
	}
	blob, err := s.writeBlob(ctx, r, size, opts.ContentMD5)
	if err != nil {
		return Object{}, err
	}
	var rec *objectRec
	err = s.commit(ctx, []string{blob.id}, func(tx *bolt.Tx) ([]string, error) {
		old, err := appendTarget(tx, bucket, key, position)
		if err != nil {
			return nil, err
		}
		if blob.size > MaxAppendableSize-position {
			return nil, ErrEntityTooLarge
		}
		fresh := old == nil
		if fresh {
			old = &objectRec{objectHdr: objectHdr{Type: TypeAppendable, Meta: toMetaRec(meta)}}
		}
		rec = &objectRec{objectHdr: old.objectHdr, Blobs: append(old.Blobs[:len(old.Blobs):len(old.Blobs)], blobRef{ID: blob.id, Size: blob.size})}
		rec.Size += blob.size
		rec.CRC64 = crc64.Combine(old.CRC64, blob.crc64, blob.size)
		switch {
		case old.Size == 0 && old.NVME == nil:
			rec.NVME = &blob.nvme // a new object
		case old.NVME != nil:
			nvme := crc64.CombineNVME(*old.NVME, blob.nvme, blob.size)
			rec.NVME = &nvme
		}
		tag := md5.New()
		tag.Write([]byte(old.ETag))
		tag.Write(blob.md5)
		rec.ETag = upperHex(tag.Sum(nil))
		rec.ContentMD5 = ""
		rec.Modified = s.now().UnixNano()
		if fresh {
			// A new object: in a versioned bucket, a new version.
			return putObjectRec(tx, bucket, key, rec, false)
		}
		rec.Restore = nil // new content is not restored
		enc, err := encodeObject(rec)
		if err != nil {
			return nil, err
		}
		// The old blobs move to the new record: their counts stay, and
		// so does its version, which appends extend in place.
		objs, _ := subOf(tx, bucket, bktObjects)
		return nil, objs.Put([]byte(key), enc)
	})
	if err != nil {
		return Object{}, err
	}
	return rec.object(bucket, key), nil
}

// appendTarget returns the Appendable object an append at position
// extends, or nil when position is 0 and the key is free.
func appendTarget(tx *bolt.Tx, bucket, key string, position int64) (*objectRec, error) {
	rec, err := getObjectRec(tx, bucket, key, true)
	switch {
	case errors.Is(err, ErrNoSuchKey) && position == 0:
		return nil, nil
	case errors.Is(err, ErrNoSuchKey):
		return nil, &PositionError{Length: 0}
	case err != nil:
		return nil, err
	case rec.Type != TypeAppendable:
		return nil, ErrObjectNotAppendable
	case rec.Size != position:
		return nil, &PositionError{Length: rec.Size}
	}
	return &rec, nil
}
