package interop

import (
	"bytes"
	"io"
	"strings"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestOssutilVersioning drives ossutil's versioning commands against the
// server: bucket-versioning put and get, ls --all-versions, rm (a delete
// marker), revert-versioning (which deletes the marker), restore of an
// Archive object, and rm -r --all-versions, which must leave the bucket
// empty enough to delete.
// Every effect is checked through the v2 SDK.
func TestOssutilVersioning(t *testing.T) {
	bin := ossutilBinary(t)
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "ossutil-versions"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		cl := c.(*v2Client).c
		u := ossutil{bin: bin, dir: t.TempDir(), url: f.url, signature: v.signature}
		oss := func(key string) string { return "oss://" + bucket + "/" + key }

		u.run(t, "bucket-versioning", "--method", "put", "oss://"+bucket, "enabled")
		got, err := cl.GetBucketVersioning(ctx, &v2.GetBucketVersioningRequest{Bucket: v2.Ptr(bucket)})
		if err != nil || v2.ToString(got.VersionStatus) != "Enabled" {
			t.Fatalf("GetBucketVersioning after ossutil enabled it: %+v, %v", got, err)
		}
		if out := u.run(t, "bucket-versioning", "--method", "get", "oss://"+bucket); !bytes.Contains(out, []byte("Enabled")) {
			t.Errorf("bucket-versioning --method get does not say Enabled:\n%s", out)
		}

		bodies := [][]byte{randomData(5000, 81), randomData(7000, 82)}
		var ids []string
		for _, b := range bodies {
			res, err := cl.PutObject(ctx, &v2.PutObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("doc"), Body: bytes.NewReader(b)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v2.ToString(res.VersionId))
		}
		out := u.run(t, "ls", "oss://"+bucket, "--all-versions")
		for _, id := range ids {
			if !bytes.Contains(out, []byte(id)) {
				t.Errorf("ls --all-versions does not list version %s:\n%s", id, out)
			}
		}

		// rm puts a delete marker; revert-versioning removes it.
		u.run(t, "rm", oss("doc"), "-f")
		if _, err := c.Get(ctx, bucket, "doc"); err == nil {
			t.Fatal("GET after ossutil rm in a versioned bucket succeeded")
		}
		u.run(t, "revert-versioning", oss("doc"))
		data, err := c.Get(ctx, bucket, "doc")
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object after revert-versioning", data, bodies[1])
		old, err := cl.GetObject(ctx, &v2.GetObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("doc"), VersionId: v2.Ptr(ids[0])})
		if err != nil {
			t.Fatal(err)
		}
		first, err := io.ReadAll(old.Body)
		old.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "first version after revert-versioning", first, bodies[0])

		// restore of an Archive object starts its restore.
		cold := randomData(3000, 83)
		if _, err := cl.PutObject(ctx, &v2.PutObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("cold"), Body: bytes.NewReader(cold),
			StorageClass: v2.StorageClassArchive}); err != nil {
			t.Fatal(err)
		}
		u.run(t, "restore", oss("cold"))
		h, err := cl.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("cold")})
		if err != nil || !strings.Contains(v2.ToString(h.Restore), "ongoing-request") {
			t.Fatalf("HEAD after ossutil restore: x-oss-restore %q, %v", v2.ToString(h.Restore), err)
		}

		u.run(t, "rm", "oss://"+bucket, "-r", "--all-versions", "-f")
		vs, err := cl.ListObjectVersions(ctx, &v2.ListObjectVersionsRequest{Bucket: v2.Ptr(bucket)})
		if err != nil || len(vs.ObjectVersions)+len(vs.ObjectDeleteMarkers) != 0 {
			t.Fatalf("versions left after rm -r --all-versions: %+v, %v", vs, err)
		}
		if _, err := cl.DeleteBucket(ctx, &v2.DeleteBucketRequest{Bucket: v2.Ptr(bucket)}); err != nil {
			t.Fatalf("DeleteBucket after every version was removed: %v", err)
		}
	})
}
