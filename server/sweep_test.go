package server

import (
	"bytes"
	"context"
	"log/slog"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ossup/ossup/server/store"
)

// fakeClock is a Config.Now that tests set.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.set(t)
	return c
}

func (c *fakeClock) Now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// sweepHarness is a harness whose server runs no background sweeps and
// reads the time from clock, which starts at the real time so that signed
// requests pass.
func sweepHarness(t *testing.T, mod func(*Config)) (*harness, *fakeClock, func(*Config)) {
	clock := newFakeClock(time.Now())
	full := func(c *Config) {
		c.Now, c.LifecycleInterval = clock.Now, -1
		if mod != nil {
			mod(c)
		}
	}
	return newHarness(t, full), clock, full
}

// uploadAt starts an upload of bucket/key that the store records as
// initiated at.
func (h *harness) uploadAt(clock *fakeClock, at time.Time, bucket, key string) store.Upload {
	h.t.Helper()
	now := clock.Now()
	defer clock.set(now)
	clock.set(at)
	u, err := h.srv.store.CreateUpload(context.Background(), bucket, key, store.Metadata{})
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// uploadKeys lists the keys of bucket's uploads in progress.
func (h *harness) uploadKeys(bucket string) []string {
	h.t.Helper()
	res, err := h.srv.store.ListUploads(context.Background(), bucket, store.ListUploadsOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	var keys []string
	for _, u := range res.Uploads {
		keys = append(keys, u.Key)
	}
	return keys
}

func wantKeys(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: uploads %q, want %q", what, got, want)
	}
}

// TestSweepAbortsByDays: a rule of one day aborts an upload started two
// days ago under its prefix, with its parts, and keeps a fresh one and an
// old one outside the prefix.
func TestSweepAbortsByDays(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(abortRule("tmp", "tmp/", "Enabled", "<Days>1</Days>")))
	now := clock.Now()
	old := h.uploadAt(clock, now.Add(-48*time.Hour), "bkt", "tmp/old")
	h.uploadPart("bkt", "tmp/old", old.ID, 1, []byte("part"))
	h.uploadAt(clock, now.Add(-48*time.Hour), "bkt", "keep/old")
	h.initiate("bkt", "tmp/fresh", nil)
	h.uploadAt(clock, now.Add(-23*time.Hour), "bkt", "tmp/young")

	if n := h.srv.sweep(t.Context()).aborted; n != 1 {
		t.Errorf("sweep aborted %d uploads, want 1", n)
	}
	wantKeys(t, "after the sweep", h.uploadKeys("bkt"), "keep/old", "tmp/fresh", "tmp/young")
	if _, _, err := h.srv.store.ListParts(t.Context(), "bkt", "tmp/old", old.ID, 0, 0); err == nil {
		t.Error("the aborted upload's parts are still listed")
	}
	if n := h.srv.sweep(t.Context()).aborted; n != 0 {
		t.Errorf("second sweep aborted %d uploads, want 0", n)
	}
}

// TestSweepDisabledRule: a Disabled rule aborts nothing until enabled.
func TestSweepDisabledRule(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	h.putLifecycle("bkt", lifecycleBody(abortRule("r", "", "Disabled", "<Days>1</Days>")))
	h.uploadAt(clock, clock.Now().Add(-72*time.Hour), "bkt", "old")
	if n := h.srv.sweep(t.Context()).aborted; n != 0 {
		t.Errorf("a Disabled rule aborted %d uploads", n)
	}
	wantKeys(t, "Disabled rule", h.uploadKeys("bkt"), "old")
	h.putLifecycle("bkt", lifecycleBody(abortRule("r", "", "Enabled", "<Days>1</Days>")))
	if n := h.srv.sweep(t.Context()).aborted; n != 1 {
		t.Errorf("the enabled rule aborted %d uploads, want 1", n)
	}
}

// TestSweepCreatedBeforeDate: uploads started before the date are
// aborted, later ones kept.
func TestSweepCreatedBeforeDate(t *testing.T) {
	h, clock, _ := sweepHarness(t, nil)
	h.mkbucket("bkt")
	midnight := clock.Now().UTC().Truncate(24 * time.Hour)
	h.putLifecycle("bkt", lifecycleBody(abortRule("r", "", "Enabled",
		"<CreatedBeforeDate>"+midnight.Format("2006-01-02T15:04:05.000Z")+"</CreatedBeforeDate>")))
	h.uploadAt(clock, midnight.Add(-time.Second), "bkt", "before")
	h.uploadAt(clock, midnight, "bkt", "at")
	if n := h.srv.sweep(t.Context()).aborted; n != 1 {
		t.Errorf("sweep aborted %d uploads, want 1", n)
	}
	wantKeys(t, "CreatedBeforeDate", h.uploadKeys("bkt"), "at")
}

// TestSweepServerDefault: Config.AbortIncompleteAfter applies to every
// bucket, with lifecycle rules or without.
func TestSweepServerDefault(t *testing.T) {
	h, clock, _ := sweepHarness(t, func(c *Config) { c.AbortIncompleteAfter = 48 * time.Hour })
	now := clock.Now()
	for _, b := range []string{"one", "two"} {
		h.mkbucket(b)
		h.uploadAt(clock, now.Add(-72*time.Hour), b, "old")
		h.uploadAt(clock, now.Add(-24*time.Hour), b, "young")
	}
	h.putLifecycle("two", lifecycleBody(abortRule("r", "young", "Disabled", "<Days>1</Days>")))
	if n := h.srv.sweep(t.Context()).aborted; n != 2 {
		t.Errorf("sweep aborted %d uploads, want 2", n)
	}
	for _, b := range []string{"one", "two"} {
		wantKeys(t, b, h.uploadKeys(b), "young")
	}
}

// TestLifecycleSurvivesRestart: the rules are in the store, so a restarted
// server returns and applies them.
func TestLifecycleSurvivesRestart(t *testing.T) {
	h, clock, mod := sweepHarness(t, nil)
	h.mkbucket("bkt")
	body := lifecycleBody(abortRule("r", "a/", "Enabled", "<Days>2</Days>"))
	h.putLifecycle("bkt", body)
	h.uploadAt(clock, clock.Now().Add(-50*time.Hour), "bkt", "a/old")
	before := show(h.getLifecycle("bkt"))
	h.stop()
	h.start(mod)
	if after := show(h.getLifecycle("bkt")); after != before {
		t.Errorf("after restart: %s, want %s", after, before)
	}
	if n := h.srv.sweep(t.Context()).aborted; n != 1 {
		t.Errorf("sweep after restart aborted %d uploads, want 1", n)
	}
}

// TestSweepsRun runs the background sweeps in a bubble of fake time: the
// first at Open, then one per interval, and none after Close, whose
// goroutine is then gone.
func TestSweepsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		srv, err := Open(Config{
			Dir: t.TempDir(), Credentials: []Credential{testCred}, Logger: slog.New(slog.DiscardHandler),
			AbortIncompleteAfter: 90 * time.Minute, LifecycleInterval: time.Hour,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.store.CreateBucket(ctx, store.Bucket{Name: "bkt"}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.store.CreateUpload(ctx, "bkt", "k", store.Metadata{}); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			res, err := srv.store.ListUploads(ctx, "bkt", store.ListUploadsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Uploads)
		}
		time.Sleep(time.Hour + time.Second) // the sweep at one hour: not yet old enough
		synctest.Wait()
		if n := count(); n != 1 {
			t.Fatalf("after 1h: %d uploads, want 1", n)
		}
		time.Sleep(time.Hour) // the sweep at two hours aborts it
		synctest.Wait()
		if n := count(); n != 0 {
			t.Fatalf("after 2h: %d uploads, want 0", n)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if stacks := goroutineStacks(); strings.Contains(stacks, "startSweeps") {
			t.Errorf("a sweep goroutine outlived Close:\n%s", stacks)
		}
	})
}

// stalledStore blocks ListBuckets, whatever its context, until released:
// a sweep stuck in a slow store call.
type stalledStore struct {
	store.Store
	release chan struct{}
}

func (s stalledStore) ListBuckets(ctx context.Context, prefix, marker string, max int) ([]store.Bucket, bool, error) {
	<-s.release
	return s.Store.ListBuckets(ctx, prefix, marker, max)
}

// TestCloseWaitsForSweep: Close does not close the store under a sweep
// in progress; it returns once the sweep has ended.
func TestCloseWaitsForSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := Open(Config{Dir: t.TempDir(), Credentials: []Credential{testCred}, Logger: slog.New(slog.DiscardHandler), LifecycleInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		srv.store = stalledStore{Store: srv.store, release: release}
		srv.startSweeps(time.Hour)
		synctest.Wait()
		closed := make(chan error)
		go func() { closed <- srv.Close() }()
		synctest.Wait()
		select {
		case <-closed:
			t.Fatal("Close returned while a sweep was in progress")
		default:
		}
		close(release)
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		if stacks := goroutineStacks(); strings.Contains(stacks, "startSweeps") {
			t.Errorf("a sweep goroutine outlived Close:\n%s", stacks)
		}
	})
}

// TestCloseStopsSweeps checks, in real time, that Close leaves no sweep
// goroutine behind, in particular with the default interval.
func TestCloseStopsSweeps(t *testing.T) {
	for _, interval := range []time.Duration{0, time.Millisecond} {
		srv, err := Open(Config{Dir: t.TempDir(), Credentials: []Credential{testCred}, Logger: slog.New(slog.DiscardHandler), LifecycleInterval: interval})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if stacks := goroutineStacks(); strings.Contains(stacks, "startSweeps") {
			t.Errorf("interval %v: a sweep goroutine outlived Close:\n%s", interval, stacks)
		}
	}
}

// goroutineStacks returns the stacks of every goroutine.
func goroutineStacks() string {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return b.String()
}
