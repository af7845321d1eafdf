package oss_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// TestBucketTags puts, reads and deletes a bucket's tags through the
// client, and lists buckets by tag.
func TestBucketTags(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c := env.Client
	if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: "untagged"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: env.Bucket, Tags: []oss.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "storage"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: env.Bucket})
	if err != nil || !slices.Equal(got.Tags, []oss.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "storage"}}) {
		t.Fatalf("GetBucketTags = %+v, %v", got, err)
	}
	var names []string
	for page, err := range c.ListBuckets(ctx, &oss.ListBucketsRequest{TagKey: "env", TagValue: "prod"}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Buckets {
			names = append(names, b.Name)
		}
	}
	if !slices.Equal(names, []string{env.Bucket}) {
		t.Errorf("buckets tagged env=prod: %v", names)
	}
	if _, err := c.DeleteBucketTags(ctx, &oss.DeleteBucketTagsRequest{Bucket: env.Bucket, Keys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: env.Bucket}); err != nil || !slices.Equal(got.Tags, []oss.Tag{{Key: "env", Value: "prod"}}) {
		t.Errorf("after deleting team: %+v, %v", got, err)
	}
	if _, err := c.DeleteBucketTags(ctx, &oss.DeleteBucketTagsRequest{Bucket: env.Bucket}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: env.Bucket}); err != nil || len(got.Tags) != 0 {
		t.Errorf("after deleting all: %+v, %v", got, err)
	}
	_, err = c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: env.Bucket, Tags: []oss.Tag{{Key: "aliyun-reserved", Value: "x"}}})
	if se, ok := errors.AsType[*oss.ServiceError](err); !ok || se.Code != "InvalidTag" {
		t.Errorf("a reserved key: %v", err)
	}
	if _, err := c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: env.Bucket}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("no tags: %v", err)
	}
}

// TestBucketStat counts objects by storage class and the parts of an
// upload in progress.
func TestBucketStat(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c := env.Client
	put := func(key string, n int, class string) {
		t.Helper()
		if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: bytes.NewReader(make([]byte, n)), Size: int64(n), ObjectMetadata: oss.ObjectMetadata{StorageClass: class}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", 1000, "")
	put("b", 50_000, "Standard")
	put("c", 7, "IA")
	put("d", 3, "Archive")
	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: env.Bucket, Key: "mp"})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		if _, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: env.Bucket, Key: "mp", UploadID: up.UploadID, PartNumber: n, Body: bytes.NewReader(make([]byte, 200)), Size: 200}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.GetBucketStat(ctx, &oss.GetBucketStatRequest{Bucket: env.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	want := oss.GetBucketStatResult{Storage: 51_010 + 400, ObjectCount: 4, MultipartUploadCount: 1, MultipartPartCount: 2,
		StandardStorage: 51_000, StandardObjectCount: 2, IAStorage: 7, IAObjectCount: 1, ArchiveStorage: 3, ArchiveObjectCount: 1}
	st.RequestID, want.LastModified = "", st.LastModified
	if *st != want {
		t.Errorf("GetBucketStat = %+v\nwant %+v", *st, want)
	}
	if time.Since(st.LastModified) > time.Minute {
		t.Errorf("LastModified %v", st.LastModified)
	}
}

// TestBucketReferer sets hotlink protection through the client and reads
// it back; an anonymous GET from another Referer is refused.
func TestBucketReferer(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c := env.Client
	if _, err := c.PutBucketACL(ctx, &oss.PutBucketACLRequest{Bucket: env.Bucket, ACL: "public-read"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "k", Body: bytes.NewReader([]byte("v")), Size: 1}); err != nil {
		t.Fatal(err)
	}
	no := false
	if _, err := c.PutBucketReferer(ctx, &oss.PutBucketRefererRequest{Bucket: env.Bucket, Config: oss.RefererConfig{
		Allow: []string{"https://ok.example.com"}, Deny: []string{"https://ok.example.com/private"}, TruncateQuery: &no}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketReferer(ctx, &oss.GetBucketRefererRequest{Bucket: env.Bucket})
	if err != nil || got.Config.AllowEmpty || !slices.Equal(got.Config.Allow, []string{"https://ok.example.com"}) ||
		!slices.Equal(got.Config.Deny, []string{"https://ok.example.com/private"}) || got.Config.TruncateQuery == nil || *got.Config.TruncateQuery {
		t.Fatalf("GetBucketReferer = %+v, %v", got, err)
	}
	for ref, want := range map[string]int{"https://ok.example.com/x": 200, "https://no.example.com/": 403, "https://ok.example.com/private/1": 403} {
		req, _ := http.NewRequest("GET", env.HTTP.URL+"/"+env.Bucket+"/k", nil)
		req.Header.Set("Referer", ref)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("anonymous GET from %s: %d, want %d", ref, resp.StatusCode, want)
		}
	}
}
