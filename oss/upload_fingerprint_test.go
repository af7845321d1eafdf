package oss_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// upForgetFingerprint rewrites a checkpoint's header without the file's
// inode and ctime, as on a platform that does not report them: the
// fingerprint is then the size and modification time alone.
func upForgetFingerprint(t *testing.T, path string) {
	t.Helper()
	b := mustRead(t, path)
	n := binary.LittleEndian.Uint32(b[8:12])
	var h map[string]any
	dec := json.NewDecoder(bytes.NewReader(b[12 : 12+n]))
	dec.UseNumber()
	if err := dec.Decode(&h); err != nil {
		t.Fatal(err)
	}
	if _, ok := h["file_ctime"]; !ok && runtime.GOOS == "linux" {
		t.Fatal("the checkpoint records no ctime")
	}
	delete(h, "file_ino")
	delete(h, "file_ctime")
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte{}, b[:8]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(js)))
	out = append(out, js...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(js, crc32.MakeTable(crc32.Castagnoli)))
	out = append(out, b[12+n+4:]...)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// upRewriteInPlace flips a byte of the file at off and puts its
// modification time back, as `touch -d` would.
func upRewriteInPlace(t *testing.T, path string, off int64) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	upModify(t, path, off, 0)
	if err := os.Chtimes(path, time.Time{}, fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	return mustRead(t, path)
}

// TestUploadFileSameSizeSameMtime: a file rewritten in place between runs,
// its size and modification time unchanged, is not resumed on Linux,
// where its ctime shows the change.
func TestUploadFileSameSizeSameMtime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ctime fingerprint is read on Linux")
	}
	s := upStart(t, osstest.Options{})
	first, _ := upDamageSetup(t, s)
	first.data = upRewriteInPlace(t, first.req.UploadFile, 100*upKiB+7) // in part 2, uploaded
	res := upRerun(t, s, first, upAllParts(first.parts))
	if (res.Restarted == nil || res.Restarted.Reason != oss.RestartFileChanged) || res.UploadID == first.uploadID {
		t.Errorf("rerun: restarted %v, upload %s; want a new upload because the file changed", res.Restarted, res.UploadID)
	}
}

// TestUploadFileSampledCheck: where the fingerprint cannot see the change
// (no ctime), the resume's re-read of the first and last kept parts does,
// and every part is sent again.
func TestUploadFileSampledCheck(t *testing.T) {
	s := upStart(t, osstest.Options{})
	first, _ := upDamageSetup(t, s)
	first.data = upRewriteInPlace(t, first.req.UploadFile, 5) // in part 1, the first kept
	upForgetFingerprint(t, first.req.CheckpointFile)
	res := upRerun(t, s, first, upAllParts(first.parts))
	if (res.Restarted == nil || res.Restarted.Reason != oss.RestartContentChanged || !strings.Contains(res.Restarted.Detail, "part 1 ")) || res.UploadID != first.uploadID {
		t.Errorf("rerun: restarted %v, upload %s; want every part of %s sent again", res.Restarted, res.UploadID, first.uploadID)
	}
}

// TestUploadFileVerifyResume: VerifyResume re-reads every kept part and
// sends again only the one that differs, also a middle part the sample
// does not cover.
func TestUploadFileVerifyResume(t *testing.T) {
	s := upStart(t, osstest.Options{})
	first, _ := upDamageSetup(t, s)
	first.data = upRewriteInPlace(t, first.req.UploadFile, 100*upKiB+9) // in part 2 of the kept 1, 2, 3
	upForgetFingerprint(t, first.req.CheckpointFile)
	first.req.VerifyResume = true
	res := upRerun(t, s, first, []int{2, 4, 5, 6, 7, 8})
	if res.Restarted != nil || res.UploadID != first.uploadID {
		t.Errorf("rerun: restarted %v, upload %s", res.Restarted, res.UploadID)
	}
}

// TestUploadFileRewrittenDuringRun: a file rewritten in place while it is
// being uploaded, its size and modification time put back, is caught
// before Complete on Linux: nothing is completed.
func TestUploadFileRewrittenDuringRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ctime fingerprint is read on Linux")
	}
	s := upStart(t, osstest.Options{})
	path, _ := upWriteFile(t, 750*upKiB, 21)
	s.setHook(func(w http.ResponseWriter, r *http.Request, part int) bool {
		if part == 3 {
			upRewriteInPlace(t, path, 5)
		}
		return false
	})
	c := s.begin(t, "run")
	_, err := c.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: s.Bucket, Key: "during", UploadFile: path, PartSize: 100 * upKiB})
	s.end()
	if !errors.Is(err, oss.ErrFileChanged) {
		t.Fatalf("rewritten during the run: %v, want ErrFileChanged", err)
	}
	if _, err := s.Client.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: s.Bucket, Key: "during"}); !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("an object was completed: %v", err)
	}
}
