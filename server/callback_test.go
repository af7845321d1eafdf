package server

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// allowLoopback lets callbacks reach the application servers the tests
// run on loopback.
func allowLoopback(c *Config) {
	c.CallbackAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// appServer is an application server receiving upload callbacks.
type appServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	ctypes []string
}

func newAppServer(t *testing.T, status int, reply string) *appServer {
	a := &appServer{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.bodies = append(a.bodies, string(b))
		a.ctypes = append(a.ctypes, r.Header.Get("Content-Type"))
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(a.Close)
	return a
}

// calls is how many callbacks the application server has received.
func (a *appServer) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.bodies)
}

func callbackHeaders(spec map[string]any, vars map[string]string) map[string]string {
	b, _ := json.Marshal(spec)
	h := map[string]string{"x-oss-callback": base64.StdEncoding.EncodeToString(b)}
	if vars != nil {
		v, _ := json.Marshal(vars)
		h["x-oss-callback-var"] = base64.StdEncoding.EncodeToString(v)
	}
	return h
}

func TestCallbackPutObject(t *testing.T) {
	h := newHarness(t, allowLoopback)
	h.mkbucket("bkt")
	app := newAppServer(t, 200, `{"Status":"OK"}`)
	hdr := callbackHeaders(map[string]any{
		"callbackUrl":  app.URL + "/cb",
		"callbackBody": "bucket=${bucket}&object=${object}&size=${size}&etag=${etag}&mime=${mimeType}&who=${x:who}",
	}, map[string]string{"x:who": "a b&c"})
	hdr["Content-Type"] = "text/plain"
	r := h.ok(call{method: "PUT", bucket: "bkt", key: "dir/a b.txt", body: []byte("hello"), header: hdr}, 200)
	if string(r.body) != `{"Status":"OK"}` {
		t.Errorf("client got %q, want the callback's reply", r.body)
	}
	if r.Header.Get("ETag") == "" || r.Header.Get("x-oss-hash-crc64ecma") == "" {
		t.Error("callback response lost the object headers")
	}
	got, err := url.ParseQuery(app.bodies[0])
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"bucket": {"bkt"}, "object": {"dir/a b.txt"}, "size": {"5"}, "etag": {md5hex([]byte("hello"))}, "mime": {"text/plain"}, "who": {"a b&c"}}
	for k, v := range want {
		if got.Get(k) != v[0] {
			t.Errorf("callback %s = %q, want %q (body %s)", k, got.Get(k), v[0], app.bodies[0])
		}
	}
	if app.ctypes[0] != "application/x-www-form-urlencoded" {
		t.Errorf("callback Content-Type %q", app.ctypes[0])
	}
}

func TestCallbackJSONOnComplete(t *testing.T) {
	h := newHarness(t, allowLoopback)
	h.mkbucket("bkt")
	app := newAppServer(t, 200, `{"ok":true}`)
	id := h.initiate("bkt", "k", nil)
	e1 := h.uploadPart("bkt", "k", id, 1, randBytes(1, 100<<10))
	e2 := h.uploadPart("bkt", "k", id, 2, []byte("tail"))
	hdr := callbackHeaders(map[string]any{
		"callbackUrl": app.URL, "callbackBodyType": "application/json",
		"callbackBody": `{"object":${object},"size":${size},"etag":${etag}}`,
	}, nil)
	r := h.ok(call{method: "POST", bucket: "bkt", key: "k", query: "uploadId=" + id, body: completeBody([]int{1, 2}, []string{e1, e2}), header: hdr}, 200)
	if string(r.body) != `{"ok":true}` {
		t.Errorf("client got %q", r.body)
	}
	var got struct {
		Object string `json:"object"`
		Size   int64  `json:"size"`
		ETag   string `json:"etag"`
	}
	if err := json.Unmarshal([]byte(app.bodies[0]), &got); err != nil {
		t.Fatalf("callback body %q: %v", app.bodies[0], err)
	}
	if got.Object != "k" || got.Size != 100<<10+4 || got.ETag == "" {
		t.Errorf("callback body %+v", got)
	}
}

func TestCallbackFailureKeepsObject(t *testing.T) {
	h := newHarness(t, allowLoopback)
	h.mkbucket("bkt")
	app := newAppServer(t, 500, `oops`)
	hdr := callbackHeaders(map[string]any{"callbackUrl": app.URL, "callbackBody": "o=${object}"}, nil)
	e := h.fails(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("stored anyway"), header: hdr}, ossxml.CodeCallbackFailed)
	if e.Message == "" {
		t.Error("no failure message")
	}
	if got := h.get("bkt", "k"); string(got) != "stored anyway" {
		t.Errorf("object %q", got)
	}
	for name, spec := range map[string]map[string]any{
		"no url":        {"callbackBody": "x"},
		"empty body":    {"callbackUrl": app.URL, "callbackBody": ""},
		"bad body type": {"callbackUrl": app.URL, "callbackBody": "x", "callbackBodyType": "text/plain"},
		"bad json body": {"callbackUrl": app.URL, "callbackBody": "{nope", "callbackBodyType": "application/json"},
		"bad url":       {"callbackUrl": "ftp://x", "callbackBody": "x"},
	} {
		t.Run(name, func(t *testing.T) {
			h.t = t
			h.fails(call{method: "PUT", bucket: "bkt", key: "never-" + strconv.Itoa(len(name)), body: []byte("x"), header: callbackHeaders(spec, nil)}, ossxml.CodeInvalidArgument)
			h.fails(call{method: "GET", bucket: "bkt", key: "never-" + strconv.Itoa(len(name))}, ossxml.CodeNoSuchKey)
		})
	}
}
