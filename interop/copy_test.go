package interop

import (
	"context"
	"maps"
	"net/http"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// copyRequest is one CopyObject call.
type copyRequest struct {
	SrcBucket, SrcKey, Bucket, Key string

	// ReplaceMeta sends x-oss-metadata-directive: REPLACE with
	// ContentType and Meta.
	ReplaceMeta bool
	ContentType string
	Meta        map[string]string
	// ReplaceTags sends x-oss-tagging-directive: REPLACE with Tags.
	ReplaceTags bool
	Tags        map[string]string

	StorageClass    string // x-oss-storage-class, when not empty
	ACL             string // x-oss-object-acl, when not empty
	ForbidOverwrite bool   // x-oss-forbid-overwrite: true

	// x-oss-copy-source-if-*, when not zero.
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince time.Time
}

// copyObject is CopyObject: Bucket.CopyObject (same bucket) or
// Bucket.CopyObjectFrom (across buckets) in the v1 SDK, Client.CopyObject
// in the v2 SDK. It returns the copy's ETag and the CRC-64 the reply
// reports.
func copyObject(ctx context.Context, c sdkClient, r copyRequest) (etag, crc string, err error) {
	switch c := c.(type) {
	case *v1Client:
		var h http.Header
		opts := []v1.Option{v1.WithContext(ctx), v1.GetResponseHeader(&h)}
		if r.ReplaceMeta {
			opts = append(opts, v1.MetadataDirective(v1.MetaReplace), v1.ContentType(r.ContentType))
			for k, v := range r.Meta {
				opts = append(opts, v1.Meta(k, v))
			}
		}
		if r.ReplaceTags {
			opts = append(opts, v1.TaggingDirective(v1.TaggingReplace))
			if len(r.Tags) > 0 {
				opts = append(opts, v1.SetTagging(v1Tagging(r.Tags)))
			}
		}
		if r.IfMatch != "" {
			opts = append(opts, v1.CopySourceIfMatch(r.IfMatch))
		}
		if r.IfNoneMatch != "" {
			opts = append(opts, v1.CopySourceIfNoneMatch(r.IfNoneMatch))
		}
		if r.StorageClass != "" {
			opts = append(opts, v1.ObjectStorageClass(v1.StorageClassType(r.StorageClass)))
		}
		if r.ACL != "" {
			opts = append(opts, v1.ObjectACL(v1.ACLType(r.ACL)))
		}
		if r.ForbidOverwrite {
			opts = append(opts, v1.ForbidOverWrite(true))
		}
		if !r.IfModifiedSince.IsZero() {
			opts = append(opts, v1.CopySourceIfModifiedSince(r.IfModifiedSince))
		}
		if !r.IfUnmodifiedSince.IsZero() {
			opts = append(opts, v1.CopySourceIfUnmodifiedSince(r.IfUnmodifiedSince))
		}
		var res v1.CopyObjectResult
		if r.SrcBucket == r.Bucket {
			res, err = c.bucket(r.Bucket).CopyObject(r.SrcKey, r.Key, opts...)
		} else {
			res, err = c.bucket(r.Bucket).CopyObjectFrom(r.SrcBucket, r.SrcKey, r.Key, opts...)
		}
		return res.ETag, h.Get("x-oss-hash-crc64ecma"), err
	case *v2Client:
		req := &v2.CopyObjectRequest{
			Bucket: &r.Bucket, Key: &r.Key, SourceBucket: &r.SrcBucket, SourceKey: &r.SrcKey,
			IfMatch: optional(r.IfMatch), IfNoneMatch: optional(r.IfNoneMatch),
			IfModifiedSince: httpDate(r.IfModifiedSince), IfUnmodifiedSince: httpDate(r.IfUnmodifiedSince),
			StorageClass: v2.StorageClassType(r.StorageClass), Acl: v2.ObjectACLType(r.ACL), ForbidOverwrite: forbid(r.ForbidOverwrite),
		}
		if r.ReplaceMeta {
			req.MetadataDirective, req.ContentType, req.Metadata = v2.Ptr("REPLACE"), &r.ContentType, r.Meta
		}
		if r.ReplaceTags {
			req.TaggingDirective, req.Tagging = v2.Ptr("REPLACE"), taggingHeader(r.Tags)
		}
		res, err := c.c.CopyObject(ctx, req)
		if err != nil {
			return "", "", err
		}
		return v2.ToString(res.ETag), v2.ToString(res.HashCRC64), nil
	}
	panic("unknown SDK client")
}

// wantNotModified fails the test unless err reports 304 Not Modified,
// which OSS answers without a body. The v2 SDK makes it a ServiceError
// with status 304; the v1 SDK makes ServiceErrors of 4xx and 5xx answers
// only, and of a 3xx a plain error.
func wantNotModified(t *testing.T, what string, err error, v variant) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want 304 Not Modified", what)
		return
	}
	status, code, ok := serviceErr(err)
	if v.sdk == 2 && (!ok || status != http.StatusNotModified) || v.sdk == 1 && ok {
		t.Errorf("%s: got %d %s, want 304 Not Modified (error: %v)", what, status, code, err)
	}
}

// httpDate formats t for a header, or returns nil for the zero time.
func httpDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return v2.Ptr(t.UTC().Format(http.TimeFormat))
}

// wantObject fails the test unless bucket/key holds data (read back with
// the SDK's CRC-64 check) with the content type, user metadata and tags
// given.
func wantObject(t *testing.T, c sdkClient, bucket, key string, data []byte, contentType string, meta, tags map[string]string) {
	t.Helper()
	ctx := t.Context()
	got, err := c.Get(ctx, bucket, key)
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	sameBytes(t, bucket+"/"+key, got, data)
	h, err := c.Head(ctx, bucket, key)
	if err != nil {
		t.Fatalf("HeadObject %s/%s: %v", bucket, key, err)
	}
	if h.CRC64 != crc64Of(data) || h.Size != int64(len(data)) {
		t.Errorf("HeadObject %s/%s: %d bytes, CRC-64 %s; want %d, %s", bucket, key, h.Size, h.CRC64, len(data), crc64Of(data))
	}
	if h.ContentType != contentType {
		t.Errorf("HeadObject %s/%s: Content-Type %q, want %q", bucket, key, h.ContentType, contentType)
	}
	if !maps.Equal(h.Meta, meta) {
		t.Errorf("HeadObject %s/%s: user metadata %q, want %q", bucket, key, h.Meta, meta)
	}
	wantTags(t, c, bucket, key, tags)
}

// A source key with the characters the two SDKs encode differently in
// x-oss-copy-source: the v1 SDK query-escapes the key (/ as %2F, space as
// +), the v2 SDK path-escapes it (/ kept, space as %20).
const awkwardKey = "dir one/a+b c/ünïcødé 文件 100%.txt"

func TestCopyObject(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "copy"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(300<<10, 21)
		srcType, srcMeta := "application/x-source", map[string]string{"origin": "source object"}
		if _, err := c.Put(ctx, bucket, awkwardKey, data, putOptions{ContentType: srcType, Meta: srcMeta}); err != nil {
			t.Fatal(err)
		}
		srcTags := map[string]string{"from": "source", "n": "1"}
		if err := setTags(ctx, c, bucket, awkwardKey, srcTags); err != nil {
			t.Fatal(err)
		}

		// COPY: data, metadata and tags as the source's.
		const dup = "copies/same + all/ü"
		etag, crc, err := copyObject(ctx, c, copyRequest{SrcBucket: bucket, SrcKey: awkwardKey, Bucket: bucket, Key: dup})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		if want := `"` + md5Hex(data) + `"`; etag != want {
			t.Errorf("CopyObject: ETag %s, want %s", etag, want)
		}
		if crc != crc64Of(data) {
			t.Errorf("CopyObject: x-oss-hash-crc64ecma %q, want %q", crc, crc64Of(data))
		}
		wantObject(t, c, bucket, dup, data, srcType, srcMeta, srcTags)

		// REPLACE: the request's metadata and tags, none of the source's.
		const other = "copies/replaced"
		newMeta, newTags := map[string]string{"changed": "yes"}, map[string]string{"tag": "new value"}
		_, crc, err = copyObject(ctx, c, copyRequest{
			SrcBucket: bucket, SrcKey: awkwardKey, Bucket: bucket, Key: other,
			ReplaceMeta: true, ContentType: "text/plain", Meta: newMeta, ReplaceTags: true, Tags: newTags,
		})
		if err != nil {
			t.Fatalf("CopyObject REPLACE: %v", err)
		}
		if crc != crc64Of(data) {
			t.Errorf("CopyObject REPLACE: x-oss-hash-crc64ecma %q, want %q", crc, crc64Of(data))
		}
		wantObject(t, c, bucket, other, data, "text/plain", newMeta, newTags)
		// Metadata REPLACE, tags COPY.
		const mixed = "copies/mixed"
		if _, _, err := copyObject(ctx, c, copyRequest{
			SrcBucket: bucket, SrcKey: awkwardKey, Bucket: bucket, Key: mixed, ReplaceMeta: true, ContentType: "image/png",
		}); err != nil {
			t.Fatalf("CopyObject metadata REPLACE, tagging COPY: %v", err)
		}
		wantObject(t, c, bucket, mixed, data, "image/png", nil, srcTags)

		// The source is untouched.
		wantObject(t, c, bucket, awkwardKey, data, srcType, srcMeta, srcTags)
	})
}

// TestCopyInPlace changes an object's Content-Type and user metadata by
// copying it onto itself, and checks that a self-copy that changes
// nothing is refused.
func TestCopyInPlace(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "inplace"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(10<<10, 22)
		tags := map[string]string{"kept": "yes"}
		if err := putTagged(ctx, c, bucket, awkwardKey, data, tags); err != nil {
			t.Fatal(err)
		}
		self := copyRequest{SrcBucket: bucket, SrcKey: awkwardKey, Bucket: bucket, Key: awkwardKey}
		_, _, err := copyObject(ctx, c, self)
		wantCode(t, "CopyObject onto itself, changing nothing", err, http.StatusBadRequest, "InvalidArgument")

		meta := map[string]string{"edited": "in place"}
		edit := self
		edit.ReplaceMeta, edit.ContentType, edit.Meta = true, "text/plain; charset=utf-8", meta
		if _, _, err := copyObject(ctx, c, edit); err != nil {
			t.Fatalf("CopyObject onto itself with REPLACE: %v", err)
		}
		wantObject(t, c, bucket, awkwardKey, data, "text/plain; charset=utf-8", meta, tags)

		// A new storage class or ACL is a change too; the metadata stays.
		for _, change := range []copyRequest{{StorageClass: "IA"}, {ACL: "public-read"}} {
			r := self
			r.StorageClass, r.ACL = change.StorageClass, change.ACL
			if _, _, err := copyObject(ctx, c, r); err != nil {
				t.Fatalf("CopyObject onto itself with storage class %q, ACL %q: %v", r.StorageClass, r.ACL, err)
			}
			wantObject(t, c, bucket, awkwardKey, data, "text/plain; charset=utf-8", meta, tags)
		}
		h, err := c.Head(ctx, bucket, awkwardKey)
		if err != nil {
			t.Fatal(err)
		}
		if h.StorageClass != "IA" {
			t.Errorf("storage class after copying onto itself with x-oss-storage-class IA: %q", h.StorageClass)
		}
		if acl, err := c.ObjectACL(ctx, bucket, awkwardKey); err != nil || acl != "public-read" {
			t.Errorf("object ACL after copying onto itself with x-oss-object-acl public-read: %q, %v", acl, err)
		}

		retag := self
		retag.ReplaceTags, retag.Tags = true, map[string]string{"retagged": "by copy"}
		if _, _, err := copyObject(ctx, c, retag); err != nil {
			t.Fatalf("CopyObject onto itself with tagging REPLACE: %v", err)
		}
		wantObject(t, c, bucket, awkwardKey, data, "text/plain; charset=utf-8", meta, retag.Tags)
	})
}

// TestCopyConditions checks the x-oss-copy-source-if-* conditions: a
// failed if-match or if-unmodified-since is 412 PreconditionFailed, a
// failed if-none-match or if-modified-since 304 Not Modified (as OSS
// documents for CopyObject and UploadPartCopy), and neither writes
// anything.
func TestCopyConditions(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, src = "conditions", "source"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(4096, 23)
		etag, err := c.Put(ctx, bucket, src, data, putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The source was written after earlier and before later.
		earlier, later := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		wrong := `"` + md5Hex([]byte("something else")) + `"`
		for _, tc := range []struct {
			name   string
			r      copyRequest
			status int // 0: the copy is made
		}{
			{"if-match other ETag", copyRequest{IfMatch: wrong}, http.StatusPreconditionFailed},
			{"if-unmodified-since earlier", copyRequest{IfUnmodifiedSince: earlier}, http.StatusPreconditionFailed},
			{"if-none-match the ETag", copyRequest{IfNoneMatch: etag}, http.StatusNotModified},
			{"if-modified-since later", copyRequest{IfModifiedSince: later}, http.StatusNotModified},
			{"if-match the ETag", copyRequest{IfMatch: etag}, 0},
			{"if-none-match other ETag", copyRequest{IfNoneMatch: wrong}, 0},
			{"if-modified-since earlier", copyRequest{IfModifiedSince: earlier}, 0},
			{"if-unmodified-since later", copyRequest{IfUnmodifiedSince: later}, 0},
			// If-Match decides alone over If-Unmodified-Since.
			{"if-match the ETag, if-unmodified-since earlier", copyRequest{IfMatch: etag, IfUnmodifiedSince: earlier}, 0},
		} {
			r := tc.r
			r.SrcBucket, r.SrcKey, r.Bucket, r.Key = bucket, src, bucket, "copy "+tc.name
			_, _, err := copyObject(ctx, c, r)
			switch tc.status {
			case 0:
				if err != nil {
					t.Fatalf("CopyObject %s: %v", tc.name, err)
				}
				wantObject(t, c, bucket, r.Key, data, "application/octet-stream", nil, map[string]string{})
				continue
			case http.StatusPreconditionFailed:
				wantCode(t, "CopyObject "+tc.name, err, http.StatusPreconditionFailed, "PreconditionFailed")
			case http.StatusNotModified:
				wantNotModified(t, "CopyObject "+tc.name, err, v)
			}
			if ok, err := c.ObjectExists(ctx, bucket, r.Key); ok || err != nil {
				t.Errorf("CopyObject %s: destination exists = %v, %v", tc.name, ok, err)
			}
		}
		_, _, err = copyObject(ctx, c, copyRequest{SrcBucket: bucket, SrcKey: "no such key", Bucket: bucket, Key: "never"})
		wantCode(t, "CopyObject from a missing key", err, http.StatusNotFound, "NoSuchKey")
		_, _, err = copyObject(ctx, c, copyRequest{SrcBucket: "no-such-bucket", SrcKey: src, Bucket: bucket, Key: "never"})
		wantCode(t, "CopyObject from a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
		_, _, err = copyObject(ctx, c, copyRequest{SrcBucket: bucket, SrcKey: src, Bucket: "no-such-bucket", Key: "never"})
		wantCode(t, "CopyObject to a missing bucket", err, http.StatusNotFound, "NoSuchBucket")

		// x-oss-forbid-overwrite: a free key is written, a taken one refused.
		guarded := copyRequest{SrcBucket: bucket, SrcKey: src, Bucket: bucket, Key: "guarded", ForbidOverwrite: true}
		if _, _, err := copyObject(ctx, c, guarded); err != nil {
			t.Fatalf("CopyObject with x-oss-forbid-overwrite to a free key: %v", err)
		}
		guarded.SrcKey = "copy if-match the ETag"
		if _, err := c.Put(ctx, bucket, guarded.SrcKey, []byte("other"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		_, _, err = copyObject(ctx, c, guarded)
		wantCode(t, "CopyObject with x-oss-forbid-overwrite to a taken key", err, http.StatusConflict, "FileAlreadyExists")
		wantObject(t, c, bucket, "guarded", data, "application/octet-stream", nil, map[string]string{})
	})
}

// TestCopyAcrossBuckets copies between two buckets: with the v1 SDK's
// Bucket.CopyObjectTo and Bucket.CopyObjectFrom, with the v2 SDK's
// CopyObject naming a SourceBucket.
func TestCopyAcrossBuckets(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const from, to = "copy-from", "copy-to"
		for _, b := range []string{from, to} {
			if err := c.CreateBucket(ctx, b, "private"); err != nil {
				t.Fatal(err)
			}
		}
		data := randomData(200<<10, 24)
		meta := map[string]string{"bucket": from}
		if _, err := c.Put(ctx, from, awkwardKey, data, putOptions{ContentType: "application/x-cross", Meta: meta}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := copyObject(ctx, c, copyRequest{SrcBucket: from, SrcKey: awkwardKey, Bucket: to, Key: awkwardKey}); err != nil {
			t.Fatalf("CopyObject across buckets: %v", err)
		}
		wantObject(t, c, to, awkwardKey, data, "application/x-cross", meta, map[string]string{})
		if v.sdk != 1 {
			return
		}
		b := c.(*v1Client).bucket(from)
		if _, err := b.CopyObjectTo(to, "pushed/"+awkwardKey, awkwardKey, v1.WithContext(ctx)); err != nil {
			t.Fatalf("CopyObjectTo: %v", err)
		}
		wantObject(t, c, to, "pushed/"+awkwardKey, data, "application/x-cross", meta, map[string]string{})
		_, err := b.CopyObjectTo(to, "never", "no such key", v1.WithContext(ctx))
		wantCode(t, "CopyObjectTo from a missing key", err, http.StatusNotFound, "NoSuchKey")
	})
}
