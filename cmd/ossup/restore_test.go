package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRestore uploads an Archive object to 'ossup serve' with restores
// made instant (--restore-delay 0): cat refuses it until 'ossup restore',
// stat shows the restore, and restoring again extends it.
func TestRestore(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=cn-hangzhou"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--restore-delay", "0", "--restore-day", "1h")
	env = append(env, "OSS_ENDPOINT="+p.url)
	path := filepath.Join(t.TempDir(), "cold.txt")
	if err := os.WriteFile(path, []byte("frozen words"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, env, "mb", "oss://arc")
	mustCLI(t, env, "cp", path, "oss://arc/cold.txt", "--storage-class", "Archive")
	if _, errOut, code := cli(t, env, "cat", "oss://arc/cold.txt"); code != 1 || !strings.Contains(errOut, "InvalidObjectState") {
		t.Errorf("cat of a frozen object: exit %d, %q", code, errOut)
	}
	if out := mustCLI(t, env, "restore", "--days", "2", "oss://arc/cold.txt"); !strings.Contains(out, "restore started") {
		t.Errorf("restore: %q", out)
	}
	if out := mustCLI(t, env, "stat", "oss://arc/cold.txt"); !strings.Contains(out, "storage class: Archive") || !strings.Contains(out, "restore:       readable until") {
		t.Errorf("stat of a restored object: %q", out)
	}
	if out := mustCLI(t, env, "cat", "oss://arc/cold.txt"); out != "frozen words" {
		t.Errorf("cat of a restored object: %q", out)
	}
	if out := mustCLI(t, env, "restore", "oss://arc/cold.txt"); !strings.Contains(out, "restored already") {
		t.Errorf("second restore: %q", out)
	}
	mustCLI(t, env, "cp", path, "oss://arc/plain.txt")
	if _, errOut, code := cli(t, env, "restore", "oss://arc/plain.txt"); code != 1 || !strings.Contains(errOut, "OperationNotSupported") {
		t.Errorf("restore of a Standard object: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{
		{"restore", "oss://arc"},
		{"restore", "--tier", "Fast", "oss://arc/cold.txt"},
		{"restore", "--days", "-1", "oss://arc/cold.txt"},
	} {
		if _, errOut, code := cli(t, env, args...); code != 2 {
			t.Errorf("ossup %v: exit %d (want 2), %q", args, code, errOut)
		}
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}
