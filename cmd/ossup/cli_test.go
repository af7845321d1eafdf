package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ossup/ossup/server"
)

// cli runs the ossup binary with env added to the environment and returns
// stdout, stderr and the exit status.
func cli(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(ossupBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func mustCLI(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, env, args...)
	if code != 0 {
		t.Fatalf("ossup %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func writeRandomFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	path := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// embeddedEnv points the embedded local store at a fresh directory and
// makes sure no endpoint from the environment leaks in.
func embeddedEnv(t *testing.T) []string {
	return []string{"XDG_DATA_HOME=" + t.TempDir(), "OSS_ENDPOINT=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET="}
}

// roundTrip exercises cp, ls, stat, cat, cp back, rm against env.
func roundTrip(t *testing.T, env []string) {
	path, data := writeRandomFile(t, 3<<20+17)
	out := mustCLI(t, env, "cp", path, "oss://rtbucket/dir/obj.bin", "--task-num", "3", "--part-size", "512KiB")
	if !strings.Contains(out, "oss://rtbucket/dir/obj.bin") {
		t.Errorf("cp output %q", out)
	}
	if out := mustCLI(t, env, "ls", "oss://rtbucket"); !strings.Contains(out, "oss://rtbucket/dir/") {
		t.Errorf("ls by directory %q", out)
	}
	if out := mustCLI(t, env, "ls", "-r", "oss://rtbucket"); !strings.Contains(out, "3145745  oss://rtbucket/dir/obj.bin") {
		t.Errorf("ls -r %q", out)
	}
	if out := mustCLI(t, env, "stat", "oss://rtbucket/dir/obj.bin"); !strings.Contains(out, "size:          3145745") || !strings.Contains(out, "Multipart") {
		t.Errorf("stat %q", out)
	}
	if out := mustCLI(t, env, "cat", "oss://rtbucket/dir/obj.bin"); out != string(data) {
		t.Errorf("cat gave %d bytes, want %d", len(out), len(data))
	}
	back := filepath.Join(t.TempDir(), "back.bin")
	mustCLI(t, env, "cp", "oss://rtbucket/dir/obj.bin", back, "--task-num", "4")
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Error("downloaded file differs")
	}
	mustCLI(t, env, "rm", "oss://rtbucket/dir/obj.bin")
	if _, errOut, code := cli(t, env, "stat", "oss://rtbucket/dir/obj.bin"); code != 1 || !strings.Contains(errOut, "NoSuchKey") || !strings.Contains(errOut, "request id") {
		t.Errorf("stat after rm: exit %d, %q", code, errOut)
	}
}

func TestEmbeddedRoundTrip(t *testing.T) {
	env := embeddedEnv(t)
	roundTrip(t, env)
	if _, errOut, _ := cli(t, env, "ls"); !strings.Contains(errOut, "no endpoint configured") {
		t.Errorf("the embedded store is not announced: %q", errOut)
	}
}

func TestServeRoundTrip(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=cn-hangzhou"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir())
	env = append(env, "OSS_ENDPOINT="+p.url)
	mustCLI(t, env, "mb", "oss://rtbucket")
	roundTrip(t, env)
	mustCLI(t, env, "rb", "oss://rtbucket")
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}

func TestBadArguments(t *testing.T) {
	env := embeddedEnv(t)
	for _, args := range [][]string{
		{"cp"},
		{"cp", "only-one"},
		{"cp", "a", "b"},
		{"cp", "oss://", "x"},
		{"cp", "x", "oss://b/k", "--part-size", "ten"},
		{"cp", "x", "oss://b/k", "--part-size", "5XB"},
		{"cp", "x", "oss://b/k", "--meta", "novalue"},
		{"cp", "x", "oss://b/k", "--bogus"},
		{"stat", "oss://bucket-only"},
		{"ls", "not-a-url"},
		{"rm"},
	} {
		_, errOut, code := cli(t, env, args...)
		if code != 2 || !strings.Contains(errOut, "ossup") {
			t.Errorf("ossup %v: exit %d (want 2), stderr %q", args, code, errOut)
		}
	}
	// A part size the library rejects is a failure, not a usage error, and
	// says why.
	path, _ := writeRandomFile(t, 1<<20)
	if _, errOut, code := cli(t, env, "cp", path, "oss://bkt/k", "--part-size", "1KiB"); code != 1 || !strings.Contains(errOut, "part size") {
		t.Errorf("tiny part size: exit %d, %q", code, errOut)
	}
}

func TestPlainProgress(t *testing.T) {
	env := embeddedEnv(t)
	path, _ := writeRandomFile(t, 2<<20)
	_, errOut, code := cli(t, env, "cp", path, "oss://bkt/k", "--part-size", "256KiB")
	if code != 0 || !strings.Contains(errOut, "2.0 MiB / 2.0 MiB (100%)") {
		t.Errorf("progress lines: exit %d, %q", code, errOut)
	}
	if _, errOut, _ := cli(t, env, "cp", "-q", path, "oss://bkt/k2"); errOut != "" {
		t.Errorf("-q still printed %q", errOut)
	}
}

// gatedServer is a server whose UploadPart requests can be held, so that a
// test can interrupt an upload at a known point.
type gatedServer struct {
	*httptest.Server
	mu      sync.Mutex
	parts   int           // UploadPart requests seen
	holdAt  int           // hold the holdAt-th UploadPart (0: none)
	held    chan struct{} // closed when it is being held
	release chan struct{}
}

func newGatedServer(t *testing.T, holdAt int) *gatedServer {
	srv, err := server.Open(server.Config{Dir: t.TempDir(), Credentials: []server.Credential{{AccessKeyID: "LTAIgate", AccessKeySecret: "gate-secret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	g := &gatedServer{holdAt: holdAt, held: make(chan struct{}), release: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
			g.mu.Lock()
			g.parts++
			hold := g.parts == g.holdAt
			g.mu.Unlock()
			if hold {
				close(g.held)
				<-g.release
			}
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		select {
		case <-g.release:
		default:
			close(g.release)
		}
		g.Close()
		srv.Close()
	})
	return g
}

func (g *gatedServer) partCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.parts
}

func TestInterruptAndResume(t *testing.T) {
	gs := newGatedServer(t, 6)
	env := []string{"OSS_ACCESS_KEY_ID=LTAIgate", "OSS_ACCESS_KEY_SECRET=gate-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + gs.URL}
	mustCLI(t, env, "mb", "oss://bkt")
	path, data := writeRandomFile(t, 20*(100<<10)+5)
	args := []string{"cp", path, "oss://bkt/big", "--part-size", "100KiB", "--task-num", "1", "--checkpoint"}
	cmd := exec.Command(ossupBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-gs.held // part 6 is in flight
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	close(gs.release)
	if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted cp: %v (want exit 130), stderr %q", err, errb.String())
	}
	if !strings.Contains(errb.String(), "run the same command again") {
		t.Errorf("no resume hint: %q", errb.String())
	}
	if _, err := os.Stat(path + ".ucp"); err != nil {
		t.Fatalf("checkpoint not kept: %v", err)
	}
	before := gs.partCount()
	_, errOut, code := cli(t, env, args...)
	if code != 0 || !strings.Contains(errOut, "resum") {
		t.Fatalf("rerun: exit %d, %q", code, errOut)
	}
	// Five of 21 parts were stored: the first progress line counts them.
	if pct := firstPercent(t, errOut); pct < 5*100/21 {
		t.Errorf("the rerun's first progress line shows %d%%, want the resumed %d%% or more:\n%s", pct, 5*100/21, errOut)
	}
	if sent := gs.partCount() - before; sent > 21-5 {
		t.Errorf("the rerun sent %d parts; at most the %d missing ones were needed", sent, 21-5)
	}
	if out := mustCLI(t, env, "cat", "oss://bkt/big"); out != string(data) {
		t.Fatal("resumed object differs from the file")
	}
	if out := mustCLI(t, env, "uploads", "ls", "oss://bkt"); out != "" {
		t.Errorf("uploads left behind: %q", out)
	}
}

// TestReadmeMainJob runs the README's main-job command word for word.
func TestReadmeMainJob(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "go run ./cmd/ossup cp ") {
			line = strings.TrimSpace(l)
			break
		}
	}
	if line == "" {
		t.Fatal("README has no go run ./cmd/ossup cp command")
	}
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), embeddedEnv(t)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	if !strings.Contains(string(out), "oss://examplebucket/exampledir/exampleobject.txt") {
		t.Errorf("output %q", out)
	}
}

// firstPercent is the percentage on the first plain progress line of a
// command's stderr.
func firstPercent(t *testing.T, stderr string) int {
	t.Helper()
	for line := range strings.Lines(stderr) {
		if i := strings.Index(line, "%)"); i > 0 {
			j := strings.LastIndex(line[:i], "(")
			if pct, err := strconv.Atoi(line[j+1 : i]); err == nil {
				return pct
			}
		}
	}
	t.Fatalf("no progress line in %q", stderr)
	return 0
}

// TestCatRidesOutResets: the first two GETs of the object are cut after
// 1 MiB of body; cat still writes every byte, in order, and exits 0.
func TestCatRidesOutResets(t *testing.T) {
	srv, err := server.Open(server.Config{Dir: t.TempDir(), Credentials: []server.Credential{{AccessKeyID: "LTAIcut", AccessKeySecret: "cut-secret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	cuts := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cut := r.Method == http.MethodGet && r.URL.Path == "/bkt/big" && cuts < 2
		if cut {
			cuts++
		}
		mu.Unlock()
		if cut {
			w = &cutWriter{ResponseWriter: w, left: 1 << 20}
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	env := []string{"OSS_ENDPOINT=" + hs.URL, "OSS_ACCESS_KEY_ID=LTAIcut", "OSS_ACCESS_KEY_SECRET=cut-secret", "OSS_REGION=cn-hangzhou"}
	path, data := writeRandomFile(t, 20<<20)
	mustCLI(t, env, "mb", "oss://bkt")
	mustCLI(t, env, "cp", "-q", path, "oss://bkt/big")
	out, errOut, code := cli(t, env, "cat", "oss://bkt/big")
	if code != 0 || out != string(data) {
		t.Fatalf("cat: exit %d, %d bytes (want %d, the object's): %s", code, len(out), len(data), errOut)
	}
	if cuts != 2 {
		t.Fatalf("%d GETs were cut, want 2", cuts)
	}
}

// cutWriter passes left bytes of a response body, then drops the
// connection.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		_, _ = c.ResponseWriter.Write(p[:c.left])
		c.left = 0
		if f, ok := c.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	c.left -= len(p)
	return c.ResponseWriter.Write(p)
}
