package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// stallingWriter passes left bytes of a response, then holds the next
// write until the client goes away.
type stallingWriter struct {
	http.ResponseWriter
	r    *http.Request
	left int
}

func (s *stallingWriter) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p[:min(len(p), s.left)])
	s.left -= n
	if err != nil || s.left > 0 {
		return n, err
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
	<-s.r.Context().Done()
	return n, s.r.Context().Err()
}

func TestFetchRangeResumesAfterStall(t *testing.T) {
	const size, stallAt = 1 << 20, 300 << 10
	var gets atomic.Int32
	stallFirst := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/obj") && gets.Add(1) == 1 {
				w = &stallingWriter{ResponseWriter: w, r: r, left: stallAt}
			}
			next.ServeHTTP(w, r)
		})
	}
	env := osstest.Start(t, osstest.Options{Middleware: stallFirst, Client: func(cfg *oss.Config) {
		cfg.StallTimeout = 200 * time.Millisecond
	}})
	data := make([]byte, size)
	_, _ = rand.Read(data)
	if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: size}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := fetchRange(t.Context(), env.Client, ossURL{bucket: env.Bucket, key: "obj"}, 0, size, &got); err != nil {
		t.Fatalf("fetchRange: %v", err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Errorf("fetched %d bytes that differ from the %d stored", got.Len(), len(data))
	}
	if n := gets.Load(); n != 2 {
		t.Errorf("%d GETs, want 2: the stalled one and one for the rest", n)
	}
}

func TestResumable(t *testing.T) {
	if !resumable(&oss.StallError{}) || resumable(errors.New("other")) || resumable(oss.ErrCRCMismatch) {
		t.Error("resumable: want true for a stall only, of these")
	}
}
