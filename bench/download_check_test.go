package bench

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss/osstest"
)

// TestDownloadsByteExact runs each client's checkpointed download of a
// 1 MiB object in 100 KiB ranges, 4 at a time, and checks that the file
// is byte-exact, that the ranges were fetched apart, that a checkpoint
// was in the directory given while they were, and that it is gone after.
func TestDownloadsByteExact(t *testing.T) {
	const size = 1 << 20
	const wantRanges = 11 // 1 MiB in 100 KiB ranges
	lastRange := fmt.Sprintf("bytes=%d-", (wantRanges-1)*100<<10)
	src := filepath.Join(t.TempDir(), "data.bin")
	sum := writeFile(t, src, size, 2)
	for _, name := range clientNames {
		t.Run(name, func(t *testing.T) {
			cpDir := t.TempDir()
			var ranges, cpAtRange atomic.Int64
			env := osstest.Start(t, osstest.Options{Middleware: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet && r.Header.Get("Range") != "" {
						// A client may write its checkpoint only once the first
						// range is in (the v2 SDK does), after all 4 workers
						// have asked for theirs; so the range at the end is
						// held until a checkpoint is seen: the other ten can
						// all be done by then.
						ranges.Add(1)
						last := strings.HasPrefix(r.Header.Get("Range"), lastRange)
						if checkpointIn(cpDir, last) {
							cpAtRange.Add(1)
						}
					}
					next.ServeHTTP(w, r)
				})
			}})
			const key = "object"
			if err := (ossupClient{env.Client, env.Bucket}).PutFile(t.Context(), key, src); err != nil {
				t.Fatal(err)
			}
			ep := endpoint{url: env.HTTP.URL, region: env.Config.Region, bucket: env.Bucket,
				id: env.Credentials.AccessKeyID, secret: env.Credentials.AccessKeySecret}
			path := filepath.Join(t.TempDir(), "out.bin")
			j := job{partSize: 100 << 10, tasks: 4, checkpoint: true, cpDir: cpDir}
			if err := newDownloader(t, name, ep).DownloadFile(t.Context(), key, path, j); err != nil {
				t.Fatal(err)
			}
			if err := sameFile(path, size, sum); err != nil {
				t.Fatal(err)
			}
			if got := ranges.Load(); got != wantRanges {
				t.Errorf("got %d range requests, want %d", got, wantRanges)
			}
			if cpAtRange.Load() == 0 {
				t.Errorf("no checkpoint in %s while ranges were fetched", cpDir)
			}
			if es, _ := os.ReadDir(cpDir); len(es) > 0 {
				t.Errorf("%d files left in the checkpoint directory, want none", len(es))
			}
		})
	}
}

// checkpointIn reports whether dir holds a file; with wait, it looks
// again every millisecond for up to 10 seconds before saying no.
func checkpointIn(dir string, wait bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if es, _ := os.ReadDir(dir); len(es) > 0 {
			return true
		}
		if !wait || time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}
