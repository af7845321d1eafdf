package oss

import (
	"context"
	"errors"
	"fmt"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// DownloadFileRequest downloads an object to a local file in ranges,
// TaskNum at a time, resumably when EnableCheckpoint is set. It is the
// sibling of UploadFileRequest; zero values are the reference defaults.
type DownloadFileRequest struct {
	Bucket string
	Key    string
	// DownloadFile is the local file's path. Missing parent folders are
	// created; an existing file is replaced, atomically, once the download
	// is complete and verified.
	DownloadFile string
	// TaskNum is how many ranges are fetched at once: 1 to 1000, 0 means 1.
	TaskNum int
	// PartSize is the size of each range, 100 KiB to 5 GiB; 0 means
	// 100 KiB.
	PartSize int64
	// EnableCheckpoint journals finished ranges in CheckpointFile, so that
	// an interrupted download (an error, Ctrl-C, kill -9) resumes where it
	// stopped, with the bytes already fetched kept in the partial file.
	EnableCheckpoint bool
	// CheckpointFile is the journal's path; empty means DownloadFile +
	// ".dcp". It is deleted after success.
	CheckpointFile string
	// Range, when set, downloads only that part of the object.
	Range *ByteRange
	// TrafficLimit caps the speed of every range in bits per second (0:
	// none).
	TrafficLimit int64
	// Progress, when set, is called serially as bytes arrive, with the
	// bytes done (resumed ranges included) and the total.
	Progress func(ProgressEvent)
}

// DownloadFileResult describes a finished download.
type DownloadFileResult struct {
	// Size is the number of bytes in the file.
	Size int64
	// ETag is the object's ETag, which every range was fetched under.
	ETag string
	// CRC64 is the CRC-64/ECMA of the file's bytes, computed by the client
	// from the bytes it wrote.
	CRC64 uint64
	// Verified reports that CRC64 was compared with, and equals, the CRC-64
	// the service reports for the object: true for whole-object downloads
	// from a service that reports one.
	Verified bool
	// BytesFetched counts the bytes this call fetched (not those resumed).
	BytesFetched int64
	// PartsResumed counts the ranges an earlier run had already fetched.
	PartsResumed int
	// Restarted says why an existing checkpoint was not resumed (the
	// object changed, other part size, partial file gone, ...); nil when
	// there was none or it was resumed.
	Restarted *Restart
}

// DownloadError is returned when a download fails. With a checkpoint, the
// checkpoint and the partial file are kept so that the same call resumes;
// without one, nothing is left behind.
type DownloadError struct {
	CheckpointFile string // empty without a checkpoint
	Err            error
}

func (e *DownloadError) Error() string {
	if e.CheckpointFile != "" {
		return fmt.Sprintf("oss: download file (checkpoint %s kept): %v", e.CheckpointFile, e.Err)
	}
	return fmt.Sprintf("oss: download file: %v", e.Err)
}

func (e *DownloadError) Unwrap() error { return e.Err }

// ErrObjectChanged is wrapped when the object was replaced while it was
// being downloaded: the ranges fetched so far belong to another version.
var ErrObjectChanged = transfer.ErrObjectChanged

// DownloadFile downloads req.Bucket/req.Key to a local file. Ranges are
// fetched TaskNum at a time, each under If-Match on the ETag seen at the
// start (a replaced object stops the download with ErrObjectChanged), each
// resumed from the byte it reached when its connection fails mid-body,
// and written in place into a partial file beside the target. The CRC-64
// of the whole file, combined from the ranges', is checked against the
// object's; then the file is fsynced and renamed over the target. With
// EnableCheckpoint, finished ranges are journalled so that rerunning the
// same call after a failure, Ctrl-C or kill -9 fetches only what is
// missing.
func (c *Client) DownloadFile(ctx context.Context, req *DownloadFileRequest) (*DownloadFileResult, error) {
	res, err := transfer.Download(ctx, &engineAPI{c: c}, c.serviceID(), &transfer.DownloadRequest{
		CRC:    c.crc,
		Bucket: req.Bucket, Key: req.Key, DownloadFile: req.DownloadFile, TaskNum: req.TaskNum, PartSize: req.PartSize,
		EnableCheckpoint: req.EnableCheckpoint, CheckpointFile: req.CheckpointFile, Range: rangeOf(req.Range),
		TrafficLimit: req.TrafficLimit, Progress: progressFunc(req.Progress),
	})
	if err != nil {
		return nil, downloadError(err)
	}
	return &DownloadFileResult{
		Size: res.Size, ETag: res.ETag, CRC64: res.CRC64, Verified: res.Verified,
		BytesFetched: res.BytesFetched, PartsResumed: res.PartsResumed, Restarted: restartOf(res.Restarted),
	}, nil
}

// downloadError is the public form of the engine's DownloadError.
func downloadError(err error) error {
	if de, ok := errors.AsType[*transfer.DownloadError](err); ok {
		return &DownloadError{CheckpointFile: de.CheckpointFile, Err: de.Err}
	}
	return err
}

// rangeOf is the engine's form of a byte range.
func rangeOf(r *ByteRange) *transfer.ByteRange {
	if r == nil {
		return nil
	}
	return &transfer.ByteRange{Offset: r.Offset, Length: r.Length}
}
