package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestVersions lists the versions of a versioned bucket served by
// 'ossup serve' with ls --all-versions, and reads an old one with stat
// and cat --version-id.
func TestVersions(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=cn-hangzhou"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir())
	env = append(env, "OSS_ENDPOINT="+p.url)
	mustCLI(t, env, "mb", "oss://ver")
	if out := mustCLI(t, env, "versioning", "oss://ver"); !strings.Contains(out, "versioning never enabled") {
		t.Errorf("versioning of a new bucket: %q", out)
	}
	if out := mustCLI(t, env, "versioning", "oss://ver", "enable"); !strings.Contains(out, "versioning Enabled") {
		t.Errorf("versioning enable: %q", out)
	}
	if _, _, code := cli(t, env, "versioning", "oss://ver", "on"); code != 2 {
		t.Errorf("versioning on: exit %d, want a usage error", code)
	}
	dir := t.TempDir()
	for _, body := range []string{"old words", "new"} {
		path := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		mustCLI(t, env, "cp", path, "oss://ver/d/f.txt")
	}
	if out := mustCLI(t, env, "rm", "oss://ver/d/f.txt"); !strings.Contains(out, "delete marker") {
		t.Errorf("rm in a versioned bucket: %q", out)
	}

	out := mustCLI(t, env, "ls", "-r", "--all-versions", "oss://ver")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("ls --all-versions: %q", out)
	}
	var ids []string
	for i, want := range []string{"DELETED", "3", "9"} {
		f := strings.Fields(lines[i])
		if len(f) < 5 || f[2] != want || !strings.HasSuffix(lines[i], "oss://ver/d/f.txt") || (i == 0) != (f[4] == "*") {
			t.Errorf("line %d: %q, want size %s and the marker current", i, lines[i], want)
		}
		if len(f) > 3 {
			ids = append(ids, f[3])
		}
	}
	if out := mustCLI(t, env, "ls", "--all-versions", "oss://ver"); !strings.Contains(out, "DIR  oss://ver/d/") {
		t.Errorf("ls --all-versions, one level: %q", out)
	}
	if len(ids) == 3 {
		if out := mustCLI(t, env, "stat", "--version-id", ids[2], "oss://ver/d/f.txt"); !strings.Contains(out, "size:          9") || !strings.Contains(out, "version id:    "+ids[2]) {
			t.Errorf("stat --version-id: %q", out)
		}
		if out := mustCLI(t, env, "cat", "--version-id", ids[2], "oss://ver/d/f.txt"); out != "old words" {
			t.Errorf("cat --version-id: %q", out)
		}
	}
	if _, errOut, code := cli(t, env, "stat", "--version-id", "nope", "oss://ver/d/f.txt"); code != 1 || !strings.Contains(errOut, "NoSuchVersion") {
		t.Errorf("stat of an unknown version: exit %d, %q", code, errOut)
	}
	// rm --version-id: the marker, then the old version, for good; the
	// newer version is current again, and a version that is not there
	// is an error, not a silent success.
	if len(ids) == 3 {
		if out := mustCLI(t, env, "rm", "--version-id", ids[0], "oss://ver/d/f.txt"); !strings.Contains(out, "removed delete marker "+ids[0]) {
			t.Errorf("rm of the marker: %q", out)
		}
		if out := mustCLI(t, env, "rm", "--version-id", ids[2], "oss://ver/d/f.txt"); !strings.Contains(out, "removed version "+ids[2]) {
			t.Errorf("rm of the old version: %q", out)
		}
		if out := mustCLI(t, env, "cat", "oss://ver/d/f.txt"); out != "new" {
			t.Errorf("current after removing the marker: %q", out)
		}
		if _, errOut, code := cli(t, env, "rm", "--version-id", ids[2], "oss://ver/d/f.txt"); code != 1 || !strings.Contains(errOut, "NoSuchVersion") {
			t.Errorf("rm of a removed version: exit %d, %q", code, errOut)
		}
	}
	if _, _, code := cli(t, env, "rm", "-r", "--version-id", "x", "oss://ver/d"); code != 2 {
		t.Errorf("rm -r --version-id: exit %d, want a usage error", code)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}
