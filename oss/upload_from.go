package oss

import (
	"context"
	"errors"
	"io"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// UploadFromRequest uploads everything an io.Reader yields, of a size not
// known in advance (standard input, a pipe, a socket), as one object.
type UploadFromRequest struct {
	Bucket string
	Key    string
	// Reader is read to its end.
	Reader io.Reader
	// TaskNum is how many parts are uploaded at once: 1 to 1000, 0 means 1.
	TaskNum int
	// PartSize is the size of the first parts, 100 KiB to 5 GiB; 0 means
	// 100 KiB. Parts are read into memory before they are sent: memory
	// use is (TaskNum+1) × the current part size. Since the size of the
	// stream is unknown, the part size doubles every 10 parts after the
	// first 500, so that 10,000 parts hold OSS's largest object, 48.8 TB,
	// whatever PartSize was; a stream of up to 500 parts never grows.
	PartSize int64
	// ObjectMetadata is stored with the object.
	ObjectMetadata ObjectMetadata
	// Callback, when set, is called by the service once the object is
	// complete; its reply is in the result.
	Callback *Callback
	// Progress, when set, is called serially as parts are stored, with the
	// bytes done and a Total of -1 (unknown).
	Progress func(ProgressEvent)
	// TrafficLimit caps the speed of every part in bits per second (0:
	// none).
	TrafficLimit int64
}

// UploadFromResult describes the stored object.
type UploadFromResult struct {
	ETag string
	// Size is the number of bytes read from the Reader and stored.
	Size int64
	// CRC64 is the CRC-64/ECMA of those bytes, computed by the client.
	CRC64 uint64
	// Verified reports that the service reported the object's CRC-64 and
	// that it equals CRC64.
	Verified  bool
	UploadID  string // empty when the stream went up in one PutObject
	RequestID string
	// CallbackResult is the application server's reply when a Callback was
	// given.
	CallbackResult []byte
}

// UploadFrom uploads all of req.Reader to req.Bucket/req.Key: in one
// PutObject when it ends within the first part, otherwise in parts,
// TaskNum at a time, each read into one of TaskNum+1 buffers and checked
// by CRC-64, with the whole object's CRC-64 checked at the end. A stream
// cannot be rewound, so there is no checkpoint: on failure the upload is
// aborted and nothing is left behind.
func (c *Client) UploadFrom(ctx context.Context, req *UploadFromRequest) (*UploadFromResult, error) {
	api := &engineAPI{c: c, meta: req.ObjectMetadata, callback: req.Callback}
	res, err := transfer.UploadStream(ctx, api, &transfer.StreamRequest{
		CRC: c.crc, MinPartSize: c.minPartSize(),
		Bucket: req.Bucket, Key: req.Key, Reader: req.Reader, TaskNum: req.TaskNum, PartSize: req.PartSize,
		Progress: progressFunc(req.Progress), TrafficLimit: req.TrafficLimit,
	})
	if ue, ok := errors.AsType[*transfer.UploadError](err); ok {
		return nil, &UploadError{UploadID: ue.UploadID, Err: ue.Err}
	}
	if err != nil {
		return nil, err
	}
	return &UploadFromResult{
		ETag: res.ETag, Size: res.Size, CRC64: res.CRC64, Verified: res.Verified, UploadID: res.UploadID,
		RequestID: res.RequestID, CallbackResult: res.CallbackResult,
	}, nil
}
