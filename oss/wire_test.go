package oss_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

// wireCall is one request as a wire server received it.
type wireCall struct {
	Method   string
	Path     string // unescaped, e.g. /bucket/key
	RawPath  string // as sent, e.g. /bucket/a%20b
	RawQuery string
	Header   http.Header
	Body     []byte
}

// wireServer is a stand-in for OSS that records every request and
// answers with its reply function, to check what the client sends and
// how it reads canned answers.
type wireServer struct {
	t     *testing.T
	mu    sync.Mutex
	calls []wireCall
	reply func(w http.ResponseWriter, c wireCall)
}

// newWire starts a wire server and returns a client for it that retries
// with short waits.
func newWire(t *testing.T, reply func(w http.ResponseWriter, c wireCall)) (*oss.Client, *wireServer) {
	t.Helper()
	ws := &wireServer{t: t, reply: reply}
	srv := httptest.NewServer(ws)
	t.Cleanup(srv.Close)
	c, err := oss.New(oss.Config{Endpoint: srv.URL, Region: "cn-hangzhou", RetryMaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond,
		Credentials: oss.StaticCredentials{AccessKeyID: "LTAItest", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, ws
}

func (ws *wireServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		ws.t.Errorf("read request body: %v", err)
	}
	c := wireCall{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	ws.mu.Lock()
	ws.calls = append(ws.calls, c)
	ws.mu.Unlock()
	w.Header().Set("x-oss-request-id", "REQ1")
	ws.reply(w, c)
}

// only returns the one request received, failing the test when there
// were more or none.
func (ws *wireServer) only() wireCall {
	ws.t.Helper()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if len(ws.calls) != 1 {
		ws.t.Fatalf("%d requests, want 1", len(ws.calls))
	}
	return ws.calls[0]
}

func (ws *wireServer) count() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.calls)
}

// replyXML answers 200 with an XML body.
func replyXML(body string) func(http.ResponseWriter, wireCall) {
	return func(w http.ResponseWriter, _ wireCall) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, body)
	}
}

// replyOK answers 200 with no body.
func replyOK(w http.ResponseWriter, _ wireCall) {}

// replyError answers with an OSS <Error>.
func replyError(status int, code string) func(http.ResponseWriter, wireCall) {
	return func(w http.ResponseWriter, _ wireCall) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>m</Message><RequestId>REQ1</RequestId><HostId>h</HostId></Error>`)
	}
}

// wantHeaders checks the headers of a call: each name maps to its value,
// or to "" for a header that must be absent.
func wantHeaders(t *testing.T, c wireCall, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := c.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// wantXMLBody checks that a call's body is want, leaving out the XML
// prolog and white space between elements, and that its Content-MD5
// matches it.
func wantXMLBody(t *testing.T, c wireCall, want string) {
	t.Helper()
	if got, want := squeezeXML(c.Body), squeezeXML([]byte(want)); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	sum := md5.Sum(c.Body)
	if got, want := c.Header.Get("Content-MD5"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("Content-MD5 = %q, want %q (of the body)", got, want)
	}
}

var (
	xmlProlog  = regexp.MustCompile(`^<\?xml[^>]*\?>`)
	xmlBetween = regexp.MustCompile(`>\s+<`)
)

func squeezeXML(b []byte) string {
	b = xmlProlog.ReplaceAll(bytes.TrimSpace(b), nil)
	return string(xmlBetween.ReplaceAll(bytes.TrimSpace(b), []byte("><")))
}
