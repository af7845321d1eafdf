package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ossup/ossup/oss/internal/apierr"
)

// The resume logic of an upload, all of it: whether a checkpoint still
// describes this upload (stale), what happens when it does not (restart,
// retireCheckpoint), and, when it does, reconciling its journal with the
// parts the service lists (reconcile, keepPart), re-reading kept parts
// (verifyKept), and finding an upload already completed by a run that
// died before removing its checkpoint (journalComplete). The download's
// resume is in download_journal.go.

// retireCheckpoint retires a checkpoint left by a multipart upload of
// the file when the file now goes up in one PutObject (it shrank, or the
// part size grew): it aborts that upload, which nothing could resume, and
// removes the checkpoint unless an abort is still unconfirmed.
func (u *uploader) retireCheckpoint(ctx context.Context) error {
	if _, err := os.Lstat(u.plan.checkpoint); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	l, err := lockCheckpoint(u.plan.checkpoint)
	if err != nil {
		return err
	}
	defer l.Unlock()
	h, _, _, err := readJournal(u.plan.checkpoint)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, errNewCheckpoint):
		return fmt.Errorf("read checkpoint: %w", err)
	}
	u.restart(ctx, h, &Restart{RestartSinglePut, "the file now goes up in one PutObject"})
	return u.removeCheckpoint(ctx)
}

// resume reads the checkpoint and reconciles it with the service. It
// reports resumed=false, with the reason in u.res.Restarted, when the
// upload must start over; a stale upload it can identify is aborted.
func (u *uploader) resume(ctx context.Context) (pending []int, resumed bool, err error) {
	h, recs, good, err := readJournal(u.plan.checkpoint)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case errors.Is(err, errOldCheckpoint):
		u.restart(ctx, h, &Restart{RestartCheckpointFormat, fmt.Sprintf("the checkpoint has the format of an older ossup (version %d)", h.Version)})
		return nil, false, nil
	case errors.Is(err, errCorruptHeader):
		u.restart(ctx, h, &Restart{RestartCheckpointCorrupt, "the checkpoint is corrupt (" + err.Error() + ")"})
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("read checkpoint: %w", err)
	}
	if why := u.stale(h); why != nil {
		u.restart(ctx, h, why)
		return nil, false, nil
	}
	u.uploadID = h.UploadID
	u.pending = h.PendingAborts
	server, err := u.listParts(ctx)
	if errors.Is(err, apierr.ErrNoSuchUpload) && u.journalComplete(ctx, recs) {
		u.finished = true
		return nil, true, nil
	}
	if errors.Is(err, apierr.ErrNoSuchUpload) {
		u.uploadID = ""
		u.restart(ctx, nil, &Restart{RestartUploadGone, "the upload no longer exists on the service"})
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(u.pending) > 0 && u.abortAbandoned(ctx) {
		// The header, which lists the uploads still to abort, is replaced.
		if good, err = replaceHeader(u.plan.checkpoint, u.header(), good); err != nil {
			return nil, false, fmt.Errorf("write checkpoint: %w", err)
		}
	}
	if u.jr, err = openJournal(u.plan.checkpoint, good); err != nil {
		return nil, false, fmt.Errorf("open checkpoint: %w", err)
	}
	return u.reconcile(server, recs)
}

// restart records why a checkpoint is not resumed, and abandons the upload
// it named, when that upload is on this endpoint, along with those it
// still had to abort: the new journal replaces the checkpoint, so nothing
// could resume that upload any more, whatever its bucket and key. The
// abandoned uploads are aborted; those whose abort fails are kept in the
// new journal (see abortAbandoned). An upload on another endpoint is out
// of reach and only logged.
func (u *uploader) restart(ctx context.Context, h *cpHeader, why *Restart) {
	u.res.Restarted = why
	u.log.InfoContext(ctx, "oss: not resuming checkpoint", "checkpoint", u.plan.checkpoint, "reason", why.Reason.String(), "detail", why.Detail)
	u.abandon(ctx, h)
	if len(u.pending) > 0 {
		u.abortAbandoned(ctx)
	}
}

// stale says why a checkpoint does not describe this upload, or nil.
func (u *uploader) stale(h *cpHeader) *Restart {
	switch {
	case h.Endpoint != u.endpoint || h.Bucket != u.req.Bucket || h.Key != u.req.Key:
		return &Restart{RestartOtherObject, fmt.Sprintf("the checkpoint is for %s/%s/%s", h.Endpoint, h.Bucket, h.Key)}
	case h.File != u.source():
		return &Restart{RestartOtherFile, "the checkpoint is for another file, " + h.File}
	case !u.state.same(fileState{size: h.FileSize, mtime: time.Unix(0, h.FileMtime), ino: h.FileIno, ctime: h.FileCtime}):
		return &Restart{RestartFileChanged, "the file changed since the checkpoint was written"}
	case h.PartSize != u.plan.partSize:
		return &Restart{RestartPartSizeChanged, fmt.Sprintf("the part size changed from %d to %d", h.PartSize, u.plan.partSize)}
	case h.MetaDigest != u.req.MetaDigest:
		return &Restart{RestartMetadataChanged, "the object metadata changed"}
	case h.UploadID == "" && len(h.PendingAborts) > 0:
		return &Restart{RestartNoUpload, "the checkpoint only lists abandoned uploads to abort"}
	case h.UploadID == "":
		return &Restart{RestartNoUpload, "the checkpoint names no upload"}
	}
	return nil
}

func (u *uploader) listParts(ctx context.Context) (map[int]Part, error) {
	server := map[int]Part{}
	for page, err := range u.api.ListParts(ctx, u.req.Bucket, u.req.Key, u.uploadID) {
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			server[p.PartNumber] = p
		}
	}
	return server, nil
}

// sameETag compares ETags without quotes and case.
func sameETag(a, b string) bool {
	return strings.EqualFold(strings.Trim(a, `"`), strings.Trim(b, `"`))
}

// journalComplete reports whether the journal records every part of the
// file and the object already holds exactly the file: a run that completed
// the upload and died before removing its checkpoint.
func (u *uploader) journalComplete(ctx context.Context, recs []cpPart) bool {
	byNum := make(map[int]cpPart, len(recs))
	for _, r := range recs {
		byNum[r.Number] = r
	}
	var want uint64
	for n := 1; n <= u.plan.parts; n++ {
		r, ok := byNum[n]
		_, size := u.plan.partRange(n, u.state.size)
		if !ok || r.Size != size {
			return false
		}
		want = u.req.CRC.Combine(want, r.CRC64, size)
	}
	if !u.completedAlready(ctx, want) {
		return false
	}
	u.res.PartsResumed = u.plan.parts
	return true
}

// reconcile keeps every part the service holds with the size the plan
// gives it and the content of the file: the journal records it with the
// service's ETag, and with the CRC-64 the service reports when it reports
// one; or, for a part the journal lost (a torn tail), the CRC-64 of the
// file's bytes matches the one the service reports. A kept part's CRC-64
// is always the client's own (journalled or computed from the file). It
// returns the parts still to upload.
func (u *uploader) reconcile(server map[int]Part, recs []cpPart) ([]int, bool, error) {
	journal := make(map[int]cpPart, len(recs))
	for _, r := range recs {
		journal[r.Number] = r
	}
	var pending []int
	for n := 1; n <= u.plan.parts; n++ {
		sp, ok := server[n]
		_, size := u.plan.partRange(n, u.state.size)
		if !ok || sp.Size != size {
			pending = append(pending, n)
			continue
		}
		crc, match, err := u.keepPart(sp, size, journal)
		if err != nil {
			return nil, false, err
		}
		if !match {
			pending = append(pending, n)
			continue
		}
		u.parts[n-1] = Part{PartNumber: n, Size: size, ETag: sp.ETag, CRC64: crc, HasCRC64: true}
		u.res.PartsResumed++
		u.done += size
	}
	return u.verifyKept(pending)
}

// verifyKept re-reads kept parts and compares their CRC-64 with the one
// recorded when they were sent: every kept part with VerifyResume, whose
// differing parts are then sent again; otherwise the first and the last,
// and a difference there means the file changed in a way its fingerprint
// did not show, so every part is sent again.
func (u *uploader) verifyKept(pending []int) ([]int, bool, error) {
	var kept []int
	for i, p := range u.parts {
		if p.PartNumber != 0 {
			kept = append(kept, i+1)
		}
	}
	check := kept
	if !u.req.VerifyResume && len(kept) > 2 {
		check = []int{kept[0], kept[len(kept)-1]}
	}
	for _, n := range check {
		crc, err := u.fileCRC(n)
		if err != nil {
			return nil, false, err
		}
		if crc == u.parts[n-1].CRC64 {
			continue
		}
		if !u.req.VerifyResume {
			u.res.Restarted = &Restart{RestartContentChanged, fmt.Sprintf("the file's content changed since the checkpoint was written (part %d differs), though its fingerprint did not: every part is sent again", n)}
			for _, k := range kept {
				u.unkeep(k)
			}
			all := make([]int, u.plan.parts)
			for i := range all {
				all[i] = i + 1
			}
			return all, true, nil
		}
		u.unkeep(n)
		pending = append(pending, n)
	}
	slices.Sort(pending)
	return pending, true, nil
}

// unkeep forgets that part n was kept from an earlier run.
func (u *uploader) unkeep(n int) {
	u.done -= u.parts[n-1].Size
	u.parts[n-1] = Part{}
	u.res.PartsResumed--
}

// keepPart decides whether the part sp the service holds, of the planned
// size, is the file's, and returns its CRC-64 as the client knows it.
func (u *uploader) keepPart(sp Part, size int64, journal map[int]cpPart) (uint64, bool, error) {
	n := sp.PartNumber
	if r, ok := journal[n]; ok && r.Size == size && sameETag(r.ETag, sp.ETag) && (!sp.HasCRC64 || r.CRC64 == sp.CRC64) {
		return r.CRC64, true, nil
	}
	if !sp.HasCRC64 {
		return 0, false, nil // nothing to check the file's bytes against
	}
	crc, err := u.fileCRC(n)
	if err != nil || crc != sp.CRC64 {
		return 0, false, err
	}
	if err := u.jr.append(cpPart{Number: n, Size: size, CRC64: crc, ETag: sp.ETag}); err != nil {
		return 0, false, fmt.Errorf("write checkpoint: %w", err)
	}
	return crc, true, nil
}
