package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpTreeLong is the long form of TestCpTreeRoundTrip, run when
// OSSUP_TREE_LONG=1: 2,000 small files and one of 64 MiB go up with
// cp -r and come back down into a new folder byte for byte, with no file
// more or less. CI runs the short form only.
func TestCpTreeLong(t *testing.T) {
	if os.Getenv("OSSUP_TREE_LONG") != "1" {
		t.Skip("set OSSUP_TREE_LONG=1 to run the long tree round trip")
	}
	env := embeddedEnv(t)
	src, files := writeTree(t, 2000, 64<<20)
	out := mustCLI(t, env, "cp", "-r", "-q", src, "oss://long/up")
	if want := fmt.Sprintf("uploaded %d files", len(files)); !strings.Contains(lastLine(out), want) {
		t.Fatalf("upload summary %q, want %q", lastLine(out), want)
	}
	dst := filepath.Join(t.TempDir(), "back")
	out = mustCLI(t, env, "cp", "-r", "-q", "oss://long/up/", dst)
	if want := fmt.Sprintf("downloaded %d files", len(files)); !strings.Contains(lastLine(out), want) {
		t.Fatalf("download summary %q, want %q", lastLine(out), want)
	}
	sameFiles(t, src, dst, files)
	n := 0
	err := filepath.WalkDir(dst, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil || n != len(files) {
		t.Errorf("%d files downloaded (%v), want %d", n, err, len(files))
	}
}
