package oss_test

import (
	"errors"
	"slices"
	"testing"

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
