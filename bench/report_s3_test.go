package bench

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The s3 group compares uploaders of the S3 dialect on a distributed
// MinIO cluster: ossup's UploadFile (Config.Dialect S3), aws-sdk-go-v2's
// transfer manager (the successor of its upload manager) and minio-go's
// PutObject, each uploading the same file in the same part size with the
// same number of parts at once, in a process of its own. The cluster is
// 4 MinIO processes of 2 drives each, on this machine's own address
// (MinIO refuses loopback addresses for a cluster inside a container).

// s3Clients are the S3 uploaders compared, in the order they run.
var s3Clients = []string{"ossup", "aws-tm", "minio-go"}

// s3Case is the s3 group's one row group.
var s3Case = clientCase{"Upload to a 4-node MinIO cluster (S3): 512 MiB, 8 MiB parts, 4 at a time", "s3upload", 512 << 20, 8 << 20, 4, s3Clients}

const s3Note = "Each client uploads over plain HTTP with AWS Signature V4 and its default integrity checks: ossup signs each part's SHA-256 and sends its CRC-64/NVME (and the whole object's at Complete); the transfer manager signs each part's SHA-256 and sends its CRC-32; minio-go signs its body chunk by chunk (aws-chunked). The cluster (4 MinIO processes, 2 drives each, erasure coded) shares the machine's 2 cores with the client. Every object is read back outside the timing and compared by MD5, then deleted."

// s3Uploader is one library's multipart upload of a local file to S3.
type s3Uploader interface {
	Upload(ctx context.Context, key, path string, j job) error
}

func newS3Uploader(tb testing.TB, name string, ep endpoint) s3Uploader {
	tb.Helper()
	switch name {
	case "ossup":
		c, err := oss.New(oss.Config{Endpoint: ep.url, Region: ep.region, Dialect: oss.DialectS3,
			Credentials: oss.StaticCredentials{AccessKeyID: ep.id, AccessKeySecret: ep.secret}})
		if err != nil {
			tb.Fatal(err)
		}
		return ossupClient{c, ep.bucket}
	case "aws-tm":
		cfg := aws.Config{Region: ep.region, Credentials: awscreds.NewStaticCredentialsProvider(ep.id, ep.secret, "")}
		c := s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(ep.url)
			o.UsePathStyle = true
		})
		return awsUploader{c, ep.bucket}
	case "minio-go":
		host := ep.url[len("http://"):]
		c, err := minio.New(host, &minio.Options{Creds: miniocreds.NewStaticV4(ep.id, ep.secret, ""), Region: ep.region, BucketLookup: minio.BucketLookupPath})
		if err != nil {
			tb.Fatal(err)
		}
		return minioUploader{c, ep.bucket}
	}
	tb.Fatalf("no S3 uploader %q", name)
	return nil
}

func (c ossupClient) Upload(ctx context.Context, key, path string, j job) error {
	return c.UploadFile(ctx, key, path, j)
}

type awsUploader struct {
	c      *s3.Client
	bucket string
}

func (u awsUploader) Upload(ctx context.Context, key, path string, j job) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tm := transfermanager.New(u.c, func(o *transfermanager.Options) {
		o.PartSizeBytes = j.partSize
		o.Concurrency = j.tasks
	})
	_, err = tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: &u.bucket, Key: &key, Body: f})
	return err
}

type minioUploader struct {
	c      *minio.Client
	bucket string
}

func (u minioUploader) Upload(ctx context.Context, key, path string, j job) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = u.c.PutObject(ctx, u.bucket, key, f, fi.Size(), minio.PutObjectOptions{PartSize: uint64(j.partSize), NumThreads: uint(j.tasks)})
	return err
}

// s3Group runs the s3 group: the cluster, then s3Case.
func (r *report) s3Group(t *testing.T, files *reportFiles) {
	ep := startMinioCluster(t)
	c, err := oss.New(oss.Config{Endpoint: ep.url, Region: ep.region, Dialect: oss.DialectS3,
		Credentials: oss.StaticCredentials{AccessKeyID: ep.id, AccessKeySecret: ep.secret}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: ep.bucket}); err != nil {
		t.Fatal(err)
	}
	f := files.get(t, s3Case.size)
	runs := map[string][]run{}
	for round := range r.rounds {
		for _, name := range s3Case.clients {
			key := fmt.Sprintf("s3-%s-%d", name, round)
			j := childJob{Op: s3Case.op, Client: name, URL: ep.url, Region: ep.region, ID: ep.id, Secret: ep.secret,
				Bucket: ep.bucket, Key: key, Path: f.path, PartSize: s3Case.partSize, Tasks: s3Case.tasks, Checkpoint: name == "ossup", CPDir: t.TempDir()}
			res, err := runChild(j)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameS3Object(ctx, c, ep.bucket, key, f); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if _, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: ep.bucket, Key: key}); err != nil {
				t.Fatal(err)
			}
			progress("%s: %s round %d: %.0f MB/s, %.2f CPU-s (%.2f system), %.1f MiB peak RSS",
				s3Case.title, name, round+1, mbps(s3Case.size, res.elapsed), res.cpu.Seconds(), res.sys.Seconds(), mib(res.maxRSS))
			runs[name] = append(runs[name], res)
		}
	}
	r.add(clientTable(s3Case, runs, s3Note+" ossup uploads with its checkpoint on; the others have none."))
}

// sameS3Object reads key back and compares its size and MD5 with f's.
func sameS3Object(ctx context.Context, c *oss.Client, bucket, key string, f *reportFile) error {
	g, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		return err
	}
	defer g.Body.Close()
	h := md5.New()
	n, err := io.Copy(h, g.Body)
	if err != nil {
		return err
	}
	if n != f.size || [md5.Size]byte(h.Sum(nil)) != f.md5 {
		return fmt.Errorf("%s reads back as %d bytes of another MD5", key, n)
	}
	return nil
}

// startMinioCluster starts 4 MinIO processes of 2 drives each as one
// erasure-coded cluster and returns the first one's endpoint; the cluster
// stops when tb ends. Without a MinIO binary (OSSUP_MINIO) it skips.
func startMinioCluster(tb testing.TB) endpoint {
	tb.Helper()
	bin := os.Getenv(minioEnv)
	if bin == "" {
		tb.Skipf("s3 group skipped: set %s to the path of a minio binary", minioEnv)
	}
	ip := ownAddress()
	dir := tb.TempDir()
	var ports []string
	for range 4 {
		ports = append(ports, freePort(tb))
	}
	var drives []string
	for n, p := range ports {
		for d := 1; d <= 2; d++ {
			drives = append(drives, fmt.Sprintf("http://%s:%s%s/node%d/drive%d", ip, p, dir, n, d))
		}
	}
	for n, p := range ports {
		cmd := exec.Command(bin, append([]string{"server", "--quiet", "--address", ip + ":" + p}, drives...)...)
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+benchID, "MINIO_ROOT_PASSWORD="+benchSecret,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1")
		logf, err := os.Create(filepath.Join(tb.TempDir(), "minio"+strconv.Itoa(n)+".log"))
		if err != nil {
			tb.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { stopProcess(cmd) })
	}
	url := "http://" + ip + ":" + ports[0]
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(url + "/minio/health/cluster")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the MinIO cluster at %s did not come up", url)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return endpoint{url: url, region: "us-east-1", id: benchID, secret: benchSecret, bucket: "s3bench"}
}

// ownAddress is this machine's first IPv4 address that is not loopback,
// or 127.0.0.1.
func ownAddress() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	return "127.0.0.1"
}

// TestS3UploadersSmoke runs each S3 uploader of the s3 group against the
// ossup server's S3 dialect in this process, on 12 MiB in 5 MiB parts,
// and checks every object by MD5.
func TestS3UploadersSmoke(t *testing.T) {
	env := osstest.Start(t, osstest.Options{Dialect: oss.DialectS3})
	ep := endpoint{url: env.HTTP.URL, region: env.Config.Region, id: env.Credentials.AccessKeyID,
		secret: env.Credentials.AccessKeySecret, bucket: env.Bucket}
	files := &reportFiles{dir: t.TempDir()}
	f := files.get(t, 12<<20+5)
	for _, name := range s3Clients {
		key := "smoke-" + name
		j := job{partSize: 5 << 20, tasks: 2, checkpoint: name == "ossup", cpDir: t.TempDir()}
		if err := newS3Uploader(t, name, ep).Upload(t.Context(), key, f.path, j); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sameS3Object(t.Context(), env.Client, env.Bucket, key, f); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
