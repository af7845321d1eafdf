package oss_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// dlStallingWriter passes left bytes of a response, then holds the next
// write until the client goes away.
type dlStallingWriter struct {
	http.ResponseWriter
	r    *http.Request
	left int
}

func (s *dlStallingWriter) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p[:min(len(p), s.left)])
	s.left -= n
	if err != nil || s.left > 0 {
		return n, err
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
	<-s.r.Context().Done()
	return n, s.r.Context().Err()
}

// TestDownloadFileResumesAfterStall: a range whose body stops moving is
// cut by the stall detector and asked for again from the byte it reached,
// within the same call.
func TestDownloadFileResumesAfterStall(t *testing.T) {
	const size, stallAt = 1 << 20, 300 << 10
	var gets atomic.Int32
	stallFirst := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/obj") {
				if gets.Add(1) == 1 {
					w = &dlStallingWriter{ResponseWriter: w, r: r, left: stallAt}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	env := osstest.Start(t, osstest.Options{Middleware: stallFirst, Client: func(cfg *oss.Config) {
		cfg.StallTimeout = 200 * time.Millisecond
	}})
	data := upData(size, 77)
	if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: size}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f")
	start := time.Now()
	res, err := env.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{Bucket: env.Bucket, Key: "obj", DownloadFile: path, PartSize: size})
	if err != nil {
		t.Fatal(err)
	}
	dlCheck(t, path, data, res, path+".dcp")
	if n := gets.Load(); n != 2 {
		t.Errorf("%d GET requests, want the stalled one and one for the rest", n)
	}
	if res.BytesFetched != size {
		t.Errorf("fetched %d bytes, want %d: the rest is asked for from the byte reached", res.BytesFetched, size)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}
