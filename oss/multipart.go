package oss

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
)

// Multipart limits.
const (
	MinPartSize   = limits.MinPartSize // bytes; every part but the last
	MaxPartSize   = limits.MaxPartSize // bytes
	MaxPartNumber = limits.MaxPartNumber
)

// InitiateMultipartUploadRequest starts a multipart upload.
type InitiateMultipartUploadRequest struct {
	Bucket string
	Key    string
	// ObjectMetadata is applied to the object at Complete.
	ObjectMetadata ObjectMetadata
	// ForbidOverwrite fails with ErrFileAlreadyExists if the key exists.
	ForbidOverwrite bool
}

// InitiateMultipartUploadResult names the upload started.
type InitiateMultipartUploadResult struct {
	UploadID  string
	RequestID string
}

// InitiateMultipartUpload starts a multipart upload.
func (c *Client) InitiateMultipartUpload(ctx context.Context, req *InitiateMultipartUploadRequest) (*InitiateMultipartUploadResult, error) {
	op := &operation{name: "InitiateMultipartUpload", method: http.MethodPost, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: url.Values{"uploads": {""}, "encoding-type": {ossxml.EncodingURL}}}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := req.ObjectMetadata.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	if req.ForbidOverwrite {
		op.header.Set("x-oss-forbid-overwrite", "true")
	}
	var res ossxml.InitiateMultipartUploadResult
	id, err := c.doXML(ctx, op, nil, &res)
	if err != nil {
		return nil, err
	}
	if res.UploadID == "" {
		return nil, op.wrap(fmt.Errorf("the service returned no upload id (request id %s)", id))
	}
	return &InitiateMultipartUploadResult{UploadID: res.UploadID, RequestID: id}, nil
}

// UploadPartRequest uploads one part.
type UploadPartRequest struct {
	Bucket     string
	Key        string
	UploadID   string
	PartNumber int // 1 to 10000
	// Body supplies exactly Size bytes and is streamed, never buffered; a
	// Body that is an io.Seeker (io.SectionReader) is rewound for retries.
	Body io.Reader
	Size int64 // bytes, at most MaxPartSize
	// TrafficLimit caps the upload speed in bits per second (0: none).
	TrafficLimit int64
}

// UploadPartResult is a stored part.
type UploadPartResult struct {
	ETag string
	// CRC64 is the part's CRC-64/ECMA as the service reported it, checked
	// against the bytes sent; 0 when HasCRC64 is false.
	CRC64 uint64
	// HasCRC64 says whether the service reported a CRC-64.
	HasCRC64  bool
	RequestID string
}

// UploadPart uploads one part of a multipart upload, checking the CRC-64
// the service reports against the bytes sent.
func (c *Client) UploadPart(ctx context.Context, req *UploadPartRequest) (*UploadPartResult, error) {
	op := &operation{name: "UploadPart", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{},
		body: req.Body, size: req.Size, checkCRC: true,
		query: url.Values{"partNumber": {strconv.Itoa(req.PartNumber)}, "uploadId": {req.UploadID}}}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	switch {
	case req.UploadID == "":
		return nil, op.wrap(fmt.Errorf("upload id is required: %w", ErrInvalidArgument))
	case req.PartNumber < 1 || req.PartNumber > MaxPartNumber:
		return nil, op.wrap(fmt.Errorf("part number %d is outside 1..%d: %w", req.PartNumber, MaxPartNumber, ErrInvalidArgument))
	case req.Size < 0 || req.Size > MaxPartSize || (req.Body == nil && req.Size > 0):
		return nil, op.wrap(fmt.Errorf("part size %d is outside 0..%d or has no body: %w", req.Size, MaxPartSize, ErrInvalidArgument))
	}
	if req.Body == nil {
		op.body = http.NoBody
	}
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	res := &UploadPartResult{ETag: h.Get("ETag"), RequestID: h.Get("x-oss-request-id")}
	res.CRC64, res.HasCRC64 = crcHeader(h)
	return res, nil
}

// UploadedPart names a part for CompleteMultipartUpload.
type UploadedPart struct {
	PartNumber int
	ETag       string
	// In the S3 dialect a part's CRC-64 (HasCRC64) and Size, when given
	// for every part, make the service check each part's and the whole
	// object's CRC-64/NVME before it assembles them. The OSS dialect
	// sends neither.
	CRC64    uint64
	HasCRC64 bool
	Size     int64
}

// CompleteMultipartUploadRequest assembles uploaded parts into an object.
type CompleteMultipartUploadRequest struct {
	Bucket   string
	Key      string
	UploadID string
	// Parts are the parts to assemble, in ascending part number order.
	Parts []UploadedPart
	// CompleteAll assembles every uploaded part instead of Parts.
	CompleteAll bool
	// ACL overrides the object ACL ("default", "private", ...).
	ACL             string
	ForbidOverwrite bool
	Callback        *Callback
}

// CompleteMultipartUploadResult describes the assembled object.
type CompleteMultipartUploadResult struct {
	ETag string
	// CRC64 is the CRC-64/ECMA of the whole object as the service reported
	// it; 0 when HasCRC64 is false.
	CRC64 uint64
	// HasCRC64 says whether the service reported a CRC-64.
	HasCRC64 bool
	Location string
	// VersionID is the object's version, in a versioned bucket.
	VersionID string
	RequestID string
	// CallbackResult is the application server's reply when a Callback was
	// given.
	CallbackResult []byte
}

// CompleteMultipartUpload assembles the parts into the object.
func (c *Client) CompleteMultipartUpload(ctx context.Context, req *CompleteMultipartUploadRequest) (*CompleteMultipartUploadResult, error) {
	op := &operation{name: "CompleteMultipartUpload", method: http.MethodPost, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: url.Values{"uploadId": {req.UploadID}, "encoding-type": {ossxml.EncodingURL}}}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if req.UploadID == "" || (len(req.Parts) == 0) == !req.CompleteAll {
		return nil, op.wrap(fmt.Errorf("need an upload id and either parts or CompleteAll: %w", ErrInvalidArgument))
	}
	if req.ACL != "" {
		op.header.Set("x-oss-object-acl", req.ACL)
	}
	if req.ForbidOverwrite {
		op.header.Set("x-oss-forbid-overwrite", "true")
	}
	if err := req.Callback.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	var body any
	if req.CompleteAll {
		op.header.Set("x-oss-complete-all", "yes")
	} else {
		cm := &ossxml.CompleteMultipartUpload{}
		var whole uint64
		kind := s3Checksum(c.s3Sum.Load())
		nvme := c.s3 && kind == s3CRC64NVME
		all := nvme
		var crc32c map[int]string
		if c.s3 && kind == s3CRC32C {
			// An upload of CRC-32C parts names each part's at Complete:
			// the service has them.
			var err error
			if crc32c, err = c.partChecksums(ctx, req); err != nil {
				return nil, op.wrap(err)
			}
		}
		for _, p := range req.Parts {
			cp := ossxml.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag, ChecksumCRC32C: crc32c[p.PartNumber]}
			if nvme && p.HasCRC64 {
				cp.ChecksumCRC64NVME = nvmeValue(p.CRC64)
				whole = c.crc.Combine(whole, p.CRC64, p.Size)
			}
			all = all && p.HasCRC64 && p.Size > 0
			cm.Parts = append(cm.Parts, cp)
		}
		if all {
			op.header.Set(s3ChecksumHeader, nvmeValue(whole))
			op.header.Set("x-amz-checksum-type", "FULL_OBJECT")
		}
		body = cm
	}
	return c.complete(ctx, op, body, req.Callback != nil)
}

func (c *Client) complete(ctx context.Context, op *operation, body any, callback bool) (*CompleteMultipartUploadResult, error) {
	res := &CompleteMultipartUploadResult{}
	var xres ossxml.CompleteMultipartUploadResult
	var out any = &xres
	if callback {
		out = nil // the body is the callback's reply, read below
	}
	resp, err := c.doXMLResponse(ctx, op, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	res.ETag, res.RequestID = resp.Header.Get("ETag"), resp.Header.Get("x-oss-request-id")
	res.VersionID = resp.Header.Get("x-oss-version-id")
	res.CRC64, res.HasCRC64 = crcHeader(resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxXMLResponse))
	if err != nil {
		return nil, op.wrap(fmt.Errorf("read response: %w", err))
	}
	if out == nil {
		res.CallbackResult = data
		return res, nil
	}
	if err := ossxml.Unmarshal(data, &xres); err != nil {
		return nil, op.wrap(fmt.Errorf("decode response (request id %s): %w", res.RequestID, err))
	}
	if err := xres.DecodeURL(); err != nil {
		return nil, op.wrap(err)
	}
	res.Location = xres.Location
	if res.ETag == "" {
		res.ETag = xres.ETag
	}
	return res, nil
}

// AbortMultipartUploadRequest names the upload to discard.
type AbortMultipartUploadRequest struct {
	Bucket   string
	Key      string
	UploadID string
}

// AbortMultipartUploadResult is what the service answered to an
// AbortMultipartUpload.
type AbortMultipartUploadResult struct {
	RequestID string
}

// AbortMultipartUpload discards an upload and its parts. An upload that
// is already gone fails with ErrNoSuchUpload.
func (c *Client) AbortMultipartUpload(ctx context.Context, req *AbortMultipartUploadRequest) (*AbortMultipartUploadResult, error) {
	op := &operation{name: "AbortMultipartUpload", method: http.MethodDelete, bucket: req.Bucket, key: req.Key, query: url.Values{"uploadId": {req.UploadID}}}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if req.UploadID == "" {
		return nil, op.wrap(fmt.Errorf("upload id is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &AbortMultipartUploadResult{RequestID: id}, nil
}

// Part is an uploaded part as ListParts reports it.
type Part struct {
	PartNumber int
	Size       int64 // bytes
	ETag       string
	CRC64      uint64 // the part's CRC-64 (CRC-64/NVME in the S3 dialect); 0 when HasCRC64 is false
	// HasCRC64 says whether the service reported the part's CRC-64. The
	// listing cannot tell a CRC-64 of 0 from none, so ListParts takes 0 as
	// none: a part is then trusted less, never more.
	HasCRC64     bool
	LastModified time.Time
	// checksumCRC32C is S3's CRC-32C of the part, where the upload has
	// one (see s3Checksum).
	checksumCRC32C string
}

// ListPartsRequest selects the parts of one upload.
type ListPartsRequest struct {
	Bucket   string
	Key      string
	UploadID string
	PageSize int // 1 to 1000 (default 1000)
}

// ListPartsPage is one page of an upload's parts, in part number order.
type ListPartsPage struct {
	Parts     []Part
	RequestID string
}

// ListParts iterates over the parts of an upload, in part number order, a
// page at a time. The iteration stops at the first error, which it
// yields; a service whose next part number marker does not grow yields a
// *PaginationError.
func (c *Client) ListParts(ctx context.Context, req *ListPartsRequest) iter.Seq2[*ListPartsPage, error] {
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return failed[*ListPartsPage](fmt.Errorf("oss: ListParts: %w", err))
	}
	if req.UploadID == "" {
		return failed[*ListPartsPage](fmt.Errorf("oss: ListParts: upload id is required: %w", ErrInvalidArgument))
	}
	return paginate(ctx, "ListParts", 0, func(ctx context.Context, marker partMarker) (*ListPartsPage, partMarker, bool, error) {
		q := url.Values{"uploadId": {req.UploadID}, "encoding-type": {ossxml.EncodingURL}, "max-parts": {strconv.Itoa(pageSizeOr(req.PageSize))}}
		if marker > 0 {
			q.Set("part-number-marker", strconv.Itoa(int(marker)))
		}
		op := &operation{name: "ListParts", method: http.MethodGet, bucket: req.Bucket, key: req.Key, query: q}
		var res ossxml.ListPartsResult
		id, err := c.doXML(ctx, op, nil, &res)
		if err != nil {
			return nil, 0, false, err
		}
		page := &ListPartsPage{Parts: make([]Part, 0, len(res.Parts)), RequestID: id}
		for _, p := range res.Parts {
			part := Part{PartNumber: p.PartNumber, Size: p.Size, ETag: p.ETag, CRC64: p.HashCRC64, HasCRC64: p.HashCRC64 != 0, LastModified: p.LastModified.Time}
			if c.s3 {
				part.CRC64, part.HasCRC64 = parseNVME(p.ChecksumCRC64NVME)
				part.checksumCRC32C = p.ChecksumCRC32C
			}
			page.Parts = append(page.Parts, part)
		}
		return page, partMarker(res.NextPartNumberMarker), res.IsTruncated, nil
	})
}

func pageSizeOr(n int) int { return pageSize(n, 1000) }

// MultipartUpload is an upload in progress, as ListMultipartUploads reports it.
type MultipartUpload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// ListMultipartUploadsRequest selects uploads in progress.
type ListMultipartUploadsRequest struct {
	Bucket    string
	Prefix    string
	Delimiter string
	PageSize  int // 1 to 1000 (default 1000)
}

// ListMultipartUploadsPage is one page of uploads in progress.
type ListMultipartUploadsPage struct {
	Uploads        []MultipartUpload
	CommonPrefixes []string
	RequestID      string
}

// ListMultipartUploads iterates over the uploads in progress in a bucket:
// the unfinished uploads whose parts are stored (and billed) until they
// are completed or aborted. The iteration stops at the first error, which
// it yields; a service whose next markers do not move forward yields a
// *PaginationError.
//
// The markers name the last upload (or common prefix) of a page, so
// aborting a page's uploads before asking for the next page skips none.
func (c *Client) ListMultipartUploads(ctx context.Context, req *ListMultipartUploadsRequest) iter.Seq2[*ListMultipartUploadsPage, error] {
	if req.Bucket == "" {
		return failed[*ListMultipartUploadsPage](fmt.Errorf("oss: ListMultipartUploads: bucket is required: %w", ErrInvalidArgument))
	}
	return paginate(ctx, "ListMultipartUploads", uploadMarker{}, func(ctx context.Context, marker uploadMarker) (*ListMultipartUploadsPage, uploadMarker, bool, error) {
		q := url.Values{"uploads": {""}, "encoding-type": {ossxml.EncodingURL}, "max-uploads": {strconv.Itoa(pageSizeOr(req.PageSize))}}
		setNonEmpty(q, "prefix", req.Prefix)
		setNonEmpty(q, "delimiter", req.Delimiter)
		setNonEmpty(q, "key-marker", marker.key)
		setNonEmpty(q, "upload-id-marker", marker.uploadID)
		op := &operation{name: "ListMultipartUploads", method: http.MethodGet, bucket: req.Bucket, query: q}
		var res ossxml.ListMultipartUploadsResult
		id, err := c.doXML(ctx, op, nil, &res)
		if err == nil {
			err = c.decodeKeys(res.EncodingType, &res)
		}
		if err != nil {
			return nil, uploadMarker{}, false, err
		}
		page := &ListMultipartUploadsPage{RequestID: id}
		for _, u := range res.Uploads {
			page.Uploads = append(page.Uploads, MultipartUpload{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated.Time})
		}
		for _, p := range res.CommonPrefixes {
			page.CommonPrefixes = append(page.CommonPrefixes, p.Prefix)
		}
		return page, uploadMarker{res.NextKeyMarker, res.NextUploadIDMarker}, res.IsTruncated, nil
	})
}

// partChecksums returns the CRC-32C the service lists for each part of
// req's upload, by part number.
func (c *Client) partChecksums(ctx context.Context, req *CompleteMultipartUploadRequest) (map[int]string, error) {
	out := map[int]string{}
	for page, err := range c.ListParts(ctx, &ListPartsRequest{Bucket: req.Bucket, Key: req.Key, UploadID: req.UploadID, PageSize: 1000}) {
		if err != nil {
			return nil, err
		}
		for _, p := range page.Parts {
			if p.checksumCRC32C != "" {
				out[p.PartNumber] = p.checksumCRC32C
			}
		}
	}
	return out, nil
}
