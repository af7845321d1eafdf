package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// restoreHarness is a sweepHarness whose restores take a second (Archive)
// or four (ColdArchive at Standard), and whose days last a minute, so
// that the clock moves through whole restores without leaving the
// signature's window.
func restoreHarness(t *testing.T) (*harness, *fakeClock, func(*Config)) {
	return sweepHarness(t, func(c *Config) {
		c.RestoreDelay, c.ColdRestoreDelay, c.RestoreDay = time.Second, 4*time.Second, time.Minute
	})
}

func (h *harness) putClass(bucket, key, class, body string) {
	h.t.Helper()
	h.ok(call{method: "PUT", bucket: bucket, key: key, body: []byte(body), header: map[string]string{"x-oss-storage-class": class}}, http.StatusOK)
}

// restore sends RestoreObject with body (none when empty) and checks its
// status.
func (h *harness) restore(bucket, key, body string, want int) response {
	h.t.Helper()
	c := call{method: "POST", bucket: bucket, key: key, query: "restore"}
	if body != "" {
		c.body = []byte(body)
	}
	return h.ok(c, want)
}

func restoreBody(days int, tier string) string {
	b := "<RestoreRequest><Days>" + strconv.Itoa(days) + "</Days>"
	if tier != "" {
		b += "<JobParameters><Tier>" + tier + "</Tier></JobParameters>"
	}
	return b + "</RestoreRequest>"
}

func (h *harness) restoreHeader(bucket, key string) string {
	h.t.Helper()
	return h.ok(call{method: "HEAD", bucket: bucket, key: key}, http.StatusOK).Header.Get("x-oss-restore")
}

// TestStorageClasses: every OSS class is taken and reported by HEAD, GET
// of the readable ones and listings; any other is InvalidArgument.
func TestStorageClasses(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	classes := []string{"Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive"}
	for _, c := range classes {
		h.putClass("bkt", c, c, "x")
		if got := h.headClass("bkt", c); got != c {
			t.Errorf("HEAD %s: class %s", c, got)
		}
	}
	for _, c := range []string{"standard", "Glacier", "GLACIER", "Cold", "x"} {
		e := h.fails(call{method: "PUT", bucket: "bkt", key: "bad", body: []byte("x"), header: map[string]string{"x-oss-storage-class": c}}, ossxml.CodeInvalidArgument)
		if e.ArgumentName != "x-oss-storage-class" {
			t.Errorf("class %s: argument %q", c, e.ArgumentName)
		}
		h.fails(call{method: "POST", bucket: "bkt", key: "bad", query: "uploads", header: map[string]string{"x-oss-storage-class": c}}, ossxml.CodeInvalidArgument)
	}
	if h.present("bkt", "bad")["bad"] {
		t.Error("a refused class stored an object")
	}
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "bkt"}, &list)
	for _, o := range list.Contents {
		if o.StorageClass != o.Key || o.RestoreInfo != "" {
			t.Errorf("listed %s as %s, restore %q", o.Key, o.StorageClass, o.RestoreInfo)
		}
	}
	if len(list.Contents) != len(classes) {
		t.Errorf("listed %d objects", len(list.Contents))
	}
}

// TestArchiveFrozen: an unrestored archived object answers HEAD but not
// GET, CopyObject or UploadPartCopy (403 InvalidObjectState), through a
// symlink too; its metadata, tags and deletion still work.
func TestArchiveFrozen(t *testing.T) {
	h, _, _ := restoreHarness(t)
	h.mkbucket("bkt")
	for _, class := range []string{"Archive", "ColdArchive", "DeepColdArchive"} {
		t.Run(class, func(t *testing.T) {
			h.putClass("bkt", class, class, "frozen")
			h.ok(call{method: "HEAD", bucket: "bkt", key: class}, http.StatusOK)
			h.ok(call{method: "HEAD", bucket: "bkt", key: class, query: "objectMeta"}, http.StatusOK)
			h.fails(call{method: "GET", bucket: "bkt", key: class}, ossxml.CodeInvalidObjectState)
			h.fails(call{method: "GET", bucket: "bkt", key: class, header: map[string]string{"Range": "bytes=0-1"}}, ossxml.CodeInvalidObjectState)
			h.fails(call{method: "PUT", bucket: "bkt", key: "copy", header: map[string]string{"x-oss-copy-source": "/bkt/" + class}}, ossxml.CodeInvalidObjectState)
			h.fails(call{method: "PUT", bucket: "bkt", key: class, header: map[string]string{
				"x-oss-copy-source": "/bkt/" + class, "x-oss-storage-class": "Standard"}}, ossxml.CodeInvalidObjectState)
			id := h.initiate("bkt", "mp", nil)
			h.fails(call{method: "PUT", bucket: "bkt", key: "mp", query: "partNumber=1&uploadId=" + id,
				header: map[string]string{"x-oss-copy-source": "/bkt/" + class}}, ossxml.CodeInvalidObjectState)
			h.ok(call{method: "PUT", bucket: "bkt", key: "link-" + class, query: "symlink", header: map[string]string{"x-oss-symlink-target": class}}, http.StatusOK)
			h.fails(call{method: "GET", bucket: "bkt", key: "link-" + class}, ossxml.CodeInvalidObjectState)
			h.ok(call{method: "PUT", bucket: "bkt", key: class, query: "acl", header: map[string]string{"x-oss-object-acl": "private"}}, http.StatusOK)
			h.ok(call{method: "PUT", bucket: "bkt", key: class, query: "tagging", body: []byte("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>")}, http.StatusOK)
			if h.present("bkt", "copy")["copy"] {
				t.Error("a refused copy stored an object")
			}
			h.ok(call{method: "DELETE", bucket: "bkt", key: class}, http.StatusNoContent)
		})
	}
}

// TestRestore: RestoreObject answers 202, then 409 while the restore is
// under way (HEAD: ongoing-request="true"), then the object reads back
// whole; a restore of a restored object answers 200 and extends its
// expiry by its days; once expired it is frozen again, and restoring
// starts over. The clock is the server's: nothing sleeps.
func TestRestore(t *testing.T) {
	h, clock, _ := restoreHarness(t)
	h.mkbucket("bkt")
	h.putClass("bkt", "a", "Archive", "archived body")
	h.fails(call{method: "GET", bucket: "bkt", key: "a"}, ossxml.CodeInvalidObjectState)
	if got := h.restoreHeader("bkt", "a"); got != "" {
		t.Errorf("x-oss-restore before any restore: %q", got)
	}

	start := clock.Now()
	h.restore("bkt", "a", restoreBody(2, ""), http.StatusAccepted)
	if got := h.restoreHeader("bkt", "a"); got != `ongoing-request="true"` {
		t.Errorf("x-oss-restore while restoring: %q", got)
	}
	h.fails(call{method: "POST", bucket: "bkt", key: "a", query: "restore"}, ossxml.CodeRestoreAlreadyInProgress)
	h.fails(call{method: "GET", bucket: "bkt", key: "a"}, ossxml.CodeInvalidObjectState)
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "bkt"}, &list)
	if list.Contents[0].RestoreInfo != `ongoing-request="true"` {
		t.Errorf("listing RestoreInfo %q", list.Contents[0].RestoreInfo)
	}

	clock.set(start.Add(time.Second - time.Nanosecond))
	h.fails(call{method: "GET", bucket: "bkt", key: "a"}, ossxml.CodeInvalidObjectState)
	clock.set(start.Add(time.Second))
	if got := h.get("bkt", "a"); string(got) != "archived body" {
		t.Fatalf("restored object reads %q", got)
	}
	expiry := start.Add(time.Second + 2*time.Minute)
	wantInfo := `ongoing-request="false", expiry-date="` + expiry.UTC().Format(http.TimeFormat) + `"`
	if got := h.restoreHeader("bkt", "a"); got != wantInfo {
		t.Errorf("x-oss-restore once restored: %q, want %q", got, wantInfo)
	}
	r := h.ok(call{method: "GET", bucket: "bkt", key: "a"}, http.StatusOK)
	if got := r.Header.Get("x-oss-restore"); got != wantInfo {
		t.Errorf("GET x-oss-restore: %q", got)
	}

	// Restoring again extends the expiry by the days asked.
	h.restore("bkt", "a", "", http.StatusOK)
	expiry = expiry.Add(time.Minute)
	clock.set(expiry.Add(-time.Nanosecond))
	if got := h.get("bkt", "a"); string(got) != "archived body" {
		t.Fatalf("object reads %q just before its expiry", got)
	}
	clock.set(expiry)
	h.fails(call{method: "GET", bucket: "bkt", key: "a"}, ossxml.CodeInvalidObjectState)
	if got := h.restoreHeader("bkt", "a"); got != "" {
		t.Errorf("x-oss-restore once expired: %q", got)
	}
	h.restore("bkt", "a", "", http.StatusAccepted)
	clock.set(expiry.Add(time.Second))
	if got := h.get("bkt", "a"); string(got) != "archived body" {
		t.Fatalf("object restored again reads %q", got)
	}
}

// TestRestoreExtensionCapped: extending a restored Archive object's copy
// never takes it past 7 days from now.
func TestRestoreExtensionCapped(t *testing.T) {
	h, clock, _ := restoreHarness(t)
	h.mkbucket("bkt")
	h.putClass("bkt", "a", "Archive", "x")
	start := clock.Now()
	h.restore("bkt", "a", restoreBody(7, ""), http.StatusAccepted)
	clock.set(start.Add(time.Second))
	h.restore("bkt", "a", restoreBody(7, ""), http.StatusOK)
	want := start.Add(time.Second + 7*time.Minute)
	if got := h.restoreHeader("bkt", "a"); !strings.Contains(got, want.UTC().Format(http.TimeFormat)) {
		t.Errorf("x-oss-restore %q, want expiry %s", got, want.UTC().Format(http.TimeFormat))
	}
}

// TestRestoreColdTiers: a cold archive restore takes its tier's time; a
// higher priority asked while one runs brings its end forward (202), the
// same or a lower one is RestoreAlreadyInProgress.
func TestRestoreColdTiers(t *testing.T) {
	h, clock, _ := restoreHarness(t)
	h.mkbucket("bkt")
	tests := []struct {
		class, tier string
		delay       time.Duration
	}{
		{"ColdArchive", "Expedited", 2 * time.Second},
		{"ColdArchive", "Standard", 4 * time.Second},
		{"ColdArchive", "Bulk", 8 * time.Second},
		{"DeepColdArchive", "Expedited", 4 * time.Second},
		{"DeepColdArchive", "Standard", 8 * time.Second},
		{"DeepColdArchive", "", 8 * time.Second},
	}
	base := clock.Now()
	for _, tt := range tests {
		key := tt.class + "-" + tt.tier
		h.putClass("bkt", key, tt.class, "cold")
		clock.set(base)
		r := h.restore("bkt", key, restoreBody(1, tt.tier), http.StatusAccepted)
		if want := tt.tier; want != "" && r.Header.Get("x-oss-object-restore-priority") != want {
			t.Errorf("%s: priority header %q", key, r.Header.Get("x-oss-object-restore-priority"))
		}
		clock.set(base.Add(tt.delay - time.Nanosecond))
		h.fails(call{method: "GET", bucket: "bkt", key: key}, ossxml.CodeInvalidObjectState)
		clock.set(base.Add(tt.delay))
		if got := h.get("bkt", key); string(got) != "cold" {
			t.Errorf("%s reads %q once restored", key, got)
		}
	}

	clock.set(base)
	h.putClass("bkt", "up", "ColdArchive", "cold")
	h.restore("bkt", "up", restoreBody(1, "Bulk"), http.StatusAccepted)
	h.fails(call{method: "POST", bucket: "bkt", key: "up", query: "restore", body: []byte(restoreBody(1, "Bulk"))}, ossxml.CodeRestoreAlreadyInProgress)
	clock.set(base.Add(time.Second))
	h.restore("bkt", "up", restoreBody(1, "Expedited"), http.StatusAccepted)
	h.fails(call{method: "POST", bucket: "bkt", key: "up", query: "restore", body: []byte(restoreBody(1, "Standard"))}, ossxml.CodeRestoreAlreadyInProgress)
	clock.set(base.Add(3 * time.Second))
	if got := h.get("bkt", "up"); string(got) != "cold" {
		t.Errorf("hurried restore reads %q", got)
	}
}

// TestRestoreRefused: RestoreObject of a Standard or IA object is
// OperationNotSupported; days and tiers out of range are InvalidArgument
// with OSS's EC; a missing object is NoSuchKey. None changes anything.
func TestRestoreRefused(t *testing.T) {
	h, _, _ := restoreHarness(t)
	h.mkbucket("bkt")
	h.putClass("bkt", "std", "Standard", "x")
	h.putClass("bkt", "ia", "IA", "x")
	h.putClass("bkt", "arc", "Archive", "x")
	h.putClass("bkt", "cold", "ColdArchive", "x")
	for _, key := range []string{"std", "ia"} {
		h.fails(call{method: "POST", bucket: "bkt", key: key, query: "restore"}, ossxml.CodeOperationNotSupported)
	}
	h.fails(call{method: "POST", bucket: "bkt", key: "nope", query: "restore"}, ossxml.CodeNoSuchKey)
	tests := []struct {
		key, body, ec string
	}{
		{"arc", restoreBody(8, ""), ossxml.ECInvalidRestoreDaysArchive},
		{"arc", restoreBody(-1, ""), ossxml.ECInvalidRestoreDaysArchive},
		{"cold", restoreBody(366, "Standard"), ossxml.ECInvalidRestoreDaysCold},
		{"cold", restoreBody(2, "Test"), ossxml.ECInvalidRestoreTier},
		{"arc", restoreBody(2, "Test"), ossxml.ECInvalidRestoreTier},
	}
	for _, tt := range tests {
		e := h.fails(call{method: "POST", bucket: "bkt", key: tt.key, query: "restore", body: []byte(tt.body)}, ossxml.CodeInvalidArgument)
		if e.EC != tt.ec {
			t.Errorf("%s %s: EC %q, want %q", tt.key, tt.body, e.EC, tt.ec)
		}
	}
	h.fails(call{method: "POST", bucket: "bkt", key: "arc", query: "restore", body: []byte("<RestoreRequest><Days>")}, ossxml.CodeMalformedXML)
	for _, key := range []string{"std", "ia", "arc", "cold"} {
		if got := h.restoreHeader("bkt", key); got != "" {
			t.Errorf("%s: x-oss-restore %q after refused restores", key, got)
		}
	}
	// 365 days is a cold archive's maximum, 7 an Archive's.
	h.restore("bkt", "cold", restoreBody(365, "Bulk"), http.StatusAccepted)
	h.restore("bkt", "arc", restoreBody(7, ""), http.StatusAccepted)
}

// TestRestoreCopies: a restored archived object copies, to Standard or
// onto itself with a new class; the copy is not restored (an archived
// copy is frozen), and overwriting the object drops its restore.
func TestRestoreCopies(t *testing.T) {
	h, clock, _ := restoreHarness(t)
	h.mkbucket("bkt")
	h.putClass("bkt", "a", "Archive", "archived body")
	h.putClass("bkt", "b", "ColdArchive", "cold body")
	start := clock.Now()
	h.restore("bkt", "a", "", http.StatusAccepted)
	h.restore("bkt", "b", "", http.StatusAccepted)
	clock.set(start.Add(time.Minute))

	h.ok(call{method: "PUT", bucket: "bkt", key: "std", header: map[string]string{"x-oss-copy-source": "/bkt/a", "x-oss-storage-class": "Standard"}}, http.StatusOK)
	if got := h.get("bkt", "std"); string(got) != "archived body" || h.headClass("bkt", "std") != "Standard" {
		t.Errorf("copy to Standard: %q, class %s", got, h.headClass("bkt", "std"))
	}
	h.ok(call{method: "PUT", bucket: "bkt", key: "arc", header: map[string]string{"x-oss-copy-source": "/bkt/a"}}, http.StatusOK)
	h.fails(call{method: "GET", bucket: "bkt", key: "arc"}, ossxml.CodeInvalidObjectState)
	id := h.initiate("bkt", "mp", nil)
	h.ok(call{method: "PUT", bucket: "bkt", key: "mp", query: "partNumber=1&uploadId=" + id, header: map[string]string{"x-oss-copy-source": "/bkt/b"}}, http.StatusOK)

	// Copy in place to a warmer class: readable for good.
	h.ok(call{method: "PUT", bucket: "bkt", key: "b", header: map[string]string{"x-oss-copy-source": "/bkt/b", "x-oss-storage-class": "IA"}}, http.StatusOK)
	if got := h.restoreHeader("bkt", "b"); got != "" || h.headClass("bkt", "b") != "IA" {
		t.Errorf("copied in place: x-oss-restore %q, class %s", got, h.headClass("bkt", "b"))
	}
	clock.set(start.Add(10 * time.Minute))
	if got := h.get("bkt", "b"); string(got) != "cold body" {
		t.Errorf("IA copy reads %q", got)
	}
	h.restore("bkt", "a", "", http.StatusAccepted) // expired: starts over
	h.putClass("bkt", "a", "Archive", "new body")
	if got := h.restoreHeader("bkt", "a"); got != "" {
		t.Errorf("overwritten object keeps x-oss-restore %q", got)
	}
}

// TestRestoreSurvivesRestart: the restore is in the object's record, so a
// restart neither loses one under way nor one done.
func TestRestoreSurvivesRestart(t *testing.T) {
	h, clock, mod := restoreHarness(t)
	h.mkbucket("bkt")
	h.putClass("bkt", "a", "Archive", "archived body")
	h.putClass("bkt", "b", "ColdArchive", "cold body")
	start := clock.Now()
	h.restore("bkt", "a", "", http.StatusAccepted)
	h.stop()
	h.start(mod)
	h.fails(call{method: "POST", bucket: "bkt", key: "a", query: "restore"}, ossxml.CodeRestoreAlreadyInProgress)
	clock.set(start.Add(time.Second))
	h.restore("bkt", "b", restoreBody(3, "Expedited"), http.StatusAccepted)
	h.stop()
	h.start(mod)
	if got := h.get("bkt", "a"); string(got) != "archived body" {
		t.Errorf("after a restart, restored object reads %q", got)
	}
	if got := h.restoreHeader("bkt", "b"); got != `ongoing-request="true"` {
		t.Errorf("after a restart, x-oss-restore %q", got)
	}
	clock.set(start.Add(3 * time.Second))
	if got := h.get("bkt", "b"); string(got) != "cold body" {
		t.Errorf("after a restart, cold object reads %q", got)
	}
}

// TestRestoreDefaults: an unset Config gets the documented delays and
// day; negative delays restore at once.
func TestRestoreDefaults(t *testing.T) {
	cfg := Config{}
	restoreSettings(&cfg)
	if cfg.RestoreDelay != DefaultRestoreDelay || cfg.ColdRestoreDelay != DefaultColdRestoreDelay || cfg.RestoreDay != DefaultRestoreDay {
		t.Errorf("defaults %v %v %v", cfg.RestoreDelay, cfg.ColdRestoreDelay, cfg.RestoreDay)
	}
	h, _, _ := sweepHarness(t, func(c *Config) { c.RestoreDelay, c.ColdRestoreDelay = -1, -1 })
	h.mkbucket("bkt")
	h.putClass("bkt", "a", "DeepColdArchive", "now")
	h.restore("bkt", "a", restoreBody(1, "Bulk"), http.StatusAccepted)
	if got := h.get("bkt", "a"); string(got) != "now" {
		t.Errorf("restore without delay reads %q", got)
	}
}
