package oss

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// ListObjectsV2Request selects the objects of a bucket.
type ListObjectsV2Request struct {
	Bucket string
	Prefix string
	// Delimiter groups keys that share the part of their name up to the
	// delimiter into CommonPrefixes ("/" lists one directory level).
	Delimiter string
	// StartAfter lists only keys after this one.
	StartAfter string
	// PageSize is the number of entries per page, 1 to 1000 (default 100).
	PageSize int
}

// ObjectSummary is one object of a listing.
type ObjectSummary struct {
	Key          string
	Size         int64 // bytes; for an Appendable object, the Position of its next append
	ETag         string
	LastModified time.Time
	Type         string // ObjectTypeNormal, ObjectTypeMultipart, ObjectTypeAppendable or ObjectTypeSymlink
	StorageClass string
	// Restore is the restore of an archived object.
	Restore RestoreStatus
}

// ListObjectsV2Page is one page of a listing.
type ListObjectsV2Page struct {
	Objects        []ObjectSummary
	CommonPrefixes []string
	RequestID      string
}

// ListObjectsV2 iterates over a bucket's objects a page at a time, in key
// order. Keys are requested URL-encoded so that any key survives the XML.
// The iteration stops at the first error, which it yields; a service that
// does not advance its continuation token yields a *PaginationError.
func (c *Client) ListObjectsV2(ctx context.Context, req *ListObjectsV2Request) iter.Seq2[*ListObjectsV2Page, error] {
	if req.Bucket == "" {
		return failed[*ListObjectsV2Page](fmt.Errorf("oss: ListObjectsV2: bucket is required: %w", ErrInvalidArgument))
	}
	return paginate(ctx, "ListObjectsV2", "", func(ctx context.Context, token tokenMarker) (*ListObjectsV2Page, tokenMarker, bool, error) {
		q := url.Values{"list-type": {"2"}, "encoding-type": {ossxml.EncodingURL}, "max-keys": {strconv.Itoa(pageSize(req.PageSize, 100))}}
		setNonEmpty(q, "prefix", req.Prefix)
		setNonEmpty(q, "delimiter", req.Delimiter)
		setNonEmpty(q, "start-after", req.StartAfter)
		setNonEmpty(q, "continuation-token", string(token))
		op := &operation{name: "ListObjectsV2", method: http.MethodGet, bucket: req.Bucket, query: q}
		var res ossxml.ListBucketV2Result
		id, err := c.doXML(ctx, op, nil, &res)
		if err == nil {
			err = c.decodeKeys(res.EncodingType, &res)
		}
		if err != nil {
			return nil, "", false, err
		}
		page := &ListObjectsV2Page{RequestID: id}
		for _, o := range res.Contents {
			page.Objects = append(page.Objects, ObjectSummary{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: o.LastModified.Time, Type: o.Type, StorageClass: o.StorageClass, Restore: parseRestore(o.RestoreInfo)})
		}
		for _, p := range res.CommonPrefixes {
			page.CommonPrefixes = append(page.CommonPrefixes, p.Prefix)
		}
		return page, tokenMarker(res.NextContinuationToken), res.IsTruncated, nil
	})
}

func setNonEmpty(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// decodeKeys undoes encoding-type=url on an answer whose EncodingType is
// encodingType, reading an S3 service's '+' as the space it stands for.
func (c *Client) decodeKeys(encodingType string, res interface {
	ossxml.URLEncoded
	DecodeURL() error
}) error {
	if c.s3 && strings.EqualFold(encodingType, ossxml.EncodingURL) {
		ossxml.PlusAsSpace(res)
	}
	return res.DecodeURL()
}
