package interop

import (
	"maps"
	"testing"
)

// TestListObjectType checks that ListObjects and ListObjectsV2 report each
// object's Type, and HEAD its x-oss-object-type, for every kind of object.
func TestListObjectType(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "types"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(2*minPart+3, 61)
		if _, err := c.Put(ctx, bucket, "kinds/normal", data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		putMultipart(t, c, bucket, "kinds/multipart", data, minPart, putOptions{})
		if _, err := appendObject(ctx, c, bucket, "kinds/appendable", 0, data, 0, putOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := putSymlink(ctx, c, bucket, "kinds/symlink", "kinds/normal", nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := copyObject(ctx, c, copyRequest{SrcBucket: bucket, SrcKey: "kinds/multipart", Bucket: bucket, Key: "kinds/z copy of multipart"}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"kinds/normal":     "Normal",
			"kinds/multipart":  "Multipart",
			"kinds/appendable": "Appendable",
			"kinds/symlink":    "Symlink",
			// CopyObject shares the source's data and keeps its type (and
			// its multipart ETag).
			"kinds/z copy of multipart": "Multipart",
		}
		for name, list := range map[string]func() (listPage, error){
			"ListObjects":   func() (listPage, error) { return c.List(ctx, bucket, listQuery{Prefix: "kinds/"}) },
			"ListObjectsV2": func() (listPage, error) { return c.ListV2(ctx, bucket, listQuery{Prefix: "kinds/"}) },
		} {
			page, err := list()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got := map[string]string{}
			for _, o := range page.Objects {
				got[o.Key] = o.Type
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: types %q, want %q", name, got, want)
			}
		}
		for key, typ := range want {
			h, err := c.Head(ctx, bucket, key)
			if err != nil {
				t.Fatalf("HeadObject %s: %v", key, err)
			}
			if h.Type != typ {
				t.Errorf("HeadObject %s: x-oss-object-type %q, want %q", key, h.Type, typ)
			}
		}
	})
}
