package oss_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// upFailParts answers UploadPart with 403 AccessDenied, which is not
// retried, for the given part numbers.
func upFailParts(parts ...int) func(http.ResponseWriter, *http.Request, int) bool {
	return func(w http.ResponseWriter, r *http.Request, part int) bool {
		if slices.Contains(parts, part) {
			upAnswerError(w, r, http.StatusForbidden, "AccessDenied")
			return true
		}
		return false
	}
}

// upFirstRun is an upload that failed with its checkpoint kept.
type upFirstRun struct {
	req      *oss.UploadFileRequest
	data     []byte
	parts    int
	uploadID string
	stored   []int // parts the server stored
}

// upFail runs req (with a checkpoint) while failing the given parts and
// checks that the upload and its checkpoint are kept.
func upFail(t *testing.T, s *upServer, req *oss.UploadFileRequest, fail ...int) upFirstRun {
	t.Helper()
	s.setHook(upFailParts(fail...))
	c := s.begin(t, "first")
	_, err := c.UploadFile(t.Context(), req)
	rec := s.end()
	s.setHook(nil)
	ue, ok := errors.AsType[*oss.UploadError](err)
	if !ok || !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("first run: %v, want an *UploadError wrapping AccessDenied", err)
	}
	if ue.UploadID == "" || ue.CheckpointFile != req.CheckpointFile {
		t.Fatalf("first run: %#v, want the upload id and checkpoint %s", ue, req.CheckpointFile)
	}
	if _, err := os.Stat(req.CheckpointFile); err != nil {
		t.Fatalf("checkpoint after the failure: %v", err)
	}
	if ids := s.uploads(t, req.Key); !slices.Equal(ids, []string{ue.UploadID}) {
		t.Fatalf("uploads in progress %v, want [%s]", ids, ue.UploadID)
	}
	for _, p := range fail {
		if rec.stored[p] > 0 {
			t.Fatalf("failed part %d was stored", p)
		}
	}
	fi, _ := os.Stat(req.UploadFile)
	data, _ := os.ReadFile(req.UploadFile)
	return upFirstRun{req: req, data: data, parts: int((fi.Size() + req.PartSize - 1) / req.PartSize), uploadID: ue.UploadID, stored: rec.storedParts()}
}

// upRerun runs the upload again, without faults, and checks that it
// sent exactly the parts in want, each once, and produced the file.
func upRerun(t *testing.T, s *upServer, f upFirstRun, want []int) *oss.UploadFileResult {
	t.Helper()
	req := *f.req
	progress := &upProgress{}
	req.Progress = progress.report
	c := s.begin(t, "rerun")
	res, err := c.UploadFile(t.Context(), &req)
	rec := s.end()
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if got := rec.storedParts(); !slices.Equal(got, want) {
		t.Errorf("rerun sent parts %v, want %v", got, want)
	}
	for p, n := range rec.stored {
		if n != 1 {
			t.Errorf("rerun stored part %d %d times", p, n)
		}
	}
	size := int64(len(f.data))
	if wantBytes := upPartBytes(size, req.PartSize, want); rec.received != wantBytes || res.BytesSent != wantBytes {
		t.Errorf("rerun: server received %d bytes, result says %d sent; want %d", rec.received, res.BytesSent, wantBytes)
	}
	if res.PartsResumed != f.parts-len(want) {
		t.Errorf("rerun resumed %d parts, want %d", res.PartsResumed, f.parts-len(want))
	}
	if res.CRC64 != crc64.Checksum(f.data) {
		t.Errorf("rerun: CRC64 %d, want %d", res.CRC64, crc64.Checksum(f.data))
	}
	s.checkObject(t, req.Key, f.data)
	upCheckGone(t, req.CheckpointFile, req.CheckpointFile+".lock")
	if ids := s.uploads(t, req.Key); len(ids) != 0 {
		t.Errorf("uploads left in progress: %v", ids)
	}
	progress.check(t, size-upPartBytes(size, req.PartSize, want), size)
	return res
}

func TestUploadFileResumeAfterPartFailures(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		tasks      int
		fail       []int
		wantStored []int // when known (one task)
	}{
		{name: "first part", size: 1000*upKiB + 1234, tasks: 1, fail: []int{1}, wantStored: []int{}},
		{name: "middle part", size: 1000*upKiB + 1234, tasks: 1, fail: []int{5}, wantStored: []int{1, 2, 3, 4}},
		{name: "last part", size: 1000*upKiB + 1234, tasks: 1, fail: []int{11}, wantStored: upAllParts(10)},
		{name: "last part, 2 tasks", size: 1000 * upKiB, tasks: 2, fail: []int{10}},
		{name: "three parts, 4 tasks", size: 1000*upKiB + 1234, tasks: 4, fail: []int{2, 5, 6}},
		{name: "every part, 3 tasks", size: 500 * upKiB, tasks: 3, fail: upAllParts(5)},
		{name: "four of 60 parts, 8 tasks", size: 6000*upKiB - 17, tasks: 8, fail: []int{7, 30, 31, 59}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := upStart(t, osstest.Options{})
			path, _ := upWriteFile(t, tt.size, uint64(tt.size))
			req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, TaskNum: tt.tasks, PartSize: 100 * upKiB,
				EnableCheckpoint: true, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
			first := upFail(t, s, req, tt.fail...)
			if tt.wantStored != nil && !slices.Equal(first.stored, tt.wantStored) {
				t.Errorf("first run stored %v, want %v", first.stored, tt.wantStored)
			}
			res := upRerun(t, s, first, upWithout(upAllParts(first.parts), first.stored))
			if res.UploadID != first.uploadID || res.Restarted != nil {
				t.Errorf("rerun: upload %s, restarted %v; want %s resumed", res.UploadID, res.Restarted, first.uploadID)
			}
		})
	}
}

// TestUploadFileFailureAborts: without a checkpoint a failed upload is
// aborted and nothing is left on the server.
func TestUploadFileFailureAborts(t *testing.T) {
	s := upStart(t, osstest.Options{})
	path, _ := upWriteFile(t, 700*upKiB, 11)
	s.setHook(upFailParts(3))
	_, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, TaskNum: 2})
	ue, ok := errors.AsType[*oss.UploadError](err)
	if !ok || ue.UploadID == "" || ue.CheckpointFile != "" || !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("UploadFile: %v, want an *UploadError with an upload id and no checkpoint", err)
	}
	if ids := s.uploads(t, "k"); len(ids) != 0 {
		t.Errorf("uploads left in progress: %v", ids)
	}
	if _, err := s.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: s.Bucket, Key: "k"}); !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("GetObject: %v, want NoSuchKey", err)
	}
	upCheckGone(t, path+".ucp")
}

// TestUploadFileCancel cancels the context while parts are in flight:
// UploadFile returns promptly, leaves no goroutine behind, keeps the
// checkpoint, and the rerun resumes. It measures goroutines, so it does
// not run in parallel, and its client keeps no idle connections.
func TestUploadFileCancel(t *testing.T) {
	s := upStart(t, osstest.Options{Client: func(c *oss.Config) {
		c.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{}).DialContext}}
	}})
	path, _ := upWriteFile(t, 2000*upKiB, 12)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var (
		requests atomic.Int32
		once     sync.Once
		canceled = make(chan time.Time, 1)
	)
	s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
		if requests.Add(1) == 6 {
			once.Do(func() {
				canceled <- time.Now()
				cancel()
			})
		}
		return false
	})
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, TaskNum: 4, PartSize: 100 * upKiB,
		EnableCheckpoint: true, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
	c := s.begin(t, "canceled")
	before := runtime.NumGoroutine()
	_, err := c.UploadFile(ctx, req)
	returned := time.Now()
	rec := s.end()
	s.setHook(nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("UploadFile: %v, want context.Canceled", err)
	}
	if d := returned.Sub(<-canceled); d > 5*time.Second {
		t.Errorf("UploadFile returned %v after the cancellation", d)
	}
	ue, ok := errors.AsType[*oss.UploadError](err)
	if !ok || ue.CheckpointFile != req.CheckpointFile {
		t.Fatalf("UploadFile: %v, want an *UploadError keeping the checkpoint", err)
	}
	upWaitGoroutines(t, before)
	if len(rec.stored) == 0 {
		t.Fatal("no part was stored before the cancellation")
	}
	first := upFirstRun{req: req, data: mustRead(t, path), parts: 20, uploadID: ue.UploadID, stored: rec.storedParts()}
	upRerun(t, s, first, upWithout(upAllParts(20), first.stored))
}

// upWaitGoroutines waits until there are at most n goroutines: those of
// the upload exit at once, but the connections it used (client and
// server sides) close asynchronously.
func upWaitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before the upload:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestUploadFileUploadGone: the upload was aborted on the server between
// runs; the rerun starts afresh and says so.
func TestUploadFileUploadGone(t *testing.T) {
	s := upStart(t, osstest.Options{})
	path, _ := upWriteFile(t, 500*upKiB, 13)
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, PartSize: 100 * upKiB, EnableCheckpoint: true, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
	first := upFail(t, s, req, 3)
	if _, err := s.Client.AbortMultipartUpload(t.Context(), &oss.AbortMultipartUploadRequest{Bucket: s.Bucket, Key: "k", UploadID: first.uploadID}); err != nil {
		t.Fatal(err)
	}
	first.stored = nil
	res := upRerun(t, s, first, upAllParts(5))
	if res.Restarted == nil || res.Restarted.Reason != oss.RestartUploadGone || res.UploadID == first.uploadID {
		t.Errorf("rerun: %+v (restarted %v), want a new upload because the upload is gone", res, res.Restarted)
	}
}

// TestUploadFileCheckpointLocked: a second upload on a checkpoint in use
// fails with ErrCheckpointLocked, and touches neither the server nor the
// first upload.
func TestUploadFileCheckpointLocked(t *testing.T) {
	s := upStart(t, osstest.Options{})
	path, data := upWriteFile(t, 300*upKiB, 14)
	release := make(chan struct{})
	inFlight := make(chan struct{})
	var once sync.Once
	s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
		once.Do(func() { close(inFlight) })
		<-release
		return false
	})
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true}
	done := make(chan error, 1)
	go func() {
		_, err := s.Client.UploadFile(t.Context(), req)
		done <- err
	}()
	<-inFlight
	_, err := s.Client.UploadFile(t.Context(), req)
	if !errors.Is(err, oss.ErrCheckpointLocked) {
		t.Errorf("second upload: %v, want ErrCheckpointLocked", err)
	}
	if ids := s.uploads(t, "k"); len(ids) != 1 {
		t.Errorf("uploads in progress %v, want only the first", ids)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first upload: %v", err)
	}
	s.checkObject(t, "k", data)
	upCheckGone(t, path+".ucp", path+".ucp.lock")
}

// TestUploadFileChangedDuringRun modifies the file while part 3 is in
// flight: nothing is completed, with or without checkpoint; with one, the
// rerun starts afresh with the new content.
func TestUploadFileChangedDuringRun(t *testing.T) {
	for _, checkpoint := range []bool{false, true} {
		t.Run(fmt.Sprint("checkpoint=", checkpoint), func(t *testing.T) {
			t.Parallel()
			s := upStart(t, osstest.Options{})
			path, _ := upWriteFile(t, 600*upKiB, 15)
			var once sync.Once
			s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
				if part == 3 {
					once.Do(func() { upModify(t, path, 10, time.Hour) })
				}
				return false
			})
			req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, TaskNum: 2, PartSize: 100 * upKiB,
				EnableCheckpoint: checkpoint, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
			_, err := s.Client.UploadFile(t.Context(), req)
			s.setHook(nil)
			if !errors.Is(err, oss.ErrFileChanged) {
				t.Fatalf("UploadFile: %v, want ErrFileChanged", err)
			}
			if _, err := s.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: s.Bucket, Key: "k"}); !errors.Is(err, oss.ErrNoSuchKey) {
				t.Fatalf("GetObject: %v, want NoSuchKey: nothing may be completed", err)
			}
			ids := s.uploads(t, "k")
			if !checkpoint {
				if len(ids) != 0 {
					t.Errorf("uploads left in progress: %v", ids)
				}
				return
			}
			if len(ids) != 1 {
				t.Fatalf("uploads in progress %v, want the one to resume", ids)
			}
			res := upRerun(t, s, upFirstRun{req: req, data: mustRead(t, path), parts: 6}, upAllParts(6))
			if res.Restarted == nil || res.UploadID == ids[0] {
				t.Errorf("rerun: %+v, want a new upload and the reason", res)
			}
		})
	}
}

// TestUploadFileTruncatedDuringRun cuts the file short while part 3 is in
// flight: the parts past the new end cannot be read whole, and the upload
// fails at once with ErrFileChanged, completing nothing. Parts of 100 KiB
// are read through a buffer, parts of 1 MiB go by sendfile.
func TestUploadFileTruncatedDuringRun(t *testing.T) {
	for _, part := range []int{100 * upKiB, 1024 * upKiB} {
		t.Run(fmt.Sprint("part=", part), func(t *testing.T) {
			s := upStart(t, osstest.Options{})
			path, _ := upWriteFile(t, 6*part, 16)
			var once sync.Once
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 3 {
					once.Do(func() {
						if err := os.Truncate(path, int64(part*5/2)); err != nil {
							t.Error(err)
						}
					})
				}
				return false
			})
			var retries atomic.Int32
			cfg := s.Config
			cfg.OnRetry = func(oss.RetryEvent) { retries.Add(1) }
			c, err := oss.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, PartSize: int64(part)})
			s.setHook(nil)
			if !errors.Is(err, oss.ErrFileChanged) {
				t.Fatalf("UploadFile: %v, want ErrFileChanged", err)
			}
			if n := retries.Load(); n != 0 {
				t.Errorf("%d retries of a part the file no longer holds", n)
			}
			if _, err := s.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: s.Bucket, Key: "k"}); !errors.Is(err, oss.ErrNoSuchKey) {
				t.Fatalf("GetObject: %v, want NoSuchKey: nothing may be completed", err)
			}
		})
	}
}

// upModify changes the byte at off and moves the mtime by d, so that the
// change is seen even where timestamps are coarse.
func upModify(t *testing.T, path string, off int64, d time.Duration) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Error(err)
		return
	}
	b := []byte{0}
	_, err = f.ReadAt(b, off)
	if err == nil {
		b[0] ^= 0xFF
		_, err = f.WriteAt(b, off)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Error(err)
	}
	if d != 0 {
		fi, err := os.Stat(path)
		if err == nil {
			err = os.Chtimes(path, time.Time{}, fi.ModTime().Add(d))
		}
		if err != nil {
			t.Error(err)
		}
	}
}
