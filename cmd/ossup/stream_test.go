package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpStdinStdout uploads standard input and writes the object back to
// standard output, against the embedded store, and resumes a download to
// a file with --checkpoint.
func TestCpStdinStdout(t *testing.T) {
	env := embeddedEnv(t)
	_, data := writeRandomFile(t, 2<<20+333)
	cmd := exec.Command(ossupBin, "cp", "-", "oss://streams/from-stdin", "--part-size", "512KiB", "--task-num", "3")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("cp -: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "2097485 bytes") || strings.Contains(errb.String(), "warning") {
		t.Errorf("cp - printed %q, %q", out.String(), errb.String())
	}
	if got := mustCLI(t, env, "cp", "oss://streams/from-stdin", "-", "--task-num", "4"); got != string(data) {
		t.Errorf("cp to - wrote %d bytes, want %d", len(got), len(data))
	}
	dst := filepath.Join(t.TempDir(), "sub", "f.bin")
	mustCLI(t, env, "cp", "oss://streams/from-stdin", dst, "--checkpoint", "--traffic-limit", "100MiB")
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Error("downloaded file differs")
	}
	for _, p := range []string{dst + ".dcp", dst + ".ossup-partial"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
	if _, errOut, code := cli(t, env, "cp", "-", "oss://streams/x", "--checkpoint"); code != 2 || !strings.Contains(errOut, "cannot be resumed") {
		t.Errorf("cp - --checkpoint: exit %d, %q", code, errOut)
	}
}
