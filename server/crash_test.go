package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
)

// crashChildEnv, when set, makes TestCrashChild serve the data directory it
// names on a loopback port, print the URL and serve until killed.
const crashChildEnv = "OSSUP_SERVER_CRASH_CHILD"

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashRecovery")
	}
	srv, err := Open(Config{Dir: dir, Credentials: []Credential{testCred}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	hs := httptest.NewServer(srv)
	fmt.Println("URL", hs.URL)
	select {} // until SIGKILL
}

// partContent is the deterministic content of part n of a crash trial.
func partContent(seed uint64, n int) []byte {
	return randBytes(seed*1000+uint64(n), 100<<10+int(seed)*977+n*31)
}

// TestCrashRecovery kills a server process with SIGKILL while a part is
// streaming in, restarts the store on the same directory and checks that
// every part it acknowledged is intact, that the cut part left nothing
// behind, and that stray blobs are collected.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns server processes")
	}
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { crashTrial(t, seed) })
	}
}

// startCrashChild starts a server process on dir and returns a harness
// that talks to it, and the process.
func startCrashChild(t *testing.T, dir string) (*harness, *exec.Cmd) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("child did not start")
	}
	go io.Copy(io.Discard, out)

	h := &harness{t: t, dir: dir}
	h.http = &httptest.Server{URL: url, Config: &http.Server{}}
	h.signer.Region = "cn-hangzhou"
	h.cred.AccessKeyID, h.cred.AccessKeySecret = testCred.AccessKeyID, testCred.AccessKeySecret
	return h, cmd
}

func crashTrial(t *testing.T, seed uint64) {
	dir := t.TempDir()
	h, cmd := startCrashChild(t, dir)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "obj", nil)
	rng := rand.New(rand.NewPCG(seed, 42))
	done := 1 + rng.IntN(4)
	for n := 1; n <= done; n++ {
		h.uploadPart("bkt", "obj", id, n, partContent(seed, n))
	}
	h.put("bkt", "small", []byte("acknowledged"))

	// Stream part done+1 halfway, then kill the server mid-body.
	cut := partContent(seed, done+1)
	pr, pw := io.Pipe()
	req := h.request(call{method: "PUT", bucket: "bkt", key: "obj", query: fmt.Sprintf("partNumber=%d&uploadId=%s", done+1, id), body: cut})
	req.Body = pr
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	half := len(cut)/4 + rng.IntN(len(cut)/2)
	if _, err := pw.Write(cut[:half]); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	pw.CloseWithError(io.ErrClosedPipe)
	<-errc

	// Plant a stray blob as a crash between rename and commit would leave.
	stray := filepath.Join(dir, "blobs", "ff", strings.Repeat("f", 32))
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("orphan"), 0o644); err != nil {
		t.Fatal(err)
	}

	h2 := &harness{t: t, dir: dir, signer: h.signer, cred: h.cred}
	h2.start(nil)
	defer h2.stop()
	var lp ossxml.ListPartsResult
	h2.xml(call{method: "GET", bucket: "bkt", key: "obj", query: "uploadId=" + id}, &lp)
	if len(lp.Parts) != done {
		t.Fatalf("after the crash ListParts has %d parts, want the %d acknowledged ones", len(lp.Parts), done)
	}
	var nums []int
	var etags []string
	var whole []byte
	for i, p := range lp.Parts {
		want := partContent(seed, i+1)
		if p.PartNumber != i+1 || p.Size != int64(len(want)) || p.HashCRC64 != crc64.Checksum(want) || p.ETag != `"`+md5hex(want)+`"` {
			t.Fatalf("part %d after the crash: %+v", i+1, p)
		}
		nums, etags, whole = append(nums, p.PartNumber), append(etags, p.ETag), append(whole, want...)
	}
	if got := h2.get("bkt", "small"); string(got) != "acknowledged" {
		t.Fatalf("acknowledged object reads %q", got)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("stray blob not collected: %v", err)
	}
	if n := countFiles(t, filepath.Join(dir, "tmp")); n != 0 {
		t.Errorf("%d in-flight files left after restart", n)
	}
	// The small object is kept in its record (store.InlineMax), so the
	// only blob files are the acknowledged parts'.
	if n := countFiles(t, filepath.Join(dir, "blobs")); n != done {
		t.Errorf("%d blob files, want %d (the parts)", n, done)
	}
	h2.ok(call{method: "POST", bucket: "bkt", key: "obj", query: "uploadId=" + id, body: completeBody(nums, etags)}, 200)
	if got := h2.get("bkt", "obj"); !bytes.Equal(got, whole) {
		t.Fatal("completed object differs from the acknowledged parts")
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}
