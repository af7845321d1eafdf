package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server"
)

// TestUploadsAbortAllStreams aborts seven uploads three to a listing page
// and checks, from the order of the requests the server received, that
// each page's uploads are aborted before the next page is asked for, and
// that none is skipped, although the next page starts after an upload
// that is gone by then and splits one key's uploads.
func TestUploadsAbortAllStreams(t *testing.T) {
	srv, err := server.Open(server.Config{Dir: t.TempDir(), Credentials: []server.Credential{{AccessKeyID: "LTAIpage", AccessKeySecret: "page-secret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log []string // "list" or "abort", in arrival order
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		switch {
		case r.Method == http.MethodGet && q.Has("uploads"):
			log = append(log, "list")
		case r.Method == http.MethodDelete && q.Has("uploadId"):
			log = append(log, "abort")
		}
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	cred := sign.Credentials{AccessKeyID: "LTAIpage", AccessKeySecret: "page-secret"}
	env := []string{"OSS_ACCESS_KEY_ID=LTAIpage", "OSS_ACCESS_KEY_SECRET=page-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + hs.URL}

	mustCLI(t, env, "mb", "oss://bkt")
	keys := []string{"a", "a", "b", "b", "b", "c/x", "d"}
	for _, key := range keys {
		if st, body := signedDoQuery(t, hs.URL, cred, "POST", "bkt", key, "uploads", nil, nil); st != 200 {
			t.Fatalf("initiate %s: %d %s", key, st, body)
		}
	}
	mu.Lock()
	log = nil
	mu.Unlock()

	out := mustCLI(t, env, "uploads", "abort", "--all", "--page-size", "3", "oss://bkt")
	if got := strings.Count(out, "aborted "); got != len(keys) {
		t.Errorf("abort --all printed %d aborts, want %d:\n%s", got, len(keys), out)
	}
	mu.Lock()
	got := slices.Clone(log)
	mu.Unlock()
	want := []string{"list", "abort", "abort", "abort", "list", "abort", "abort", "abort", "list", "abort"}
	if !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if out := mustCLI(t, env, "uploads", "ls", "--page-size", "2", "oss://bkt"); out != "" {
		t.Errorf("uploads left after abort --all: %q", out)
	}
	if _, _, code := cli(t, env, "uploads", "ls", "--page-size", "0", "oss://bkt"); code != 2 {
		t.Errorf("--page-size 0: exit %d, want 2", code)
	}
}
