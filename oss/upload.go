package oss

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// UploadFile defaults and limits. Part sizes are in bytes.
const (
	DefaultPartSize = transfer.DefaultPartSize
	DefaultTaskNum  = transfer.DefaultTaskNum
	MaxTaskNum      = transfer.MaxTaskNum
)

// UploadFileRequest uploads a local file, in parts when it is larger than
// one part, resumably when EnableCheckpoint is set. It mirrors the
// reference SDKs' resumable upload field for field; zero values are the
// reference defaults.
type UploadFileRequest struct {
	Bucket string
	Key    string
	// UploadFile is the local file's path. Leave it empty when the bytes
	// come from Source.
	UploadFile string
	// Source, instead of UploadFile, supplies the object's bytes: Size
	// bytes from offset 0, parts read concurrently with ReadAt (the
	// io.ReaderAt contract allows parallel calls). It goes through the same
	// engine as a file: plan, parts, CRC-64 checks, retries, progress.
	Source io.ReaderAt
	// Size is Source's size in bytes.
	Size int64
	// SourceID names Source's content stably (a content hash, a version),
	// so that a checkpoint can be resumed by a later call with the same
	// bytes: EnableCheckpoint with a Source requires it and a
	// CheckpointFile. The caller vouches for it; the engine cannot stat a
	// ReaderAt.
	SourceID string
	// TaskNum is how many parts are uploaded at once: 1 to 1000, 0 means 1.
	TaskNum int
	// PartSize is the size of each part but the last, 100 KiB to 5 GiB; 0
	// means 100 KiB. It grows when the file would need more than 10,000
	// parts.
	PartSize int64
	// EnableCheckpoint journals progress in CheckpointFile so that an
	// interrupted upload resumes where it stopped.
	EnableCheckpoint bool
	// CheckpointFile is the journal's path; empty means UploadFile + ".ucp".
	// It is deleted after success.
	CheckpointFile string
	// ObjectMetadata is stored with the object.
	ObjectMetadata ObjectMetadata
	// Callback, when set, is called by the service once the object is
	// complete; its reply is in the result.
	Callback *Callback
	// Progress, when set, is called serially as the service acknowledges
	// parts (bytes queued on a connection do not count), with the
	// bytes done (resumed parts included) and the total.
	Progress func(ProgressEvent)
	// TrafficLimit caps the speed of every part in bits per second (0: none).
	TrafficLimit int64
	// VerifyResume re-reads every part a resumed upload keeps and compares
	// its CRC-64 with the one recorded when it was sent; parts that differ
	// are sent again. Without it, a resume trusts the file's fingerprint
	// (size, modification time, and on Linux its inode and ctime) and
	// re-reads only a sample: the first and the last part kept, and every
	// part the checkpoint had lost; a difference there sends every part
	// again. What the fingerprint and the sample cannot see: on a platform
	// without ctime, a file rewritten in place to the same size, with its
	// modification time put back, differing only in parts outside the
	// sample. VerifyResume sees that too, at the cost of reading the kept
	// parts once more.
	VerifyResume bool
}

// ProgressEvent reports an upload's progress in bytes.
type ProgressEvent struct {
	Done  int64
	Total int64
}

// UploadFileResult describes a finished upload.
type UploadFileResult struct {
	ETag string
	// CRC64 is the CRC-64/ECMA of the file as the client read and sent it,
	// combined from its parts' (each computed by the client, never taken
	// from the service).
	CRC64 uint64
	// Verified is true when the service reported the whole object's
	// CRC-64 and it equals CRC64: the object is the file, end to end. It
	// is false when the service reported none; each part was still checked
	// against the service's CRC-64 where it reported one.
	Verified  bool
	RequestID string
	// CallbackResult is the application server's reply when a Callback was
	// given.
	CallbackResult []byte
	UploadID       string // empty when the file went up in one PutObject
	// BytesSent counts the bytes of the parts uploaded by this call (not
	// those resumed).
	BytesSent int64
	// PartsResumed counts the parts an earlier run had already uploaded.
	PartsResumed int
	// Restarted says why an existing checkpoint was not resumed (changed
	// file, other part size, upload gone, ...); nil when there was none
	// or it was resumed.
	Restarted *Restart
	// AbortedUploads are the ids of abandoned uploads (named by a stale
	// checkpoint, or by an earlier run that could not abort them) that
	// this call aborted, or found gone, so that their parts are no longer
	// stored and billed.
	AbortedUploads []string
	// AbortsPending are the ids of abandoned uploads whose abort failed
	// (the service was unreachable, say). The checkpoint keeps them, even
	// after success, and the next call with the same checkpoint aborts
	// them.
	AbortsPending []string
}

// UploadError is returned when a multipart upload fails. With a
// checkpoint, the checkpoint and the upload are kept so that the same
// call resumes; without one the upload has been aborted, unless AbortErr
// says otherwise.
type UploadError struct {
	UploadID       string
	CheckpointFile string // empty without a checkpoint
	// AbortErr, without a checkpoint, is why the upload could not be
	// aborted: it is left on the service, its parts stored (and billed),
	// until it is aborted by its UploadID.
	AbortErr error
	Err      error
}

func (e *UploadError) Error() string {
	switch {
	case e.CheckpointFile != "":
		return fmt.Sprintf("oss: upload file (upload %s, checkpoint %s kept): %v", e.UploadID, e.CheckpointFile, e.Err)
	case e.AbortErr != nil:
		return fmt.Sprintf("oss: upload file (upload %s left on the service, its abort failed: %v): %v", e.UploadID, e.AbortErr, e.Err)
	}
	return fmt.Sprintf("oss: upload file (upload %s aborted): %v", e.UploadID, e.Err)
}

func (e *UploadError) Unwrap() error { return e.Err }

// Errors of UploadFile.
var (
	// ErrFileChanged: the file changed while it was being uploaded;
	// nothing was completed.
	ErrFileChanged = transfer.ErrFileChanged
	// ErrCheckpointLocked: another process is uploading with the same
	// checkpoint file.
	ErrCheckpointLocked = transfer.ErrCheckpointLocked
)

// UploadFile uploads a local file, or the Size bytes of req.Source, to
// req.Bucket/req.Key: in one PutObject when it is smaller than a part,
// otherwise in parts, TaskNum at a time, each streamed from the file. The
// client computes every part's CRC-64 itself and checks it, and at the end
// the whole object's, against the CRC-64 the service reports;
// UploadFileResult.Verified says whether the service reported the
// object's. With EnableCheckpoint, progress is journalled so that
// rerunning the same call after a failure, a crash or kill -9 uploads only
// the parts the service does not have, and uploads it abandons are
// aborted, later if not at once (see UploadFileResult.AbortsPending). See
// UploadFileRequest for the fields and UploadError for failures.
func (c *Client) UploadFile(ctx context.Context, req *UploadFileRequest) (*UploadFileResult, error) {
	api := &engineAPI{c: c, meta: req.ObjectMetadata, callback: req.Callback}
	var digest string // only a checkpoint records it
	if req.EnableCheckpoint {
		digest = metaDigest(req.ObjectMetadata)
	}
	res, err := transfer.Upload(ctx, api, c.serviceID(), c.log, &transfer.UploadRequest{
		CRC: c.crc, MinPartSize: c.minPartSize(),
		Bucket: req.Bucket, Key: req.Key, UploadFile: req.UploadFile,
		Source: req.Source, Size: req.Size, SourceID: req.SourceID,
		TaskNum: req.TaskNum, PartSize: req.PartSize,
		EnableCheckpoint: req.EnableCheckpoint, CheckpointFile: req.CheckpointFile,
		MetaDigest: digest, Progress: progressFunc(req.Progress),
		TrafficLimit: req.TrafficLimit, VerifyResume: req.VerifyResume,
	})
	if ue, ok := errors.AsType[*transfer.UploadError](err); ok {
		return nil, &UploadError{UploadID: ue.UploadID, CheckpointFile: ue.CheckpointFile, AbortErr: ue.AbortErr, Err: ue.Err}
	}
	if err != nil {
		return nil, err
	}
	return &UploadFileResult{
		ETag: res.ETag, CRC64: res.CRC64, Verified: res.Verified, RequestID: res.RequestID,
		CallbackResult: res.CallbackResult, UploadID: res.UploadID, BytesSent: res.BytesSent,
		PartsResumed: res.PartsResumed, Restarted: restartOf(res.Restarted),
		AbortedUploads: res.AbortedUploads, AbortsPending: res.AbortsPending,
	}, nil
}

// progressFunc passes the engine's progress events to f, if any.
func progressFunc(f func(ProgressEvent)) func(transfer.ProgressEvent) {
	if f == nil {
		return nil
	}
	return func(e transfer.ProgressEvent) { f(ProgressEvent(e)) }
}

// serviceID names the service in checkpoints: Config.ServiceID, or the
// endpoint's scheme and host; in the S3 dialect, prefixed "s3:", since
// its checkpoints record CRC-64/NVME values that a transfer in the OSS
// dialect (which may address the same endpoint) must not take for its own.
func (c *Client) serviceID() string {
	id := c.cfg.ServiceID
	if id == "" {
		id = c.scheme + "://" + c.host
	}
	if c.cfg.Dialect == DialectS3 {
		id = "s3:" + id
	}
	return id
}

// metaDigest fingerprints the metadata an upload was initiated with.
func metaDigest(m ObjectMetadata) string {
	b, _ := json.Marshal(m) // map keys are sorted by encoding/json
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
