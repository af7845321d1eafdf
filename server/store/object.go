package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"

	bolt "go.etcd.io/bbolt"
)

// Object types.
const (
	TypeNormal     = "Normal"
	TypeMultipart  = "Multipart"
	TypeAppendable = "Appendable"
	TypeSymlink    = "Symlink"
)

// checkKey rejects keys bbolt or OSS cannot hold.
func checkKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: key of %d bytes", ErrInvalidArgument, len(key))
	}
	return nil
}

// PutObject stores exactly size bytes read from r as bucket/key, replacing
// any object there (whose blobs are then removed). Bucket and overwrite
// checks run before the body is read and again in the commit.
func (s *Disk) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64, meta Metadata, opts PutOptions) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		_, err := checkPut(tx, bucket, key, opts.ForbidOverwrite)
		return err
	})
	if err != nil {
		return Object{}, err
	}
	var (
		blob   blobInfo
		inline []byte
		added  []string
	)
	if size != SizeUnknown && size <= s.inlineMax {
		blob, inline, err = readInline(ctx, r, size, opts.ContentMD5)
	} else {
		blob, err = s.writeBlob(ctx, r, size, opts.ContentMD5)
		added = []string{blob.id}
	}
	if err != nil {
		return Object{}, err
	}
	if opts.Checksum != nil {
		meta.Checksum = opts.Checksum()
	}
	rec := &objectRec{
		objectHdr: objectHdr{
			Size:       blob.size,
			ETag:       upperHex(blob.md5),
			ContentMD5: base64.StdEncoding.EncodeToString(blob.md5),
			CRC64:      blob.crc64,
			NVME:       &blob.nvme,
			Type:       TypeNormal,
			Modified:   s.now().UnixNano(),
			Meta:       toMetaRec(meta),
		},
		Inline: inline,
	}
	if inline == nil {
		rec.Blobs = []blobRef{{ID: blob.id, Size: blob.size}}
	}
	err = s.commit(ctx, added, func(tx *bolt.Tx) ([]string, error) {
		return putObjectRec(tx, bucket, key, rec, opts.ForbidOverwrite)
	})
	if err != nil {
		return Object{}, err
	}
	return rec.object(bucket, key), nil
}

// checkPut returns the objects bucket of bucket after checking that key
// may be written.
func checkPut(tx *bolt.Tx, bucket, key string, forbidOverwrite bool) (*bolt.Bucket, error) {
	objs, err := subOf(tx, bucket, bktObjects)
	if err != nil {
		return nil, err
	}
	if forbidOverwrite && objs.Get([]byte(key)) != nil {
		return nil, ErrFileAlreadyExists
	}
	return objs, nil
}

// putObjectRec makes rec the current object of bucket/key and returns the
// blob references the change drops (see keyspace.put).
func putObjectRec(tx *bolt.Tx, bucket, key string, rec *objectRec, forbidOverwrite bool) ([]string, error) {
	ks, err := keyspaceOf(tx, bucket)
	if err != nil {
		return nil, err
	}
	if forbidOverwrite && ks.objs.Get([]byte(key)) != nil {
		return nil, ErrFileAlreadyExists
	}
	return ks.put(key, rec)
}

// getObjectRec reads the current object of bucket/key.
func getObjectRec(tx *bolt.Tx, bucket, key string, withBlobs bool) (objectRec, error) {
	return getVersionRec(tx, bucket, key, "", withBlobs)
}

// getVersionRec reads version id of bucket/key ("" for the current
// object); a delete marker comes with an error (see keyspace.get). In a
// versioned bucket an object written before versioning reads as the
// null version.
func getVersionRec(tx *bolt.Tx, bucket, key, id string, withBlobs bool) (objectRec, error) {
	ks, err := keyspaceOf(tx, bucket)
	if err != nil {
		return objectRec{}, err
	}
	rec, err := ks.get(key, id, withBlobs)
	if err != nil && !rec.Marker {
		return objectRec{}, err
	}
	if ks.vers != nil && rec.Version == "" {
		// Written before the bucket was versioned: its null version.
		rec.Version = NullVersion
	}
	return rec, err
}

// HeadObject returns bucket/key's description.
func (s *Disk) HeadObject(ctx context.Context, bucket, key string) (Object, error) {
	obj, err := s.HeadVersion(ctx, bucket, key, "")
	if err != nil {
		return Object{}, err
	}
	return obj, nil
}

// OpenObject returns bucket/key and a reader of its content that streams
// across the object's blobs; the caller closes it.
//
// The reader holds the first blob open and opens each further blob when
// reading reaches it. If the object is replaced or deleted meanwhile, blobs
// already open stay readable (Linux keeps unlinked files alive), so a
// Normal object always reads back whole; a multipart object's blob not yet
// opened may be gone, and Read then fails with an error wrapping
// fs.ErrNotExist. A race with a replacement before the first blob is open
// is retried, so OpenObject returns the old or the new object.
func (s *Disk) OpenObject(ctx context.Context, bucket, key string) (Object, ReadSeekCloser, error) {
	return s.OpenVersion(ctx, bucket, key, "")
}

// OpenVersion is OpenObject of version id of bucket/key ("" for the
// current object).
func (s *Disk) OpenVersion(ctx context.Context, bucket, key, id string) (Object, ReadSeekCloser, error) {
	for attempt := 0; ; attempt++ {
		var rec objectRec
		err := s.view(ctx, func(tx *bolt.Tx) (err error) {
			rec, err = getVersionRec(tx, bucket, key, id, true)
			return err
		})
		if err != nil && rec.Marker {
			return rec.object(bucket, key), nil, err
		}
		if err != nil {
			return Object{}, nil, err
		}
		if rec.Inline != nil {
			return rec.object(bucket, key), inlineReader{bytes.NewReader(rec.Inline)}, nil
		}
		r := newObjectReader(s.root, bucket+"/"+key, rec.Blobs)
		err = r.openAt(0)
		if err == nil {
			return rec.object(bucket, key), r, nil
		}
		_ = r.Close()
		if !errors.Is(err, fs.ErrNotExist) || attempt == 2 {
			return Object{}, nil, err
		}
	}
}

// DeleteObject deletes the current object of bucket/key (see
// DeleteObjects); a missing key is not an error.
func (s *Disk) DeleteObject(ctx context.Context, bucket, key string) error {
	return s.DeleteObjects(ctx, bucket, []string{key})
}

// DeleteObjects deletes the current objects of bucket named by keys in one
// transaction, so one commit (one fsync) serves them all, then removes
// the blobs no record references any more. In a versioned bucket each
// delete is a delete marker instead (see DeleteVersions). Missing and
// repeated keys are not errors. A crash leaves either every object or
// none of them; blobs are removed only after the commit, and a crash
// between the two leaves blobs the next Open collects.
func (s *Disk) DeleteObjects(ctx context.Context, bucket string, keys []string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		_, dropped, err := deleteObjectRecs(tx, bucket, keys, s.now().UnixNano(), nil)
		return dropped, err
	})
}

// deleteObjectRecs deletes the current objects of bucket named by keys
// for which expired, when not nil, given the object as stored, returns
// true. It returns the keys deleted and the blob references they drop.
// Missing and repeated keys are skipped; in a versioned bucket, keys
// whose current version is a delete marker are too, but for a delete
// (expired nil), which stacks another marker on it.
func deleteObjectRecs(tx *bolt.Tx, bucket string, keys []string, now int64, expired func(Object) bool) (deleted, dropped []string, err error) {
	ks, err := keyspaceOf(tx, bucket)
	if err != nil {
		return nil, nil, err
	}
	ks.now = now
	for _, key := range keys {
		v := ks.objs.Get([]byte(key))
		if v == nil && (ks.vers == nil || expired != nil) {
			continue
		}
		if v != nil && expired != nil {
			rec, err := decodeObject(v, false)
			if err != nil {
				return nil, nil, err
			}
			if !expired(rec.object(bucket, key)) {
				continue
			}
		}
		_, freed, err := ks.deleteCurrent(key)
		if err != nil {
			return nil, nil, err
		}
		deleted = append(deleted, key)
		dropped = append(dropped, freed...)
	}
	return deleted, dropped, nil
}

// SetObjectACL replaces the ACL of version id of bucket/key ("" for the
// current object) in one transaction; the data, the ETag and the
// modification time stay as they are.
func (s *Disk) SetObjectACL(ctx context.Context, bucket, key, id, acl string) error {
	return s.updateMeta(ctx, bucket, key, id, func(m *metaRec) { m.ACL = acl })
}

// SetObjectTags replaces the tags of version id of bucket/key ("" for
// the current object; nil or empty tags removes them) in one
// transaction; the data, the ETag and the modification time stay as they
// are.
func (s *Disk) SetObjectTags(ctx context.Context, bucket, key, id string, tags map[string]string) error {
	if len(tags) == 0 {
		tags = nil
	}
	return s.updateMeta(ctx, bucket, key, id, func(m *metaRec) { m.Tags = tags })
}

// updateMeta changes the metadata of version id of bucket/key with fn in
// one transaction.
func (s *Disk) updateMeta(ctx context.Context, bucket, key, id string, fn func(*metaRec)) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		ks, err := keyspaceOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		return nil, ks.update(key, id, func(r *objectRec) { fn(&r.Meta) })
	})
}

// PutSymlink makes bucket/key a Symlink to target (a key of the same
// bucket, which need not exist), replacing any object there. The link has
// no content; its ETag is the uppercase hex MD5 of the target key.
func (s *Disk) PutSymlink(ctx context.Context, bucket, key, target string, meta Metadata, opts PutOptions) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	if err := checkKey(target); err != nil {
		return Object{}, err
	}
	sum := md5.Sum([]byte(target))
	rec := &objectRec{objectHdr: objectHdr{
		ETag:     upperHex(sum[:]),
		Type:     TypeSymlink,
		Modified: s.now().UnixNano(),
		Meta:     toMetaRec(meta),
		Target:   target,
	}}
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		return putObjectRec(tx, bucket, key, rec, opts.ForbidOverwrite)
	})
	if err != nil {
		return Object{}, err
	}
	return rec.object(bucket, key), nil
}
