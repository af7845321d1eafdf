package transfer

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// TestUploadFileReconcile resumes from a journal that disagrees with the
// service in every way reconcile must handle.
func TestUploadFileReconcile(t *testing.T) {
	path, data := writeUploadFile(t, 6*limits.MinPartSize+7, 4)
	cp := path + ".ucp"
	req := &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true}
	part := func(n int) Part {
		off := (n - 1) * limits.MinPartSize
		b := data[off:min(off+limits.MinPartSize, len(data))]
		return Part{PartNumber: n, Size: int64(len(b)), ETag: fmt.Sprintf(`"%X"`, md5.Sum(b)), CRC64: crc64.Checksum(b), HasCRC64: true}
	}
	rec := func(p Part) cpPart { return cpPart{Number: p.PartNumber, Size: p.Size, CRC64: p.CRC64, ETag: p.ETag} }
	m := newMemAPI()
	// 1: journalled and on the service: kept.
	// 2: journalled, but the service's ETag differs while its CRC matches the file: kept.
	// 3: journalled, but the service has a part of another size: re-sent.
	// 4: not journalled (torn tail), on the service with the file's CRC: kept.
	// 5: not journalled, on the service with another CRC: re-sent.
	// 6: journalled, not on the service: re-sent.
	// 7: nowhere: sent.
	p2 := part(2)
	p2.ETag = `"OTHER"`
	p3 := part(3)
	p3.Size--
	p5 := part(5)
	p5.CRC64++
	for _, p := range []Part{part(1), p2, p3, part(4), p5} {
		m.parts[p.PartNumber] = p
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &uploader{endpoint: "http://fake", req: req, plan: uploadPlan{partSize: limits.MinPartSize}, state: fileState{size: st.Size(), mtime: st.ModTime()}, uploadID: "UP1"}
	jr, err := createJournal(cp, u.header())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Part{part(1), part(2), part(3), part(6)} {
		if err := jr.append(rec(p)); err != nil {
			t.Fatal(err)
		}
	}
	jr.close()

	res, err := fakeUpload(t.Context(), m, req)
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, c := range m.calls {
		if c != "ListParts" && c != "Complete" {
			sent = append(sent, c)
		}
	}
	if want := []string{"UploadPart 3", "UploadPart 5", "UploadPart 6", "UploadPart 7"}; !slices.Equal(sent, want) {
		t.Errorf("calls besides ListParts and Complete: %q, want %q", sent, want)
	}
	if res.PartsResumed != 3 || res.Restarted != nil || res.CRC64 != crc64.Checksum(data) {
		t.Errorf("result %+v, want 3 parts resumed, no restart, CRC64 %d", res, crc64.Checksum(data))
	}
	if want := int64(len(data)) - 3*limits.MinPartSize; res.BytesSent != want {
		t.Errorf("BytesSent %d, want %d", res.BytesSent, want)
	}
	if _, err := os.Stat(cp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint after success: %v, want it removed", err)
	}
}

// TestUploadFileResumeListPartsFails keeps the checkpoint and the upload
// when the service cannot list the parts: nothing is initiated or aborted.
func TestUploadFileResumeListPartsFails(t *testing.T) {
	path, _ := writeUploadFile(t, 2*limits.MinPartSize, 5)
	req := &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true}
	m := newMemAPI()
	store := m.uploadPart
	m.uploadPart = func(ctx context.Context, r *PartInput) (*Stored, error) {
		if r.PartNumber == 2 {
			return nil, apierr.ErrAccessDenied
		}
		return store(ctx, r)
	}
	if _, err := fakeUpload(t.Context(), m, req); !errors.Is(err, apierr.ErrAccessDenied) {
		t.Fatalf("first run: %v", err)
	}
	m.calls = nil
	unavailable := &apierr.ServiceError{StatusCode: 503, Code: "ServiceUnavailable"}
	m.listParts = func(context.Context, string) ([]Part, error) { return nil, unavailable }
	_, err := fakeUpload(t.Context(), m, req)
	ue, ok := errors.AsType[*UploadError](err)
	if !ok || !errors.Is(err, unavailable) || ue.UploadID != "UP1" || ue.CheckpointFile != path+".ucp" {
		t.Fatalf("second run: %v, want an *UploadError for UP1 keeping the checkpoint", err)
	}
	if len(m.calls) != 0 || len(m.aborted) != 0 {
		t.Errorf("second run called %q and aborted %q, want nothing", m.calls, m.aborted)
	}
	if _, _, _, err := readJournal(path + ".ucp"); err != nil {
		t.Errorf("checkpoint after the second run: %v", err)
	}
}

// TestUploadFileJournalUnwritable: when the checkpoint cannot be written,
// the upload just initiated is aborted, not left behind with an error
// that names a checkpoint that does not exist.
func TestUploadFileJournalUnwritable(t *testing.T) {
	path, _ := writeUploadFile(t, 2*limits.MinPartSize, 6)
	dir := filepath.Join(t.TempDir(), "cp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	m := newMemAPI()
	initiate := m.initiate
	m.initiate = func(ctx context.Context, req *initiateReq) (string, error) {
		if err := os.RemoveAll(dir); err != nil { // after the lock, before the journal
			t.Error(err)
		}
		return initiate(ctx, req)
	}
	_, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true,
		CheckpointFile: filepath.Join(dir, "f.ucp")})
	if err == nil {
		t.Fatal("UploadFile succeeded without a checkpoint")
	}
	if _, ok := errors.AsType[*UploadError](err); ok {
		t.Errorf("error %v is an *UploadError, which promises a checkpoint to resume from", err)
	}
	if want := []string{"Initiate", "Abort"}; !slices.Equal(m.calls, want) || !slices.Equal(m.aborted, []string{"UP1"}) {
		t.Errorf("calls %q, aborted %q; want %q and the initiated upload UP1 aborted", m.calls, m.aborted, want)
	}
}

// TestUploadFileOldCheckpoint: a checkpoint of format version 1, whose
// records hold the service's CRC-64s rather than the client's, is not
// resumed: its upload is aborted and the file goes up again.
func TestUploadFileOldCheckpoint(t *testing.T) {
	path, data := writeUploadFile(t, 2*limits.MinPartSize+3, 7)
	cp := path + ".ucp"
	req := &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &uploader{endpoint: "http://fake", req: req, plan: uploadPlan{partSize: limits.MinPartSize}, state: fileState{size: st.Size(), mtime: st.ModTime()}, uploadID: "OLD"}
	h := u.header()
	h.Version = 1
	jr, err := createJournal(cp, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := jr.append(cpPart{Number: 1, Size: limits.MinPartSize, CRC64: 0, ETag: `"E"`}); err != nil {
		t.Fatal(err)
	}
	jr.close()
	m := newMemAPI()
	res, err := fakeUpload(t.Context(), m, req)
	if err != nil {
		t.Fatal(err)
	}
	if (res.Restarted == nil || res.Restarted.Reason != RestartCheckpointFormat) || res.PartsResumed != 0 || !res.Verified || res.CRC64 != crc64.Checksum(data) {
		t.Errorf("result %+v, want a restart because of the older format and a verified upload", res)
	}
	if !slices.Equal(m.aborted, []string{"OLD"}) || !slices.Equal(res.AbortedUploads, []string{"OLD"}) {
		t.Errorf("aborted %q, result says %q; want [OLD]", m.aborted, res.AbortedUploads)
	}
	if _, err := os.Stat(cp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint after success: %v, want it removed", err)
	}
}

// TestUploadFileNewerCheckpoint: a checkpoint of a newer format is left
// alone, with an error, and nothing is initiated or aborted.
func TestUploadFileNewerCheckpoint(t *testing.T) {
	path, _ := writeUploadFile(t, 2*limits.MinPartSize, 8)
	cp := path + ".ucp"
	req := &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true}
	h := (&uploader{endpoint: "http://fake", req: req, plan: uploadPlan{partSize: limits.MinPartSize}, uploadID: "NEW"}).header()
	h.Version = cpVersion + 1
	jr, err := createJournal(cp, h)
	if err != nil {
		t.Fatal(err)
	}
	jr.close()
	m := newMemAPI()
	if _, err := fakeUpload(t.Context(), m, req); !errors.Is(err, errNewCheckpoint) {
		t.Fatalf("UploadFile: %v, want errNewCheckpoint", err)
	}
	if len(m.calls) != 0 || len(m.aborted) != 0 {
		t.Errorf("calls %q, aborted %q; want none", m.calls, m.aborted)
	}
}

// TestUploadFileReconcileOwnCRC resumes with the journal's CRC-64s, the
// client's own: a part the service lists with another CRC-64 is sent
// again, and a part it lists with none is kept only if the journal
// records it.
func TestUploadFileReconcileOwnCRC(t *testing.T) {
	path, data := writeUploadFile(t, 4*limits.MinPartSize, 9)
	cp := path + ".ucp"
	req := &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, EnableCheckpoint: true}
	part := func(n int) Part {
		b := data[(n-1)*limits.MinPartSize : n*limits.MinPartSize]
		return Part{PartNumber: n, Size: int64(len(b)), ETag: fmt.Sprintf(`"%X"`, md5.Sum(b)), CRC64: crc64.Checksum(b), HasCRC64: true}
	}
	// 1: journalled; the service lists the same ETag but another CRC-64: re-sent.
	// 2: journalled; the service lists no CRC-64: kept, with the journal's.
	// 3: not journalled; the service lists no CRC-64: re-sent.
	// 4: journalled and listed alike: kept.
	m := newMemAPI()
	p1 := part(1)
	p1.CRC64++
	for _, p := range []Part{p1, part(2), part(3), part(4)} {
		m.parts[p.PartNumber] = p
	}
	list := m.listParts
	m.listParts = func(ctx context.Context, id string) ([]Part, error) {
		parts, err := list(ctx, id)
		for i := range parts {
			if n := parts[i].PartNumber; n == 2 || n == 3 {
				parts[i].CRC64, parts[i].HasCRC64 = 0, false
			}
		}
		return parts, err
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &uploader{endpoint: "http://fake", req: req, plan: uploadPlan{partSize: limits.MinPartSize}, state: fileState{size: st.Size(), mtime: st.ModTime()}, uploadID: "UP1"}
	jr, err := createJournal(cp, u.header())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 4} {
		p := part(n)
		if err := jr.append(cpPart{Number: n, Size: p.Size, CRC64: p.CRC64, ETag: p.ETag}); err != nil {
			t.Fatal(err)
		}
	}
	jr.close()
	res, err := fakeUpload(t.Context(), m, req)
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, c := range m.calls {
		if strings.HasPrefix(c, "UploadPart") {
			sent = append(sent, c)
		}
	}
	if want := []string{"UploadPart 1", "UploadPart 3"}; !slices.Equal(sent, want) {
		t.Errorf("sent %q, want %q", sent, want)
	}
	if res.PartsResumed != 2 || !res.Verified || res.CRC64 != crc64.Checksum(data) {
		t.Errorf("result %+v, want 2 parts resumed, verified, CRC64 %d", res, crc64.Checksum(data))
	}
}
