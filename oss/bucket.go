package oss

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// PutBucketRequest creates a bucket.
type PutBucketRequest struct {
	Bucket string
	// ACL is private (the default), public-read or public-read-write.
	ACL string
	// StorageClass is Standard (the default), IA, Archive, ColdArchive or
	// DeepColdArchive.
	StorageClass string
	// DataRedundancyType is LRS (the default) or ZRS.
	DataRedundancyType string
}

// PutBucketResult is what the service answered to a PutBucket.
type PutBucketResult struct {
	RequestID string
}

// PutBucket creates a bucket; creating one the caller already owns with
// the same settings succeeds.
func (c *Client) PutBucket(ctx context.Context, req *PutBucketRequest) (*PutBucketResult, error) {
	op := &operation{name: "PutBucket", method: http.MethodPut, bucket: req.Bucket, header: http.Header{}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if req.ACL != "" {
		op.header.Set("x-oss-acl", req.ACL)
	}
	var body any
	if req.StorageClass != "" || req.DataRedundancyType != "" {
		body = &ossxml.CreateBucketConfiguration{StorageClass: req.StorageClass, DataRedundancyType: req.DataRedundancyType}
	}
	id, err := c.doXML(ctx, op, body, nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketResult{RequestID: id}, nil
}

// DeleteBucketRequest names the bucket to remove.
type DeleteBucketRequest struct {
	Bucket string
}

// DeleteBucketResult is what the service answered to a DeleteBucket.
type DeleteBucketResult struct {
	RequestID string
}

// DeleteBucket removes an empty bucket (ErrBucketNotEmpty while objects
// or multipart uploads remain).
func (c *Client) DeleteBucket(ctx context.Context, req *DeleteBucketRequest) (*DeleteBucketResult, error) {
	op := &operation{name: "DeleteBucket", method: http.MethodDelete, bucket: req.Bucket}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &DeleteBucketResult{RequestID: id}, nil
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name         string
	Location     string // e.g. oss-cn-hangzhou
	Region       string
	StorageClass string
	CreationDate time.Time
}

// ListBucketsRequest selects buckets; the zero value lists them all.
type ListBucketsRequest struct {
	Prefix string
	// Marker starts the listing after this bucket name.
	Marker string
	// PageSize is the number of buckets per page, 1 to 1000 (default 100).
	PageSize int
	// TagKey, when set, lists only the buckets with a tag of that key, and
	// with TagValue also set, of that value.
	TagKey, TagValue string
}

// ListBucketsPage is one page of buckets.
type ListBucketsPage struct {
	Buckets   []BucketInfo
	RequestID string
}

// ListBuckets iterates over the caller's buckets a page at a time. The
// iteration stops at the first error, which it yields; a service whose
// next marker does not come after the last yields a *PaginationError.
func (c *Client) ListBuckets(ctx context.Context, req *ListBucketsRequest) iter.Seq2[*ListBucketsPage, error] {
	return paginate(ctx, "ListBuckets", keyMarker(req.Marker), func(ctx context.Context, marker keyMarker) (*ListBucketsPage, keyMarker, bool, error) {
		q := url.Values{"marker": {string(marker)}, "max-keys": {strconv.Itoa(pageSize(req.PageSize, 100))}}
		setNonEmpty(q, "prefix", req.Prefix)
		setNonEmpty(q, "tag-key", req.TagKey)
		setNonEmpty(q, "tag-value", req.TagValue)
		op := &operation{name: "ListBuckets", method: http.MethodGet, query: q}
		var res ossxml.ListAllMyBucketsResult
		id, err := c.doXML(ctx, op, nil, &res)
		if err != nil {
			return nil, "", false, err
		}
		page := &ListBucketsPage{RequestID: id}
		for _, b := range res.Buckets {
			page.Buckets = append(page.Buckets, BucketInfo{Name: b.Name, Location: b.Location, Region: b.Region, StorageClass: b.StorageClass, CreationDate: b.CreationDate.Time})
		}
		return page, keyMarker(res.NextMarker), res.IsTruncated, nil
	})
}

// pageSize applies a page-size default and the 1000 ceiling.
func pageSize(n, def int) int {
	switch {
	case n <= 0:
		return def
	case n > 1000:
		return 1000
	}
	return n
}
