package oss_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// BenchmarkUploadFile uploads a 1 GiB file to an in-process server on
// loopback, with part sizes from 100 KiB to 64 MiB and 1, 4 and 8 tasks,
// and with and without checkpoint at 1 MiB × 4. Besides the throughput it
// reports the peak of the heap in use (client and server together, as
// sampled every 2 ms), which must not grow with the part size: parts are
// streamed from the file, never buffered. An iteration takes seconds;
// run it with -benchtime=1x.
func BenchmarkUploadFile(b *testing.B) {
	const size = 1 << 30
	path := filepath.Join(b.TempDir(), "1GiB.bin")
	benchWriteFile(b, path, size)
	env := osstest.Start(b, osstest.Options{})
	type config struct {
		partSize   int64
		tasks      int
		checkpoint bool
	}
	var configs []config
	for _, ps := range []int64{100 << 10, 1 << 20, 8 << 20, 64 << 20} {
		for _, tasks := range []int{1, 4, 8} {
			configs = append(configs, config{ps, tasks, false})
		}
	}
	configs = append(configs, config{1 << 20, 4, true})
	for _, c := range configs {
		name := fmt.Sprintf("part=%s/tasks=%d/checkpoint=%t", benchSize(c.partSize), c.tasks, c.checkpoint)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			peak := &heapPeak{}
			for b.Loop() {
				stop := peak.sample()
				_, err := env.Client.UploadFile(b.Context(), &oss.UploadFileRequest{Bucket: env.Bucket, Key: "bench", UploadFile: path,
					PartSize: c.partSize, TaskNum: c.tasks, EnableCheckpoint: c.checkpoint})
				stop()
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if _, err := env.Client.DeleteObject(b.Context(), &oss.DeleteObjectRequest{Bucket: env.Bucket, Key: "bench"}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MiB")
		})
	}
}

func benchSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// benchWriteFile writes size pseudo-random bytes, a MiB at a time.
func benchWriteFile(b *testing.B, path string, size int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := upData(1<<20, 1)
	for off := 0; off < size; off += len(chunk) {
		chunk[0], chunk[1] = byte(off>>20), byte(off>>28) // no two MiB alike
		if _, err := f.Write(chunk[:min(len(chunk), size-off)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// heapPeak records the high-water mark of the heap in use (the bytes of
// the heap's spans that hold objects, as HeapInuse counts them).
type heapPeak struct {
	max uint64
}

// sample samples the heap until the returned function is called.
func (p *heapPeak) sample() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			p.max = max(p.max, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
