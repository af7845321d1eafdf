package bench

import (
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/oss/osstest"
)

// TestUploadsByteExact runs, on a 1 MiB file, the work each benchmark asks
// of each client, and checks that every object is byte-exact. With a
// checkpoint it also checks that the checkpoint is in the directory given
// when the upload completes, and gone after.
func TestUploadsByteExact(t *testing.T) {
	const size = 1 << 20
	path := filepath.Join(t.TempDir(), "data.bin")
	sum := writeFile(t, path, size, 1)
	cases := []struct {
		name  string
		job   *job // nil: PutFile
		parts int  // UploadPart requests; 0: one PutObject
	}{
		{"default", &job{partSize: 100 << 10, tasks: 5, checkpoint: true}, 11},
		// The throughput benchmark's settings, but with parts small enough
		// for a 1 MiB file to go up in several.
		{"no-checkpoint", &job{partSize: 100 << 10, tasks: 4}, 11},
		{"put", nil, 0},
	}
	for _, name := range clientNames {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				cpDir := t.TempDir()
				var parts, completes, cpAtComplete atomic.Int64
				env := osstest.Start(t, osstest.Options{Middleware: func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						q := r.URL.Query()
						switch {
						case r.Method == http.MethodPut && q.Has("uploadId"):
							parts.Add(1)
						case r.Method == http.MethodPost && q.Has("uploadId"):
							completes.Add(1)
							if es, _ := os.ReadDir(cpDir); len(es) > 0 {
								cpAtComplete.Add(1)
							}
						}
						next.ServeHTTP(w, r)
					})
				}})
				c := newClient(t, name, env)
				key := objectKey(name, 0)
				var err error
				if tc.job == nil {
					err = c.PutFile(t.Context(), key, path)
				} else {
					j := *tc.job
					j.cpDir = cpDir
					err = c.UploadFile(t.Context(), key, path, j)
				}
				if err != nil {
					t.Fatal(err)
				}
				checkObject(t, env, key, size, sum)
				if got := parts.Load(); got != int64(tc.parts) {
					t.Errorf("got %d UploadPart requests, want %d", got, tc.parts)
				}
				wantCompletes := int64(0)
				if tc.parts > 0 {
					wantCompletes = 1
				}
				if got := completes.Load(); got != wantCompletes {
					t.Errorf("got %d CompleteMultipartUpload requests, want %d", got, wantCompletes)
				}
				if tc.job != nil && tc.job.checkpoint && cpAtComplete.Load() != 1 {
					t.Errorf("no checkpoint in %s when the upload completed", cpDir)
				}
				if es, _ := os.ReadDir(cpDir); len(es) > 0 {
					t.Errorf("%d files left in the checkpoint directory, want none", len(es))
				}
			})
		}
	}
}
