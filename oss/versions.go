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

// Versioning states of a bucket, as PutBucketVersioning sets them and
// GetBucketVersioning reports them. A bucket never versioned reports "".
const (
	// VersioningEnabled keeps every version of every object: each write
	// makes a new version, and a delete puts a delete marker on the key.
	VersioningEnabled = "Enabled"
	// VersioningSuspended keeps the versions already made, but writes
	// replace the key's "null" version (NullVersionID) instead of adding
	// one. A bucket once versioned cannot return to unversioned.
	VersioningSuspended = "Suspended"
)

// NullVersionID is the version id of the version written while a
// bucket's versioning was suspended, or before it was enabled.
const NullVersionID = "null"

// versionParam is the query that selects versionID; nil for none.
func versionParam(versionID string) url.Values {
	if versionID == "" {
		return nil
	}
	return url.Values{"versionId": {versionID}}
}

// PutBucketVersioningRequest enables or suspends a bucket's versioning.
type PutBucketVersioningRequest struct {
	Bucket string
	// Status is VersioningEnabled or VersioningSuspended.
	Status string
}

// PutBucketVersioningResult is what the service answered to a
// PutBucketVersioning.
type PutBucketVersioningResult struct {
	RequestID string
}

// PutBucketVersioning enables or suspends the versioning of a bucket.
func (c *Client) PutBucketVersioning(ctx context.Context, req *PutBucketVersioningRequest) (*PutBucketVersioningResult, error) {
	op := &operation{name: "PutBucketVersioning", method: http.MethodPut, bucket: req.Bucket, query: url.Values{"versioning": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if req.Status != VersioningEnabled && req.Status != VersioningSuspended {
		return nil, op.wrap(fmt.Errorf("status %q, need %s or %s: %w", req.Status, VersioningEnabled, VersioningSuspended, ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, &ossxml.VersioningConfiguration{Status: req.Status}, nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketVersioningResult{RequestID: id}, nil
}

// GetBucketVersioningRequest names the bucket whose versioning to read.
type GetBucketVersioningRequest struct {
	Bucket string
}

// GetBucketVersioningResult is a bucket's versioning state.
type GetBucketVersioningResult struct {
	// Status is VersioningEnabled, VersioningSuspended, or "" for a bucket
	// never versioned.
	Status    string
	RequestID string
}

// GetBucketVersioning returns the versioning state of a bucket.
func (c *Client) GetBucketVersioning(ctx context.Context, req *GetBucketVersioningRequest) (*GetBucketVersioningResult, error) {
	op := &operation{name: "GetBucketVersioning", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"versioning": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var conf ossxml.VersioningConfiguration
	id, err := c.doXML(ctx, op, nil, &conf)
	if err != nil {
		return nil, err
	}
	return &GetBucketVersioningResult{Status: conf.Status, RequestID: id}, nil
}

// ListObjectVersionsRequest selects the versions and delete markers of a
// bucket's objects.
type ListObjectVersionsRequest struct {
	Bucket string
	Prefix string
	// Delimiter groups keys that share the part of their name up to the
	// delimiter into CommonPrefixes ("/" lists one directory level).
	Delimiter string
	// KeyMarker starts the listing after this key's versions, or, with
	// VersionIDMarker, after that version of the key.
	KeyMarker       string
	VersionIDMarker string
	// PageSize is the number of entries per page, versions and delete
	// markers together, 1 to 1000 (default 100).
	PageSize int
}

// ObjectVersion is one version of an object, as ListObjectVersions
// reports it.
type ObjectVersion struct {
	Key       string
	VersionID string // NullVersionID for the null version
	// IsLatest says that this is the key's current version.
	IsLatest     bool
	Size         int64 // bytes
	ETag         string
	LastModified time.Time
	Type         string // ObjectTypeNormal, ObjectTypeMultipart, ObjectTypeAppendable or ObjectTypeSymlink
	StorageClass string
	// Restore is the restore of an archived object.
	Restore RestoreStatus
}

// DeleteMarker is a delete marker, as ListObjectVersions reports it: the
// version a delete left on a key of a versioned bucket.
type DeleteMarker struct {
	Key       string
	VersionID string
	// IsLatest says that the marker is the key's current version, so that
	// reads of the key answer NoSuchKey.
	IsLatest     bool
	LastModified time.Time
}

// ListObjectVersionsPage is one page of a version listing. Within a key,
// versions and delete markers are listed newest first; the two lists
// are kept apart as the service sends them.
type ListObjectVersionsPage struct {
	Versions       []ObjectVersion
	DeleteMarkers  []DeleteMarker
	CommonPrefixes []string
	RequestID      string
}

// ListObjectVersions iterates over the versions and delete markers of a
// bucket's objects a page at a time, keys in byte order. Keys are
// requested URL-encoded so that any key survives the XML. The iteration
// stops at the first error, which it yields; a service whose next markers
// do not move forward yields a *PaginationError.
func (c *Client) ListObjectVersions(ctx context.Context, req *ListObjectVersionsRequest) iter.Seq2[*ListObjectVersionsPage, error] {
	if req.Bucket == "" {
		return failed[*ListObjectVersionsPage](fmt.Errorf("oss: ListObjectVersions: bucket is required: %w", ErrInvalidArgument))
	}
	if req.VersionIDMarker != "" && req.KeyMarker == "" {
		return failed[*ListObjectVersionsPage](fmt.Errorf("oss: ListObjectVersions: a version id marker needs a key marker: %w", ErrInvalidArgument))
	}
	start := versionMarker{req.KeyMarker, req.VersionIDMarker}
	return paginate(ctx, "ListObjectVersions", start, func(ctx context.Context, marker versionMarker) (*ListObjectVersionsPage, versionMarker, bool, error) {
		q := url.Values{"versions": {""}, "encoding-type": {ossxml.EncodingURL}, "max-keys": {strconv.Itoa(pageSize(req.PageSize, 100))}}
		setNonEmpty(q, "prefix", req.Prefix)
		setNonEmpty(q, "delimiter", req.Delimiter)
		setNonEmpty(q, "key-marker", marker.key)
		setNonEmpty(q, "version-id-marker", marker.versionID)
		op := &operation{name: "ListObjectVersions", method: http.MethodGet, bucket: req.Bucket, query: q}
		var res ossxml.ListVersionsResult
		id, err := c.doXML(ctx, op, nil, &res)
		if err == nil {
			err = c.decodeKeys(res.EncodingType, &res)
		}
		if err != nil {
			return nil, versionMarker{}, false, err
		}
		return versionsPage(&res, id), versionMarker{res.NextKeyMarker, res.NextVersionIDMarker}, res.IsTruncated, nil
	})
}

// versionsPage converts a decoded ListVersionsResult.
func versionsPage(res *ossxml.ListVersionsResult, requestID string) *ListObjectVersionsPage {
	page := &ListObjectVersionsPage{RequestID: requestID}
	for _, v := range res.Versions {
		page.Versions = append(page.Versions, ObjectVersion{Key: v.Key, VersionID: v.VersionID, IsLatest: v.IsLatest, Size: v.Size, ETag: v.ETag,
			LastModified: v.LastModified.Time, Type: v.Type, StorageClass: v.StorageClass, Restore: parseRestore(v.RestoreInfo)})
	}
	for _, m := range res.DeleteMarkers {
		page.DeleteMarkers = append(page.DeleteMarkers, DeleteMarker{Key: m.Key, VersionID: m.VersionID, IsLatest: m.IsLatest, LastModified: m.LastModified.Time})
	}
	for _, p := range res.CommonPrefixes {
		page.CommonPrefixes = append(page.CommonPrefixes, p.Prefix)
	}
	return page
}

// versionMarker resumes ListObjectVersions after a version: the key (or
// common prefix) and, within it, the version id; no version id means
// after every version of the key. Keys are in byte order, so the key may
// not go backwards; version ids have no documented order and are compared
// only for equality, as uploadMarker compares upload ids.
type versionMarker struct {
	key, versionID string
}

func (m versionMarker) after(prev versionMarker) bool {
	return uploadMarker{m.key, m.versionID}.after(uploadMarker{prev.key, prev.versionID})
}

func (m versionMarker) String() string {
	return "key-marker=" + strconv.Quote(m.key) + " version-id-marker=" + strconv.Quote(m.versionID)
}
