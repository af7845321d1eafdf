package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

func TestFailureKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{fmt.Errorf("oss: UploadPart b/k: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "connection reset"},
		{io.ErrUnexpectedEOF, "connection closed early"},
		{&oss.StallError{Phase: "sending the request", After: 30 * time.Second}, "a stall (no bytes moved for 30s)"},
		{&oss.ServiceError{StatusCode: 503, Code: "ServiceUnavailable"}, "ServiceUnavailable (status 503)"},
		{fmt.Errorf("something else"), "a network error"},
	}
	for _, tt := range tests {
		if got := failureKind(tt.err); got != tt.want {
			t.Errorf("failureKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestRetryNoticeAtMostOneLineASecond(t *testing.T) {
	var buf bytes.Buffer
	n := newRetryNotice(&buf)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for i := range 50 {
		n.event(oss.RetryEvent{Op: "UploadPart", Attempt: 2 + i%3, Err: refused, Delay: 1234 * time.Millisecond})
	}
	want := "ossup: retrying UploadPart after connection refused (attempt 2, waiting 1.2s)\n"
	if got := buf.String(); got != want {
		t.Errorf("50 retries in a burst printed %q, want the one line %q", got, want)
	}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRetryForBudget(t *testing.T) {
	env := []string{"OSS_ENDPOINT=http://" + closedPort(t), "OSS_ACCESS_KEY_ID=LTAIcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=cn-hangzhou"}
	start := time.Now()
	_, errOut, code := cli(t, env, "mb", "--retry-for", "700ms", "oss://bkt")
	if elapsed := time.Since(start); code != 1 || elapsed < 700*time.Millisecond {
		t.Errorf("mb against a closed port: exit %d after %v, want 1 after the 700ms budget; stderr %q", code, elapsed, errOut)
	}
	for _, want := range []string{"ossup: retrying PutBucket after connection refused (attempt 2, waiting ", "retry budget spent"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	_, errOut, code = cli(t, env, "mb", "-q", "--retry-for", "0", "oss://bkt")
	if code != 1 || strings.Contains(errOut, "retrying") {
		t.Errorf("mb -q --retry-for 0: exit %d, stderr %q; want 1 and no retry notice", code, errOut)
	}
	if _, errOut, code = cli(t, env, "mb", "--retry-for", "-1s", "oss://bkt"); code != 2 || !strings.Contains(errOut, "retry-for") {
		t.Errorf("--retry-for -1s: exit %d, stderr %q; want a usage error", code, errOut)
	}
}

// TestRetryForRidesOutServerStart runs a command while its server is
// down and starts the server once the command has said it is retrying.
func TestRetryForRidesOutServerStart(t *testing.T) {
	addr := closedPort(t)
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=cn-hangzhou"}
	cmd := exec.Command(ossupBin, "mb", "--retry-for", "30s", "oss://late")
	cmd.Env = append(append(os.Environ(), env...), "OSS_ENDPOINT=http://"+addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	if !sc.Scan() || !strings.Contains(sc.Text(), "retrying PutBucket after connection refused") {
		t.Fatalf("first line on stderr %q, want a retry notice", sc.Text())
	}
	go io.Copy(io.Discard, stderr)
	startServe(t, env, "--addr", addr, "--data", t.TempDir())
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mb: %v", err)
	}
	if !strings.Contains(stdout.String(), "made oss://late") {
		t.Errorf("mb output %q", stdout.String())
	}
}
