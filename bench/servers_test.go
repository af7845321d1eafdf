package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/ossup/ossup/oss"
)

// The server benchmarks run each server as a separate process on
// loopback, so that both are measured the same way: throughput seen by
// one bare HTTP client, and the CPU time the server process spent, read
// from /proc. Every request is presigned (ossup's with oss.Client.Presign,
// Signature V4; MinIO's with the AWS Signature V4 signer and an unsigned
// payload) and sent by the same http.Client, so the two share one code
// path from the request on.

// minioEnv names the environment variable holding the path of the MinIO
// binary; without it the MinIO sub-benchmarks are skipped.
const minioEnv = "OSSUP_MINIO"

const (
	benchBucket = "bench"
	benchID     = "benchaccess"
	benchSecret = "benchsecret-0123456789"
)

// target is one running server and the way to authorize requests to it.
type target struct {
	name     string
	pid      int
	endpoint string // http://127.0.0.1:port
	hc       *http.Client
	// presign returns the URL and headers that authorize the request.
	presign func(ctx context.Context, method, key string, q url.Values) (string, http.Header, error)
}

// newHTTPClient is the bare client both servers are driven by.
func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 16,
		DisableCompression:  true,
		WriteBufferSize:     256 << 10,
		ReadBufferSize:      256 << 10,
	}}
}

// startTarget starts the server called name ("ossup" or "minio") with its
// data in a fresh directory, creates the bucket, and stops the server
// when tb ends.
func startTarget(tb testing.TB, name string) *target {
	tb.Helper()
	port := freePort(tb)
	t := &target{name: name, endpoint: "http://127.0.0.1:" + port, hc: newHTTPClient()}
	data := filepath.Join(tb.TempDir(), "data")
	var cmd *exec.Cmd
	switch name {
	case "ossup":
		bin := buildOssup(tb)
		cmd = exec.Command(bin, "serve", "-q", "--data", data, "--addr", "127.0.0.1:"+port,
			"--access-key-id", benchID, "--access-key-secret", benchSecret)
		t.presign = ossupPresigner(tb, t.endpoint)
	case "minio":
		bin := os.Getenv(minioEnv)
		if bin == "" {
			tb.Skipf("MinIO side skipped: set %s to the path of a minio binary", minioEnv)
		}
		cmd = exec.Command(bin, "server", data, "--address", "127.0.0.1:"+port, "--quiet")
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+benchID, "MINIO_ROOT_PASSWORD="+benchSecret,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off")
		t.presign = minioPresigner(t.endpoint)
	default:
		tb.Fatalf("unknown server %q", name)
	}
	logPath := filepath.Join(tb.TempDir(), name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	t.pid = cmd.Process.Pid
	tb.Cleanup(func() {
		stopProcess(cmd)
		logf.Close()
	})
	if err := t.waitReady(tb.Context(), 60*time.Second); err != nil {
		log, _ := os.ReadFile(logPath)
		tb.Fatalf("%s did not start: %v\n%s", name, err, log)
	}
	if _, err := t.do(tb.Context(), http.MethodPut, "", nil, nil); err != nil {
		tb.Fatalf("%s: create bucket: %v", name, err)
	}
	return t
}

// stopProcess stops a started server: SIGTERM, and after 20 s SIGKILL.
func stopProcess(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// waitReady polls the server until it answers a plain request.
func (t *target) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		res, err := t.hc.Get(t.endpoint + "/")
		if err == nil {
			res.Body.Close()
			if res.StatusCode < 500 {
				return nil
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// do sends one presigned request for key in the bench bucket (key ""
// addresses the bucket) with body, and returns the response when its
// status is 2xx; otherwise it returns an error holding the status and the
// start of the body.
func (t *target) do(ctx context.Context, method, key string, q url.Values, body []byte) (*http.Response, error) {
	u, h, err := t.presign(ctx, method, key, q)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	res, err := t.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		res.Body.Close()
		return nil, fmt.Errorf("%s %s: %s: %s", method, key, res.Status, msg)
	}
	return res, nil
}

// call is do for requests whose response body is not needed.
func (t *target) call(ctx context.Context, method, key string, q url.Values, body []byte) (http.Header, error) {
	res, err := t.do(ctx, method, key, q, body)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return nil, err
	}
	return res.Header, nil
}

// ossupPresigner presigns with an ossup client: Signature V4, path style.
func ossupPresigner(tb testing.TB, endpoint string) func(context.Context, string, string, url.Values) (string, http.Header, error) {
	c, err := oss.New(oss.Config{
		Endpoint:         endpoint,
		Region:           "cn-hangzhou",
		Credentials:      oss.StaticCredentials(oss.Credentials{AccessKeyID: benchID, AccessKeySecret: benchSecret}),
		SignatureVersion: oss.SignatureV4,
		UsePathStyle:     true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, method, key string, q url.Values) (string, http.Header, error) {
		p, err := c.Presign(ctx, &oss.PresignRequest{Method: method, Bucket: benchBucket, Key: key, Query: q})
		if err != nil {
			return "", nil, err
		}
		return p.URL, p.Header, nil
	}
}

// minioPresigner presigns with the AWS Signature V4 signer, for service
// s3 in MinIO's default region, with an unsigned payload.
func minioPresigner(endpoint string) func(context.Context, string, string, url.Values) (string, http.Header, error) {
	s := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: benchID, SecretAccessKey: benchSecret}
	return func(ctx context.Context, method, key string, q url.Values) (string, http.Header, error) {
		u := endpoint + "/" + benchBucket
		if key != "" {
			u += "/" + key
		}
		// The signer takes the expiry from the query, in seconds.
		q2 := url.Values{"X-Amz-Expires": {"900"}}
		for k, v := range q {
			q2[k] = v
		}
		u += "?" + strings.ReplaceAll(q2.Encode(), "+", "%20")
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			return "", nil, err
		}
		signed, h, err := s.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
		if err != nil {
			return "", nil, err
		}
		h.Del("Host")
		return signed, h, nil
	}
}

// ossupBinary, when set, is an ossup binary built earlier that
// buildOssup returns instead of building another (the report sets it for
// its duration, as it starts many servers).
var ossupBinary string

// buildOssup builds cmd/ossup, in the main module one directory up, into
// a temporary directory and returns the binary's path.
func buildOssup(tb testing.TB) string {
	tb.Helper()
	if ossupBinary != "" {
		return ossupBinary
	}
	bin := filepath.Join(tb.TempDir(), "ossup")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/ossup")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("build ossup: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// cpuMeter adds up the CPU time (user and system) that a server process
// and this process spend in the measured sections.
type cpuMeter struct {
	pid            int
	server, client time.Duration // totals over the sections
	s0, c0         time.Duration // at the start of the current section
	bytes          int64         // moved in the sections
	err            error
}

func (m *cpuMeter) start() {
	m.s0, m.c0 = m.read()
}

// stop ends a section in which n bytes moved.
func (m *cpuMeter) stop(n int64) {
	s, c := m.read()
	m.server += s - m.s0
	m.client += c - m.c0
	m.bytes += n
}

func (m *cpuMeter) read() (server, client time.Duration) {
	server, err := procCPU(m.pid)
	if err != nil && m.err == nil {
		m.err = err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil && m.err == nil {
		m.err = err
	}
	client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return server, client
}

// reportPerGiB adds the server's and the client's CPU seconds per GiB
// moved to b's results.
func (m *cpuMeter) reportPerGiB(b *testing.B) {
	if m.err != nil {
		b.Fatal(m.err)
	}
	gib := float64(m.bytes) / (1 << 30)
	b.ReportMetric(m.server.Seconds()/gib, "server-cpu-s/GiB")
	b.ReportMetric(m.client.Seconds()/gib, "client-cpu-s/GiB")
}

// procCPU returns the user plus system time of process pid, all threads,
// from /proc/pid/stat (in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
