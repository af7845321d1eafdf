package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyncDirs: sync --dirs sends an empty folder up as a marker and
// makes it again on the way down; with --delete, a marker whose folder
// is gone is deleted. Without --dirs a marker makes nothing locally.
func TestSyncDirs(t *testing.T) {
	env := append(embeddedEnv(t), "XDG_CACHE_HOME="+t.TempDir())
	src := t.TempDir()
	for _, d := range []string{"e1", "a/e2"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "a", "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, env, "sync", "--dirs", src, "oss://syncd/s/")
	if !strings.Contains(lastLine(out), "sent 3 files") {
		t.Fatalf("sync up: %q", out)
	}
	ls := mustCLI(t, env, "ls", "-r", "oss://syncd/s/")
	if !strings.Contains(ls, "s/e1/") || !strings.Contains(ls, "s/a/e2/") {
		t.Fatalf("no markers: %s", ls)
	}
	if out := mustCLI(t, env, "sync", "--dirs", src, "oss://syncd/s/"); !strings.Contains(lastLine(out), "sent 0 files") {
		t.Errorf("second sync: %q", lastLine(out))
	}

	dst := filepath.Join(t.TempDir(), "d")
	mustCLI(t, env, "sync", "--dirs", "oss://syncd/s/", dst)
	for _, d := range []string{"e1", "a/e2"} {
		if st, err := os.Lstat(filepath.Join(dst, d)); err != nil || !st.IsDir() {
			t.Errorf("%s is not a folder (%v)", d, err)
		}
	}
	plain := filepath.Join(t.TempDir(), "p")
	mustCLI(t, env, "sync", "oss://syncd/s/", plain)
	if _, err := os.Lstat(filepath.Join(plain, "e1")); err == nil {
		t.Error("without --dirs a marker made e1")
	}

	if err := os.Remove(filepath.Join(src, "e1")); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, env, "sync", "--dirs", "--delete", src, "oss://syncd/s/")
	if ls := mustCLI(t, env, "ls", "-r", "oss://syncd/s/"); strings.Contains(ls, "s/e1/") || !strings.Contains(ls, "s/a/e2/") {
		t.Errorf("after --delete: %s", ls)
	}
}
