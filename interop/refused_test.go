package interop

import (
	"net/http"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestUnimplementedIsRefused calls SDK operations the server does not
// implement. Each must fail with 501 NotImplemented and change nothing:
// treated as the plain operation of its method, DeleteBucketEncryption
// or AbortBucketWorm would delete the bucket.
func TestUnimplementedIsRefused(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "refused", "precious"
		data := []byte("precious data")
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		calls := map[string]func() error{}
		if v.sdk == 1 {
			cl := c.(*v1Client).c
			calls["GetBucketEncryption"] = func() error { _, err := cl.GetBucketEncryption(bucket); return err }
			calls["DeleteBucketEncryption"] = func() error { return cl.DeleteBucketEncryption(bucket) }
			calls["GetBucketWorm"] = func() error { _, err := cl.GetBucketWorm(bucket); return err }
			calls["AbortBucketWorm"] = func() error { return cl.AbortBucketWorm(bucket) }
		} else {
			cl := c.(*v2Client).c
			// 501 is a 5xx, which the v2 SDK retries with backoff: once is enough.
			once := func(o *v2.Options) { o.RetryMaxAttempts = v2.Ptr(1) }
			calls["GetBucketEncryption"] = func() error {
				_, err := cl.GetBucketEncryption(ctx, &v2.GetBucketEncryptionRequest{Bucket: v2.Ptr(bucket)}, once)
				return err
			}
			calls["DeleteBucketEncryption"] = func() error {
				_, err := cl.DeleteBucketEncryption(ctx, &v2.DeleteBucketEncryptionRequest{Bucket: v2.Ptr(bucket)}, once)
				return err
			}
			calls["GetBucketWorm"] = func() error {
				_, err := cl.GetBucketWorm(ctx, &v2.GetBucketWormRequest{Bucket: v2.Ptr(bucket)}, once)
				return err
			}
			calls["AbortBucketWorm"] = func() error {
				_, err := cl.AbortBucketWorm(ctx, &v2.AbortBucketWormRequest{Bucket: v2.Ptr(bucket)}, once)
				return err
			}
		}
		for name, call := range calls {
			wantCode(t, name, call(), http.StatusNotImplemented, "NotImplemented")
		}
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object after refused calls", got, data)
		if err := c.Delete(ctx, bucket, key); err != nil {
			t.Fatal(err)
		}
		// With the bucket empty, AbortBucketWorm must still not delete it.
		wantCode(t, "AbortBucketWorm on an empty bucket", calls["AbortBucketWorm"](), http.StatusNotImplemented, "NotImplemented")
		if ok, err := c.BucketExists(ctx, bucket); !ok || err != nil {
			t.Errorf("IsBucketExist after refused calls = %v, %v", ok, err)
		}
	})
}

// TestObjectACL sets an object's ACL through each SDK, reads it back, and
// checks that it is enforced: a public-read object in a private bucket is
// readable without a signature.
func TestObjectACL(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "objacl", "shared"
		data := []byte("shared data")
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		anon := func() int {
			req, err := http.NewRequest(http.MethodGet, f.url+"/"+bucket+"/"+key, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(probeHeader, "anonymous")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := anon(); got != http.StatusForbidden {
			t.Fatalf("anonymous read of a private object: %d", got)
		}
		var acl string
		if v.sdk == 1 {
			b := c.(*v1Client).bucket(bucket)
			if err := b.SetObjectACL(key, v1.ACLPublicRead); err != nil {
				t.Fatal(err)
			}
			res, err := b.GetObjectACL(key)
			if err != nil {
				t.Fatal(err)
			}
			acl = res.ACL
		} else {
			cl := c.(*v2Client).c
			if _, err := cl.PutObjectAcl(ctx, &v2.PutObjectAclRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), Acl: v2.ObjectACLPublicRead}); err != nil {
				t.Fatal(err)
			}
			res, err := cl.GetObjectAcl(ctx, &v2.GetObjectAclRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			acl = v2.ToString(res.ACL)
		}
		if acl != "public-read" {
			t.Errorf("object ACL read back as %q", acl)
		}
		if got := anon(); got != http.StatusOK {
			t.Errorf("anonymous read of a public-read object: %d", got)
		}
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object after PutObjectAcl", got, data)
	})
}
