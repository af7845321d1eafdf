package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// lifecycleRec is the stored form of a bucket's lifecycle rules.
type lifecycleRec struct {
	Rules []lifecycleRuleRec `json:"rules"`
}

type lifecycleRuleRec struct {
	ID          string `json:"id"`
	Prefix      string `json:"prefix,omitempty"`
	Enabled     bool   `json:"enabled"`
	AbortDays   int    `json:"abortDays,omitempty"`
	AbortBefore int64  `json:"abortBefore,omitempty"` // Unix nanoseconds; 0 when unset
}

// PutBucketLifecycle replaces bucket's lifecycle rules with rules, which
// must not be empty (ErrInvalidArgument).
func (s *Disk) PutBucketLifecycle(ctx context.Context, bucket string, rules []LifecycleRule) error {
	if len(rules) == 0 {
		return fmt.Errorf("%w: no lifecycle rules", ErrInvalidArgument)
	}
	rec := lifecycleRec{Rules: make([]lifecycleRuleRec, len(rules))}
	for i, r := range rules {
		rec.Rules[i] = lifecycleRuleRec{ID: r.ID, Prefix: r.Prefix, Enabled: r.Enabled, AbortDays: r.AbortDays}
		if !r.AbortBefore.IsZero() {
			rec.Rules[i].AbortBefore = r.AbortBefore.UnixNano()
		}
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
	for i, r := range rec.Rules {
		rules[i] = LifecycleRule{ID: r.ID, Prefix: r.Prefix, Enabled: r.Enabled, AbortDays: r.AbortDays}
		if r.AbortBefore != 0 {
			rules[i].AbortBefore = time.Unix(0, r.AbortBefore).UTC()
		}
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
