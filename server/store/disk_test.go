package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openDisk(t *testing.T, dir string, opts Options) *Disk {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := openDisk(t, dir, blobOnly)
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	u := e.create("k")
	p1, p2 := data(1, MinPartSize+3), data(2, 777)
	e.part(u, 1, p1)
	e.part(u, 2, p2)
	e.put("plain", []byte("plain"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openDisk(t, dir, blobOnly)
	defer s.Close()
	e.s = s
	if s.opened != (gcStats{}) {
		t.Errorf("reopen collected %+v", s.opened)
	}
	parts, _, err := s.ListParts(ctx, "b", "k", u.ID, 0, 0)
	if err != nil || len(parts) != 2 || parts[0].ETag != etagOf(p1) || parts[1].Size != 777 {
		t.Fatalf("ListParts after reopen = %+v, %v", parts, err)
	}
	if _, err := s.CompleteUpload(ctx, "b", "k", u.ID, nil, "", PutOptions{}); err != nil {
		t.Fatal(err)
	}
	wantSame(t, "multipart", e.read("k"), append(bytes.Clone(p1), p2...))
	wantSame(t, "plain", e.read("plain"), []byte("plain"))
}

// TestLifecycleReopen checks that lifecycle rules survive reopening.
func TestLifecycleReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := openDisk(t, dir, blobOnly)
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	rules := []LifecycleRule{{ID: "r", Prefix: "p/", Enabled: true, AbortDays: 3}}
	if err := s.PutBucketLifecycle(ctx, "b", rules); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDisk(t, dir, blobOnly)
	defer s.Close()
	wantRules(t, &env{t: t, s: s}, rules)
}

func TestOpenCollects(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	e.put("k", []byte("keep me"))
	e.part(e.create("u"), 1, []byte("part"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	stray := []string{
		filepath.Join(dir, "tmp", newBlobID()),
		filepath.Join(dir, "blobs", "ab", "ab"+newBlobID()[2:]),
		filepath.Join(dir, "blobs", "00", "not-a-blob"),
		filepath.Join(dir, "blobs", "junk"),
	}
	for _, name := range stray {
		if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	s = openDisk(t, dir, Options{InlineMax: -1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer s.Close()
	e.s = s
	if want := (gcStats{tmp: 1, stray: 3}); s.opened != want {
		t.Errorf("collected %+v, want %+v", s.opened, want)
	}
	for _, name := range stray {
		if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s survived Open: %v", name, err)
		}
	}
	if !strings.Contains(logs.String(), "stray_blobs_removed=3") {
		t.Errorf("log = %q", logs.String())
	}
	wantSame(t, "object", e.read("k"), []byte("keep me"))
	e.wantBlobs(2)
}

func TestOpenMissingBlob(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	e.put("k", []byte("gone"))
	refs, _ := s.referenced()
	s.Close()
	for id := range refs {
		if err := os.Remove(filepath.Join(dir, blobPath(id))); err != nil {
			t.Fatal(err)
		}
	}
	s = openDisk(t, dir, blobOnly)
	defer s.Close()
	if s.opened.missing != 1 {
		t.Errorf("missing = %d, want 1", s.opened.missing)
	}
	_, _, err := s.OpenObject(t.Context(), "b", "k")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenObject of a lost blob: %v", err)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	defer s.Close()
	start := time.Now()
	_, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v", d)
	}
}

func TestOpenLayoutVersion(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bktStore)).Put([]byte(keyVersion), []byte{99}) })
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "layout version") {
		t.Errorf("Open of a newer layout: %v", err)
	}
}

// TestOpenLayout2 opens a store of layout 2 (before inline objects): its
// objects read back, it is recorded as the current layout, and it then
// takes inline objects.
func TestOpenLayout2(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	old := data(4, 1000)
	e.put("old", old)
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bktStore)).Put([]byte(keyVersion), []byte{2}) })
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openDisk(t, dir, Options{})
	defer s.Close()
	e.s = s
	if !s.opened.upgraded || s.opened.refsFixed != 0 || s.opened.stray != 0 {
		t.Errorf("open of a layout 2 store collected %+v", s.opened)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte(bktStore)).Get([]byte(keyVersion)); len(v) != 1 || v[0] != layoutVersion {
			t.Errorf("layout after the upgrade: %v", v)
		}
		return nil
	})
	wantSame(t, "object of layout 2", e.read("old"), old)
	e.put("new", []byte("inline"))
	wantSame(t, "inline object", e.read("new"), []byte("inline"))
	if n := countFiles(t, filepath.Join(dir, blobsDir)); n != 1 {
		t.Errorf("%d blob files, want the layout 2 object's one", n)
	}
}

func TestReadWhileReplaced(t *testing.T) {
	e := newEnv(t, diskHarness(blobOnly))
	ctx := t.Context()
	body := data(1, 300_000)
	e.put("plain", body)
	_, r, err := e.s.OpenObject(ctx, "b", "plain")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	e.put("plain", []byte("new"))
	if err := e.s.DeleteObject(ctx, "b", "plain"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, "replaced while open", got, body)

	want := e.multipartObject("mp", []int{MinPartSize, 10})
	_, r2, err := e.s.OpenObject(ctx, "b", "mp")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if err := e.s.DeleteObject(ctx, "b", "mp"); err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(r2)
	if !errors.Is(err, fs.ErrNotExist) || !bytes.Equal(got, want[:MinPartSize]) {
		t.Errorf("read after delete: %d bytes, %v; want the first part, then fs.ErrNotExist", len(got), err)
	}
	e.wantBlobs(0)
}

// onRead runs fn once, at the first Read.
type onRead struct {
	r  io.Reader
	fn func()
}

func (o *onRead) Read(p []byte) (int, error) {
	if o.fn != nil {
		o.fn()
		o.fn = nil
	}
	return o.r.Read(p)
}

// TestChangedDuringBody changes state while a body streams: the commit
// rechecks and the new blob is removed.
func TestChangedDuringBody(t *testing.T) {
	e := newEnv(t, diskHarness(blobOnly))
	ctx := t.Context()
	u := e.create("k")
	body := func(fn func()) io.Reader { return &onRead{r: strings.NewReader("body"), fn: fn} }
	_, err := e.s.PutPart(ctx, "b", "k", u.ID, 1, body(func() {
		if err := e.s.AbortUpload(ctx, "b", "k", u.ID); err != nil {
			t.Error(err)
		}
	}), 4, nil)
	wantErr(t, "upload aborted during PutPart", err, ErrNoSuchUpload)
	_, err = e.s.PutObject(ctx, "b", "k", body(func() { e.put("k", []byte("first")) }), 4, Metadata{}, PutOptions{ForbidOverwrite: true})
	wantErr(t, "key taken during PutObject", err, ErrFileAlreadyExists)
	wantSame(t, "winner", e.read("k"), []byte("first"))
	if _, err := e.s.CreateBucket(ctx, Bucket{Name: "gone"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.PutObject(ctx, "gone", "k", body(func() {
		if err := e.s.DeleteBucket(ctx, "gone"); err != nil {
			t.Error(err)
		}
	}), 4, Metadata{}, PutOptions{})
	wantErr(t, "bucket deleted during PutObject", err, ErrNoSuchBucket)
	e.wantBlobs(1)
	if n := countFiles(t, filepath.Join(e.s.(*Disk).dir, tmpDir)); n != 0 {
		t.Errorf("%d files left in tmp", n)
	}
}

func TestWalkHelpers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a", "b"}, {"a/", "a0"}, {"a\xff", "b"}, {"\xff\xff", ""}, {"", ""}, {"a\xfe\xff", "a\xff"},
	} {
		if got := string(successor([]byte(tc.in))); got != tc.want {
			t.Errorf("successor(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ key, prefix, delim, want string }{
		{"a/b/c", "", "/", "a/"}, {"a/b/c", "a/", "/", "a/b/"}, {"a/b", "a/b", "/", ""},
		{"a//b", "a/", "/", "a//"}, {"a/b", "", "", ""}, {"b/x", "a", "/", ""}, {"aébé", "a", "é", "aé"},
	} {
		if got := string(rollUp([]byte(tc.key), []byte(tc.prefix), []byte(tc.delim))); got != tc.want {
			t.Errorf("rollUp(%q, %q, %q) = %q, want %q", tc.key, tc.prefix, tc.delim, got, tc.want)
		}
	}
}

func TestRecords(t *testing.T) {
	rec := &objectRec{
		objectHdr: objectHdr{Size: 12, ETag: "E", CRC64: 5, Type: TypeMultipart, Meta: metaRec{User: map[string]string{"a": "b"}}},
		Blobs:     []blobRef{{ID: newBlobID(), Size: 2}, {ID: newBlobID(), Size: 1 << 40}},
	}
	enc, err := encodeObject(rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeObject(enc, true)
	if err != nil || got.Size != 12 || got.Meta.User["a"] != "b" || len(got.Blobs) != 2 || got.Blobs[1] != rec.Blobs[1] {
		t.Errorf("round trip = %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {2}, enc[:len(enc)-3], {1, 200}} {
		if _, err := decodeObject(bad, true); err == nil {
			t.Errorf("decodeObject(%v) succeeded", bad)
		}
	}
	var u uploadRec
	if err := decodeJSON([]byte{2, '{', '}'}, &u); !errors.Is(err, errRecordVersion) {
		t.Errorf("decodeJSON of version 2: %v", err)
	}
	part := partRec{Size: 5, MD5: [16]byte{1, 2}, CRC64: 7, Modified: 9, Blobs: []blobRef{{ID: newBlobID(), Size: 5}}}
	enc, err = encodePart(&part)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodePart(enc); err != nil || !reflect.DeepEqual(got, part) {
		t.Errorf("part round trip = %+v, %v; want %+v", got, err, part)
	}
	copied := partRec{Size: 9, MD5: [16]byte{3}, CRC64: 8, Modified: 10,
		Blobs: []blobRef{{ID: newBlobID(), Size: 4}, {ID: newBlobID(), Size: 5}}}
	enc2, err := encodePart(&copied)
	if err != nil {
		t.Fatal(err)
	}
	if enc2[0] != partRecVersion2 {
		t.Errorf("part of two blobs encoded as version %d", enc2[0])
	}
	if got, err := decodePart(enc2); err != nil || !reflect.DeepEqual(got, copied) {
		t.Errorf("copied part round trip = %+v, %v; want %+v", got, err, copied)
	}
	for _, bad := range [][]byte{nil, {2}, {3}, enc[:len(enc)-1], enc2[:len(enc2)-1]} {
		if _, err := decodePart(bad); err == nil {
			t.Errorf("decodePart(%v) succeeded", bad)
		}
	}
	for _, tc := range []struct {
		etag string
		want bool
	}{
		{`"0102` + strings.Repeat("0", 28) + `"`, true}, {"0102" + strings.Repeat("0", 28), true},
		{"0102" + strings.Repeat("0", 29), false}, {"01", false}, {"zz" + strings.Repeat("0", 30), false},
		{strings.Repeat("0", 64), false},
	} {
		if got := etagMatches(tc.etag, part.MD5); got != tc.want {
			t.Errorf("etagMatches(%q) = %v", tc.etag, got)
		}
	}
}

// TestClock checks that every time the store records comes from
// Options.Now.
func TestClock(t *testing.T) {
	ctx := t.Context()
	at := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
	s := openDisk(t, t.TempDir(), Options{InlineMax: -1, Now: func() time.Time { return at }})
	defer s.Close()
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	b, _ := s.GetBucket(ctx, "b")
	u := e.create("k")
	p := e.part(u, 1, []byte("part"))
	o := e.put("plain", []byte("plain"))
	m, err := s.CompleteUpload(ctx, "b", "k", u.ID, nil, "", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]time.Time{
		"bucket created": b.Created, "upload initiated": u.Initiated, "part modified": p.Modified,
		"object modified": o.Modified, "multipart object modified": m.Modified,
	} {
		if !got.Equal(at) {
			t.Errorf("%s %v, want %v", what, got, at)
		}
	}
}

// TestRefCountsUpgradeAndRepair opens a store of layout 1 (no reference
// counts), which Open counts and upgrades, then one whose counts were
// damaged, which Open repairs.
func TestRefCountsUpgradeAndRepair(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openDisk(t, dir, blobOnly)
	e := &env{t: t, h: diskHarness(blobOnly), s: s}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	body := data(7, 1000)
	e.put("a", body)
	u := e.create("m")
	e.part(u, 1, data(8, 10))
	set := func(fn func(tx *bolt.Tx) error) {
		t.Helper()
		if err := s.db.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	set(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte(bktStore)).Put([]byte(keyVersion), []byte{1}); err != nil {
			return err
		}
		return tx.DeleteBucket([]byte(bktRefs))
	})
	s.Close()

	s = openDisk(t, dir, blobOnly)
	if !s.opened.upgraded || s.opened.refsFixed != 0 || s.opened.stray != 0 {
		t.Errorf("open of a layout 1 store collected %+v", s.opened)
	}
	counts, err := s.countRefs()
	if err != nil || len(counts) != 2 {
		t.Fatalf("countRefs = %v, %v", counts, err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		for id := range counts {
			if n := refCount(tx, id); n != 1 {
				t.Errorf("blob %s count %d after upgrade, want 1", id, n)
			}
		}
		return nil
	})
	// The upgraded store shares and frees as a new one does.
	if _, err := s.CopyObject(ctx, "b", "a", "b", "a2", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteObject(ctx, "b", "a"); err != nil {
		t.Fatal(err)
	}
	e.s = s
	wantSame(t, "copy of an upgraded object", e.read("a2"), body)

	// Damage: a wrong count and a count for a blob nothing references.
	var id string
	for k := range counts {
		id = k
	}
	set(func(tx *bolt.Tx) error {
		refs := tx.Bucket([]byte(bktRefs))
		k, _ := refKey(id)
		if err := refs.Put(k, []byte{5}); err != nil {
			return err
		}
		ghost, _ := refKey(newBlobID())
		return refs.Put(ghost, []byte{1})
	})
	s.Close()
	s = openDisk(t, dir, blobOnly)
	defer s.Close()
	if s.opened.refsFixed != 2 || s.opened.upgraded {
		t.Errorf("open of damaged counts collected %+v", s.opened)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if n := refCount(tx, id); n != 1 {
			t.Errorf("repaired count %d, want 1", n)
		}
		return nil
	})
}

// blobOnly opens a Disk that keeps every body in a blob file, for the
// tests that count, lose or replace blob files.
var blobOnly = Options{InlineMax: -1}

// TestVersionsReopen checks that Open counts the references of
// noncurrent versions: none of their blobs is collected, and no count
// needs repair.
func TestVersionsReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s, err := Open(dir, Options{InlineMax: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBucketVersioning(ctx, "b", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		body := []byte(fmt.Sprint("version ", i))
		o, err := s.PutObject(ctx, "b", "k", bytes.NewReader(body), int64(len(body)), Metadata{}, PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.VersionID)
	}
	if _, err := s.CopyObject(ctx, "b", "k", "b", "copy", CopyOptions{SourceVersion: ids[0]}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteObjects(ctx, "b", []string{"k", "copy"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{InlineMax: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.opened.stray != 0 || s.opened.missing != 0 || s.opened.refsFixed != 0 {
		t.Fatalf("reopened: %+v", s.opened)
	}
	for i, id := range ids {
		_, r, err := s.OpenVersion(ctx, "b", "k", id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		_ = r.Close()
		if want := fmt.Sprint("version ", i); err != nil || string(got) != want {
			t.Fatalf("version %d: %q, %v", i, got, err)
		}
	}
}

// TestWithBucket checks that a change pinned to a bucket fails, and
// changes nothing, once that bucket was deleted and its name taken again.
func TestWithBucket(t *testing.T) {
	s := openDisk(t, t.TempDir(), Options{})
	defer s.Close()
	ctx := t.Context()
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b", Owner: "attacker"}); err != nil {
		t.Fatal(err)
	}
	old, err := s.GetBucket(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	pinned := WithBucket(ctx, old)
	if err := s.PutBucketConfig(pinned, "b", "policy", []byte("{}")); err != nil {
		t.Fatalf("a change to the bucket pinned: %v", err)
	}
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b", Owner: "victim"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBucketConfig(pinned, "b", "policy", []byte(`{"evil":1}`)); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("a policy for the old bucket put into the new one: %v", err)
	}
	body := []byte("x")
	if _, err := s.PutObject(pinned, "b", "k", bytes.NewReader(body), 1, Metadata{}, PutOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("an object for the old bucket put into the new one: %v", err)
	}
	if _, err := s.GetBucketConfig(ctx, "b", "policy"); !errors.Is(err, ErrNoSuchConfig) {
		t.Fatalf("the new bucket's policy: %v", err)
	}
	if _, err := s.HeadObject(ctx, "b", "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("the new bucket's object: %v", err)
	}
	now, _ := s.GetBucket(ctx, "b")
	if err := s.PutBucketConfig(WithBucket(ctx, now), "b", "policy", []byte("{}")); err != nil {
		t.Fatalf("a change pinned to the new bucket: %v", err)
	}
}
