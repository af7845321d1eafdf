package oss_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// TestBucketPolicy puts, reads and deletes a bucket policy through the
// client, and sees it enforced on an anonymous read.
func TestBucketPolicy(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c := env.Client
	_, err := c.GetBucketPolicy(ctx, &oss.GetBucketPolicyRequest{Bucket: env.Bucket})
	serviceError(t, err, oss.ErrNoSuchBucketPolicy)

	if _, err := c.PutBucketACL(ctx, &oss.PutBucketACLRequest{Bucket: env.Bucket, ACL: oss.ACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "k", Body: bytes.NewReader([]byte("v")), Size: 1}); err != nil {
		t.Fatal(err)
	}
	anonGet := func() int {
		t.Helper()
		resp, err := http.Get(env.HTTP.URL + "/" + env.Bucket + "/k")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := anonGet(); got != http.StatusOK {
		t.Fatalf("anonymous read of a public-read object: %d", got)
	}
	doc := `{"Version":"1","Statement":[{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:` + env.Bucket + `/*"]}]}`
	if _, err := c.PutBucketPolicy(ctx, &oss.PutBucketPolicyRequest{Bucket: env.Bucket, Policy: doc}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketPolicy(ctx, &oss.GetBucketPolicyRequest{Bucket: env.Bucket})
	if err != nil || got.Policy != doc || got.RequestID == "" {
		t.Fatalf("GetBucketPolicy = %+v, %v", got, err)
	}
	if got := anonGet(); got != http.StatusForbidden {
		t.Errorf("anonymous read under a Deny: %d", got)
	}
	_, err = c.PutBucketPolicy(ctx, &oss.PutBucketPolicyRequest{Bucket: env.Bucket, Policy: strings.Replace(doc, "Deny", "Refuse", 1)})
	serviceError(t, err, oss.ErrInvalidPolicyDocument)
	if _, err := c.DeleteBucketPolicy(ctx, &oss.DeleteBucketPolicyRequest{Bucket: env.Bucket}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketPolicy(ctx, &oss.GetBucketPolicyRequest{Bucket: env.Bucket})
	serviceError(t, err, oss.ErrNoSuchBucketPolicy)
	if got := anonGet(); got != http.StatusOK {
		t.Errorf("anonymous read once the policy is gone: %d", got)
	}
	for name, err := range map[string]error{
		"no policy": func() error {
			_, err := c.PutBucketPolicy(ctx, &oss.PutBucketPolicyRequest{Bucket: env.Bucket})
			return err
		}(),
		"too large": func() error {
			_, err := c.PutBucketPolicy(ctx, &oss.PutBucketPolicyRequest{Bucket: env.Bucket, Policy: strings.Repeat(" ", oss.MaxBucketPolicySize+1)})
			return err
		}(),
		"no bucket":  func() error { _, err := c.GetBucketPolicy(ctx, &oss.GetBucketPolicyRequest{}); return err }(),
		"no bucket2": func() error { _, err := c.DeleteBucketPolicy(ctx, &oss.DeleteBucketPolicyRequest{}); return err }(),
	} {
		if !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
