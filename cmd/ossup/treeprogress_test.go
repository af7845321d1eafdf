package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpTreeProgressPlain: off a terminal, cp -r prints plain progress
// lines on stderr ending with the count of every file; -q prints none.
func TestCpTreeProgressPlain(t *testing.T) {
	env := embeddedEnv(t)
	src, files := writeTree(t, 30, 1000)
	_, errOut, code := cli(t, env, "cp", "-r", src, "oss://treeprog/up")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var last string
	for line := range strings.Lines(errOut) {
		if strings.HasPrefix(line, "ossup: [") {
			last = line
		}
	}
	if want := fmt.Sprintf("ossup: [%d files] ", len(files)); !strings.HasPrefix(last, want) {
		t.Errorf("last progress line %q, want it to start %q; stderr:\n%s", last, want, errOut)
	}
	_, errOut, code = cli(t, env, "cp", "-q", "-r", "oss://treeprog/up/", filepath.Join(t.TempDir(), "d"))
	if code != 0 || strings.Contains(errOut, "files] ") {
		t.Errorf("-q: exit %d, stderr %q", code, errOut)
	}
}
