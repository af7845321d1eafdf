package oss_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// completeWatcher counts requests and can act on CompleteMultipartUpload.
type completeWatcher struct {
	mu        sync.Mutex
	completes int
	parts     int
	initiates int
	// onComplete runs before the server sees a Complete; if it returns
	// true the server's answer is dropped and the client gets a 503.
	onComplete func(n int) bool
}

func (c *completeWatcher) middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		c.mu.Lock()
		switch {
		case r.Method == http.MethodPut && q.Has("partNumber"):
			c.parts++
		case r.Method == http.MethodPost && q.Has("uploads"):
			c.initiates++
		}
		isComplete := r.Method == http.MethodPost && q.Has("uploadId")
		if isComplete {
			c.completes++
		}
		n := c.completes
		c.mu.Unlock()
		if isComplete && c.onComplete != nil && c.onComplete(n) {
			h.ServeHTTP(discardWriter{header: http.Header{}}, r) // the object is completed...
			w.WriteHeader(http.StatusServiceUnavailable)         // ...but the answer is lost
			return
		}
		h.ServeHTTP(w, r)
	})
}

// discardWriter swallows a response.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

func readObject(t *testing.T, c *oss.Client, bucket, key string) []byte {
	t.Helper()
	res, err := c.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUploadFileCompleteAnswerLost: the service completes the object but
// the answer is lost; the retried Complete gets NoSuchUpload, and the
// upload must still succeed, recognising its own object.
func TestUploadFileCompleteAnswerLost(t *testing.T) {
	w := &completeWatcher{onComplete: func(n int) bool { return n == 1 }}
	env := osstest.Start(t, osstest.Options{Middleware: w.middleware})
	data := bytes.Repeat([]byte("lost answer "), 50_000)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := env.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: env.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	if w.completes != 2 {
		t.Errorf("%d Complete requests, want 2 (the lost one and its retry)", w.completes)
	}
	if res.ETag == "" || res.CRC64 == 0 {
		t.Errorf("result %+v lacks the object's ETag or CRC", res)
	}
	if got := readObject(t, env.Client, env.Bucket, "k"); !bytes.Equal(got, data) {
		t.Fatal("object differs from the file")
	}
	if _, err := os.Stat(path + ".ucp"); !os.IsNotExist(err) {
		t.Errorf("checkpoint left behind: %v", err)
	}
}

// TestUploadFileCompletedBeforeCrash: a run completed the object and died
// before it removed its checkpoint. The rerun must see that the object is
// already the file and upload nothing.
func TestUploadFileCompletedBeforeCrash(t *testing.T) {
	var saved []byte
	var path string
	w := &completeWatcher{}
	w.onComplete = func(int) bool {
		saved, _ = os.ReadFile(path + ".ucp") // the journal as the crash would leave it
		return false
	}
	env := osstest.Start(t, osstest.Options{Middleware: w.middleware})
	data := bytes.Repeat([]byte("crash after complete "), 40_000)
	path = filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	req := &oss.UploadFileRequest{Bucket: env.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true, TaskNum: 3}
	first, err := env.Client.UploadFile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) == 0 {
		t.Fatal("no journal was captured at Complete")
	}
	if err := os.WriteFile(path+".ucp", saved, 0o600); err != nil {
		t.Fatal(err)
	}
	parts, initiates := w.parts, w.initiates
	res, err := env.Client.UploadFile(t.Context(), req)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if w.parts != parts || w.initiates != initiates {
		t.Errorf("the rerun sent %d parts and %d initiates; want none", w.parts-parts, w.initiates-initiates)
	}
	if res.CRC64 != first.CRC64 || res.PartsResumed == 0 || res.Restarted != nil {
		t.Errorf("rerun result %+v, want the first run's CRC %d, all parts resumed, no restart", res, first.CRC64)
	}
	if _, err := os.Stat(path + ".ucp"); !os.IsNotExist(err) {
		t.Errorf("checkpoint left behind: %v", err)
	}
	if got := readObject(t, env.Client, env.Bucket, "k"); !bytes.Equal(got, data) {
		t.Fatal("object differs from the file")
	}
}
