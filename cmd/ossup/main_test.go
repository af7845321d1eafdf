package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/sign"
)

// ossupBin is the ossup binary, built once for the tests that run it.
var ossupBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ossup-test")
	if err != nil {
		panic(err)
	}
	ossupBin = filepath.Join(dir, "ossup")
	if out, err := exec.Command("go", "build", "-o", ossupBin, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serveProc is a running "ossup serve".
type serveProc struct {
	cmd    *exec.Cmd
	url    string
	ready  string // the ready line
	stdout *bufio.Scanner
}

var readyLine = regexp.MustCompile(`msg="ossup serve ready" addr=(\S+)`)

func startServe(t *testing.T, env []string, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(ossupBin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &serveProc{cmd: cmd}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdout = bufio.NewScanner(stdout)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
			p.url, p.ready = "http://"+m[1], sc.Text()
			break
		}
	}
	if p.url == "" {
		t.Fatal("ossup serve did not log its ready line")
	}
	go io.Copy(io.Discard, stderr)
	return p
}

// stop sends sig and returns the exit status.
func (p *serveProc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := p.cmd.Wait()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func signedDo(t *testing.T, base string, cred sign.Credentials, method, bucket, key string, body []byte) (int, []byte) {
	t.Helper()
	return signedDoQuery(t, base, cred, method, bucket, key, "", nil, body)
}

// signedDoQuery is signedDo with a raw query string and headers.
func signedDoQuery(t *testing.T, base string, cred sign.Credentials, method, bucket, key, query string, header map[string]string, body []byte) (int, []byte) {
	t.Helper()
	path := "/" + bucket + "/" + key
	if query != "" {
		path += "?" + query
	}
	r, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	if err := (sign.Signer{Region: "cn-hangzhou"}).Sign(r, sign.Resource{Bucket: bucket, Key: key}, cred, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func TestServe(t *testing.T) {
	data := t.TempDir()
	env := []string{"OSS_ACCESS_KEY_ID=LTAIserve", "OSS_ACCESS_KEY_SECRET=serve-secret"}
	cred := sign.Credentials{AccessKeyID: "LTAIserve", AccessKeySecret: "serve-secret"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", data)
	if st, body := signedDo(t, p.url, cred, "PUT", "bkt", "", nil); st != 200 {
		t.Fatalf("PutBucket: %d %s", st, body)
	}
	if st, body := signedDo(t, p.url, cred, "PUT", "bkt", "dir/k", []byte("persisted")); st != 200 {
		t.Fatalf("PutObject: %d %s", st, body)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM", code)
	}
	// Flags after the command, the other signal, the same data directory.
	p = startServe(t, env, "--data", data, "--addr", "127.0.0.1:0")
	if st, body := signedDo(t, p.url, cred, "GET", "bkt", "dir/k", nil); st != 200 || string(body) != "persisted" {
		t.Fatalf("GET after restart: %d %q", st, body)
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("serve exited %d after SIGINT", code)
	}
}

// TestServeAbortIncompleteAfter checks that the flag reaches the server's
// configuration, which reports it when ready; the server's tests cover
// what it does.
func TestServeAbortIncompleteAfter(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIserve", "OSS_ACCESS_KEY_SECRET=serve-secret"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--abort-incomplete-after", "36h")
	if !strings.Contains(p.ready, "abort_incomplete_after=36h0m0s") {
		t.Errorf("ready line %q does not report the setting", p.ready)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM", code)
	}
}

// TestServeAbortsIncompleteUploads: with a short --abort-incomplete-after
// the sweep runs often enough that an abandoned upload is gone within a
// fraction more than the limit.
func TestServeAbortsIncompleteUploads(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIserve", "OSS_ACCESS_KEY_SECRET=serve-secret"}
	cred := sign.Credentials{AccessKeyID: "LTAIserve", AccessKeySecret: "serve-secret"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--abort-incomplete-after", "2s")
	if st, body := signedDo(t, p.url, cred, "PUT", "bkt", "", nil); st != 200 {
		t.Fatalf("PutBucket: %d %s", st, body)
	}
	if st, body := signedDoQuery(t, p.url, cred, "POST", "bkt", "abandoned", "uploads", nil, nil); st != 200 {
		t.Fatalf("Initiate: %d %s", st, body)
	}
	deadline := time.Now().Add(30 * time.Second) // bounds a broken server only
	for {
		st, body := signedDoQuery(t, p.url, cred, "GET", "bkt", "", "uploads", nil, nil)
		if st != 200 {
			t.Fatalf("ListMultipartUploads: %d %s", st, body)
		}
		if !strings.Contains(string(body), "<Upload>") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the upload is still there: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM", code)
	}
}

func TestSweepInterval(t *testing.T) {
	for _, tc := range []struct{ after, want time.Duration }{
		{0, 0}, {72 * time.Hour, 0}, {10 * time.Hour, 0}, {5 * time.Hour, 30 * time.Minute},
		{2 * time.Second, time.Second}, {time.Minute, 6 * time.Second},
	} {
		if got := sweepInterval(tc.after); got != tc.want {
			t.Errorf("sweepInterval(%s) = %s, want %s", tc.after, got, tc.want)
		}
	}
}

// readyBlock reads serve's ready block from its stdout up to the export
// line and returns the block and the variables the line sets.
func (p *serveProc) readyBlock(t *testing.T) (string, map[string]string) {
	t.Helper()
	var block string
	for p.stdout.Scan() {
		line := p.stdout.Text()
		block += line + "\n"
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			vars := map[string]string{}
			for _, kv := range strings.Fields(rest) {
				k, v, _ := strings.Cut(kv, "=")
				vars[k] = v
			}
			return block, vars
		}
		if !strings.HasPrefix(line, "#") {
			t.Fatalf("ready block line %q is neither a comment nor the export line", line)
		}
	}
	t.Fatalf("no export line on stdout: %q", block)
	return "", nil
}

func TestServeGeneratesCredentials(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET="}
	data := t.TempDir()
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", data)
	_, vars := p.readyBlock(t)
	if vars["OSS_ENDPOINT"] != p.url || vars["OSS_REGION"] != "cn-hangzhou" {
		t.Errorf("export line %v, want endpoint %s and region cn-hangzhou", vars, p.url)
	}
	cred := sign.Credentials{AccessKeyID: vars["OSS_ACCESS_KEY_ID"], AccessKeySecret: vars["OSS_ACCESS_KEY_SECRET"]}
	if st, body := signedDo(t, p.url, cred, "PUT", "bkt", "", nil); st != 200 {
		t.Fatalf("PutBucket with the printed credentials: %d %s", st, body)
	}
	wrong := cred
	wrong.AccessKeySecret = "wrong"
	if st, _ := signedDo(t, p.url, wrong, "GET", "bkt", "", nil); st != 403 {
		t.Fatalf("wrong secret: %d", st)
	}
	if st, err := os.Stat(filepath.Join(data, "credentials")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v; want 0600", err, st.Mode())
	}
	p.stop(t, syscall.SIGTERM)
	// A restart keeps the keys already handed out.
	p = startServe(t, env, "--addr", "127.0.0.1:0", "--data", data)
	if _, again := p.readyBlock(t); again["OSS_ACCESS_KEY_ID"] != cred.AccessKeyID || again["OSS_ACCESS_KEY_SECRET"] != cred.AccessKeySecret {
		t.Fatalf("restart printed %v, want the keys of the first start", again)
	}
	if st, body := signedDo(t, p.url, cred, "GET", "bkt", "", nil); st != 200 {
		t.Fatalf("the first start's keys after a restart: %d %s", st, body)
	}
	p.stop(t, syscall.SIGTERM)
	// Keys given explicitly win over the stored ones.
	p = startServe(t, []string{"OSS_ACCESS_KEY_ID=LTAIexplicit", "OSS_ACCESS_KEY_SECRET=explicit"}, "--addr", "127.0.0.1:0", "--data", data)
	if _, vars := p.readyBlock(t); vars["OSS_ACCESS_KEY_ID"] != "LTAIexplicit" {
		t.Fatalf("explicit keys: export line %v", vars)
	}
	if st, _ := signedDo(t, p.url, cred, "GET", "bkt", "", nil); st != 403 {
		t.Fatalf("the stored keys with explicit ones given: %d, want 403", st)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"serve", "extra-arg"}, 2, "takes no arguments"},
		{[]string{"serve", "--access-key-id", "only-id"}, 2, "both"},
		{[]string{"serve", "--abort-incomplete-after", "soon"}, 2, "abort-incomplete-after"},
		{[]string{"serve", "--abort-incomplete-after", "-1h"}, 2, "must not be negative"},
		{[]string{"help", "serve"}, 0, "-abort-incomplete-after DURATION"},
		{[]string{"help"}, 0, "serve"},
		{[]string{"help", "serve"}, 0, "--addr"},
		{[]string{"help", "serve"}, 0, "allow-callback-to"},
		{[]string{"serve", "--allow-callback-to", "nope"}, 2, "not a CIDR prefix"},
	}
	for _, tt := range tests {
		cmd := exec.Command(ossupBin, tt.args...)
		cmd.Env = append(os.Environ(), "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(string(out), tt.want) {
			t.Errorf("ossup %v: exit %d, output %q; want exit %d containing %q", tt.args, code, out, tt.code, tt.want)
		}
	}
}
