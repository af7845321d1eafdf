package oss_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// faultLongEnv runs TestTransfersRideOutFaults at full scale: a 256 MiB
// file and a partition of 20 s (CI: 32 MiB and 2 s).
const faultLongEnv = "OSSUP_FAULT_LONG"

// TestTransfersRideOutFaults sends one UploadFile and then one
// DownloadFile, TaskNum 8, through a proxy that resets connections, stalls
// them, trickles some, and partitions the network once (every connection
// reset, new ones refused) until it heals. Each call must finish byte-exact
// on its own, with no upload left behind. It runs in both dialects, and
// in the OSS dialect also with parts of 200 KiB, which go from memory
// (filebody.Bytes) where larger ones go by sendfile.
func TestTransfersRideOutFaults(t *testing.T) {
	for _, d := range []oss.Dialect{oss.DialectOSS, oss.DialectS3} {
		t.Run(d.String(), func(t *testing.T) { rideOutFaults(t, d, 0) })
	}
	t.Run("oss-200KiB", func(t *testing.T) { rideOutFaults(t, oss.DialectOSS, 200<<10) })
}

// rideOutFaults is one run of TestTransfersRideOutFaults; part, when not
// 0, is the part and range size.
func rideOutFaults(t *testing.T, dialect oss.Dialect, part int64) {
	size, partition, partSize := 32<<20, 2*time.Second, int64(1<<20)
	if os.Getenv(faultLongEnv) != "" {
		size, partition, partSize = 256<<20, 20*time.Second, 8<<20
	}
	if part != 0 {
		partSize = part
	}
	crc := crc64.ECMA
	if dialect == oss.DialectS3 {
		partSize, crc = max(partSize, oss.S3MinPartSize), crc64.NVME
	}
	env := osstest.Start(t, osstest.Options{Dialect: dialect})
	var (
		mu          sync.Mutex
		rng         = rand.New(rand.NewPCG(9, 10))
		forwarded   atomic.Int64 // bytes forwarded, both ways
		partitioned atomic.Bool
		resets      atomic.Int64
		stalls      atomic.Int64
	)
	// trickle marks the connections that move a chunk every 2 ms.
	trickle := map[int]bool{}
	var proxy *faultProxy
	shape := func(conn int, dir proxyDir, off int64) proxyAction {
		n := forwarded.Add(32 << 10)
		mu.Lock()
		defer mu.Unlock()
		if _, ok := trickle[conn]; !ok {
			trickle[conn] = rng.Float64() < 0.1
		}
		switch r := rng.Float64(); {
		case n > int64(size)/2 && !partitioned.Load() && partitioned.CompareAndSwap(false, true):
			go proxy.partition(partition) // not under mu: it resets connections whose pipes call shape
			return proxyAction{pause: forever}
		case r < 0.002:
			resets.Add(1)
			return proxyAction{reset: true}
		case r < 0.003:
			stalls.Add(1)
			return proxyAction{pause: forever}
		case trickle[conn]:
			return proxyAction{pause: 2 * time.Millisecond}
		}
		return proxyAction{}
	}
	client, proxy := proxiedClient(t, env, proxyOptions{shape: shape}, func(c *oss.Config) {
		c.StallTimeout = 500 * time.Millisecond
		c.RetryMaxElapsed = partition + 30*time.Second
	})

	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := upData(size, 123)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	up, err := client.UploadFile(t.Context(), &oss.UploadFileRequest{
		Bucket: env.Bucket, Key: "faulty", UploadFile: src, TaskNum: 8, PartSize: partSize, EnableCheckpoint: true,
		CheckpointFile: filepath.Join(dir, "up.ucp"),
	})
	if err != nil {
		t.Fatalf("UploadFile through faults: %v", err)
	}
	t.Logf("upload: %s, %d resets, %d stalls, partition of %s: %v", time.Since(start).Round(time.Millisecond), resets.Load(), stalls.Load(), partition, partitioned.Load())
	if !partitioned.Load() || time.Since(start) < partition {
		t.Errorf("the upload did not wait out the partition")
	}
	if !up.Verified || up.CRC64 != crc.Checksum(data) {
		t.Errorf("upload result %+v", up)
	}

	partitioned.Store(false)
	forwarded.Store(0)
	start = time.Now()
	dst := filepath.Join(dir, "dst.bin")
	down, err := client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
		Bucket: env.Bucket, Key: "faulty", DownloadFile: dst, TaskNum: 8, PartSize: partSize, EnableCheckpoint: true,
	})
	if err != nil {
		t.Fatalf("DownloadFile through faults: %v", err)
	}
	t.Logf("download: %s, %d resets, %d stalls in all", time.Since(start).Round(time.Millisecond), resets.Load(), stalls.Load())
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || !down.Verified {
		t.Fatalf("downloaded %d bytes, verified %t: not the %d uploaded", len(got), down.Verified, len(data))
	}
	if !partitioned.Load() || time.Since(start) < partition {
		t.Error("the download did not wait out the partition")
	}
	// Nothing left behind on the service.
	for page, err := range env.Client.ListMultipartUploads(t.Context(), &oss.ListMultipartUploadsRequest{Bucket: env.Bucket}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Uploads) != 0 {
			t.Errorf("uploads left behind: %+v", page.Uploads)
		}
	}
}
