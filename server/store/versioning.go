package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Object versioning.
//
// A bucket's versioning state is kept under buckets/<name>/versioning:
// absent for a bucket never versioned, else Enabled or Suspended (a
// bucket once versioned can be suspended but never return to unversioned).
// Setting it creates buckets/<name>/versions, which holds every version of
// a key that is not its current object:
//
//	buckets/<name>/versions/<key>/<8 bytes: ^seq>  objectRec
//
// The current version of a key stays in objects/<key>, so reads and
// listings of current objects cost what they cost in an unversioned
// bucket. Every version written in a versioned bucket takes the next
// number of the versions bucket's sequence (seq); keys within a key's
// sub-bucket are the complement of seq, so bbolt's byte order lists a
// key's versions newest first. A version id is seq in 16 hex digits, so
// an id finds its record without a scan; the null version (written while
// suspended, or before versioning, when its seq is 0) is "null".
//
// Invariants, kept by every change: a key's current object, when it has
// one, is newer than every version under versions/<key>; when it has none,
// the newest version under versions/<key>, if any, is a delete marker; a
// key has at most one null version; an empty versions/<key> is deleted.
// Records move between objects and versions without touching their blob
// references, and a version's blobs are released only when the version
// itself is deleted; so nothing is freed while a version refers to it.
// Each change is one transaction, so after a crash every version is there
// or not, never half moved.

// Versioning states of a bucket; the empty state is a bucket never
// versioned.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
	// NullVersion is the version id of a key's null version.
	NullVersion = "null"
)

// Errors of versioned access.
var (
	// ErrNoSuchVersion: no version of the key has the id asked for.
	ErrNoSuchVersion = errors.New("store: no such version")
	// ErrDeleteMarker: the version asked for is a delete marker, which
	// has no content, ACL or tags.
	ErrDeleteMarker = errors.New("store: the version is a delete marker")
)

const (
	keyVersioning = "versioning"
	bktVersions   = "versions"
)

// ObjectVersion names a version of a key; an empty VersionID names the
// current one.
type ObjectVersion struct {
	Key       string
	VersionID string
}

// DeleteResult is what deleting one ObjectVersion did.
type DeleteResult struct {
	Key string
	// VersionID is the version deleted, as asked ("" for the current
	// object).
	VersionID string
	// DeleteMarker reports that a delete marker was created (a delete of
	// the current object in a versioned bucket) or deleted (a delete by
	// version id of a marker); MarkerVersionID is its id.
	DeleteMarker    bool
	MarkerVersionID string
}

// ListVersionsOptions select a page of ListVersions. Prefix, Delimiter
// and Max work as in ListOptions. With KeyMarker alone, keys greater than
// it are listed; with VersionIDMarker too, first the versions of KeyMarker
// older than that one, then greater keys.
type ListVersionsOptions struct {
	Prefix          string
	Delimiter       string
	KeyMarker       string
	VersionIDMarker string
	Max             int
}

// ListVersionsResult is one page of versions, by key, newest first within
// a key. Each Object has its VersionID ("null" for the null version),
// IsLatest and DeleteMarker set.
type ListVersionsResult struct {
	Versions       []Object
	CommonPrefixes []string
	Truncated      bool
	// NextKeyMarker and NextVersionIDMarker, set when Truncated, name the
	// last version returned, or the last common prefix and "".
	NextKeyMarker       string
	NextVersionIDMarker string
}

// versionID is the id of the version numbered seq.
func versionID(seq uint64) string { return fmt.Sprintf("%016x", seq) }

// parseVersionID returns the number of a version id other than "null".
func parseVersionID(id string) (uint64, bool) {
	if len(id) != 16 {
		return 0, false
	}
	seq, err := strconv.ParseUint(id, 16, 64)
	return seq, err == nil && id == versionID(seq)
}

// orderKey is the key of version seq within its key's sub-bucket.
func orderKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, ^seq) }

// isNull reports whether the record is its key's null version.
func (r *objectRec) isNull() bool { return r.Version == "" || r.Version == NullVersion }

// matches reports whether the record has version id.
func (r *objectRec) matches(id string) bool {
	if id == NullVersion {
		return r.isNull()
	}
	return r.Version == id
}

// listedID is the record's version id as listings show it.
func (r *objectRec) listedID() string {
	if r.isNull() {
		return NullVersion
	}
	return r.Version
}

// versioningOf returns the versioning state of a bucket's bbolt bucket.
func versioningOf(b *bolt.Bucket) string {
	v := b.Get([]byte(keyVersioning))
	if len(v) < 2 || v[0] != recordVersion {
		return ""
	}
	return string(v[1:])
}

// SetBucketVersioning sets bucket's versioning state to VersioningEnabled
// or VersioningSuspended.
func (s *Disk) SetBucketVersioning(ctx context.Context, bucket, state string) error {
	if state != VersioningEnabled && state != VersioningSuspended {
		return fmt.Errorf("%w: versioning state %q", ErrInvalidArgument, state)
	}
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		if _, err := b.CreateBucketIfNotExists([]byte(bktVersions)); err != nil {
			return nil, err
		}
		return nil, b.Put([]byte(keyVersioning), append([]byte{recordVersion}, state...))
	})
}

// keyspace is one bucket's objects and versions within a write or read
// transaction.
type keyspace struct {
	objs  *bolt.Bucket
	vers  *bolt.Bucket // nil for a bucket never versioned
	state string
	now   int64 // Unix nanoseconds, for delete markers
}

func keyspaceOf(tx *bolt.Tx, bucket string) (*keyspace, error) {
	b, err := bucketOf(tx, bucket)
	if err != nil {
		return nil, err
	}
	return &keyspace{objs: b.Bucket([]byte(bktObjects)), vers: b.Bucket([]byte(bktVersions)), state: versioningOf(b)}, nil
}

// put makes rec the current object of key and returns the blob
// references the change drops. In a versioned bucket rec becomes a new
// version (the null version while suspended) and the object it replaces
// becomes a noncurrent version, unless both are null.
func (ks *keyspace) put(key string, rec *objectRec) ([]string, error) {
	k := []byte(key)
	old := ks.objs.Get(k)
	var freed []string
	if ks.vers == nil {
		if old != nil {
			o, err := decodeObject(old, true)
			if err != nil {
				return nil, err
			}
			freed = o.blobIDs()
		}
	} else {
		seq, err := ks.vers.NextSequence()
		if err != nil {
			return nil, err
		}
		rec.Seq, rec.Version, rec.Marker = seq, versionID(seq), false
		if ks.state != VersioningEnabled {
			rec.Version = NullVersion
		}
		if freed, err = ks.retire(key, old, rec.isNull()); err != nil {
			return nil, err
		}
	}
	enc, err := encodeObject(rec)
	if err != nil {
		return nil, err
	}
	return freed, ks.objs.Put(k, enc)
}

// retire moves the current object old (nil for none) of key out of the
// way of a new null version (null) or a new version, and returns the
// references dropped: a null version is replaced by a new null version,
// any other is kept as noncurrent.
func (ks *keyspace) retire(key string, old []byte, null bool) ([]string, error) {
	var freed []string
	if null {
		f, err := ks.dropNoncurrentNull(key)
		if err != nil {
			return nil, err
		}
		freed = f
	}
	if old == nil {
		return freed, nil
	}
	o, err := decodeObject(old, true)
	if err != nil {
		return nil, err
	}
	if o.isNull() && null {
		return append(freed, o.blobIDs()...), nil
	}
	return freed, ks.keep(key, &o)
}

// keep stores rec as a noncurrent version (or a delete marker) of key.
func (ks *keyspace) keep(key string, rec *objectRec) error {
	sub, err := ks.vers.CreateBucketIfNotExists([]byte(key))
	if err != nil {
		return err
	}
	enc, err := encodeObject(rec)
	if err != nil {
		return err
	}
	return sub.Put(orderKey(rec.Seq), enc)
}

// dropNoncurrentNull deletes the noncurrent null version of key, if any,
// and returns its references.
func (ks *keyspace) dropNoncurrentNull(key string) ([]string, error) {
	sub := ks.vers.Bucket([]byte(key))
	if sub == nil {
		return nil, nil
	}
	k, rec, err := findVersion(sub, NullVersion)
	if err != nil || k == nil {
		return nil, err
	}
	if err := sub.Delete(k); err != nil {
		return nil, err
	}
	return rec.blobIDs(), ks.tidy(key)
}

// findVersion returns the key and record of version id in a key's
// sub-bucket, or a nil key.
func findVersion(sub *bolt.Bucket, id string) ([]byte, objectRec, error) {
	if id == NullVersion {
		c := sub.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			hdr, err := decodeObject(v, false)
			if err != nil {
				return nil, objectRec{}, err
			}
			if hdr.isNull() {
				rec, err := decodeObject(v, true)
				return bytes.Clone(k), rec, err
			}
		}
		return nil, objectRec{}, nil
	}
	seq, ok := parseVersionID(id)
	if !ok {
		return nil, objectRec{}, nil
	}
	k := orderKey(seq)
	v := sub.Get(k)
	if v == nil {
		return nil, objectRec{}, nil
	}
	rec, err := decodeObject(v, true)
	if err != nil || rec.Version != id {
		return nil, objectRec{}, err
	}
	return k, rec, nil
}

// tidy deletes key's sub-bucket once it is empty.
func (ks *keyspace) tidy(key string) error {
	sub := ks.vers.Bucket([]byte(key))
	if sub == nil {
		return nil
	}
	if k, _ := sub.Cursor().First(); k != nil {
		return nil
	}
	return ks.vers.DeleteBucket([]byte(key))
}

// promote makes the newest noncurrent version of key its current object
// when that version is not a delete marker.
func (ks *keyspace) promote(key string) error {
	sub := ks.vers.Bucket([]byte(key))
	if sub == nil {
		return nil
	}
	k, v := sub.Cursor().First()
	if k == nil {
		return ks.tidy(key)
	}
	hdr, err := decodeObject(v, false)
	if err != nil || hdr.Marker {
		return err
	}
	if err := ks.objs.Put([]byte(key), bytes.Clone(v)); err != nil {
		return err
	}
	if err := sub.Delete(bytes.Clone(k)); err != nil {
		return err
	}
	return ks.tidy(key)
}

// deleteCurrent deletes key's current object. In a versioned bucket that
// is a new delete marker (the null version while suspended) on top of the
// object, which becomes noncurrent unless both are null. A missing key
// is not an error.
func (ks *keyspace) deleteCurrent(key string) (DeleteResult, []string, error) {
	res := DeleteResult{Key: key}
	k := []byte(key)
	old := ks.objs.Get(k)
	if ks.vers == nil {
		if old == nil {
			return res, nil, nil
		}
		o, err := decodeObject(old, true)
		if err != nil {
			return res, nil, err
		}
		return res, o.blobIDs(), ks.objs.Delete(k)
	}
	seq, err := ks.vers.NextSequence()
	if err != nil {
		return res, nil, err
	}
	marker := &objectRec{objectHdr: objectHdr{Seq: seq, Version: versionID(seq), Marker: true, Modified: ks.now, Type: TypeNormal}}
	if ks.state != VersioningEnabled {
		marker.Version = NullVersion
	}
	freed, err := ks.retire(key, old, marker.isNull())
	if err != nil {
		return res, nil, err
	}
	if old != nil {
		if err := ks.objs.Delete(k); err != nil {
			return res, nil, err
		}
	}
	res.DeleteMarker, res.MarkerVersionID = true, marker.Version
	return res, freed, ks.keep(key, marker)
}

// deleteVersion deletes version id of key for good; a version that does
// not exist is not an error. Deleting the current version, or the delete
// marker that stands for it, makes the next newest version current.
func (ks *keyspace) deleteVersion(key, id string) (DeleteResult, []string, error) {
	res := DeleteResult{Key: key, VersionID: id}
	k := []byte(key)
	if v := ks.objs.Get(k); v != nil {
		o, err := decodeObject(v, true)
		if err != nil {
			return res, nil, err
		}
		if o.matches(id) {
			if err := ks.objs.Delete(k); err != nil {
				return res, nil, err
			}
			if ks.vers != nil {
				err = ks.promote(key)
			}
			return res, o.blobIDs(), err
		}
	}
	if ks.vers == nil {
		return res, nil, nil
	}
	sub := ks.vers.Bucket(k)
	if sub == nil {
		return res, nil, nil
	}
	vk, rec, err := findVersion(sub, id)
	if err != nil || vk == nil {
		return res, nil, err
	}
	first, _ := sub.Cursor().First()
	newest := bytes.Equal(first, vk)
	if err := sub.Delete(vk); err != nil {
		return res, nil, err
	}
	if rec.Marker {
		res.DeleteMarker, res.MarkerVersionID = true, rec.Version
	}
	if newest && ks.objs.Get(k) == nil {
		err = ks.promote(key)
	} else {
		err = ks.tidy(key)
	}
	return res, rec.blobIDs(), err
}

// get returns version id of key ("" for the current object). When the
// key's current version is a delete marker, get("") returns the marker
// with ErrNoSuchKey; a version id naming a marker returns it with
// ErrDeleteMarker.
func (ks *keyspace) get(key, id string, withBlobs bool) (objectRec, error) {
	k := []byte(key)
	if v := ks.objs.Get(k); v != nil {
		rec, err := decodeObject(v, withBlobs)
		if err != nil || id == "" || rec.matches(id) {
			return rec, err
		}
	}
	var sub *bolt.Bucket
	if ks.vers != nil {
		sub = ks.vers.Bucket(k)
	}
	if id == "" {
		if sub != nil {
			if _, v := sub.Cursor().First(); v != nil {
				rec, err := decodeObject(v, false)
				if err != nil || !rec.Marker {
					return objectRec{}, cmp.Or(err, ErrNoSuchKey)
				}
				return rec, ErrNoSuchKey
			}
		}
		return objectRec{}, ErrNoSuchKey
	}
	if sub == nil {
		return objectRec{}, ErrNoSuchVersion
	}
	vk, rec, err := findVersion(sub, id)
	switch {
	case err != nil:
		return rec, err
	case vk == nil:
		return rec, ErrNoSuchVersion
	case rec.Marker:
		return rec, ErrDeleteMarker
	}
	if !withBlobs {
		rec.Blobs, rec.Inline = nil, nil
	}
	return rec, nil
}

// update rewrites version id of key ("" for the current object) with fn;
// delete markers cannot be changed.
func (ks *keyspace) update(key, id string, fn func(*objectRec)) error {
	rec, err := ks.get(key, id, true)
	if err != nil {
		return err
	}
	fn(&rec)
	enc, err := encodeObject(&rec)
	if err != nil {
		return err
	}
	if v := ks.objs.Get([]byte(key)); v != nil {
		if cur, err := decodeObject(v, false); err == nil && cur.Seq == rec.Seq && cur.Version == rec.Version {
			return ks.objs.Put([]byte(key), enc)
		}
	}
	return ks.vers.Bucket([]byte(key)).Put(orderKey(rec.Seq), enc)
}

// DeleteVersions deletes the versions named by objs ("" version ids: the
// current objects) of bucket as one atomic change and reports what each
// delete did, in order. In a bucket never versioned only the null version
// exists; other ids delete nothing.
func (s *Disk) DeleteVersions(ctx context.Context, bucket string, objs []ObjectVersion) ([]DeleteResult, error) {
	var out []DeleteResult
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		ks, err := keyspaceOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		ks.now = s.now().UnixNano()
		out = make([]DeleteResult, 0, len(objs))
		var dropped []string
		for _, o := range objs {
			var (
				res   DeleteResult
				freed []string
			)
			if o.VersionID == "" {
				res, freed, err = ks.deleteCurrent(o.Key)
			} else {
				res, freed, err = ks.deleteVersion(o.Key, o.VersionID)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, res)
			dropped = append(dropped, freed...)
		}
		return dropped, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HeadVersion returns version id of bucket/key ("" for the current
// object); see keyspace.get for delete markers, which come with their
// description.
func (s *Disk) HeadVersion(ctx context.Context, bucket, key, id string) (Object, error) {
	var rec objectRec
	err := s.view(ctx, func(tx *bolt.Tx) (err error) {
		rec, err = getVersionRec(tx, bucket, key, id, false)
		return err
	})
	if rec.Marker || err == nil {
		return rec.object(bucket, key), err
	}
	return Object{}, err
}

// ListVersions returns a page of bucket's versions and common prefixes,
// keys in byte order and each key's versions newest first (see
// ListVersionsOptions).
func (s *Disk) ListVersions(ctx context.Context, bucket string, o ListVersionsOptions) (ListVersionsResult, error) {
	p := &versionPage{bucket: bucket, max: pageSize(o.Max)}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ks, err := keyspaceOf(tx, bucket)
		if err != nil {
			return err
		}
		p.ks = ks
		km, pre, delim := []byte(o.KeyMarker), []byte(o.Prefix), []byte(o.Delimiter)
		if o.KeyMarker != "" && o.VersionIDMarker != "" && bytes.HasPrefix(km, pre) && rollUp(km, pre, delim) == nil {
			if !p.addKey(o.KeyMarker, o.VersionIDMarker) {
				return p.err
			}
		}
		var c cursor = ks.objs.Cursor()
		if ks.vers != nil {
			c = &mergeCursor{a: ks.objs.Cursor(), b: ks.vers.Cursor()}
		}
		walk(c, o.Prefix, o.Delimiter, o.KeyMarker, func(e entry) bool {
			if e.prefix {
				return p.addPrefix(string(e.key))
			}
			return p.addKey(string(e.key), "")
		})
		return p.err
	})
	if !p.res.Truncated {
		p.res.NextKeyMarker, p.res.NextVersionIDMarker = "", ""
	}
	return p.res, err
}

// versionPage collects a page of ListVersions.
type versionPage struct {
	res    ListVersionsResult
	ks     *keyspace
	bucket string
	max    int
	n      int
	err    error
}

// addKey adds the versions of key, those older than version after when
// after is not empty; it reports false when the page is full or broken.
func (p *versionPage) addKey(key, after string) bool {
	k := []byte(key)
	var cur *objectRec
	if v := p.ks.objs.Get(k); v != nil {
		rec, err := decodeObject(v, false)
		if p.err = err; err != nil {
			return false
		}
		cur = &rec
	}
	var sub *bolt.Bucket
	if p.ks.vers != nil {
		sub = p.ks.vers.Bucket(k)
	}
	// below bounds the versions still to list by their numbers: all of
	// them, or those older than after. A key never versioned has one
	// version, numbered 0.
	below, all := uint64(0), after == ""
	if !all {
		var vk []byte
		switch {
		case cur != nil && cur.matches(after):
			below, vk = cur.Seq, []byte(key)
		case sub != nil:
			var rec objectRec
			vk, rec, p.err = findVersion(sub, after)
			if p.err != nil {
				return false
			}
			below = rec.Seq
		}
		if vk == nil {
			// The version is gone (deleted since the last page): an id
			// still tells where it stood; the null version's does not, so
			// the key is listed whole again: a version listed twice is
			// better than one left out by a caller deleting as it lists.
			seq, ok := parseVersionID(after)
			below, all = seq, !ok
		}
	}
	latest := true
	if cur != nil {
		if (all || cur.Seq < below) && !p.add(key, cur, true) {
			return false
		}
		latest = false
	}
	if sub == nil {
		return true
	}
	c := sub.Cursor()
	for vk, v := c.First(); vk != nil; vk, v = c.Next() {
		rec, err := decodeObject(v, false)
		if p.err = err; err != nil {
			return false
		}
		if (all || rec.Seq < below) && !p.add(key, &rec, latest) {
			return false
		}
		latest = false
	}
	return true
}

func (p *versionPage) add(key string, rec *objectRec, latest bool) bool {
	if p.n == p.max {
		p.res.Truncated = true
		return false
	}
	p.n++
	o := rec.object(p.bucket, key)
	o.VersionID, o.IsLatest = rec.listedID(), latest
	p.res.Versions = append(p.res.Versions, o)
	p.res.NextKeyMarker, p.res.NextVersionIDMarker = key, o.VersionID
	return true
}

func (p *versionPage) addPrefix(cp string) bool {
	if p.n == p.max {
		p.res.Truncated = true
		return false
	}
	p.n++
	p.res.CommonPrefixes = append(p.res.CommonPrefixes, cp)
	p.res.NextKeyMarker, p.res.NextVersionIDMarker = cp, ""
	return true
}

// mergeCursor walks the union of the keys of two cursors in byte order,
// each key once; it yields no values.
type mergeCursor struct {
	a, b   *bolt.Cursor
	ka, kb []byte
	last   []byte
}

func (m *mergeCursor) Seek(k []byte) ([]byte, []byte) {
	m.ka, _ = m.a.Seek(k)
	m.kb, _ = m.b.Seek(k)
	return m.pick(), nil
}

func (m *mergeCursor) Next() ([]byte, []byte) {
	if m.ka != nil && bytes.Equal(m.ka, m.last) {
		m.ka, _ = m.a.Next()
	}
	if m.kb != nil && bytes.Equal(m.kb, m.last) {
		m.kb, _ = m.b.Next()
	}
	return m.pick(), nil
}

func (m *mergeCursor) pick() []byte {
	switch {
	case m.ka == nil:
		m.last = m.kb
	case m.kb == nil || bytes.Compare(m.ka, m.kb) <= 0:
		m.last = m.ka
	default:
		m.last = m.kb
	}
	return m.last
}

// countVersionRefs adds the blob references of every noncurrent version
// under vers (nil for a bucket never versioned) to refs.
func countVersionRefs(vers *bolt.Bucket, refs map[string]int) error {
	return forEachVersion(vers, func(v []byte) error {
		rec, err := decodeObject(v, true)
		for _, bl := range rec.Blobs {
			refs[bl.ID]++
		}
		return err
	})
}

// forEachVersion calls fn with every noncurrent version's record under
// vers (nil for a bucket never versioned).
func forEachVersion(vers *bolt.Bucket, fn func(v []byte) error) error {
	if vers == nil {
		return nil
	}
	return vers.ForEachBucket(func(key []byte) error {
		return vers.Bucket(key).ForEach(func(_, v []byte) error { return fn(v) })
	})
}

// ExpireVersions deletes, in one transaction, the versions named by vs
// that due judges due (see Store.ExpireVersions), and returns them.
func (s *Disk) ExpireVersions(ctx context.Context, bucket string, vs []ObjectVersion, due func(v Object, noncurrentSince time.Time, lone bool) bool) ([]ObjectVersion, error) {
	var deleted []ObjectVersion
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		deleted = deleted[:0]
		ks, err := keyspaceOf(tx, bucket)
		if err != nil || ks.vers == nil {
			return nil, err
		}
		var dropped []string
		for _, v := range vs {
			rec, since, lone, ok, err := ks.noncurrent(v.Key, v.VersionID)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			o := rec.object(bucket, v.Key)
			o.VersionID = rec.listedID()
			var became time.Time // zero for a current delete marker
			if since != 0 {
				became = fromNanos(since)
			}
			if !due(o, became, lone) {
				continue
			}
			_, freed, err := ks.deleteVersion(v.Key, v.VersionID)
			if err != nil {
				return nil, err
			}
			deleted = append(deleted, v)
			dropped = append(dropped, freed...)
		}
		return dropped, nil
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// noncurrent finds version id of key among the noncurrent versions and
// delete markers, and returns it with the time it became noncurrent (the
// modification of the next newer version; 0 for a marker that is the
// key's current version) and whether it is a delete marker with no
// version under it. ok is false when there is no such version there.
func (ks *keyspace) noncurrent(key, id string) (rec objectRec, since int64, lone, ok bool, err error) {
	sub := ks.vers.Bucket([]byte(key))
	if sub == nil {
		return rec, 0, false, false, nil
	}
	vk, rec, err := findVersion(sub, id)
	if err != nil || vk == nil {
		return rec, 0, false, false, err
	}
	c := sub.Cursor()
	c.Seek(vk)
	if _, newer := c.Prev(); newer != nil {
		hdr, err := decodeObject(newer, false)
		return rec, hdr.Modified, false, err == nil, err
	}
	if cur := ks.objs.Get([]byte(key)); cur != nil {
		hdr, err := decodeObject(cur, false)
		return rec, hdr.Modified, false, err == nil, err
	}
	// The key's current version: a marker, alone when nothing is under it.
	c.Seek(vk)
	under, _ := c.Next()
	return rec, 0, rec.Marker && under == nil, true, nil
}

// TransitionVersions changes, in one transaction, the storage class of
// the noncurrent versions named by vs to what class returns (see
// Store.TransitionVersions), and returns those it changed.
func (s *Disk) TransitionVersions(ctx context.Context, bucket string, vs []ObjectVersion, class func(v Object, noncurrentSince time.Time) string) ([]ObjectVersion, error) {
	var changed []ObjectVersion
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		changed = changed[:0]
		ks, err := keyspaceOf(tx, bucket)
		if err != nil || ks.vers == nil {
			return nil, err
		}
		for _, v := range vs {
			rec, since, _, ok, err := ks.noncurrent(v.Key, v.VersionID)
			if err != nil {
				return nil, err
			}
			if !ok || since == 0 || rec.Marker {
				continue
			}
			o := rec.object(bucket, v.Key)
			o.VersionID = rec.listedID()
			c := class(o, fromNanos(since))
			if c == "" || c == rec.Meta.StorageClass {
				continue
			}
			if err := ks.update(v.Key, v.VersionID, func(r *objectRec) { r.Meta.StorageClass = c }); err != nil {
				return nil, err
			}
			changed = append(changed, v)
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
