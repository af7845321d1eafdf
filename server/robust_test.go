package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// faultyStore panics or fails on HeadVersion, to check that internal
// failures become InternalError answers and never crash the server.
type faultyStore struct {
	store.Store
	panics bool
}

func (f faultyStore) HeadVersion(ctx context.Context, bucket, key, version string) (store.Object, error) {
	if f.panics {
		panic("injected panic")
	}
	return store.Object{}, errors.New("injected disk failure")
}

func TestInternalErrors(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprint("panic=", panics), func(t *testing.T) {
			h := newHarness(t, nil)
			h.mkbucket("bkt")
			h.srv.store = faultyStore{Store: h.srv.store, panics: panics}
			e := h.fails(call{method: "HEAD", bucket: "bkt", key: "k"}, ossxml.CodeInternalError)
			if strings.Contains(e.Message, "injected") {
				t.Errorf("internal detail leaked to the client: %q", e.Message)
			}
			// The server still serves.
			h.put("bkt", "after", []byte("ok"))
		})
	}
}

// TestSlowClientCut checks that a client that stops sending a body in the
// middle is disconnected after the idle timeout, and that the half-sent
// part is not recorded.
func TestSlowClientCut(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	h.mkbucket("bkt")
	id := h.initiate("bkt", "k", nil)
	req := h.request(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=1&uploadId=" + id, body: make([]byte, 1<<20)})
	conn, err := net.Dial("tcp", h.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Send the headers and a first slice of the body, then stall.
	var head strings.Builder
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), req.Host, 1<<20)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()+strings.Repeat("x", 4096)); err != nil {
		t.Fatal(err)
	}
	// The server must hang up (or answer) on its own; the deadline here only
	// bounds a broken server.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		t.Fatal("the server kept a stalled connection open")
	}
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("a stalled part was accepted")
		}
	}
	var lp ossxml.ListPartsResult
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "uploadId=" + id}, &lp)
	if len(lp.Parts) != 0 {
		t.Errorf("the cut part was recorded: %+v", lp.Parts)
	}
}
