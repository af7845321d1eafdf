package interop

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		buckets := []struct{ name, acl string }{
			{"photos", "private"},
			{"photos-2024", "public-read"},
			{"photos-archive", "public-read-write"},
			{"music", "private"},
		}
		for _, b := range buckets {
			if err := c.CreateBucket(ctx, b.name, b.acl); err != nil {
				t.Fatalf("CreateBucket %s: %v", b.name, err)
			}
		}

		for _, tc := range []struct {
			bucket string
			want   bool
		}{
			{"photos", true}, {"music", true}, {"photo", false}, {"photos-20", false}, {"video", false},
		} {
			got, err := c.BucketExists(ctx, tc.bucket)
			if err != nil || got != tc.want {
				t.Errorf("IsBucketExist(%q) = %v, %v; want %v", tc.bucket, got, err, tc.want)
			}
		}

		for _, b := range buckets {
			info, err := c.BucketInfo(ctx, b.name)
			if err != nil {
				t.Fatalf("GetBucketInfo %s: %v", b.name, err)
			}
			if info.Name != b.name || info.ACL != b.acl || info.Location != "oss-"+region ||
				info.StorageClass != "Standard" || info.Redundancy != "LRS" {
				t.Errorf("GetBucketInfo %s = %+v", b.name, info)
			}
			if age := time.Since(info.Created); age < 0 || age > time.Hour {
				t.Errorf("GetBucketInfo %s: CreationDate %v", b.name, info.Created)
			}
			acl, err := c.BucketACL(ctx, b.name)
			if err != nil || acl != b.acl {
				t.Errorf("GetBucketAcl %s = %q, %v; want %q", b.name, acl, err, b.acl)
			}
			loc, err := c.BucketLocation(ctx, b.name)
			if err != nil || loc != "oss-"+region {
				t.Errorf("GetBucketLocation %s = %q, %v", b.name, loc, err)
			}
		}

		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"", []string{"music", "photos", "photos-2024", "photos-archive"}},
			{"photos-", []string{"photos-2024", "photos-archive"}},
			{"x", nil},
		} {
			got, err := c.ListBuckets(ctx, tc.prefix)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ListBuckets(prefix %q) = %q, %v; want %q", tc.prefix, got, err, tc.want)
			}
		}

		_, err := c.BucketInfo(ctx, "video")
		wantCode(t, "GetBucketInfo of a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
		if _, err := c.Put(ctx, "photos", "cat.jpg", []byte("meow"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "DeleteBucket with an object", c.DeleteBucket(ctx, "photos"), http.StatusConflict, "BucketNotEmpty")
		if err := c.Delete(ctx, "photos", "cat.jpg"); err != nil {
			t.Fatal(err)
		}
		id, err := c.Initiate(ctx, "photos", "big.bin", putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "DeleteBucket with an upload", c.DeleteBucket(ctx, "photos"), http.StatusConflict, "BucketNotEmpty")
		if err := c.Abort(ctx, "photos", "big.bin", id); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteBucket(ctx, "photos"); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		if ok, err := c.BucketExists(ctx, "photos"); ok || err != nil {
			t.Errorf("IsBucketExist after delete = %v, %v", ok, err)
		}
		wantCode(t, "DeleteBucket twice", c.DeleteBucket(ctx, "photos"), http.StatusNotFound, "NoSuchBucket")
		got, err := c.ListBuckets(ctx, "")
		if want := []string{"music", "photos-2024", "photos-archive"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("ListBuckets after delete = %q, %v; want %q", got, err, want)
		}
	})
}
