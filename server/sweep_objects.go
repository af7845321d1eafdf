package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ossup/ossup/server/store"
)

// abortBefore is one condition of the sweep: uploads that rule (every
// upload when nil) selects and that were initiated before the time are
// aborted.
type abortBefore struct {
	rule   *store.LifecycleRule
	before time.Time
}

// abortConditions returns the conditions that apply to a bucket with the
// given rules at now: one per enabled rule that aborts uploads, plus the
// server-wide after (when positive) for every key.
func abortConditions(rules []store.LifecycleRule, after time.Duration, now time.Time) []abortBefore {
	var out []abortBefore
	if after > 0 {
		out = append(out, abortBefore{before: now.Add(-after)})
	}
	for i := range rules {
		r := &rules[i]
		switch {
		case !r.Enabled:
		case r.AbortDays > 0:
			out = append(out, abortBefore{r, now.Add(-time.Duration(r.AbortDays) * 24 * time.Hour)})
		case !r.AbortBefore.IsZero():
			out = append(out, abortBefore{r, r.AbortBefore})
		}
	}
	return out
}

// expired reports whether any condition says u is to be aborted.
func expired(u store.Upload, conds []abortBefore) bool {
	for _, c := range conds {
		if (c.rule == nil || c.rule.Selects(store.Object{Key: u.Key})) && u.Initiated.Before(c.before) {
			return true
		}
	}
	return false
}

// abortUploads aborts the uploads of bucket that conds say are expired.
func (s *Server) abortUploads(ctx context.Context, bucket string, conds []abortBefore) (int, error) {
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
		if !page.Truncated || (page.NextKeyMarker == opts.KeyMarker && page.NextUploadIDMarker == opts.UploadIDMarker) {
			return n, nil
		}
		opts.KeyMarker, opts.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// applyRule applies the expiration and the transitions of an enabled
// rule to the objects under its prefix, a listing page (at most
// store.MaxList objects) per store transaction. The store judges each
// object again, as stored, inside its transaction, so an object replaced
// since it was listed is deleted or moved only if it too is due.
func (s *Server) applyRule(ctx context.Context, bucket string, r *store.LifecycleRule, now time.Time) (sweepCounts, error) {
	var n sweepCounts
	expire := func(o store.Object) bool { return r.Selects(o) && r.Expiration.Due(o.Modified, now) }
	class := func(o store.Object) string {
		if !r.Selects(o) || r.Expiration.Due(o.Modified, now) {
			return ""
		}
		return transitionTo(r.Transitions, o, now)
	}
	opts := store.ListOptions{Prefix: r.Prefix, Max: store.MaxList}
	for {
		page, err := s.store.ListObjects(ctx, bucket, opts)
		if err != nil {
			return n, err
		}
		var doomed, moved []string
		for _, o := range page.Objects {
			switch {
			case expire(o):
				doomed = append(doomed, o.Key)
			case class(o) != "":
				moved = append(moved, o.Key)
			}
		}
		if len(doomed) > 0 {
			deleted, err := s.store.ExpireObjects(ctx, bucket, doomed, expire)
			n.expired += len(deleted)
			if err != nil {
				return n, err
			}
		}
		if len(moved) > 0 {
			changed, err := s.store.TransitionObjects(ctx, bucket, moved, class)
			n.transitioned += len(changed)
			if err != nil {
				return n, err
			}
		}
		if !page.Truncated || page.Next <= opts.After {
			break
		}
		opts.After = page.Next
	}
	if r.NoncurrentDays == 0 && !r.ExpireMarkers && len(r.NoncurrentTransitions) == 0 {
		return n, ctx.Err()
	}
	return s.sweepVersions(ctx, bucket, r, now, n)
}

// sweepVersions applies a rule's NoncurrentVersionExpiration,
// ExpiredObjectDeleteMarker and NoncurrentVersionTransitions to a
// versioned bucket's versions under its prefix, a listing page per store
// transaction, and adds what it did to n. The store judges each version
// again as stored.
func (s *Server) sweepVersions(ctx context.Context, bucket string, r *store.LifecycleRule, now time.Time, n sweepCounts) (sweepCounts, error) {
	if b, err := s.store.GetBucket(ctx, bucket); err != nil || b.Versioning == "" {
		return n, err
	}
	noncurrentFor := func(since time.Time, days int) bool {
		return days > 0 && now.Sub(since) >= time.Duration(days)*24*time.Hour
	}
	due := func(v store.Object, since time.Time, lone bool) bool {
		if !strings.HasPrefix(v.Key, r.Prefix) {
			return false
		}
		if since.IsZero() {
			return lone && r.ExpireMarkers
		}
		// Tags select noncurrent versions as they select objects.
		return (v.DeleteMarker || r.Selects(v)) && noncurrentFor(since, r.NoncurrentDays)
	}
	class := func(v store.Object, since time.Time) string {
		if !r.Selects(v) || noncurrentFor(since, r.NoncurrentDays) {
			return ""
		}
		best, rank := "", coldness[storageClass(v.Meta)]
		for _, t := range r.NoncurrentTransitions {
			if c := coldness[t.StorageClass]; c > rank && noncurrentFor(since, t.When.Days) {
				best, rank = t.StorageClass, c
			}
		}
		return best
	}
	opts := store.ListVersionsOptions{Prefix: r.Prefix, Max: store.MaxList}
	for {
		page, err := s.store.ListVersions(ctx, bucket, opts)
		if err != nil {
			return n, err
		}
		// Every version but the latest of its key is noncurrent; a latest
		// delete marker may be lone. The store judges both.
		var cands, older []store.ObjectVersion
		for _, v := range page.Versions {
			if !v.IsLatest || v.DeleteMarker {
				cands = append(cands, store.ObjectVersion{Key: v.Key, VersionID: v.VersionID})
			}
			if !v.IsLatest && !v.DeleteMarker {
				older = append(older, store.ObjectVersion{Key: v.Key, VersionID: v.VersionID})
			}
		}
		if len(cands) > 0 && (r.NoncurrentDays > 0 || r.ExpireMarkers) {
			deleted, err := s.store.ExpireVersions(ctx, bucket, cands, due)
			n.expired += len(deleted)
			if err != nil {
				return n, err
			}
		}
		if len(older) > 0 && len(r.NoncurrentTransitions) > 0 {
			changed, err := s.store.TransitionVersions(ctx, bucket, older, class)
			n.transitioned += len(changed)
			if err != nil {
				return n, err
			}
		}
		if !page.Truncated {
			return n, ctx.Err()
		}
		opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

// transitionTo returns the coldest storage class of the transitions due
// for o at now, when colder than o's; "" otherwise: a transition never
// warms an object.
func transitionTo(ts []store.LifecycleTransition, o store.Object, now time.Time) string {
	best, rank := "", coldness[storageClass(o.Meta)]
	for _, t := range ts {
		if c := coldness[t.StorageClass]; c > rank && t.When.Due(o.Modified, now) {
			best, rank = t.StorageClass, c
		}
	}
	return best
}
