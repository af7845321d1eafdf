package oss_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// BenchmarkDownloadFile downloads a 1 GiB object from an in-process
// server on loopback with range sizes from 1 MiB to 64 MiB and 1, 4 and 8
// tasks, with and without checkpoint at 8 MiB × 4, CRC-64 checked end to
// end, and reports the peak heap in use (client and server together). An
// iteration takes seconds; run it with -benchtime=1x.
func BenchmarkDownloadFile(b *testing.B) {
	const size = 1 << 30
	dir := b.TempDir()
	src := filepath.Join(dir, "1GiB.bin")
	benchWriteFile(b, src, size)
	env := osstest.Start(b, osstest.Options{})
	if _, err := env.Client.UploadFile(b.Context(), &oss.UploadFileRequest{Bucket: env.Bucket, Key: "bench", UploadFile: src, PartSize: 64 << 20, TaskNum: 4}); err != nil {
		b.Fatal(err)
	}
	type config struct {
		partSize   int64
		tasks      int
		checkpoint bool
	}
	var configs []config
	for _, ps := range []int64{1 << 20, 8 << 20, 64 << 20} {
		for _, tasks := range []int{1, 4, 8} {
			configs = append(configs, config{ps, tasks, false})
		}
	}
	configs = append(configs, config{8 << 20, 4, true})
	dst := filepath.Join(dir, "out.bin")
	for _, c := range configs {
		name := fmt.Sprintf("part=%s/tasks=%d/checkpoint=%t", benchSize(c.partSize), c.tasks, c.checkpoint)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			peak := &heapPeak{}
			for b.Loop() {
				stop := peak.sample()
				res, err := env.Client.DownloadFile(b.Context(), &oss.DownloadFileRequest{Bucket: env.Bucket, Key: "bench", DownloadFile: dst,
					PartSize: c.partSize, TaskNum: c.tasks, EnableCheckpoint: c.checkpoint})
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if !res.Verified {
					b.Fatal("download not verified")
				}
				b.StopTimer()
				if err := os.Remove(dst); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(peak.max)/(1<<20), "peak-heap-MiB")
		})
	}
}
