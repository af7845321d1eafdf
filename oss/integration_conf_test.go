package oss_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func TestIntegrationObjectACL(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		e.put("k", []byte("data"), oss.ObjectMetadata{})
		get := func() string {
			t.Helper()
			res, err := e.Client.GetObjectACL(ctx, &oss.GetObjectACLRequest{Bucket: e.Bucket, Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Owner.ID == "" {
				t.Errorf("no owner in %+v", *res)
			}
			return res.ACL
		}
		if got := get(); got != oss.ACLDefault {
			t.Errorf("new object's ACL %q, want default", got)
		}
		for _, acl := range []string{oss.ACLPublicRead, oss.ACLPrivate, oss.ACLPublicReadWrite, oss.ACLDefault} {
			if _, err := e.Client.PutObjectACL(ctx, &oss.PutObjectACLRequest{Bucket: e.Bucket, Key: "k", ACL: acl}); err != nil {
				t.Fatal(err)
			}
			if got := get(); got != acl {
				t.Errorf("ACL %q after setting %q", got, acl)
			}
		}
		if data, _ := e.get("k"); string(data) != "data" {
			t.Errorf("object reads %q after ACL changes", data)
		}
		_, err := e.Client.PutObjectACL(ctx, &oss.PutObjectACLRequest{Bucket: e.Bucket, Key: "missing", ACL: oss.ACLPrivate})
		serviceError(t, err, oss.ErrNoSuchKey)
	})
}

func TestIntegrationBucketACL(t *testing.T) {
	e := combo{}.start(t, osstest.Options{})
	ctx := t.Context()
	for _, acl := range []string{oss.ACLPublicRead, oss.ACLPublicReadWrite, oss.ACLPrivate} {
		if _, err := e.Client.PutBucketACL(ctx, &oss.PutBucketACLRequest{Bucket: e.Bucket, ACL: acl}); err != nil {
			t.Fatal(err)
		}
		res, err := e.Client.GetBucketACL(ctx, &oss.GetBucketACLRequest{Bucket: e.Bucket})
		if err != nil {
			t.Fatal(err)
		}
		if res.ACL != acl || res.Owner.ID == "" {
			t.Errorf("bucket ACL %+v after setting %q", *res, acl)
		}
	}
	_, err := e.Client.GetBucketACL(ctx, &oss.GetBucketACLRequest{Bucket: "no-such-bucket"})
	serviceError(t, err, oss.ErrNoSuchBucket)
}

func TestIntegrationBucketLifecycle(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		_, err := e.Client.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: e.Bucket})
		serviceError(t, err, oss.ErrNoSuchLifecycle)

		days, later := 3, 60
		rules := []oss.LifecycleRule{
			{ID: "abort-tmp", Prefix: "tmp/", Status: oss.LifecycleRuleEnabled, AbortMultipartUpload: &oss.LifecycleAbortMultipartUpload{Days: &days}},
			{ID: "abort-old", Prefix: "old/", Status: oss.LifecycleRuleDisabled, AbortMultipartUpload: &oss.LifecycleAbortMultipartUpload{CreatedBeforeDate: "2024-01-01T00:00:00.000Z"}},
			{
				ID: "logs", Prefix: "logs/", Status: oss.LifecycleRuleEnabled,
				Tags:        []oss.Tag{{Key: "kind", Value: "log"}},
				Filter:      &oss.LifecycleFilter{Not: []oss.LifecycleNot{{Prefix: "logs/keep/", Tag: &oss.Tag{Key: "keep", Value: "yes"}}}},
				Expiration:  &oss.LifecycleExpiration{Days: &later},
				Transitions: []oss.LifecycleTransition{{Days: &days, StorageClass: "IA"}, {CreatedBeforeDate: "2024-06-01T00:00:00.000Z", StorageClass: "Archive"}},
			},
		}
		if _, err := e.Client.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: e.Bucket, Rules: rules}); err != nil {
			t.Fatal(err)
		}
		got, err := e.Client.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: e.Bucket})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Rules, rules) {
			t.Errorf("rules read back\n%+v\nwant\n%+v", got.Rules, rules)
		}
		// What was read back can be put back.
		if _, err := e.Client.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: e.Bucket, Rules: got.Rules}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Client.DeleteBucketLifecycle(ctx, &oss.DeleteBucketLifecycleRequest{Bucket: e.Bucket}); err != nil {
			t.Fatal(err)
		}
		_, err = e.Client.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: e.Bucket})
		serviceError(t, err, oss.ErrNoSuchLifecycle)
	})
}

// TestIntegrationLifecycleRefused checks that a service that does not
// implement an action says so at once rather than storing a rule it will
// not apply (ossup's server records no access times, so it cannot move
// objects by their last access), and that the version rules it applies
// round-trip.
func TestIntegrationLifecycleRefused(t *testing.T) {
	e := combo{}.start(t, osstest.Options{})
	ctx := t.Context()
	days, yes := 30, true
	_, err := e.Client.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: e.Bucket, Rules: []oss.LifecycleRule{
		{ID: "by-access", Prefix: "logs/", Status: oss.LifecycleRuleEnabled,
			Transitions: []oss.LifecycleTransition{{Days: &days, StorageClass: "IA", IsAccessTime: &yes}}},
	}})
	if _, ok := errors.AsType[*oss.ServiceError](err); !ok {
		t.Fatalf("err = %v, want a *ServiceError refusing the rule", err)
	}
	t.Log(err)
	rules := []oss.LifecycleRule{{ID: "versions", Prefix: "logs/", Status: oss.LifecycleRuleEnabled,
		NoncurrentVersionExpiration:  &oss.NoncurrentVersionExpiration{NoncurrentDays: 5},
		NoncurrentVersionTransitions: []oss.NoncurrentVersionTransition{{NoncurrentDays: 2, StorageClass: "IA"}}}}
	if _, err := e.Client.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: e.Bucket, Rules: rules}); err != nil {
		t.Fatal(err)
	}
	got, err := e.Client.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: e.Bucket})
	if err != nil || len(got.Rules) != 1 || got.Rules[0].NoncurrentVersionExpiration == nil || got.Rules[0].NoncurrentVersionExpiration.NoncurrentDays != 5 ||
		len(got.Rules[0].NoncurrentVersionTransitions) != 1 || got.Rules[0].NoncurrentVersionTransitions[0].StorageClass != "IA" {
		t.Fatalf("rules read back: %+v, %v", got, err)
	}
}

func TestIntegrationBucketCors(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		_, err := e.Client.GetBucketCors(ctx, &oss.GetBucketCorsRequest{Bucket: e.Bucket})
		serviceError(t, err, oss.ErrNoSuchCORSConfiguration)

		maxAge, vary := int64(600), true
		rules := []oss.CORSRule{
			{AllowedOrigins: []string{"https://app.example.com", "https://*.example.net"}, AllowedMethods: []string{"GET", "PUT"},
				AllowedHeaders: []string{"authorization", "x-oss-*"}, ExposeHeaders: []string{"ETag", "x-oss-request-id"}, MaxAgeSeconds: &maxAge},
			{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
		}
		if _, err := e.Client.PutBucketCors(ctx, &oss.PutBucketCorsRequest{Bucket: e.Bucket, Rules: rules, ResponseVary: &vary}); err != nil {
			t.Fatal(err)
		}
		got, err := e.Client.GetBucketCors(ctx, &oss.GetBucketCorsRequest{Bucket: e.Bucket})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Rules, rules) || got.ResponseVary == nil || !*got.ResponseVary {
			t.Errorf("read back rules %+v, vary %v; want %+v, true", got.Rules, got.ResponseVary, rules)
		}
		if _, err := e.Client.DeleteBucketCors(ctx, &oss.DeleteBucketCorsRequest{Bucket: e.Bucket}); err != nil {
			t.Fatal(err)
		}
		_, err = e.Client.GetBucketCors(ctx, &oss.GetBucketCorsRequest{Bucket: e.Bucket})
		serviceError(t, err, oss.ErrNoSuchCORSConfiguration)
	})
}
