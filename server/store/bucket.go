package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Bucket defaults applied by CreateBucket to empty fields.
const (
	DefaultACL                = "private"
	DefaultStorageClass       = "Standard"
	DefaultDataRedundancyType = "LRS"
)

// CreateBucket creates b, or re-applies its ACL when a bucket of that name
// exists with the same owner, storage class and redundancy (the latter two
// compared ignoring case; ErrBucketExists otherwise). Empty ACL, StorageClass and
// DataRedundancyType mean DefaultACL, DefaultStorageClass and
// DefaultDataRedundancyType; b.Created is ignored. A store holds at most
// MaxBuckets buckets (ErrTooManyBuckets).
func (s *Disk) CreateBucket(ctx context.Context, b Bucket) (created bool, err error) {
	if b.Name == "" {
		return false, ErrInvalidArgument
	}
	rec := bucketRec{
		Owner:              b.Owner,
		ACL:                orDefault(b.ACL, DefaultACL),
		StorageClass:       orDefault(b.StorageClass, DefaultStorageClass),
		DataRedundancyType: orDefault(b.DataRedundancyType, DefaultDataRedundancyType),
		Created:            s.now().UnixNano(),
	}
	err = s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		top := tx.Bucket([]byte(bktBuckets))
		if old := top.Bucket([]byte(b.Name)); old != nil {
			return nil, reapplyACL(old, rec)
		}
		if countBuckets(top) >= MaxBuckets {
			return nil, ErrTooManyBuckets
		}
		created = true
		return nil, newBucket(top, b.Name, rec)
	})
	return created && err == nil, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func reapplyACL(b *bolt.Bucket, rec bucketRec) error {
	var old bucketRec
	if err := decodeJSON(b.Get([]byte(keyInfo)), &old); err != nil {
		return err
	}
	if old.Owner != rec.Owner ||
		!strings.EqualFold(old.StorageClass, rec.StorageClass) ||
		!strings.EqualFold(old.DataRedundancyType, rec.DataRedundancyType) {
		return ErrBucketExists
	}
	old.ACL = rec.ACL
	return putJSON(b, []byte(keyInfo), old)
}

func countBuckets(top *bolt.Bucket) int {
	n := 0
	c := top.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

func newBucket(top *bolt.Bucket, name string, rec bucketRec) error {
	b, err := top.CreateBucket([]byte(name))
	if err != nil {
		return err
	}
	for _, sub := range []string{bktObjects, bktUploads, bktParts} {
		if _, err := b.CreateBucket([]byte(sub)); err != nil {
			return err
		}
	}
	return putJSON(b, []byte(keyInfo), rec)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	enc, err := encodeJSON(v)
	if err != nil {
		return err
	}
	return b.Put(key, enc)
}

// GetBucket returns bucket name's settings.
func (s *Disk) GetBucket(ctx context.Context, name string) (Bucket, error) {
	var out Bucket
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b, err := bucketOf(tx, name)
		if err != nil {
			return err
		}
		out, err = readBucket(name, b)
		return err
	})
	return out, err
}

func readBucket(name string, b *bolt.Bucket) (Bucket, error) {
	var rec bucketRec
	if err := decodeJSON(b.Get([]byte(keyInfo)), &rec); err != nil {
		return Bucket{}, err
	}
	return Bucket{
		Name:               name,
		Owner:              rec.Owner,
		ACL:                rec.ACL,
		StorageClass:       rec.StorageClass,
		DataRedundancyType: rec.DataRedundancyType,
		Created:            fromNanos(rec.Created),
		Versioning:         versioningOf(b),
	}, nil
}

// SetBucketACL replaces bucket name's ACL; empty means DefaultACL.
func (s *Disk) SetBucketACL(ctx context.Context, name, acl string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, name)
		if err != nil {
			return nil, err
		}
		var rec bucketRec
		if err := decodeJSON(b.Get([]byte(keyInfo)), &rec); err != nil {
			return nil, err
		}
		rec.ACL = orDefault(acl, DefaultACL)
		return nil, putJSON(b, []byte(keyInfo), rec)
	})
}

// DeleteBucket removes bucket name; it fails with ErrBucketNotEmpty while
// objects or uploads remain.
func (s *Disk) DeleteBucket(ctx context.Context, name string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, name)
		if err != nil {
			return nil, err
		}
		for _, sub := range []string{bktObjects, bktUploads, bktParts, bktVersions} {
			if bb := b.Bucket([]byte(sub)); bb != nil {
				if k, _ := bb.Cursor().First(); k != nil {
					return nil, ErrBucketNotEmpty
				}
			}
		}
		return nil, tx.Bucket([]byte(bktBuckets)).DeleteBucket([]byte(name))
	})
}

// ListBuckets returns buckets with the prefix whose names are greater than
// marker, in name order, at most max of them (see MaxList).
func (s *Disk) ListBuckets(ctx context.Context, prefix, marker string, max int) (buckets []Bucket, truncated bool, err error) {
	max = pageSize(max)
	err = s.view(ctx, func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte(bktBuckets))
		c := top.Cursor()
		start := prefix
		if marker > start {
			start = marker
		}
		k, _ := c.Seek([]byte(start))
		if k != nil && string(k) == marker {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			if len(buckets) == max {
				truncated = true
				return nil
			}
			b, err := readBucket(string(k), top.Bucket(k))
			if err != nil {
				return err
			}
			buckets = append(buckets, b)
		}
		return nil
	})
	return buckets, truncated, err
}

// pageSize applies the MaxList rule to a requested page size.
func pageSize(n int) int {
	if n < 1 || n > MaxList {
		return MaxList
	}
	return n
}

// bucketIdentity keys the Bucket a context pins (see WithBucket).
type bucketIdentity struct{}

// WithBucket returns ctx pinned to b as the caller found it: a change
// made with the returned context fails with ErrNoSuchBucket when the
// bucket named b.Name is no longer the one created at b.Created, having
// been deleted and its name taken again since. A server authorises a
// request against the bucket it loaded, then reads the body; pinning
// keeps a slow body from landing in another account's new bucket of the
// same name.
func WithBucket(ctx context.Context, b Bucket) context.Context {
	return context.WithValue(ctx, bucketIdentity{}, b)
}

// sameBucket fails with ErrNoSuchBucket when the bucket named b.Name
// exists but was created at another time than b; a missing bucket is
// left to the change, which reports it.
func sameBucket(tx *bolt.Tx, b Bucket) error {
	bb := tx.Bucket([]byte(bktBuckets)).Bucket([]byte(b.Name))
	if bb == nil {
		return nil
	}
	var rec bucketRec
	if err := decodeJSON(bb.Get([]byte(keyInfo)), &rec); err != nil {
		return err
	}
	if rec.Created != b.Created.UnixNano() {
		return fmt.Errorf("%w: %s was deleted and created again", ErrNoSuchBucket, b.Name)
	}
	return nil
}
