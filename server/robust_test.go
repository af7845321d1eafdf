package server

import (
	"bufio"
	"bytes"
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

// TestStalledReaderCut: a client that stops reading a large GetObject
// answer is disconnected after the idle timeout, and the blob the server
// was reading is closed; a client that reads slowly but steadily gets the
// whole object, however long it takes: the deadline is renewed with every
// write, not set once for the body. (What must move within each idle
// period is what frees the server's socket for its next write: about
// half its send buffer, which Linux grows to 4 MiB on loopback.)
func TestStalledReaderCut(t *testing.T) {
	for _, tc := range []struct {
		name  string
		idle  time.Duration
		pause time.Duration // between reads of 256 KiB; after the first, for the stall
		stall bool
	}{
		{"stalled", 200 * time.Millisecond, 2 * time.Second, true},
		{"slow and steady", time.Second, 20 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.IdleTimeout = tc.idle })
			h.mkbucket("bkt")
			id := h.initiate("bkt", "k", nil)
			var parts [][]byte
			var etags []string
			for i := range 4 {
				p := randBytes(uint64(40+i), 4<<20)
				parts = append(parts, p)
				etags = append(etags, h.uploadPart("bkt", "k", id, i+1, p))
			}
			h.ok(call{method: "POST", bucket: "bkt", key: "k", query: "uploadId=" + id, body: completeBody([]int{1, 2, 3, 4}, etags)}, 200)
			data := bytes.Join(parts, nil)
			fds0 := openFDs(t)

			c, err := net.Dial("tcp", h.http.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			conn := c.(*net.TCPConn)
			defer conn.Close()
			_ = conn.SetReadBuffer(32 << 10) // little for the kernel to hold on the client's side
			if err := h.request(call{method: "GET", bucket: "bkt", key: "k"}).Write(conn); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second)) // bounds a broken server only
			resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 32<<10), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for {
				_, err = io.CopyN(&got, resp.Body, 256<<10)
				if err != nil || got.Len() == len(data) {
					break
				}
				time.Sleep(tc.pause) // the reader under test
				if tc.stall {
					_, err = io.Copy(&got, resp.Body)
					break
				}
			}
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				t.Fatal("the server kept a stalled reader's connection open")
			}
			switch {
			case tc.stall && got.Len() >= len(data):
				t.Errorf("a reader stalled for %v got the whole object", tc.pause)
			case !tc.stall && !bytes.Equal(got.Bytes(), data):
				t.Errorf("a steady reader was cut after %d of %d bytes: %v", got.Len(), len(data), err)
			}
			conn.Close()
			// The GET's handler has ended and closed its blob.
			deadline := time.Now().Add(10 * time.Second)
			for openFDs(t) > fds0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if fds := openFDs(t); fds > fds0 {
				t.Errorf("%d files open, %d before the GET", fds, fds0)
			}
		})
	}
}
