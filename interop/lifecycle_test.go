package interop

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// lifecycleRule is a rule as TestLifecycle compares it across SDKs. Of
// each action, Days or the date (2006-01-02T00:00:00.000Z) is set, or
// neither for no action.
type lifecycleRule struct {
	ID, Prefix   string
	Enabled      bool
	Tags         []ruleTag
	Not          []ruleNot
	AbortDays    int
	AbortBefore  string
	ExpireDays   int
	ExpireBefore string
	Transitions  []ruleTransition
	// DeleteMarker is ExpiredObjectDeleteMarker; NoncurrentDays,
	// NoncurrentVersionExpiration's.
	DeleteMarker   bool
	NoncurrentDays int
	// NoncurrentTransitions are NoncurrentVersionTransitions (Days,
	// Class).
	NoncurrentTransitions []ruleTransition
}

type ruleTag struct{ Key, Value string }

type ruleNot struct {
	Prefix string
	Tag    *ruleTag
}

type ruleTransition struct {
	Days   int
	Before string
	Class  string
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
			{ID: "tmp", Prefix: "tmp/", Enabled: true, AbortDays: 1, ExpireDays: 7},
			{ID: "old", Prefix: "old/", AbortBefore: "2020-02-29T00:00:00.000Z"},
			{ID: "logs", Prefix: "logs/", Enabled: true,
				Tags: []ruleTag{{"env", "dev"}, {"team", "x"}},
				Not:  []ruleNot{{Prefix: "logs/keep/"}, {Prefix: "logs/pin", Tag: &ruleTag{"pin", "yes"}}},
				Transitions: []ruleTransition{
					{Days: 30, Class: "IA"}, {Days: 60, Class: "Archive"},
				},
				ExpireDays: 90},
			{ID: "dated", Prefix: "dated/", Enabled: true,
				Transitions:  []ruleTransition{{Before: "2024-01-01T00:00:00.000Z", Class: "ColdArchive"}},
				ExpireBefore: "2024-06-01T00:00:00.000Z"},
		}
		if err := lc.PutLifecycle(ctx, bucket, rules); err != nil {
			t.Fatalf("PutBucketLifecycle: %v", err)
		}
		got, err := lc.GetLifecycle(ctx, bucket)
		if err != nil || !reflect.DeepEqual(got, rules) {
			t.Fatalf("GetBucketLifecycle = %+v, %v; want %+v", got, err, rules)
		}
		versioned := []lifecycleRule{{ID: "versions", Prefix: "v/", Enabled: true, DeleteMarker: true, NoncurrentDays: 30,
			NoncurrentTransitions: []ruleTransition{{Days: 10, Class: "IA"}, {Days: 20, Class: "Archive"}}}}
		if err := lc.PutLifecycle(ctx, bucket, versioned); err != nil {
			t.Fatalf("PutBucketLifecycle of versions: %v", err)
		}
		got, err = lc.GetLifecycle(ctx, bucket)
		if err != nil || !reflect.DeepEqual(got, versioned) {
			t.Fatalf("GetBucketLifecycle = %+v, %v; want %+v", got, err, versioned)
		}
		err = lc.PutLifecycle(ctx, bucket, []lifecycleRule{{ID: "x", Enabled: true, DeleteMarker: true, ExpireDays: 3}})
		wantCode(t, "PutBucketLifecycle with ExpiredObjectDeleteMarker and Days", err, http.StatusBadRequest, "InvalidArgument")
		err = lc.PutLifecycle(ctx, bucket, []lifecycleRule{{ID: "x", Enabled: true, Tags: []ruleTag{{"k", "v"}}, AbortDays: 1}})
		wantCode(t, "PutBucketLifecycle with tags and AbortMultipartUpload", err, http.StatusBadRequest, "InvalidArgument")
		err = lc.PutLifecycle(ctx, bucket, []lifecycleRule{{ID: "x", Enabled: true, ExpireDays: 30, Transitions: []ruleTransition{{Days: 30, Class: "IA"}}}})
		wantCode(t, "PutBucketLifecycle with a transition as late as the expiration", err, http.StatusBadRequest, "InvalidArgument")
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
		rule := v1.LifecycleRule{ID: r.ID, Prefix: r.Prefix, Status: status(r.Enabled)}
		for _, t := range r.Tags {
			rule.Tags = append(rule.Tags, v1.Tag{Key: t.Key, Value: t.Value})
		}
		if len(r.Not) > 0 {
			rule.Filter = &v1.LifecycleFilter{}
			for _, n := range r.Not {
				not := v1.LifecycleFilterNot{Prefix: n.Prefix}
				if n.Tag != nil {
					not.Tag = &v1.Tag{Key: n.Tag.Key, Value: n.Tag.Value}
				}
				rule.Filter.Not = append(rule.Filter.Not, not)
			}
		}
		if r.AbortDays != 0 || r.AbortBefore != "" {
			rule.AbortMultipartUpload = &v1.LifecycleAbortMultipartUpload{Days: r.AbortDays, CreatedBeforeDate: r.AbortBefore}
		}
		if r.ExpireDays != 0 || r.ExpireBefore != "" {
			rule.Expiration = &v1.LifecycleExpiration{Days: r.ExpireDays, CreatedBeforeDate: r.ExpireBefore}
		}
		if r.DeleteMarker {
			yes := true
			if rule.Expiration == nil {
				rule.Expiration = &v1.LifecycleExpiration{}
			}
			rule.Expiration.ExpiredObjectDeleteMarker = &yes
		}
		if r.NoncurrentDays != 0 {
			rule.NonVersionExpiration = &v1.LifecycleVersionExpiration{NoncurrentDays: r.NoncurrentDays}
		}
		for _, t := range r.NoncurrentTransitions {
			rule.NonVersionTransitions = append(rule.NonVersionTransitions, v1.LifecycleVersionTransition{NoncurrentDays: t.Days, StorageClass: v1.StorageClassType(t.Class)})
		}
		for _, t := range r.Transitions {
			rule.Transitions = append(rule.Transitions, v1.LifecycleTransition{
				Days: t.Days, CreatedBeforeDate: t.Before, StorageClass: v1.StorageClassType(t.Class),
			})
		}
		in = append(in, rule)
	}
	return c.c.SetBucketLifecycle(bucket, in, v1.WithContext(ctx))
}

func (c *v1Client) GetLifecycle(ctx context.Context, bucket string) ([]lifecycleRule, error) {
	res, err := c.c.GetBucketLifecycle(bucket, v1.WithContext(ctx))
	var out []lifecycleRule
	for _, r := range res.Rules {
		rule := lifecycleRule{ID: r.ID, Prefix: r.Prefix, Enabled: r.Status == "Enabled"}
		for _, t := range r.Tags {
			rule.Tags = append(rule.Tags, ruleTag{t.Key, t.Value})
		}
		if r.Filter != nil {
			for _, n := range r.Filter.Not {
				not := ruleNot{Prefix: n.Prefix}
				if n.Tag != nil {
					not.Tag = &ruleTag{n.Tag.Key, n.Tag.Value}
				}
				rule.Not = append(rule.Not, not)
			}
		}
		if a := r.AbortMultipartUpload; a != nil {
			rule.AbortDays, rule.AbortBefore = a.Days, a.CreatedBeforeDate
		}
		if e := r.Expiration; e != nil {
			rule.ExpireDays, rule.ExpireBefore = e.Days, e.CreatedBeforeDate
			rule.DeleteMarker = e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker
		}
		if n := r.NonVersionExpiration; n != nil {
			rule.NoncurrentDays = n.NoncurrentDays
		}
		for _, t := range r.NonVersionTransitions {
			rule.NoncurrentTransitions = append(rule.NoncurrentTransitions, ruleTransition{Days: t.NoncurrentDays, Class: string(t.StorageClass)})
		}
		for _, t := range r.Transitions {
			rule.Transitions = append(rule.Transitions, ruleTransition{t.Days, t.CreatedBeforeDate, string(t.StorageClass)})
		}
		out = append(out, rule)
	}
	return out, err
}

func (c *v1Client) DeleteLifecycle(ctx context.Context, bucket string) error {
	return c.c.DeleteBucketLifecycle(bucket, v1.WithContext(ctx))
}

// optInt and optString are v2's optional fields: nil for the zero value.
func optInt(n int) *int32 {
	if n == 0 {
		return nil
	}
	return v2.Ptr(int32(n))
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return v2.Ptr(s)
}

func (c *v2Client) PutLifecycle(ctx context.Context, bucket string, rules []lifecycleRule) error {
	conf := &v2.LifecycleConfiguration{}
	for _, r := range rules {
		rule := v2.LifecycleRule{ID: v2.Ptr(r.ID), Prefix: v2.Ptr(r.Prefix), Status: v2.Ptr(status(r.Enabled))}
		for _, t := range r.Tags {
			rule.Tags = append(rule.Tags, v2.Tag{Key: v2.Ptr(t.Key), Value: v2.Ptr(t.Value)})
		}
		if len(r.Not) > 0 {
			rule.Filter = &v2.LifecycleRuleFilter{}
			for _, n := range r.Not {
				not := v2.LifecycleRuleNot{Prefix: v2.Ptr(n.Prefix)}
				if n.Tag != nil {
					not.Tag = &v2.Tag{Key: v2.Ptr(n.Tag.Key), Value: v2.Ptr(n.Tag.Value)}
				}
				rule.Filter.Nots = append(rule.Filter.Nots, not)
			}
		}
		if r.AbortDays != 0 || r.AbortBefore != "" {
			rule.AbortMultipartUpload = &v2.LifecycleRuleAbortMultipartUpload{Days: optInt(r.AbortDays), CreatedBeforeDate: optString(r.AbortBefore)}
		}
		if r.ExpireDays != 0 || r.ExpireBefore != "" {
			rule.Expiration = &v2.LifecycleRuleExpiration{Days: optInt(r.ExpireDays), CreatedBeforeDate: optString(r.ExpireBefore)}
		}
		if r.DeleteMarker {
			if rule.Expiration == nil {
				rule.Expiration = &v2.LifecycleRuleExpiration{}
			}
			rule.Expiration.ExpiredObjectDeleteMarker = v2.Ptr(true)
		}
		if r.NoncurrentDays != 0 {
			rule.NoncurrentVersionExpiration = &v2.NoncurrentVersionExpiration{NoncurrentDays: optInt(r.NoncurrentDays)}
		}
		for _, t := range r.NoncurrentTransitions {
			rule.NoncurrentVersionTransitions = append(rule.NoncurrentVersionTransitions, v2.NoncurrentVersionTransition{NoncurrentDays: optInt(t.Days), StorageClass: v2.StorageClassType(t.Class)})
		}
		for _, t := range r.Transitions {
			rule.Transitions = append(rule.Transitions, v2.LifecycleRuleTransition{
				Days: optInt(t.Days), CreatedBeforeDate: optString(t.Before), StorageClass: v2.StorageClassType(t.Class),
			})
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
	days := func(p *int32) int {
		if p == nil {
			return 0
		}
		return int(*p)
	}
	var out []lifecycleRule
	for _, r := range res.LifecycleConfiguration.Rules {
		rule := lifecycleRule{ID: v2.ToString(r.ID), Prefix: v2.ToString(r.Prefix), Enabled: v2.ToString(r.Status) == "Enabled"}
		for _, t := range r.Tags {
			rule.Tags = append(rule.Tags, ruleTag{v2.ToString(t.Key), v2.ToString(t.Value)})
		}
		if r.Filter != nil {
			for _, n := range r.Filter.Nots {
				not := ruleNot{Prefix: v2.ToString(n.Prefix)}
				if n.Tag != nil {
					not.Tag = &ruleTag{v2.ToString(n.Tag.Key), v2.ToString(n.Tag.Value)}
				}
				rule.Not = append(rule.Not, not)
			}
		}
		if a := r.AbortMultipartUpload; a != nil {
			rule.AbortDays, rule.AbortBefore = days(a.Days), v2.ToString(a.CreatedBeforeDate)
		}
		if e := r.Expiration; e != nil {
			rule.ExpireDays, rule.ExpireBefore = days(e.Days), v2.ToString(e.CreatedBeforeDate)
			rule.DeleteMarker = v2.ToBool(e.ExpiredObjectDeleteMarker)
		}
		if n := r.NoncurrentVersionExpiration; n != nil {
			rule.NoncurrentDays = days(n.NoncurrentDays)
		}
		for _, t := range r.NoncurrentVersionTransitions {
			rule.NoncurrentTransitions = append(rule.NoncurrentTransitions, ruleTransition{Days: days(t.NoncurrentDays), Class: string(t.StorageClass)})
		}
		for _, t := range r.Transitions {
			rule.Transitions = append(rule.Transitions, ruleTransition{days(t.Days), v2.ToString(t.CreatedBeforeDate), string(t.StorageClass)})
		}
		out = append(out, rule)
	}
	return out, nil
}

func (c *v2Client) DeleteLifecycle(ctx context.Context, bucket string) error {
	_, err := c.c.DeleteBucketLifecycle(ctx, &v2.DeleteBucketLifecycleRequest{Bucket: v2.Ptr(bucket)})
	return err
}
