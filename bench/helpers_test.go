package bench

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// writeFile writes size pseudo-random bytes to path, a MiB at a time, and
// returns their MD5.
func writeFile(tb testing.TB, path string, size int64, seed uint64) [md5.Size]byte {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h := md5.New()
	w := io.MultiWriter(f, h)
	chunk := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(chunk)) {
		for i := 0; i < len(chunk); i += 8 {
			binary.LittleEndian.PutUint64(chunk[i:], r.Uint64())
		}
		if _, err := w.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return [md5.Size]byte(h.Sum(nil))
}

// checkObject fails unless the object key holds size bytes with MD5 sum,
// read with ossup's GetObject (which also checks the CRC-64), and then
// deletes it.
func checkObject(tb testing.TB, env *osstest.Env, key string, size int64, sum [md5.Size]byte) {
	tb.Helper()
	if err := sameObject(tb, env, key, size, sum); err != nil {
		tb.Fatal(err)
	}
	if _, err := env.Client.DeleteObject(tb.Context(), &oss.DeleteObjectRequest{Bucket: env.Bucket, Key: key}); err != nil {
		tb.Fatal(err)
	}
}

func sameObject(tb testing.TB, env *osstest.Env, key string, size int64, sum [md5.Size]byte) error {
	res, err := env.Client.GetObject(tb.Context(), &oss.GetObjectRequest{Bucket: env.Bucket, Key: key})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	h := md5.New()
	n, err := io.Copy(h, res.Body)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if got := h.Sum(nil); n != size || !bytes.Equal(got, sum[:]) {
		return fmt.Errorf("object %s: got %d bytes with MD5 %x, want %d bytes with MD5 %x", key, n, got, size, sum)
	}
	return nil
}

// heapPeak records the high-water mark of the heap in use: the bytes of
// the heap's spans that hold objects, as runtime.MemStats.HeapInuse counts
// them, sampled every 2 ms.
type heapPeak struct {
	peak uint64 // highest sample over all sampled sections
	base uint64 // highest first sample of a section
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// sample samples the heap until the returned function is called.
func (p *heapPeak) sample() (stop func()) {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	read := func() uint64 {
		metrics.Read(s)
		return s[0].Value.Uint64() + s[1].Value.Uint64()
	}
	p.base = max(p.base, read())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			p.peak = max(p.peak, read())
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

// report adds the peak and the base to b's results, in MiB.
func (p *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(p.peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(p.base)/(1<<20), "base-heap-MiB")
}
