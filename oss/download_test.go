package oss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// dlServer is an osstest server whose GetObject answers can be cut short
// and counted.
type dlServer struct {
	*osstest.Env
	gets      atomic.Int64 // GetObject requests
	sent      atomic.Int64 // GetObject body bytes written
	mu        sync.Mutex
	cut       func(r *http.Request) int64 // bytes to send before cutting; < 0: never
	beforeGet func(r *http.Request)
}

func dlStart(t *testing.T) *dlServer {
	t.Helper()
	s := &dlServer{}
	s.Env = osstest.Start(t, osstest.Options{Middleware: s.middleware})
	return s
}

func (s *dlServer) setCut(f func(r *http.Request) int64) {
	s.mu.Lock()
	s.cut = f
	s.mu.Unlock()
}

func (s *dlServer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || strings.Contains(r.URL.RawQuery, "uploads") || strings.Count(r.URL.Path, "/") < 2 {
			next.ServeHTTP(w, r)
			return
		}
		s.gets.Add(1)
		s.mu.Lock()
		cut, before := s.cut, s.beforeGet
		s.mu.Unlock()
		if before != nil {
			before(r)
		}
		limit := int64(-1)
		if cut != nil {
			limit = cut(r)
		}
		next.ServeHTTP(&dlCutter{ResponseWriter: w, left: limit, sent: &s.sent}, r)
	})
}

// dlCutter passes a response through and, after left body bytes, aborts
// the connection as a network failure would.
type dlCutter struct {
	http.ResponseWriter
	left int64 // < 0: no cut
	sent *atomic.Int64
}

func (c *dlCutter) Write(p []byte) (int, error) {
	if c.left >= 0 && int64(len(p)) > c.left {
		n, _ := c.ResponseWriter.Write(p[:c.left])
		c.sent.Add(int64(n))
		if f, ok := c.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	if c.left >= 0 {
		c.left -= int64(len(p))
	}
	n, err := c.ResponseWriter.Write(p)
	c.sent.Add(int64(n))
	return n, err
}

func (c *dlCutter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (s *dlServer) put(t *testing.T, key string, data []byte) {
	t.Helper()
	if _, err := s.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: s.Bucket, Key: key, Body: bytes.NewReader(data), Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
}

// dlCheck checks the downloaded file and that nothing was left beside it.
func dlCheck(t *testing.T, path string, want []byte, res *oss.DownloadFileResult, cp string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("downloaded %d bytes, not the %d bytes of the object", len(got), len(want))
	}
	if res.CRC64 != crc64.Checksum(want) || res.Size != int64(len(want)) {
		t.Errorf("result %+v: CRC64 or size wrong", res)
	}
	upCheckGone(t, path+".ossup-partial", cp, cp+".lock")
}

func TestDownloadFile(t *testing.T) {
	s := dlStart(t)
	sizes := []int{0, 1, 100*upKiB - 1, 100 * upKiB, 100*upKiB + 1, 1234567, 3 << 20}
	for _, size := range sizes {
		data := upData(size, uint64(size)+7)
		key := fmt.Sprintf("dl/%d", size)
		s.put(t, key, data)
		for _, tasks := range []int{1, 3, 8} {
			for _, checkpoint := range []bool{false, true} {
				name := fmt.Sprintf("size=%d/tasks=%d/checkpoint=%t", size, tasks, checkpoint)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					path := filepath.Join(dir, "new", "folder", "file.bin")
					cp := filepath.Join(dir, "f.dcp")
					progress := &upProgress{}
					res, err := s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
						Bucket: s.Bucket, Key: key, DownloadFile: path, TaskNum: tasks,
						EnableCheckpoint: checkpoint, CheckpointFile: cp, Progress: progress.report,
					})
					if err != nil {
						t.Fatal(err)
					}
					dlCheck(t, path, data, res, cp)
					if !res.Verified || res.BytesFetched != int64(size) || res.PartsResumed != 0 || res.Restarted != nil {
						t.Errorf("result %+v: want verified, %d bytes fetched, nothing resumed", res, size)
					}
					progress.check(t, 0, int64(size))
					st, err := os.Stat(path)
					if err != nil {
						t.Fatal(err)
					}
					umask := syscall.Umask(0)
					syscall.Umask(umask)
					if want := fs.FileMode(0o666 &^ umask); st.Mode().Perm() != want {
						t.Errorf("file mode %v, want %v", st.Mode().Perm(), want)
					}
				})
			}
		}
	}
}

func TestDownloadRange(t *testing.T) {
	s := dlStart(t)
	data := upData(1<<20, 3)
	s.put(t, "r", data)
	cases := []struct{ off, length, wantOff, wantLen int64 }{
		{0, 10, 0, 10},
		{1000, 300 * upKiB, 1000, 300 * upKiB},
		{1<<20 - 5, 0, 1<<20 - 5, 5},
		{500, 1 << 30, 500, 1<<20 - 500},
	}
	for _, tc := range cases {
		path := filepath.Join(t.TempDir(), "part")
		res, err := s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
			Bucket: s.Bucket, Key: "r", DownloadFile: path, TaskNum: 2, EnableCheckpoint: true,
			Range: &oss.ByteRange{Offset: tc.off, Length: tc.length},
		})
		if err != nil {
			t.Fatal(err)
		}
		dlCheck(t, path, data[tc.wantOff:tc.wantOff+tc.wantLen], res, path+".dcp")
		if res.Verified {
			t.Errorf("a ranged download claims to be verified against the whole object")
		}
	}
	_, err := s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: "r", DownloadFile: filepath.Join(t.TempDir(), "x"), Range: &oss.ByteRange{Offset: 1 << 20},
	})
	if !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("offset at the end: %v, want ErrInvalidArgument", err)
	}
}

// TestDownloadRidesOutResets cuts 30% of the range responses at a random
// byte: one call still finishes byte-exact, fetching each byte about once.
func TestDownloadRidesOutResets(t *testing.T) {
	s := dlStart(t)
	data := upData(4<<20, 11)
	s.put(t, "resets", data)
	rng := rand.New(rand.NewPCG(1, 2))
	var rmu sync.Mutex
	s.setCut(func(r *http.Request) int64 {
		rmu.Lock()
		defer rmu.Unlock()
		if rng.Float64() < 0.3 {
			return rng.Int64N(200 * upKiB)
		}
		return -1
	})
	for _, checkpoint := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "f")
		s.sent.Store(0)
		res, err := s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
			Bucket: s.Bucket, Key: "resets", DownloadFile: path, TaskNum: 4, PartSize: 256 * upKiB, EnableCheckpoint: checkpoint,
		})
		if err != nil {
			t.Fatal(err)
		}
		dlCheck(t, path, data, res, path+".dcp")
		// Resumed from the byte reached: the bytes on the wire are the
		// object's, plus at most what cut responses had in flight.
		if sent := s.sent.Load(); sent > int64(len(data))*3/2 {
			t.Errorf("%d bytes sent for a %d-byte object", sent, len(data))
		}
	}
}

// TestDownloadResume interrupts a download with a checkpoint, then reruns
// it: only the missing ranges are fetched, and a range whose bytes the
// disk lost is fetched again.
func TestDownloadResume(t *testing.T) {
	s := dlStart(t)
	const part = 100 * upKiB
	data := upData(20*part+123, 5)
	s.put(t, "resume", data)
	path := filepath.Join(t.TempDir(), "f")
	ctx, cancel := context.WithCancel(t.Context())
	req := &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: "resume", DownloadFile: path, TaskNum: 1, PartSize: part, EnableCheckpoint: true,
		Progress: func(e oss.ProgressEvent) {
			if e.Done >= 8*part {
				cancel()
			}
		},
	}
	_, err := s.Client.DownloadFile(ctx, req)
	var de *oss.DownloadError
	if !errors.As(err, &de) || de.CheckpointFile != path+".dcp" || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted download: %v", err)
	}
	if _, err := os.Stat(path + ".ossup-partial"); err != nil {
		t.Fatalf("partial file not kept: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the target exists before the download finished: %v", err)
	}
	// Damage the second kept range in the partial file.
	f, err := os.OpenFile(path+".ossup-partial", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{^data[part+10]}, part+10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	req.Progress = nil
	s.gets.Store(0)
	res, err := s.Client.DownloadFile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	dlCheck(t, path, data, res, path+".dcp")
	if res.PartsResumed < 6 || res.PartsResumed > 8 {
		t.Errorf("%d ranges resumed, want the 7 or 8 finished less the damaged one", res.PartsResumed)
	}
	if want := int64(len(data)) - int64(res.PartsResumed)*part; res.BytesFetched != want {
		t.Errorf("fetched %d bytes on resume, want %d", res.BytesFetched, want)
	}
	if !res.Verified || res.Restarted != nil {
		t.Errorf("result %+v", res)
	}
}

// TestDownloadRestartReasons: a checkpoint that no longer fits the
// request or the disk is not resumed, and the result says why.
func TestDownloadRestartReasons(t *testing.T) {
	const part = 100 * upKiB
	tests := []struct {
		name   string
		change func(t *testing.T, req *oss.DownloadFileRequest)
		want   oss.RestartReason
	}{
		{"part size", func(t *testing.T, req *oss.DownloadFileRequest) { req.PartSize = 2 * part }, oss.RestartPartSizeChanged},
		{"partial file removed", func(t *testing.T, req *oss.DownloadFileRequest) {
			if err := os.Remove(req.DownloadFile + ".ossup-partial"); err != nil {
				t.Fatal(err)
			}
		}, oss.RestartPartialFileLost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dlStart(t)
			data := upData(10*part, 3)
			s.put(t, "obj", data)
			path := filepath.Join(t.TempDir(), "f")
			ctx, cancel := context.WithCancel(t.Context())
			req := &oss.DownloadFileRequest{
				Bucket: s.Bucket, Key: "obj", DownloadFile: path, PartSize: part, EnableCheckpoint: true,
				Progress: func(e oss.ProgressEvent) {
					if e.Done >= 3*part {
						cancel()
					}
				},
			}
			if _, err := s.Client.DownloadFile(ctx, req); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted download: %v", err)
			}
			req.Progress = nil
			tt.change(t, req)
			res, err := s.Client.DownloadFile(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			dlCheck(t, path, data, res, path+".dcp")
			if res.Restarted == nil || res.Restarted.Reason != tt.want || res.PartsResumed != 0 {
				t.Errorf("result %+v (restarted %v), want a restart because %s", res, res.Restarted, tt.want)
			}
		})
	}
}

// TestDownloadObjectChanged: an object replaced between runs restarts the
// download with a reason; one replaced during a run stops it with
// ErrObjectChanged and leaves nothing to resume from.
func TestDownloadObjectChanged(t *testing.T) {
	s := dlStart(t)
	const part = 100 * upKiB
	old, updated := upData(10*part, 1), upData(10*part, 2)
	s.put(t, "chg", old)
	path := filepath.Join(t.TempDir(), "f")
	ctx, cancel := context.WithCancel(t.Context())
	req := &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: "chg", DownloadFile: path, PartSize: part, EnableCheckpoint: true,
		Progress: func(e oss.ProgressEvent) {
			if e.Done >= 3*part {
				cancel()
			}
		},
	}
	if _, err := s.Client.DownloadFile(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted download: %v", err)
	}
	s.put(t, "chg", updated)
	req.Progress = nil
	res, err := s.Client.DownloadFile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	dlCheck(t, path, updated, res, path+".dcp")
	if (res.Restarted == nil || res.Restarted.Reason != oss.RestartObjectChanged) || res.PartsResumed != 0 {
		t.Errorf("result %+v: want a restart because the object changed", res)
	}

	// Replaced while ranges are being fetched.
	s.put(t, "chg", old)
	var n atomic.Int64
	s.mu.Lock()
	s.beforeGet = func(r *http.Request) {
		if n.Add(1) == 3 {
			// Not s.put: this runs on a server goroutine, where t.Fatal
			// must not be called.
			if _, err := s.Client.PutObject(r.Context(), &oss.PutObjectRequest{Bucket: s.Bucket, Key: "chg", Body: bytes.NewReader(updated), Size: int64(len(updated))}); err != nil {
				t.Error(err)
			}
		}
	}
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.beforeGet = nil; s.mu.Unlock() }()
	path2 := filepath.Join(t.TempDir(), "g")
	_, err = s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: "chg", DownloadFile: path2, PartSize: part, EnableCheckpoint: true,
	})
	if !errors.Is(err, oss.ErrObjectChanged) {
		t.Fatalf("object replaced mid-download: %v, want ErrObjectChanged", err)
	}
	upCheckGone(t, path2, path2+".ossup-partial", path2+".dcp")
}

// TestDownloadWithoutCheckpointLeavesNothing: an interrupted download
// without a checkpoint removes its partial file.
func TestDownloadWithoutCheckpointLeavesNothing(t *testing.T) {
	s := dlStart(t)
	data := upData(1<<20, 9)
	s.put(t, "k", data)
	path := filepath.Join(t.TempDir(), "f")
	ctx, cancel := context.WithCancel(t.Context())
	_, err := s.Client.DownloadFile(ctx, &oss.DownloadFileRequest{
		Bucket: s.Bucket, Key: "k", DownloadFile: path,
		Progress: func(e oss.ProgressEvent) {
			if e.Done > 300*upKiB {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v", err)
	}
	upCheckGone(t, path, path+".ossup-partial", path+".dcp", path+".dcp.lock")
	// A missing object is a clear error and leaves nothing either.
	_, err = s.Client.DownloadFile(t.Context(), &oss.DownloadFileRequest{Bucket: s.Bucket, Key: "missing", DownloadFile: path, EnableCheckpoint: true})
	if !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("missing object: %v", err)
	}
	upCheckGone(t, path, path+".ossup-partial")
}

func TestDownloadNormalize(t *testing.T) {
	s := dlStart(t)
	for _, req := range []oss.DownloadFileRequest{
		{Bucket: s.Bucket, Key: "k"},
		{Bucket: s.Bucket, Key: "k", DownloadFile: "f", TaskNum: 1001},
		{Bucket: s.Bucket, Key: "k", DownloadFile: "f", PartSize: 100},
		{Bucket: s.Bucket, Key: "k", DownloadFile: "f", TrafficLimit: 1},
		{Bucket: s.Bucket, Key: "k", DownloadFile: "f", Range: &oss.ByteRange{Offset: -1}},
	} {
		if _, err := s.Client.DownloadFile(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", req, err)
		}
	}
}

// TestDownloadTo writes objects in order to a writer, with ranges fetched
// ahead and 30% of them cut mid-body.
func TestDownloadTo(t *testing.T) {
	s := dlStart(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var rmu sync.Mutex
	s.setCut(func(r *http.Request) int64 {
		rmu.Lock()
		defer rmu.Unlock()
		if rng.Float64() < 0.3 {
			return rng.Int64N(100 * upKiB)
		}
		return -1
	})
	for _, size := range []int{0, 1, 100 * upKiB, 2<<20 + 17} {
		data := upData(size, uint64(size))
		key := fmt.Sprintf("to/%d", size)
		s.put(t, key, data)
		for _, tasks := range []int{1, 4} {
			var out bytes.Buffer
			res, err := s.Client.DownloadTo(t.Context(), &oss.DownloadToRequest{Bucket: s.Bucket, Key: key, Writer: &out, TaskNum: tasks, PartSize: 100 * upKiB})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) || !res.Verified || res.CRC64 != crc64.Checksum(data) {
				t.Errorf("size %d, tasks %d: %d bytes written, result %+v", size, tasks, out.Len(), res)
			}
		}
	}
}
