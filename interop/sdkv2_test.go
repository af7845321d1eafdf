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
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// v2Client drives github.com/aliyun/alibabacloud-oss-go-sdk-v2.
type v2Client struct {
	c   *v2.Client
	dir string       // scratch space for GetObjectToFile
	n   atomic.Int64 // names files in dir
}

// newV2Client makes a client for endpoint; hc, when not nil, replaces the
// SDK's HTTP client.
func newV2Client(t *testing.T, endpoint string, signature int, hc *http.Client) *v2Client {
	t.Helper()
	sig := v2.SignatureVersionV1
	if signature == 4 {
		sig = v2.SignatureVersionV4
	}
	cfg := v2.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKeyID, accessKeySecret)).
		WithRegion(region).
		WithEndpoint(endpoint).
		WithSignatureVersion(sig)
	if hc != nil {
		cfg = cfg.WithHttpClient(hc)
	}
	if cfg.DisableDownloadCRC64Check != nil && *cfg.DisableDownloadCRC64Check ||
		cfg.DisableUploadCRC64Check != nil && *cfg.DisableUploadCRC64Check {
		t.Fatal("v2 SDK: CRC checks are off by default")
	}
	return &v2Client{c: v2.NewClient(cfg), dir: t.TempDir()}
}

func (c *v2Client) CreateBucket(ctx context.Context, bucket, acl string) error {
	_, err := c.c.PutBucket(ctx, &v2.PutBucketRequest{Bucket: &bucket, Acl: v2.BucketACLType(acl)})
	return err
}

func (c *v2Client) BucketExists(ctx context.Context, bucket string) (bool, error) {
	return c.c.IsBucketExist(ctx, bucket)
}

func (c *v2Client) BucketInfo(ctx context.Context, bucket string) (bucketInfo, error) {
	res, err := c.c.GetBucketInfo(ctx, &v2.GetBucketInfoRequest{Bucket: &bucket})
	if err != nil {
		return bucketInfo{}, err
	}
	b := res.BucketInfo
	info := bucketInfo{
		Name: v2.ToString(b.Name), Location: v2.ToString(b.Location), ACL: v2.ToString(b.ACL),
		StorageClass: v2.ToString(b.StorageClass), Redundancy: v2.ToString(b.DataRedundancyType),
	}
	if b.CreationDate != nil {
		info.Created = *b.CreationDate
	}
	return info, nil
}

func (c *v2Client) BucketACL(ctx context.Context, bucket string) (string, error) {
	res, err := c.c.GetBucketAcl(ctx, &v2.GetBucketAclRequest{Bucket: &bucket})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.ACL), nil
}

func (c *v2Client) BucketLocation(ctx context.Context, bucket string) (string, error) {
	res, err := c.c.GetBucketLocation(ctx, &v2.GetBucketLocationRequest{Bucket: &bucket})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.LocationConstraint), nil
}

func (c *v2Client) ListBuckets(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	p := c.c.NewListBucketsPaginator(&v2.ListBucketsRequest{Prefix: &prefix})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Buckets {
			names = append(names, v2.ToString(b.Name))
		}
	}
	return names, nil
}

func (c *v2Client) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := c.c.DeleteBucket(ctx, &v2.DeleteBucketRequest{Bucket: &bucket})
	return err
}

func forbid(on bool) *string {
	if on {
		return v2.Ptr("true")
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *v2Client) Put(ctx context.Context, bucket, key string, data []byte, o putOptions) (string, error) {
	res, err := c.c.PutObject(ctx, &v2.PutObjectRequest{
		Bucket: &bucket, Key: &key, Body: bytes.NewReader(data),
		ContentType: optional(o.ContentType), Metadata: o.Meta,
		Acl: v2.ObjectACLType(o.ACL), StorageClass: v2.StorageClassType(o.StorageClass),
		ForbidOverwrite: forbid(o.ForbidOverwrite),
	})
	if err != nil {
		return "", err
	}
	// The SDK checks the reply's CRC-64 only when the header is present.
	if got, want := v2.ToString(res.HashCRC64), crc64Of(data); got != want {
		return "", fmt.Errorf("PutObject: x-oss-hash-crc64ecma %q, want %q", got, want)
	}
	return v2.ToString(res.ETag), nil
}

func (c *v2Client) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	// GetObjectToFile is the v2 call that checks the CRC-64 of what it read.
	path := filepath.Join(c.dir, "get-"+strconv.FormatInt(c.n.Add(1), 10))
	res, err := c.c.GetObjectToFile(ctx, &v2.GetObjectRequest{Bucket: &bucket, Key: &key}, path)
	if err != nil {
		return nil, err
	}
	if res.HashCRC64 == nil {
		return nil, errors.New("GetObject: no x-oss-hash-crc64ecma, the SDK's CRC check did not run")
	}
	return os.ReadFile(path)
}

func (c *v2Client) GetRange(ctx context.Context, bucket, key string, first, last int64) ([]byte, error) {
	rng := fmt.Sprintf("bytes=%d-%d", first, last)
	res, err := c.c.GetObject(ctx, &v2.GetObjectRequest{Bucket: &bucket, Key: &key, Range: &rng})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (c *v2Client) Head(ctx context.Context, bucket, key string) (objectMeta, error) {
	res, err := c.c.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: &bucket, Key: &key})
	if err != nil {
		return objectMeta{}, err
	}
	return objectMeta{
		Size: res.ContentLength, ETag: v2.ToString(res.ETag), ContentType: v2.ToString(res.ContentType),
		CRC64: v2.ToString(res.HashCRC64), Type: v2.ToString(res.ObjectType),
		StorageClass: v2.ToString(res.StorageClass), Meta: res.Metadata,
	}, nil
}

func (c *v2Client) ObjectMeta(ctx context.Context, bucket, key string) (objectMeta, error) {
	res, err := c.c.GetObjectMeta(ctx, &v2.GetObjectMetaRequest{Bucket: &bucket, Key: &key})
	if err != nil {
		return objectMeta{}, err
	}
	return objectMeta{Size: res.ContentLength, ETag: v2.ToString(res.ETag), CRC64: v2.ToString(res.HashCRC64)}, nil
}

func (c *v2Client) ObjectExists(ctx context.Context, bucket, key string) (bool, error) {
	return c.c.IsObjectExist(ctx, bucket, key)
}

func (c *v2Client) ObjectACL(ctx context.Context, bucket, key string) (string, error) {
	res, err := c.c.GetObjectAcl(ctx, &v2.GetObjectAclRequest{Bucket: &bucket, Key: &key})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.ACL), nil
}

func (c *v2Client) Delete(ctx context.Context, bucket, key string) error {
	_, err := c.c.DeleteObject(ctx, &v2.DeleteObjectRequest{Bucket: &bucket, Key: &key})
	return err
}

func (c *v2Client) DeleteMany(ctx context.Context, bucket string, keys []string, quiet bool) ([]string, error) {
	req := &v2.DeleteMultipleObjectsRequest{Bucket: &bucket, Quiet: quiet}
	for _, k := range keys {
		req.Objects = append(req.Objects, v2.DeleteObject{Key: v2.Ptr(k)})
	}
	res, err := c.c.DeleteMultipleObjects(ctx, req)
	if err != nil {
		return nil, err
	}
	var deleted []string
	for _, d := range res.DeletedObjects {
		deleted = append(deleted, v2.ToString(d.Key))
	}
	return deleted, nil
}

func v2Objects(in []v2.ObjectProperties) []object {
	out := make([]object, 0, len(in))
	for _, o := range in {
		out = append(out, object{
			Key: v2.ToString(o.Key), ETag: v2.ToString(o.ETag), Type: v2.ToString(o.Type),
			StorageClass: v2.ToString(o.StorageClass), Size: o.Size,
		})
	}
	return out
}

func v2Prefixes(in []v2.CommonPrefix) []string {
	var out []string
	for _, p := range in {
		out = append(out, v2.ToString(p.Prefix))
	}
	return out
}

func (c *v2Client) List(ctx context.Context, bucket string, q listQuery) (listPage, error) {
	res, err := c.c.ListObjects(ctx, &v2.ListObjectsRequest{
		Bucket: &bucket, Prefix: &q.Prefix, Delimiter: optional(q.Delimiter), Marker: optional(q.Marker), MaxKeys: int32(q.Max),
	})
	if err != nil {
		return listPage{}, err
	}
	return listPage{Objects: v2Objects(res.Contents), Prefixes: v2Prefixes(res.CommonPrefixes), Truncated: res.IsTruncated, Next: v2.ToString(res.NextMarker)}, nil
}

func (c *v2Client) ListV2(ctx context.Context, bucket string, q listQuery) (listPage, error) {
	res, err := c.c.ListObjectsV2(ctx, &v2.ListObjectsV2Request{
		Bucket: &bucket, Prefix: &q.Prefix, Delimiter: optional(q.Delimiter), ContinuationToken: optional(q.Marker),
		StartAfter: optional(q.StartAfter), MaxKeys: int32(q.Max),
	})
	if err != nil {
		return listPage{}, err
	}
	return listPage{Objects: v2Objects(res.Contents), Prefixes: v2Prefixes(res.CommonPrefixes), Truncated: res.IsTruncated, Next: v2.ToString(res.NextContinuationToken)}, nil
}

func presigned(res *v2.PresignResult, err error) (string, http.Header, error) {
	if err != nil {
		return "", nil, err
	}
	h := http.Header{}
	for k, v := range res.SignedHeaders {
		h.Set(k, v)
	}
	return res.URL, h, nil
}

func (c *v2Client) PresignGet(ctx context.Context, bucket, key string) (string, http.Header, error) {
	return presigned(c.c.Presign(ctx, &v2.GetObjectRequest{Bucket: &bucket, Key: &key}, v2.PresignExpires(5*time.Minute)))
}

func (c *v2Client) PresignPut(ctx context.Context, bucket, key, contentType string) (string, http.Header, error) {
	return presigned(c.c.Presign(ctx, &v2.PutObjectRequest{Bucket: &bucket, Key: &key, ContentType: &contentType}, v2.PresignExpires(5*time.Minute)))
}

func (c *v2Client) Initiate(ctx context.Context, bucket, key string, o putOptions) (string, error) {
	res, err := c.c.InitiateMultipartUpload(ctx, &v2.InitiateMultipartUploadRequest{
		Bucket: &bucket, Key: &key, ContentType: optional(o.ContentType), Metadata: o.Meta,
		StorageClass: v2.StorageClassType(o.StorageClass), ForbidOverwrite: forbid(o.ForbidOverwrite),
	})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.UploadId), nil
}

func (c *v2Client) UploadPart(ctx context.Context, bucket, key, id string, n int, data []byte) (string, error) {
	res, err := c.c.UploadPart(ctx, &v2.UploadPartRequest{
		Bucket: &bucket, Key: &key, UploadId: &id, PartNumber: int32(n), Body: bytes.NewReader(data),
	})
	if err != nil {
		return "", err
	}
	if got, want := v2.ToString(res.HashCRC64), crc64Of(data); got != want {
		return "", fmt.Errorf("UploadPart: x-oss-hash-crc64ecma %q, want %q", got, want)
	}
	return v2.ToString(res.ETag), nil
}

func (c *v2Client) ListParts(ctx context.Context, bucket, key, id string, marker, max int) (partsPage, error) {
	res, err := c.c.ListParts(ctx, &v2.ListPartsRequest{
		Bucket: &bucket, Key: &key, UploadId: &id, PartNumberMarker: int32(marker), MaxParts: int32(max),
	})
	if err != nil {
		return partsPage{}, err
	}
	page := partsPage{Truncated: res.IsTruncated, Next: int(res.NextPartNumberMarker)}
	for _, p := range res.Parts {
		page.Parts = append(page.Parts, part{Number: int(p.PartNumber), ETag: v2.ToString(p.ETag), Size: p.Size, CRC64: v2.ToString(p.HashCRC64)})
	}
	return page, nil
}

func (c *v2Client) ListUploads(ctx context.Context, bucket string, q uploadsQuery) (uploadsPage, error) {
	res, err := c.c.ListMultipartUploads(ctx, &v2.ListMultipartUploadsRequest{
		Bucket: &bucket, Prefix: optional(q.Prefix), KeyMarker: optional(q.KeyMarker),
		UploadIdMarker: optional(q.UploadIDMarker), MaxUploads: int32(q.Max),
	})
	if err != nil {
		return uploadsPage{}, err
	}
	page := uploadsPage{Truncated: res.IsTruncated, NextKey: v2.ToString(res.NextKeyMarker), NextUpload: v2.ToString(res.NextUploadIdMarker)}
	for _, u := range res.Uploads {
		page.Uploads = append(page.Uploads, upload{Key: v2.ToString(u.Key), UploadID: v2.ToString(u.UploadId)})
	}
	return page, nil
}

func (c *v2Client) Complete(ctx context.Context, bucket, key, id string, parts []part) (string, error) {
	body := &v2.CompleteMultipartUpload{}
	for _, p := range parts {
		body.Parts = append(body.Parts, v2.UploadPart{PartNumber: int32(p.Number), ETag: v2.Ptr(p.ETag)})
	}
	res, err := c.c.CompleteMultipartUpload(ctx, &v2.CompleteMultipartUploadRequest{
		Bucket: &bucket, Key: &key, UploadId: &id, CompleteMultipartUpload: body,
	})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.ETag), nil
}

// CompleteAll completes with x-oss-complete-all: yes and no part list,
// which only the v2 SDK offers.
func (c *v2Client) CompleteAll(ctx context.Context, bucket, key, id string) (etag, crc string, err error) {
	res, err := c.c.CompleteMultipartUpload(ctx, &v2.CompleteMultipartUploadRequest{
		Bucket: &bucket, Key: &key, UploadId: &id, CompleteAll: v2.Ptr("yes"),
	})
	if err != nil {
		return "", "", err
	}
	return v2.ToString(res.ETag), v2.ToString(res.HashCRC64), nil
}

func (c *v2Client) Abort(ctx context.Context, bucket, key, id string) error {
	_, err := c.c.AbortMultipartUpload(ctx, &v2.AbortMultipartUploadRequest{Bucket: &bucket, Key: &key, UploadId: &id})
	return err
}

func (c *v2Client) UploadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error {
	u := c.c.NewUploader(func(o *v2.UploaderOptions) {
		o.PartSize = partSize
		o.ParallelNum = 3
		o.EnableCheckpoint = true
		o.CheckpointDir = checkpointDir(cpDir)
	})
	_, err := u.UploadFile(ctx, &v2.PutObjectRequest{Bucket: &bucket, Key: &key}, path)
	return err
}

func (c *v2Client) DownloadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error {
	d := c.c.NewDownloader(func(o *v2.DownloaderOptions) {
		o.PartSize = partSize
		o.ParallelNum = 3
		o.EnableCheckpoint = true
		o.CheckpointDir = checkpointDir(cpDir)
		o.VerifyData = true
	})
	_, err := d.DownloadFile(ctx, &v2.GetObjectRequest{Bucket: &bucket, Key: &key}, path)
	return err
}

// checkpointDir works around the v2 SDK (v1.6.1, oss/checkpoint.go) taking
// filepath.Dir of CheckpointDir: without a trailing separator the
// checkpoint would land in the parent directory.
func checkpointDir(dir string) string {
	return dir + string(filepath.Separator)
}
