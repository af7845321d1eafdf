package oss_test

// Tests of UploadFile's own CRC-64 checks against services that report no
// CRC-64 or a wrong one, and of its aborts of abandoned uploads while the
// service refuses them.

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// faultServer is an osstest environment whose middleware can hide or
// falsify the CRC-64 the server reports, fail a part, and refuse aborts.
type faultServer struct {
	*osstest.Env

	mu          sync.Mutex
	stripCRC    bool        // no x-oss-hash-crc64ecma on PutObject, UploadPart and Complete answers
	badPart     map[int]int // part number → how many more of its answers report a wrong CRC-64
	badComplete bool        // Complete answers report a wrong CRC-64
	failPart    int         // UploadPart of this number answers 403 AccessDenied
	refuseAbort bool        // AbortMultipartUpload answers 503
	sent        map[int]int // part number → UploadPart requests
	aborts      int         // AbortMultipartUpload requests
}

func startFaultServer(t *testing.T) *faultServer {
	t.Helper()
	s := &faultServer{badPart: map[int]int{}, sent: map[int]int{}}
	s.Env = osstest.Start(t, osstest.Options{
		Middleware: s.middleware,
		Client: func(c *oss.Config) {
			c.RetryBaseDelay, c.RetryMaxDelay = time.Millisecond, 2*time.Millisecond
		},
	})
	return s
}

func (s *faultServer) set(f func(s *faultServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *faultServer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		part, isPart := upPartNumber(r)
		isComplete := r.Method == http.MethodPost && q.Has("uploadId")
		isPut := r.Method == http.MethodPut && !q.Has("uploadId") && r.Header.Get("x-oss-copy-source") == ""
		s.mu.Lock()
		var falsify, answered bool
		switch {
		case r.Method == http.MethodDelete && q.Has("uploadId"):
			s.aborts++
			if s.refuseAbort {
				upAnswerError(w, r, http.StatusServiceUnavailable, "ServiceUnavailable")
				answered = true
			}
		case isPart:
			s.sent[part]++
			if part == s.failPart {
				upAnswerError(w, r, http.StatusForbidden, "AccessDenied")
				answered = true
			}
			if s.badPart[part] > 0 {
				s.badPart[part]--
				falsify = true
			}
		case isComplete:
			falsify = s.badComplete
		}
		strip := s.stripCRC && (isPart || isComplete || isPut)
		s.mu.Unlock()
		if answered {
			return
		}
		if strip || falsify {
			w = &crcRewriter{ResponseWriter: w, strip: strip}
		}
		next.ServeHTTP(w, r)
	})
}

// crcRewriter removes x-oss-hash-crc64ecma from an answer, or changes it.
type crcRewriter struct {
	http.ResponseWriter
	strip bool
	done  bool
}

func (w *crcRewriter) rewrite() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	if w.strip {
		h.Del("x-oss-hash-crc64ecma")
	} else if crc, err := crc64.Parse(h.Get("x-oss-hash-crc64ecma")); err == nil {
		h.Set("x-oss-hash-crc64ecma", crc64.Format(crc^0x8000))
	}
}

func (w *crcRewriter) WriteHeader(code int) {
	w.rewrite()
	w.ResponseWriter.WriteHeader(code)
}

func (w *crcRewriter) Write(p []byte) (int, error) {
	w.rewrite()
	return w.ResponseWriter.Write(p)
}

func (w *crcRewriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *faultServer) sentCount(part int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[part]
}

// allUploads lists the ids of every multipart upload in progress.
func (s *faultServer) allUploads(t *testing.T) []string {
	t.Helper()
	var ids []string
	for page, err := range s.Client.ListMultipartUploads(t.Context(), &oss.ListMultipartUploadsRequest{Bucket: s.Bucket}) {
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		for _, u := range page.Uploads {
			ids = append(ids, u.UploadID)
		}
	}
	return ids
}

func (s *faultServer) checkObject(t *testing.T, key string, want []byte) {
	t.Helper()
	(&upServer{Env: s.Env}).checkObject(t, key, want)
}

// TestUploadFileVerified: against a service that reports CRC-64s, the
// result is verified end to end, in parts or in one PutObject.
func TestUploadFileVerified(t *testing.T) {
	s := startFaultServer(t)
	for _, size := range []int{4*int(oss.MinPartSize) + 5, 1000, 4<<20 + 5} {
		path, data := upWriteFile(t, size, 11)
		res, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "v", UploadFile: path, TaskNum: 2})
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if !res.Verified || res.CRC64 != crc64.Checksum(data) {
			t.Errorf("%d bytes: Verified %v, CRC64 %d; want true and %d", size, res.Verified, res.CRC64, crc64.Checksum(data))
		}
	}
}

// TestUploadFileNoServiceCRC: a service that reports no CRC-64 at all
// still gets the file, resumed from a checkpoint too; the result is not
// verified, and its CRC-64 is the file's, as the client computed it.
func TestUploadFileNoServiceCRC(t *testing.T) {
	s := startFaultServer(t)
	s.set(func(s *faultServer) { s.stripCRC = true })
	t.Run("multipart", func(t *testing.T) {
		path, data := upWriteFile(t, 4*int(oss.MinPartSize)+5, 12)
		req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "multi", UploadFile: path, EnableCheckpoint: true}
		s.set(func(s *faultServer) { s.failPart = 3 })
		if _, err := s.Client.UploadFile(t.Context(), req); !errors.Is(err, oss.ErrAccessDenied) {
			t.Fatalf("first run: %v, want AccessDenied", err)
		}
		s.set(func(s *faultServer) { s.failPart = 0 })
		res, err := s.Client.UploadFile(t.Context(), req)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if res.Verified || res.CRC64 != crc64.Checksum(data) || res.PartsResumed != 2 {
			t.Errorf("result %+v; want not verified, CRC64 %d, 2 parts resumed", res, crc64.Checksum(data))
		}
		s.checkObject(t, "multi", data)
	})
	t.Run("PutObject", func(t *testing.T) {
		path, data := upWriteFile(t, 1000, 13)
		res, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "small", UploadFile: path})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verified || res.CRC64 != crc64.Checksum(data) {
			t.Errorf("result %+v; want not verified, CRC64 %d", res, crc64.Checksum(data))
		}
	})
}

// TestUploadFilePartCRCMismatch: a part whose CRC-64 the service reports
// wrong was corrupted in transfer; it is sent again, up to three times in
// all, and then the upload fails with ErrCRCMismatch. Parts of 100 KiB
// are read through the client; parts of 1 MiB go from the file by
// sendfile, with the CRC-64 computed from the file.
func TestUploadFilePartCRCMismatch(t *testing.T) {
	for _, ps := range []int64{oss.MinPartSize, 1 << 20} {
		path, data := upWriteFile(t, 4*int(ps)+5, 14)
		t.Run(fmt.Sprintf("%d/once", ps), func(t *testing.T) {
			s := startFaultServer(t)
			s.set(func(s *faultServer) { s.badPart[2] = 1 })
			res, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, PartSize: ps})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verified || res.CRC64 != crc64.Checksum(data) || s.sentCount(2) != 2 {
				t.Errorf("result %+v, part 2 sent %d times; want verified and sent twice", res, s.sentCount(2))
			}
			s.checkObject(t, "k", data)
		})
		t.Run(fmt.Sprintf("%d/always", ps), func(t *testing.T) {
			s := startFaultServer(t)
			s.set(func(s *faultServer) { s.badPart[2] = 100 })
			_, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, PartSize: ps})
			if !errors.Is(err, oss.ErrCRCMismatch) || !strings.Contains(err.Error(), "part 2") {
				t.Fatalf("UploadFile: %v, want ErrCRCMismatch naming part 2", err)
			}
			if n := s.sentCount(2); n != 3 {
				t.Errorf("part 2 sent %d times, want 3", n)
			}
			if ids := s.allUploads(t); len(ids) != 0 {
				t.Errorf("uploads left: %v, want the failed one aborted", ids)
			}
		})
	}
}

// TestUploadFileObjectCRCMismatch: an object whose CRC-64, as Complete
// reports it, is not the file's fails the upload with ErrCRCMismatch and
// keeps the checkpoint; a rerun finds the object (here really the file)
// and checks it again.
func TestUploadFileObjectCRCMismatch(t *testing.T) {
	s := startFaultServer(t)
	path, data := upWriteFile(t, 3*int(oss.MinPartSize), 15)
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true}
	s.set(func(s *faultServer) { s.badComplete = true })
	_, err := s.Client.UploadFile(t.Context(), req)
	if !errors.Is(err, oss.ErrCRCMismatch) || !strings.Contains(err.Error(), "kept") {
		t.Fatalf("UploadFile: %v, want ErrCRCMismatch keeping the checkpoint", err)
	}
	if _, err := os.Stat(path + ".ucp"); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	s.set(func(s *faultServer) { s.badComplete = false })
	res, err := s.Client.UploadFile(t.Context(), req)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if !res.Verified || res.CRC64 != crc64.Checksum(data) || res.BytesSent != 0 {
		t.Errorf("rerun: %+v, want the stored object verified and nothing sent", res)
	}
	upCheckGone(t, path+".ucp")
}

// TestUploadFileOrphanRace replaces a stale checkpoint while the service
// refuses aborts: the abandoned upload's id stays in the checkpoint, across
// failed runs and a successful one, until an abort succeeds; then no
// upload is left on the service.
func TestUploadFileOrphanRace(t *testing.T) {
	s := startFaultServer(t)
	path, data := upWriteFile(t, 4*int(oss.MinPartSize)+5, 16)
	cp := path + ".ucp"
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true}
	run := func() (*oss.UploadFileResult, error) { return s.Client.UploadFile(t.Context(), req) }
	inCheckpoint := func(id string) bool {
		t.Helper()
		b, err := os.ReadFile(cp)
		return err == nil && bytes.Contains(b, []byte(id))
	}

	// Run 1 fails on part 3 and keeps its upload A.
	s.set(func(s *faultServer) { s.failPart = 3 })
	if _, err := run(); !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("run 1: %v", err)
	}
	ids := s.allUploads(t)
	if len(ids) != 1 {
		t.Fatalf("uploads after run 1: %v, want one", ids)
	}
	a := ids[0]

	// The file changes, so run 2 abandons A, but cannot abort it; it
	// starts upload B and dies on part 2.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	s.set(func(s *faultServer) { s.refuseAbort, s.failPart = true, 2 })
	if _, err := run(); !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("run 2: %v", err)
	}
	if ids := s.allUploads(t); len(ids) != 2 || !inCheckpoint(a) {
		t.Fatalf("after run 2: uploads %v, checkpoint names %s: %v; want A and B, and A recorded", ids, a, inCheckpoint(a))
	}

	// Run 3 completes B; A still cannot be aborted, and the checkpoint
	// outlives the success to keep it.
	s.set(func(s *faultServer) { s.failPart = 0 })
	res, err := run()
	if err != nil {
		t.Fatalf("run 3: %v", err)
	}
	if !slices.Equal(res.AbortsPending, []string{a}) || len(res.AbortedUploads) != 0 || !inCheckpoint(a) {
		t.Fatalf("run 3: %+v, checkpoint names A: %v; want A pending and kept", res, inCheckpoint(a))
	}
	s.checkObject(t, "k", data)

	// Run 4, with the service reachable, aborts A.
	s.set(func(s *faultServer) { s.refuseAbort = false })
	if res, err = run(); err != nil {
		t.Fatalf("run 4: %v", err)
	}
	if !slices.Equal(res.AbortedUploads, []string{a}) || len(res.AbortsPending) != 0 {
		t.Errorf("run 4: %+v, want A aborted", res)
	}
	if ids := s.allUploads(t); len(ids) != 0 {
		t.Errorf("uploads left: %v, want none", ids)
	}
	upCheckGone(t, cp)
	s.checkObject(t, "k", data)
}

// TestUploadFileOrphanResumed: a run that resumes its upload aborts the
// abandoned ones its checkpoint lists before it goes on.
func TestUploadFileOrphanResumed(t *testing.T) {
	s := startFaultServer(t)
	path, data := upWriteFile(t, 4*int(oss.MinPartSize)+5, 17)
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, EnableCheckpoint: true}
	s.set(func(s *faultServer) { s.failPart = 3 })
	if _, err := s.Client.UploadFile(t.Context(), req); err == nil {
		t.Fatal("run 1 succeeded")
	}
	a := s.allUploads(t)[0]
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	s.set(func(s *faultServer) { s.refuseAbort, s.failPart = true, 2 })
	if _, err := s.Client.UploadFile(t.Context(), req); err == nil {
		t.Fatal("run 2 succeeded")
	}
	s.set(func(s *faultServer) { s.refuseAbort, s.failPart = false, 0 })
	res, err := s.Client.UploadFile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.AbortedUploads, []string{a}) || res.PartsResumed != 1 || res.Restarted != nil {
		t.Errorf("result %+v, want A aborted and part 1 resumed", res)
	}
	if ids := s.allUploads(t); len(ids) != 0 {
		t.Errorf("uploads left: %v, want none", ids)
	}
	s.checkObject(t, "k", data)
}

// TestUploadFileAbortFailsWithoutCheckpoint: without a checkpoint, a
// failed upload that cannot be aborted is named in the error, which says
// it is left on the service.
func TestUploadFileAbortFailsWithoutCheckpoint(t *testing.T) {
	s := startFaultServer(t)
	path, _ := upWriteFile(t, 3*int(oss.MinPartSize), 18)
	s.set(func(s *faultServer) { s.refuseAbort, s.failPart = true, 2 })
	_, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path})
	ue, ok := errors.AsType[*oss.UploadError](err)
	if !ok || ue.AbortErr == nil || ue.UploadID == "" || !strings.Contains(err.Error(), ue.UploadID+" left on the service") {
		t.Fatalf("UploadFile: %v, want an *UploadError naming the upload left on the service", err)
	}
	if ids := s.allUploads(t); !slices.Equal(ids, []string{ue.UploadID}) {
		t.Errorf("uploads %v, want [%s]", ids, ue.UploadID)
	}
}
