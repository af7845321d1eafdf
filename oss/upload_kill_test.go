package oss_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The child of TestUploadFileKill9 reads its upload from these variables.
const (
	killChildEnv = "OSSUP_TEST_KILL9_CHILD" // "1" in the child
	killParamEnv = "OSSUP_TEST_KILL9_PARAMS"
	// killTrialsEnv sets the number of trials (default 20; the long mode
	// runs 100).
	killTrialsEnv = "OSSUP_KILL9_TRIALS"
)

// killParams is the upload the child runs.
type killParams struct {
	Endpoint, AccessKeyID, AccessKeySecret string
	Bucket, Key, File, Checkpoint          string
	PartSize                               int64
	Tasks                                  int
}

// TestUploadFileKill9 kills an uploading process with SIGKILL and resumes
// its upload. The test binary runs itself as the child, which uploads
// with a checkpoint to this process's server; when the k-th UploadPart
// request arrives, the middleware holds it (and any later one) and the
// child is killed. The rerun, in this process, must complete the object
// byte-exact, sending exactly the parts the server does not have: every
// part the child's journal recorded, or the server stored without the
// journal knowing, is kept. The parts sent twice are at most those in
// flight when the child died: fewer than TaskNum, so at most TaskNum ×
// PartSize bytes are sent again.
func TestUploadFileKill9(t *testing.T) {
	if os.Getenv(killChildEnv) == "1" {
		killChild(t)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-run the test binary: %v", err)
	}
	trials := 20
	if v := os.Getenv(killTrialsEnv); v != "" {
		if trials, err = strconv.Atoi(v); err != nil {
			t.Fatalf("%s=%q", killTrialsEnv, v)
		}
	}
	for seed := range trials {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x6b696c6c))
		tasks := 1 + rng.IntN(4)
		partSize := int64(100+rng.IntN(201)) * upKiB
		size := 3<<20 + rng.IntN(2<<20)
		parts := int((int64(size) + partSize - 1) / partSize)
		tr := killTrial{seed: uint64(seed), tasks: tasks, partSize: partSize, size: size, k: 1 + rng.IntN(parts), cut: -1}
		if seed%2 == 1 {
			tr.cut = rng.IntN(int(partSize)) // bytes of part k the server reads before the kill
		}
		name := fmt.Sprintf("seed=%d/tasks=%d/part=%dKiB/parts=%d/k=%d/cut=%d", seed, tasks, partSize/upKiB, parts, tr.k, tr.cut)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr.run(t, exe)
		})
	}
}

// killTrial is one kill: at UploadPart request k, either when it arrives
// (cut < 0) or after the server has read cut bytes of its body.
type killTrial struct {
	seed        uint64
	tasks, size int
	partSize    int64
	k, cut      int
}

func (tr killTrial) run(t *testing.T, exe string) {
	tasks, partSize, size, k := tr.tasks, tr.partSize, tr.size, tr.k
	s := upStart(t, osstest.Options{})
	path, data := upWriteFile(t, size, tr.seed)
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, TaskNum: tasks, PartSize: partSize,
		EnableCheckpoint: true, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
	kill, dead := make(chan struct{}), make(chan struct{})
	var requests atomic.Int32
	s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
		n := int(requests.Add(1))
		switch {
		case n < k:
			return false
		case n == k && tr.cut >= 0:
			r.Body = &killReader{r: r.Body, left: tr.cut, kill: kill, dead: dead}
			return false
		case n == k:
			close(kill)
		}
		<-dead // the child is gone: nothing of this request is stored
		http.Error(w, "killed", http.StatusServiceUnavailable)
		return true
	})
	s.begin(t, "child")
	params, _ := json.Marshal(killParams{
		Endpoint: s.Config.Endpoint, AccessKeyID: s.Credentials.AccessKeyID, AccessKeySecret: s.Credentials.AccessKeySecret,
		Bucket: req.Bucket, Key: req.Key, File: path, Checkpoint: req.CheckpointFile, PartSize: partSize, Tasks: tasks,
	})
	cmd := exec.Command(exe, "-test.run=^TestUploadFileKill9$")
	cmd.Env = append(os.Environ(), killChildEnv+"=1", killParamEnv+"="+string(params))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-kill:
		if err := cmd.Process.Kill(); err != nil {
			t.Error(err)
		}
		<-exited
	case err := <-exited:
		close(dead)
		t.Fatalf("the child exited before its UploadPart request %d: %v\n%s", k, err, out.Bytes())
	case <-time.After(time.Minute): // a safety net: the child hangs
		cmd.Process.Kill()
		<-exited
		close(dead)
		t.Fatalf("no UploadPart request %d within a minute\n%s", k, out.Bytes())
	}
	close(dead)
	rec := s.end()
	s.setHook(nil)

	cp := mustRead(t, req.CheckpointFile)
	var h struct {
		UploadID string `json:"upload_id"`
	}
	if len(cp) < 12 || json.Unmarshal(cp[12:12+binary.LittleEndian.Uint32(cp[8:])], &h) != nil || h.UploadID == "" {
		t.Fatalf("the child's checkpoint has no readable header (%d bytes)", len(cp))
	}
	stored := rec.storedParts()
	var resent []int // passed to the store, yet not stored: sent again
	for p := range rec.forwarded {
		if rec.stored[p] == 0 {
			resent = append(resent, p)
		}
	}
	forwarded := 0
	for _, n := range rec.forwarded {
		forwarded += n
	}
	inFlight, wantForwarded := tasks-1, k-1 // request k is held
	if tr.cut >= 0 {
		inFlight, wantForwarded = tasks, k // request k is cut
	}
	if forwarded != wantForwarded {
		t.Errorf("%d UploadPart requests passed to the store, want %d", forwarded, wantForwarded)
	}
	if len(resent) > inFlight {
		t.Errorf("parts cut off by the kill %v: more than the %d in flight", resent, inFlight)
	}
	first := upFirstRun{req: req, data: data, parts: int((int64(size) + partSize - 1) / partSize), uploadID: h.UploadID, stored: stored}
	want := upWithout(upAllParts(first.parts), stored)
	res := upRerun(t, s, first, want)
	if res.UploadID != h.UploadID || res.Restarted != nil {
		t.Errorf("rerun: upload %s, restarted %v; want %s resumed", res.UploadID, res.Restarted, h.UploadID)
	}
	var again []int
	for _, p := range want {
		if rec.forwarded[p] > 0 {
			again = append(again, p)
		}
	}
	if n := upPartBytes(int64(size), partSize, again); n > int64(tasks)*partSize {
		t.Errorf("the rerun sent %d bytes again (parts %v), more than TaskNum × PartSize = %d", n, again, int64(tasks)*partSize)
	}
	t.Logf("the child stored %d parts, journalled %d, %v were cut off; the rerun sent %d parts",
		len(stored), len(upRecordEnds(cp)), slices.Sorted(slices.Values(resent)), len(want))
}

// killReader lets the server read left bytes of a body, then has the
// child killed and waits for its death before reading on: whatever the
// child had sent is still read, as from a process that died mid-part.
type killReader struct {
	r          io.ReadCloser
	left       int
	kill, dead chan struct{}
	once       sync.Once
}

func (k *killReader) Read(p []byte) (int, error) {
	if k.left <= 0 {
		k.once.Do(func() {
			close(k.kill)
			<-k.dead
		})
		return k.r.Read(p)
	}
	n, err := k.r.Read(p[:min(len(p), k.left)])
	k.left -= n
	return n, err
}

func (k *killReader) Close() error { return k.r.Close() }

// killChild is the child: it uploads as told and is killed before it
// finishes.
func killChild(t *testing.T) {
	var p killParams
	if err := json.Unmarshal([]byte(os.Getenv(killParamEnv)), &p); err != nil {
		t.Fatal(err)
	}
	c, err := oss.New(oss.Config{
		Endpoint: p.Endpoint, Region: "cn-hangzhou", UserAgent: "child",
		Credentials: oss.StaticCredentials(oss.Credentials{AccessKeyID: p.AccessKeyID, AccessKeySecret: p.AccessKeySecret}),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadFile(context.Background(), &oss.UploadFileRequest{Bucket: p.Bucket, Key: p.Key, UploadFile: p.File,
		TaskNum: p.Tasks, PartSize: p.PartSize, EnableCheckpoint: true, CheckpointFile: p.Checkpoint})
	t.Fatalf("the upload returned (%v) instead of being killed", err)
}
