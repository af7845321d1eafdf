package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ossup/ossup/server"
)

// writeTree writes nested folders with unicode and space names, an empty
// file, n small files and one of big bytes, and returns the folder and
// the files' slash paths.
func writeTree(t *testing.T, n, big int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	var files []string
	add := func(rel string, size int) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, rel)
	}
	add("empty", 0)
	add("big/large file.bin", big)
	folders := []string{"x", "x/y z", "é/日本", "p/q/r"}
	for i := range n {
		add(fmt.Sprintf("%s/f %d ✓.txt", folders[i%len(folders)], i), 1+rng.IntN(4096))
	}
	return dir, files
}

func sameFiles(t *testing.T, a, b string, files []string) {
	t.Helper()
	for _, rel := range files {
		x, err1 := os.ReadFile(filepath.Join(a, filepath.FromSlash(rel)))
		y, err2 := os.ReadFile(filepath.Join(b, filepath.FromSlash(rel)))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v, %v)", rel, err1, err2)
		}
	}
}

func TestCpTreeRoundTrip(t *testing.T) {
	env := embeddedEnv(t)
	src, files := writeTree(t, 200, 3<<20+9)
	out := mustCLI(t, env, "cp", "-r", src, "oss://tree/up", "--jobs", "6")
	if !strings.Contains(out, fmt.Sprintf("uploaded %d files", len(files))) {
		t.Errorf("upload summary: %q", lastLine(out))
	}
	dst := filepath.Join(t.TempDir(), "back")
	out = mustCLI(t, env, "cp", "-r", "oss://tree/up/", dst, "--jobs", "6")
	if !strings.Contains(out, fmt.Sprintf("downloaded %d files", len(files))) {
		t.Errorf("download summary: %q", lastLine(out))
	}
	sameFiles(t, src, dst, files)
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// putServer is a server that counts the PUT requests (PutObject and
// UploadPart) per path and signals when the killAt-th one is served.
type putServer struct {
	*httptest.Server
	mu     sync.Mutex
	puts   map[string]int
	n      int
	killAt int
	reach  chan struct{}
}

func newPutServer(t *testing.T) *putServer {
	srv, err := server.Open(server.Config{Dir: t.TempDir(), Credentials: []server.Credential{{AccessKeyID: "LTAItree", AccessKeySecret: "tree-secret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	p := &putServer{puts: map[string]int{}, reach: make(chan struct{})}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r)
		if r.Method != http.MethodPut {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.puts[r.URL.Path]++
		if p.n++; p.n == p.killAt {
			close(p.reach)
		}
	}))
	t.Cleanup(func() { p.Close(); srv.Close() })
	return p
}

func (p *putServer) reset(killAt int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.puts, p.n, p.killAt, p.reach = map[string]int{}, 0, killAt, make(chan struct{})
}

// TestCpTreeKillResume kills cp -r at a random point and checks that the
// rerun completes the tree without sending a finished file again.
func TestCpTreeKillResume(t *testing.T) {
	ps := newPutServer(t)
	env := []string{"OSS_ACCESS_KEY_ID=LTAItree", "OSS_ACCESS_KEY_SECRET=tree-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + ps.URL}
	mustCLI(t, env, "mb", "oss://kill")
	src, files := writeTree(t, 120, 9<<20)
	journal := filepath.Join(t.TempDir(), "tree.ubj")
	args := []string{"cp", "-r", src, "oss://kill/k/", "--jobs", "3", "--part-size", "1MiB", "--checkpoint-file", journal}
	killAt := 10 + rand.IntN(80)
	ps.reset(killAt)
	cmd := exec.Command(ossupBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-ps.reach
	cmd.Process.Kill()
	cmd.Wait()
	done := map[string]bool{} // keys the killed run reported done
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if f := strings.Split(sc.Text(), "\t"); len(f) == 3 {
			done[f[1]] = true
		}
	}
	t.Logf("killed after %d PUTs, %d files done", killAt, len(done))
	ps.reset(0)
	res := mustCLI(t, env, args...)
	// A file can be journalled and the process killed before it prints.
	var up, skipped, failed int
	var size string
	if _, err := fmt.Sscanf(lastLine(res), "uploaded %d files (%s %s skipped %d already done, %d failed", &up, &size, &size, &skipped, &failed); err != nil ||
		skipped < len(done) || up+skipped != len(files) || failed != 0 {
		t.Errorf("rerun summary %q (%v); %d files, %d done before", lastLine(res), err, len(files), len(done))
	}
	for key := range done {
		if n := ps.puts["/kill/"+key]; n > 0 {
			t.Errorf("%s was done and sent again %d times", key, n)
		}
	}
	if _, err := os.Stat(journal); err == nil {
		t.Error("the journal outlived the batch")
	}
	dst := t.TempDir()
	mustCLI(t, env, "cp", "-r", "oss://kill/k/", dst)
	sameFiles(t, src, dst, files)
}

func TestCpTreeFailingFile(t *testing.T) {
	env := embeddedEnv(t)
	src, files := writeTree(t, 10, 100)
	bad := filepath.Join(src, "x", "unreadable")
	if err := os.WriteFile(bad, []byte("secret"), 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 { // root reads anything: fail with a dangling link instead
		os.Remove(bad)
		if err := os.Symlink(filepath.Join(src, "missing"), bad); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := cli(t, env, "cp", "-r", "--follow-symlinks", src, "oss://fail/")
	if code != 1 || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "1 of ") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if want := fmt.Sprintf("uploaded %d files", len(files)); !strings.Contains(out, want) {
		t.Errorf("summary %q, want %q", lastLine(out), want)
	}
}
