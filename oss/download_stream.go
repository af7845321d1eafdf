package oss

import (
	"context"
	"fmt"
	"io"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// DownloadToRequest writes an object, in order, to an io.Writer (standard
// output, a pipe), fetching up to TaskNum ranges ahead of the one being
// written.
type DownloadToRequest struct {
	Bucket string
	Key    string
	// Writer receives the object's bytes in order.
	Writer io.Writer
	// TaskNum is how many ranges are fetched at once: 1 to 1000, 0 means 1.
	// Memory use is TaskNum × PartSize.
	TaskNum int
	// PartSize is the size of each range, 100 KiB to 5 GiB; 0 means
	// 100 KiB.
	PartSize int64
	// Range, when set, writes only that part of the object.
	Range *ByteRange
	// TrafficLimit caps the speed of every range in bits per second (0:
	// none).
	TrafficLimit int64
	// Progress, when set, is called serially as bytes arrive.
	Progress func(ProgressEvent)
}

// DownloadToResult describes a finished DownloadTo. A stream keeps no
// checkpoint, so unlike DownloadFileResult it has nothing resumed or
// restarted to report.
type DownloadToResult struct {
	// Size is the number of bytes written to the Writer.
	Size int64
	// ETag is the object's ETag, which every range was fetched under.
	ETag string
	// CRC64 is the CRC-64/ECMA of the bytes written, computed by the
	// client.
	CRC64 uint64
	// Verified reports that CRC64 was compared with, and equals, the CRC-64
	// the service reports for the object: true for whole-object downloads
	// from a service that reports one.
	Verified bool
	// BytesFetched counts the bytes fetched from the service.
	BytesFetched int64
}

// DownloadTo writes req.Bucket/req.Key to req.Writer. Ranges are fetched
// as DownloadFile fetches them (If-Match on the ETag, resumed from the
// byte reached when a body breaks) into TaskNum buffers and written in
// order. The whole object's CRC-64 is checked at the end: since the bytes
// have been written by then, a mismatch is reported as an error wrapping
// ErrCRCMismatch after the fact, and the caller must treat what it
// received as corrupt.
func (c *Client) DownloadTo(ctx context.Context, req *DownloadToRequest) (*DownloadToResult, error) {
	if req.Writer == nil {
		return nil, fmt.Errorf("a writer is required: %w", ErrInvalidArgument)
	}
	res, err := transfer.DownloadTo(ctx, &engineAPI{c: c}, c.serviceID(), &transfer.DownloadRequest{
		CRC:    c.crc,
		Bucket: req.Bucket, Key: req.Key, DownloadFile: "-", TaskNum: req.TaskNum, PartSize: req.PartSize,
		Range: rangeOf(req.Range), TrafficLimit: req.TrafficLimit, Progress: progressFunc(req.Progress),
	}, req.Writer)
	if res == nil {
		return nil, downloadError(err)
	}
	return &DownloadToResult{Size: res.Size, ETag: res.ETag, CRC64: res.CRC64, Verified: res.Verified, BytesFetched: res.BytesFetched}, downloadError(err)
}
