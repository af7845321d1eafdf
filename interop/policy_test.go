package interop

import (
	"context"
	"net/http"
	"strings"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// putBucketPolicy, getBucketPolicy and deleteBucketPolicy call the bucket
// policy operations through c.
func putBucketPolicy(ctx context.Context, c sdkClient, bucket, doc string) error {
	switch c := c.(type) {
	case *v1Client:
		return c.c.SetBucketPolicy(bucket, doc, v1.WithContext(ctx))
	case *v2Client:
		_, err := c.c.PutBucketPolicy(ctx, &v2.PutBucketPolicyRequest{Bucket: v2.Ptr(bucket), Body: strings.NewReader(doc)})
		return err
	}
	panic("unknown SDK client")
}

func getBucketPolicy(ctx context.Context, c sdkClient, bucket string) (string, error) {
	switch c := c.(type) {
	case *v1Client:
		return c.c.GetBucketPolicy(bucket, v1.WithContext(ctx))
	case *v2Client:
		res, err := c.c.GetBucketPolicy(ctx, &v2.GetBucketPolicyRequest{Bucket: v2.Ptr(bucket)})
		if err != nil {
			return "", err
		}
		return res.Body, nil
	}
	panic("unknown SDK client")
}

func deleteBucketPolicy(ctx context.Context, c sdkClient, bucket string) error {
	switch c := c.(type) {
	case *v1Client:
		return c.c.DeleteBucketPolicy(bucket, v1.WithContext(ctx))
	case *v2Client:
		_, err := c.c.DeleteBucketPolicy(ctx, &v2.DeleteBucketPolicyRequest{Bucket: v2.Ptr(bucket)})
		return err
	}
	panic("unknown SDK client")
}

// TestBucketPolicy puts, reads and deletes a bucket policy through both
// SDKs (V1 and V4), and checks that the server enforces it: a Deny of
// oss:GetObject refuses anonymous GETs of a public-read object.
func TestBucketPolicy(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "with-policy"
		if err := c.CreateBucket(ctx, bucket, "public-read"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, bucket, "doc", []byte("document"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		anonGet := func() int {
			t.Helper()
			req, _ := http.NewRequestWithContext(ctx, "GET", f.url+"/"+bucket+"/doc", nil)
			req.Header.Set(probeHeader, "policy")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		_, err := getBucketPolicy(ctx, c, bucket)
		wantCode(t, "GetBucketPolicy before any", err, 404, "NoSuchBucketPolicy")
		if got := anonGet(); got != 200 {
			t.Fatalf("anonymous GET without a policy: %d", got)
		}
		doc := `{
  "Version": "1",
  "Statement": [{
    "Effect": "Deny",
    "Action": ["oss:GetObject"],
    "Principal": ["*"],
    "Resource": ["acs:oss:*:*:` + bucket + `/*"]
  }]
}`
		if err := putBucketPolicy(ctx, c, bucket, doc); err != nil {
			t.Fatal(err)
		}
		if got, err := getBucketPolicy(ctx, c, bucket); err != nil || got != doc {
			t.Fatalf("GetBucketPolicy = %q, %v; want the document as put", got, err)
		}
		if got := anonGet(); got != http.StatusForbidden {
			t.Errorf("anonymous GET under a Deny: %d, want 403", got)
		}
		// The owner is not subject to a bare "*".
		if got, err := c.Get(ctx, bucket, "doc"); err != nil || string(got) != "document" {
			t.Errorf("owner GET under a Deny for *: %q, %v", got, err)
		}
		err = putBucketPolicy(ctx, c, bucket, strings.Replace(doc, `"1"`, `"2"`, 1))
		wantCode(t, "PutBucketPolicy with Version 2", err, 400, "InvalidPolicyDocument")
		if err := deleteBucketPolicy(ctx, c, bucket); err != nil {
			t.Fatal(err)
		}
		_, err = getBucketPolicy(ctx, c, bucket)
		wantCode(t, "GetBucketPolicy after delete", err, 404, "NoSuchBucketPolicy")
		if got := anonGet(); got != 200 {
			t.Errorf("anonymous GET once the policy is gone: %d", got)
		}
	})
}
