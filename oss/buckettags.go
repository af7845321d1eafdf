package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// MaxBucketTags is the most tags a bucket may have.
const MaxBucketTags = 20

// PutBucketTagsRequest replaces a bucket's tags.
type PutBucketTagsRequest struct {
	Bucket string
	// Tags are the bucket's tags, 1 to MaxBucketTags; OSS takes keys of 1
	// to 64 bytes that do not start with http://, https:// or Aliyun, and
	// values of up to 128 bytes.
	Tags []Tag
}

// PutBucketTagsResult is what the service answered to a PutBucketTags.
type PutBucketTagsResult struct {
	RequestID string
}

// PutBucketTags replaces the tags of a bucket.
func (c *Client) PutBucketTags(ctx context.Context, req *PutBucketTagsRequest) (*PutBucketTagsResult, error) {
	op := &operation{name: "PutBucketTags", method: http.MethodPut, bucket: req.Bucket, query: url.Values{"tagging": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if len(req.Tags) == 0 || len(req.Tags) > MaxBucketTags {
		return nil, op.wrap(fmt.Errorf("%d tags, need 1..%d: %w", len(req.Tags), MaxBucketTags, ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, tagging(req.Tags), nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketTagsResult{RequestID: id}, nil
}

// GetBucketTagsRequest names the bucket whose tags to read.
type GetBucketTagsRequest struct {
	Bucket string
}

// GetBucketTagsResult holds a bucket's tags; none for a bucket without.
type GetBucketTagsResult struct {
	Tags      []Tag
	RequestID string
}

// GetBucketTags returns the tags of a bucket.
func (c *Client) GetBucketTags(ctx context.Context, req *GetBucketTagsRequest) (*GetBucketTagsResult, error) {
	op := &operation{name: "GetBucketTags", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"tagging": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var body ossxml.Tagging
	id, err := c.doXML(ctx, op, nil, &body)
	if err != nil {
		return nil, err
	}
	res := &GetBucketTagsResult{RequestID: id}
	for _, t := range body.TagSet.Tags {
		res.Tags = append(res.Tags, Tag(t))
	}
	return res, nil
}

// DeleteBucketTagsRequest removes a bucket's tags.
type DeleteBucketTagsRequest struct {
	Bucket string
	// Keys, when given, are the only tags removed; none removes them all.
	Keys []string
}

// DeleteBucketTagsResult is what the service answered to a
// DeleteBucketTags.
type DeleteBucketTagsResult struct {
	RequestID string
}

// DeleteBucketTags removes a bucket's tags, or those of req.Keys. Tags
// the bucket does not have are not an error.
func (c *Client) DeleteBucketTags(ctx context.Context, req *DeleteBucketTagsRequest) (*DeleteBucketTagsResult, error) {
	op := &operation{name: "DeleteBucketTags", method: http.MethodDelete, bucket: req.Bucket, query: url.Values{"tagging": {strings.Join(req.Keys, ",")}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &DeleteBucketTagsResult{RequestID: id}, nil
}
