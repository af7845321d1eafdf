package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The download settings every client gets: 8 MiB ranges, 4 at a time,
// checkpoint on, CRC-64 check on.
const (
	downloadSize  = 256 << 20
	downloadPart  = 8 << 20
	downloadTasks = 4
)

// endpoint is a server and the account and bucket a client uses on it.
type endpoint struct {
	url, region, id, secret, bucket string
	pid                             int // the server's process; 0 when in-process
}

// downloader is one library's checkpointed, parallel download of an
// object to a local file.
type downloader interface {
	// DownloadFile downloads key to path in ranges of j.partSize bytes,
	// j.tasks at a time, with a checkpoint in j.cpDir when j.checkpoint
	// is set.
	DownloadFile(ctx context.Context, key, path string, j job) error
}

// newDownloader makes the client called name for ep, path style and
// signing with V4, with its CRC-64 check on.
func newDownloader(tb testing.TB, name string, ep endpoint) downloader {
	tb.Helper()
	switch name {
	case "ossup":
		return ossupDownloader{ossupFor(tb, ep), ep.bucket}
	case "sdk-v1":
		c, err := v1.New(ep.url, ep.id, ep.secret, v1.AuthVersion(v1.AuthV4), v1.Region(ep.region))
		if err != nil {
			tb.Fatal(err)
		}
		if !c.Config.IsEnableCRC {
			tb.Fatal("sdk-v1: CRC checks are off")
		}
		b, err := c.Bucket(ep.bucket)
		if err != nil {
			tb.Fatal(err)
		}
		return sdkV1Downloader{b}
	case "sdk-v2":
		cfg := v2.LoadDefaultConfig().
			WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ep.id, ep.secret)).
			WithRegion(ep.region).
			WithEndpoint(ep.url).
			WithUsePathStyle(true).
			WithSignatureVersion(v2.SignatureVersionV4)
		if cfg.DisableDownloadCRC64Check != nil && *cfg.DisableDownloadCRC64Check {
			tb.Fatal("sdk-v2: CRC checks are off")
		}
		return sdkV2Downloader{v2.NewClient(cfg), ep.bucket}
	}
	tb.Fatalf("no client %q", name)
	return nil
}

// ossupFor returns an ossup client for ep, path style and signing with
// V4.
func ossupFor(tb testing.TB, ep endpoint) *oss.Client {
	tb.Helper()
	c, err := oss.New(oss.Config{
		Endpoint:         ep.url,
		Region:           ep.region,
		Credentials:      oss.StaticCredentials(oss.Credentials{AccessKeyID: ep.id, AccessKeySecret: ep.secret}),
		SignatureVersion: oss.SignatureV4,
		UsePathStyle:     true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

type ossupDownloader struct {
	c      *oss.Client
	bucket string
}

func (d ossupDownloader) DownloadFile(ctx context.Context, key, path string, j job) error {
	req := &oss.DownloadFileRequest{Bucket: d.bucket, Key: key, DownloadFile: path,
		TaskNum: j.tasks, PartSize: j.partSize, EnableCheckpoint: j.checkpoint}
	if j.checkpoint {
		req.CheckpointFile = filepath.Join(j.cpDir, key+".dcp")
	}
	res, err := d.c.DownloadFile(ctx, req)
	if err == nil && !res.Verified {
		err = fmt.Errorf("ossup: CRC-64 of %s not verified", key)
	}
	return err
}

type sdkV1Downloader struct{ b *v1.Bucket }

func (d sdkV1Downloader) DownloadFile(ctx context.Context, key, path string, j job) error {
	opts := []v1.Option{v1.Routines(j.tasks), v1.WithContext(ctx)}
	if j.checkpoint {
		opts = append(opts, v1.Checkpoint(true, filepath.Join(j.cpDir, key+".dcp")))
	}
	return d.b.DownloadFile(key, path, j.partSize, opts...)
}

type sdkV2Downloader struct {
	c      *v2.Client
	bucket string
}

func (d sdkV2Downloader) DownloadFile(ctx context.Context, key, path string, j job) error {
	dl := d.c.NewDownloader(func(o *v2.DownloaderOptions) {
		o.PartSize = j.partSize
		o.ParallelNum = j.tasks
		o.EnableCheckpoint = j.checkpoint
		if j.checkpoint {
			// As for the uploader, v1.6.1 takes filepath.Dir of CheckpointDir.
			o.CheckpointDir = j.cpDir + string(filepath.Separator)
		}
	})
	_, err := dl.DownloadFile(ctx, &v2.GetObjectRequest{Bucket: &d.bucket, Key: &key}, path)
	return err
}

// BenchmarkDownloadFile downloads one 256 MiB object, uploaded once, with
// each client's checkpointed downloader: 8 MiB ranges, 4 at a time, CRC-64
// check on. The "inproc" server runs in this process (so client CPU
// includes the server's); the "process" server is `ossup serve` as a
// separate process, whose CPU is reported apart.
func BenchmarkDownloadFile(b *testing.B) {
	src := filepath.Join(b.TempDir(), "data.bin")
	sum := writeFile(b, src, downloadSize, 7)
	const key = "download-256MiB"
	b.Run("inproc", func(b *testing.B) {
		env := osstest.Start(b, osstest.Options{})
		if err := (ossupClient{env.Client, env.Bucket}).PutFile(b.Context(), key, src); err != nil {
			b.Fatal(err)
		}
		ep := endpoint{url: env.HTTP.URL, region: env.Config.Region, bucket: env.Bucket,
			id: env.Credentials.AccessKeyID, secret: env.Credentials.AccessKeySecret}
		benchDownloads(b, ep, key, sum)
	})
	b.Run("process", func(b *testing.B) {
		t := startTarget(b, "ossup")
		ep := endpoint{url: t.endpoint, region: "cn-hangzhou", bucket: benchBucket, id: benchID, secret: benchSecret, pid: t.pid}
		if err := (ossupClient{ossupFor(b, ep), ep.bucket}).PutFile(b.Context(), key, src); err != nil {
			b.Fatal(err)
		}
		benchDownloads(b, ep, key, sum)
	})
}

// benchDownloads runs a sub-benchmark per client that downloads key from
// ep into a fresh file each time; outside the timer it compares the
// file's MD5 with sum and removes the file.
func benchDownloads(b *testing.B, ep endpoint, key string, sum [md5.Size]byte) {
	for _, name := range clientNames {
		b.Run(name, func(b *testing.B) {
			d := newDownloader(b, name, ep)
			dir, cpDir := b.TempDir(), b.TempDir()
			j := job{partSize: downloadPart, tasks: downloadTasks, checkpoint: true, cpDir: cpDir}
			var heap heapPeak
			var cpu downloadCPU
			cpu.pid = ep.pid
			b.SetBytes(downloadSize)
			collect()
			resetPeakRSS(b)
			for i := 0; b.Loop(); i++ {
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.bin", name, i))
				stop := heap.sample()
				cpu.start(b)
				err := d.DownloadFile(b.Context(), key, path, j)
				cpu.stop(b)
				stop()
				if err != nil {
					b.Fatalf("%s: %v", path, err)
				}
				b.StopTimer()
				if err := sameFile(path, downloadSize, sum); err != nil {
					b.Fatal(err)
				}
				if es, _ := os.ReadDir(cpDir); len(es) > 0 {
					b.Fatalf("%d files left in the checkpoint directory", len(es))
				}
				if err := os.Remove(path); err != nil {
					b.Fatal(err)
				}
				collect()
				b.StartTimer()
			}
			heap.report(b)
			cpu.report(b, int64(b.N)*downloadSize)
			b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-rss-MiB")
		})
	}
}

// sameFile returns an error unless the file at path holds size bytes
// with MD5 sum.
func sameFile(path string, size int64, sum [md5.Size]byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	if got := h.Sum(nil); n != size || !bytes.Equal(got, sum[:]) {
		return fmt.Errorf("%s: got %d bytes with MD5 %x, want %d bytes with MD5 %x", path, n, got, size, sum)
	}
	return nil
}

// downloadCPU adds up this process's CPU time (getrusage, user plus
// system) and, when pid is set, that server process's, over the timed
// sections.
type downloadCPU struct {
	pid            int
	self, server   time.Duration
	self0, server0 time.Duration
}

func (c *downloadCPU) start(tb testing.TB) { c.self0, c.server0 = c.read(tb) }

func (c *downloadCPU) stop(tb testing.TB) {
	s, p := c.read(tb)
	c.self += s - c.self0
	c.server += p - c.server0
}

func (c *downloadCPU) read(tb testing.TB) (self, server time.Duration) {
	self = selfCPU(tb)
	if c.pid != 0 {
		var err error
		if server, err = procCPU(c.pid); err != nil {
			tb.Fatal(err)
		}
	}
	return self, server
}

// report adds CPU seconds per GiB moved: client-cpu-s/GiB is this
// process's (the server's included when it runs in-process),
// server-cpu-s/GiB the server process's.
func (c *downloadCPU) report(b *testing.B, n int64) {
	gib := float64(n) / (1 << 30)
	b.ReportMetric(c.self.Seconds()/gib, "client-cpu-s/GiB")
	if c.pid != 0 {
		b.ReportMetric(c.server.Seconds()/gib, "server-cpu-s/GiB")
	}
}

// resetPeakRSS resets this process's peak resident set size (VmHWM), as
// Linux allows through /proc/self/clear_refs.
func resetPeakRSS(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Fatal(err)
	}
}

// peakRSS returns this process's peak resident set size, in bytes, since
// the last resetPeakRSS.
func peakRSS(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/self/status")
	return 0
}
