package oss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// makeTree writes a tree of nested folders with unicode and space names,
// an empty file, n small files and one of big bytes; it returns the tree's
// folder and the files' slash paths.
func makeTree(t *testing.T, n, big int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(rel string, size int) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	add := func(rel string, size int) { write(rel, size); files = append(files, rel) }
	add("empty", 0)
	add("big/huge file.bin", big)
	add("a-x.txt", 10) // '-' and ' ' sort before '/': key order is not walk order
	add("a b.txt", 10)
	for i := range n {
		folders := []string{"a", "a/b c", "ünï/cödé", "deep/er/still"}
		add(fmt.Sprintf("%s/file %d ✓.txt", folders[i%len(folders)], i), 1+rng.IntN(4096))
	}
	return dir, files
}

// sameTree fails t unless every file of files is equal in a and b.
func sameTree(t *testing.T, a, b string, files []string) {
	t.Helper()
	for _, rel := range files {
		x, err1 := os.ReadFile(filepath.Join(a, filepath.FromSlash(rel)))
		y, err2 := os.ReadFile(filepath.Join(b, filepath.FromSlash(rel)))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v, %v)", rel, err1, err2)
		}
	}
}

func TestTreeRoundTrip(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	src, files := makeTree(t, 200, 3<<20+5)
	res, err := env.Client.UploadTree(t.Context(), &oss.UploadTreeRequest{
		Dir: src, Bucket: env.Bucket, Prefix: "t/", Jobs: 8, TaskNum: 2, PartSize: 1 << 20, Threshold: 1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != int64(len(files)) || res.Skipped != 0 || len(res.Failed) != 0 {
		t.Fatalf("upload: %+v", res)
	}
	dst := t.TempDir()
	res, err = env.Client.DownloadTree(t.Context(), &oss.DownloadTreeRequest{
		Bucket: env.Bucket, Prefix: "t/", Dir: dst, Jobs: 8, TaskNum: 2, PartSize: 1 << 20, Threshold: 1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != int64(len(files)) {
		t.Fatalf("download: %+v", res)
	}
	sameTree(t, src, dst, files)
}

// putCounter counts the PutObject and UploadPart requests per key and
// cancels a context after the cancelAfter-th request, once served.
type putCounter struct {
	mu          sync.Mutex
	keys        map[string]int
	n           int
	cancelAfter int
	cancel      context.CancelFunc
}

func (c *putCounter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method != http.MethodPut {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.keys[r.URL.Path]++
		c.n++
		if c.n == c.cancelAfter && c.cancel != nil {
			c.cancel()
		}
	})
}

func (c *putCounter) reset(cancelAfter int, cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys, c.n, c.cancelAfter, c.cancel = map[string]int{}, 0, cancelAfter, cancel
}

func TestUploadTreeResume(t *testing.T) {
	pc := &putCounter{}
	pc.reset(0, nil)
	env := osstest.Start(t, osstest.Options{Middleware: pc.middleware, Client: func(cfg *oss.Config) { cfg.UsePathStyle = true }})
	src, files := makeTree(t, 60, 6<<20)
	journal := filepath.Join(t.TempDir(), "batch.ubj")
	var mu sync.Mutex
	done := map[string]bool{}
	req := &oss.UploadTreeRequest{
		Dir: src, Bucket: env.Bucket, Prefix: "r/", Jobs: 2, TaskNum: 1, PartSize: 512 << 10, Threshold: 1 << 20,
		EnableCheckpoint: true, CheckpointFile: journal,
		OnFile: func(r oss.FileResult) {
			mu.Lock()
			defer mu.Unlock()
			if r.Status == oss.FileDone {
				done[r.Key] = true
			}
		},
	}
	ctx, cancel := context.WithCancel(t.Context())
	pc.reset(40, cancel)
	res, err := env.Client.UploadTree(ctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if res.Journal != journal {
		t.Errorf("journal %q, want %q", res.Journal, journal)
	}
	first := len(done)
	if first == 0 || first == len(files) {
		t.Fatalf("the interruption left %d of %d files done", first, len(files))
	}
	bigPath := "/" + env.Bucket + "/r/big/huge file.bin"
	pc.mu.Lock()
	bigSent := pc.keys[bigPath]
	pc.mu.Unlock()
	pc.reset(0, nil)
	req.OnFile = nil
	res, err = env.Client.UploadTree(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != int64(first) || res.Done+res.Skipped != int64(len(files)) {
		t.Errorf("rerun: %d done, %d skipped; %d were done before, %d files", res.Done, res.Skipped, first, len(files))
	}
	if len(pc.keys) != int(res.Done) {
		t.Errorf("the rerun sent %d keys, and did %d files", len(pc.keys), res.Done)
	}
	for key := range done {
		if n := pc.keys["/"+env.Bucket+"/"+key]; n != 0 {
			t.Errorf("%s was done, and sent again %d times", key, n)
		}
	}
	// The big file in flight resumes from its own checkpoint: the parts
	// the first run finished are not sent again.
	if bigSent > 1 && !done["r/big/huge file.bin"] {
		n := pc.keys[bigPath]
		t.Logf("the big file sent %d parts before the interruption, %d after", bigSent, n)
		if n+bigSent-1 > 12 || n == 0 {
			t.Errorf("the big file sent %d parts, then %d more; it has 12", bigSent, n)
		}
	} else {
		t.Logf("the big file was not in flight (%d parts sent, done %v)", bigSent, done["r/big/huge file.bin"])
	}
	if _, err := os.Stat(journal); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the journal outlived the batch: %v", err)
	}
	dst := t.TempDir()
	if _, err := env.Client.DownloadTree(t.Context(), &oss.DownloadTreeRequest{Bucket: env.Bucket, Prefix: "r/", Dir: dst}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, src, dst, files)
}

func TestUploadTreeFailingFile(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	src, files := makeTree(t, 20, 1000)
	bad := filepath.Join(src, "a", "unreadable")
	if err := os.WriteFile(bad, []byte("secret"), 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 { // root reads anything: fail with a dangling link instead
		os.Remove(bad)
		if err := os.Symlink(filepath.Join(src, "missing"), bad); err != nil {
			t.Fatal(err)
		}
	}
	res, err := env.Client.UploadTree(t.Context(), &oss.UploadTreeRequest{Dir: src, Bucket: env.Bucket, FollowSymlinks: true})
	be, ok := errors.AsType[*oss.BatchError](err)
	if !ok || len(be.Failed) != 1 || be.Failed[0].Path != bad {
		t.Fatalf("got %v, want a BatchError naming %s", err, bad)
	}
	if res.Done != int64(len(files)) {
		t.Errorf("%d files done, want %d", res.Done, len(files))
	}
}

func TestDownloadTreeRejectsEscapingKeys(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	for _, key := range []string{"p/ok", "p/../escape"} {
		if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: bytes.NewReader([]byte("x")), Size: 1}); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "d")
	res, err := env.Client.DownloadTree(t.Context(), &oss.DownloadTreeRequest{Bucket: env.Bucket, Prefix: "p/", Dir: dst})
	if _, ok := errors.AsType[*oss.BatchError](err); !ok || res.Done != 1 || len(res.Failed) != 1 {
		t.Fatalf("got %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "..", "escape")); err == nil {
		t.Error("a key wrote outside the folder")
	}
}

// TestBatchDefaultJobs uploads a tree of small and large files with Jobs
// left to its default: small files go many at once (the test holds each
// PutObject until 8 are in flight, which the old default of 4 files at a
// time never reached), while at most DefaultBatchLargeJobs multipart
// uploads are open at any time. The tree then comes back byte-exact.
func TestBatchDefaultJobs(t *testing.T) {
	const held = 8
	var (
		mu              sync.Mutex
		active, maxOpen int
		puts            int // PutObject requests in flight
		reached         = make(chan struct{})
		reach           = sync.OnceFunc(func() { close(reached) })
	)
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			switch {
			case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/t/small"):
				mu.Lock()
				puts++ // in flight
				if puts == held {
					reach()
				}
				mu.Unlock()
				select {
				case <-reached:
				case <-time.After(10 * time.Second):
				}
				defer func() {
					mu.Lock()
					puts--
					mu.Unlock()
				}()
			case r.Method == http.MethodPost && q.Has("uploads"):
				mu.Lock()
				active++
				maxOpen = max(maxOpen, active)
				mu.Unlock()
			case (r.Method == http.MethodPost || r.Method == http.MethodDelete) && q.Has("uploadId"):
				defer func() {
					mu.Lock()
					active--
					mu.Unlock()
				}()
			}
			next.ServeHTTP(w, r)
		})
	}
	env := osstest.Start(t, osstest.Options{Middleware: mw})
	dir := t.TempDir()
	var files []string
	for i := range 8 {
		files = append(files, fmt.Sprintf("big%d.bin", i))
		if err := os.WriteFile(filepath.Join(dir, files[i]), upData(300<<10, uint64(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		name := fmt.Sprintf("small%02d.txt", i)
		files = append(files, name)
		if err := os.WriteFile(filepath.Join(dir, name), upData(1000, uint64(100+i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := env.Client.UploadTree(t.Context(), &oss.UploadTreeRequest{Dir: dir, Bucket: env.Bucket, Prefix: "t/", Threshold: 200 << 10, TaskNum: 2})
	if err != nil || res.Done != int64(len(files)) {
		t.Fatalf("UploadTree: %+v, %v", res, err)
	}
	select {
	case <-reached:
	default:
		t.Errorf("fewer than %d PutObject requests were ever in flight at once", held)
	}
	if maxOpen > oss.DefaultBatchLargeJobs || maxOpen == 0 {
		t.Errorf("%d multipart uploads open at once, want 1 to %d", maxOpen, oss.DefaultBatchLargeJobs)
	}
	back := t.TempDir()
	if _, err := env.Client.DownloadTree(t.Context(), &oss.DownloadTreeRequest{Bucket: env.Bucket, Prefix: "t/", Dir: back}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, dir, back, files)
}

// TestUploadTreeMissingBucket: a batch into a bucket that does not exist
// stops at the first answer saying so, with that error, instead of
// failing each of its files.
func TestUploadTreeMissingBucket(t *testing.T) {
	var pc putCounter
	pc.reset(0, nil)
	env := osstest.Start(t, osstest.Options{Middleware: pc.middleware})
	src, _ := makeTree(t, 200, 1000)
	var reported int
	_, err := env.Client.UploadTree(t.Context(), &oss.UploadTreeRequest{Dir: src, Bucket: "no-such-bucket", Jobs: 2,
		OnFile: func(oss.FileResult) { reported++ }})
	if !errors.Is(err, oss.ErrNoSuchBucket) {
		t.Fatalf("err = %v, want NoSuchBucket", err)
	}
	if _, ok := errors.AsType[*oss.BatchError](err); ok {
		t.Errorf("err is a BatchError: %v", err)
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	// The two workers may each have a request out when the first answer
	// arrives; the walk stops with it.
	if reported > 2 || pc.n > 4 {
		t.Errorf("%d files reported and %d requests sent for a missing bucket", reported, pc.n)
	}
}
