package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/ossup/ossup/oss/internal/apierr"
)

// An upload a run abandons (the one a stale checkpoint names) is aborted
// at once. When the abort fails, the upload is not forgotten: its id goes
// into the header of the next journal (cpHeader.PendingAborts), the next
// run with that checkpoint tries again, and so does the end of a
// successful run. Only a confirmed abort (or NoSuchUpload: the upload is
// gone) takes it off the list.

// abandon adds the upload h names, and those h still had to abort, to the
// uploads to abort. Those of another endpoint are out of reach: they are
// logged and left.
func (u *uploader) abandon(ctx context.Context, h *cpHeader) {
	if h == nil {
		return
	}
	ups := append(slices.Clone(h.PendingAborts), cpAbort{Bucket: h.Bucket, Key: h.Key, UploadID: h.UploadID})
	for _, a := range ups {
		switch {
		case a.UploadID == "" || slices.Contains(u.pending, a):
		case h.Endpoint != u.endpoint:
			u.log.WarnContext(ctx, "oss: leaving the upload of a checkpoint for another endpoint", "endpoint", h.Endpoint, "bucket", a.Bucket, "key", a.Key, "upload_id", a.UploadID)
		default:
			u.pending = append(u.pending, a)
		}
	}
}

// abortAbandoned aborts the abandoned uploads. Those the service confirms
// gone leave the list and go to the result's AbortedUploads; the others
// stay, in the result's AbortsPending. It reports whether the list
// changed.
func (u *uploader) abortAbandoned(ctx context.Context) bool {
	var left []cpAbort
	for _, a := range u.pending {
		err := u.api.Abort(ctx, a.Bucket, a.Key, a.UploadID)
		if err != nil && !errors.Is(err, apierr.ErrNoSuchUpload) {
			u.log.WarnContext(ctx, "oss: could not abort an abandoned upload; it stays in the checkpoint", "bucket", a.Bucket, "key", a.Key, "upload_id", a.UploadID, "err", err)
			left = append(left, a)
			continue
		}
		u.log.InfoContext(ctx, "oss: aborted an abandoned upload", "bucket", a.Bucket, "key", a.Key, "upload_id", a.UploadID)
		u.res.AbortedUploads = append(u.res.AbortedUploads, a.UploadID)
	}
	changed := len(left) != len(u.pending)
	u.pending = left
	u.res.AbortsPending = nil
	for _, a := range left {
		u.res.AbortsPending = append(u.res.AbortsPending, a.UploadID)
	}
	return changed
}

// removeCheckpoint removes the checkpoint, which names no upload to resume
// any more. While abandoned uploads are still to abort it is replaced by
// one that lists only them.
func (u *uploader) removeCheckpoint(ctx context.Context) error {
	if len(u.pending) > 0 {
		h := u.header()
		h.UploadID = ""
		b, err := encodeHeader(h)
		if err == nil {
			err = writeFileAtomic(u.plan.checkpoint, b)
		}
		if err != nil {
			return fmt.Errorf("record the uploads still to abort: %w", err)
		}
		u.log.WarnContext(ctx, "oss: the checkpoint is kept for the abandoned uploads still to abort", "checkpoint", u.plan.checkpoint, "upload_ids", u.res.AbortsPending)
		return nil
	}
	if err := os.Remove(u.plan.checkpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	_ = os.Remove(u.plan.checkpoint + ".lock")
	return nil
}
