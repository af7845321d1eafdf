package oss_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ossup/ossup/oss"
)

// benchNullServer is an in-process server that reads each request's body
// and answers 200 with no body and nothing to check: what is measured is
// the client's cost per request (the server's own, the same for every
// client version, is counted too). It sends no CRC-64, so the client
// computes its own but compares it with nothing.
func benchNullServer(b *testing.B) *oss.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("ETag", `"0123456789ABCDEF0123456789ABCDEF"`)
		w.Header().Set("x-oss-request-id", "0123456789ABCDEF01234567")
	}))
	b.Cleanup(srv.Close)
	c, err := oss.New(oss.Config{Endpoint: srv.URL, Region: "cn-hangzhou",
		Credentials: oss.StaticCredentials{AccessKeyID: "benchaccess", AccessKeySecret: "benchsecret-0123456789"}})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkPutObjectOverhead sends PutObjects of 4 KiB one after another
// to benchNullServer: the per-request overhead of the send loop (stall
// watch, trace, signing, headers) with the network left to loopback.
func BenchmarkPutObjectOverhead(b *testing.B) {
	c := benchNullServer(b)
	body := make([]byte, 4<<10)
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.PutObject(b.Context(), &oss.PutObjectRequest{Bucket: "bench", Key: "dir/object.bin", Body: bytes.NewReader(body), Size: int64(len(body))})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUploadTreeSmallFiles uploads a tree of 400 files of 4 KiB in 4
// folders to benchNullServer, 4 at a time, with and without a batch
// journal; ns/file and allocs/file are the client's cost per small file
// (walk, open, read, CRC-64, request), the server's included. cpu-ns/file
// is the CPU time of the whole process (user and system) per file.
func BenchmarkUploadTreeSmallFiles(b *testing.B) {
	const files = 400
	dir := b.TempDir()
	data := make([]byte, 4<<10)
	for i := range files {
		p := filepath.Join(dir, fmt.Sprintf("d%d", i/100), fmt.Sprintf("f%03d.bin", i))
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		data[0], data[1] = byte(i), byte(i>>8)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	c := benchNullServer(b)
	for _, checkpoint := range []bool{false, true} {
		b.Run(fmt.Sprintf("checkpoint=%t", checkpoint), func(b *testing.B) {
			cp := filepath.Join(b.TempDir(), "tree.ubj")
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			cpu0 := benchCPU(b)
			for b.Loop() {
				res, err := c.UploadTree(b.Context(), &oss.UploadTreeRequest{Dir: dir, Bucket: "bench", Prefix: "tree/", Jobs: 4,
					EnableCheckpoint: checkpoint, CheckpointFile: cp})
				if err != nil {
					b.Fatal(err)
				}
				if res.Done != files {
					b.Fatalf("%d files done, want %d", res.Done, files)
				}
			}
			cpu := benchCPU(b) - cpu0
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*files), "cpu-ns/file")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*files), "ns/file")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N*files), "allocs/file")
			b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(b.N*files), "B/file")
			b.ReportMetric(0, "ns/op")
		})
	}
}
