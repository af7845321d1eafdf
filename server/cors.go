package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Limits of a CORS configuration.
const (
	maxCORSRules = 10
	// maxCORSBody caps a PutBucketCors body, in bytes.
	maxCORSBody = 64 << 10
	// corsConfigName names the CORS configuration in the store.
	corsConfigName = "cors"
)

// corsMethods are the methods a CORS rule may allow.
var corsMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead}

// corsConfig is a checked CORS configuration, as the store keeps it (JSON).
type corsConfig struct {
	Rules []corsRule `json:"rules"`
	Vary  bool       `json:"vary,omitempty"`
}

type corsRule struct {
	Origins []string `json:"origins"`
	Methods []string `json:"methods"`
	Headers []string `json:"headers,omitempty"` // lower-cased
	Expose  []string `json:"expose,omitempty"`
	MaxAge  int      `json:"maxAge"` // seconds; -1 when the rule does not say
}

// putBucketCors answers PutBucketCors: the rules replace the bucket's.
func (s *Server) putBucketCors(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if r.ContentLength > maxCORSBody {
		return newError(ossxml.CodeMalformedXML, "The CORS configuration is larger than 64 KiB.")
	}
	var conf ossxml.CORSConfiguration
	ok, err := s.readXML(w, r, &conf)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ossxml.CodeMalformedXML, "")
	}
	c, err := corsRules(conf)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := s.store.PutBucketConfig(ctx, rq.bucket, corsConfigName, doc); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketCors answers GetBucketCors: the rules as put, or
// NoSuchCORSConfiguration.
func (s *Server) getBucketCors(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	c, err := s.bucketCORS(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	if c == nil {
		e := newError(ossxml.CodeNoSuchCORSConfig, "")
		e.body.BucketName = rq.bucket
		return e
	}
	conf := ossxml.CORSConfiguration{Rules: make([]ossxml.CORSRule, len(c.Rules)), ResponseVary: strconv.FormatBool(c.Vary)}
	for i, rule := range c.Rules {
		x := ossxml.CORSRule{AllowedOrigins: rule.Origins, AllowedMethods: rule.Methods, AllowedHeaders: rule.Headers, ExposeHeaders: rule.Expose}
		if rule.MaxAge >= 0 {
			x.MaxAgeSeconds = strconv.Itoa(rule.MaxAge)
		}
		conf.Rules[i] = x
	}
	return writeXML(w, &conf)
}

// deleteBucketCors answers DeleteBucketCors: 204, with or without rules.
func (s *Server) deleteBucketCors(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.store.DeleteBucketConfig(ctx, rq.bucket, corsConfigName); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// bucketCORS reads the bucket's CORS configuration from the store on every
// call (nothing is cached, so a put or delete applies to the next
// request); nil when the bucket has none.
func (s *Server) bucketCORS(ctx context.Context, bucket string) (*corsConfig, error) {
	doc, err := s.store.GetBucketConfig(ctx, bucket, corsConfigName)
	if errors.Is(err, store.ErrNoSuchConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c corsConfig
	if err := json.Unmarshal(doc, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// corsRules checks a PutBucketCors body. A document without rules, or a
// rule without AllowedOrigin or AllowedMethod, is MalformedXML (the schema
// requires them). InvalidArgument covers: more than 10 rules; an empty
// value; an AllowedOrigin or AllowedHeader with more than one '*'; an
// ExposeHeader with any; a method other than GET, PUT, POST, DELETE and
// HEAD; a MaxAgeSeconds that is not an integer from 0 to 2^31-1; and a
// ResponseVary other than true or false.
func corsRules(conf ossxml.CORSConfiguration) (*corsConfig, error) {
	if len(conf.Rules) == 0 {
		return nil, newError(ossxml.CodeMalformedXML, "The CORS configuration has no rule.")
	}
	if len(conf.Rules) > maxCORSRules {
		return nil, invalidArgument("CORSRule", strconv.Itoa(len(conf.Rules)), "A CORS configuration holds at most 10 rules.")
	}
	c := &corsConfig{Rules: make([]corsRule, len(conf.Rules))}
	switch strings.TrimSpace(conf.ResponseVary) {
	case "", "false":
	case "true":
		c.Vary = true
	default:
		return nil, invalidArgument("ResponseVary", conf.ResponseVary, "ResponseVary must be true or false.")
	}
	for i, x := range conf.Rules {
		rule, err := corsRuleOf(x)
		if err != nil {
			return nil, err
		}
		c.Rules[i] = rule
	}
	return c, nil
}

func corsRuleOf(x ossxml.CORSRule) (corsRule, error) {
	if len(x.AllowedOrigins) == 0 || len(x.AllowedMethods) == 0 {
		return corsRule{}, newError(ossxml.CodeMalformedXML, "A CORS rule needs at least one AllowedOrigin and one AllowedMethod.")
	}
	rule := corsRule{MaxAge: -1}
	for _, v := range x.AllowedOrigins {
		v = strings.TrimSpace(v)
		if v == "" || strings.Count(v, "*") > 1 {
			return corsRule{}, invalidArgument("AllowedOrigin", v, "An AllowedOrigin is not empty and holds at most one '*'.")
		}
		rule.Origins = append(rule.Origins, v)
	}
	for _, v := range x.AllowedMethods {
		v = strings.TrimSpace(v)
		if !slices.Contains(corsMethods, v) {
			return corsRule{}, invalidArgument("AllowedMethod", v, "An AllowedMethod is one of GET, PUT, POST, DELETE and HEAD.")
		}
		rule.Methods = append(rule.Methods, v)
	}
	for _, v := range x.AllowedHeaders {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" || strings.Count(v, "*") > 1 {
			return corsRule{}, invalidArgument("AllowedHeader", v, "An AllowedHeader is not empty and holds at most one '*'.")
		}
		rule.Headers = append(rule.Headers, v)
	}
	for _, v := range x.ExposeHeaders {
		v = strings.TrimSpace(v)
		if v == "" || strings.Contains(v, "*") {
			return corsRule{}, invalidArgument("ExposeHeader", v, "An ExposeHeader is a header name, without '*'.")
		}
		rule.Expose = append(rule.Expose, v)
	}
	if v := strings.TrimSpace(x.MaxAgeSeconds); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return corsRule{}, invalidArgument("MaxAgeSeconds", v, "MaxAgeSeconds is an integer from 0 to 2147483647.")
		}
		rule.MaxAge = int(n)
	}
	return rule, nil
}

// wildcard reports whether s matches pattern, in which one '*' stands for
// any run of characters.
func wildcard(pattern, s string) bool {
	prefix, suffix, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == s
	}
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// match returns the first rule that allows origin to use method with the
// headers (lower-cased), or nil.
func (c *corsConfig) match(origin, method string, headers []string) *corsRule {
	for i := range c.Rules {
		rule := &c.Rules[i]
		if !slices.ContainsFunc(rule.Origins, func(p string) bool { return wildcard(p, origin) }) {
			continue
		}
		if !slices.Contains(rule.Methods, method) {
			continue
		}
		allowed := func(h string) bool {
			return slices.ContainsFunc(rule.Headers, func(p string) bool { return wildcard(p, h) })
		}
		if !slices.ContainsFunc(headers, func(h string) bool { return !allowed(h) }) {
			return rule
		}
	}
	return nil
}

// allow sets the Access-Control-* headers of rule for origin.
func (rule *corsRule) allow(h http.Header, origin string) {
	if slices.Contains(rule.Origins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.Methods, ", "))
	if len(rule.Expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.Expose, ", "))
	}
	if rule.MaxAge >= 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAge))
	}
}

// requestHeaders splits an Access-Control-Request-Headers value into
// lower-cased names.
func requestHeaders(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// corsBucket returns the bucket a request addresses when it names a valid
// one.
func (s *Server) corsBucket(r *http.Request) (string, bool) {
	bucket, _ := s.address(r)
	return bucket, bucket != "" && validBucketName(bucket)
}

// preflight answers an OPTIONS request: no signature is needed, the
// bucket's first rule that allows the Origin, the
// Access-Control-Request-Method and every Access-Control-Request-Headers
// name answers 200 with its headers; anything else is 403
// AccessForbidden. The bucket is checked to exist first (NoSuchBucket).
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) error {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	if origin == "" || method == "" {
		return newError(ossxml.CodeAccessForbidden, "CORSResponse: A preflight request needs the Origin and Access-Control-Request-Method headers.")
	}
	bucket, ok := s.corsBucket(r)
	if !ok {
		return newError(ossxml.CodeAccessForbidden, "CORSResponse: The request addresses no bucket.")
	}
	c, err := s.bucketCORS(r.Context(), bucket)
	if errors.Is(err, store.ErrNoSuchBucket) {
		return noSuchBucket(bucket)
	}
	if err != nil {
		return err
	}
	if c == nil {
		return newError(ossxml.CodeAccessForbidden, "CORSResponse: CORS is not enabled for this bucket.")
	}
	h := w.Header()
	if c.Vary {
		h.Add("Vary", "Origin")
	}
	rule := c.match(origin, method, requestHeaders(r.Header.Get("Access-Control-Request-Headers")))
	if rule == nil {
		return newError(ossxml.CodeAccessForbidden, "CORSResponse: No CORS rule of this bucket allows the origin, method and headers of this request.")
	}
	rule.allow(h, origin)
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// corsHeaders adds, to the answer of a request with an Origin header, the
// Access-Control-* headers of the first rule of the addressed bucket that
// allows the origin and the method, and Vary: Origin when the bucket's
// configuration asks for it. It changes nothing when the bucket is missing
// or has no configuration; errors are ignored, the request then fails or
// succeeds on its own.
func (s *Server) corsHeaders(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	bucket, ok := s.corsBucket(r)
	if !ok {
		return
	}
	c, err := s.bucketCORS(r.Context(), bucket)
	if err != nil || c == nil {
		return
	}
	h := w.Header()
	if c.Vary {
		h.Add("Vary", "Origin")
	}
	if rule := c.match(origin, r.Method, nil); rule != nil {
		rule.allow(h, origin)
	}
}
