//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// ttyRun runs ossup with stderr on a pseudo-terminal cols columns wide and
// returns what the terminal received. resize, when set, is called with the
// terminal once the first progress output has arrived.
func ttyRun(t *testing.T, env []string, cols uint16, resize func(*os.File), args ...string) string {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptm.Close()
	if err := pty.Setsize(ptm, &pty.Winsize{Cols: cols, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ossupBin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = tty
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	got := make(chan []byte)
	go func() {
		var b []byte
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			b = append(b, buf[:n]...)
			if resize != nil && bytes.Contains(b, []byte("%")) {
				resize(ptm)
				resize = nil
			}
			if err != nil { // EIO once the child has exited
				got <- b
				return
			}
		}
	}()
	werr := cmd.Wait()
	b := <-got
	if werr != nil {
		t.Fatalf("ossup %s: %v\n%s", strings.Join(args, " "), werr, b)
	}
	return string(b)
}

var ansiCSI = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

// progressLines checks a terminal's output: the progress is drawn on
// exactly one line (no scrolling), and no redraw on it is wider than
// maxCols. It returns the last redraw.
func progressLines(t *testing.T, out string, maxCols int) string {
	t.Helper()
	var lines []string
	for line := range strings.Lines(ansiCSI.ReplaceAllString(out, "")) {
		if strings.Contains(line, "%") {
			lines = append(lines, strings.TrimRight(line, "\r\n"))
		}
	}
	if len(lines) != 1 {
		t.Fatalf("progress on %d lines, want 1:\n%q", len(lines), out)
	}
	var last string
	for seg := range strings.SplitSeq(lines[0], "\r") {
		if seg == "" {
			continue
		}
		if w := textWidth(seg); w > maxCols {
			t.Errorf("a redraw %d columns wide, the terminal has %d: %q", w, maxCols, seg)
		}
		last = seg
	}
	return last
}

func TestProgressFitsTerminal(t *testing.T) {
	env := embeddedEnv(t)
	dir := filepath.Join(t.TempDir(), "a-rather-long-directory-name-for-the-progress-label", "and-another-one-below-it")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, _ := writeRandomFile(t, 12<<20)
	path := filepath.Join(dir, "the-file-with-a-long-name.bin")
	if err := os.Rename(src, path); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, env, "mb", "oss://tty")
	for _, cols := range []uint16{40, 80, 200} {
		up := ttyRun(t, env, cols, nil, "cp", "--part-size", "100KiB", "--task-num", "1", path, "oss://tty/obj")
		if last := progressLines(t, up, int(cols)); !strings.Contains(last, "100%") {
			t.Errorf("%d columns: upload ends at %q, want 100%%", cols, last)
		}
		down := ttyRun(t, env, cols, nil, "cp", "oss://tty/obj", filepath.Join(t.TempDir(), "got"))
		if last := progressLines(t, down, int(cols)); !strings.Contains(last, "100%") {
			t.Errorf("%d columns: download ends at %q, want 100%%", cols, last)
		}
	}
	t.Run("resize", func(t *testing.T) {
		shrink := func(ptm *os.File) { _ = pty.Setsize(ptm, &pty.Winsize{Cols: 40, Rows: 24}) }
		up := ttyRun(t, env, 200, shrink, "cp", "--part-size", "100KiB", "--task-num", "1", path, "oss://tty/obj2")
		if last := progressLines(t, up, 200); textWidth(last) >= 40 {
			t.Errorf("after the terminal shrank to 40 columns the last redraw is %q", last)
		}
	})
}

// TestProgressEndsWhereItStood interrupts an upload on a terminal: the
// line stays where it was and the error follows on a line of its own.
func TestProgressEndsWhereItStood(t *testing.T) {
	gs := newGatedServer(t, 6)
	env := []string{"OSS_ACCESS_KEY_ID=LTAIgate", "OSS_ACCESS_KEY_SECRET=gate-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + gs.URL}
	mustCLI(t, env, "mb", "oss://bkt")
	path, _ := writeRandomFile(t, 20*(100<<10))
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptm.Close()
	_ = pty.Setsize(ptm, &pty.Winsize{Cols: 80, Rows: 24})
	cmd := exec.Command(ossupBin, "cp", "--part-size", "100KiB", "--task-num", "1", path, "oss://bkt/k")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	got := make(chan []byte)
	go func() { b, _ := io.ReadAll(ptm); got <- b }()
	<-gs.held
	_ = cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("interrupted cp: %v", err)
	}
	out := ansiCSI.ReplaceAllString(string(<-got), "")
	last := progressLines(t, out, 80)
	if strings.Contains(last, "100%") || !strings.Contains(last, "%") {
		t.Errorf("the line ends at %q", last)
	}
	if !strings.Contains(out, last+"\r\nossup cp: interrupted") {
		t.Errorf("the error does not follow the line where it stood:\n%q", out)
	}
}

// TestCpTreeProgressFitsTerminal: cp -r's batch line, on an 80-column
// terminal, stays on one line no wider than the terminal and ends with
// every file counted.
func TestCpTreeProgressFitsTerminal(t *testing.T) {
	env := embeddedEnv(t)
	src, files := writeTree(t, 40, 1<<20)
	out := ttyRun(t, env, 80, nil, "cp", "-r", src, "oss://ttytree/up")
	out = ansiCSI.ReplaceAllString(out, "")
	var last string
	for seg := range strings.SplitSeq(strings.ReplaceAll(out, "\n", "\r"), "\r") {
		if !strings.HasPrefix(seg, "[") { // notices, not the progress
			continue
		}
		if w := textWidth(seg); w > 79 {
			t.Errorf("a redraw %d columns wide on an 80-column terminal: %q", w, seg)
		}
		last = seg
	}
	if want := "[" + strconv.Itoa(len(files)) + " files] "; !strings.HasPrefix(last, want) {
		t.Errorf("last redraw %q, want it to start %q", last, want)
	}
}
