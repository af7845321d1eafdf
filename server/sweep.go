package server

import (
	"context"
	"errors"
	"time"

	"github.com/ossup/ossup/server/store"
)

// DefaultLifecycleInterval is how often the server applies lifecycle
// rules when Config.LifecycleInterval is zero.
const DefaultLifecycleInterval = time.Hour

// startSweeps runs sweep now and then every interval until Close, in a
// goroutine Close waits for. A negative interval runs none.
func (s *Server) startSweeps(interval time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSweeps = cancel
	if interval < 0 {
		return
	}
	if interval == 0 {
		interval = DefaultLifecycleInterval
	}
	s.sweeps.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sweep(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// sweepCounts counts what one sweep did.
type sweepCounts struct {
	aborted      int // multipart uploads
	expired      int // objects deleted
	transitioned int // objects moved to a colder storage class
}

func (c *sweepCounts) add(d sweepCounts) {
	c.aborted += d.aborted
	c.expired += d.expired
	c.transitioned += d.transitioned
}

// sweep applies, in every bucket, the enabled lifecycle rules of the
// bucket as of Config.Now, and Config.AbortIncompleteAfter: it aborts the
// multipart uploads that have run too long, deletes the objects that have
// expired and moves objects to colder storage classes. A bucket that
// fails is logged and skipped; a done ctx stops the sweep.
func (s *Server) sweep(ctx context.Context) sweepCounts {
	now := s.cfg.Now()
	var n sweepCounts
	marker := ""
	for {
		buckets, truncated, err := s.store.ListBuckets(ctx, "", marker, store.MaxList)
		if err != nil {
			s.logSweep(ctx, "", err)
			return n
		}
		for _, b := range buckets {
			k, err := s.sweepBucket(ctx, b.Name, now)
			n.add(k)
			if err != nil {
				s.logSweep(ctx, b.Name, err)
			}
			if k != (sweepCounts{}) {
				s.log.Info("lifecycle: applied", "bucket", b.Name,
					"aborted", k.aborted, "expired", k.expired, "transitioned", k.transitioned)
			}
			if ctx.Err() != nil {
				return n
			}
		}
		if !truncated || len(buckets) == 0 {
			return n
		}
		marker = buckets[len(buckets)-1].Name
	}
}

func (s *Server) logSweep(ctx context.Context, bucket string, err error) {
	if ctx.Err() == nil && !errors.Is(err, store.ErrNoSuchBucket) {
		s.log.Warn("lifecycle: sweep failed", "bucket", bucket, "err", err)
	}
}

// sweepBucket applies the rules of one bucket: first the aborts, then,
// rule by rule, the expirations and transitions.
func (s *Server) sweepBucket(ctx context.Context, bucket string, now time.Time) (sweepCounts, error) {
	var n sweepCounts
	rules, err := s.store.GetBucketLifecycle(ctx, bucket)
	if err != nil && !errors.Is(err, store.ErrNoSuchLifecycle) {
		return n, err
	}
	n.aborted, err = s.abortUploads(ctx, bucket, abortConditions(rules, s.cfg.AbortIncompleteAfter, now))
	if err != nil {
		return n, err
	}
	for i := range rules {
		r := &rules[i]
		if !r.Enabled || (r.Expiration.IsZero() && len(r.Transitions) == 0 && r.NoncurrentDays == 0 && !r.ExpireMarkers && len(r.NoncurrentTransitions) == 0) {
			continue
		}
		k, err := s.applyRule(ctx, bucket, r, now)
		n.add(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
