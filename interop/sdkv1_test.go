package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// v1Client drives github.com/aliyun/aliyun-oss-go-sdk.
type v1Client struct {
	c   *v1.Client
	dir string       // scratch space for GetObjectToFile
	n   atomic.Int64 // names files in dir
}

// newV1Client makes a client for endpoint; hc, when not nil, replaces the
// SDK's HTTP client.
func newV1Client(t *testing.T, endpoint string, signature int, hc *http.Client) *v1Client {
	t.Helper()
	opts := []v1.ClientOption{v1.AuthVersion(v1.AuthV1)}
	if signature == 4 {
		opts = []v1.ClientOption{v1.AuthVersion(v1.AuthV4), v1.Region(region)}
	}
	if hc != nil {
		opts = append(opts, v1.HTTPClient(hc))
	}
	c, err := v1.New(endpoint, accessKeyID, accessKeySecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Config.IsEnableCRC {
		t.Fatal("v1 SDK: CRC checks are off by default")
	}
	return &v1Client{c: c, dir: t.TempDir()}
}

func (c *v1Client) bucket(name string) *v1.Bucket {
	b, err := c.c.Bucket(name)
	if err != nil {
		panic(err) // only for invalid names, which the tests never use here
	}
	return b
}

func (c *v1Client) CreateBucket(ctx context.Context, bucket, acl string) error {
	return c.c.CreateBucket(bucket, v1.ACL(v1.ACLType(acl)), v1.WithContext(ctx))
}

func (c *v1Client) BucketExists(ctx context.Context, bucket string) (bool, error) {
	return c.c.IsBucketExist(bucket)
}

func (c *v1Client) BucketInfo(ctx context.Context, bucket string) (bucketInfo, error) {
	res, err := c.c.GetBucketInfo(bucket, v1.WithContext(ctx))
	b := res.BucketInfo
	return bucketInfo{Name: b.Name, Location: b.Location, ACL: b.ACL, StorageClass: b.StorageClass, Redundancy: b.RedundancyType, Created: b.CreationDate}, err
}

func (c *v1Client) BucketACL(ctx context.Context, bucket string) (string, error) {
	res, err := c.c.GetBucketACL(bucket, v1.WithContext(ctx))
	return res.ACL, err
}

func (c *v1Client) BucketLocation(ctx context.Context, bucket string) (string, error) {
	return c.c.GetBucketLocation(bucket, v1.WithContext(ctx))
}

func (c *v1Client) ListBuckets(ctx context.Context, prefix string) ([]string, error) {
	res, err := c.c.ListBuckets(v1.Prefix(prefix), v1.WithContext(ctx))
	var names []string
	for _, b := range res.Buckets {
		names = append(names, b.Name)
	}
	return names, err
}

func (c *v1Client) DeleteBucket(ctx context.Context, bucket string) error {
	return c.c.DeleteBucket(bucket, v1.WithContext(ctx))
}

func v1PutOptions(o putOptions) []v1.Option {
	var opts []v1.Option
	if o.ContentType != "" {
		opts = append(opts, v1.ContentType(o.ContentType))
	}
	for k, v := range o.Meta {
		opts = append(opts, v1.Meta(k, v))
	}
	if o.ACL != "" {
		opts = append(opts, v1.ObjectACL(v1.ACLType(o.ACL)))
	}
	if o.StorageClass != "" {
		opts = append(opts, v1.ObjectStorageClass(v1.StorageClassType(o.StorageClass)))
	}
	if o.ForbidOverwrite {
		opts = append(opts, v1.ForbidOverWrite(true))
	}
	return opts
}

func (c *v1Client) Put(ctx context.Context, bucket, key string, data []byte, o putOptions) (string, error) {
	var h http.Header
	opts := append(v1PutOptions(o), v1.WithContext(ctx), v1.GetResponseHeader(&h))
	if err := c.bucket(bucket).PutObject(key, bytes.NewReader(data), opts...); err != nil {
		return "", err
	}
	// The SDK compares the reply's CRC-64 with its own but skips the check
	// when the header is missing: make sure it was there.
	if got, want := h.Get("x-oss-hash-crc64ecma"), crc64Of(data); got != want {
		return "", fmt.Errorf("PutObject: x-oss-hash-crc64ecma %q, want %q", got, want)
	}
	return h.Get("ETag"), nil
}

func (c *v1Client) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	// GetObjectToFile is the v1 call that checks the CRC-64 of what it read.
	path := filepath.Join(c.dir, "get-"+strconv.FormatInt(c.n.Add(1), 10))
	defer os.Remove(path)
	var h http.Header
	if err := c.bucket(bucket).GetObjectToFile(key, path, v1.WithContext(ctx), v1.GetResponseHeader(&h)); err != nil {
		return nil, err
	}
	if h.Get("x-oss-hash-crc64ecma") == "" {
		return nil, errors.New("GetObject: no x-oss-hash-crc64ecma, the SDK's CRC check did not run")
	}
	return os.ReadFile(path)
}

func (c *v1Client) GetRange(ctx context.Context, bucket, key string, first, last int64) ([]byte, error) {
	rc, err := c.bucket(bucket).GetObject(key, v1.Range(first, last), v1.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func v1Meta(h http.Header) objectMeta {
	m := objectMeta{
		ETag: h.Get("ETag"), ContentType: h.Get("Content-Type"), CRC64: h.Get("x-oss-hash-crc64ecma"),
		Type: h.Get("x-oss-object-type"), StorageClass: h.Get("x-oss-storage-class"),
	}
	m.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	for name, v := range h {
		if k, ok := strings.CutPrefix(strings.ToLower(name), "x-oss-meta-"); ok {
			if m.Meta == nil {
				m.Meta = map[string]string{}
			}
			m.Meta[k] = v[0]
		}
	}
	return m
}

func (c *v1Client) Head(ctx context.Context, bucket, key string) (objectMeta, error) {
	h, err := c.bucket(bucket).GetObjectDetailedMeta(key, v1.WithContext(ctx))
	return v1Meta(h), err
}

func (c *v1Client) ObjectMeta(ctx context.Context, bucket, key string) (objectMeta, error) {
	h, err := c.bucket(bucket).GetObjectMeta(key, v1.WithContext(ctx))
	return v1Meta(h), err
}

func (c *v1Client) ObjectExists(ctx context.Context, bucket, key string) (bool, error) {
	return c.bucket(bucket).IsObjectExist(key, v1.WithContext(ctx))
}

func (c *v1Client) ObjectACL(ctx context.Context, bucket, key string) (string, error) {
	res, err := c.bucket(bucket).GetObjectACL(key, v1.WithContext(ctx))
	return res.ACL, err
}

func (c *v1Client) Delete(ctx context.Context, bucket, key string) error {
	return c.bucket(bucket).DeleteObject(key, v1.WithContext(ctx))
}

func (c *v1Client) DeleteMany(ctx context.Context, bucket string, keys []string, quiet bool) ([]string, error) {
	res, err := c.bucket(bucket).DeleteObjects(keys, v1.DeleteObjectsQuiet(quiet), v1.WithContext(ctx))
	return res.DeletedObjects, err
}

func v1ListOptions(ctx context.Context, q listQuery) []v1.Option {
	opts := []v1.Option{v1.WithContext(ctx), v1.Prefix(q.Prefix)}
	if q.Delimiter != "" {
		opts = append(opts, v1.Delimiter(q.Delimiter))
	}
	if q.Max != 0 {
		opts = append(opts, v1.MaxKeys(q.Max))
	}
	return opts
}

func v1Objects(in []v1.ObjectProperties) []object {
	out := make([]object, 0, len(in))
	for _, o := range in {
		out = append(out, object{Key: o.Key, ETag: o.ETag, Type: o.Type, StorageClass: o.StorageClass, Size: o.Size})
	}
	return out
}

func (c *v1Client) List(ctx context.Context, bucket string, q listQuery) (listPage, error) {
	opts := v1ListOptions(ctx, q)
	if q.Marker != "" {
		opts = append(opts, v1.Marker(q.Marker))
	}
	res, err := c.bucket(bucket).ListObjects(opts...)
	return listPage{Objects: v1Objects(res.Objects), Prefixes: res.CommonPrefixes, Truncated: res.IsTruncated, Next: res.NextMarker}, err
}

func (c *v1Client) ListV2(ctx context.Context, bucket string, q listQuery) (listPage, error) {
	opts := v1ListOptions(ctx, q)
	if q.Marker != "" {
		opts = append(opts, v1.ContinuationToken(q.Marker))
	}
	if q.StartAfter != "" {
		opts = append(opts, v1.StartAfter(q.StartAfter))
	}
	res, err := c.bucket(bucket).ListObjectsV2(opts...)
	return listPage{Objects: v1Objects(res.Objects), Prefixes: res.CommonPrefixes, Truncated: res.IsTruncated, Next: res.NextContinuationToken}, err
}

func (c *v1Client) PresignGet(ctx context.Context, bucket, key string) (string, http.Header, error) {
	u, err := c.bucket(bucket).SignURL(key, v1.HTTPGet, 300)
	return u, http.Header{}, err
}

func (c *v1Client) PresignPut(ctx context.Context, bucket, key, contentType string) (string, http.Header, error) {
	u, err := c.bucket(bucket).SignURL(key, v1.HTTPPut, 300, v1.ContentType(contentType))
	return u, http.Header{"Content-Type": {contentType}}, err
}

func imur(bucket, key, id string) v1.InitiateMultipartUploadResult {
	return v1.InitiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: id}
}

func (c *v1Client) Initiate(ctx context.Context, bucket, key string, o putOptions) (string, error) {
	res, err := c.bucket(bucket).InitiateMultipartUpload(key, append(v1PutOptions(o), v1.WithContext(ctx))...)
	return res.UploadID, err
}

func (c *v1Client) UploadPart(ctx context.Context, bucket, key, id string, n int, data []byte) (string, error) {
	p, err := c.bucket(bucket).UploadPart(imur(bucket, key, id), bytes.NewReader(data), int64(len(data)), n, v1.WithContext(ctx))
	return p.ETag, err
}

func (c *v1Client) ListParts(ctx context.Context, bucket, key, id string, marker, max int) (partsPage, error) {
	opts := []v1.Option{v1.WithContext(ctx), v1.PartNumberMarker(marker)}
	if max != 0 {
		opts = append(opts, v1.MaxParts(max))
	}
	res, err := c.bucket(bucket).ListUploadedParts(imur(bucket, key, id), opts...)
	page := partsPage{Truncated: res.IsTruncated}
	page.Next, _ = strconv.Atoi(res.NextPartNumberMarker)
	for _, p := range res.UploadedParts {
		page.Parts = append(page.Parts, part{Number: p.PartNumber, ETag: p.ETag, Size: int64(p.Size)})
	}
	return page, err
}

func (c *v1Client) ListUploads(ctx context.Context, bucket string, q uploadsQuery) (uploadsPage, error) {
	opts := []v1.Option{v1.WithContext(ctx), v1.Prefix(q.Prefix), v1.KeyMarker(q.KeyMarker), v1.UploadIDMarker(q.UploadIDMarker)}
	if q.Max != 0 {
		opts = append(opts, v1.MaxUploads(q.Max))
	}
	res, err := c.bucket(bucket).ListMultipartUploads(opts...)
	page := uploadsPage{Truncated: res.IsTruncated, NextKey: res.NextKeyMarker, NextUpload: res.NextUploadIDMarker}
	for _, u := range res.Uploads {
		page.Uploads = append(page.Uploads, upload{Key: u.Key, UploadID: u.UploadID})
	}
	return page, err
}

func (c *v1Client) Complete(ctx context.Context, bucket, key, id string, parts []part) (string, error) {
	var ps []v1.UploadPart
	for _, p := range parts {
		ps = append(ps, v1.UploadPart{PartNumber: p.Number, ETag: p.ETag})
	}
	res, err := c.bucket(bucket).CompleteMultipartUpload(imur(bucket, key, id), ps, v1.WithContext(ctx))
	return res.ETag, err
}

func (c *v1Client) Abort(ctx context.Context, bucket, key, id string) error {
	return c.bucket(bucket).AbortMultipartUpload(imur(bucket, key, id), v1.WithContext(ctx))
}

func (c *v1Client) UploadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error {
	return c.bucket(bucket).UploadFile(key, path, partSize, v1.Routines(3),
		v1.Checkpoint(true, filepath.Join(cpDir, "upload.cp")), v1.WithContext(ctx))
}

func (c *v1Client) DownloadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error {
	return c.bucket(bucket).DownloadFile(key, path, partSize, v1.Routines(3),
		v1.Checkpoint(true, filepath.Join(cpDir, "download.cp")), v1.WithContext(ctx))
}
