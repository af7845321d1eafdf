package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/ossup/ossup/internal/crc64"
)

// uploader is one UploadFile call.
type uploader struct {
	api      multipartAPI
	endpoint string
	req      *UploadFileRequest
	log      *slog.Logger

	plan     uploadPlan
	src      io.ReaderAt // the file, or req.Source
	state    fileState
	lock     *flock.Flock
	jr       *journal
	uploadID string
	res      UploadFileResult

	// pending are abandoned uploads of this endpoint still to abort.
	pending []cpAbort

	mu    sync.Mutex // guards parts, jr appends, done and Progress calls
	parts []Part     // by part number - 1; PartNumber 0 means not uploaded
	done  int64

	// finished is set when resuming finds the object already complete.
	finished bool
}

func (u *uploader) run(ctx context.Context) (*UploadFileResult, error) {
	if err := u.open(); err != nil {
		return nil, fmt.Errorf("oss: upload file: %w", err)
	}
	defer u.close()
	var err error
	if u.plan, err = normalize(u.req, u.state.size); err != nil {
		return nil, fmt.Errorf("oss: upload file: %w", err)
	}
	if u.plan.parts == 0 {
		if u.req.EnableCheckpoint {
			if err := u.retireCheckpoint(ctx); err != nil {
				return nil, fmt.Errorf("oss: upload file: %w", err)
			}
		}
		return u.putObject(ctx)
	}
	if u.req.EnableCheckpoint {
		if u.lock, err = lockCheckpoint(u.plan.checkpoint); err != nil {
			return nil, fmt.Errorf("oss: upload file: %w", err)
		}
		defer u.lock.Unlock()
	}
	pending, err := u.prepare(ctx)
	if err != nil {
		if u.uploadID == "" {
			return nil, fmt.Errorf("oss: upload file: %w", err)
		}
		return nil, u.fail(err)
	}
	if u.finished {
		// An earlier run completed the object and died before it could
		// remove its checkpoint.
		u.finish(ctx)
		return &u.res, nil
	}
	u.progress(0)
	if err := u.uploadParts(ctx, pending); err != nil {
		return nil, u.fail(err)
	}
	if err := u.checkUnchanged(); err != nil {
		return nil, u.fail(err)
	}
	return u.complete(ctx)
}

// open opens the file, or takes req.Source, and fingerprints it. A
// Source has only its size: the caller's SourceID stands for its content.
func (u *uploader) open() error {
	if u.req.Source != nil {
		if u.req.Size < 0 {
			return fmt.Errorf("source size %d: %w", u.req.Size, ErrInvalidArgument)
		}
		u.src, u.state = u.req.Source, fileState{size: u.req.Size, mtime: time.Unix(0, 0)}
		return nil
	}
	if u.req.UploadFile == "" { // before os.Open, whose error would hide the cause
		return fmt.Errorf("the file name is required: %w", ErrInvalidArgument)
	}
	f, err := os.Open(u.req.UploadFile)
	if err != nil {
		return err
	}
	if u.state, err = statFile(f); err != nil {
		f.Close()
		return err
	}
	u.src = f
	return nil
}

// close closes the file UploadFile opened; a Source is the caller's.
func (u *uploader) close() {
	if f, ok := u.src.(*os.File); ok && u.req.Source == nil {
		f.Close()
	}
}

// source names what is uploaded in the checkpoint: the file's absolute
// path, or the caller's SourceID.
func (u *uploader) source() string {
	if u.req.Source != nil {
		return "source:" + u.req.SourceID
	}
	return absPath(u.req.UploadFile)
}

// putObject sends a file smaller than one part in a single request.
func (u *uploader) putObject(ctx context.Context) (*UploadFileResult, error) {
	u.progress(0)
	sec, _ := u.partReader(0, u.state.size)
	body := &crcSection{r: sec, whole: true}
	res, err := u.api.PutObject(ctx, &PutObjectRequest{
		Bucket: u.req.Bucket, Key: u.req.Key, Body: body, Size: u.state.size,
		ObjectMetadata: u.req.ObjectMetadata, Callback: u.req.Callback, TrafficLimit: u.req.TrafficLimit,
	})
	var crc uint64
	if err == nil {
		crc, err = u.sentCRC(body, 1)
	}
	if err == nil && res.HasCRC64 && res.CRC64 != crc {
		err = fmt.Errorf("%w: the object %s/%s is stored with crc-64 %d, but the client sent %d (request id %s)", ErrCRCMismatch, u.req.Bucket, u.req.Key, res.CRC64, crc, res.RequestID)
	}
	if err != nil {
		return nil, fmt.Errorf("oss: upload file: %w", err)
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.CallbackResult = res.ETag, crc, res.RequestID, res.CallbackResult
	u.res.Verified = res.HasCRC64
	u.res.BytesSent = u.state.size
	return &u.res, nil
}

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

// prepare resumes the upload the checkpoint describes, or starts a new one,
// and returns the numbers of the parts still to upload.
func (u *uploader) prepare(ctx context.Context) ([]int, error) {
	u.parts = make([]Part, u.plan.parts)
	if u.req.EnableCheckpoint {
		pending, resumed, err := u.resume(ctx)
		if err != nil || resumed {
			return pending, err
		}
	}
	if err := u.start(ctx); err != nil {
		return nil, err
	}
	pending := make([]int, u.plan.parts)
	for i := range pending {
		pending[i] = i + 1
	}
	return pending, nil
}

// start initiates a new multipart upload and, with a checkpoint, writes
// the journal's header.
func (u *uploader) start(ctx context.Context) error {
	init, err := u.api.InitiateMultipartUpload(ctx, &InitiateMultipartUploadRequest{Bucket: u.req.Bucket, Key: u.req.Key, ObjectMetadata: u.req.ObjectMetadata})
	if err != nil {
		return err
	}
	u.uploadID = init.UploadID
	if !u.req.EnableCheckpoint {
		return nil
	}
	u.jr, err = createJournal(u.plan.checkpoint, u.header())
	if err != nil {
		// Without a journal no rerun could find the upload: abort it.
		err = fmt.Errorf("write checkpoint: %w", err)
		if aerr := u.abort(); aerr != nil {
			err = fmt.Errorf("%w (and aborting upload %s failed: %v)", err, u.uploadID, aerr)
		}
		u.uploadID = ""
		return err
	}
	return nil
}

func (u *uploader) header() *cpHeader {
	return &cpHeader{
		Version: cpVersion, Endpoint: u.endpoint, Bucket: u.req.Bucket, Key: u.req.Key, UploadID: u.uploadID,
		PartSize: u.plan.partSize, File: u.source(), FileSize: u.state.size,
		FileMtime: u.state.mtime.UnixNano(), FileIno: u.state.ino, FileCtime: u.state.ctime,
		MetaDigest:    metaDigest(u.req.ObjectMetadata),
		PendingAborts: slices.Clone(u.pending),
	}
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
	if errors.Is(err, ErrNoSuchUpload) && u.journalComplete(ctx, recs) {
		u.finished = true
		return nil, true, nil
	}
	if errors.Is(err, ErrNoSuchUpload) {
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
	case h.MetaDigest != metaDigest(u.req.ObjectMetadata):
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
	for page, err := range u.api.ListParts(ctx, &ListPartsRequest{Bucket: u.req.Bucket, Key: u.req.Key, UploadID: u.uploadID, PageSize: 1000}) {
		if err != nil {
			return nil, err
		}
		for _, p := range page.Parts {
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
		want = crc64.Combine(want, r.CRC64, size)
	}
	if !u.completedAlready(ctx, want) {
		return false
	}
	u.res.PartsResumed = u.plan.parts
	return true
}
