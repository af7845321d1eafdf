package oss_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The layout of a checkpoint, as far as these tests damage it: an 8-byte
// magic, a 4-byte length n, n bytes of JSON, a 4-byte CRC, then records
// of 2 + b[1] + 4 bytes.

// upHeaderLen returns the length of a checkpoint's header.
func upHeaderLen(cp []byte) int { return 8 + 4 + int(binary.LittleEndian.Uint32(cp[8:])) + 4 }

// upRecordEnds returns where each record of a checkpoint ends.
func upRecordEnds(cp []byte) []int {
	var ends []int
	for off := upHeaderLen(cp); off+2 <= len(cp); {
		off += 2 + int(cp[off+1]) + 4
		ends = append(ends, off)
	}
	return ends
}

// upDamageSetup fails an upload of 8 parts at parts 4 and 7 (one task, so
// parts 1-3 are stored and journalled) and returns it and its checkpoint.
func upDamageSetup(t *testing.T, s *upServer) (upFirstRun, []byte) {
	t.Helper()
	path, _ := upWriteFile(t, 750*upKiB, 20)
	req := &oss.UploadFileRequest{Bucket: s.Bucket, Key: "k", UploadFile: path, PartSize: 100 * upKiB,
		EnableCheckpoint: true, CheckpointFile: filepath.Join(t.TempDir(), "cp")}
	first := upFail(t, s, req, 4)
	if !slices.Equal(first.stored, []int{1, 2, 3}) {
		t.Fatalf("first run stored %v, want [1 2 3]", first.stored)
	}
	cp := mustRead(t, req.CheckpointFile)
	if n := len(upRecordEnds(cp)); n != 3 {
		t.Fatalf("checkpoint has %d records, want 3", n)
	}
	return first, cp
}

// TestUploadFileCorruptCheckpoint damages the header: the rerun starts a
// fresh upload, says why, and aborts the old one when the header still
// names it.
func TestUploadFileCorruptCheckpoint(t *testing.T) {
	tests := []struct {
		name      string
		damage    func(cp []byte) []byte
		abortsOld bool
	}{
		{"flipped byte in the header's file name", func(cp []byte) []byte {
			i := bytes.Index(cp, []byte(`"file":"`)) + len(`"file":"`) + 1
			cp[i] ^= 0x01
			return cp
		}, true},
		{"flipped byte in the header's CRC", func(cp []byte) []byte {
			cp[upHeaderLen(cp)-1] ^= 0x80
			return cp
		}, true},
		{"flipped byte in the magic", func(cp []byte) []byte {
			cp[0] ^= 0x20
			return cp
		}, false},
		{"cut in the middle of the header", func(cp []byte) []byte {
			return cp[:upHeaderLen(cp)/2]
		}, false},
		{"empty", func(cp []byte) []byte { return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := upStart(t, osstest.Options{})
			first, cp := upDamageSetup(t, s)
			if err := os.WriteFile(first.req.CheckpointFile, tt.damage(cp), 0o600); err != nil {
				t.Fatal(err)
			}
			req := *first.req
			c := s.begin(t, "rerun")
			res, err := c.UploadFile(t.Context(), &req)
			rec := s.end()
			if err != nil {
				t.Fatal(err)
			}
			if res.Restarted == nil || res.Restarted.Reason != oss.RestartCheckpointCorrupt || res.UploadID == first.uploadID || res.PartsResumed != 0 {
				t.Errorf("rerun: %+v, want a fresh upload, restarted because the checkpoint is corrupt", res)
			}
			if got := rec.storedParts(); !slices.Equal(got, upAllParts(8)) {
				t.Errorf("rerun sent %v, want every part", got)
			}
			s.checkObject(t, "k", first.data)
			upCheckGone(t, req.CheckpointFile, req.CheckpointFile+".lock")
			var want []string
			if !tt.abortsOld {
				want = []string{first.uploadID}
			}
			if got := s.uploads(t, "k"); !slices.Equal(got, want) {
				t.Errorf("uploads in progress %v, want %v", got, want)
			}
		})
	}
}

// TestUploadFileTornJournal loses records from the end of the journal, as
// a crash can: the parts the server has are kept after their CRC-64 is
// checked against the file's, and not sent again.
func TestUploadFileTornJournal(t *testing.T) {
	tests := []struct {
		name string
		keep func(cp []byte) int // bytes of the checkpoint kept
	}{
		{"cut in the middle of the last record", func(cp []byte) int { return len(cp) - 5 }},
		{"cut after the first byte of the last record", func(cp []byte) int { return upRecordEnds(cp)[1] + 1 }},
		{"two records lost", func(cp []byte) int { return upRecordEnds(cp)[0] }},
		{"every record lost", func(cp []byte) int { return upHeaderLen(cp) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := upStart(t, osstest.Options{})
			first, cp := upDamageSetup(t, s)
			if err := os.WriteFile(first.req.CheckpointFile, cp[:tt.keep(cp)], 0o600); err != nil {
				t.Fatal(err)
			}
			res := upRerun(t, s, first, []int{4, 5, 6, 7, 8})
			if res.Restarted != nil || res.UploadID != first.uploadID {
				t.Errorf("rerun: %+v, want upload %s resumed", res, first.uploadID)
			}
		})
	}
}

// TestUploadFileTornJournalFileDiffers: a part the journal lost is sent
// again when the file's bytes no longer match the server's (the file
// changed without its fingerprint changing), while the journalled part is
// trusted.
func TestUploadFileTornJournalFileDiffers(t *testing.T) {
	s := upStart(t, osstest.Options{})
	first, cp := upDamageSetup(t, s)
	if err := os.WriteFile(first.req.CheckpointFile, cp[:upRecordEnds(cp)[0]], 0o600); err != nil {
		t.Fatal(err)
	}
	path := first.req.UploadFile
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	upModify(t, path, 2*100*upKiB+5, 0) // in part 3, journalled no more
	if err := os.Chtimes(path, time.Time{}, fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	// On Linux the file's ctime would show the change and start the upload
	// over (TestUploadFileSameSizeSameMtime); without it, only the parts'
	// bytes can.
	upForgetFingerprint(t, first.req.CheckpointFile)
	first.data = mustRead(t, path)
	upRerun(t, s, first, []int{3, 4, 5, 6, 7, 8})
}

// TestUploadFileStaleCheckpoint changes what the checkpoint describes
// between runs: the rerun aborts the old upload, starts afresh, and says
// why.
func TestUploadFileStaleCheckpoint(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, req *oss.UploadFileRequest)
		reason oss.RestartReason
	}{
		{"mtime", func(t *testing.T, req *oss.UploadFileRequest) {
			if err := os.Chtimes(req.UploadFile, time.Time{}, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}, oss.RestartFileChanged},
		{"size", func(t *testing.T, req *oss.UploadFileRequest) {
			f, err := os.OpenFile(req.UploadFile, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(bytes.Repeat([]byte("more"), 30*upKiB)); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}, oss.RestartFileChanged},
		{"part size", func(t *testing.T, req *oss.UploadFileRequest) { req.PartSize = 150 * upKiB }, oss.RestartPartSizeChanged},
		{"metadata", func(t *testing.T, req *oss.UploadFileRequest) { req.ObjectMetadata.ContentType = "text/plain" }, oss.RestartMetadataChanged},
		{"file", func(t *testing.T, req *oss.UploadFileRequest) {
			req.UploadFile, _ = upWriteFile(t, 420*upKiB, 21)
		}, oss.RestartOtherFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := upStart(t, osstest.Options{})
			first, _ := upDamageSetup(t, s)
			req := *first.req
			tt.change(t, &req)
			first.req, first.data = &req, mustRead(t, req.UploadFile)
			first.parts = int((int64(len(first.data)) + req.PartSize - 1) / req.PartSize)
			res := upRerun(t, s, first, upAllParts(first.parts))
			if res.Restarted == nil || res.Restarted.Reason != tt.reason || res.UploadID == first.uploadID {
				t.Errorf("rerun: %+v (restarted %v), want a fresh upload, restarted because %s", res, res.Restarted, tt.reason)
			}
		})
	}
}

// TestUploadFileForeignCheckpoint finds, at the checkpoint's path, the
// journal of an upload to another key or another service: the rerun
// starts afresh and says why. The other key's upload, on this service,
// can no longer be resumed and is aborted; the other service's cannot be
// reached and is left alone.
func TestUploadFileForeignCheckpoint(t *testing.T) {
	t.Run("other key", func(t *testing.T) {
		s := upStart(t, osstest.Options{})
		first, _ := upDamageSetup(t, s)
		req := *first.req
		req.Key = "other"
		first.req = &req
		res := upRerun(t, s, first, upAllParts(8))
		if res.Restarted == nil || res.Restarted.Reason != oss.RestartOtherObject || !strings.Contains(res.Restarted.Detail, "/k") {
			t.Errorf("rerun: restarted %v, want another object, the checkpoint's key named", res.Restarted)
		}
		if ids := s.uploads(t, "k"); len(ids) != 0 {
			t.Errorf("uploads of the abandoned key: %v, want none", ids)
		}
	})
	t.Run("other service", func(t *testing.T) {
		s := upStart(t, osstest.Options{})
		first, _ := upDamageSetup(t, s)
		s2 := upStart(t, osstest.Options{})
		req := *first.req
		req.Bucket = s2.Bucket
		first.req = &req
		res := upRerun(t, s2, first, upAllParts(8))
		if res.Restarted == nil || res.Restarted.Reason != oss.RestartOtherObject || !strings.Contains(res.Restarted.Detail, s.Config.Endpoint) {
			t.Errorf("rerun: restarted %v, want another object, the other endpoint named", res.Restarted)
		}
		if ids := s.uploads(t, "k"); !slices.Equal(ids, []string{first.uploadID}) {
			t.Errorf("uploads on the other service: %v, want %s left alone", ids, first.uploadID)
		}
	})
}

// TestUploadFileSmallAfterCheckpoint: when the file now fits in one
// PutObject (here because the part size grew), the checkpoint of its
// earlier multipart upload is removed and that upload aborted.
func TestUploadFileSmallAfterCheckpoint(t *testing.T) {
	s := upStart(t, osstest.Options{})
	first, _ := upDamageSetup(t, s)
	req := *first.req
	req.PartSize = 1 << 20
	res, err := s.Client.UploadFile(t.Context(), &req)
	if err != nil {
		t.Fatal(err)
	}
	if res.UploadID != "" || res.Restarted == nil || res.Restarted.Reason != oss.RestartSinglePut {
		t.Errorf("result %+v, want a PutObject and the reason the checkpoint was dropped", res)
	}
	s.checkObject(t, "k", first.data)
	upCheckGone(t, req.CheckpointFile, req.CheckpointFile+".lock")
	if ids := s.uploads(t, "k"); len(ids) != 0 {
		t.Errorf("uploads left in progress: %v", ids)
	}
}
