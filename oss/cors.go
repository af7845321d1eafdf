package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// MaxCORSRules is the most CORS rules a bucket may have.
const MaxCORSRules = 10

// CORSRule allows one set of cross-origin requests to a bucket.
type CORSRule struct {
	// AllowedOrigins are the origins allowed, e.g. "https://example.com";
	// each may hold one '*' wildcard. At least one is required.
	AllowedOrigins []string
	// AllowedMethods are the methods allowed: GET, PUT, DELETE, POST or
	// HEAD. At least one is required.
	AllowedMethods []string
	// AllowedHeaders are the request headers a preflight may name; each
	// may hold one '*' wildcard. Names are case-insensitive, and a
	// service may give them back lower-cased.
	AllowedHeaders []string
	// ExposeHeaders are the response headers browsers may show the
	// application.
	ExposeHeaders []string
	// MaxAgeSeconds is how long, in seconds, a browser may cache a
	// preflight answer; nil leaves it unset.
	MaxAgeSeconds *int64
}

// corsToWire renders rules and vary as the PutBucketCors body.
func corsToWire(rules []CORSRule, vary *bool) *ossxml.CORSConfiguration {
	conf := &ossxml.CORSConfiguration{Rules: make([]ossxml.CORSRule, len(rules))}
	for i, r := range rules {
		w := ossxml.CORSRule{AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods, AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders}
		if r.MaxAgeSeconds != nil {
			w.MaxAgeSeconds = strconv.FormatInt(*r.MaxAgeSeconds, 10)
		}
		conf.Rules[i] = w
	}
	if vary != nil {
		conf.ResponseVary = strconv.FormatBool(*vary)
	}
	return conf
}

// corsFromWire reads the rules and vary of a GetBucketCors body.
func corsFromWire(conf *ossxml.CORSConfiguration) ([]CORSRule, *bool, error) {
	rules := make([]CORSRule, len(conf.Rules))
	for i, w := range conf.Rules {
		r := CORSRule{AllowedOrigins: w.AllowedOrigins, AllowedMethods: w.AllowedMethods, AllowedHeaders: w.AllowedHeaders, ExposeHeaders: w.ExposeHeaders}
		if w.MaxAgeSeconds != "" {
			n, err := strconv.ParseInt(strings.TrimSpace(w.MaxAgeSeconds), 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("CORS rule %d: unreadable MaxAgeSeconds %q", i+1, w.MaxAgeSeconds)
			}
			r.MaxAgeSeconds = &n
		}
		rules[i] = r
	}
	if conf.ResponseVary == "" {
		return rules, nil, nil
	}
	vary, err := strconv.ParseBool(strings.TrimSpace(conf.ResponseVary))
	if err != nil {
		return nil, nil, fmt.Errorf("unreadable ResponseVary %q", conf.ResponseVary)
	}
	return rules, &vary, nil
}

// PutBucketCorsRequest replaces a bucket's CORS rules.
type PutBucketCorsRequest struct {
	Bucket string
	// Rules are the rules, 1 to MaxCORSRules; the first that matches a
	// request applies.
	Rules []CORSRule
	// ResponseVary, when set, says whether answers carry
	// "Vary: Origin"; nil leaves it unset.
	ResponseVary *bool
}

// PutBucketCorsResult is what the service answered to a PutBucketCors.
type PutBucketCorsResult struct {
	RequestID string
}

// PutBucketCors replaces the CORS rules of a bucket.
func (c *Client) PutBucketCors(ctx context.Context, req *PutBucketCorsRequest) (*PutBucketCorsResult, error) {
	op := &operation{name: "PutBucketCors", method: http.MethodPut, bucket: req.Bucket, query: url.Values{"cors": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if len(req.Rules) == 0 || len(req.Rules) > MaxCORSRules {
		return nil, op.wrap(fmt.Errorf("%d CORS rules, need 1..%d: %w", len(req.Rules), MaxCORSRules, ErrInvalidArgument))
	}
	for i, r := range req.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return nil, op.wrap(fmt.Errorf("CORS rule %d needs an allowed origin and an allowed method: %w", i+1, ErrInvalidArgument))
		}
	}
	id, err := c.doXML(ctx, op, corsToWire(req.Rules, req.ResponseVary), nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketCorsResult{RequestID: id}, nil
}

// GetBucketCorsRequest names the bucket whose CORS rules to read.
type GetBucketCorsRequest struct {
	Bucket string
}

// GetBucketCorsResult is a bucket's CORS configuration.
type GetBucketCorsResult struct {
	Rules []CORSRule
	// ResponseVary is nil when the service did not say.
	ResponseVary *bool
	RequestID    string
}

// GetBucketCors returns the CORS rules of a bucket; a bucket without any
// fails with ErrNoSuchCORSConfiguration.
func (c *Client) GetBucketCors(ctx context.Context, req *GetBucketCorsRequest) (*GetBucketCorsResult, error) {
	op := &operation{name: "GetBucketCors", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"cors": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var conf ossxml.CORSConfiguration
	id, err := c.doXML(ctx, op, nil, &conf)
	if err != nil {
		return nil, err
	}
	rules, vary, err := corsFromWire(&conf)
	if err != nil {
		return nil, op.wrap(fmt.Errorf("%w (request id %s)", err, id))
	}
	return &GetBucketCorsResult{Rules: rules, ResponseVary: vary, RequestID: id}, nil
}

// DeleteBucketCorsRequest names the bucket whose CORS rules to remove.
type DeleteBucketCorsRequest struct {
	Bucket string
}

// DeleteBucketCorsResult is what the service answered to a
// DeleteBucketCors.
type DeleteBucketCorsResult struct {
	RequestID string
}

// DeleteBucketCors removes every CORS rule of a bucket.
func (c *Client) DeleteBucketCors(ctx context.Context, req *DeleteBucketCorsRequest) (*DeleteBucketCorsResult, error) {
	op := &operation{name: "DeleteBucketCors", method: http.MethodDelete, bucket: req.Bucket, query: url.Values{"cors": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &DeleteBucketCorsResult{RequestID: id}, nil
}
