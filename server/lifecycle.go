package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Limits of a lifecycle configuration.
const (
	maxLifecycleRules = 1000
	maxRuleID         = 255 // bytes
)

// putBucketLifecycle answers PutBucketLifecycle, which replaces the
// bucket's rules. Only the AbortMultipartUpload action is implemented (see
// lifecycleRules); the sweep applies it.
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
		abort := &ossxml.LifecycleAbortMultipartUpload{}
		if rule.AbortDays > 0 {
			abort.Days = &rule.AbortDays
		} else {
			abort.CreatedBeforeDate = rule.AbortBefore.UTC().Format(ossxml.TimeLayout)
		}
		status := "Disabled"
		if rule.Enabled {
			status = "Enabled"
		}
		conf.Rules[i] = ossxml.LifecycleRule{ID: rule.ID, Prefix: rule.Prefix, Status: status, AbortMultipartUpload: abort}
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

// lifecycleRules checks the rules of a PutBucketLifecycle body and returns
// them as the store keeps them.
//
// Every rule must carry an AbortMultipartUpload action and no other: the
// actions on objects (Expiration, Transition, ...) and the filters (Tag,
// Filter, ...) are refused with NotImplemented rather than stored and
// silently not applied. A document that does not parse, has no rule, or a
// rule without a valid Status or without an action, is MalformedXML.
// InvalidArgument covers: more than 1,000 rules; an ID over 255 bytes or
// used twice; a prefix longer than a key; an action with both or neither
// of Days and CreatedBeforeDate, Days below 1, or a CreatedBeforeDate that
// is not a midnight UTC in OSS's layout; and, unless the request allows it
// with x-oss-allow-same-action-overlap: true, two rules whose prefixes
// overlap (one is a prefix of the other), as OSS refuses. A rule without
// an ID gets a random one, as OSS gives it.
func lifecycleRules(in []ossxml.LifecycleRule, overlap bool) ([]store.LifecycleRule, error) {
	if len(in) == 0 {
		return nil, newError(ossxml.CodeMalformedXML, "The lifecycle configuration has no rule.")
	}
	if len(in) > maxLifecycleRules {
		return nil, invalidArgument("Rule", strconv.Itoa(len(in)), "A lifecycle configuration holds at most 1000 rules.")
	}
	out := make([]store.LifecycleRule, len(in))
	ids := make(map[string]bool, len(in))
	for i, r := range in {
		rule, err := lifecycleRule(r)
		if err != nil {
			return nil, err
		}
		if ids[rule.ID] {
			return nil, invalidArgument("ID", rule.ID, "Two lifecycle rules have the same ID.")
		}
		ids[rule.ID] = true
		out[i] = rule
	}
	if !overlap {
		if err := checkOverlap(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lifecycleRule checks one rule (see lifecycleRules).
func lifecycleRule(r ossxml.LifecycleRule) (store.LifecycleRule, error) {
	if len(r.Other) > 0 {
		return store.LifecycleRule{}, newError(ossxml.CodeNotImplemented,
			"This server implements only the AbortMultipartUpload action of lifecycle rules; <"+r.Other[0].XMLName.Local+"> is not implemented.")
	}
	out := store.LifecycleRule{ID: r.ID, Prefix: r.Prefix}
	switch r.Status {
	case "Enabled":
		out.Enabled = true
	case "Disabled":
	default:
		return out, newError(ossxml.CodeMalformedXML, "The Status of a lifecycle rule must be Enabled or Disabled.")
	}
	if out.ID == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		out.ID = hex.EncodeToString(b[:])
	}
	if len(out.ID) > maxRuleID {
		return out, invalidArgument("ID", out.ID, "The ID of a lifecycle rule is at most 255 bytes long.")
	}
	if len(out.Prefix) > MaxKeyLength {
		return out, invalidArgument("Prefix", out.Prefix, "The prefix of a lifecycle rule is at most 1023 bytes long.")
	}
	a := r.AbortMultipartUpload
	switch {
	case a == nil:
		return out, newError(ossxml.CodeMalformedXML, "A lifecycle rule needs an action.")
	case (a.Days != nil) == (a.CreatedBeforeDate != ""):
		return out, invalidArgument("AbortMultipartUpload", "", "AbortMultipartUpload takes one of Days and CreatedBeforeDate.")
	case a.Days != nil && *a.Days < 1:
		return out, invalidArgument("Days", strconv.Itoa(*a.Days), "Days must be a positive integer.")
	case a.Days != nil:
		out.AbortDays = *a.Days
		return out, nil
	}
	t, err := time.Parse(ossxml.TimeLayout, strings.TrimSpace(a.CreatedBeforeDate))
	if err != nil || !t.Equal(t.Truncate(24*time.Hour)) {
		return out, invalidArgument("CreatedBeforeDate", a.CreatedBeforeDate, "CreatedBeforeDate must be a midnight UTC, such as 2002-10-11T00:00:00.000Z.")
	}
	out.AbortBefore = t
	return out, nil
}

// checkOverlap refuses rules one of whose prefixes is a prefix of
// another's. In byte order, a prefix of a later prefix is a prefix of every
// one in between, so comparing neighbours suffices.
func checkOverlap(rules []store.LifecycleRule) error {
	prefixes := make([]string, len(rules))
	for i, r := range rules {
		prefixes[i] = r.Prefix
	}
	slices.Sort(prefixes)
	for i := 1; i < len(prefixes); i++ {
		if strings.HasPrefix(prefixes[i], prefixes[i-1]) {
			return invalidArgument("Prefix", prefixes[i],
				"The prefixes of two lifecycle rules with the AbortMultipartUpload action overlap; send x-oss-allow-same-action-overlap: true to allow it.")
		}
	}
	return nil
}
