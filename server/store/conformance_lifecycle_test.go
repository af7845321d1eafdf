package store

import (
	"reflect"
	"testing"
	"time"
)

func testLifecycle(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	_, err := e.s.GetBucketLifecycle(ctx, "b")
	wantErr(t, "GetBucketLifecycle of a new bucket", err, ErrNoSuchLifecycle)
	wantErr(t, "PutBucketLifecycle of no rules", e.s.PutBucketLifecycle(ctx, "b", nil), ErrInvalidArgument)

	rules := []LifecycleRule{
		{ID: "tmp", Prefix: "tmp/", Enabled: true, AbortDays: 1},
		{ID: "old", Enabled: false, AbortBefore: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	if err := e.s.PutBucketLifecycle(ctx, "b", rules); err != nil {
		t.Fatal(err)
	}
	wantRules(t, e, rules)
	rules = rules[:1]
	rules[0].AbortDays = 30
	if err := e.s.PutBucketLifecycle(ctx, "b", rules); err != nil {
		t.Fatal(err)
	}
	wantRules(t, e, rules)
	if _, err := e.s.GetBucket(ctx, "b"); err != nil {
		t.Errorf("GetBucket with lifecycle rules: %v", err)
	}

	for range 2 {
		if err := e.s.DeleteBucketLifecycle(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.GetBucketLifecycle(ctx, "b")
		wantErr(t, "GetBucketLifecycle after delete", err, ErrNoSuchLifecycle)
	}

	// The rules go with their bucket.
	if err := e.s.PutBucketLifecycle(ctx, "b", rules); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatalf("DeleteBucket with lifecycle rules: %v", err)
	}
	if _, err := e.s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.GetBucketLifecycle(ctx, "b")
	wantErr(t, "GetBucketLifecycle of a re-created bucket", err, ErrNoSuchLifecycle)
}

func wantRules(t *testing.T, e *env, want []LifecycleRule) {
	t.Helper()
	got, err := e.s.GetBucketLifecycle(t.Context(), "b")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("GetBucketLifecycle = %+v, %v; want %+v", got, err, want)
	}
}
