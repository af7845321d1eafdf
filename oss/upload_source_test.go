package oss_test

import (
	"bytes"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// TestUploadSource uploads an io.ReaderAt (a bytes.Reader) of 23 parts and
// a bit, four at a time, through the engine UploadFile uses for files: the
// object is byte-exact, and without a SourceID nothing is journalled.
func TestUploadSource(t *testing.T) {
	s := upStart(t, osstest.Options{})
	data := upData(23*100*upKiB+321, 11)
	progress := &upProgress{}
	res, err := s.Client.UploadFile(t.Context(), &oss.UploadFileRequest{
		Bucket: s.Bucket, Key: "src", Source: bytes.NewReader(data), Size: int64(len(data)),
		TaskNum: 4, Progress: progress.report,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.checkObject(t, "src", data)
	if want := crc64.Checksum(data); res.CRC64 != want || !res.Verified {
		t.Errorf("result CRC64 %d verified %t, want %d verified", res.CRC64, res.Verified, want)
	}
	if res.UploadID == "" || res.BytesSent != int64(len(data)) {
		t.Errorf("result %+v, want a multipart upload of %d bytes", res, len(data))
	}
	progress.check(t, 0, int64(len(data)))
}

// TestUploadSourceResume: a Source with a SourceID and a CheckpointFile
// resumes like a file, sending only the parts the first run did not.
func TestUploadSourceResume(t *testing.T) {
	s := upStart(t, osstest.Options{})
	data := upData(10*100*upKiB, 12)
	cp := filepath.Join(t.TempDir(), "src.ucp")
	s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
		if part == 6 {
			upAnswerError(w, r, http.StatusForbidden, "AccessDenied")
			return true
		}
		return false
	})
	req := &oss.UploadFileRequest{
		Bucket: s.Bucket, Key: "src", Source: bytes.NewReader(data), Size: int64(len(data)),
		SourceID: "sha256:test", EnableCheckpoint: true, CheckpointFile: cp,
	}
	if _, err := s.Client.UploadFile(t.Context(), req); !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("first run: %v, want AccessDenied", err)
	}
	s.setHook(nil)
	res, err := s.Client.UploadFile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	s.checkObject(t, "src", data)
	if res.PartsResumed != 5 || res.BytesSent != 5*100*upKiB || res.Restarted != nil {
		t.Errorf("resumed %d parts and sent %d bytes (restarted %v), want 5 parts resumed and 5 sent", res.PartsResumed, res.BytesSent, res.Restarted)
	}
	upCheckGone(t, cp, cp+".lock")
}

// TestUploadSourceArguments: a Source is refused with a file, with a
// negative size, and with a checkpoint but no SourceID or CheckpointFile.
func TestUploadSourceArguments(t *testing.T) {
	s := upStart(t, osstest.Options{})
	src := bytes.NewReader(make([]byte, 10))
	for name, req := range map[string]*oss.UploadFileRequest{
		"file too":           {UploadFile: "/x", Source: src, Size: 10},
		"negative size":      {Source: src, Size: -1},
		"checkpoint, no id":  {Source: src, Size: 10, EnableCheckpoint: true, CheckpointFile: "/tmp/x.ucp"},
		"checkpoint, no cpf": {Source: src, Size: 10, EnableCheckpoint: true, SourceID: "id"},
	} {
		req.Bucket, req.Key = s.Bucket, "k"
		if _, err := s.Client.UploadFile(t.Context(), req); !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
}
