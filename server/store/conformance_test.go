package store

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

// harness is what the conformance suite needs from a Store
// implementation.
type harness struct {
	// open returns a new, empty store, closed when the test ends.
	open func(t *testing.T) Store
	// blobs counts the content files s keeps; nil when s has none to count.
	blobs func(t *testing.T, s Store) int
}

// diskHarness runs the suite on Disk with opts. Its blob files are
// counted only when no body is kept inline, since the suite's counts
// assume a blob per object.
func diskHarness(opts Options) harness {
	h := harness{
		open: func(t *testing.T) Store {
			s, err := Open(t.TempDir(), opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			})
			return s
		},
	}
	if opts.InlineMax < 0 {
		h.blobs = func(t *testing.T, s Store) int {
			return countFiles(t, filepath.Join(s.(*Disk).dir, blobsDir))
		}
	}
	return h
}

// TestStore runs the conformance suite against Disk with every object in
// blob files, counting them.
func TestStore(t *testing.T) {
	runConformance(t, diskHarness(Options{InlineMax: -1}))
}

// TestStoreInline runs the conformance suite against Disk as it is
// configured by default: small objects kept in their records.
func TestStoreInline(t *testing.T) {
	runConformance(t, diskHarness(Options{}))
}

// runConformance is the Store conformance suite.
func runConformance(t *testing.T, h harness) {
	t.Run("Buckets", func(t *testing.T) { testBuckets(t, h) })
	t.Run("NoSuchBucket", func(t *testing.T) { testNoSuchBucket(t, h) })
	t.Run("Objects", func(t *testing.T) { testObjects(t, h) })
	t.Run("DeleteObjects", func(t *testing.T) { testDeleteObjects(t, h) })
	t.Run("ObjectBodies", func(t *testing.T) { testObjectBodies(t, h) })
	t.Run("Seek", func(t *testing.T) { testSeek(t, h) })
	t.Run("Uploads", func(t *testing.T) { testUploads(t, h) })
	t.Run("Parts", func(t *testing.T) { testParts(t, h) })
	t.Run("Complete", func(t *testing.T) { testComplete(t, h) })
	t.Run("CompleteErrors", func(t *testing.T) { testCompleteErrors(t, h) })
	t.Run("Abort", func(t *testing.T) { testAbort(t, h) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, h) })
	t.Run("ListObjects", func(t *testing.T) { testListObjects(t, h) })
	t.Run("ListUploads", func(t *testing.T) { testListUploads(t, h) })
	t.Run("ListParts", func(t *testing.T) { testListParts(t, h) })
	t.Run("ListBuckets", func(t *testing.T) { testListBuckets(t, h) })
	t.Run("Lifecycle", func(t *testing.T) { testLifecycle(t, h) })
	t.Run("CopyObject", func(t *testing.T) { testCopyObject(t, h) })
	t.Run("CopyPart", func(t *testing.T) { testCopyPart(t, h) })
	t.Run("Append", func(t *testing.T) { testAppend(t, h) })
	t.Run("SymlinkAndTags", func(t *testing.T) { testSymlinkAndTags(t, h) })
	t.Run("Config", func(t *testing.T) { testConfig(t, h) })
	t.Run("Versioning", func(t *testing.T) { testVersioning(t, h) })
	t.Run("VersionsModel", func(t *testing.T) { testVersionsModel(t, h) })
	t.Run("VersionsDeleteAsListed", func(t *testing.T) { testVersionsDeleteAsListed(t, h) })
	t.Run("Restore", func(t *testing.T) { testRestore(t, h) })
}

// env is one store under test with a bucket named "b".
type env struct {
	t *testing.T
	h harness
	s Store
}

func newEnv(t *testing.T, h harness) *env {
	t.Helper()
	e := &env{t: t, h: h, s: h.open(t)}
	if _, err := e.s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// wantBlobs checks the store keeps want content files, when countable.
func (e *env) wantBlobs(want int) {
	e.t.Helper()
	if e.h.blobs == nil {
		return
	}
	if got := e.h.blobs(e.t, e.s); got != want {
		e.t.Errorf("blob files = %d, want %d", got, want)
	}
}

func (e *env) put(key string, body []byte) Object {
	e.t.Helper()
	o, err := e.s.PutObject(e.t.Context(), "b", key, bytes.NewReader(body), int64(len(body)), Metadata{}, PutOptions{})
	if err != nil {
		e.t.Fatalf("PutObject(%q): %v", key, err)
	}
	return o
}

func (e *env) read(key string) []byte {
	e.t.Helper()
	_, r, err := e.s.OpenObject(e.t.Context(), "b", key)
	if err != nil {
		e.t.Fatalf("OpenObject(%q): %v", key, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		e.t.Fatalf("read %q: %v", key, err)
	}
	return got
}

func (e *env) create(key string) Upload {
	e.t.Helper()
	u, err := e.s.CreateUpload(e.t.Context(), "b", key, Metadata{})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) part(u Upload, n int, body []byte) Part {
	e.t.Helper()
	p, err := e.s.PutPart(e.t.Context(), "b", u.Key, u.ID, n, bytes.NewReader(body), int64(len(body)), nil)
	if err != nil {
		e.t.Fatalf("PutPart(%d): %v", n, err)
	}
	return p
}

// wantSame checks that got has the bytes of want, by digest.
func wantSame(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if md5.Sum(got) != md5.Sum(want) || crc64.Checksum(got) != crc64.Checksum(want) {
		t.Errorf("%s: got %d bytes (crc %d), want %d bytes (crc %d)",
			what, len(got), crc64.Checksum(got), len(want), crc64.Checksum(want))
	}
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s: err = %v, want %v", what, got, want)
	}
}

// data returns n deterministic pseudo-random bytes.
func data(seed uint64, n int) []byte {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	p := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(p)
	return p
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testBuckets(t *testing.T, h harness) {
	ctx := t.Context()
	s := h.open(t)
	created, err := s.CreateBucket(ctx, Bucket{Name: "one", ACL: "public-read"})
	if err != nil || !created {
		t.Fatalf("CreateBucket = %v, %v; want true, nil", created, err)
	}
	got, err := s.GetBucket(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "owned", Owner: "acct-1"}); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.GetBucket(ctx, "owned"); o.Owner != "acct-1" {
		t.Errorf("Owner = %q, want acct-1", o.Owner)
	}
	if err := s.DeleteBucket(ctx, "owned"); err != nil {
		t.Fatal(err)
	}
	if got.Name != "one" || got.ACL != "public-read" || got.StorageClass != DefaultStorageClass ||
		got.DataRedundancyType != DefaultDataRedundancyType || got.Created.IsZero() {
		t.Errorf("GetBucket = %+v", got)
	}
	again := []struct {
		name string
		b    Bucket
		err  error
	}{
		{"same settings", Bucket{Name: "one", ACL: "public-read-write", StorageClass: "Standard", DataRedundancyType: "LRS"}, nil},
		{"case differs", Bucket{Name: "one", ACL: "private", StorageClass: "standard"}, nil},
		{"other class", Bucket{Name: "one", StorageClass: "IA"}, ErrBucketExists},
		{"other redundancy", Bucket{Name: "one", DataRedundancyType: "ZRS"}, ErrBucketExists},
		{"other owner", Bucket{Name: "one", Owner: "someone-else"}, ErrBucketExists},
	}
	for _, tc := range again {
		created, err := s.CreateBucket(ctx, tc.b)
		if created || !errors.Is(err, tc.err) {
			t.Errorf("%s: CreateBucket = %v, %v; want false, %v", tc.name, created, err, tc.err)
		}
		if got, _ := s.GetBucket(ctx, "one"); tc.err == nil && got.ACL != tc.b.ACL {
			t.Errorf("%s: ACL = %q, want %q", tc.name, got.ACL, tc.b.ACL)
		}
	}
	if err := s.SetBucketACL(ctx, "one", "public-read"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetBucket(ctx, "one"); got.ACL != "public-read" {
		t.Errorf("after SetBucketACL: ACL = %q", got.ACL)
	}
	for i := 1; i < MaxBuckets; i++ {
		if _, err := s.CreateBucket(ctx, Bucket{Name: fmt.Sprintf("b%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.CreateBucket(ctx, Bucket{Name: "extra"})
	wantErr(t, "bucket 101", err, ErrTooManyBuckets)
	if created, err := s.CreateBucket(ctx, Bucket{Name: "b001"}); created || err != nil {
		t.Errorf("re-create at the limit = %v, %v", created, err)
	}
	testDeleteBucket(t, s)
}

func testDeleteBucket(t *testing.T, s Store) {
	ctx := t.Context()
	if _, err := s.PutObject(ctx, "one", "k", strings.NewReader("x"), 1, Metadata{}, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with object", s.DeleteBucket(ctx, "one"), ErrBucketNotEmpty)
	if err := s.DeleteObject(ctx, "one", "k"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUpload(ctx, "one", "k", Metadata{})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with upload", s.DeleteBucket(ctx, "one"), ErrBucketNotEmpty)
	if err := s.AbortUpload(ctx, "one", "k", u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "one"); err != nil {
		t.Fatalf("delete empty bucket: %v", err)
	}
	wantErr(t, "delete again", s.DeleteBucket(ctx, "one"), ErrNoSuchBucket)
	_, err = s.GetBucket(ctx, "one")
	wantErr(t, "GetBucket after delete", err, ErrNoSuchBucket)
	if _, err := s.CreateBucket(ctx, Bucket{Name: "extra"}); err != nil {
		t.Errorf("create after delete at the limit: %v", err)
	}
}

func testNoSuchBucket(t *testing.T, h harness) {
	s := h.open(t)
	ctx := t.Context()
	body := func() io.Reader { return strings.NewReader("x") }
	calls := map[string]func() error{
		"GetBucket":    func() error { _, err := s.GetBucket(ctx, "nope"); return err },
		"SetBucketACL": func() error { return s.SetBucketACL(ctx, "nope", "private") },
		"DeleteBucket": func() error { return s.DeleteBucket(ctx, "nope") },
		"PutBucketLifecycle": func() error {
			return s.PutBucketLifecycle(ctx, "nope", []LifecycleRule{{ID: "r", AbortDays: 1}})
		},
		"GetBucketLifecycle": func() error {
			_, err := s.GetBucketLifecycle(ctx, "nope")
			return err
		},
		"DeleteBucketLifecycle": func() error { return s.DeleteBucketLifecycle(ctx, "nope") },
		"PutObject": func() error {
			_, err := s.PutObject(ctx, "nope", "k", body(), 1, Metadata{}, PutOptions{})
			return err
		},
		"HeadObject":   func() error { _, err := s.HeadObject(ctx, "nope", "k"); return err },
		"OpenObject":   func() error { _, _, err := s.OpenObject(ctx, "nope", "k"); return err },
		"DeleteObject": func() error { return s.DeleteObject(ctx, "nope", "k") },
		"DeleteObjects": func() error {
			return s.DeleteObjects(ctx, "nope", []string{"k"})
		},
		"ListObjects":  func() error { _, err := s.ListObjects(ctx, "nope", ListOptions{}); return err },
		"CreateUpload": func() error { _, err := s.CreateUpload(ctx, "nope", "k", Metadata{}); return err },
		"GetUpload":    func() error { _, err := s.GetUpload(ctx, "nope", "k", "ID"); return err },
		"PutPart": func() error {
			_, err := s.PutPart(ctx, "nope", "k", "ID", 1, body(), 1, nil)
			return err
		},
		"ListParts": func() error { _, _, err := s.ListParts(ctx, "nope", "k", "ID", 0, 0); return err },
		"CompleteUpload": func() error {
			_, err := s.CompleteUpload(ctx, "nope", "k", "ID", nil, "", PutOptions{})
			return err
		},
		"AbortUpload": func() error { return s.AbortUpload(ctx, "nope", "k", "ID") },
		"ListUploads": func() error { _, err := s.ListUploads(ctx, "nope", ListUploadsOptions{}); return err },
	}
	for name, call := range calls {
		wantErr(t, name, call(), ErrNoSuchBucket)
	}
}
