package interop

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash/crc64"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossup/ossup/server"
)

// The one account the test server accepts.
const (
	accessKeyID     = "LTAI5tInteropTestKey"
	accessKeySecret = "interop-test-secret"
	region          = "cn-hangzhou"
)

// fixture is a server on loopback behind a fault-injecting middleware.
type fixture struct {
	url    string // http://127.0.0.1:port
	addr   string // 127.0.0.1:port
	faults *faults
}

// virtualBase is the host name under which the server does virtual-hosted
// style: "<bucket>.oss-test.localhost".
const virtualBase = "oss-test.localhost"

// newFixture starts a server with its data in a fresh temporary directory.
// Both are gone when the test ends.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, nil)
}

// newFixtureWith is newFixture with the server's Config adjusted by mod
// (its clock, for example).
func newFixtureWith(t *testing.T, mod func(*server.Config)) *fixture {
	t.Helper()
	cfg := server.Config{
		Dir:              t.TempDir(),
		Credentials:      []server.Credential{{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret}},
		VirtualHostBases: []string{virtualBase},
		Region:           region,
		Logger:           slog.New(testLogHandler{slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}), t}),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &faults{next: srv, received: map[int]int{}, schemes: map[string]int{}, hosts: map[string]int{}}
	ts := httptest.NewServer(f)
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return &fixture{url: ts.URL, addr: ts.Listener.Addr().String(), faults: f}
}

// testLogHandler fails the test when the server logs an error: every
// InternalError it answers is logged, and is a bug.
type testLogHandler struct {
	slog.Handler
	t *testing.T
}

func (h testLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.t.Errorf("server logged an error: %s", r.Message)
	}
	return h.Handler.Handle(ctx, r)
}

func (h testLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return testLogHandler{h.Handler.WithAttrs(as), h.t}
}

func (h testLogHandler) WithGroup(name string) slog.Handler {
	return testLogHandler{h.Handler.WithGroup(name), h.t}
}

// testWriter sends the server's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// faults is a middleware in front of the server. It counts the UploadPart
// requests the server receives, can answer one part number once with a
// non-retryable 403 AccessDenied (as OSS would), and can corrupt the CRC-64
// a GET reports.
type faults struct {
	next http.Handler

	mu         sync.Mutex
	failPart   int            // UploadPart with this partNumber fails once; 0: none
	received   map[int]int    // partNumber → UploadPart requests passed to the server
	failRange  string         // a GET whose Range starts "bytes=<failRange>-" fails once; "": none
	ranges     int            // ranged GETs passed to the server
	corruptCRC bool           // add 1 to x-oss-hash-crc64ecma on GET responses
	schemes    map[string]int // authentication scheme → requests
	hosts      map[string]int // Host header → requests
	inflight   int            // requests being served
	last       time.Time      // when the last request arrived
}

// settle waits until no request has been in flight or arrived for a while:
// the v1 SDK's UploadFile and DownloadFile return on the first error while
// their workers still finish the parts they hold.
func (f *faults) settle(t *testing.T) {
	t.Helper()
	const quiet = 200 * time.Millisecond
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		f.mu.Lock()
		idle := f.inflight == 0 && time.Since(f.last) > quiet
		f.mu.Unlock()
		if idle {
			return
		}
	}
	t.Fatal("requests still in flight after 10 seconds")
}

// probeHeader marks the unsigned requests a test sends itself (not through
// an SDK), so that the check that every SDK request is signed passes them.
const probeHeader = "X-Interop-Probe"

// authScheme names how r is authenticated: the Authorization scheme, or
// "query-v1" / "query-v4" for presigned URLs, or "anonymous".
func authScheme(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		return scheme
	}
	q := r.URL.Query()
	switch {
	case q.Get("x-oss-signature-version") != "":
		return "query-v4"
	case q.Has("Signature"):
		return "query-v1"
	}
	if r.Header.Get(probeHeader) != "" {
		return "probe"
	}
	return "anonymous"
}

// hostsSeen returns how many requests named each Host.
func (f *faults) hostsSeen() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.hosts)
}

// authSchemes returns how many requests used each authentication scheme.
func (f *faults) authSchemes() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.schemes)
}

// failPartOnce makes the next UploadPart of part n fail with AccessDenied.
func (f *faults) failPartOnce(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failPart = n
}

// failRangeOnce makes the next GET with a Range starting at offset fail
// with AccessDenied.
func (f *faults) failRangeOnce(offset int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failRange = strconv.FormatInt(offset, 10)
}

// rangedGets returns the number of ranged GETs the server received since
// the last reset.
func (f *faults) rangedGets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ranges
}

// resetCounts forgets the UploadPart requests counted so far.
func (f *faults) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.received = map[int]int{}
	f.ranges = 0
}

// partsReceived returns the part numbers the server received since the last
// reset, and the number of UploadPart requests.
func (f *faults) partsReceived() (parts map[int]int, requests int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts = make(map[int]int, len(f.received))
	for n, c := range f.received {
		parts[n] = c
		requests += c
	}
	return parts, requests
}

func (f *faults) setCorruptCRC(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.corruptCRC = on
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.schemes[authScheme(r)]++
	f.hosts[r.Host]++
	f.inflight++
	f.last = time.Now()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if r.Method == http.MethodPut && q.Has("uploadId") && q.Has("partNumber") {
		n, _ := strconv.Atoi(q.Get("partNumber"))
		f.mu.Lock()
		fail := n == f.failPart
		if fail {
			f.failPart = 0
		} else {
			f.received[n]++
		}
		f.mu.Unlock()
		if fail {
			deny(w, r)
			return
		}
	}
	if rng := r.Header.Get("Range"); r.Method == http.MethodGet && rng != "" {
		f.mu.Lock()
		fail := f.failRange != "" && strings.HasPrefix(rng, "bytes="+f.failRange+"-")
		if fail {
			f.failRange = ""
		} else {
			f.ranges++
		}
		f.mu.Unlock()
		if fail {
			deny(w, r)
			return
		}
	}
	f.mu.Lock()
	corrupt := f.corruptCRC && r.Method == http.MethodGet
	f.mu.Unlock()
	if corrupt {
		w = &crcCorrupter{ResponseWriter: w}
	}
	f.next.ServeHTTP(w, r)
}

// deny answers like OSS does when a policy denies a request: 403
// AccessDenied, which neither SDK retries.
func deny(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body) // so the client sees the answer, not a reset
	const rid = "5C3D9E1F0A1B2C3D4E5F6A7B"
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Error><Code>AccessDenied</Code><Message>Injected fault: this request is denied once.</Message>` +
		`<RequestId>` + rid + `</RequestId><HostId>` + r.Host + `</HostId><EC>0003-00000001</EC></Error>`
	h := w.Header()
	h.Set("x-oss-request-id", rid)
	h.Set("x-oss-ec", "0003-00000001")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, body)
}

// crcCorrupter changes the CRC-64 header of a response before it is sent.
type crcCorrupter struct {
	http.ResponseWriter
	done bool
}

func (c *crcCorrupter) WriteHeader(code int) {
	if !c.done {
		c.done = true
		h := c.Header()
		if v, err := strconv.ParseUint(h.Get("x-oss-hash-crc64ecma"), 10, 64); err == nil {
			h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(v+1, 10))
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *crcCorrupter) Write(p []byte) (int, error) {
	if !c.done {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(p)
}

// randomData returns n pseudo-random bytes, the same for the same seed.
func randomData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// md5Hex is the uppercase hex MD5 of b, the form OSS ETags take.
func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

var ecmaTable = crc64.MakeTable(crc64.ECMA)

// crc64Of is the CRC-64/ECMA of b in the decimal form OSS headers use.
func crc64Of(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, ecmaTable), 10)
}

// sameBytes reports a mismatch by MD5 and CRC-64 rather than by dumping
// megabytes.
func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (MD5 %s, CRC-64 %s), want %d bytes (MD5 %s, CRC-64 %s)",
			what, len(got), md5Hex(got), crc64Of(got), len(want), md5Hex(want), crc64Of(want))
	}
}

// serviceErr extracts what either SDK's ServiceError reports: the HTTP
// status and the OSS error code.
func serviceErr(err error) (status int, code string, ok bool) {
	if e, ok := errors.AsType[*v2.ServiceError](err); ok {
		return e.StatusCode, e.Code, true
	}
	if e, ok := errors.AsType[v1.ServiceError](err); ok {
		return e.StatusCode, e.Code, true
	}
	if e, ok := errors.AsType[*v1.ServiceError](err); ok {
		return e.StatusCode, e.Code, true
	}
	return 0, "", false
}

// wantCode fails the test unless err is a ServiceError with the code and
// HTTP status given.
func wantCode(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %d %s", what, status, code)
	}
	gotStatus, gotCode, ok := serviceErr(err)
	if !ok {
		t.Fatalf("%s: error %v (%T) is not a ServiceError, want %d %s", what, err, err, status, code)
	}
	if gotStatus != status || gotCode != code {
		t.Fatalf("%s: got %d %s, want %d %s (error: %v)", what, gotStatus, gotCode, status, code, err)
	}
}
