package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// putAt stores bucket/key with meta as last modified at.
func (h *harness) putAt(clock *fakeClock, at time.Time, bucket, key string, meta store.Metadata) store.Object {
	h.t.Helper()
	now := clock.Now()
	defer clock.set(now)
	clock.set(at)
	body := []byte("body of " + key)
	o, err := h.srv.store.PutObject(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), meta, store.PutOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

// sweepAt runs one sweep as of at and returns what it did.
func (h *harness) sweepAt(clock *fakeClock, at time.Time) sweepCounts {
	h.t.Helper()
	now := clock.Now()
	defer clock.set(now)
	clock.set(at)
	return h.srv.sweep(h.t.Context())
}

// present reports which of keys HEAD finds, failing on anything but 200
// and 404.
func (h *harness) present(bucket string, keys ...string) map[string]bool {
	h.t.Helper()
	out := map[string]bool{}
	for _, k := range keys {
		switch r := h.do(call{method: "HEAD", bucket: bucket, key: k}); r.StatusCode {
		case http.StatusOK:
			out[k] = true
		case http.StatusNotFound:
		default:
			h.t.Fatalf("HEAD %s: status %d", k, r.StatusCode)
		}
	}
	return out
}

func wantPresent(t *testing.T, what string, got map[string]bool, keys []string, want ...string) {
	t.Helper()
	w := map[string]bool{}
	for _, k := range want {
		w[k] = true
	}
	for _, k := range keys {
		if got[k] != w[k] {
			t.Errorf("%s: %s present = %v, want %v", what, k, got[k], w[k])
		}
	}
}

var dev = map[string]string{"env": "dev"}

// TestSweepExpiresByDays: a rule of 2 days with a tag and an exclusion
// deletes, at exactly 48 hours after their last modification and not a
// nanosecond earlier, the objects under its prefix that carry the tag
// and are not excluded; HEAD then answers 404.
func TestSweepExpiresByDays(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(rule("r", "logs/",
		"<Tag><Key>env</Key><Value>dev</Value></Tag><Filter><Not><Prefix>logs/keep/</Prefix></Not></Filter>",
		exp("<Days>2</Days>"))))
	now := clock.Now()
	mod := now.Add(-48 * time.Hour)
	h.putAt(clock, mod, "bkt", "logs/a", store.Metadata{Tags: dev})
	h.putAt(clock, mod, "bkt", "logs/b", store.Metadata{Tags: map[string]string{"env": "dev", "team": "x"}})
	h.putAt(clock, mod, "bkt", "logs/prod", store.Metadata{Tags: map[string]string{"env": "prod"}})
	h.putAt(clock, mod, "bkt", "logs/untagged", store.Metadata{})
	h.putAt(clock, mod, "bkt", "logs/keep/c", store.Metadata{Tags: dev})
	h.putAt(clock, mod, "bkt", "other/d", store.Metadata{Tags: dev})
	h.putAt(clock, mod.Add(time.Millisecond), "bkt", "logs/younger", store.Metadata{Tags: dev})
	keys := []string{"logs/a", "logs/b", "logs/prod", "logs/untagged", "logs/keep/c", "other/d", "logs/younger"}
	kept := []string{"logs/prod", "logs/untagged", "logs/keep/c", "other/d", "logs/younger"}

	if n := h.sweepAt(clock, now); n.expired != 0 {
		t.Errorf("sweep at exactly 48h expired %d objects, want 0", n.expired)
	}
	wantPresent(t, "at exactly 48h", h.present("bkt", keys...), keys, keys...)
	if n := h.sweepAt(clock, now.Add(time.Nanosecond)); n.expired != 2 {
		t.Errorf("sweep just after 48h expired %d objects, want 2", n.expired)
	}
	wantPresent(t, "just after 48h", h.present("bkt", keys...), keys, kept...)
	h.fails(call{method: "GET", bucket: "bkt", key: "logs/a"}, ossxml.CodeNoSuchKey)
	if n := h.sweepAt(clock, now.Add(time.Millisecond+time.Nanosecond)); n.expired != 1 {
		t.Errorf("sweep a millisecond later expired %d objects, want 1 (logs/younger)", n.expired)
	}
}

// TestSweepExpiresByDate: CreatedBeforeDate deletes the objects last
// modified before the midnight, and the older Date element deletes every
// object once the midnight has come.
func TestSweepExpiresByDate(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	midnight := clock.Now().UTC().Truncate(24 * time.Hour)
	tomorrow := midnight.Add(24 * time.Hour)
	h.putLifecycle("bkt", lifecycleBody(
		rule("before", "c/", "", exp("<CreatedBeforeDate>"+date(midnight)+"</CreatedBeforeDate>")),
		rule("date", "d/", "", exp("<Date>"+date(tomorrow)+"</Date>")),
	))
	h.putAt(clock, midnight.Add(-time.Nanosecond), "bkt", "c/before", store.Metadata{})
	h.putAt(clock, midnight, "bkt", "c/at", store.Metadata{})
	h.putAt(clock, midnight.Add(-time.Hour), "bkt", "d/old", store.Metadata{})
	h.putAt(clock, tomorrow.Add(-time.Nanosecond), "bkt", "d/new", store.Metadata{})
	keys := []string{"c/before", "c/at", "d/old", "d/new"}

	if n := h.sweepAt(clock, tomorrow.Add(-time.Nanosecond)); n.expired != 1 {
		t.Errorf("sweep before the Date expired %d objects, want 1", n.expired)
	}
	wantPresent(t, "before the Date", h.present("bkt", keys...), keys, "c/at", "d/old", "d/new")
	if n := h.sweepAt(clock, tomorrow); n.expired != 2 {
		t.Errorf("sweep at the Date expired %d objects, want 2", n.expired)
	}
	wantPresent(t, "at the Date", h.present("bkt", keys...), keys, "c/at")
}

// TestSweepDisabledObjectRule: a Disabled rule deletes and moves nothing.
func TestSweepDisabledObjectRule(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody("<Rule><ID>r</ID><Prefix></Prefix><Status>Disabled</Status>"+
		exp("<Days>2</Days>")+trans("<Days>1</Days><StorageClass>IA</StorageClass>")+"</Rule>"))
	now := clock.Now()
	h.putAt(clock, now.Add(-72*time.Hour), "bkt", "old", store.Metadata{})
	h.putAt(clock, now.Add(-36*time.Hour), "bkt", "young", store.Metadata{})
	if n := h.sweepAt(clock, now); n != (sweepCounts{}) {
		t.Errorf("a Disabled rule did %+v", n)
	}
	if got := h.headClass("bkt", "young"); got != "Standard" {
		t.Errorf("young: storage class %s, want Standard", got)
	}
	wantPresent(t, "Disabled rule", h.present("bkt", "old"), []string{"old"}, "old")
}

func (h *harness) headClass(bucket, key string) string {
	h.t.Helper()
	return h.ok(call{method: "HEAD", bucket: bucket, key: key}, http.StatusOK).Header.Get("x-oss-storage-class")
}

// TestSweepTransitions: objects move to the coldest class due, never to a
// warmer one, with their data and modification time unchanged; HEAD and
// ListObjects report the new class, GET refuses archived ones; past the
// expiration they are gone.
func TestSweepTransitions(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(rule("r", "", "", exp("<Days>90</Days>")+
		trans("<Days>30</Days><StorageClass>IA</StorageClass>")+
		trans("<Days>60</Days><StorageClass>Archive</StorageClass>"))))
	now := clock.Now()
	day := 24 * time.Hour
	objs := map[string]store.Object{}
	for key, age := range map[string]time.Duration{"fresh": 29 * day, "ia": 31 * day, "archive": 61 * day, "gone": 91 * day} {
		objs[key] = h.putAt(clock, now.Add(-age), "bkt", key, store.Metadata{})
	}
	objs["cold"] = h.putAt(clock, now.Add(-61*day), "bkt", "cold", store.Metadata{StorageClass: "ColdArchive"})

	if n := h.sweepAt(clock, now); n.transitioned != 2 || n.expired != 1 {
		t.Errorf("sweep did %+v, want 2 transitioned and 1 expired", n)
	}
	want := map[string]string{"fresh": "Standard", "ia": "IA", "archive": "Archive", "cold": "ColdArchive"}
	for key, class := range want {
		if got := h.headClass("bkt", key); got != class {
			t.Errorf("HEAD %s: x-oss-storage-class %s, want %s", key, got, class)
		}
		got, err := h.srv.store.HeadObject(t.Context(), "bkt", key)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Modified.Equal(objs[key].Modified) || got.ETag != objs[key].ETag {
			t.Errorf("%s: modified %v etag %s, want %v %s", key, got.Modified, got.ETag, objs[key].Modified, objs[key].ETag)
		}
		if archived(class) {
			// Frozen once archived: only a restore makes it readable.
			h.fails(call{method: "GET", bucket: "bkt", key: key}, ossxml.CodeInvalidObjectState)
			continue
		}
		if body := h.get("bkt", key); string(body) != "body of "+key {
			t.Errorf("%s reads %q", key, body)
		}
	}
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "bkt"}, &list)
	for _, c := range list.Contents {
		if c.StorageClass != want[c.Key] {
			t.Errorf("ListObjects %s: storage class %s, want %s", c.Key, c.StorageClass, want[c.Key])
		}
	}
	if len(list.Contents) != len(want) {
		t.Errorf("ListObjects lists %d objects, want %d", len(list.Contents), len(want))
	}
	if n := h.sweepAt(clock, now); n != (sweepCounts{}) {
		t.Errorf("a second sweep did %+v", n)
	}
}

// countingStore records the batches of ExpireObjects and can cancel the
// sweep after a number of them.
type countingStore struct {
	store.Store
	mu      sync.Mutex
	batches []int
	cancel  context.CancelFunc // called after the first batch when set
}

func (s *countingStore) ExpireObjects(ctx context.Context, bucket string, keys []string, expired func(store.Object) bool) ([]string, error) {
	s.mu.Lock()
	s.batches = append(s.batches, len(keys))
	s.mu.Unlock()
	deleted, err := s.Store.ExpireObjects(ctx, bucket, keys, expired)
	if s.cancel != nil {
		s.cancel()
	}
	return deleted, err
}

// fillBucket stores n objects under big/ last modified at.
func (h *harness) fillBucket(clock *fakeClock, at time.Time, bucket string, n int) {
	h.t.Helper()
	for i := range n {
		h.putAt(clock, at, bucket, fmt.Sprintf("big/%05d", i), store.Metadata{})
	}
}

// TestSweepLargeBucket: 3,000 expired objects go in transactions of at
// most 1,000 keys; a sweep whose context ends stops after the batch in
// progress.
func TestSweepLargeBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 3,000 objects")
	}
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(rule("r", "big/", "", exp("<Days>1</Days>"))))
	now := clock.Now()
	h.fillBucket(clock, now.Add(-49*time.Hour), "bkt", 3000)
	inner := h.srv.store
	defer func() { h.srv.store = inner }()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cs := &countingStore{Store: inner, cancel: cancel}
	h.srv.store = cs
	if n := h.srv.sweep(ctx); n.expired != 1000 {
		t.Errorf("a sweep cancelled after one batch expired %d objects, want 1000", n.expired)
	}

	cs = &countingStore{Store: inner}
	h.srv.store = cs
	if n := h.srv.sweep(t.Context()); n.expired != 2000 {
		t.Errorf("sweep expired %d objects, want 2000", n.expired)
	}
	if len(cs.batches) != 2 || cs.batches[0] != store.MaxList || cs.batches[1] != store.MaxList {
		t.Errorf("ExpireObjects batches %v, want two of %d", cs.batches, store.MaxList)
	}
	res, err := inner.ListObjects(t.Context(), "bkt", store.ListOptions{})
	if err != nil || len(res.Objects) != 0 {
		t.Errorf("after the sweeps: %d objects, %v", len(res.Objects), err)
	}
}

// replacingStore replaces key with a fresh object right after the sweep
// lists it: the sweep judged the old object expired.
type replacingStore struct {
	store.Store
	key  string
	once sync.Once
}

func (s *replacingStore) ListObjects(ctx context.Context, bucket string, o store.ListOptions) (store.ListResult, error) {
	res, err := s.Store.ListObjects(ctx, bucket, o)
	s.once.Do(func() {
		body := []byte("new")
		_, perr := s.Store.PutObject(ctx, bucket, s.key, bytes.NewReader(body), int64(len(body)), store.Metadata{}, store.PutOptions{})
		err = errors.Join(err, perr)
	})
	return res, err
}

// TestSweepKeepsReplacedObject: an object replaced between the listing
// and the deletion is judged again, as replaced, and kept.
func TestSweepKeepsReplacedObject(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(rule("r", "", "", exp("<Days>1</Days>"))))
	now := clock.Now()
	h.putAt(clock, now.Add(-72*time.Hour), "bkt", "k", store.Metadata{})
	h.putAt(clock, now.Add(-72*time.Hour), "bkt", "other", store.Metadata{})
	inner := h.srv.store
	h.srv.store = &replacingStore{Store: inner, key: "k"}
	n := h.srv.sweep(t.Context())
	h.srv.store = inner
	if n.expired != 1 {
		t.Errorf("sweep expired %d objects, want 1", n.expired)
	}
	if got := h.get("bkt", "k"); string(got) != "new" {
		t.Errorf("k reads %q, want the replacement", got)
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "other"}, ossxml.CodeNoSuchKey)
}

// TestSweepNoncurrentVersions: in a versioned bucket, NoncurrentDays
// counts from the moment a version became noncurrent (the next write or
// delete marker), not from its own write; ExpiredObjectDeleteMarker
// removes a marker once nothing is left under it, and never a marker
// over versions. The current objects stay.
func TestSweepNoncurrentVersions(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("vsw")
	h.ok(call{method: "PUT", bucket: "vsw", query: "versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 200)
	h.putLifecycle("vsw", lifecycleBody(rule("nc", "", "",
		"<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration>"+
			exp("<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"))))
	conf := h.getLifecycle("vsw")
	if r := conf.Rules[0]; r.NoncurrentVersionExpiration == nil || *r.NoncurrentVersionExpiration.NoncurrentDays != 3 ||
		r.Expiration == nil || !isTrue(r.Expiration.ExpiredObjectDeleteMarker) {
		t.Fatalf("rule read back: %+v", r)
	}
	day := 24 * time.Hour
	t0 := clock.Now()
	old := h.putAt(clock, t0, "vsw", "k", store.Metadata{})
	cur := h.putAt(clock, t0.Add(10*day), "vsw", "k", store.Metadata{}) // old noncurrent from day 10
	gone := h.putAt(clock, t0, "vsw", "gone", store.Metadata{})
	now := clock.Now()
	clock.set(t0.Add(11 * day)) // gone noncurrent from day 11, under a marker
	if err := h.srv.store.DeleteObject(t.Context(), "vsw", "gone"); err != nil {
		t.Fatal(err)
	}
	clock.set(now)

	versions := func() map[string]bool {
		page, err := h.srv.store.ListVersions(t.Context(), "vsw", store.ListVersionsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, v := range page.Versions {
			out[v.Key+"@"+v.VersionID] = true
		}
		return out
	}
	if n := h.sweepAt(clock, t0.Add(13*day-time.Second)); n.expired != 0 {
		t.Fatalf("swept before 3 noncurrent days: %+v", n)
	}
	if v := versions(); !v["k@"+old.VersionID] || len(v) != 4 {
		t.Fatalf("versions before the rule is due: %v", v)
	}
	if n := h.sweepAt(clock, t0.Add(13*day)); n.expired != 1 {
		t.Fatalf("sweep at 3 noncurrent days of k's old version: %+v", n)
	}
	v := versions()
	if v["k@"+old.VersionID] || !v["k@"+cur.VersionID] || len(v) != 3 || !v["gone@"+gone.VersionID] {
		t.Fatalf("after the first sweep: %v", v)
	}
	// gone's version expires a day later; its marker is then alone, and
	// the same sweep or the next removes it.
	h.sweepAt(clock, t0.Add(14*day))
	h.sweepAt(clock, t0.Add(14*day))
	if v := versions(); len(v) != 1 || !v["k@"+cur.VersionID] {
		t.Fatalf("after gone's version and marker expired: %v", v)
	}
	if got := h.get("vsw", "k"); string(got) != "body of k" {
		t.Fatalf("current object: %q", got)
	}
}

// TestSweepNoncurrentTransitions: NoncurrentVersionTransition moves a
// noncurrent version to IA, then Archive, counting from when it became
// noncurrent; the current object keeps its class, and a version due to
// expire is not moved first.
func TestSweepNoncurrentTransitions(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("vtr")
	h.ok(call{method: "PUT", bucket: "vtr", query: "versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 200)
	h.putLifecycle("vtr", lifecycleBody(rule("nt", "", "",
		"<NoncurrentVersionTransition><NoncurrentDays>2</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition>"+
			"<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>Archive</StorageClass></NoncurrentVersionTransition>"+
			"<NoncurrentVersionExpiration><NoncurrentDays>9</NoncurrentDays></NoncurrentVersionExpiration>")))
	if r := h.getLifecycle("vtr").Rules[0]; len(r.NoncurrentVersionTransitions) != 2 || r.NoncurrentVersionTransitions[1].StorageClass != "Archive" {
		t.Fatalf("rule read back: %+v", r)
	}
	day := 24 * time.Hour
	t0 := clock.Now()
	old := h.putAt(clock, t0, "vtr", "k", store.Metadata{})
	h.putAt(clock, t0.Add(day), "vtr", "k", store.Metadata{}) // old noncurrent from day 1
	class := func() string {
		o, err := h.srv.store.HeadVersion(t.Context(), "vtr", "k", old.VersionID)
		if err != nil {
			t.Fatal(err)
		}
		return storageClass(o.Meta)
	}
	current := func() string {
		o, err := h.srv.store.HeadObject(t.Context(), "vtr", "k")
		if err != nil {
			t.Fatal(err)
		}
		return storageClass(o.Meta)
	}
	for _, step := range []struct {
		at   time.Duration
		want string
	}{{2*day + day/2, "Standard"}, {3 * day, "IA"}, {6 * day, "Archive"}} {
		h.sweepAt(clock, t0.Add(step.at))
		if got := class(); got != step.want || current() != "Standard" {
			t.Fatalf("at %v: old version %s, current %s; want %s and Standard", step.at, got, current(), step.want)
		}
	}
	if n := h.sweepAt(clock, t0.Add(10*day)); n.expired != 1 {
		t.Fatalf("sweep at 9 noncurrent days: %+v", n)
	}
}
