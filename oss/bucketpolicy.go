package oss

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ossup/ossup/internal/limits"
)

// MaxBucketPolicySize is the largest bucket policy document, in bytes.
const MaxBucketPolicySize = limits.MaxBucketPolicySize

// PutBucketPolicyRequest sets a bucket's policy.
type PutBucketPolicyRequest struct {
	Bucket string
	// Policy is the policy document, JSON of at most MaxBucketPolicySize
	// bytes: {"Version":"1","Statement":[...]}, each statement with an
	// Effect (Allow or Deny), Action, Principal, Resource and optional
	// Condition. It is sent as given; the service checks it.
	Policy string
}

// PutBucketPolicyResult is what the service answered to a
// PutBucketPolicy.
type PutBucketPolicyResult struct {
	RequestID string
}

// PutBucketPolicy replaces the policy of a bucket. A document the service
// refuses is an error matching ErrInvalidPolicyDocument, and leaves the
// bucket's policy as it was.
func (c *Client) PutBucketPolicy(ctx context.Context, req *PutBucketPolicyRequest) (*PutBucketPolicyResult, error) {
	op := &operation{name: "PutBucketPolicy", method: http.MethodPut, bucket: req.Bucket, query: url.Values{"policy": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if strings.TrimSpace(req.Policy) == "" || len(req.Policy) > MaxBucketPolicySize {
		return nil, op.wrap(fmt.Errorf("policy of %d bytes, need 1..%d: %w", len(req.Policy), MaxBucketPolicySize, ErrInvalidArgument))
	}
	sum := md5.Sum([]byte(req.Policy))
	op.header = http.Header{"Content-Type": {"application/json"}, "Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}
	op.body, op.size = strings.NewReader(req.Policy), int64(len(req.Policy))
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	return &PutBucketPolicyResult{RequestID: h.Get("x-oss-request-id")}, nil
}

// GetBucketPolicyRequest names the bucket whose policy to read.
type GetBucketPolicyRequest struct {
	Bucket string
}

// GetBucketPolicyResult is a bucket's policy document, as it was put.
type GetBucketPolicyResult struct {
	Policy    string
	RequestID string
}

// GetBucketPolicy returns the policy of a bucket; a bucket without one is
// an error matching ErrNoSuchBucketPolicy.
func (c *Client) GetBucketPolicy(ctx context.Context, req *GetBucketPolicyRequest) (*GetBucketPolicyResult, error) {
	op := &operation{name: "GetBucketPolicy", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"policy": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	resp, err := c.do(ctx, op)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Read a little past the limit, so that a longer answer is noticed
	// rather than cut.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 2*MaxBucketPolicySize))
	if err != nil {
		return nil, op.wrap(fmt.Errorf("read response: %w", err))
	}
	return &GetBucketPolicyResult{Policy: string(data), RequestID: resp.Header.Get("x-oss-request-id")}, nil
}

// DeleteBucketPolicyRequest removes a bucket's policy.
type DeleteBucketPolicyRequest struct {
	Bucket string
}

// DeleteBucketPolicyResult is what the service answered to a
// DeleteBucketPolicy.
type DeleteBucketPolicyResult struct {
	RequestID string
}

// DeleteBucketPolicy removes the policy of a bucket; a bucket without one
// is not an error.
func (c *Client) DeleteBucketPolicy(ctx context.Context, req *DeleteBucketPolicyRequest) (*DeleteBucketPolicyResult, error) {
	op := &operation{name: "DeleteBucketPolicy", method: http.MethodDelete, bucket: req.Bucket, query: url.Values{"policy": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	return &DeleteBucketPolicyResult{RequestID: h.Get("x-oss-request-id")}, nil
}
