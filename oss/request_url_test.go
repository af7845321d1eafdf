package oss_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

// TestRequestURLHost: the request the client builds carries the URL and
// Host it always did, with the endpoint's host (path style) and the
// bucket's (virtual host); a bucket name no host can hold fails at once,
// before any connection, and is not retried.
func TestRequestURLHost(t *testing.T) {
	var mu sync.Mutex
	var hosts, paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts, paths = append(hosts, r.Host), append(paths, r.URL.EscapedPath())
		mu.Unlock()
	}))
	defer srv.Close()
	creds := oss.StaticCredentials{AccessKeyID: "ak", AccessKeySecret: "sk"}
	c, err := oss.New(oss.Config{Endpoint: srv.URL, Region: "cn-hangzhou", Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: "b", Key: "a b/c+d", Body: bytes.NewReader([]byte("x")), Size: 1}); err != nil {
		t.Fatal(err)
	}
	// Virtual-host addressing, the requests sent to the test server all
	// the same, whatever host they name.
	addr := srv.Listener.Addr().String()
	vh := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	c, err = oss.New(oss.Config{Endpoint: "http://oss.example.test", Region: "cn-hangzhou", Credentials: creds, HTTPClient: vh})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: "bucket-1", Key: "k", Body: bytes.NewReader(nil)}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	want := []string{strings.TrimPrefix(srv.URL, "http://"), "bucket-1.oss.example.test"}
	wantPaths := []string{"/b/a%20b/c%2Bd", "/k"}
	if !slices.Equal(hosts, want) || !slices.Equal(paths, wantPaths) {
		t.Errorf("hosts %q, paths %q; want %q, %q", hosts, paths, want, wantPaths)
	}
	mu.Unlock()
	start := time.Now()
	_, err = c.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: "bad bucket", Key: "k", Body: bytes.NewReader(nil)})
	if err == nil || !strings.Contains(err.Error(), `parse "http://bad%20bucket.oss.example.test/k"`) || time.Since(start) > 5*time.Second {
		t.Errorf("bucket %q: %v after %v, want an invalid host at once", "bad bucket", err, time.Since(start))
	}
}
