package oss_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// TestUploadFileServiceID checks that a checkpoint resumes against the same
// service reached at another address when both clients name it with the
// same ServiceID (the CLI's embedded store listens on a new port every
// run), and that without one it is not trusted.
func TestUploadFileServiceID(t *testing.T) {
	for _, sameID := range []bool{true, false} {
		t.Run(map[bool]string{true: "same id", false: "no id"}[sameID], func(t *testing.T) {
			var refuse atomic.Bool
			refuse.Store(true)
			env := osstest.Start(t, osstest.Options{Middleware: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("partNumber") == "3" && refuse.CompareAndSwap(true, false) {
						w.Header().Set("Content-Type", "application/xml")
						w.WriteHeader(http.StatusForbidden)
						_, _ = w.Write([]byte(`<Error><Code>AccessDenied</Code><Message>no</Message></Error>`))
						return
					}
					h.ServeHTTP(w, r)
				})
			}})
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, make([]byte, 5*oss.MinPartSize), 0o644); err != nil {
				t.Fatal(err)
			}
			client := func(endpoint string) *oss.Client {
				cfg := env.Config
				cfg.Endpoint = endpoint
				if sameID {
					cfg.ServiceID = "local-store"
				}
				c, err := oss.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			req := &oss.UploadFileRequest{Bucket: env.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true}
			_, err := client(env.HTTP.URL).UploadFile(t.Context(), req)
			if _, ok := errors.AsType[*oss.UploadError](err); !ok {
				t.Fatalf("first run: %v, want an *UploadError", err)
			}
			other := strings.Replace(env.HTTP.URL, "127.0.0.1", "localhost", 1)
			res, err := client(other).UploadFile(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if sameID && (res.PartsResumed != 2 || res.Restarted != nil) {
				t.Errorf("same service id: resumed %d parts, restarted %v; want 2 and no restart", res.PartsResumed, res.Restarted)
			}
			if !sameID && (res.PartsResumed != 0 || (res.Restarted == nil || res.Restarted.Reason != oss.RestartOtherObject)) {
				t.Errorf("other endpoint: resumed %d parts, restarted %v; want a fresh upload that says why", res.PartsResumed, res.Restarted)
			}
		})
	}
}
