package server

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

var testCred = Credential{AccessKeyID: "LTAItestkey", AccessKeySecret: "test-secret"}

// harness is a Server on loopback plus a minimal signing client.
type harness struct {
	t      testing.TB
	dir    string
	srv    *Server
	http   *httptest.Server
	signer sign.Signer
	cred   sign.Credentials
	host   string // Host header override, for virtual-hosted tests
}

func newHarness(t testing.TB, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	h.start(mod)
	t.Cleanup(h.stop)
	h.signer = sign.Signer{Region: "cn-hangzhou"}
	h.cred = sign.Credentials{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: testCred.AccessKeySecret}
	return h
}

func (h *harness) start(mod func(*Config)) {
	h.t.Helper()
	// No background sweep: tests that swap the store would race with it;
	// sweep tests call Server.sweep, or set an interval, themselves.
	cfg := Config{Dir: h.dir, Credentials: []Credential{testCred}, Logger: slog.New(slog.DiscardHandler), LifecycleInterval: -1}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := Open(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv = srv
	h.http = httptest.NewServer(srv)
}

func (h *harness) stop() {
	if h.http != nil {
		h.http.Close()
		h.http = nil
	}
	if h.srv != nil {
		if err := h.srv.Close(); err != nil {
			h.t.Error(err)
		}
		h.srv = nil
	}
}

// restart closes the server and opens it again on the same data directory.
func (h *harness) restart() {
	h.stop()
	h.start(nil)
}

// call is one request to send.
type call struct {
	method  string
	bucket  string
	key     string
	query   string // raw, already encoded
	header  map[string]string
	body    []byte
	anon    bool // send unsigned
	presign bool
	version sign.Version
	md5     bool // add Content-MD5 of body
}

// escapePath keeps '/' and unreserved bytes, encodes the rest.
func escapePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (h *harness) request(c call) *http.Request {
	h.t.Helper()
	path := "/"
	if c.bucket != "" {
		path += c.bucket + "/" + escapePath(c.key)
	}
	u := h.http.URL + path
	if c.query != "" {
		u += "?" + c.query
	}
	r, err := http.NewRequest(c.method, u, bytes.NewReader(c.body))
	if err != nil {
		h.t.Fatal(err)
	}
	if c.body == nil {
		r.Body = http.NoBody
	}
	r.ContentLength = int64(len(c.body))
	if h.host != "" {
		r.Host = h.host
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	if c.md5 {
		sum := md5.Sum(c.body)
		r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	if c.anon {
		return r
	}
	s := h.signer
	if c.version != 0 {
		s.Version = c.version
	}
	res := sign.Resource{Bucket: c.bucket, Key: c.key}
	if c.presign {
		err = s.Presign(r, res, h.cred, time.Now(), time.Hour)
	} else {
		err = s.Sign(r, res, h.cred, time.Now())
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body []byte
}

func (h *harness) do(c call) response {
	h.t.Helper()
	client := h.http.Client()
	if client == nil { // a server in another process
		client = http.DefaultClient
	}
	resp, err := client.Do(h.request(c))
	if err != nil {
		h.t.Fatalf("%s %s/%s: %v", c.method, c.bucket, c.key, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{resp, body}
}

// ok sends c and fails the test unless the status is want.
func (h *harness) ok(c call, want int) response {
	h.t.Helper()
	r := h.do(c)
	if r.StatusCode != want {
		h.t.Fatalf("%s %s/%s?%s: status %d, want %d; body %s", c.method, c.bucket, c.key, c.query, r.StatusCode, want, r.body)
	}
	h.checkCommon(r)
	return r
}

// fails sends c and checks the OSS error code and status it answers with.
func (h *harness) fails(c call, code string) *ossxml.Error {
	h.t.Helper()
	r := h.do(c)
	h.checkCommon(r)
	ec, ok := ossxml.LookupCode(code)
	if !ok {
		h.t.Fatalf("unknown code %s", code)
	}
	if r.StatusCode != ec.Status {
		h.t.Fatalf("%s %s/%s?%s: status %d, want %d (%s); body %s", c.method, c.bucket, c.key, c.query, r.StatusCode, ec.Status, code, r.body)
	}
	var e *ossxml.Error
	if c.method == http.MethodHead {
		var err error
		if e, err = ossxml.DecodeErrHeader(r.Header.Get("x-oss-err")); err != nil {
			h.t.Fatalf("HEAD error without a valid x-oss-err: %v", err)
		}
		if len(r.body) != 0 {
			h.t.Fatalf("HEAD error with a body")
		}
	} else {
		e = new(ossxml.Error)
		if err := ossxml.Unmarshal(r.body, e); err != nil {
			h.t.Fatalf("error body %q: %v", r.body, err)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/xml" {
			h.t.Errorf("error Content-Type %q", ct)
		}
	}
	if e.Code != code {
		h.t.Fatalf("%s %s/%s?%s: code %s, want %s (%s)", c.method, c.bucket, c.key, c.query, e.Code, code, e.Message)
	}
	if e.RequestID != r.Header.Get("x-oss-request-id") || e.Message == "" {
		h.t.Errorf("error body %+v does not carry the request id or a message", e)
	}
	return e
}

func (h *harness) checkCommon(r response) {
	h.t.Helper()
	id := r.Header.Get("x-oss-request-id")
	if id == "" { // an answer in the S3 dialect
		id = r.Header.Get("x-amz-request-id")
	}
	if len(id) != 24 {
		h.t.Errorf("request id %q", id)
	}
	if _, err := http.ParseTime(r.Header.Get("Date")); err != nil {
		h.t.Errorf("Date header %q: %v", r.Header.Get("Date"), err)
	}
}

func (h *harness) xml(c call, v any) {
	h.t.Helper()
	r := h.ok(c, http.StatusOK)
	if err := ossxml.Unmarshal(r.body, v); err != nil {
		h.t.Fatalf("%s: %v in %s", c.query, err, r.body)
	}
}

func (h *harness) mkbucket(name string) {
	h.t.Helper()
	h.ok(call{method: "PUT", bucket: name}, http.StatusOK)
}

func (h *harness) put(bucket, key string, data []byte) response {
	h.t.Helper()
	return h.ok(call{method: "PUT", bucket: bucket, key: key, body: data}, http.StatusOK)
}

func (h *harness) get(bucket, key string) []byte {
	h.t.Helper()
	return h.ok(call{method: "GET", bucket: bucket, key: key}, http.StatusOK).body
}
