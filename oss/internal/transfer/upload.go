package transfer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/ossup/ossup/oss/internal/apierr"
)

// uploader is one upload.
type uploader struct {
	api      API
	endpoint string
	req      *UploadRequest
	log      *slog.Logger

	plan     uploadPlan
	src      io.ReaderAt // the file, or req.Source
	state    fileState
	lock     *flock.Flock
	jr       *journal
	uploadID string
	res      UploadResult

	// pending are abandoned uploads of this endpoint still to abort.
	pending []cpAbort

	mu    sync.Mutex // guards parts, jr appends, done and Progress calls
	parts []Part     // by part number - 1; PartNumber 0 means not uploaded
	done  int64

	// finished is set when resuming finds the object already complete.
	finished bool
}

// Upload runs one upload for the service endpoint (which the checkpoint
// records), logging to log.
func Upload(ctx context.Context, api API, endpoint string, log *slog.Logger, req *UploadRequest) (*UploadResult, error) {
	u := &uploader{api: api, endpoint: endpoint, req: req, log: log}
	return u.run(ctx)
}

func (u *uploader) run(ctx context.Context) (*UploadResult, error) {
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
			return fmt.Errorf("source size %d: %w", u.req.Size, apierr.ErrInvalidArgument)
		}
		u.src, u.state = u.req.Source, fileState{size: u.req.Size, mtime: time.Unix(0, 0)}
		return nil
	}
	if u.req.UploadFile == "" { // before os.Open, whose error would hide the cause
		return fmt.Errorf("the file name is required: %w", apierr.ErrInvalidArgument)
	}
	f, err := openRead(u.req.UploadFile)
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

// close closes the file the upload opened; a Source is the caller's.
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
func (u *uploader) putObject(ctx context.Context) (*UploadResult, error) {
	u.progress(0)
	body, err := u.partBody(0, u.state.size)
	if err != nil {
		return nil, fmt.Errorf("oss: upload file: %w", u.readFailed(err))
	}
	defer release(body)
	res, err := u.api.PutObject(ctx, &PutInput{
		Bucket: u.req.Bucket, Key: u.req.Key, Body: body, Size: u.state.size, TrafficLimit: u.req.TrafficLimit,
	})
	var crc uint64
	if err == nil {
		crc, err = u.sentCRC(body, 1)
	}
	if err == nil && res.HasCRC64 && res.CRC64 != crc {
		err = fmt.Errorf("%w: the object %s/%s is stored with crc-64 %d, but the client sent %d (request id %s)", apierr.ErrCRCMismatch, u.req.Bucket, u.req.Key, res.CRC64, crc, res.RequestID)
	}
	if err != nil {
		return nil, fmt.Errorf("oss: upload file: %w", err)
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.CallbackResult = res.ETag, crc, res.RequestID, res.CallbackResult
	u.res.Verified = res.HasCRC64
	u.res.BytesSent = u.state.size
	u.progress(u.state.size)
	return &u.res, nil
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
	id, err := u.api.Initiate(ctx, u.req.Bucket, u.req.Key)
	if err != nil {
		return err
	}
	u.uploadID = id
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
		MetaDigest:    u.req.MetaDigest,
		PendingAborts: slices.Clone(u.pending),
	}
}

// resume reads the checkpoint and reconciles it with the service. It
// reports resumed=false, with the reason in u.res.Restarted, when the
// upload must start over; a stale upload it can identify is aborted.
// restart records why a checkpoint is not resumed, and abandons the upload
// it named, when that upload is on this endpoint, along with those it
// still had to abort: the new journal replaces the checkpoint, so nothing
// could resume that upload any more, whatever its bucket and key. The
// abandoned uploads are aborted; those whose abort fails are kept in the
// new journal (see abortAbandoned). An upload on another endpoint is out
// of reach and only logged.
// stale says why a checkpoint does not describe this upload, or nil.
// sameETag compares ETags without quotes and case.
// journalComplete reports whether the journal records every part of the
// file and the object already holds exactly the file: a run that completed
// the upload and died before removing its checkpoint.
