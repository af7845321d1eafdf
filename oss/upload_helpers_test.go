package oss_test

// Helpers of the UploadFile tests: an osstest server whose middleware
// records, per run, what the server did with each UploadPart.

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

const upKiB = 1 << 10

// upWriteFile writes size pseudo-random bytes from seed to a new file.
func upWriteFile(t testing.TB, size int, seed uint64) (string, []byte) {
	t.Helper()
	data := upData(size, seed)
	path := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func upData(size int, seed uint64) []byte {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, ^seed))
	for i := 0; i < size; i += 8 {
		v := rng.Uint64()
		for j := i; j < min(i+8, size); j++ {
			data[j] = byte(v)
			v >>= 8
		}
	}
	return data
}

// upServer is an osstest environment whose middleware serves the
// UploadPart requests of one run at a time. A run is named by the
// User-Agent of its client (see begin); UploadPart requests of any other
// User-Agent, such as stragglers of a run that gave up on them, are
// refused with 503 before they reach the store, so that what a run
// stored is known exactly once end returns.
type upServer struct {
	*osstest.Env

	mu       sync.Mutex
	drained  *sync.Cond // signalled when inflight drops to 0
	gated    bool       // since the first begin: serve only run's UploadParts
	run      string     // User-Agent whose UploadPart requests are served
	inflight int
	rec      upRecord
	// hook, when set, sees each UploadPart request of the run first; it
	// returns true when it has answered the request itself.
	hook func(w http.ResponseWriter, r *http.Request, part int) bool
}

// upRecord is what the server did with the UploadPart requests of a run.
type upRecord struct {
	stored    map[int]int // part number → times stored (answered 200)
	forwarded map[int]int // part number → requests passed on to the store
	received  int64       // body bytes the store read
	requests  int         // UploadPart requests that reached the middleware
	limits    []string    // x-oss-traffic-limit of each request
}

// storedParts returns the numbers of the parts stored, in order.
func (r upRecord) storedParts() []int { return slices.Sorted(maps.Keys(r.stored)) }

func upStart(t *testing.T, opts osstest.Options) *upServer {
	t.Helper()
	s := &upServer{}
	s.drained = sync.NewCond(&s.mu)
	opts.Middleware = s.middleware
	s.Env = osstest.Start(t, opts)
	return s
}

// begin starts a run: it returns a new client whose UploadPart requests
// the server serves until end, and clears the records.
func (s *upServer) begin(t *testing.T, run string) *oss.Client {
	t.Helper()
	s.mu.Lock()
	s.gated, s.run, s.rec = true, run, upRecord{}
	s.mu.Unlock()
	cfg := s.Config
	cfg.UserAgent = run
	c, err := oss.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// end stops serving the run's UploadPart requests, waits until those in
// the server have finished, and returns what the server did.
func (s *upServer) end() upRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.run = ""
	for s.inflight > 0 {
		s.drained.Wait()
	}
	return s.rec
}

func (s *upServer) setHook(h func(w http.ResponseWriter, r *http.Request, part int) bool) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// upPartNumber returns the part number of an UploadPart request.
func upPartNumber(r *http.Request) (int, bool) {
	q := r.URL.Query()
	if r.Method != http.MethodPut || !q.Has("uploadId") || !q.Has("partNumber") {
		return 0, false
	}
	n, err := strconv.Atoi(q.Get("partNumber"))
	return n, err == nil
}

func (s *upServer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		part, ok := upPartNumber(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		s.mu.Lock()
		if s.gated && r.UserAgent() != s.run {
			s.mu.Unlock()
			http.Error(w, "not in this run", http.StatusServiceUnavailable)
			return
		}
		if s.rec.stored == nil {
			s.rec.stored, s.rec.forwarded = map[int]int{}, map[int]int{}
		}
		s.inflight++
		s.rec.requests++
		s.rec.limits = append(s.rec.limits, r.Header.Get("x-oss-traffic-limit"))
		hook := s.hook
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			if s.inflight--; s.inflight == 0 {
				s.drained.Broadcast()
			}
			s.mu.Unlock()
		}()
		if hook != nil && hook(w, r, part) {
			return
		}
		s.mu.Lock()
		s.rec.forwarded[part]++
		s.mu.Unlock()
		body := &upCountingReader{r: r.Body}
		r.Body = body
		sw := &upStatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.mu.Lock()
		s.rec.received += body.n.Load()
		if sw.status == http.StatusOK {
			s.rec.stored[part]++
		}
		s.mu.Unlock()
	})
}

type upCountingReader struct {
	r io.ReadCloser
	n atomic.Int64
}

func (c *upCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *upCountingReader) Close() error { return c.r.Close() }

type upStatusWriter struct {
	http.ResponseWriter
	status int
}

func (w *upStatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *upStatusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *upStatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// upAnswerError answers with an OSS error, after reading the body as the
// service would (so the client is not cut off mid-body).
func upAnswerError(w http.ResponseWriter, r *http.Request, status int, code string) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-oss-request-id", "INJECTED")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>injected by the test</Message><RequestId>INJECTED</RequestId><HostId>127.0.0.1</HostId></Error>`, code)
}

// checkObject compares an object with the file's bytes (MD5 and CRC-64 of
// a GET, which also checks the CRC-64 the server reports).
func (s *upServer) checkObject(t *testing.T, key string, want []byte) {
	t.Helper()
	res, err := s.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: s.Bucket, Key: key})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	if md5.Sum(got) != md5.Sum(want) || crc64.Checksum(got) != crc64.Checksum(want) || len(got) != len(want) {
		t.Fatalf("object %s: %d bytes, MD5 %x, CRC-64 %d; want %d bytes, MD5 %x, CRC-64 %d",
			key, len(got), md5.Sum(got), crc64.Checksum(got), len(want), md5.Sum(want), crc64.Checksum(want))
	}
}

// uploads lists the multipart uploads in progress for key.
func (s *upServer) uploads(t *testing.T, key string) []string {
	t.Helper()
	var ids []string
	for page, err := range s.Client.ListMultipartUploads(t.Context(), &oss.ListMultipartUploadsRequest{Bucket: s.Bucket, Prefix: key}) {
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		for _, u := range page.Uploads {
			if u.Key == key {
				ids = append(ids, u.UploadID)
			}
		}
	}
	return ids
}

// upPartBytes returns the sum of the sizes of the given parts of a file.
func upPartBytes(size, partSize int64, parts []int) int64 {
	var n int64
	for _, p := range parts {
		off := int64(p-1) * partSize
		n += min(partSize, size-off)
	}
	return n
}

// upAllParts returns 1..n.
func upAllParts(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i + 1
	}
	return p
}

// upWithout returns the numbers of all that are not in some.
func upWithout(all, some []int) []int {
	var out []int
	for _, n := range all {
		if !slices.Contains(some, n) {
			out = append(out, n)
		}
	}
	return out
}

// upProgress records progress events and detects concurrent calls.
type upProgress struct {
	busy       atomic.Bool
	concurrent atomic.Bool
	mu         sync.Mutex
	events     []oss.ProgressEvent
}

func (p *upProgress) report(e oss.ProgressEvent) {
	if !p.busy.CompareAndSwap(false, true) {
		p.concurrent.Store(true)
		return
	}
	runtime.Gosched() // widen the window for a concurrent call
	p.mu.Lock()
	p.events = append(p.events, e)
	p.mu.Unlock()
	p.busy.Store(false)
}

// check verifies the events of a successful run: serial, total constant,
// starting at start bytes, never decreasing, ending at the total.
func (p *upProgress) check(t *testing.T, start, total int64) {
	t.Helper()
	if p.concurrent.Load() {
		t.Error("Progress was called concurrently")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.events) == 0 {
		t.Fatal("no progress events")
	}
	if first := p.events[0]; first.Done != start {
		t.Errorf("first progress event %+v, want Done %d", first, start)
	}
	for i, e := range p.events {
		if e.Total != total || e.Done < 0 || e.Done > total {
			t.Fatalf("progress event %d: %+v, want Total %d and Done within it", i, e, total)
		}
		if i > 0 && e.Done < p.events[i-1].Done {
			t.Fatalf("progress went back from %+v to %+v", p.events[i-1], e)
		}
	}
	if last := p.events[len(p.events)-1]; last.Done != total {
		t.Errorf("last progress event %+v, want Done == Total", last)
	}
}

// upCheckGone fails unless none of the paths exists.
func upCheckGone(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still exists (%v)", p, err)
		}
	}
}
