package interop

import (
	"fmt"
	"slices"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestListVersionsCleanup does what SDK-based test harnesses do after
// each test: list every version of a bucket, a page at a time, and delete
// them by key and version id. Every object is its null version here.
func TestListVersionsCleanup(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "versions-cleanup"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for i := range 7 {
			k := fmt.Sprintf("dir/obj-%d", i)
			if _, err := c.Put(ctx, bucket, k, []byte(k), putOptions{}); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		var listed []string
		switch c := c.(type) {
		case *v1Client:
			b := c.bucket(bucket)
			var opts []v1.Option
			for {
				res, err := b.ListObjectVersions(append(opts, v1.MaxKeys(3), v1.WithContext(ctx))...)
				if err != nil {
					t.Fatal(err)
				}
				var del []v1.DeleteObject
				for _, ov := range res.ObjectVersions {
					if ov.VersionId != "null" || !ov.IsLatest {
						t.Errorf("version %+v", ov)
					}
					listed = append(listed, ov.Key)
					del = append(del, v1.DeleteObject{Key: ov.Key, VersionId: ov.VersionId})
				}
				if len(del) > 0 {
					if _, err := b.DeleteObjectVersions(del, v1.WithContext(ctx)); err != nil {
						t.Fatal(err)
					}
				}
				if !res.IsTruncated {
					break
				}
				opts = []v1.Option{v1.KeyMarker(res.NextKeyMarker), v1.VersionIdMarker(res.NextVersionIdMarker)}
			}
		case *v2Client:
			p := c.c.NewListObjectVersionsPaginator(&v2.ListObjectVersionsRequest{Bucket: v2.Ptr(bucket), MaxKeys: 3})
			var del []v2.DeleteObject
			for p.HasNext() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, ov := range page.ObjectVersions {
					if v2.ToString(ov.VersionId) != "null" || !ov.IsLatest {
						t.Errorf("version %+v", ov)
					}
					listed = append(listed, v2.ToString(ov.Key))
					del = append(del, v2.DeleteObject{Key: ov.Key, VersionId: ov.VersionId})
				}
			}
			if _, err := c.c.DeleteMultipleObjects(ctx, &v2.DeleteMultipleObjectsRequest{Bucket: v2.Ptr(bucket), Objects: del}); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(listed, keys) {
			t.Errorf("versions listed %v, want %v", listed, keys)
		}
		for _, k := range keys {
			if _, err := c.Head(ctx, bucket, k); err == nil {
				t.Errorf("%s is still there", k)
			}
		}
	})
}
