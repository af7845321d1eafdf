package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ossup/ossup/server/store"
)

// DefaultLifecycleInterval is how often the server sweeps for multipart
// uploads to abort when Config.LifecycleInterval is zero.
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

// abortBefore is one condition of the sweep: uploads of keys with prefix
// that were initiated before the time are aborted.
type abortBefore struct {
	prefix string
	before time.Time
}

// abortConditions returns the conditions that apply to a bucket with the
// given rules at now: one per enabled rule, plus the server-wide
// after (when positive) for every key.
func abortConditions(rules []store.LifecycleRule, after time.Duration, now time.Time) []abortBefore {
	var out []abortBefore
	if after > 0 {
		out = append(out, abortBefore{before: now.Add(-after)})
	}
	for _, r := range rules {
		switch {
		case !r.Enabled:
		case r.AbortDays > 0:
			out = append(out, abortBefore{r.Prefix, now.Add(-time.Duration(r.AbortDays) * 24 * time.Hour)})
		case !r.AbortBefore.IsZero():
			out = append(out, abortBefore{r.Prefix, r.AbortBefore})
		}
	}
	return out
}

// expired reports whether any condition says u is to be aborted.
func expired(u store.Upload, conds []abortBefore) bool {
	for _, c := range conds {
		if strings.HasPrefix(u.Key, c.prefix) && u.Initiated.Before(c.before) {
			return true
		}
	}
	return false
}

// sweep aborts, in every bucket, the multipart uploads that an enabled
// lifecycle rule of the bucket, or Config.AbortIncompleteAfter, says have
// run too long as of Config.Now. It returns how many it aborted. A bucket
// that fails is logged and skipped; a done ctx stops the sweep.
func (s *Server) sweep(ctx context.Context) int {
	now := s.cfg.Now()
	n, marker := 0, ""
	for {
		buckets, truncated, err := s.store.ListBuckets(ctx, "", marker, store.MaxList)
		if err != nil {
			s.logSweep(ctx, "", err)
			return n
		}
		for _, b := range buckets {
			k, err := s.sweepBucket(ctx, b.Name, now)
			n += k
			if err != nil {
				s.logSweep(ctx, b.Name, err)
			}
			if k > 0 {
				s.log.Info("lifecycle: aborted incomplete multipart uploads", "bucket", b.Name, "count", k)
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

// sweepBucket aborts the expired uploads of one bucket.
func (s *Server) sweepBucket(ctx context.Context, bucket string, now time.Time) (int, error) {
	rules, err := s.store.GetBucketLifecycle(ctx, bucket)
	if err != nil && !errors.Is(err, store.ErrNoSuchLifecycle) {
		return 0, err
	}
	conds := abortConditions(rules, s.cfg.AbortIncompleteAfter, now)
	if len(conds) == 0 {
		return 0, nil
	}
	n := 0
	var opts store.ListUploadsOptions
	for {
		page, err := s.store.ListUploads(ctx, bucket, opts)
		if err != nil {
			return n, err
		}
		for _, u := range page.Uploads {
			if !expired(u, conds) {
				continue
			}
			switch err := s.store.AbortUpload(ctx, bucket, u.Key, u.ID); {
			case err == nil:
				n++
			case !errors.Is(err, store.ErrNoSuchUpload): // completed or aborted meanwhile
				return n, err
			}
		}
		if !page.Truncated {
			return n, nil
		}
		opts.KeyMarker, opts.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}
