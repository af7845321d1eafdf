package oss

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
)

// PutObjectRequest uploads one object in a single request.
type PutObjectRequest struct {
	Bucket string
	Key    string
	// Body supplies exactly Size bytes. A Body that is an io.Seeker (a file,
	// a bytes.Reader, an io.SectionReader) is rewound and resent when a
	// retry is needed; any other Body is sent once.
	Body io.Reader
	Size int64 // bytes, 0 to 5 GiB
	// ObjectMetadata is stored with the object.
	ObjectMetadata ObjectMetadata
	// ForbidOverwrite fails with ErrFileAlreadyExists if the key exists.
	ForbidOverwrite bool
	// Callback, when set, is called by the service after the object is
	// stored; its reply is in the result.
	Callback *Callback
	// TrafficLimit caps the upload speed in bits per second (0: none).
	TrafficLimit int64
}

// PutObjectResult is what the service answered to a PutObject.
type PutObjectResult struct {
	ETag string
	// CRC64 is the object's CRC-64/ECMA as the service reported it,
	// checked against the body sent; 0 when HasCRC64 is false.
	CRC64 uint64
	// HasCRC64 says whether the service reported a CRC-64.
	HasCRC64 bool
	// VersionID is the object's version, in a versioned bucket ("null"
	// while versioning is suspended).
	VersionID string
	RequestID string
	// CallbackResult is the application server's reply when a Callback was
	// given.
	CallbackResult []byte
}

// crcHeader returns the service's CRC-64 of a response (see
// crcHeaderName), and whether it holds one (a value that does not parse
// counts as none).
func crcHeader(h http.Header) (uint64, bool) {
	v := h.Get(crcHeaderName)
	if v == "" {
		return 0, false
	}
	crc, err := crc64.Parse(v)
	return crc, err == nil
}

// PutObject uploads req.Body as one object and checks the CRC-64 the
// service reports against the bytes sent.
func (c *Client) PutObject(ctx context.Context, req *PutObjectRequest) (*PutObjectResult, error) {
	op := &operation{name: "PutObject", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{}, body: req.Body, size: req.Size, checkCRC: true}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if req.Size < 0 || req.Body == nil && req.Size > 0 {
		return nil, op.wrap(fmt.Errorf("size %d without a matching body: %w", req.Size, ErrInvalidArgument))
	}
	if req.Body == nil {
		op.body = http.NoBody
	}
	if err := req.ObjectMetadata.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	if req.ForbidOverwrite {
		op.header.Set("x-oss-forbid-overwrite", "true")
	}
	if err := req.Callback.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.do(ctx, op)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	res := &PutObjectResult{ETag: resp.Header.Get("ETag"), VersionID: resp.Header.Get("x-oss-version-id"), RequestID: resp.Header.Get("x-oss-request-id")}
	res.CRC64, res.HasCRC64 = crcHeader(resp.Header)
	if req.Callback != nil {
		if res.CallbackResult, err = io.ReadAll(resp.Body); err != nil {
			return nil, op.wrap(fmt.Errorf("read callback result: %w", err))
		}
	}
	return res, nil
}

// checkObject rejects requests whose bucket or key cannot be right.
func checkObject(bucket, key string) error {
	if bucket == "" {
		return fmt.Errorf("bucket is required: %w", ErrInvalidArgument)
	}
	if key == "" {
		return fmt.Errorf("key is required: %w", ErrInvalidArgument)
	}
	if key[0] == '/' || key[0] == '\\' {
		return fmt.Errorf("key %q must not start with '/' or '\\': %w", key, ErrInvalidArgument)
	}
	return nil
}

// ByteRange is a span of an object, in bytes: Length bytes from Offset;
// Length 0 means to the end. GetObject, DownloadFile and DownloadTo take
// one.
type ByteRange struct {
	Offset int64
	Length int64
}

// GetObjectRequest reads an object or a byte range of it.
type GetObjectRequest struct {
	Bucket string
	Key    string
	// Range, when set, selects Range.Length bytes from Range.Offset
	// (Length 0: to the end), with the standard behaviour: an Offset past
	// the end is an InvalidRange error and a Length past the end is
	// clipped. A Range of zeros reads the whole object, as nil does.
	Range *ByteRange
	// TrafficLimit caps the download speed in bits per second (0: none).
	TrafficLimit int64
	// IfMatch, when set, is an ETag the object must still have: otherwise
	// the service answers 412 PreconditionFailed (see ErrPreconditionFailed).
	IfMatch string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// GetObjectResult is an object's content and description. Close Body.
type GetObjectResult struct {
	// Body streams the content. For a whole-object read it checks the
	// CRC-64 at the end and fails with ErrCRCMismatch instead of io.EOF if
	// the bytes differ from what the service stored. When no bytes arrive
	// for Config.StallTimeout, a Read fails with a *StallError; read the
	// rest with a new GetObject from the offset reached.
	Body   io.ReadCloser
	Object ObjectInfo
	// ContentLength is the number of bytes Body yields.
	ContentLength int64
	// ContentRange is the Content-Range header of a ranged read.
	ContentRange string
	RequestID    string
}

// GetObject opens an object for reading.
func (c *Client) GetObject(ctx context.Context, req *GetObjectRequest) (*GetObjectResult, error) {
	// An explicit Accept-Encoding keeps a Config.HTTPClient whose transport
	// compresses from asking for gzip and inflating the body: the bytes read
	// must be the stored bytes, which the CRC-64 covers, even for objects
	// stored with Content-Encoding: gzip.
	op := &operation{name: "GetObject", method: http.MethodGet, bucket: req.Bucket, key: req.Key, header: http.Header{"Accept-Encoding": {"identity"}},
		query: versionParam(req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	var rng ByteRange
	if req.Range != nil {
		rng = *req.Range
	}
	if rng.Offset < 0 || rng.Length < 0 {
		return nil, op.wrap(fmt.Errorf("negative range: %w", ErrInvalidArgument))
	}
	if rng.Offset > 0 || rng.Length > 0 {
		r := "bytes=" + strconv.FormatInt(rng.Offset, 10) + "-"
		if rng.Length > 0 {
			r += strconv.FormatInt(rng.Offset+rng.Length-1, 10)
		}
		op.header.Set("Range", r)
		op.header.Set("x-oss-range-behavior", "standard")
	}
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	if req.IfMatch != "" {
		op.header.Set("If-Match", req.IfMatch)
	}
	resp, err := c.do(ctx, op)
	if err != nil {
		return nil, err
	}
	info := objectInfo(resp.Header)
	res := &GetObjectResult{Body: resp.Body, Object: info, ContentLength: resp.ContentLength,
		ContentRange: resp.Header.Get("Content-Range"), RequestID: resp.Header.Get("x-oss-request-id")}
	if resp.StatusCode == http.StatusOK && info.HasCRC64 {
		res.Body = &crcCheckReader{rc: resp.Body, v: c.crc, want: info.CRC64, op: op, requestID: res.RequestID}
	}
	return res, nil
}

// crcCheckReader verifies the CRC-64 of a whole object as it is read.
type crcCheckReader struct {
	rc        io.ReadCloser
	v         crc64.Variant
	crc       uint64
	want      uint64
	op        *operation
	requestID string
}

func (r *crcCheckReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.crc = r.v.Update(r.crc, p[:n])
	if err == io.EOF && r.crc != r.want {
		return n, r.op.wrap(fmt.Errorf("%w: service has %d, client computed %d over the bytes received (request id %s)", ErrCRCMismatch, r.want, r.crc, r.requestID))
	}
	return n, err
}

func (r *crcCheckReader) Close() error { return r.rc.Close() }

// HeadObjectRequest names the object to describe.
type HeadObjectRequest struct {
	Bucket string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// HeadObjectResult is an object's description.
type HeadObjectResult struct {
	Object    ObjectInfo
	RequestID string
}

// HeadObject returns an object's description without its content.
func (c *Client) HeadObject(ctx context.Context, req *HeadObjectRequest) (*HeadObjectResult, error) {
	op := &operation{name: "HeadObject", method: http.MethodHead, bucket: req.Bucket, key: req.Key, query: versionParam(req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	resp, err := c.do(ctx, op)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &HeadObjectResult{Object: objectInfo(resp.Header), RequestID: resp.Header.Get("x-oss-request-id")}, nil
}

// DeleteObjectRequest names the object to remove.
type DeleteObjectRequest struct {
	Bucket string
	Key    string
	// VersionID, when set, removes that version (or delete marker) for
	// good. Without it, a versioned bucket keeps the object's versions and
	// puts a delete marker on the key.
	VersionID string
}

// DeleteObjectResult is what the service answered to a DeleteObject.
type DeleteObjectResult struct {
	// DeleteMarker says that a delete marker was made, or, with a
	// VersionID in the request, that the version removed was one.
	DeleteMarker bool
	// VersionID is, in a versioned bucket, the version id of the marker
	// made or of the version removed.
	VersionID string
	RequestID string
}

// DeleteObject removes an object, or one version of it; removing a
// missing key is not an error.
func (c *Client) DeleteObject(ctx context.Context, req *DeleteObjectRequest) (*DeleteObjectResult, error) {
	op := &operation{name: "DeleteObject", method: http.MethodDelete, bucket: req.Bucket, key: req.Key, query: versionParam(req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	return &DeleteObjectResult{DeleteMarker: strings.EqualFold(h.Get("x-oss-delete-marker"), "true"),
		VersionID: h.Get("x-oss-version-id"), RequestID: h.Get("x-oss-request-id")}, nil
}

// MaxDeleteObjects is the most keys one DeleteObjects call may name.
const MaxDeleteObjects = limits.MaxDeleteObjects

// DeleteObjectsRequest names up to MaxDeleteObjects keys, or versions of
// keys, to remove from one bucket.
type DeleteObjectsRequest struct {
	Bucket string
	// Keys name objects to delete: in a versioned bucket each gets a
	// delete marker.
	Keys []string
	// Versions name versions (or delete markers) to remove for good; a
	// VersionedKey without a VersionID is deleted as Keys are. Keys and
	// Versions together name 1 to MaxDeleteObjects.
	Versions []VersionedKey
	// Quiet asks the service not to list the keys it deleted.
	Quiet bool
}

// VersionedKey names a key and one of its versions.
type VersionedKey struct {
	Key       string
	VersionID string
}

// DeleteObjectsResult is what the service answered to a DeleteObjects.
type DeleteObjectsResult struct {
	// Deleted are the keys the service reports deleted, missing keys
	// included; empty when the request was Quiet.
	Deleted []string
	// DeletedObjects are the same entries with what the service says of
	// their versions, in the same order.
	DeletedObjects []DeletedObject
	RequestID      string
}

// DeletedObject is one entry of a DeleteObjects answer.
type DeletedObject struct {
	Key string
	// VersionID is the version removed, when the request named one.
	VersionID string
	// DeleteMarker says that a delete marker was made, or that the
	// version removed was one; DeleteMarkerVersionID is that marker's
	// version id.
	DeleteMarker          bool
	DeleteMarkerVersionID string
}

// DeleteObjects removes up to MaxDeleteObjects keys, or versions, in one
// request.
func (c *Client) DeleteObjects(ctx context.Context, req *DeleteObjectsRequest) (*DeleteObjectsResult, error) {
	op := &operation{name: "DeleteObjects", method: http.MethodPost, bucket: req.Bucket, header: http.Header{},
		query: url.Values{"delete": {""}, "encoding-type": {ossxml.EncodingURL}}}
	if n := len(req.Keys) + len(req.Versions); req.Bucket == "" || n == 0 || n > MaxDeleteObjects {
		return nil, op.wrap(fmt.Errorf("need a bucket and 1 to %d keys: %w", MaxDeleteObjects, ErrInvalidArgument))
	}
	del := ossxml.Delete{Quiet: req.Quiet}
	for _, k := range req.Keys {
		del.Objects = append(del.Objects, ossxml.DeleteObject{Key: k})
	}
	for _, v := range req.Versions {
		del.Objects = append(del.Objects, ossxml.DeleteObject{Key: v.Key, VersionID: v.VersionID})
	}
	var res ossxml.DeleteResult
	id, err := c.doXML(ctx, op, &del, &res)
	if err != nil {
		return nil, err
	}
	if err := c.decodeKeys(res.EncodingType, &res); err != nil {
		return nil, op.wrap(err)
	}
	out := &DeleteObjectsResult{Deleted: make([]string, 0, len(res.Deleted)), RequestID: id}
	for _, d := range res.Deleted {
		out.Deleted = append(out.Deleted, d.Key)
		out.DeletedObjects = append(out.DeletedObjects, DeletedObject(d))
	}
	return out, nil
}
