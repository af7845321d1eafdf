package transfer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// Upload defaults and limits. Part sizes are in bytes.
const (
	DefaultPartSize = limits.MinPartSize
	DefaultTaskNum  = 1
	MaxTaskNum      = 1000
)

// UploadRequest is one upload of a file or of an io.ReaderAt: the
// request layer's UploadRequest without what only the request layer
// reads (the object metadata and callback go to the API adapter; the
// metadata's fingerprint comes as MetaDigest). See oss.UploadRequest
// for the fields.
type UploadRequest struct {
	// CRC is the CRC-64 the service reports and the transfer checks:
	// CRC-64/ECMA for OSS (the zero value), CRC-64/NVME for S3. Every CRC
	// the transfer records or returns is of this variant.
	CRC crc64.Variant
	// MinPartSize is the service's smallest part but the last: 0 means
	// OSS's 100 KiB (limits.MinPartSize); S3's is 5 MiB. It is also the
	// default part size when it is larger than DefaultPartSize.
	MinPartSize      int64
	Bucket           string
	Key              string
	UploadFile       string
	Source           io.ReaderAt
	Size             int64
	SourceID         string
	TaskNum          int
	PartSize         int64
	EnableCheckpoint bool
	CheckpointFile   string
	// MetaDigest fingerprints the object metadata in the checkpoint: a
	// resume with other metadata starts over. Only a checkpoint reads it:
	// without EnableCheckpoint it may be left empty.
	MetaDigest   string
	Progress     func(ProgressEvent)
	TrafficLimit int64
	VerifyResume bool
}

// ProgressEvent reports a transfer's progress in bytes.
type ProgressEvent struct {
	Done  int64
	Total int64
}

// UploadResult describes a finished upload; see oss.UploadResult.
type UploadResult struct {
	ETag           string
	CRC64          uint64
	Verified       bool
	RequestID      string
	CallbackResult []byte
	UploadID       string
	BytesSent      int64
	PartsResumed   int
	Restarted      *Restart
	AbortedUploads []string
	AbortsPending  []string
}

// UploadError is a failed multipart upload; see oss.UploadError, which
// the request layer returns in its place.
type UploadError struct {
	UploadID       string
	CheckpointFile string
	AbortErr       error
	Err            error
}

func (e *UploadError) Error() string {
	return fmt.Sprintf("upload %s: %v", e.UploadID, e.Err)
}

func (e *UploadError) Unwrap() error { return e.Err }

// Errors of uploads, re-exported by package oss.
var (
	ErrFileChanged      = errors.New("file changed during the upload")
	ErrCheckpointLocked = errors.New("checkpoint is in use by another upload")
)

// uploadPlan is a normalized UploadRequest.
type uploadPlan struct {
	taskNum    int
	partSize   int64
	parts      int // 0 means a single PutObject
	checkpoint string
}

// normalize applies UploadRequest's defaults and limits for a file of
// size bytes. Unlike the reference SDKs, which silently clamp a PartSize
// below 100 KiB up and a TaskNum outside 1..1000 into range, it rejects
// such values with apierr.ErrInvalidArgument, so a typo cannot turn into a
// different upload than the one asked for; so is a TrafficLimit outside
// limits.MinTrafficLimit..limits.MaxTrafficLimit, before anything is initiated. PartSize
// grows, to the smallest size that fits, when the file would otherwise
// need more than 10,000 parts (exactly 10,000 is fine). A file smaller
// than one part, or empty, goes up as one PutObject (parts == 0).
func normalize(req *UploadRequest, size int64) (uploadPlan, error) {
	p := uploadPlan{taskNum: req.TaskNum, partSize: req.PartSize, checkpoint: req.CheckpointFile}
	switch {
	case req.Bucket == "" || req.Key == "" || req.UploadFile == "" && req.Source == nil:
		return p, fmt.Errorf("bucket, key and file are required: %w", apierr.ErrInvalidArgument)
	case req.UploadFile != "" && req.Source != nil:
		return p, fmt.Errorf("a file and a source are both given: %w", apierr.ErrInvalidArgument)
	case req.Source != nil && req.EnableCheckpoint && (req.SourceID == "" || req.CheckpointFile == ""):
		return p, fmt.Errorf("a checkpoint of a source needs its SourceID and a CheckpointFile: %w", apierr.ErrInvalidArgument)
	case p.taskNum < 0 || p.taskNum > MaxTaskNum:
		return p, fmt.Errorf("task number %d is outside 1..%d: %w", p.taskNum, MaxTaskNum, apierr.ErrInvalidArgument)
	case p.partSize != 0 && (p.partSize < minPartSize(req.MinPartSize) || p.partSize > limits.MaxPartSize):
		return p, fmt.Errorf("part size %d is outside %d..%d bytes: %w", p.partSize, minPartSize(req.MinPartSize), limits.MaxPartSize, apierr.ErrInvalidArgument)
	case req.TrafficLimit != 0 && (req.TrafficLimit < limits.MinTrafficLimit || req.TrafficLimit > limits.MaxTrafficLimit):
		return p, fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", req.TrafficLimit, limits.MinTrafficLimit, limits.MaxTrafficLimit, apierr.ErrInvalidArgument)
	case size < 0:
		return p, fmt.Errorf("file size %d: %w", size, apierr.ErrInvalidArgument)
	}
	if p.taskNum == 0 {
		p.taskNum = DefaultTaskNum
	}
	if p.partSize == 0 {
		p.partSize = max(DefaultPartSize, minPartSize(req.MinPartSize))
	}
	if p.checkpoint == "" && req.Source == nil {
		p.checkpoint = req.UploadFile + ".ucp"
	}
	if size > int64(limits.MaxPartNumber)*p.partSize {
		p.partSize = (size + limits.MaxPartNumber - 1) / limits.MaxPartNumber
		if p.partSize > limits.MaxPartSize {
			return p, fmt.Errorf("a file of %d bytes does not fit in %d parts of at most %d bytes: %w", size, limits.MaxPartNumber, int64(limits.MaxPartSize), apierr.ErrInvalidArgument)
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

// fileState identifies a version of the file: its size and mtime, and
// where the platform gives them its inode and ctime (0 otherwise). What a
// fingerprint cannot see is documented at UploadRequest.VerifyResume.
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
		return fileState{}, fmt.Errorf("%s is not a regular file: %w", f.Name(), apierr.ErrInvalidArgument)
	}
	return fileStateOf(fi), nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// minPartSize is a request's MinPartSize, 0 meaning OSS's.
func minPartSize(n int64) int64 {
	if n <= 0 {
		return limits.MinPartSize
	}
	return n
}
