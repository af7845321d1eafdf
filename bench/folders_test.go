package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

// ossutilEnv names the environment variable holding the path of an
// ossutil 1.7.19 binary; without it the ossutil sub-benchmarks are
// skipped.
const ossutilEnv = "OSSUP_OSSUTIL"

// treeFile is one file of a tree: its path relative to the tree's root
// (with forward slashes, as in the key) and what its object must hold.
type treeFile struct {
	rel   string
	size  int64
	crc64 uint64
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// writeTree writes n files of size pseudo-random bytes under root, 100
// to a folder, and returns them.
func writeTree(tb testing.TB, root string, n int, size int64) []treeFile {
	tb.Helper()
	files := make([]treeFile, n)
	buf := make([]byte, min(size, 1<<20))
	for i := range files {
		rel := fmt.Sprintf("d%03d/f%05d.bin", i/100, i)
		path := filepath.Join(root, filepath.FromSlash(rel))
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		f, err := os.Create(path)
		if err != nil {
			tb.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(i), uint64(size)))
		h := crc64.New(crcTable)
		for left := size; left > 0; left -= int64(len(buf)) {
			chunk := buf[:min(int64(len(buf)), left)]
			for j := 0; j+8 <= len(chunk); j += 8 {
				binary.LittleEndian.PutUint64(chunk[j:], r.Uint64())
			}
			h.Write(chunk)
			if _, err := f.Write(chunk); err != nil {
				tb.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
		files[i] = treeFile{rel: rel, size: size, crc64: h.Sum64()}
	}
	return files
}

// cli is one way to run a folder upload: a tool at one setting.
type cli struct {
	name string   // sub-benchmark name, e.g. "ossutil-jobs10"
	tool string   // "ossup" or "ossutil"
	args []string // the tool's own settings
}

// BenchmarkFoldersSmall uploads a tree of 10,000 files of 4 KiB with
// `ossup cp -r` and with ossutil 1.7.19's `cp -r`, each at several
// settings, to one `ossup serve` process.
func BenchmarkFoldersSmall(b *testing.B) {
	benchFolders(b, 10000, 4<<10, []cli{
		{"ossutil-jobs5", "ossutil", []string{"--jobs", "5"}},
		{"ossup-jobs4", "ossup", []string{"--jobs", "4"}},
		{"ossup-jobs5", "ossup", []string{"--jobs", "5"}},
		{"ossutil-jobs10", "ossutil", []string{"--jobs", "10"}},
		{"ossup-jobs16", "ossup", []string{"--jobs", "16"}},
		{"ossutil-jobs20", "ossutil", []string{"--jobs", "20"}},
		{"ossup-jobs64", "ossup", []string{"--jobs", "64"}},
		{"ossutil-jobs40", "ossutil", []string{"--jobs", "40"}},
	})
}

// BenchmarkFoldersLarge uploads a tree of 20 files of 64 MiB the same
// way. Below ossutil's default --bigfile-threshold (100 MiB) it sends
// each file in one PutObject; the multipart settings lower the threshold
// to 8 MiB and use 8 MiB parts, as ossup does for a 64 MiB file.
func BenchmarkFoldersLarge(b *testing.B) {
	multipart := []string{"--bigfile-threshold", strconv.Itoa(8 << 20), "--part-size", strconv.Itoa(8 << 20)}
	benchFolders(b, 20, 64<<20, []cli{
		{"ossutil-jobs5", "ossutil", []string{"--jobs", "5"}},
		{"ossup-jobs2", "ossup", []string{"--jobs", "2"}},
		{"ossutil-jobs10", "ossutil", []string{"--jobs", "10"}},
		{"ossup-jobs4", "ossup", []string{"--jobs", "4"}},
		{"ossutil-jobs5-parallel1-multipart", "ossutil", append([]string{"--jobs", "5", "--parallel", "1"}, multipart...)},
		{"ossutil-jobs5-parallel5-multipart", "ossutil", append([]string{"--jobs", "5", "--parallel", "5"}, multipart...)},
	})
}

// benchFolders writes the tree once and runs a sub-benchmark per cli,
// each uploading the tree to a fresh prefix of one `ossup serve`
// process. Outside the timer every object's size and CRC-64 (from HEAD)
// are compared with the file's, and the objects are deleted.
func benchFolders(b *testing.B, n int, size int64, clis []cli) {
	root := filepath.Join(b.TempDir(), "tree")
	files := writeTree(b, root, n, size)
	t := startTarget(b, "ossup")
	ep := endpoint{url: t.endpoint, region: "cn-hangzhou", bucket: benchBucket, id: benchID, secret: benchSecret, pid: t.pid}
	c := ossupFor(b, ep)
	ossupBin := buildOssup(b)
	for _, cl := range clis {
		b.Run(cl.name, func(b *testing.B) {
			bin := ossupBin
			if cl.tool == "ossutil" {
				if bin = os.Getenv(ossutilEnv); bin == "" {
					b.Skipf("ossutil skipped: set %s to the path of an ossutil 1.7.19 binary", ossutilEnv)
				}
			}
			work := b.TempDir()
			var toolCPU, serverCPU time.Duration
			var peakRSS int64
			b.SetBytes(int64(n) * size)
			for i := 0; b.Loop(); i++ {
				prefix := fmt.Sprintf("%s-%d/", cl.name, i)
				cmd := folderCommand(bin, cl, ep, root, prefix, work)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				s0, err := procCPU(ep.pid)
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				stop := watchPeakRSS(cmd.Process.Pid)
				err = cmd.Wait()
				peakRSS = max(peakRSS, stop())
				if err != nil {
					b.Fatalf("%s: %v\n%s", cmd, err, out.Bytes())
				}
				s1, err := procCPU(ep.pid)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				serverCPU += s1 - s0
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				toolCPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				if err := checkTree(b, c, ep.bucket, prefix, files); err != nil {
					b.Fatalf("%s: %v\n%s", cl.name, err, out.Bytes())
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
			b.ReportMetric(toolCPU.Seconds()/float64(b.N), "tool-cpu-s/op")
			b.ReportMetric(serverCPU.Seconds()/float64(b.N), "server-cpu-s/op")
			b.ReportMetric(float64(peakRSS)/(1<<20), "tool-peak-rss-MiB")
		})
	}
}

// folderCommand is the command line that uploads root to prefix with
// cl's tool and settings; both tools sign with V4 and address the
// bucket path style, and neither makes objects for folders. work holds what ossutil leaves behind (its
// configuration, checkpoints and reports).
func folderCommand(bin string, cl cli, ep endpoint, root, prefix, work string) *exec.Cmd {
	dest := "oss://" + ep.bucket + "/" + prefix
	if cl.tool == "ossup" {
		args := append([]string{"cp", "-r", "-q"}, cl.args...)
		cmd := exec.Command(bin, append(args, root, dest)...)
		cmd.Env = append(os.Environ(), "OSS_ENDPOINT="+ep.url, "OSS_REGION="+ep.region,
			"OSS_ACCESS_KEY_ID="+ep.id, "OSS_ACCESS_KEY_SECRET="+ep.secret)
		return cmd
	}
	args := append([]string{"cp", "-r", "-f", root + string(filepath.Separator), dest,
		"-e", ep.url, "-i", ep.id, "-k", ep.secret, "-c", filepath.Join(work, "ossutilconfig"),
		"--force-path-style", "--sign-version", "v4", "--region", ep.region, "--disable-dir-object",
		"--checkpoint-dir", filepath.Join(work, "checkpoint"), "--output-dir", filepath.Join(work, "output")},
		cl.args...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = work
	return cmd
}

// checkTree returns an error unless prefix holds exactly one object per
// file, of the file's size and CRC-64 (as HEAD reports it); then it
// deletes the objects.
func checkTree(tb testing.TB, c *oss.Client, bucket, prefix string, files []treeFile) error {
	ctx := tb.Context()
	var keys []string
	sizes := map[string]int64{}
	for page, err := range c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: bucket, Prefix: prefix, PageSize: 1000}) {
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
			sizes[o.Key] = o.Size
		}
	}
	if len(keys) != len(files) {
		return fmt.Errorf("%d objects under %s, want %d", len(keys), prefix, len(files))
	}
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(files); i += 8 {
				errs[i] = checkTreeObject(tb, c, bucket, prefix, files[i], sizes)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for i := 0; i < len(keys); i += oss.MaxDeleteObjects {
		batch := keys[i:min(i+oss.MaxDeleteObjects, len(keys))]
		if _, err := c.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: bucket, Keys: batch, Quiet: true}); err != nil {
			return err
		}
	}
	return nil
}

func checkTreeObject(tb testing.TB, c *oss.Client, bucket, prefix string, f treeFile, sizes map[string]int64) error {
	key := prefix + f.rel
	if got, ok := sizes[key]; !ok || got != f.size {
		return fmt.Errorf("%s: listed with %d bytes (listed: %v), want %d", key, got, ok, f.size)
	}
	res, err := c.HeadObject(tb.Context(), &oss.HeadObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		return err
	}
	if o := res.Object; !o.HasCRC64 || o.CRC64 != f.crc64 || o.Size != f.size {
		return fmt.Errorf("%s: HEAD says %d bytes, CRC-64 %d (reported: %v); want %d bytes, CRC-64 %d",
			key, o.Size, o.CRC64, o.HasCRC64, f.size, f.crc64)
	}
	return nil
}
