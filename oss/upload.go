package oss

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"
)

// UploadFile defaults and limits. Part sizes are in bytes.
const (
	DefaultPartSize = MinPartSize
	DefaultTaskNum  = 1
	MaxTaskNum      = 1000
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
	// Progress, when set, is called serially as bytes go out, with the
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
	ErrFileChanged = errors.New("file changed during the upload")
	// ErrCheckpointLocked: another process is uploading with the same
	// checkpoint file.
	ErrCheckpointLocked = errors.New("checkpoint is in use by another upload")
)

// uploadPlan is a normalized UploadFileRequest.
type uploadPlan struct {
	taskNum    int
	partSize   int64
	parts      int // 0 means a single PutObject
	checkpoint string
}

// normalize applies UploadFileRequest's defaults and limits for a file of
// size bytes. Unlike the reference SDKs, which silently clamp a PartSize
// below 100 KiB up and a TaskNum outside 1..1000 into range, it rejects
// such values with ErrInvalidArgument, so a typo cannot turn into a
// different upload than the one asked for; so is a TrafficLimit outside
// MinTrafficLimit..MaxTrafficLimit, before anything is initiated. PartSize
// grows, to the smallest size that fits, when the file would otherwise
// need more than 10,000 parts (exactly 10,000 is fine). A file smaller
// than one part, or empty, goes up as one PutObject (parts == 0).
func normalize(req *UploadFileRequest, size int64) (uploadPlan, error) {
	p := uploadPlan{taskNum: req.TaskNum, partSize: req.PartSize, checkpoint: req.CheckpointFile}
	switch {
	case req.Bucket == "" || req.Key == "" || req.UploadFile == "" && req.Source == nil:
		return p, fmt.Errorf("bucket, key and file are required: %w", ErrInvalidArgument)
	case req.UploadFile != "" && req.Source != nil:
		return p, fmt.Errorf("a file and a source are both given: %w", ErrInvalidArgument)
	case req.Source != nil && req.EnableCheckpoint && (req.SourceID == "" || req.CheckpointFile == ""):
		return p, fmt.Errorf("a checkpoint of a source needs its SourceID and a CheckpointFile: %w", ErrInvalidArgument)
	case p.taskNum < 0 || p.taskNum > MaxTaskNum:
		return p, fmt.Errorf("task number %d is outside 1..%d: %w", p.taskNum, MaxTaskNum, ErrInvalidArgument)
	case p.partSize != 0 && (p.partSize < MinPartSize || p.partSize > MaxPartSize):
		return p, fmt.Errorf("part size %d is outside %d..%d bytes: %w", p.partSize, MinPartSize, MaxPartSize, ErrInvalidArgument)
	case req.TrafficLimit != 0 && (req.TrafficLimit < MinTrafficLimit || req.TrafficLimit > MaxTrafficLimit):
		return p, fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", req.TrafficLimit, MinTrafficLimit, MaxTrafficLimit, ErrInvalidArgument)
	case size < 0:
		return p, fmt.Errorf("file size %d: %w", size, ErrInvalidArgument)
	}
	if p.taskNum == 0 {
		p.taskNum = DefaultTaskNum
	}
	if p.partSize == 0 {
		p.partSize = DefaultPartSize
	}
	if p.checkpoint == "" && req.Source == nil {
		p.checkpoint = req.UploadFile + ".ucp"
	}
	if size > int64(MaxPartNumber)*p.partSize {
		p.partSize = (size + MaxPartNumber - 1) / MaxPartNumber
		if p.partSize > MaxPartSize {
			return p, fmt.Errorf("a file of %d bytes does not fit in %d parts of at most %d bytes: %w", size, MaxPartNumber, int64(MaxPartSize), ErrInvalidArgument)
		}
	}
	if size >= p.partSize {
		p.parts = int((size + p.partSize - 1) / p.partSize)
	}
	return p, nil
}

// partRange returns the offset and size of part n (1-based) of a file.
func (p uploadPlan) partRange(n int, fileSize int64) (off, size int64) {
	off = int64(n-1) * p.partSize
	return off, min(p.partSize, fileSize-off)
}

// multipartAPI is what UploadFile needs of a Client; tests use fakes.
type multipartAPI interface {
	PutObject(ctx context.Context, req *PutObjectRequest) (*PutObjectResult, error)
	InitiateMultipartUpload(ctx context.Context, req *InitiateMultipartUploadRequest) (*InitiateMultipartUploadResult, error)
	UploadPart(ctx context.Context, req *UploadPartRequest) (*UploadPartResult, error)
	ListParts(ctx context.Context, req *ListPartsRequest) iter.Seq2[*ListPartsPage, error]
	CompleteMultipartUpload(ctx context.Context, req *CompleteMultipartUploadRequest) (*CompleteMultipartUploadResult, error)
	AbortMultipartUpload(ctx context.Context, req *AbortMultipartUploadRequest) (*AbortMultipartUploadResult, error)
	HeadObject(ctx context.Context, req *HeadObjectRequest) (*HeadObjectResult, error)
}

// UploadFile uploads a local file, or the Size bytes of req.Source, to
// req.Bucket/req.Key: in one PutObject
// when it is smaller than a part, otherwise in parts, TaskNum at a time,
// each streamed from the file. The client computes every part's CRC-64
// itself and checks it, and at the end the whole object's, against the
// CRC-64 the service reports; UploadFileResult.Verified says whether the
// service reported the object's. With EnableCheckpoint, progress is
// journalled so that rerunning the same call after a failure, a crash or
// kill -9 uploads only the parts the service does not have, and uploads
// it abandons are aborted, later if not at once (see
// UploadFileResult.AbortsPending). See UploadFileRequest for the fields
// and UploadError for failures.
func (c *Client) UploadFile(ctx context.Context, req *UploadFileRequest) (*UploadFileResult, error) {
	id := c.cfg.ServiceID
	if id == "" {
		id = c.scheme + "://" + c.host
	}
	u := &uploader{api: c, endpoint: id, req: req, log: c.log}
	return u.run(ctx)
}

// fileState identifies a version of the file: its size and mtime, and
// where the platform gives them its inode and ctime (0 otherwise). What a
// fingerprint cannot see is documented at UploadFileRequest.VerifyResume.
type fileState struct {
	size  int64
	mtime time.Time
	ino   uint64
	ctime int64 // Unix nanoseconds
}

// fileStateOf fingerprints a file from its FileInfo.
func fileStateOf(fi fs.FileInfo) fileState {
	ino, ctime := inodeCtime(fi)
	return fileState{size: fi.Size(), mtime: fi.ModTime(), ino: ino, ctime: ctime}
}

// same reports whether two fingerprints describe the same version of a
// file; the inode and ctime count only where both sides have them.
func (a fileState) same(b fileState) bool {
	if a.size != b.size || !a.mtime.Equal(b.mtime) {
		return false
	}
	if a.ino != 0 && b.ino != 0 && a.ino != b.ino {
		return false
	}
	return a.ctime == 0 || b.ctime == 0 || a.ctime == b.ctime
}

func statFile(f *os.File) (fileState, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileState{}, err
	}
	if !fi.Mode().IsRegular() {
		return fileState{}, fmt.Errorf("%s is not a regular file: %w", f.Name(), ErrInvalidArgument)
	}
	return fileStateOf(fi), nil
}

// metaDigest fingerprints the metadata an upload was initiated with.
func metaDigest(m ObjectMetadata) string {
	b, _ := json.Marshal(m) // map keys are sorted by encoding/json
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
