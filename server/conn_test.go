package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// liveServer serves h.srv through NewHTTPServer, as ossup serve does, and
// returns its address.
func liveServer(t *testing.T, h *harness) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := NewHTTPServer("", h.srv)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return ln.Addr().String()
}

// rawRequest writes a request head by hand (and no body, whatever
// Content-Length says) and returns the connection.
func rawRequest(t *testing.T, addr, head string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c
}

// answer reads one response and then expects the server to close the
// connection. The read deadline only bounds a broken server.
func answer(t *testing.T, c net.Conn) (*http.Response, []byte) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatal("the server kept the connection open after answering")
		}
	}
	return resp, body
}

func errCode(t *testing.T, body []byte) string {
	t.Helper()
	var e ossxml.Error
	if err := ossxml.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Code
}

// TestDeclaredBodyNeverSent: a request that declares a body and sends none
// is answered and its connection closed, before authentication (an
// anonymous request to a private bucket) and after it (an anonymous
// write to a public-read-write bucket, which waits for the body).
func TestDeclaredBodyNeverSent(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })
	h.mkbucket("private")
	h.ok(call{method: "PUT", bucket: "public", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	addr := liveServer(t, h)
	cases := []struct {
		name, head string
		status     int
		code       string
	}{
		{"refused before the body", "PUT /private/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", 403, ossxml.CodeAccessDenied},
		{"bad signature", "PUT /private/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nDate: " + time.Now().UTC().Format(http.TimeFormat) + "\r\nAuthorization: OSS LTAItestkey:AAAA\r\n\r\n", 403, ossxml.CodeSignatureDoesNotMatch},
		{"stalled body", "PUT /public/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", 400, ossxml.CodeRequestTimeout},
		{"stalled chunked body", "PUT /public/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc", 400, ossxml.CodeRequestTimeout},
		{"stalled XML body", "POST /public/?delete HTTP/1.1\r\nHost: x\r\nContent-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==\r\nContent-Length: 100\r\n\r\n<Delete>", 400, ossxml.CodeRequestTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := answer(t, rawRequest(t, addr, tc.head))
			if resp.StatusCode != tc.status || errCode(t, body) != tc.code {
				t.Errorf("status %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.code)
			}
		})
	}
	h.fails(call{method: "GET", bucket: "public", key: "k"}, ossxml.CodeNoSuchKey)
}

// TestUnauthenticatedConnectionCap: idle connections that never send a
// request cannot lock real clients out; at the cap the oldest is closed.
func TestUnauthenticatedConnectionCap(t *testing.T) {
	const limit = 8
	h := newHarness(t, func(c *Config) { c.MaxUnauthenticatedConns = limit })
	h.mkbucket("bkt")
	addr := liveServer(t, h)
	var idle []net.Conn
	for range limit {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	waitFor(t, func() bool { return h.srv.conns.unauthenticated() == limit })
	// A real client gets in, and its connection leaves the count.
	req := h.request(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("real")})
	req.URL.Host = addr
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("real client: %d", resp.StatusCode)
	}
	// The oldest idle connection was closed to make room.
	_ = idle[0].SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := idle[0].Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("oldest idle connection: %v, want EOF", err)
	}
	waitFor(t, func() bool { return h.srv.conns.unauthenticated() == limit-1 })
	for _, c := range idle {
		c.Close()
	}
	waitFor(t, func() bool { return h.srv.conns.unauthenticated() == 0 })
}

// waitFor polls cond until it holds; the bound only catches a broken
// server.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStallIsNotAnError: a stalled body is logged as a warning, never as
// an ERROR with InternalError.
func TestStallIsNotAnError(t *testing.T) {
	var logs strings.Builder
	h := newHarness(t, func(c *Config) {
		c.IdleTimeout = 200 * time.Millisecond
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	h.ok(call{method: "PUT", bucket: "public", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	addr := liveServer(t, h)
	resp, _ := answer(t, rawRequest(t, addr, fmt.Sprintf("PUT /public/k HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\npartial", 1<<20)))
	if resp.StatusCode != 400 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
