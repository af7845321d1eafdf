package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LifecycleTag is a tag a lifecycle rule names.
type LifecycleTag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// LifecycleNot excludes from a rule the objects whose key has Prefix and,
// when Tag is not nil, that carry Tag.
type LifecycleNot struct {
	Prefix string        `json:"prefix"`
	Tag    *LifecycleTag `json:"tag,omitempty"`
}

// LifecycleWhen says when an action applies to an object. At most one
// field is set; the zero value is no action.
type LifecycleWhen struct {
	// Days, when positive, applies the action once more than Days×24 hours
	// have passed since the object was last modified.
	Days int `json:"days,omitempty"`
	// Before, when not zero, applies it to objects last modified before it
	// (OSS's CreatedBeforeDate).
	Before time.Time `json:"before,omitzero"`
	// Date, when not zero, applies it to every object once Date has come,
	// whenever the object was modified (OSS's older Date element).
	Date time.Time `json:"date,omitzero"`
}

// LifecycleTransition changes the storage class of objects to
// StorageClass (IA, Archive, ColdArchive or DeepColdArchive) when due.
type LifecycleTransition struct {
	When         LifecycleWhen `json:"when"`
	StorageClass string        `json:"class"`
}

// maxWhenDays is the largest Days a time.Duration can count.
const maxWhenDays = math.MaxInt64 / int64(24*time.Hour)

// IsZero reports whether w is no action.
func (w LifecycleWhen) IsZero() bool { return w == LifecycleWhen{} }

// Due reports whether, at now, the action applies to an object last
// modified at modified.
func (w LifecycleWhen) Due(modified, now time.Time) bool {
	switch {
	case w.Days > 0:
		return int64(w.Days) <= maxWhenDays && now.Sub(modified) > time.Duration(w.Days)*24*time.Hour
	case !w.Before.IsZero():
		return modified.Before(w.Before)
	case !w.Date.IsZero():
		return !now.Before(w.Date)
	}
	return false
}

// Selects reports whether the rule applies to o: its key has the rule's
// prefix, it carries every tag of the rule, and no Not entry excludes it.
// Whether the rule is enabled is not considered.
func (r *LifecycleRule) Selects(o Object) bool {
	if !strings.HasPrefix(o.Key, r.Prefix) {
		return false
	}
	for _, t := range r.Tags {
		if v, ok := o.Meta.Tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	for _, n := range r.Not {
		if !strings.HasPrefix(o.Key, n.Prefix) {
			continue
		}
		if n.Tag == nil {
			return false
		}
		if v, ok := o.Meta.Tags[n.Tag.Key]; ok && v == n.Tag.Value {
			return false
		}
	}
	return true
}

// lifecycleRec is the stored form of a bucket's lifecycle rules.
type lifecycleRec struct {
	Rules []lifecycleRuleRec `json:"rules"`
}

type lifecycleRuleRec struct {
	ID          string                `json:"id"`
	Prefix      string                `json:"prefix,omitempty"`
	Enabled     bool                  `json:"enabled"`
	Tags        []LifecycleTag        `json:"tags,omitempty"`
	Not         []LifecycleNot        `json:"not,omitempty"`
	Expiration  *LifecycleWhen        `json:"expiration,omitempty"`
	Transitions []LifecycleTransition `json:"transitions,omitempty"`
	AbortDays   int                   `json:"abortDays,omitempty"`
	AbortBefore int64                 `json:"abortBefore,omitempty"` // Unix nanoseconds; 0 when unset
	Noncurrent  int                   `json:"noncurrentDays,omitempty"`
	Markers     bool                  `json:"expireMarkers,omitempty"`
	NoncurTrans []LifecycleTransition `json:"noncurrentTransitions,omitempty"`
}

func toLifecycleRec(r LifecycleRule) lifecycleRuleRec {
	rec := lifecycleRuleRec{
		ID: r.ID, Prefix: r.Prefix, Enabled: r.Enabled, AbortDays: r.AbortDays,
		Tags: r.Tags, Not: r.Not, Transitions: r.Transitions,
		Noncurrent: r.NoncurrentDays, Markers: r.ExpireMarkers, NoncurTrans: r.NoncurrentTransitions,
	}
	if !r.Expiration.IsZero() {
		rec.Expiration = &r.Expiration
	}
	if !r.AbortBefore.IsZero() {
		rec.AbortBefore = r.AbortBefore.UnixNano()
	}
	return rec
}

func (r *lifecycleRuleRec) rule() LifecycleRule {
	out := LifecycleRule{
		ID: r.ID, Prefix: r.Prefix, Enabled: r.Enabled, AbortDays: r.AbortDays,
		Tags: r.Tags, Not: r.Not, Transitions: r.Transitions,
		NoncurrentDays: r.Noncurrent, ExpireMarkers: r.Markers, NoncurrentTransitions: r.NoncurTrans,
	}
	if r.Expiration != nil {
		out.Expiration = r.Expiration.utc()
	}
	for i := range out.Transitions {
		out.Transitions[i].When = out.Transitions[i].When.utc()
	}
	if r.AbortBefore != 0 {
		out.AbortBefore = fromNanos(r.AbortBefore)
	}
	return out
}

// utc returns w with its instants in UTC, as JSON decoding does not keep
// the location.
func (w LifecycleWhen) utc() LifecycleWhen {
	if !w.Before.IsZero() {
		w.Before = w.Before.UTC()
	}
	if !w.Date.IsZero() {
		w.Date = w.Date.UTC()
	}
	return w
}

// PutBucketLifecycle replaces bucket's lifecycle rules with rules, which
// must not be empty (ErrInvalidArgument).
func (s *Disk) PutBucketLifecycle(ctx context.Context, bucket string, rules []LifecycleRule) error {
	if len(rules) == 0 {
		return fmt.Errorf("%w: no lifecycle rules", ErrInvalidArgument)
	}
	rec := lifecycleRec{Rules: make([]lifecycleRuleRec, len(rules))}
	for i, r := range rules {
		rec.Rules[i] = toLifecycleRec(r)
	}
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		return nil, putJSON(b, []byte(keyLifecycle), rec)
	})
}

// GetBucketLifecycle returns bucket's lifecycle rules, or
// ErrNoSuchLifecycle when it has none.
func (s *Disk) GetBucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error) {
	var rec lifecycleRec
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		v := b.Get([]byte(keyLifecycle))
		if v == nil {
			return ErrNoSuchLifecycle
		}
		return decodeJSON(v, &rec)
	})
	if err != nil {
		return nil, err
	}
	rules := make([]LifecycleRule, len(rec.Rules))
	for i := range rec.Rules {
		rules[i] = rec.Rules[i].rule()
	}
	return rules, nil
}

// DeleteBucketLifecycle removes bucket's lifecycle rules; a bucket without
// any is not an error.
func (s *Disk) DeleteBucketLifecycle(ctx context.Context, bucket string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		return nil, b.Delete([]byte(keyLifecycle))
	})
}

// ExpireObjects removes, in one transaction, the objects of bucket named
// by keys for which expired, called with the object as stored when the
// transaction runs, returns true, and returns their keys. An object
// replaced since the caller looked at it is judged anew, and kept unless
// it too is expired. Missing and repeated keys are skipped. Blobs are
// removed after the commit, as DeleteObjects does.
func (s *Disk) ExpireObjects(ctx context.Context, bucket string, keys []string, expired func(Object) bool) ([]string, error) {
	var deleted []string
	err := s.commit(ctx, nil, func(tx *bolt.Tx) (dropped []string, err error) {
		deleted, dropped, err = deleteObjectRecs(tx, bucket, keys, s.now().UnixNano(), expired)
		return dropped, err
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// TransitionObjects sets, in one transaction, the storage class of the
// objects of bucket named by keys to what class returns for the object
// as stored when the transaction runs; "", or the class the object
// already has, leaves it as it is. Data, ETag and modification time stay
// as they are. It returns the keys it changed; missing and repeated keys
// are skipped.
func (s *Disk) TransitionObjects(ctx context.Context, bucket string, keys []string, class func(Object) string) ([]string, error) {
	var changed []string
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		changed = changed[:0]
		objs, err := subOf(tx, bucket, bktObjects)
		if err != nil {
			return nil, err
		}
		for _, key := range keys {
			v := objs.Get([]byte(key))
			if v == nil {
				continue
			}
			rec, err := decodeObject(v, true)
			if err != nil {
				return nil, err
			}
			c := class(rec.object(bucket, key))
			if c == "" || c == rec.Meta.StorageClass {
				continue
			}
			rec.Meta.StorageClass = c
			enc, err := encodeObject(&rec)
			if err != nil {
				return nil, err
			}
			if err := objs.Put([]byte(key), enc); err != nil {
				return nil, err
			}
			changed = append(changed, key)
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
