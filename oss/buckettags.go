package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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

// GetBucketStatRequest names the bucket to count.
type GetBucketStatRequest struct {
	Bucket string
}

// GetBucketStatResult is a bucket's storage and counts: Storage in bytes
// (parts of uploads in progress included), objects in all and per
// storage class, uploads in progress and their parts.
type GetBucketStatResult struct {
	Storage, ObjectCount                 int64
	MultipartUploadCount                 int64
	MultipartPartCount                   int64
	StandardStorage, StandardObjectCount int64
	IAStorage, IAObjectCount             int64
	ArchiveStorage, ArchiveObjectCount   int64
	ColdArchiveStorage                   int64
	ColdArchiveObjectCount               int64
	DeepColdArchiveStorage               int64
	DeepColdArchiveObjectCount           int64
	// LastModified is when the statistics last changed, to the second.
	LastModified time.Time
	RequestID    string
}

// GetBucketStat returns a bucket's storage and object counts.
func (c *Client) GetBucketStat(ctx context.Context, req *GetBucketStatRequest) (*GetBucketStatResult, error) {
	op := &operation{name: "GetBucketStat", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"stat": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var st ossxml.BucketStat
	id, err := c.doXML(ctx, op, nil, &st)
	if err != nil {
		return nil, err
	}
	return &GetBucketStatResult{
		Storage: st.Storage, ObjectCount: st.ObjectCount,
		MultipartUploadCount: st.MultipartUploadCount, MultipartPartCount: st.MultipartPartCount,
		StandardStorage: st.StandardStorage, StandardObjectCount: st.StandardObjectCount,
		IAStorage: st.InfrequentAccessStorage, IAObjectCount: st.InfrequentAccessObjectCount,
		ArchiveStorage: st.ArchiveStorage, ArchiveObjectCount: st.ArchiveObjectCount,
		ColdArchiveStorage: st.ColdArchiveStorage, ColdArchiveObjectCount: st.ColdArchiveObjectCount,
		DeepColdArchiveStorage: st.DeepColdArchiveStorage, DeepColdArchiveObjectCount: st.DeepColdArchiveObjectCount,
		LastModified: time.Unix(st.LastModifiedTime, 0).UTC(), RequestID: id,
	}, nil
}

// RefererConfig is a bucket's hotlink protection: requests for objects
// that are anonymous or signed in their URL must come from a Referer
// the bucket allows.
type RefererConfig struct {
	// AllowEmpty lets requests without a Referer through.
	AllowEmpty bool
	// Allow lists the Referers allowed, matched as prefixes, '*' standing
	// for any run of characters and '?' for one; empty allows any that
	// Deny does not refuse.
	Allow []string
	// Deny lists Referers refused whatever Allow says.
	Deny []string
	// TruncateQuery drops a Referer's query string before matching (OSS's
	// default is true: set it to keep that); TruncatePath also its path.
	TruncateQuery, TruncatePath *bool
}

// PutBucketRefererRequest sets a bucket's hotlink protection.
type PutBucketRefererRequest struct {
	Bucket string
	Config RefererConfig
}

// PutBucketRefererResult is what the service answered.
type PutBucketRefererResult struct {
	RequestID string
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// PutBucketReferer sets the hotlink protection of a bucket.
func (c *Client) PutBucketReferer(ctx context.Context, req *PutBucketRefererRequest) (*PutBucketRefererResult, error) {
	op := &operation{name: "PutBucketReferer", method: http.MethodPut, bucket: req.Bucket, query: url.Values{"referer": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	conf := req.Config
	doc := &ossxml.RefererConfiguration{AllowEmptyReferer: boolText(conf.AllowEmpty), RefererList: conf.Allow, RefererBlacklist: conf.Deny}
	if doc.RefererList == nil {
		doc.RefererList = []string{}
	}
	if conf.TruncateQuery != nil {
		doc.AllowTruncateQueryString = boolText(*conf.TruncateQuery)
	}
	if conf.TruncatePath != nil {
		doc.TruncatePath = boolText(*conf.TruncatePath)
	}
	id, err := c.doXML(ctx, op, doc, nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketRefererResult{RequestID: id}, nil
}

// GetBucketRefererRequest names the bucket whose hotlink protection to
// read.
type GetBucketRefererRequest struct {
	Bucket string
}

// GetBucketRefererResult is a bucket's hotlink protection.
type GetBucketRefererResult struct {
	Config    RefererConfig
	RequestID string
}

// GetBucketReferer returns the hotlink protection of a bucket.
func (c *Client) GetBucketReferer(ctx context.Context, req *GetBucketRefererRequest) (*GetBucketRefererResult, error) {
	op := &operation{name: "GetBucketReferer", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"referer": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var doc ossxml.RefererConfiguration
	id, err := c.doXML(ctx, op, nil, &doc)
	if err != nil {
		return nil, err
	}
	conf := RefererConfig{AllowEmpty: strings.EqualFold(doc.AllowEmptyReferer, "true"), Allow: doc.RefererList, Deny: doc.RefererBlacklist}
	if doc.AllowTruncateQueryString != "" {
		v := strings.EqualFold(doc.AllowTruncateQueryString, "true")
		conf.TruncateQuery = &v
	}
	if doc.TruncatePath != "" {
		v := strings.EqualFold(doc.TruncatePath, "true")
		conf.TruncatePath = &v
	}
	return &GetBucketRefererResult{Config: conf, RequestID: id}, nil
}
