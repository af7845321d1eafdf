package bench

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ossup/ossup/oss/osstest"
)

// BenchmarkUploadFileDefault runs each client's resumable upload at the
// reference defaults, 100 KiB parts, with 5 tasks and a checkpoint, on a
// 64 MiB file.
func BenchmarkUploadFileDefault(b *testing.B) {
	benchUpload(b, 64<<20, func(c client, ctx context.Context, key, path, cpDir string) error {
		return c.UploadFile(ctx, key, path, job{partSize: 100 << 10, tasks: 5, checkpoint: true, cpDir: cpDir})
	})
}

// BenchmarkUploadFileThroughput runs each client's resumable upload with
// 8 MiB parts, 4 tasks and no checkpoint on a 256 MiB file.
func BenchmarkUploadFileThroughput(b *testing.B) {
	benchUpload(b, 256<<20, func(c client, ctx context.Context, key, path, _ string) error {
		return c.UploadFile(ctx, key, path, job{partSize: 8 << 20, tasks: 4})
	})
}

// BenchmarkPutObject uploads a 64 MiB file with one PutObject.
func BenchmarkPutObject(b *testing.B) {
	benchUpload(b, 64<<20, func(c client, ctx context.Context, key, path, _ string) error {
		return c.PutFile(ctx, key, path)
	})
}

// benchUpload writes a file of size bytes and times upload of it by each
// client, each in a sub-benchmark with a server of its own. Outside the
// timer every object is checked against the file and deleted, and the
// garbage collector runs before the next upload.
func benchUpload(b *testing.B, size int64, upload func(c client, ctx context.Context, key, path, cpDir string) error) {
	path := filepath.Join(b.TempDir(), "data.bin")
	sum := writeFile(b, path, size, uint64(size))
	for _, name := range clientNames {
		b.Run(name, func(b *testing.B) {
			env := osstest.Start(b, osstest.Options{})
			c := newClient(b, name, env)
			cpDir := b.TempDir()
			var heap heapPeak
			b.SetBytes(size)
			collect()
			for i := 0; b.Loop(); i++ {
				key := objectKey(name, i)
				stop := heap.sample()
				err := upload(c, b.Context(), key, path, cpDir)
				stop()
				if err != nil {
					b.Fatalf("%s: %v", key, err)
				}
				b.StopTimer()
				checkObject(b, env, key, size, sum)
				collect()
				b.StartTimer()
			}
			heap.report(b)
		})
	}
}

// collect runs the garbage collector twice: the second run empties the
// sync.Pool victim caches that the first one fills, so that buffers pooled
// by an earlier upload do not count in the next one's heap.
func collect() {
	runtime.GC()
	runtime.GC()
}
