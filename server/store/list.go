package store

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

// entry is one item of a keyed listing: a key with its value, or a common
// prefix standing for every key under it.
type entry struct {
	key    []byte // valid during the transaction only
	value  []byte // nil for common prefixes and sub-buckets
	prefix bool   // key is a common prefix
}

// cursor is what walk moves over: a bbolt cursor, or a merge of two.
type cursor interface {
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
}

// walk visits, in byte order, the entries of c's bucket whose keys have
// prefix and are greater than after, rolling keys up into common prefixes
// at delim. A common prefix that after lies in is not greater than after
// (it is a prefix of after), so none of its keys are visited. Every common
// prefix is skipped by one Seek past all its keys. walk stops when visit
// returns false.
func walk(c cursor, prefix, delim, after string, visit func(entry) bool) {
	p, d := []byte(prefix), []byte(delim)
	k, v := seekAfter(c, p, d, []byte(after))
	for k != nil && bytes.HasPrefix(k, p) {
		cp := rollUp(k, p, d)
		if cp == nil {
			if !visit(entry{key: k, value: v}) {
				return
			}
			k, v = c.Next()
			continue
		}
		if !visit(entry{key: cp, prefix: true}) {
			return
		}
		next := successor(cp)
		if next == nil {
			return
		}
		k, v = c.Seek(next)
	}
}

// seekAfter positions c on the first candidate entry after after.
func seekAfter(c cursor, prefix, delim, after []byte) (k, v []byte) {
	if bytes.Compare(after, prefix) < 0 {
		return c.Seek(prefix)
	}
	if cp := rollUp(after, prefix, delim); cp != nil {
		next := successor(cp)
		if next == nil {
			return nil, nil
		}
		return c.Seek(next)
	}
	k, v = c.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		return c.Next()
	}
	return k, v
}

// rollUp returns the common prefix key falls under: key up to and
// including the first delim after prefix. It returns nil when delim is
// empty, key lacks prefix or has no delim after it.
func rollUp(key, prefix, delim []byte) []byte {
	if len(delim) == 0 || !bytes.HasPrefix(key, prefix) {
		return nil
	}
	i := bytes.Index(key[len(prefix):], delim)
	if i < 0 {
		return nil
	}
	return bytes.Clone(key[:len(prefix)+i+len(delim)])
}

// successor returns the least key greater than every key with prefix p,
// or nil when there is none (p is all 0xFF bytes).
func successor(p []byte) []byte {
	s := bytes.Clone(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0xFF {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}

// ListObjects returns a page of bucket's objects and common prefixes, in
// byte order (see ListOptions; a Max outside 1..MaxList means MaxList).
func (s *Disk) ListObjects(ctx context.Context, bucket string, o ListOptions) (ListResult, error) {
	var res ListResult
	limit := pageSize(o.Max)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		objs, err := subOf(tx, bucket, bktObjects)
		if err != nil {
			return err
		}
		n := 0
		walk(objs.Cursor(), o.Prefix, o.Delimiter, o.After, func(e entry) bool {
			if n == limit {
				res.Truncated = true
				return false
			}
			n++
			res.Next = string(e.key)
			if e.prefix {
				res.CommonPrefixes = append(res.CommonPrefixes, res.Next)
				return true
			}
			rec, derr := decodeObject(e.value, false)
			if err = derr; err != nil {
				return false
			}
			res.Objects = append(res.Objects, rec.object(bucket, res.Next))
			return true
		})
		return err
	})
	if !res.Truncated {
		res.Next = ""
	}
	return res, err
}

// uploadPage collects a page of ListUploads.
type uploadPage struct {
	res    ListUploadsResult
	bucket string
	max    int
	n      int
	err    error
}

// addUploads adds the uploads of key in sub after afterID; it reports
// false when the page is full or broken.
func (p *uploadPage) addUploads(key string, sub *bolt.Bucket, afterID string) bool {
	c := sub.Cursor()
	k, v := c.Seek([]byte(afterID))
	if k != nil && afterID != "" && string(k) == afterID {
		k, v = c.Next()
	}
	for ; k != nil; k, v = c.Next() {
		if p.n == p.max {
			p.res.Truncated = true
			return false
		}
		var rec uploadRec
		if p.err = decodeJSON(v, &rec); p.err != nil {
			return false
		}
		p.n++
		p.res.Uploads = append(p.res.Uploads, rec.upload(p.bucket, key, string(k)))
		p.res.NextKeyMarker, p.res.NextUploadIDMarker = key, string(k)
	}
	return true
}

func (p *uploadPage) addPrefix(cp string) bool {
	if p.n == p.max {
		p.res.Truncated = true
		return false
	}
	p.n++
	p.res.CommonPrefixes = append(p.res.CommonPrefixes, cp)
	p.res.NextKeyMarker, p.res.NextUploadIDMarker = cp, ""
	return true
}

// ListUploads returns a page of bucket's uploads in progress, ordered by
// key then initiation. With KeyMarker and UploadIDMarker it lists the
// uploads of KeyMarker after that ID (in initiation order; an ID need not
// still exist), then keys after KeyMarker; with KeyMarker alone, keys after
// it; an UploadIDMarker without KeyMarker is ignored. NextKeyMarker and
// NextUploadIDMarker (empty after a common prefix) are set when Truncated.
func (s *Disk) ListUploads(ctx context.Context, bucket string, o ListUploadsOptions) (ListUploadsResult, error) {
	p := &uploadPage{bucket: bucket, max: pageSize(o.Max)}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ups, err := subOf(tx, bucket, bktUploads)
		if err != nil {
			return err
		}
		km, pre, delim := []byte(o.KeyMarker), []byte(o.Prefix), []byte(o.Delimiter)
		if o.KeyMarker != "" && o.UploadIDMarker != "" && bytes.HasPrefix(km, pre) && rollUp(km, pre, delim) == nil {
			if sub := ups.Bucket(km); sub != nil && !p.addUploads(o.KeyMarker, sub, o.UploadIDMarker) {
				return p.err
			}
		}
		walk(ups.Cursor(), o.Prefix, o.Delimiter, o.KeyMarker, func(e entry) bool {
			if e.prefix {
				return p.addPrefix(string(e.key))
			}
			sub := ups.Bucket(e.key)
			return sub == nil || p.addUploads(string(e.key), sub, "")
		})
		return p.err
	})
	if !p.res.Truncated {
		p.res.NextKeyMarker, p.res.NextUploadIDMarker = "", ""
	}
	return p.res, err
}
