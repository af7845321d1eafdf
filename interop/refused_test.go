package interop

import (
	"net/http"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestUnimplementedIsRefused calls SDK operations the server does not
// implement. Each must fail with 501 NotImplemented and change nothing:
// treated as the plain operation of its method, PutObjectAcl would empty
// the object and DeleteBucketCors would delete the bucket.
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
			b := c.(*v1Client).bucket(bucket)
			cl := c.(*v1Client).c
			calls["SetObjectACL"] = func() error { return b.SetObjectACL(key, v1.ACLPublicRead) }
			calls["PutObjectTagging"] = func() error { return b.PutObjectTagging(key, v1.Tagging{Tags: []v1.Tag{{Key: "k", Value: "v"}}}) }
			calls["DeleteObjectTagging"] = func() error { return b.DeleteObjectTagging(key) }
			calls["DeleteBucketCORS"] = func() error { return cl.DeleteBucketCORS(bucket) }
			calls["DeleteBucketLogging"] = func() error { return cl.DeleteBucketLogging(bucket) }
		} else {
			cl := c.(*v2Client).c
			// 501 is a 5xx, which the v2 SDK retries with backoff: once is enough.
			once := func(o *v2.Options) { o.RetryMaxAttempts = v2.Ptr(1) }
			calls["PutObjectAcl"] = func() error {
				_, err := cl.PutObjectAcl(ctx, &v2.PutObjectAclRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), Acl: v2.ObjectACLPublicRead}, once)
				return err
			}
			calls["DeleteObjectTagging"] = func() error {
				_, err := cl.DeleteObjectTagging(ctx, &v2.DeleteObjectTaggingRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key)}, once)
				return err
			}
			calls["DeleteBucketCors"] = func() error {
				_, err := cl.DeleteBucketCors(ctx, &v2.DeleteBucketCorsRequest{Bucket: v2.Ptr(bucket)}, once)
				return err
			}
			calls["DeleteBucketLogging"] = func() error {
				_, err := cl.DeleteBucketLogging(ctx, &v2.DeleteBucketLoggingRequest{Bucket: v2.Ptr(bucket)}, once)
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
		// With the bucket empty, DeleteBucketCors must still not delete it.
		name := "DeleteBucketCORS"
		if v.sdk == 2 {
			name = "DeleteBucketCors"
		}
		wantCode(t, name+" on an empty bucket", calls[name](), http.StatusNotImplemented, "NotImplemented")
		if ok, err := c.BucketExists(ctx, bucket); !ok || err != nil {
			t.Errorf("IsBucketExist after refused calls = %v, %v", ok, err)
		}
	})
}
