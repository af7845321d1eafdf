package interop

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// oddKeys are keys that trip up path and query encoding.
var oddKeys = []string{
	"plain.txt",
	"with space.txt",
	"a+b=c&d.txt",
	"100%/done?.txt",
	"中文/目录/文件.txt",
	"emoji-🙂.bin",
	"a//b",
	"dir/",
	"dir/sub/x.txt",
	"tilde~-_.!*'();:@$,",
	"../../etc/passwd",
	"semi;colon#hash[1]",
}

func TestObjects(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "objects"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(1<<20+123, 1)
		opts := putOptions{
			ContentType:  "image/x-test",
			Meta:         map[string]string{"author": "alice", "magic": "abra cadabra"},
			ACL:          "public-read",
			StorageClass: "IA",
		}
		etag, err := c.Put(ctx, bucket, "photo.raw", data, opts)
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		if want := `"` + md5Hex(data) + `"`; etag != want {
			t.Errorf("PutObject ETag = %s, want %s", etag, want)
		}

		got, err := c.Get(ctx, bucket, "photo.raw")
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		sameBytes(t, "GetObject", got, data)

		for _, r := range [][2]int64{{0, 0}, {0, 99}, {1000, 1<<20 + 122}, {1 << 19, 1<<19 + 65535}} {
			got, err := c.GetRange(ctx, bucket, "photo.raw", r[0], r[1])
			if err != nil {
				t.Fatalf("GetObject range %v: %v", r, err)
			}
			sameBytes(t, "GetObject range", got, data[r[0]:r[1]+1])
		}

		head, err := c.Head(ctx, bucket, "photo.raw")
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		want := objectMeta{
			Size: int64(len(data)), ETag: etag, ContentType: "image/x-test", CRC64: crc64Of(data),
			Type: "Normal", StorageClass: "IA", Meta: opts.Meta,
		}
		if !sameMeta(head, want) {
			t.Errorf("HeadObject = %+v, want %+v", head, want)
		}
		meta, err := c.ObjectMeta(ctx, bucket, "photo.raw")
		if err != nil {
			t.Fatalf("GetObjectMeta: %v", err)
		}
		if meta.Size != want.Size || meta.ETag != etag || meta.CRC64 != want.CRC64 {
			t.Errorf("GetObjectMeta = %+v, want size %d, ETag %s, CRC-64 %s", meta, want.Size, etag, want.CRC64)
		}

		if acl, err := c.ObjectACL(ctx, bucket, "photo.raw"); err != nil || acl != "public-read" {
			t.Errorf("GetObjectAcl = %q, %v; want public-read", acl, err)
		}
		for key, want := range map[string]bool{"photo.raw": true, "photo": false, "photo.raw/": false} {
			got, err := c.ObjectExists(ctx, bucket, key)
			if err != nil || got != want {
				t.Errorf("IsObjectExist(%q) = %v, %v; want %v", key, got, err, want)
			}
		}

		_, err = c.Put(ctx, bucket, "photo.raw", []byte("overwrite"), putOptions{ForbidOverwrite: true})
		wantCode(t, "PutObject with x-oss-forbid-overwrite", err, http.StatusConflict, "FileAlreadyExists")
		_, err = c.Initiate(ctx, bucket, "photo.raw", putOptions{ForbidOverwrite: true})
		wantCode(t, "Initiate with x-oss-forbid-overwrite", err, http.StatusConflict, "FileAlreadyExists")
		if _, err := c.Put(ctx, bucket, "fresh", []byte("new"), putOptions{ForbidOverwrite: true}); err != nil {
			t.Errorf("PutObject of a new key with x-oss-forbid-overwrite: %v", err)
		}

		_, err = c.Get(ctx, bucket, "missing")
		wantCode(t, "GetObject of a missing key", err, http.StatusNotFound, "NoSuchKey")
		_, err = c.Head(ctx, bucket, "missing")
		wantCode(t, "HeadObject of a missing key", err, http.StatusNotFound, "NoSuchKey")
		_, err = c.Get(ctx, "no-such-bucket", "photo.raw")
		wantCode(t, "GetObject in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
		_, err = c.Put(ctx, "no-such-bucket", "x", []byte("x"), putOptions{})
		wantCode(t, "PutObject in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")

		if err := c.Delete(ctx, bucket, "photo.raw"); err != nil {
			t.Fatalf("DeleteObject: %v", err)
		}
		if err := c.Delete(ctx, bucket, "photo.raw"); err != nil {
			t.Fatalf("DeleteObject of a deleted key: %v", err)
		}
		if ok, err := c.ObjectExists(ctx, bucket, "photo.raw"); ok || err != nil {
			t.Errorf("IsObjectExist after delete = %v, %v", ok, err)
		}
	})
}

// sameMeta compares what HEAD reports; Content-Type may carry parameters.
func sameMeta(got, want objectMeta) bool {
	ct, _, _ := strings.Cut(got.ContentType, ";")
	return got.Size == want.Size && got.ETag == want.ETag && ct == want.ContentType &&
		got.CRC64 == want.CRC64 && got.Type == want.Type && got.StorageClass == want.StorageClass &&
		maps.Equal(got.Meta, want.Meta)
}

func TestOddKeysAndSizes(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "odd"
		if err := c.CreateBucket(ctx, bucket, ""); err != nil {
			t.Fatal(err)
		}
		sizes := []int{0, 1, 7, 4096, 100<<10 + 1}
		for i, key := range oddKeys {
			data := randomData(sizes[i%len(sizes)], uint64(i))
			if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
			got, err := c.Get(ctx, bucket, key)
			if err != nil {
				t.Fatalf("GetObject %q: %v", key, err)
			}
			sameBytes(t, "GetObject "+strconv.Quote(key), got, data)
			if ok, err := c.ObjectExists(ctx, bucket, key); !ok || err != nil {
				t.Errorf("IsObjectExist(%q) = %v, %v", key, ok, err)
			}
		}
		page, err := c.List(ctx, bucket, listQuery{Max: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keysOf(page.Objects), slices.Sorted(slices.Values(oddKeys)); !slices.Equal(got, want) {
			t.Errorf("ListObjects = %q, want %q", got, want)
		}
	})
}

func TestDeleteObjects(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "delete-many"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		for _, key := range oddKeys {
			if _, err := c.Put(ctx, bucket, key, []byte(key), putOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		loud, quiet := oddKeys[:6], oddKeys[6:]
		deleted, err := c.DeleteMany(ctx, bucket, append(slices.Clone(loud), "never-existed"), false)
		if err != nil {
			t.Fatalf("DeleteMultipleObjects: %v", err)
		}
		if got, want := slices.Sorted(slices.Values(deleted)), slices.Sorted(slices.Values(append(slices.Clone(loud), "never-existed"))); !slices.Equal(got, want) {
			t.Errorf("DeleteMultipleObjects reported %q, want %q", got, want)
		}
		deleted, err = c.DeleteMany(ctx, bucket, quiet, true)
		if err != nil || len(deleted) != 0 {
			t.Fatalf("DeleteMultipleObjects quiet = %q, %v; want nothing reported", deleted, err)
		}
		page, err := c.List(ctx, bucket, listQuery{})
		if err != nil || len(page.Objects) != 0 {
			t.Errorf("ListObjects after deleting everything = %q, %v", keysOf(page.Objects), err)
		}
	})
}

// TestCRCCheckIsOn shows each SDK's download CRC check is live: when the
// server's CRC-64 is wrong, the read fails.
func TestCRCCheckIsOn(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		if err := c.CreateBucket(ctx, "crc", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, "crc", "k", []byte("hi oss"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		f.faults.setCorruptCRC(true)
		_, err := c.Get(ctx, "crc", "k")
		if _, _, isService := serviceErr(err); err == nil || isService {
			t.Errorf("GetObject with a wrong CRC-64: err = %v, want the SDK's CRC mismatch", err)
		}
		if _, ok := errors.AsType[v1.CRCCheckError](err); v.sdk == 1 && !ok {
			t.Errorf("GetObject with a wrong CRC-64: err = %v (%T), want a v1 CRCCheckError", err, err)
		}
		// The v2 SDK reports the mismatch as an untyped error.
		f.faults.setCorruptCRC(false)
		got, err := c.Get(ctx, "crc", "k")
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "GetObject", got, []byte("hi oss"))
	})
}

func keysOf(objs []object) []string {
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}
