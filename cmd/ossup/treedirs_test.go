package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpTreeDirs: with --dirs, cp -r keeps an empty folder as a DIR/
// marker and makes it again on the way down; without it no marker is
// uploaded, and a marker already there is left out on download (no file
// named after it).
func TestCpTreeDirs(t *testing.T) {
	env := embeddedEnv(t)
	src := t.TempDir()
	for _, d := range []string{"empty", "full/inner-empty"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "full", "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	mustCLI(t, env, "cp", "-r", src, "oss://dirs/plain")
	if ls := mustCLI(t, env, "ls", "-r", "oss://dirs/plain/"); strings.Contains(ls, "empty/") {
		t.Errorf("without --dirs a marker was uploaded:\n%s", ls)
	}

	mustCLI(t, env, "cp", "-r", "--dirs", src, "oss://dirs/kept")
	ls := mustCLI(t, env, "ls", "-r", "oss://dirs/kept/")
	for _, k := range []string{"kept/empty/", "kept/full/inner-empty/"} {
		if !strings.Contains(ls, k) {
			t.Errorf("--dirs: no marker %s in\n%s", k, ls)
		}
	}
	if strings.Contains(ls, "kept/full/\n") || strings.Contains(ls, "kept/full/ ") {
		t.Errorf("--dirs: a marker for a folder that is not empty:\n%s", ls)
	}

	with := filepath.Join(t.TempDir(), "with")
	mustCLI(t, env, "cp", "-r", "--dirs", "oss://dirs/kept/", with)
	for _, d := range []string{"empty", "full/inner-empty"} {
		if st, err := os.Lstat(filepath.Join(with, d)); err != nil || !st.IsDir() {
			t.Errorf("--dirs download: %s is not a folder (%v)", d, err)
		}
	}

	without := filepath.Join(t.TempDir(), "without")
	mustCLI(t, env, "cp", "-r", "oss://dirs/kept/", without)
	if _, err := os.Lstat(filepath.Join(without, "empty")); err == nil {
		t.Error("without --dirs a marker made something named empty")
	}
	if got, err := os.ReadFile(filepath.Join(without, "full", "f.txt")); err != nil || string(got) != "x" {
		t.Errorf("without --dirs: f.txt %q, %v", got, err)
	}
}
