package interop

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// putMultipart stores data at bucket/key as a multipart object of parts of
// size partSize, with the options given.
func putMultipart(t *testing.T, c sdkClient, bucket, key string, data []byte, partSize int, o putOptions) {
	t.Helper()
	id, err := c.Initiate(t.Context(), bucket, key, o)
	if err != nil {
		t.Fatalf("InitiateMultipartUpload %s: %v", key, err)
	}
	parts := uploadParts(t, c, bucket, key, id, split(data, partSize))
	if _, err := c.Complete(t.Context(), bucket, key, id, parts); err != nil {
		t.Fatalf("CompleteMultipartUpload %s: %v", key, err)
	}
}

// uploadPartCopy is UploadPartCopy of bytes first..last (inclusive) of
// srcBucket/srcKey as part n, with x-oss-copy-source-if-match and
// -if-none-match when they are not empty.
func uploadPartCopy(ctx context.Context, c sdkClient, bucket, key, id string, n int, srcBucket, srcKey string, first, last int64, ifMatch, ifNoneMatch string) (etag string, err error) {
	switch c := c.(type) {
	case *v1Client:
		opts := []v1.Option{v1.WithContext(ctx)}
		if ifMatch != "" {
			opts = append(opts, v1.CopySourceIfMatch(ifMatch))
		}
		if ifNoneMatch != "" {
			opts = append(opts, v1.CopySourceIfNoneMatch(ifNoneMatch))
		}
		p, err := c.bucket(bucket).UploadPartCopy(imur(bucket, key, id), srcBucket, srcKey, first, last-first+1, n, opts...)
		return p.ETag, err
	case *v2Client:
		res, err := c.c.UploadPartCopy(ctx, &v2.UploadPartCopyRequest{
			Bucket: &bucket, Key: &key, UploadId: &id, PartNumber: int32(n),
			SourceBucket: &srcBucket, SourceKey: &srcKey,
			Range: v2.Ptr(fmt.Sprintf("bytes=%d-%d", first, last)), IfMatch: optional(ifMatch), IfNoneMatch: optional(ifNoneMatch),
		})
		if err != nil {
			return "", err
		}
		return v2.ToString(res.ETag), nil
	}
	panic("unknown SDK client")
}

// TestUploadPartCopy assembles an object from ranges of a multipart
// source that cut across its parts, and a part uploaded in between.
func TestUploadPartCopy(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, src, dst = "partcopy", "source/multi part+1 ü", "assembled/目标 1+1"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		const srcPart = 150 << 10
		data := randomData(5*srcPart+1234, 31)
		putMultipart(t, c, bucket, src, data, srcPart, putOptions{})
		srcHead, err := c.Head(ctx, bucket, src)
		if err != nil {
			t.Fatal(err)
		}

		id, err := c.Initiate(ctx, bucket, dst, putOptions{ContentType: "application/x-assembled"})
		if err != nil {
			t.Fatal(err)
		}
		// Part 1 crosses the source's first two part boundaries, part 3
		// runs from inside its third part to its end.
		first := [2]int64{100 << 10, 100<<10 + 250<<10 - 1}
		third := [2]int64{400 << 10, int64(len(data)) - 1}
		middle := randomData(120<<10, 32)
		// Part 1 is first uploaded with other bytes: the copy replaces it.
		if _, err := c.UploadPart(ctx, bucket, dst, id, 1, randomData(minPart, 35)); err != nil {
			t.Fatal(err)
		}
		midETag, err := c.UploadPart(ctx, bucket, dst, id, 2, middle)
		if err != nil {
			t.Fatal(err)
		}
		parts := []part{{Number: 1}, {Number: 2, ETag: midETag}, {Number: 3}}
		for _, p := range []struct {
			n           int
			first, last int64
			ifMatch     string
		}{{1, first[0], first[1], srcHead.ETag}, {3, third[0], third[1], ""}} {
			etag, err := uploadPartCopy(ctx, c, bucket, dst, id, p.n, bucket, src, p.first, p.last, p.ifMatch, "")
			if err != nil {
				t.Fatalf("UploadPartCopy %d: %v", p.n, err)
			}
			parts[p.n-1].ETag = etag
		}

		wantParts := [][]byte{data[first[0] : first[1]+1], middle, data[third[0] : third[1]+1]}
		for i, p := range parts {
			if want := `"` + md5Hex(wantParts[i]) + `"`; p.ETag != want {
				t.Errorf("part %d: ETag %s, want %s (the MD5 of its bytes)", p.Number, p.ETag, want)
			}
		}

		_, err = uploadPartCopy(ctx, c, bucket, dst, id, 4, bucket, src, 0, 1000, `"`+md5Hex(nil)+`"`, "")
		wantCode(t, "UploadPartCopy with a failed if-match", err, http.StatusPreconditionFailed, "PreconditionFailed")
		_, err = uploadPartCopy(ctx, c, bucket, dst, id, 4, bucket, src, 0, 1000, "", srcHead.ETag)
		wantNotModified(t, "UploadPartCopy with a failed if-none-match", err, v)
		_, err = uploadPartCopy(ctx, c, bucket, dst, "no-such-upload", 1, bucket, src, 0, 1000, "", "")
		wantCode(t, "UploadPartCopy to a missing upload", err, http.StatusNotFound, "NoSuchUpload")
		_, err = uploadPartCopy(ctx, c, bucket, dst, id, 4, bucket, "no such key", 0, 1000, "", "")
		wantCode(t, "UploadPartCopy from a missing key", err, http.StatusNotFound, "NoSuchKey")

		if _, err := c.Complete(ctx, bucket, dst, id, parts); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		var want []byte
		for _, p := range wantParts {
			want = append(want, p...)
		}
		wantObject(t, c, bucket, dst, want, "application/x-assembled", nil, map[string]string{})
		h, err := c.Head(ctx, bucket, dst)
		if err != nil {
			t.Fatal(err)
		}
		if h.Type != "Multipart" {
			t.Errorf("HeadObject: x-oss-object-type %q, want Multipart", h.Type)
		}
	})
}

// TestCopyFile copies a multipart object with the v1 SDK's resumable
// Bucket.CopyFile, which uses UploadPartCopy, across buckets and within
// one.
func TestCopyFile(t *testing.T) {
	forVariants(t, ofSDK(1), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const from, to, key = "copyfile-from", "copyfile-to", "big/源 object+1.bin"
		for _, b := range []string{from, to} {
			if err := c.CreateBucket(ctx, b, "private"); err != nil {
				t.Fatal(err)
			}
		}
		data := randomData(1<<20+333, 33)
		putMultipart(t, c, from, key, data, 300<<10, putOptions{})
		const partSize = 256 << 10
		cpDir := t.TempDir()
		for _, dst := range []struct{ bucket, key string }{{to, key}, {from, "copy of/" + key}} {
			f.faults.resetCounts()
			b := c.(*v1Client).bucket(dst.bucket)
			cp := filepath.Join(cpDir, "copy.cp")
			err := b.CopyFile(from, key, dst.key, partSize, v1.Routines(3), v1.Checkpoint(true, cp), v1.WithContext(ctx))
			if err != nil {
				t.Fatalf("CopyFile to %s/%s: %v", dst.bucket, dst.key, err)
			}
			if _, n := f.faults.partsReceived(); n != 5 {
				t.Errorf("CopyFile to %s/%s: %d UploadPartCopy requests, want 5", dst.bucket, dst.key, n)
			}
			if _, err := os.Stat(cp); !os.IsNotExist(err) {
				t.Errorf("CopyFile left its checkpoint: %v", err)
			}
			wantObject(t, c, dst.bucket, dst.key, data, "application/octet-stream", nil, map[string]string{})
			page, err := c.ListUploads(ctx, dst.bucket, uploadsQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Uploads) != 0 {
				t.Errorf("CopyFile left uploads in %s: %v", dst.bucket, page.Uploads)
			}
		}
	})
}

// TestCopier copies a multipart object with the v2 SDK's Copier, whose
// multipart mode (above MultipartCopyThreshold) uses UploadPartCopy,
// takes the source's metadata and tags (HeadObject, GetObjectTagging) and
// compares the copy's CRC-64 with the source's.
func TestCopier(t *testing.T) {
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const from, to, key = "copier-from", "copier-to", "big/源 object+1.bin"
		for _, b := range []string{from, to} {
			if err := c.CreateBucket(ctx, b, "private"); err != nil {
				t.Fatal(err)
			}
		}
		data := randomData(1<<20+333, 34)
		meta, tags := map[string]string{"origin": "copier source"}, map[string]string{"copied": "with tags", "n": "2"}
		putMultipart(t, c, from, key, data, 300<<10, putOptions{ContentType: "application/x-copier", Meta: meta})
		if err := setTags(ctx, c, from, key, tags); err != nil {
			t.Fatal(err)
		}
		copier := c.(*v2Client).c.NewCopier(func(o *v2.CopierOptions) {
			o.PartSize = 256 << 10
			o.MultipartCopyThreshold = 512 << 10
			o.ParallelNum = 3
		})
		for _, tc := range []struct {
			name, bucket, key string
			shallow           bool // Copier may use one CopyObject
			partCopies        int
		}{
			{"across buckets", to, key, false, 5},
			{"within the bucket, multipart", from, "multipart copy/" + key, false, 5},
			{"within the bucket, shallow", from, "shallow copy/" + key, true, 0},
		} {
			f.faults.resetCounts()
			res, err := copier.Copy(ctx, &v2.CopyObjectRequest{
				Bucket: v2.Ptr(tc.bucket), Key: v2.Ptr(tc.key), SourceBucket: v2.Ptr(from), SourceKey: v2.Ptr(key),
			}, func(o *v2.CopierOptions) { o.DisableShallowCopy = !tc.shallow })
			if err != nil {
				t.Fatalf("Copier.Copy %s: %v", tc.name, err)
			}
			if got := v2.ToString(res.HashCRC64); got != crc64Of(data) {
				t.Errorf("Copier.Copy %s: CRC-64 %s, want %s", tc.name, got, crc64Of(data))
			}
			if _, n := f.faults.partsReceived(); n != tc.partCopies {
				t.Errorf("Copier.Copy %s: %d UploadPartCopy requests, want %d", tc.name, n, tc.partCopies)
			}
			wantObject(t, c, tc.bucket, tc.key, data, "application/x-copier", meta, tags)
		}
	})
}
