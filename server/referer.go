package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Hotlink protection (PutBucketReferer, GetBucketReferer), enforced as
// OSS enforces it: a request for an object that is anonymous or signed in
// its URL (not one with an Authorization header) must come from a Referer
// the bucket allows. The configuration is the bucket's config document
// refererConfig, as JSON.

const refererConfig = "referer"

// maxReferers bounds each list.
const maxReferers = 100

// refererRules is a bucket's hotlink protection.
type refererRules struct {
	AllowEmpty    bool     `json:"allowEmpty"`
	TruncateQuery bool     `json:"truncateQuery"`
	TruncatePath  bool     `json:"truncatePath"`
	Allow         []string `json:"allow,omitempty"`
	Deny          []string `json:"deny,omitempty"`
}

// defaultReferer is a bucket's before any PutBucketReferer: everything is
// allowed.
var defaultReferer = refererRules{AllowEmpty: true, TruncateQuery: true}

func parseBool(name, v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidArgument(name, v, "The value must be true or false.")
}

func (s *Server) putBucketReferer(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	var doc ossxml.RefererConfiguration
	ok, err := s.readXML(w, r, &doc)
	if err != nil {
		return err
	}
	if !ok || strings.TrimSpace(doc.AllowEmptyReferer) == "" {
		return newError(ossxml.CodeMalformedXML, "")
	}
	var rules refererRules
	if rules.AllowEmpty, err = parseBool("AllowEmptyReferer", doc.AllowEmptyReferer, true); err != nil {
		return err
	}
	if rules.TruncateQuery, err = parseBool("AllowTruncateQueryString", doc.AllowTruncateQueryString, true); err != nil {
		return err
	}
	if rules.TruncatePath, err = parseBool("TruncatePath", doc.TruncatePath, false); err != nil {
		return err
	}
	if rules.TruncatePath && !rules.TruncateQuery {
		return invalidArgument("TruncatePath", doc.TruncatePath, "TruncatePath needs AllowTruncateQueryString.")
	}
	if len(doc.RefererList) > maxReferers || len(doc.RefererBlacklist) > maxReferers {
		return invalidArgument("RefererList", "", "A Referer list holds at most 100 entries.")
	}
	for _, list := range [][]string{doc.RefererList, doc.RefererBlacklist} {
		for _, ref := range list {
			if strings.TrimSpace(ref) == "" {
				return invalidArgument("Referer", ref, "A Referer must not be empty.")
			}
		}
	}
	rules.Allow, rules.Deny = doc.RefererList, doc.RefererBlacklist
	b, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	if err := s.store.PutBucketConfig(ctx, rq.bucket, refererConfig, b); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) refererRules(ctx context.Context, bucket string) (refererRules, error) {
	doc, err := s.store.GetBucketConfig(ctx, bucket, refererConfig)
	if errors.Is(err, store.ErrNoSuchConfig) {
		return defaultReferer, nil
	}
	if err != nil {
		return refererRules{}, err
	}
	var rules refererRules
	return rules, json.Unmarshal(doc, &rules)
}

func (s *Server) getBucketReferer(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	rules, err := s.refererRules(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	b := func(v bool) string {
		if v {
			return "true"
		}
		return "false"
	}
	doc := ossxml.RefererConfiguration{
		AllowEmptyReferer: b(rules.AllowEmpty), AllowTruncateQueryString: b(rules.TruncateQuery), TruncatePath: b(rules.TruncatePath),
		RefererList: rules.Allow, RefererBlacklist: rules.Deny,
	}
	if doc.RefererList == nil {
		doc.RefererList = []string{}
	}
	return writeXML(w, &doc)
}

// checkReferer applies the bucket's hotlink protection to a request for
// an object that is anonymous or presigned.
func (s *Server) checkReferer(ctx context.Context, r *http.Request, rq *request) error {
	if rq.key == "" || !(rq.id.Anonymous() || rq.id.Presigned) {
		return nil
	}
	rules, err := s.refererRules(ctx, rq.bucket)
	if err != nil {
		return err
	}
	if !rules.allows(r.Header.Get("Referer")) {
		e := newError(ossxml.CodeAccessDenied, "You are denied by bucket referer policy.")
		e.body.EC = ossxml.ECRefererDenied
		e.body.BucketName = rq.bucket
		return e
	}
	return nil
}

// allows reports whether a request with referer may go on: a blacklisted
// Referer never; an empty one as AllowEmpty says; any other when it
// matches the whitelist, or when there is no whitelist. An empty
// whitelist that also refuses empty Referers is no protection at all, as
// on OSS.
func (rr refererRules) allows(referer string) bool {
	if referer == "" {
		return rr.AllowEmpty || len(rr.Allow) == 0
	}
	ref := referer
	if rr.TruncateQuery {
		ref, _, _ = strings.Cut(ref, "?")
	}
	if rr.TruncatePath {
		scheme, rest, ok := strings.Cut(ref, "://")
		if ok {
			host, _, _ := strings.Cut(rest, "/")
			ref = scheme + "://" + host
		}
	}
	for _, p := range rr.Deny {
		if refererMatch(p, ref) {
			return false
		}
	}
	if len(rr.Allow) == 0 {
		return true
	}
	for _, p := range rr.Allow {
		if refererMatch(p, ref) {
			return true
		}
	}
	return false
}

// refererMatch reports whether ref starts with something pattern matches:
// '*' stands for any run of characters, '?' for one. Case is ignored.
func refererMatch(pattern, ref string) bool {
	return glob(strings.ToLower(pattern)+"*", strings.ToLower(ref))
}

// glob matches all of s against p ('*' any run, '?' one character) by the
// greedy method with one backtrack point: at most len(p)·len(s) steps,
// whatever an attacker's Referer holds.
func glob(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '?':
			// One character, however many bytes it takes.
			_, n := utf8.DecodeRuneInString(s[si:])
			pi++
			si += n
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
