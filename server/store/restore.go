package store

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Restore is the restore of an archived object (Archive, ColdArchive or
// DeepColdArchive), kept as times so that whether it is under way, done
// or expired follows from the clock alone: nothing has to run when a
// restore completes or its copy expires, and a restart changes nothing.
// The zero Restore means none was requested. Replacing the object, by a
// put, a copy or an append, drops it.
type Restore struct {
	// Tier is the priority a cold archive restore was asked with
	// (Expedited, Standard or Bulk); empty for an Archive object.
	Tier string
	// Requested is when the restore was first requested.
	Requested time.Time
	// Ready is when the restored copy becomes readable.
	Ready time.Time
	// Expiry is when the restored copy stops being readable.
	Expiry time.Time
}

// Active reports whether a restore was requested and its copy has not
// expired at now.
func (r Restore) Active(now time.Time) bool {
	return !r.Requested.IsZero() && now.Before(r.Expiry)
}

// Ongoing reports whether a restore is under way at now.
func (r Restore) Ongoing(now time.Time) bool {
	return r.Active(now) && now.Before(r.Ready)
}

// Restored reports whether the restored copy is readable at now.
func (r Restore) Restored(now time.Time) bool {
	return r.Active(now) && !now.Before(r.Ready)
}

// restoreRec is the stored form of a Restore: Unix nanoseconds.
type restoreRec struct {
	Tier      string `json:"tier,omitempty"`
	Requested int64  `json:"requested"`
	Ready     int64  `json:"ready"`
	Expiry    int64  `json:"expiry"`
}

func toRestoreRec(r Restore) *restoreRec {
	if r.Requested.IsZero() {
		return nil
	}
	return &restoreRec{Tier: r.Tier, Requested: r.Requested.UnixNano(), Ready: r.Ready.UnixNano(), Expiry: r.Expiry.UnixNano()}
}

// restore returns the record's Restore; the zero Restore when it has none.
func (h *objectHdr) restore() Restore {
	if h.Restore == nil {
		return Restore{}
	}
	r := h.Restore
	return Restore{Tier: r.Tier, Requested: fromNanos(r.Requested), Ready: fromNanos(r.Ready), Expiry: fromNanos(r.Expiry)}
}

// RestoreObject sets, in one transaction, the restore of bucket/key to
// what fn returns for the object as stored when the transaction runs
// (the zero Restore removes it), and returns the object as changed. An
// error from fn changes nothing and is returned. Data, ETag, metadata
// and modification time stay as they are.
func (s *Disk) RestoreObject(ctx context.Context, bucket, key string, fn func(Object) (Restore, error)) (Object, error) {
	var out Object
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		objs, err := subOf(tx, bucket, bktObjects)
		if err != nil {
			return nil, err
		}
		v := objs.Get([]byte(key))
		if v == nil {
			return nil, ErrNoSuchKey
		}
		rec, err := decodeObject(v, true)
		if err != nil {
			return nil, err
		}
		r, err := fn(rec.object(bucket, key))
		if err != nil {
			return nil, err
		}
		rec.Restore = toRestoreRec(r)
		enc, err := encodeObject(&rec)
		if err != nil {
			return nil, err
		}
		out = rec.object(bucket, key)
		return nil, objs.Put([]byte(key), enc)
	})
	if err != nil {
		return Object{}, err
	}
	return out, nil
}
