package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
)

// Limits OSS sets on object tags.
const (
	MaxObjectTags     = limits.MaxObjectTags     // tags per object
	MaxTagKeyLength   = limits.MaxTagKeyLength   // characters; a key has at least one
	MaxTagValueLength = limits.MaxTagValueLength // characters; a value may be empty
)

// Tag is one object tag. Keys are case-sensitive and unique within an
// object.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// checkTags applies OSS's limits to a set of object tags.
func checkTags(tags []Tag) error {
	if len(tags) > MaxObjectTags {
		return fmt.Errorf("%d tags, more than %d: %w", len(tags), MaxObjectTags, ErrInvalidArgument)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > MaxTagKeyLength {
			return fmt.Errorf("tag key %q has %d characters, need 1..%d: %w", t.Key, n, MaxTagKeyLength, ErrInvalidArgument)
		}
		if n := utf8.RuneCountInString(t.Value); n > MaxTagValueLength {
			return fmt.Errorf("value of tag %q has %d characters, more than %d: %w", t.Key, n, MaxTagValueLength, ErrInvalidArgument)
		}
		if !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value) {
			return fmt.Errorf("tag %q is not valid UTF-8: %w", t.Key, ErrInvalidArgument)
		}
		if seen[t.Key] {
			return fmt.Errorf("tag key %q is given twice: %w", t.Key, ErrInvalidArgument)
		}
		seen[t.Key] = true
	}
	return nil
}

// encodeTagging renders tags as x-oss-tagging wants them: k=v pairs
// joined by '&', in order, each side query-encoded.
func encodeTagging(tags []Tag) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(queryEscape(t.Key))
		b.WriteByte('=')
		b.WriteString(queryEscape(t.Value))
	}
	return b.String()
}

// setTagging checks tags and, when there are any, sets x-oss-tagging.
func setTagging(h http.Header, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	if len(tags) > 0 {
		h.Set("x-oss-tagging", encodeTagging(tags))
	}
	return nil
}

// tagging is the body of PutObjectTagging.
func tagging(tags []Tag) *ossxml.Tagging {
	var t ossxml.Tagging
	t.TagSet.Tags = make([]ossxml.Tag, len(tags))
	for i, tag := range tags {
		t.TagSet.Tags[i] = ossxml.Tag(tag)
	}
	return &t
}

// PutObjectTaggingRequest replaces an object's tags.
type PutObjectTaggingRequest struct {
	Bucket string
	Key    string
	// Tags are the object's new tags, in order: at most MaxObjectTags,
	// unique keys. An empty Tags sends an empty tag set; to remove the
	// tags, DeleteObjectTagging says so plainly.
	Tags []Tag
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// PutObjectTaggingResult is what the service answered to a
// PutObjectTagging.
type PutObjectTaggingResult struct {
	VersionID string
	RequestID string
}

// PutObjectTagging replaces the tags of an object.
func (c *Client) PutObjectTagging(ctx context.Context, req *PutObjectTaggingRequest) (*PutObjectTaggingResult, error) {
	op := &operation{name: "PutObjectTagging", method: http.MethodPut, bucket: req.Bucket, key: req.Key, query: versionQuery("tagging", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := checkTags(req.Tags); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.doXMLResponse(ctx, op, tagging(req.Tags))
	if err != nil {
		return nil, err
	}
	discardClose(resp)
	return &PutObjectTaggingResult{VersionID: resp.Header.Get("x-oss-version-id"), RequestID: resp.Header.Get("x-oss-request-id")}, nil
}

// GetObjectTaggingRequest names the object whose tags to read.
type GetObjectTaggingRequest struct {
	Bucket string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// GetObjectTaggingResult holds an object's tags.
type GetObjectTaggingResult struct {
	// Tags are the object's tags in the order the service lists them;
	// empty when it has none.
	Tags      []Tag
	VersionID string
	RequestID string
}

// GetObjectTagging returns the tags of an object.
func (c *Client) GetObjectTagging(ctx context.Context, req *GetObjectTaggingRequest) (*GetObjectTaggingResult, error) {
	op := &operation{name: "GetObjectTagging", method: http.MethodGet, bucket: req.Bucket, key: req.Key, query: versionQuery("tagging", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.doXMLResponse(ctx, op, nil)
	if err != nil {
		return nil, err
	}
	var body ossxml.Tagging
	id, err := decodeXMLBody(op, resp, &body)
	if err != nil {
		return nil, err
	}
	res := &GetObjectTaggingResult{VersionID: resp.Header.Get("x-oss-version-id"), RequestID: id}
	for _, t := range body.TagSet.Tags {
		res.Tags = append(res.Tags, Tag(t))
	}
	return res, nil
}

// DeleteObjectTaggingRequest names the object whose tags to remove.
type DeleteObjectTaggingRequest struct {
	Bucket string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// DeleteObjectTaggingResult is what the service answered to a
// DeleteObjectTagging.
type DeleteObjectTaggingResult struct {
	VersionID string
	RequestID string
}

// DeleteObjectTagging removes every tag of an object.
func (c *Client) DeleteObjectTagging(ctx context.Context, req *DeleteObjectTaggingRequest) (*DeleteObjectTaggingResult, error) {
	op := &operation{name: "DeleteObjectTagging", method: http.MethodDelete, bucket: req.Bucket, key: req.Key, query: versionQuery("tagging", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	return &DeleteObjectTaggingResult{VersionID: h.Get("x-oss-version-id"), RequestID: h.Get("x-oss-request-id")}, nil
}

// versionQuery is a sub-resource query, with versionId when one is given.
func versionQuery(sub, versionID string) url.Values {
	q := url.Values{sub: {""}}
	if versionID != "" {
		q.Set("versionId", versionID)
	}
	return q
}
