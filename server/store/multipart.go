package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

func (r *uploadRec) upload(bucket, key, id string) Upload {
	return Upload{Bucket: bucket, Key: key, ID: id, Initiated: fromNanos(r.Initiated), Meta: r.Meta.metadata()}
}

// openUpload is an upload found in a transaction.
type openUpload struct {
	b   *bolt.Bucket // the OSS bucket
	sub *bolt.Bucket // uploads/<key>
	rec uploadRec
}

// findUpload looks up upload id of bucket/key.
func findUpload(tx *bolt.Tx, bucket, key, id string) (openUpload, error) {
	b, err := bucketOf(tx, bucket)
	if err != nil {
		return openUpload{}, err
	}
	u := openUpload{b: b, sub: b.Bucket([]byte(bktUploads)).Bucket([]byte(key))}
	if u.sub == nil || id == "" {
		return openUpload{}, ErrNoSuchUpload
	}
	v := u.sub.Get([]byte(id))
	if v == nil {
		return openUpload{}, ErrNoSuchUpload
	}
	return u, decodeJSON(v, &u.rec)
}

// numberedPart is a part record with its number.
type numberedPart struct {
	n   int
	rec partRec
}

// partsOf returns upload id's parts numbered above after, ascending, at
// most limit of them (all when limit < 0), and whether more remain.
func partsOf(b *bolt.Bucket, id string, after, limit int) ([]numberedPart, bool, error) {
	var out []numberedPart
	if after < 0 {
		after = 0
	}
	if after >= MaxPartNumber {
		return nil, false, nil
	}
	c := b.Bucket([]byte(bktParts)).Cursor()
	pre := []byte(id)
	for k, v := c.Seek(partKey(id, after+1)); k != nil && len(k) == len(pre)+4 && string(k[:len(pre)]) == id; k, v = c.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		rec, err := decodePart(v)
		if err != nil {
			return nil, false, err
		}
		out = append(out, numberedPart{n: int(binary.BigEndian.Uint32(k[len(pre):])), rec: rec})
	}
	return out, false, nil
}

// end deletes the upload and all its parts (listed in parts).
func (u openUpload) end(key, id string, parts []numberedPart) error {
	pb := u.b.Bucket([]byte(bktParts))
	for _, p := range parts {
		if err := pb.Delete(partKey(id, p.n)); err != nil {
			return err
		}
	}
	if err := u.sub.Delete([]byte(id)); err != nil {
		return err
	}
	if k, _ := u.sub.Cursor().First(); k == nil {
		return u.b.Bucket([]byte(bktUploads)).DeleteBucket([]byte(key))
	}
	return nil
}

// CreateUpload starts a multipart upload of bucket/key. Its ID is 32
// uppercase hex characters: the initiation time in Unix nanoseconds, then
// 64 random bits.
func (s *Disk) CreateUpload(ctx context.Context, bucket, key string, meta Metadata) (Upload, error) {
	if err := checkKey(key); err != nil {
		return Upload{}, err
	}
	now := s.now()
	id := newUploadID(now)
	rec := uploadRec{Initiated: now.UnixNano(), Meta: toMetaRec(meta)}
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		ups, err := subOf(tx, bucket, bktUploads)
		if err != nil {
			return nil, err
		}
		sub, err := ups.CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return nil, err
		}
		return nil, putJSON(sub, []byte(id), rec)
	})
	if err != nil {
		return Upload{}, err
	}
	return rec.upload(bucket, key, id), nil
}

// GetUpload returns upload uploadID of bucket/key.
func (s *Disk) GetUpload(ctx context.Context, bucket, key, uploadID string) (Upload, error) {
	var u openUpload
	err := s.view(ctx, func(tx *bolt.Tx) (err error) {
		u, err = findUpload(tx, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return Upload{}, err
	}
	return u.rec.upload(bucket, key, uploadID), nil
}

// PutPart stores exactly size bytes from r as part n (1..MaxPartNumber,
// else ErrInvalidArgument), replacing an earlier part n, whose blob is then
// removed. The upload is checked before the body is read and again in the
// commit: a part whose upload ended meanwhile fails with ErrNoSuchUpload
// and leaves nothing behind.
func (s *Disk) PutPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64, contentMD5 []byte) (Part, error) {
	if n < 1 || n > MaxPartNumber {
		return Part{}, fmt.Errorf("%w: part number %d not in 1..%d", ErrInvalidArgument, n, MaxPartNumber)
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		_, err := findUpload(tx, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return Part{}, err
	}
	blob, err := s.writeBlob(ctx, r, size, contentMD5)
	if err != nil {
		return Part{}, err
	}
	rec := partRec{Size: blob.size, CRC64: blob.crc64, NVME: blob.nvme, HasNVME: true, Modified: s.now().UnixNano(), Blobs: []blobRef{{ID: blob.id, Size: blob.size}}}
	copy(rec.MD5[:], blob.md5)
	err = s.commit(ctx, []string{blob.id}, func(tx *bolt.Tx) ([]string, error) {
		u, err := findUpload(tx, bucket, key, uploadID)
		if err != nil {
			return nil, err
		}
		pb, k := u.b.Bucket([]byte(bktParts)), partKey(uploadID, n)
		var freed []string
		if v := pb.Get(k); v != nil {
			old, err := decodePart(v)
			if err != nil {
				return nil, err
			}
			freed = old.blobIDs()
		}
		enc, err := encodePart(&rec)
		if err != nil {
			return nil, err
		}
		return freed, pb.Put(k, enc)
	})
	if err != nil {
		return Part{}, err
	}
	return rec.part(n), nil
}

// ListParts returns parts numbered above marker, in number order, at most
// max of them (see MaxList).
func (s *Disk) ListParts(ctx context.Context, bucket, key, uploadID string, marker, max int) (parts []Part, truncated bool, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		u, err := findUpload(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		got, more, err := partsOf(u.b, uploadID, marker, pageSize(max))
		for _, p := range got {
			parts = append(parts, p.rec.part(p.n))
		}
		truncated = more
		return err
	})
	return parts, truncated, err
}

// AbortUpload ends upload uploadID of bucket/key and removes its parts.
func (s *Disk) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		u, err := findUpload(tx, bucket, key, uploadID)
		if err != nil {
			return nil, err
		}
		all, _, err := partsOf(u.b, uploadID, 0, -1)
		if err != nil {
			return nil, err
		}
		var dropped []string
		for _, p := range all {
			dropped = append(dropped, p.rec.blobIDs()...)
		}
		return dropped, u.end(key, uploadID, all)
	})
}
