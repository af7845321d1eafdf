package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSync(t *testing.T) {
	env := append(embeddedEnv(t), "XDG_CACHE_HOME="+t.TempDir())
	src, files := writeTree(t, 30, 200<<10)
	if out := mustCLI(t, env, "sync", src, "oss://syncb/s"); !strings.Contains(out, fmt.Sprintf("sent %d files", len(files))) {
		t.Fatalf("first sync: %q", lastLine(out))
	}
	if out := mustCLI(t, env, "sync", src, "oss://syncb/s/"); !strings.Contains(out, fmt.Sprintf("sent 0 files (0 B), deleted 0, %d unchanged", len(files))) {
		t.Fatalf("second sync: %q", lastLine(out))
	}
	dst := filepath.Join(t.TempDir(), "d")
	mustCLI(t, env, "cp", "-r", src, "oss://syncb/s/extra/")
	mustCLI(t, env, "cp", "-r", src, "oss://syncb/t/") // outside the prefix
	out := mustCLI(t, env, "sync", src, "oss://syncb/s/", "--delete", "--dry-run")
	if !strings.Contains(out, fmt.Sprintf("would have sent 0 files (0 B), deleted %d", len(files))) || !strings.Contains(out, "would delete\toss://syncb/s/extra/empty") {
		t.Fatalf("dry run: %q", lastLine(out))
	}
	if ls := mustCLI(t, env, "ls", "-r", "oss://syncb/s/extra/"); strings.Count(ls, "\n") != len(files) {
		t.Fatal("the dry run deleted objects")
	}
	out = mustCLI(t, env, "sync", src, "oss://syncb/s/", "--delete")
	if !strings.Contains(out, fmt.Sprintf("deleted %d,", len(files))) {
		t.Fatalf("delete: %q", lastLine(out))
	}
	if ls := mustCLI(t, env, "ls", "-r", "oss://syncb/s/"); strings.Count(ls, "\n") != len(files) || strings.Contains(ls, "extra") {
		t.Fatalf("after --delete: %d objects", strings.Count(ls, "\n"))
	}
	if ls := mustCLI(t, env, "ls", "-r", "oss://syncb/t/"); strings.Count(ls, "\n") != len(files) {
		t.Fatal("objects outside the prefix were deleted")
	}
	mustCLI(t, env, "sync", "oss://syncb/s/", dst, "--exclude", "*.bin")
	if _, err := os.Stat(filepath.Join(dst, "big", "large file.bin")); err == nil {
		t.Error("--exclude did not leave out the .bin file")
	}
	out = mustCLI(t, env, "sync", "oss://syncb/s/", dst)
	if !strings.Contains(out, "sent 1 files") {
		t.Fatalf("sync down: %q", lastLine(out))
	}
	sameFiles(t, src, dst, files)
}
