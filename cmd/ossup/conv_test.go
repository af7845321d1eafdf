package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out := mustCLI(t, nil, args...)
		if !strings.HasPrefix(out, "ossup ") || strings.Count(out, "\n") != 1 {
			t.Errorf("ossup %v: %q, want one line starting with ossup", args, out)
		}
	}
	tagged := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}}
	dirty := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{tagged, true, "ossup v1.2.3 commit abc123"},
		{dirty, true, "ossup (devel) commit abc123-dirty"},
		{&debug.BuildInfo{}, true, "ossup (devel)"},
		{nil, false, "ossup (devel)"},
	} {
		if got := versionFrom(tc.bi, tc.ok); got != tc.want {
			t.Errorf("versionFrom(%v) = %q, want %q", tc.bi, got, tc.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out := mustCLI(t, nil, "completion", shell)
		for _, want := range []string{"cp", "serve", "--task-num", "--dry-run", "--allow-callback-to"} {
			if !strings.Contains(out, strings.TrimPrefix(want, "--")) {
				t.Errorf("completion %s lacks %s", shell, want)
			}
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		script := mustCLI(t, nil, "completion", "bash")
		check := script + "\nCOMP_WORDS=(ossup cp --task); COMP_CWORD=2; _ossup; echo \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command("bash", "-c", check).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--task-num") {
			t.Errorf("bash completion of 'ossup cp --task': %v %q", err, out)
		}
	}
	if _, _, code := cli(t, nil, "completion", "powershell"); code != 2 {
		t.Errorf("completion powershell: exit %d, want 2", code)
	}
}

// TestUsageErrorOneLine: a mistake on the command line is one line and a
// pointer to help, not the flag list, and never twice.
func TestUsageErrorOneLine(t *testing.T) {
	env := embeddedEnv(t)
	for _, args := range [][]string{
		{"cp", "x", "oss://bkt/k", "--bogus"},
		{"cp", "only-one"},
		{"ls", "a", "b"},
		{"rm"},
		{"rm", "-r", "--prefix", "oss://bkt/x"},
		{"rm", "oss://bkt/dir/"},
		{"stat", "oss://bucket-only"},
		{"ls", "not-a-url"},
		{"cp", "--jobs", "4", "x", "oss://bkt/k"},
		{"cp", "--follow-symlinks", "x", "oss://bkt/k"},
	} {
		_, errOut, code := cli(t, env, args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], "ossup "+args[0]+": ") || lines[1] != "see 'ossup help "+args[0]+"'" {
			t.Errorf("ossup %v: exit %d, stderr %q; want two lines: the error and the pointer to help", args, code, errOut)
		}
	}
}

func TestHelpEnvironmentAndExamples(t *testing.T) {
	for _, name := range []string{"cp", "ls", "rm", "presign", "serve"} {
		out := mustCLI(t, nil, "help", name)
		if !strings.Contains(out, "Environment:\n") || !strings.Contains(out, "OSS_ACCESS_KEY_ID") || !strings.Contains(out, "XDG_DATA_HOME") {
			t.Errorf("help %s lists no environment: %q", name, out)
		}
		_, ex, _ := strings.Cut(out, "Examples:\n")
		if strings.Count(ex, "\n") != 3 || !strings.Contains(ex, "ossup ") {
			t.Errorf("help %s: examples %q, want three", name, ex)
		}
	}
	if out := mustCLI(t, nil, "help", "cp"); !strings.Contains(out, "OSS_SESSION_TOKEN") || !strings.Contains(out, "OSS_ENDPOINT") {
		t.Errorf("help cp: %q", out)
	}
}

func TestPresignNeedsEndpoint(t *testing.T) {
	_, errOut, code := cli(t, embeddedEnv(t), "presign", "oss://bkt/k")
	if code != 2 || !strings.Contains(errOut, "presign needs an endpoint") || strings.Contains(errOut, "embedded server at") {
		t.Errorf("presign with no endpoint: exit %d, %q", code, errOut)
	}
}

// TestTerminatedExit143: a transfer stopped by SIGTERM exits 143 (SIGINT:
// 130, in TestInterruptAndResume).
func TestTerminatedExit143(t *testing.T) {
	gs := newGatedServer(t, 2)
	env := []string{"OSS_ACCESS_KEY_ID=LTAIgate", "OSS_ACCESS_KEY_SECRET=gate-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + gs.URL}
	mustCLI(t, env, "mb", "oss://bkt")
	path, _ := writeRandomFile(t, 5*(100<<10))
	cmd := exec.Command(ossupBin, "cp", path, "oss://bkt/big", "--part-size", "100KiB")
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-gs.held
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	close(gs.release)
	if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != 143 {
		t.Fatalf("terminated cp: %v (want exit 143), stderr %q", err, errb.String())
	}
}

// TestServeExportLineWorks: the ready block, evaluated by a shell, points
// ossup at the server.
func TestServeExportLineWorks(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	xdg := t.TempDir()
	p := startServe(t, []string{"XDG_DATA_HOME=" + xdg, "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET="}, "--addr", "127.0.0.1:0")
	block, _ := p.readyBlock(t)
	blockFile := filepath.Join(t.TempDir(), "serve.env")
	if err := os.WriteFile(blockFile, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	file, _ := writeRandomFile(t, 1000)
	script := `eval "$(cat "$1")" && "$2" mb oss://evalbucket && "$2" cp "$3" oss://evalbucket/f.bin && "$2" ls oss://evalbucket`
	cmd := exec.Command("sh", "-c", script, "sh", blockFile, ossupBin, file)
	cmd.Env = append(os.Environ(), "OSS_ENDPOINT=", "OSS_REGION=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=", "XDG_DATA_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "oss://evalbucket/f.bin") || strings.Contains(string(out), "no endpoint configured") {
		t.Fatalf("the export line did not point ossup at serve: %v\n%s", err, out)
	}
}

// TestHelpFitsTerminal: every line of every help text fits an 80-column
// terminal, flag descriptions and environment entries wrapped.
func TestHelpFitsTerminal(t *testing.T) {
	names := []string{""}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	for _, name := range names {
		out, errOut, _ := cli(t, nil, "help", name)
		out += errOut
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("help %s, line %d has %d columns: %q", name, i+1, n, line)
			}
		}
	}
}
