package oss

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
)

// MaxCORSRules is the most CORS rules a bucket may have.
const MaxCORSRules = 10

// CORSRule allows one set of cross-origin requests to a bucket.
type CORSRule struct {
	// AllowedOrigins are the origins allowed, e.g. "https://example.com";
	// each may hold one '*' wildcard. At least one is required.
	AllowedOrigins []string `xml:"AllowedOrigin"`
	// AllowedMethods are the methods allowed: GET, PUT, DELETE, POST or
	// HEAD. At least one is required.
	AllowedMethods []string `xml:"AllowedMethod"`
	// AllowedHeaders are the request headers a preflight may name; each
	// may hold one '*' wildcard.
	AllowedHeaders []string `xml:"AllowedHeader"`
	// ExposeHeaders are the response headers browsers may show the
	// application.
	ExposeHeaders []string `xml:"ExposeHeader"`
	// MaxAgeSeconds is how long, in seconds, a browser may cache a
	// preflight answer; nil leaves it unset.
	MaxAgeSeconds *int64 `xml:"MaxAgeSeconds,omitempty"`
}

// corsConfiguration is the body of PutBucketCors and GetBucketCors.
type corsConfiguration struct {
	XMLName      xml.Name   `xml:"CORSConfiguration"`
	Rules        []CORSRule `xml:"CORSRule"`
	ResponseVary *bool      `xml:"ResponseVary,omitempty"`
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
	id, err := c.doXML(ctx, op, &corsConfiguration{Rules: req.Rules, ResponseVary: req.ResponseVary}, nil)
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
	var res corsConfiguration
	id, err := c.doXML(ctx, op, nil, &res)
	if err != nil {
		return nil, err
	}
	return &GetBucketCorsResult{Rules: res.Rules, ResponseVary: res.ResponseVary, RequestID: id}, nil
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
