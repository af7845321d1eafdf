package interop

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// The S3 tests drive the server's S3 dialect with the clients written for
// AWS: aws-sdk-go-v2 (its S3 client, presigner and transfer manager) and
// minio-go, each unchanged, signing with AWS Signature V4 against the
// same account and region the OSS tests use.

// awsClient returns an aws-sdk-go-v2 S3 client for f, path style.
func awsClient(f *fixture, secret string) *s3.Client {
	cfg := aws.Config{
		Region:      region,
		Credentials: awscreds.NewStaticCredentialsProvider(accessKeyID, secret, ""),
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(f.url)
		o.UsePathStyle = true
	})
}

// apiCode returns the S3 error code of err, or "".
func apiCode(err error) string {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return ae.ErrorCode()
	}
	return ""
}

func TestAWSSDKObjects(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := awsClient(f, accessKeySecret)
	bucket := aws.String("aws-objects")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != *bucket {
		t.Fatalf("ListBuckets = %+v, %v", lb, err)
	}

	data := randomData(300<<10, 1)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      bucket,
		Key:         aws.String("dir/a.bin"),
		Body:        bytes.NewReader(data),
		ContentType: aws.String("application/x-test"),
		Metadata:    map[string]string{"color": "blue"},
		Tagging:     aws.String("k=v"),
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(data)
	if want := fmt.Sprintf("%q", fmt.Sprintf("%X", sum)); !strings.EqualFold(aws.ToString(put.ETag), want) {
		t.Errorf("PutObject ETag %s, want %s", aws.ToString(put.ETag), want)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("dir/a.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ContentType) != "application/x-test" || head.Metadata["color"] != "blue" || aws.ToInt32(head.TagCount) != 1 {
		t.Errorf("HeadObject = length %d, type %q, meta %v, tags %d", aws.ToInt64(head.ContentLength), aws.ToString(head.ContentType), head.Metadata, aws.ToInt32(head.TagCount))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a.bin"), Range: aws.String("bytes=100-199")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(got, data[100:200]) {
		t.Errorf("ranged GetObject: %d bytes, %v", len(got), err)
	}

	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("dir/copy.bin"), CopySource: aws.String(*bucket + "/dir/a.bin")}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(fmt.Sprintf("list/%d", i)), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("list/"), MaxKeys: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if pages != 3 || strings.Join(keys, ",") != "list/0,list/1,list/2,list/3,list/4" {
		t.Errorf("ListObjectsV2 gave %v in %d pages", keys, pages)
	}
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Delimiter: aws.String("/")})
	if err != nil || len(lo.CommonPrefixes) != 2 {
		t.Errorf("ListObjectsV2 with a delimiter = %+v, %v", lo, err)
	}

	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("dir/a.bin")})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "k" {
		t.Errorf("GetObjectTagging = %+v, %v", tags, err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: aws.String("dir/a.bin"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("dir/a.bin")}); err != nil || len(tags.TagSet) != 2 {
		t.Errorf("tags after PutObjectTagging = %+v, %v", tags, err)
	}

	// The SDK checks the whole object's checksum when it asks for it.
	whole, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a.bin"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(whole.Body)
	whole.Body.Close()
	if err != nil || !bytes.Equal(got, data) || aws.ToString(whole.ChecksumCRC64NVME) == "" {
		t.Errorf("GetObject with checksum mode: %d bytes, CRC64NVME %q, CRC32 %q, %v", len(got), aws.ToString(whole.ChecksumCRC64NVME), aws.ToString(whole.ChecksumCRC32), err)
	}

	// Version 1 listings and CORS rules.
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: bucket, Prefix: aws.String("list/"), MaxKeys: aws.Int32(3)})
	if err != nil || len(v1.Contents) != 3 || !aws.ToBool(v1.IsTruncated) {
		t.Errorf("ListObjects = %+v, %v", v1, err)
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bucket, CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://example.com"}, AllowedMethods: []string{"GET", "PUT"}, MaxAgeSeconds: aws.Int32(60)}}}}); err != nil {
		t.Fatal(err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucket})
	if err != nil || len(cors.CORSRules) != 1 || cors.CORSRules[0].AllowedOrigins[0] != "https://example.com" || len(cors.CORSRules[0].AllowedMethods) != 2 {
		t.Errorf("GetBucketCors = %+v, %v", cors, err)
	}

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("missing")})
	if _, ok := errors.AsType[*types.NoSuchKey](err); !ok {
		t.Errorf("GetObject of a missing key: %v", err)
	}
	_, err = awsClient(f, "wrong-secret").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket})
	if err == nil {
		t.Error("a wrong secret was accepted")
	}
	_, err = awsClient(f, "wrong-secret").GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a.bin")})
	if code := apiCode(err); code != "SignatureDoesNotMatch" {
		t.Errorf("GetObject with a wrong secret: %v", err)
	}

	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("list/0")}, {Key: aws.String("list/1")}}}})
	if err != nil || len(del.Deleted) != 2 {
		t.Errorf("DeleteObjects = %+v, %v", del, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("dir/copy.bin")}); err != nil {
		t.Fatal(err)
	}
}

// TestAWSSDKPresign checks presigned GET and PUT URLs made by the SDK's
// presigner, and that an expired or altered one is refused.
func TestAWSSDKPresign(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := awsClient(f, accessKeySecret)
	bucket := aws.String("aws-presign")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	ps := s3.NewPresignClient(c)
	data := randomData(10_000, 2)
	pu, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("p")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, pu.Method, pu.URL, bytes.NewReader(data))
	for k, vs := range pu.SignedHeader {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %s", resp.Status)
	}
	pg, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("p")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("presigned GET: %s, %d bytes", resp.Status, len(got))
	}
	u, _ := url.Parse(pg.URL)
	q := u.Query()
	q.Set("X-Amz-Expires", "7200")
	u.RawQuery = q.Encode()
	resp, err = http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("altered presigned GET: %s", resp.Status)
	}
}

// TestAWSSDKUploadManager uploads a 21 MiB object through the SDK's
// transfer manager (the upload manager's successor) in 5 MiB parts, 3 at
// a time, and reads it back.
func TestAWSSDKUploadManager(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := awsClient(f, accessKeySecret)
	bucket := aws.String("aws-manager")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	data := randomData(21<<20+17, 3)
	tm := transfermanager.New(c, func(o *transfermanager.Options) {
		o.PartSizeBytes = 5 << 20
		o.Concurrency = 3
	})
	out, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: bucket, Key: aws.String("big"), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.Trim(aws.ToString(out.ETag), `"`), "-5") {
		t.Errorf("multipart ETag %s", aws.ToString(out.ETag))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || md5.Sum(got) != md5.Sum(data) {
		t.Fatalf("read back %d bytes (%v), not what was uploaded", len(got), err)
	}
}

// minioClient returns a minio-go client for f.
func minioClient(t *testing.T, f *fixture) *minio.Client {
	t.Helper()
	c, err := minio.New(f.addr, &minio.Options{
		Creds:        miniocreds.NewStaticV4(accessKeyID, accessKeySecret, ""),
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMinioGo drives minio-go: its uploads over plain HTTP use the signed
// streaming (aws-chunked) form, large ones in parts.
func TestMinioGo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := minioClient(t, f)
	if err := c.MakeBucket(ctx, "minio-go", minio.MakeBucketOptions{Region: region}); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 1000, 17 << 20} {
		key := fmt.Sprintf("obj-%d", size)
		data := randomData(size, uint64(size))
		info, err := c.PutObject(ctx, "minio-go", key, bytes.NewReader(data), int64(size), minio.PutObjectOptions{
			ContentType:  "text/plain",
			UserMetadata: map[string]string{"owner": "me"},
			PartSize:     5 << 20,
		})
		if err != nil {
			t.Fatalf("PutObject %d bytes: %v", size, err)
		}
		if info.Size != int64(size) {
			t.Errorf("PutObject reported %d bytes", info.Size)
		}
		st, err := c.StatObject(ctx, "minio-go", key, minio.StatObjectOptions{})
		if err != nil || st.Size != int64(size) || st.UserMetadata["Owner"] != "me" {
			t.Errorf("StatObject = %+v, %v", st, err)
		}
		obj, err := c.GetObject(ctx, "minio-go", key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("GetObject of %d bytes: %d bytes, %v", size, len(got), err)
		}
	}
	var n int
	for o := range c.ListObjects(ctx, "minio-go", minio.ListObjectsOptions{Prefix: "obj-"}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("ListObjects listed %d objects", n)
	}
	if err := c.RemoveObject(ctx, "minio-go", "obj-1000", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StatObject(ctx, "minio-go", "obj-1000", minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != "NoSuchKey" {
		t.Errorf("StatObject of a removed object: %v", err)
	}
}
