package interop

import (
	"context"
	"net/http"
	"slices"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// lifecycleRule is a rule with the AbortMultipartUpload action, the one
// the server implements; expire adds an Expiration action, which it
// refuses.
type lifecycleRule struct {
	ID, Prefix    string
	Enabled       bool
	Days          int
	CreatedBefore string // 2006-01-02T00:00:00.000Z
	expire        bool
}

// lifecycleClient is what TestLifecycle asks of an SDK: its own
// PutBucketLifecycle, GetBucketLifecycle and DeleteBucketLifecycle calls.
type lifecycleClient interface {
	PutLifecycle(ctx context.Context, bucket string, rules []lifecycleRule) error
	GetLifecycle(ctx context.Context, bucket string) ([]lifecycleRule, error)
	DeleteLifecycle(ctx context.Context, bucket string) error
}

var (
	_ lifecycleClient = (*v1Client)(nil)
	_ lifecycleClient = (*v2Client)(nil)
)

func TestLifecycle(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		lc := c.(lifecycleClient)
		const bucket = "lifecycle"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		_, err := lc.GetLifecycle(ctx, bucket)
		wantCode(t, "GetBucketLifecycle of a new bucket", err, http.StatusNotFound, "NoSuchLifecycle")
		rules := []lifecycleRule{
			{ID: "tmp", Prefix: "tmp/", Enabled: true, Days: 1},
			{ID: "old", Prefix: "old/", CreatedBefore: "2020-02-29T00:00:00.000Z"},
		}
		if err := lc.PutLifecycle(ctx, bucket, rules); err != nil {
			t.Fatalf("PutBucketLifecycle: %v", err)
		}
		got, err := lc.GetLifecycle(ctx, bucket)
		if err != nil || !slices.Equal(got, rules) {
			t.Fatalf("GetBucketLifecycle = %+v, %v; want %+v", got, err, rules)
		}
		err = lc.PutLifecycle(ctx, bucket, []lifecycleRule{{ID: "x", Enabled: true, Days: 1, expire: true}})
		wantCode(t, "PutBucketLifecycle with Expiration", err, http.StatusNotImplemented, "NotImplemented")
		if err := lc.DeleteLifecycle(ctx, bucket); err != nil {
			t.Fatalf("DeleteBucketLifecycle: %v", err)
		}
		_, err = lc.GetLifecycle(ctx, bucket)
		wantCode(t, "GetBucketLifecycle after delete", err, http.StatusNotFound, "NoSuchLifecycle")
	})
}

func status(enabled bool) string {
	if enabled {
		return "Enabled"
	}
	return "Disabled"
}

func (c *v1Client) PutLifecycle(ctx context.Context, bucket string, rules []lifecycleRule) error {
	var in []v1.LifecycleRule
	for _, r := range rules {
		rule := v1.LifecycleRule{ID: r.ID, Prefix: r.Prefix, Status: status(r.Enabled),
			AbortMultipartUpload: &v1.LifecycleAbortMultipartUpload{Days: r.Days, CreatedBeforeDate: r.CreatedBefore}}
		if r.expire {
			rule.Expiration = &v1.LifecycleExpiration{Days: 30}
		}
		in = append(in, rule)
	}
	return c.c.SetBucketLifecycle(bucket, in, v1.WithContext(ctx))
}

func (c *v1Client) GetLifecycle(ctx context.Context, bucket string) ([]lifecycleRule, error) {
	res, err := c.c.GetBucketLifecycle(bucket, v1.WithContext(ctx))
	var out []lifecycleRule
	for _, r := range res.Rules {
		rule := lifecycleRule{ID: r.ID, Prefix: r.Prefix, Enabled: r.Status == "Enabled", expire: r.Expiration != nil}
		if a := r.AbortMultipartUpload; a != nil {
			rule.Days, rule.CreatedBefore = a.Days, a.CreatedBeforeDate
		}
		out = append(out, rule)
	}
	return out, err
}

func (c *v1Client) DeleteLifecycle(ctx context.Context, bucket string) error {
	return c.c.DeleteBucketLifecycle(bucket, v1.WithContext(ctx))
}

func (c *v2Client) PutLifecycle(ctx context.Context, bucket string, rules []lifecycleRule) error {
	conf := &v2.LifecycleConfiguration{}
	for _, r := range rules {
		abort := &v2.LifecycleRuleAbortMultipartUpload{}
		if r.Days != 0 {
			abort.Days = v2.Ptr(int32(r.Days))
		}
		if r.CreatedBefore != "" {
			abort.CreatedBeforeDate = v2.Ptr(r.CreatedBefore)
		}
		rule := v2.LifecycleRule{ID: v2.Ptr(r.ID), Prefix: v2.Ptr(r.Prefix), Status: v2.Ptr(status(r.Enabled)), AbortMultipartUpload: abort}
		if r.expire {
			rule.Expiration = &v2.LifecycleRuleExpiration{Days: v2.Ptr(int32(30))}
		}
		conf.Rules = append(conf.Rules, rule)
	}
	_, err := c.c.PutBucketLifecycle(ctx, &v2.PutBucketLifecycleRequest{Bucket: v2.Ptr(bucket), LifecycleConfiguration: conf})
	return err
}

func (c *v2Client) GetLifecycle(ctx context.Context, bucket string) ([]lifecycleRule, error) {
	res, err := c.c.GetBucketLifecycle(ctx, &v2.GetBucketLifecycleRequest{Bucket: v2.Ptr(bucket)})
	if err != nil {
		return nil, err
	}
	var out []lifecycleRule
	for _, r := range res.LifecycleConfiguration.Rules {
		rule := lifecycleRule{ID: v2.ToString(r.ID), Prefix: v2.ToString(r.Prefix), Enabled: v2.ToString(r.Status) == "Enabled", expire: r.Expiration != nil}
		if a := r.AbortMultipartUpload; a != nil {
			if a.Days != nil {
				rule.Days = int(*a.Days)
			}
			rule.CreatedBefore = v2.ToString(a.CreatedBeforeDate)
		}
		out = append(out, rule)
	}
	return out, nil
}

func (c *v2Client) DeleteLifecycle(ctx context.Context, bucket string) error {
	_, err := c.c.DeleteBucketLifecycle(ctx, &v2.DeleteBucketLifecycleRequest{Bucket: v2.Ptr(bucket)})
	return err
}
