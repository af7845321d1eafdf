//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// rmOnTTY runs "ossup rm -r" with standard input and error on a
// pseudo-terminal, answers the confirmation with answer, and returns the
// exit status and what the terminal showed.
func rmOnTTY(t *testing.T, env []string, answer string, args ...string) (int, string) {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptm.Close()
	cmd := exec.Command(ossupBin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stderr = tty, tty
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	shown := make(chan string)
	go func() {
		var b []byte
		buf := make([]byte, 1024)
		answered := false
		for {
			n, err := ptm.Read(buf)
			b = append(b, buf[:n]...)
			if !answered && bytes.Contains(b, []byte("[y/N]")) {
				answered = true
				_, _ = io.WriteString(ptm, answer+"\n")
			}
			if err != nil {
				shown <- string(b)
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-done:
	case <-time.After(60 * time.Second): // a safety net: the prompt never came
		cmd.Process.Kill()
		werr = <-done
	}
	code := 0
	if ee, ok := werr.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return code, <-shown + out.String()
}

// TestRmConfirmsOnTTY: removing several objects asks on a terminal; "n"
// removes nothing, "y" removes them all.
func TestRmConfirmsOnTTY(t *testing.T) {
	env := embeddedEnv(t)
	path, _ := writeRandomFile(t, 100)
	for _, key := range []string{"dir", "dir/a", "dir/b", "dirty"} {
		mustCLI(t, env, "cp", path, "oss://confirm/"+key)
	}
	code, shown := rmOnTTY(t, env, "n", "rm", "-r", "oss://confirm/dir")
	if code == 0 || !strings.Contains(shown, "remove 3 objects? [y/N]") {
		t.Fatalf("answered n: exit %d, terminal %q", code, shown)
	}
	if out := mustCLI(t, env, "ls", "-r", "oss://confirm"); strings.Count(out, "oss://confirm/") != 4 {
		t.Fatalf("after answering n:\n%s", out)
	}
	code, shown = rmOnTTY(t, env, "y", "rm", "-r", "oss://confirm/dir")
	if code != 0 {
		t.Fatalf("answered y: exit %d, terminal %q", code, shown)
	}
	out := mustCLI(t, env, "ls", "-r", "oss://confirm")
	if strings.Count(out, "oss://confirm/") != 1 || !strings.Contains(out, "oss://confirm/dirty") {
		t.Fatalf("after answering y, want only dirty left:\n%s", out)
	}
}
