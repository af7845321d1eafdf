package store

import (
	"bytes"
	"testing"
)

func testConfig(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	_, err := e.s.GetBucketConfig(ctx, "b", "cors")
	wantErr(t, "GetBucketConfig of a new bucket", err, ErrNoSuchConfig)
	wantErr(t, "DeleteBucketConfig of a new bucket", e.s.DeleteBucketConfig(ctx, "b", "cors"), nil)
	_, err = e.s.GetBucketConfig(ctx, "nope", "cors")
	wantErr(t, "GetBucketConfig of a missing bucket", err, ErrNoSuchBucket)
	wantErr(t, "PutBucketConfig to a missing bucket", e.s.PutBucketConfig(ctx, "nope", "cors", []byte("x")), ErrNoSuchBucket)
	wantErr(t, "DeleteBucketConfig of a missing bucket", e.s.DeleteBucketConfig(ctx, "nope", "cors"), ErrNoSuchBucket)
	wantErr(t, "PutBucketConfig of nothing", e.s.PutBucketConfig(ctx, "b", "cors", nil), ErrInvalidArgument)
	wantErr(t, "PutBucketConfig without a name", e.s.PutBucketConfig(ctx, "b", "", []byte("x")), ErrInvalidArgument)
	wantErr(t, "PutBucketConfig too large", e.s.PutBucketConfig(ctx, "b", "cors", make([]byte, MaxConfigSize+1)), ErrInvalidArgument)

	cors, other := []byte(`{"rules":[1]}`), []byte{0, 1, 2, 0xff}
	put := func(name string, doc []byte) {
		t.Helper()
		if err := e.s.PutBucketConfig(ctx, "b", name, doc); err != nil {
			t.Fatalf("PutBucketConfig %s: %v", name, err)
		}
	}
	put("cors", cors)
	put("other", other)
	wantConfig(t, e, "cors", cors)
	wantConfig(t, e, "other", other)
	cors = []byte(`{"rules":[2]}`)
	put("cors", cors)
	wantConfig(t, e, "cors", cors)
	// The store keeps a copy: changing the caller's slice changes nothing.
	cors[2] = 'X'
	wantConfig(t, e, "cors", []byte(`{"rules":[2]}`))

	for range 2 {
		if err := e.s.DeleteBucketConfig(ctx, "b", "cors"); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.GetBucketConfig(ctx, "b", "cors")
		wantErr(t, "GetBucketConfig after delete", err, ErrNoSuchConfig)
	}
	wantConfig(t, e, "other", other)

	// Configurations go with their bucket.
	if err := e.s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatalf("DeleteBucket with a configuration: %v", err)
	}
	if _, err := e.s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.GetBucketConfig(ctx, "b", "other")
	wantErr(t, "GetBucketConfig of a re-created bucket", err, ErrNoSuchConfig)
}

func wantConfig(t *testing.T, e *env, name string, want []byte) {
	t.Helper()
	got, err := e.s.GetBucketConfig(t.Context(), "b", name)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("GetBucketConfig %s = %q, %v; want %q", name, got, err, want)
	}
}
