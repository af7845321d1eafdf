package store

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func testLifecycle(t *testing.T, h harness) {
	t.Run("Rules", func(t *testing.T) { testLifecycleRules(t, h) })
	t.Run("ExpireObjects", func(t *testing.T) { testExpireObjects(t, h) })
	t.Run("ExpireRace", func(t *testing.T) { testExpireRace(t, h) })
	t.Run("TransitionObjects", func(t *testing.T) { testTransitionObjects(t, h) })
}

func testLifecycleRules(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	_, err := e.s.GetBucketLifecycle(ctx, "b")
	wantErr(t, "GetBucketLifecycle of a new bucket", err, ErrNoSuchLifecycle)
	wantErr(t, "PutBucketLifecycle of no rules", e.s.PutBucketLifecycle(ctx, "b", nil), ErrInvalidArgument)

	rules := []LifecycleRule{
		{ID: "tmp", Prefix: "tmp/", Enabled: true, AbortDays: 1},
		{ID: "old", Enabled: false, AbortBefore: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
		{ID: "logs", Prefix: "logs/", Enabled: true,
			Tags:       []LifecycleTag{{"b", "2"}, {"a", "1"}},
			Not:        []LifecycleNot{{Prefix: "logs/keep/"}, {Prefix: "logs/x", Tag: &LifecycleTag{"pin", ""}}},
			Expiration: LifecycleWhen{Days: 90},
			Transitions: []LifecycleTransition{
				{When: LifecycleWhen{Days: 30}, StorageClass: "IA"},
				{When: LifecycleWhen{Days: 60}, StorageClass: "Archive"},
			}},
		{ID: "dated", Prefix: "d/", Enabled: true,
			Expiration:  LifecycleWhen{Date: time.Date(2030, 5, 6, 0, 0, 0, 0, time.UTC)},
			Transitions: []LifecycleTransition{{When: LifecycleWhen{Before: time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)}, StorageClass: "ColdArchive"}}},
		{ID: "before", Prefix: "e/", Enabled: false, Expiration: LifecycleWhen{Before: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}},
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

// putTagged stores key with the given tags.
func (e *env) putTagged(key string, body []byte, tags map[string]string) Object {
	e.t.Helper()
	o, err := e.s.PutObject(e.t.Context(), "b", key, bytes.NewReader(body), int64(len(body)), Metadata{Tags: tags}, PutOptions{})
	if err != nil {
		e.t.Fatalf("PutObject(%q): %v", key, err)
	}
	return o
}

func (e *env) exists(key string) bool {
	e.t.Helper()
	_, err := e.s.HeadObject(e.t.Context(), "b", key)
	if err != nil && !errors.Is(err, ErrNoSuchKey) {
		e.t.Fatal(err)
	}
	return err == nil
}

func testExpireObjects(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	e.putTagged("a", []byte("a"), map[string]string{"x": "1"})
	e.put("b", []byte("b"))
	e.multipartObject("c", []int{MinPartSize, 10})
	e.put("keep", []byte("keep"))
	var seen []string
	gone := func(o Object) bool {
		seen = append(seen, o.Key)
		return o.Key != "keep"
	}
	deleted, err := e.s.ExpireObjects(ctx, "b", []string{"a", "missing", "b", "c", "keep", "a"}, gone)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, []string{"a", "b", "c"}) {
		t.Errorf("ExpireObjects deleted %q, want a, b, c", deleted)
	}
	if !slices.Equal(seen, []string{"a", "b", "c", "keep"}) {
		t.Errorf("expired was asked about %q, want a, b, c, keep", seen)
	}
	for _, k := range []string{"a", "b", "c"} {
		if e.exists(k) {
			t.Errorf("%s still exists", k)
		}
	}
	if !e.exists("keep") {
		t.Error("keep is gone")
	}
	e.wantBlobs(1) // the blobs of the deleted objects are removed
	if d, err := e.s.ExpireObjects(ctx, "b", nil, gone); err != nil || len(d) != 0 {
		t.Errorf("ExpireObjects of no keys = %q, %v", d, err)
	}
	_, err = e.s.ExpireObjects(ctx, "nobucket", []string{"a"}, gone)
	wantErr(t, "ExpireObjects in a missing bucket", err, ErrNoSuchBucket)
}

// testExpireRace: an object replaced after the caller judged it expired
// is judged again, as replaced, inside the transaction, and kept.
func testExpireRace(t *testing.T, h harness) {
	e := newEnv(t, h)
	old := e.put("k", []byte("old"))
	repl := e.put("k", []byte("new")) // replaced after the caller looked
	var judged Object
	deleted, err := e.s.ExpireObjects(t.Context(), "b", []string{"k"}, func(o Object) bool {
		judged = o
		return o.ETag == old.ETag // the caller's decision, about the old object
	})
	if err != nil || len(deleted) != 0 {
		t.Fatalf("ExpireObjects = %q, %v; want nothing deleted", deleted, err)
	}
	if judged.ETag != repl.ETag {
		t.Errorf("expired saw ETag %s, want the replacement's %s", judged.ETag, repl.ETag)
	}
	wantSame(t, "k after ExpireObjects", e.read("k"), []byte("new"))
	e.wantBlobs(1)
}

func testTransitionObjects(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	a := e.putTagged("a", []byte("a"), map[string]string{"x": "1"})
	e.put("b", []byte("b"))
	e.put("c", []byte("c"))
	changed, err := e.s.TransitionObjects(ctx, "b", []string{"a", "b", "missing", "c", "a"}, func(o Object) string {
		switch o.Key {
		case "a":
			return "Archive"
		case "b":
			return "IA"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"a", "b"}) {
		t.Errorf("TransitionObjects changed %q, want a, b (a once)", changed)
	}
	got, err := e.s.HeadObject(ctx, "b", "a")
	if err != nil {
		t.Fatal(err)
	}
	want := a
	want.Meta.StorageClass = "Archive"
	wantObject(t, "a after the transition", got, want)
	if !got.Modified.Equal(a.Modified) || !reflect.DeepEqual(got.Meta.Tags, a.Meta.Tags) {
		t.Errorf("a after the transition: modified %v tags %v, want %v %v", got.Modified, got.Meta.Tags, a.Modified, a.Meta.Tags)
	}
	wantSame(t, "a after the transition", e.read("a"), []byte("a"))
	if c, _ := e.s.HeadObject(ctx, "b", "c"); c.Meta.StorageClass != "" {
		t.Errorf("c has storage class %q, want it unchanged", c.Meta.StorageClass)
	}
	// The class function sees the object as stored: here, already Archive.
	changed, err = e.s.TransitionObjects(ctx, "b", []string{"a"}, func(o Object) string { return o.Meta.StorageClass })
	if err != nil || len(changed) != 0 {
		t.Errorf("TransitionObjects to the current class = %q, %v; want nothing changed", changed, err)
	}
	_, err = e.s.TransitionObjects(ctx, "nobucket", []string{"a"}, func(Object) string { return "IA" })
	wantErr(t, "TransitionObjects in a missing bucket", err, ErrNoSuchBucket)
}
