package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpRemote copies objects inside the embedded store: small ones in one
// request, larger ones in parts, into another bucket and onto a prefix.
func TestCpRemote(t *testing.T) {
	env := embeddedEnv(t)
	path, data := writeRandomFile(t, 3<<20+5)
	mustCLI(t, env, "cp", path, "oss://src/a.bin", "--content-type", "video/mp4", "--meta", "who=me")
	out := mustCLI(t, env, "cp", "oss://src/a.bin", "oss://dst/copies/")
	if !strings.HasPrefix(out, "oss://dst/copies/a.bin\tetag ") {
		t.Errorf("cp output %q", out)
	}
	back := filepath.Join(t.TempDir(), "back.bin")
	mustCLI(t, env, "cp", "oss://dst/copies/a.bin", back)
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Error("copy differs from the file")
	}
	if st := mustCLI(t, env, "stat", "oss://dst/copies/a.bin"); !strings.Contains(st, "video/mp4") || !strings.Contains(st, "who") {
		t.Errorf("copy lost its metadata:\n%s", st)
	}
	// A new content type replaces the metadata.
	mustCLI(t, env, "cp", "oss://src/a.bin", "oss://src/b.txt", "--content-type", "text/plain")
	if st := mustCLI(t, env, "stat", "oss://src/b.txt"); !strings.Contains(st, "text/plain") || strings.Contains(st, "who") {
		t.Errorf("metadata not replaced:\n%s", st)
	}
	if _, errOut, code := cli(t, env, "cp", "oss://src/missing", "oss://dst/x"); code != 1 || !strings.Contains(errOut, "NoSuchKey") {
		t.Errorf("copy of a missing object: exit %d, %q", code, errOut)
	}
	if _, errOut, code := cli(t, env, "cp", "oss://src/a.bin", "oss://dst/y", "--checkpoint"); code != 2 || !strings.Contains(errOut, "--checkpoint") {
		t.Errorf("copy with --checkpoint: exit %d, %q", code, errOut)
	}
}
