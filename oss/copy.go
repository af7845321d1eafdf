package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// Values of CopyObjectRequest.MetadataDirective.
const (
	// MetadataDirectiveCopy gives the copy the source's metadata (the
	// default).
	MetadataDirectiveCopy = "COPY"
	// MetadataDirectiveReplace gives the copy the request's ObjectMetadata.
	MetadataDirectiveReplace = "REPLACE"
)

// Values of CopyObjectRequest.TaggingDirective. They are written as the
// metadata directives are, upper-case, which every OSS-compatible service
// takes.
const (
	// TaggingDirectiveCopy gives the copy the source's tags (the default).
	TaggingDirectiveCopy = "COPY"
	// TaggingDirectiveReplace gives the copy the request's
	// ObjectMetadata.Tags.
	TaggingDirectiveReplace = "REPLACE"
)

// CopySourceConditions make a copy depend on the state of its source.
// The zero value sets none. A failed IfMatch or IfUnmodifiedSince is a
// 412 PreconditionFailed (ErrPreconditionFailed); a failed IfNoneMatch or
// IfModifiedSince is a 304 NotModified.
type CopySourceConditions struct {
	// IfMatch is an ETag the source must have.
	IfMatch string
	// IfNoneMatch is an ETag the source must not have.
	IfNoneMatch string
	// IfModifiedSince: the source must have changed after this time.
	IfModifiedSince time.Time
	// IfUnmodifiedSince: the source must not have changed after this time.
	IfUnmodifiedSince time.Time
}

func (cc *CopySourceConditions) apply(h http.Header) {
	if cc.IfMatch != "" {
		h.Set("x-oss-copy-source-if-match", cc.IfMatch)
	}
	if cc.IfNoneMatch != "" {
		h.Set("x-oss-copy-source-if-none-match", cc.IfNoneMatch)
	}
	if !cc.IfModifiedSince.IsZero() {
		h.Set("x-oss-copy-source-if-modified-since", cc.IfModifiedSince.UTC().Format(http.TimeFormat))
	}
	if !cc.IfUnmodifiedSince.IsZero() {
		h.Set("x-oss-copy-source-if-unmodified-since", cc.IfUnmodifiedSince.UTC().Format(http.TimeFormat))
	}
}

// copySource is the x-oss-copy-source of an object: /bucket/key with the
// key percent-encoded as in a request path ('/' kept), and the source
// version when there is one.
func copySource(bucket, key, versionID string) string {
	s := "/" + bucket + "/" + escapePath(key)
	if versionID != "" {
		s += "?versionId=" + queryEscape(versionID)
	}
	return s
}

// CopyObjectRequest copies an object, within a bucket or from another
// bucket of the same region, without moving its bytes through the client.
type CopyObjectRequest struct {
	// Bucket and Key name the destination.
	Bucket string
	Key    string
	// SourceBucket is the bucket of the source; empty means Bucket.
	SourceBucket string
	// SourceKey is the key of the source.
	SourceKey string
	// SourceVersionID selects a version of the source; empty means the
	// current one.
	SourceVersionID string
	// MetadataDirective is MetadataDirectiveCopy (empty means the same) or
	// MetadataDirectiveReplace, in any case.
	MetadataDirective string
	// ObjectMetadata: its ACL and StorageClass, when set, apply to the
	// copy whatever the directives. Its other fields (content headers and
	// User) are the copy's metadata with MetadataDirectiveReplace and must
	// be empty otherwise; its Tags are the copy's tags with
	// TaggingDirectiveReplace and must be empty otherwise.
	ObjectMetadata ObjectMetadata
	// TaggingDirective is TaggingDirectiveCopy (empty means the same) or
	// TaggingDirectiveReplace, in any case.
	TaggingDirective string
	// Conditions make the copy depend on the source's ETag or time.
	Conditions CopySourceConditions
	// ForbidOverwrite fails with ErrFileAlreadyExists if the destination
	// exists.
	ForbidOverwrite bool
	// TrafficLimit caps the copy speed in bits per second (0: none).
	TrafficLimit int64
}

// CopyObjectResult describes the copy.
type CopyObjectResult struct {
	ETag         string
	LastModified time.Time
	// CRC64 is the copy's CRC-64/ECMA as the service reported it; 0 when
	// HasCRC64 is false.
	CRC64    uint64
	HasCRC64 bool
	// VersionID is the copy's version, in a versioned bucket.
	VersionID string
	// SourceVersionID is the version copied, in a versioned bucket.
	SourceVersionID string
	RequestID       string
}

// CopyObject copies req.SourceBucket/req.SourceKey to req.Bucket/req.Key
// on the service. A copy of an object onto itself with
// MetadataDirectiveReplace changes its metadata in place, its bytes
// untouched. Copying is idempotent and retried as any request is.
func (c *Client) CopyObject(ctx context.Context, req *CopyObjectRequest) (*CopyObjectResult, error) {
	op := &operation{name: "CopyObject", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{}}
	src := req.SourceBucket
	if src == "" {
		src = req.Bucket
	}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := checkObject(src, req.SourceKey); err != nil {
		return nil, op.wrap(fmt.Errorf("source: %w", err))
	}
	if err := copyMetadata(op.header, req); err != nil {
		return nil, op.wrap(err)
	}
	op.header.Set("x-oss-copy-source", copySource(src, req.SourceKey, req.SourceVersionID))
	req.Conditions.apply(op.header)
	if req.ForbidOverwrite {
		op.header.Set("x-oss-forbid-overwrite", "true")
	}
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.doXMLResponse(ctx, op, nil)
	if err != nil {
		return nil, err
	}
	var body ossxml.CopyObjectResult
	id, err := decodeXMLBody(op, resp, &body)
	if err != nil {
		return nil, err
	}
	res := &CopyObjectResult{ETag: body.ETag, LastModified: body.LastModified.Time, RequestID: id,
		VersionID: resp.Header.Get("x-oss-version-id"), SourceVersionID: resp.Header.Get("x-oss-copy-source-version-id")}
	if res.ETag == "" {
		res.ETag = resp.Header.Get("ETag")
	}
	res.CRC64, res.HasCRC64 = crcHeader(resp.Header)
	return res, nil
}

// copyMetadata checks the directives of a copy against its metadata and
// sets the headers they call for.
func copyMetadata(h http.Header, req *CopyObjectRequest) error {
	m := req.ObjectMetadata
	metaDir, tagDir := strings.ToUpper(req.MetadataDirective), strings.ToUpper(req.TaggingDirective)
	switch metaDir {
	case "", MetadataDirectiveCopy:
		if m.ContentType != "" || m.CacheControl != "" || m.ContentDisposition != "" || m.ContentEncoding != "" || m.Expires != "" || len(m.User) > 0 {
			return fmt.Errorf("metadata is given but the metadata directive is not %s: %w", MetadataDirectiveReplace, ErrInvalidArgument)
		}
		if m.ACL != "" {
			h.Set("x-oss-object-acl", m.ACL)
		}
		if m.StorageClass != "" {
			h.Set("x-oss-storage-class", m.StorageClass)
		}
	case MetadataDirectiveReplace:
		m.Tags = nil // governed by the tagging directive
		if err := m.apply(h); err != nil {
			return err
		}
	default:
		return fmt.Errorf("metadata directive %q is neither %s nor %s: %w", req.MetadataDirective, MetadataDirectiveCopy, MetadataDirectiveReplace, ErrInvalidArgument)
	}
	if metaDir != "" {
		h.Set("x-oss-metadata-directive", metaDir)
	}
	switch tagDir {
	case "", TaggingDirectiveCopy:
		if len(req.ObjectMetadata.Tags) > 0 {
			return fmt.Errorf("tags are given but the tagging directive is not %s: %w", TaggingDirectiveReplace, ErrInvalidArgument)
		}
	case TaggingDirectiveReplace:
		if err := setTagging(h, req.ObjectMetadata.Tags); err != nil {
			return err
		}
	default:
		return fmt.Errorf("tagging directive %q is neither %s nor %s: %w", req.TaggingDirective, TaggingDirectiveCopy, TaggingDirectiveReplace, ErrInvalidArgument)
	}
	if tagDir != "" {
		h.Set("x-oss-tagging-directive", tagDir)
	}
	return nil
}

// UploadPartCopyRequest uploads one part of a multipart upload from a
// byte range of an existing object, on the service.
type UploadPartCopyRequest struct {
	Bucket     string
	Key        string
	UploadID   string
	PartNumber int // 1 to 10000
	// SourceBucket is the bucket of the source; empty means Bucket.
	SourceBucket string
	// SourceKey is the key of the source.
	SourceKey string
	// SourceVersionID selects a version of the source; empty means the
	// current one.
	SourceVersionID string
	// Range selects Range.Length bytes of the source from Range.Offset;
	// nil copies the whole source. Its Length must be above 0 (an open
	// range cannot be sent).
	Range *ByteRange
	// Conditions make the copy depend on the source's ETag or time.
	Conditions CopySourceConditions
	// TrafficLimit caps the copy speed in bits per second (0: none).
	TrafficLimit int64
}

// UploadPartCopyResult is a part stored from a copy.
type UploadPartCopyResult struct {
	ETag         string
	LastModified time.Time
	// CRC64 is the part's CRC-64/ECMA as the service reported it; 0 when
	// HasCRC64 is false.
	CRC64    uint64
	HasCRC64 bool
	// SourceVersionID is the version copied, in a versioned bucket.
	SourceVersionID string
	RequestID       string
}

// UploadPartCopy stores part req.PartNumber of an upload from a range of
// another object. Copying is idempotent and retried as any request is.
func (c *Client) UploadPartCopy(ctx context.Context, req *UploadPartCopyRequest) (*UploadPartCopyResult, error) {
	op := &operation{name: "UploadPartCopy", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: url.Values{"partNumber": {strconv.Itoa(req.PartNumber)}, "uploadId": {req.UploadID}}}
	src := req.SourceBucket
	if src == "" {
		src = req.Bucket
	}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := checkObject(src, req.SourceKey); err != nil {
		return nil, op.wrap(fmt.Errorf("source: %w", err))
	}
	switch {
	case req.UploadID == "":
		return nil, op.wrap(fmt.Errorf("upload id is required: %w", ErrInvalidArgument))
	case req.PartNumber < 1 || req.PartNumber > MaxPartNumber:
		return nil, op.wrap(fmt.Errorf("part number %d is outside 1..%d: %w", req.PartNumber, MaxPartNumber, ErrInvalidArgument))
	}
	if r := req.Range; r != nil {
		if r.Offset < 0 || r.Length <= 0 || r.Length > MaxPartSize {
			return nil, op.wrap(fmt.Errorf("copy range of %d bytes from %d: need 1..%d bytes from an offset of 0 or more: %w", r.Length, r.Offset, int64(MaxPartSize), ErrInvalidArgument))
		}
		op.header.Set("x-oss-copy-source-range", "bytes="+strconv.FormatInt(r.Offset, 10)+"-"+strconv.FormatInt(r.Offset+r.Length-1, 10))
	}
	op.header.Set("x-oss-copy-source", copySource(src, req.SourceKey, req.SourceVersionID))
	req.Conditions.apply(op.header)
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.doXMLResponse(ctx, op, nil)
	if err != nil {
		return nil, err
	}
	var body ossxml.CopyPartResult
	id, err := decodeXMLBody(op, resp, &body)
	if err != nil {
		return nil, err
	}
	res := &UploadPartCopyResult{ETag: body.ETag, LastModified: body.LastModified.Time, RequestID: id,
		SourceVersionID: resp.Header.Get("x-oss-copy-source-version-id")}
	res.CRC64, res.HasCRC64 = crcHeader(resp.Header)
	return res, nil
}
