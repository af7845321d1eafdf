package oss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

const (
	dlKillChildEnv = "OSSUP_TEST_DL_KILL9_CHILD"  // "1" in the child
	dlKillParamEnv = "OSSUP_TEST_DL_KILL9_PARAMS" // dlKillParams as JSON
	// dlKillTrialsEnv sets the number of trials (default 20; the long
	// mode runs 100).
	dlKillTrialsEnv = "OSSUP_DL_KILL9_TRIALS"
)

type dlKillParams struct {
	Endpoint, AccessKeyID, AccessKeySecret string
	Bucket, Key, File, Checkpoint          string
	PartSize                               int64
	Tasks                                  int
}

// TestDownloadFileKill9 kills a process in the middle of DownloadFile with
// a checkpoint, at a random range request, possibly after part of that
// range's body has arrived. The rerun, in this process, must produce the
// object byte-exact, fetching only the ranges the child had not finished,
// and leave neither the partial file nor the checkpoint behind.
func TestDownloadFileKill9(t *testing.T) {
	if os.Getenv(dlKillChildEnv) == "1" {
		dlKillChild(t)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-run the test binary: %v", err)
	}
	trials := 20
	if v := os.Getenv(dlKillTrialsEnv); v != "" {
		if trials, err = strconv.Atoi(v); err != nil {
			t.Fatalf("%s=%q", dlKillTrialsEnv, v)
		}
	}
	s := dlStart(t)
	for seed := range trials {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x646c6b6c))
		tasks := 1 + rng.IntN(4)
		partSize := int64(100+rng.IntN(201)) * upKiB
		size := 2<<20 + rng.IntN(2<<20)
		parts := int((int64(size) + partSize - 1) / partSize)
		k := 1 + rng.IntN(parts)
		cut := int64(-1)
		if seed%2 == 1 {
			cut = rng.Int64N(partSize) // bytes of range k the child receives before the kill
		}
		name := fmt.Sprintf("seed=%d/tasks=%d/part=%dKiB/parts=%d/k=%d/cut=%d", seed, tasks, partSize/upKiB, parts, k, cut)
		t.Run(name, func(t *testing.T) {
			dlKillTrial(t, s, exe, uint64(seed), tasks, partSize, size, k, cut)
		})
	}
}

func dlKillTrial(t *testing.T, s *dlServer, exe string, seed uint64, tasks int, partSize int64, size, k int, cut int64) {
	key := fmt.Sprintf("kill/%d", seed)
	data := upData(size, seed+100)
	s.put(t, key, data)
	dir := t.TempDir()
	path, cp := filepath.Join(dir, "f"), filepath.Join(dir, "f.dcp")
	kill, dead := make(chan struct{}), make(chan struct{})
	var requests atomic.Int32
	s.mu.Lock()
	s.beforeGet = func(r *http.Request) {
		if r.Header.Get("User-Agent") != "dl-child" {
			return
		}
		n := int(requests.Add(1))
		if n == k && cut < 0 {
			close(kill)
		}
		if n >= k && cut < 0 {
			<-dead
		}
	}
	s.cut = func(r *http.Request) int64 {
		if r.Header.Get("User-Agent") != "dl-child" || int(requests.Load()) != k || cut < 0 {
			return -1
		}
		return cut
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.beforeGet, s.cut = nil, nil
		s.mu.Unlock()
	}()
	params, _ := json.Marshal(dlKillParams{
		Endpoint: s.Config.Endpoint, AccessKeyID: s.Credentials.AccessKeyID, AccessKeySecret: s.Credentials.AccessKeySecret,
		Bucket: s.Bucket, Key: key, File: path, Checkpoint: cp, PartSize: partSize, Tasks: tasks,
	})
	cmd := exec.Command(exe, "-test.run=^TestDownloadFileKill9$")
	cmd.Env = append(os.Environ(), dlKillChildEnv+"=1", dlKillParamEnv+"="+string(params))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var killed <-chan struct{} = kill
	var cutTimer <-chan time.Time
	if cut >= 0 {
		// The cut range's connection is aborted by the server; kill the
		// child as soon as the k-th request has been seen, while it is
		// retrying or fetching others.
		killed = nil
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		cutTimer = tick.C
	}
	for done := false; !done; {
		select {
		case <-killed:
			done = true
		case <-cutTimer:
			if int(requests.Load()) >= k {
				done = true
			}
			continue
		case err := <-exited:
			close(dead)
			t.Fatalf("the child exited before its range request %d: %v\n%s", k, err, out.Bytes())
		case <-time.After(time.Minute): // a safety net: the child hangs
			cmd.Process.Kill()
			<-exited
			close(dead)
			t.Fatalf("no range request %d within a minute\n%s", k, out.Bytes())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Error(err)
	}
	<-exited
	close(dead)

	res, err := s.Client.DownloadFile(context.Background(), &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: key, DownloadFile: path, TaskNum: tasks, PartSize: partSize,
		EnableCheckpoint: true, CheckpointFile: cp,
	})
	if err != nil {
		t.Fatalf("rerun: %v\nchild:\n%s", err, out.Bytes())
	}
	dlCheck(t, path, data, res, cp)
	if !res.Verified || res.Restarted != nil {
		t.Errorf("rerun result %+v: want verified and resumed", res)
	}
	// Ranges the child finished were journalled and are not fetched again;
	// at most those in flight at the kill are. (A cut request does not
	// stop the child, which goes on until the kill lands.)
	if cut < 0 && (res.PartsResumed > k-1 || res.PartsResumed < k-tasks) {
		t.Errorf("%d ranges resumed; range request %d was held with %d tasks", res.PartsResumed, k, tasks)
	}
	// The resumed ranges are full ones, or the short last one among them.
	if lo, hi := int64(size)-int64(res.PartsResumed)*partSize, int64(size)-int64(max(res.PartsResumed-1, 0))*partSize; res.BytesFetched < lo || res.BytesFetched > hi {
		t.Errorf("the rerun fetched %d bytes, want %d to %d", res.BytesFetched, lo, hi)
	}
}

// dlKillChild is the child: it downloads as told and is killed before it
// finishes.
func dlKillChild(t *testing.T) {
	var p dlKillParams
	if err := json.Unmarshal([]byte(os.Getenv(dlKillParamEnv)), &p); err != nil {
		t.Fatal(err)
	}
	c, err := oss.New(oss.Config{
		Endpoint: p.Endpoint, Region: "cn-hangzhou", UserAgent: "dl-child",
		Credentials: oss.StaticCredentials(oss.Credentials{AccessKeyID: p.AccessKeyID, AccessKeySecret: p.AccessKeySecret}),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DownloadFile(context.Background(), &oss.DownloadFileRequest{Bucket: p.Bucket, Key: p.Key, DownloadFile: p.File,
		TaskNum: p.Tasks, PartSize: p.PartSize, EnableCheckpoint: true, CheckpointFile: p.Checkpoint})
	t.Fatalf("the download returned (%v) instead of being killed", err)
}
