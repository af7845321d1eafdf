package interop

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// putSymlink is PutSymlink of link to target with user metadata. The v1
// SDK URL-encodes x-oss-symlink-target; the v2 SDK sends it as given.
func putSymlink(ctx context.Context, c sdkClient, bucket, link, target string, meta map[string]string) error {
	switch c := c.(type) {
	case *v1Client:
		opts := []v1.Option{v1.WithContext(ctx)}
		for k, v := range meta {
			opts = append(opts, v1.Meta(k, v))
		}
		return c.bucket(bucket).PutSymlink(link, target, opts...)
	case *v2Client:
		_, err := c.c.PutSymlink(ctx, &v2.PutSymlinkRequest{Bucket: &bucket, Key: &link, Target: &target, Metadata: meta})
		return err
	}
	panic("unknown SDK client")
}

// getSymlink is GetSymlink: the link's target, decoded. The v1 SDK
// decodes x-oss-symlink-target itself; the v2 SDK returns it as received.
func getSymlink(ctx context.Context, c sdkClient, bucket, link string) (string, error) {
	switch c := c.(type) {
	case *v1Client:
		h, err := c.bucket(bucket).GetSymlink(link, v1.WithContext(ctx))
		if err != nil {
			return "", err
		}
		return h.Get("x-oss-symlink-target"), nil
	case *v2Client:
		res, err := c.c.GetSymlink(ctx, &v2.GetSymlinkRequest{Bucket: &bucket, Key: &link})
		if err != nil {
			return "", err
		}
		return url.PathUnescape(v2.ToString(res.Target))
	}
	panic("unknown SDK client")
}

func TestSymlink(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "symlinks"
		const target, link = "目标 dir/my file ü.txt", "links/to it ü"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(100<<10+5, 51)
		if _, err := c.Put(ctx, bucket, target, data, putOptions{ContentType: "text/x-target", Meta: map[string]string{"role": "target"}}); err != nil {
			t.Fatal(err)
		}
		linkMeta := map[string]string{"role": "link"}
		if err := putSymlink(ctx, c, bucket, link, target, linkMeta); err != nil {
			t.Fatalf("PutSymlink: %v", err)
		}
		got, err := getSymlink(ctx, c, bucket, link)
		if err != nil {
			t.Fatalf("GetSymlink: %v", err)
		}
		if got != target {
			t.Errorf("GetSymlink: target %q, want %q", got, target)
		}

		// GET and HEAD through the link: the target's bytes, size, ETag
		// and CRC-64; the link's type and user metadata.
		body, err := c.Get(ctx, bucket, link)
		if err != nil {
			t.Fatalf("GetObject through the link: %v", err)
		}
		sameBytes(t, "GetObject through the link", body, data)
		part, err := c.GetRange(ctx, bucket, link, 1000, 99999)
		if err != nil {
			t.Fatalf("ranged GetObject through the link: %v", err)
		}
		sameBytes(t, "ranged GetObject through the link", part, data[1000:100000])
		h, err := c.Head(ctx, bucket, link)
		if err != nil {
			t.Fatalf("HeadObject of the link: %v", err)
		}
		if h.Type != "Symlink" {
			t.Errorf("HeadObject of the link: x-oss-object-type %q, want Symlink", h.Type)
		}
		if want := `"` + md5Hex(data) + `"`; h.ETag != want || h.Size != int64(len(data)) || h.CRC64 != crc64Of(data) {
			t.Errorf("HeadObject of the link: ETag %s, %d bytes, CRC-64 %s; want the target's %s, %d, %s", h.ETag, h.Size, h.CRC64, want, len(data), crc64Of(data))
		}
		if !maps.Equal(h.Meta, linkMeta) {
			t.Errorf("HeadObject of the link: user metadata %q, want the link's %q", h.Meta, linkMeta)
		}

		// The link follows the target's key, not its data.
		newer := randomData(777, 52)
		if _, err := c.Put(ctx, bucket, target, newer, putOptions{}); err != nil {
			t.Fatal(err)
		}
		if body, err = c.Get(ctx, bucket, link); err != nil {
			t.Fatalf("GetObject through the link after the target changed: %v", err)
		}
		sameBytes(t, "GetObject through the link after the target changed", body, newer)
		if err := c.Delete(ctx, bucket, link); err != nil {
			t.Fatal(err)
		}
		if body, err = c.Get(ctx, bucket, target); err != nil {
			t.Fatalf("GetObject of the target after deleting the link: %v", err)
		}
		sameBytes(t, "target after deleting the link", body, newer)
	})
}

// TestSymlinkErrors checks what OSS answers for a link whose target is
// missing or is itself a link, and GetSymlink of what is not a link.
func TestSymlinkErrors(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "badlinks"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		const dangling, missing = "dangling link", "nowhere/ü missing"
		if err := putSymlink(ctx, c, bucket, dangling, missing, nil); err != nil {
			t.Fatalf("PutSymlink to a missing target: %v", err)
		}
		if got, err := getSymlink(ctx, c, bucket, dangling); err != nil || got != missing {
			t.Errorf("GetSymlink of a dangling link: %q, %v; want %q", got, err, missing)
		}
		_, err := c.Get(ctx, bucket, dangling)
		wantCode(t, "GetObject through a dangling link", err, http.StatusNotFound, "SymlinkTargetNotExist")
		_, err = c.Head(ctx, bucket, dangling)
		wantCode(t, "HeadObject through a dangling link", err, http.StatusNotFound, "SymlinkTargetNotExist")

		const chained = "link to a link"
		if err := putSymlink(ctx, c, bucket, chained, dangling, nil); err != nil {
			t.Fatalf("PutSymlink to a link: %v", err)
		}
		_, err = c.Get(ctx, bucket, chained)
		wantCode(t, "GetObject through a link to a link", err, http.StatusBadRequest, "InvalidTargetType")

		if _, err := c.Put(ctx, bucket, "plain", []byte("plain"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = getSymlink(ctx, c, bucket, "plain")
		wantCode(t, "GetSymlink of a Normal object", err, http.StatusBadRequest, "NotSymlink")
		_, err = getSymlink(ctx, c, bucket, "no such link")
		wantCode(t, "GetSymlink of a missing key", err, http.StatusNotFound, "NoSuchKey")

		// Once the target exists, the dangling link works.
		data := []byte("target at last")
		if _, err := c.Put(ctx, bucket, missing, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, bucket, dangling)
		if err != nil {
			t.Fatalf("GetObject through the link once its target exists: %v", err)
		}
		sameBytes(t, "GetObject through the link once its target exists", got, data)
	})
}

// TestCopySymlink copies a symlink: OSS copies the link itself, not the
// content it points to.
func TestCopySymlink(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, target, link = "copylinks", "target ü", "link ü"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(5000, 53)
		if _, err := c.Put(ctx, bucket, target, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := putSymlink(ctx, c, bucket, link, target, nil); err != nil {
			t.Fatal(err)
		}
		const dup = "copied link"
		if _, _, err := copyObject(ctx, c, copyRequest{SrcBucket: bucket, SrcKey: link, Bucket: bucket, Key: dup}); err != nil {
			t.Fatalf("CopyObject of a symlink: %v", err)
		}
		if got, err := getSymlink(ctx, c, bucket, dup); err != nil || got != target {
			t.Errorf("GetSymlink of the copy: %q, %v; want %q", got, err, target)
		}
		h, err := c.Head(ctx, bucket, dup)
		if err != nil {
			t.Fatal(err)
		}
		if h.Type != "Symlink" {
			t.Errorf("HeadObject of the copy: x-oss-object-type %q, want Symlink", h.Type)
		}
		newer := randomData(300, 54)
		if _, err := c.Put(ctx, bucket, target, newer, putOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, bucket, dup)
		if err != nil {
			t.Fatalf("GetObject through the copied link: %v", err)
		}
		sameBytes(t, "GetObject through the copied link", got, newer)
	})
}
