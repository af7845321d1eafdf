package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// putBucketLifecycle answers PutBucketLifecycle, which replaces the
// bucket's rules once lifecycleRules accepts them; the sweep applies
// them.
func (s *Server) putBucketLifecycle(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if _, err := s.store.GetBucket(ctx, rq.bucket); err != nil {
		return storeError(err, rq)
	}
	var conf ossxml.LifecycleConfiguration
	ok, err := s.readXML(w, r, &conf)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ossxml.CodeMalformedXML, "")
	}
	overlap := strings.EqualFold(r.Header.Get("x-oss-allow-same-action-overlap"), "true")
	rules, err := lifecycleRules(conf.Rules, overlap)
	if err != nil {
		return err
	}
	if err := s.store.PutBucketLifecycle(ctx, rq.bucket, rules); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketLifecycle answers GetBucketLifecycle: the rules as they were
// put (IDs OSS would have made up included), or NoSuchLifecycle.
func (s *Server) getBucketLifecycle(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	rules, err := s.store.GetBucketLifecycle(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	conf := ossxml.LifecycleConfiguration{Rules: make([]ossxml.LifecycleRule, len(rules))}
	for i, rule := range rules {
		conf.Rules[i] = lifecycleXML(rule)
	}
	return writeXML(w, &conf)
}

// deleteBucketLifecycle answers DeleteBucketLifecycle: 204, with or
// without rules to delete.
func (s *Server) deleteBucketLifecycle(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.store.DeleteBucketLifecycle(ctx, rq.bucket); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// lifecycleXML renders a stored rule as GetBucketLifecycle returns it.
func lifecycleXML(r store.LifecycleRule) ossxml.LifecycleRule {
	out := ossxml.LifecycleRule{ID: r.ID, Prefix: r.Prefix, Status: "Disabled"}
	if r.Enabled {
		out.Status = "Enabled"
	}
	for _, t := range r.Tags {
		out.Tags = append(out.Tags, ossxml.Tag{Key: t.Key, Value: t.Value})
	}
	if len(r.Not) > 0 {
		out.Filter = &ossxml.LifecycleFilter{}
		for _, n := range r.Not {
			not := ossxml.LifecycleNot{Prefix: n.Prefix}
			if n.Tag != nil {
				not.Tag = &ossxml.Tag{Key: n.Tag.Key, Value: n.Tag.Value}
			}
			out.Filter.Not = append(out.Filter.Not, not)
		}
	}
	if e := r.Expiration; !e.IsZero() {
		out.Expiration = &ossxml.LifecycleExpiration{Days: days(e.Days), CreatedBeforeDate: date(e.Before), Date: date(e.Date)}
	}
	if r.ExpireMarkers {
		if out.Expiration == nil {
			out.Expiration = &ossxml.LifecycleExpiration{}
		}
		yes := true
		out.Expiration.ExpiredObjectDeleteMarker = &yes
	}
	if r.NoncurrentDays > 0 {
		out.NoncurrentVersionExpiration = &ossxml.LifecycleNoncurrentExpiration{NoncurrentDays: days(r.NoncurrentDays)}
	}
	for _, t := range r.NoncurrentTransitions {
		out.NoncurrentVersionTransitions = append(out.NoncurrentVersionTransitions, ossxml.LifecycleNoncurrentTransition{
			NoncurrentDays: days(t.When.Days), StorageClass: t.StorageClass,
		})
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, ossxml.LifecycleTransition{
			Days: days(t.When.Days), CreatedBeforeDate: date(t.When.Before), StorageClass: t.StorageClass,
		})
	}
	if r.AbortDays > 0 || !r.AbortBefore.IsZero() {
		out.AbortMultipartUpload = &ossxml.LifecycleAbortMultipartUpload{Days: days(r.AbortDays), CreatedBeforeDate: date(r.AbortBefore)}
	}
	return out
}

// days is n as an optional XML element: nil when zero.
func days(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// date is t in OSS's layout, or "" when zero.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(ossxml.TimeLayout)
}
