package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/server/store"
)

// newBenchHarness starts a server on loopback with bucket "bench".
func newBenchHarness(b *testing.B) *harness {
	h := &harness{t: b, dir: b.TempDir()}
	h.start(nil)
	b.Cleanup(h.stop)
	h.signer.Region = "cn-hangzhou"
	h.cred.AccessKeyID, h.cred.AccessKeySecret = testCred.AccessKeyID, testCred.AccessKeySecret
	h.mkbucket("bench")
	return h
}

// multipartObject uploads parts of the given size and completes them.
func multipartObject(h *harness, key string, parts, size int) {
	id := h.initiate("bench", key, nil)
	var nums []int
	var etags []string
	for n := 1; n <= parts; n++ {
		nums = append(nums, n)
		etags = append(etags, h.uploadPart("bench", key, id, n, randBytes(uint64(n), size)))
	}
	h.ok(call{method: "POST", bucket: "bench", key: key, query: "uploadId=" + id, body: completeBody(nums, etags)}, 200)
}

// BenchmarkUploadPart measures UploadPart over loopback HTTP: signature
// check, MD5, CRC-64, fsync and the metadata commit included.
func BenchmarkUploadPart(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20, 8 << 20} {
		b.Run(fmt.Sprintf("part=%dKiB", size>>10), func(b *testing.B) {
			h := newBenchHarness(b)
			id := h.initiate("bench", "obj", nil)
			data := randBytes(1, size)
			b.SetBytes(int64(size))
			n := 0
			for b.Loop() {
				n = n%MaxPartNumber + 1
				h.ok(call{method: "PUT", bucket: "bench", key: "obj", query: fmt.Sprintf("partNumber=%d&uploadId=%s", n, id), body: data}, 200)
			}
		})
	}
}

// BenchmarkGetObject measures reading a 64 MiB multipart object (eight
// 8 MiB parts) back over loopback HTTP.
func BenchmarkGetObject(b *testing.B) {
	h := newBenchHarness(b)
	multipartObject(h, "obj", 8, 8<<20)
	b.SetBytes(64 << 20)
	for b.Loop() {
		resp, err := h.http.Client().Do(h.request(call{method: "GET", bucket: "bench", key: "obj"}))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != 64<<20 || resp.StatusCode != 200 {
			b.Fatalf("GET: status %d, %d bytes, %v", resp.StatusCode, n, err)
		}
	}
}

// BenchmarkCompleteUpload measures CompleteMultipartUpload over HTTP for
// 10 parts of 100 KiB; the store's benchmark covers 10,000 parts.
func BenchmarkCompleteUpload(b *testing.B) {
	h := newBenchHarness(b)
	data := randBytes(2, 100<<10)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		key := fmt.Sprintf("obj%d", i)
		id := h.initiate("bench", key, nil)
		var nums []int
		var etags []string
		for n := 1; n <= 10; n++ {
			nums = append(nums, n)
			etags = append(etags, h.uploadPart("bench", key, id, n, data))
		}
		body := completeBody(nums, etags)
		b.StartTimer()
		h.ok(call{method: "POST", bucket: "bench", key: key, query: "uploadId=" + id, body: body}, 200)
	}
}

// BenchmarkDeleteMultipleObjects measures one DeleteMultipleObjects
// request naming 1,000 existing keys over loopback HTTP. The objects are
// put through the store outside the timed region.
func BenchmarkDeleteMultipleObjects(b *testing.B) {
	h := newBenchHarness(b)
	ctx := b.Context()
	var body strings.Builder
	body.WriteString("<Delete><Quiet>true</Quiet>")
	for i := range maxDeleteObjects {
		fmt.Fprintf(&body, "<Object><Key>obj%04d</Key></Object>", i)
	}
	body.WriteString("</Delete>")
	for b.Loop() {
		b.StopTimer()
		for i := range maxDeleteObjects {
			if _, err := h.srv.store.PutObject(ctx, "bench", fmt.Sprintf("obj%04d", i), strings.NewReader("x"), 1, store.Metadata{}, store.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		h.ok(call{method: "POST", bucket: "bench", query: "delete", body: []byte(body.String()), md5: true}, 200)
	}
}

// runConcurrent runs b.N calls of do, tasks at a time, over a client that
// keeps a connection per task.
func runConcurrent(b *testing.B, h *harness, tasks int, do func(i int) call) {
	h.http.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = tasks
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range tasks {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				r := h.do(do(i))
				if r.StatusCode != 200 {
					b.Errorf("status %d: %s", r.StatusCode, r.body)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkUploadPartConcurrent measures UploadPart over loopback HTTP
// with several parts at a time: the bench module's 100 KiB parts 5 at a
// time and 8 MiB parts 4 at a time.
func BenchmarkUploadPartConcurrent(b *testing.B) {
	for _, c := range []struct{ size, tasks int }{{100 << 10, 5}, {8 << 20, 4}} {
		b.Run(fmt.Sprintf("part=%dKiB,tasks=%d", c.size>>10, c.tasks), func(b *testing.B) {
			h := newBenchHarness(b)
			id := h.initiate("bench", "obj", nil)
			data := randBytes(1, c.size)
			b.SetBytes(int64(len(data)))
			runConcurrent(b, h, c.tasks, func(i int) call {
				return call{method: "PUT", bucket: "bench", key: "obj", query: fmt.Sprintf("partNumber=%d&uploadId=%s", i%MaxPartNumber+1, id), body: data}
			})
		})
	}
}

// BenchmarkPutObjectSmallConcurrent measures PutObject of 4 KiB objects,
// each to a new key, 4 at a time over loopback HTTP (cp -r of small
// files).
func BenchmarkPutObjectSmallConcurrent(b *testing.B) {
	h := newBenchHarness(b)
	data := randBytes(1, 4<<10)
	b.SetBytes(int64(len(data)))
	runConcurrent(b, h, 4, func(i int) call {
		return call{method: "PUT", bucket: "bench", key: fmt.Sprintf("d%d/f%d", i%100, i), body: data}
	})
}
