package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// The part-size growth of UploadFrom: after growAfter parts, the part
// size doubles every growEvery parts, up to limits.MaxPartSize.
const (
	growAfter = 500
	growEvery = 10
)

// PartSizeAt returns the size of part n (1-based) of a stream whose first
// parts have base bytes. Starting from the smallest part size, 100 KiB,
// parts reach 5 GiB by part 660, so that 10,000 parts hold at least
// 9,340 × 5 GiB = 50.1 TB, more than OSS's 48.8 TB.
func PartSizeAt(base int64, n int) int64 {
	if n <= growAfter {
		return base
	}
	size := base
	for i := (n - growAfter - 1) / growEvery; i >= 0 && size < limits.MaxPartSize; i-- {
		size *= 2
	}
	return min(size, limits.MaxPartSize)
}

// StreamRequest is one upload of a stream of unknown size; see
// oss.UploadFromRequest for the fields.
type StreamRequest struct {
	// CRC is the CRC-64 the service reports and the transfer checks:
	// CRC-64/ECMA for OSS (the zero value), CRC-64/NVME for S3. Every CRC
	// the transfer records or returns is of this variant.
	CRC crc64.Variant
	// MinPartSize is the service's smallest part but the last: 0 means
	// OSS's 100 KiB (limits.MinPartSize); S3's is 5 MiB. It is also the
	// default part size when it is larger than DefaultPartSize.
	MinPartSize  int64
	Bucket       string
	Key          string
	Reader       io.Reader
	TaskNum      int
	PartSize     int64
	Progress     func(ProgressEvent)
	TrafficLimit int64
}

// StreamResult describes the stored object; see oss.UploadFromResult.
type StreamResult struct {
	ETag           string
	Size           int64
	CRC64          uint64
	Verified       bool
	UploadID       string
	RequestID      string
	CallbackResult []byte
}

// UploadStream reads req.Reader to its end and stores what it yields as
// one object: one PutObject when it fits in a part, else parts read into
// TaskNum+1 buffers. A failed multipart upload is aborted.
func UploadStream(ctx context.Context, api API, req *StreamRequest) (*StreamResult, error) {
	switch {
	case req.Bucket == "" || req.Key == "" || req.Reader == nil:
		return nil, fmt.Errorf("bucket, key and reader are required: %w", apierr.ErrInvalidArgument)
	case req.TaskNum < 0 || req.TaskNum > MaxTaskNum:
		return nil, fmt.Errorf("task number %d is outside 1..%d: %w", req.TaskNum, MaxTaskNum, apierr.ErrInvalidArgument)
	case req.PartSize != 0 && (req.PartSize < minPartSize(req.MinPartSize) || req.PartSize > limits.MaxPartSize):
		return nil, fmt.Errorf("part size %d is outside %d..%d bytes: %w", req.PartSize, minPartSize(req.MinPartSize), limits.MaxPartSize, apierr.ErrInvalidArgument)
	case req.TrafficLimit != 0 && (req.TrafficLimit < limits.MinTrafficLimit || req.TrafficLimit > limits.MaxTrafficLimit):
		return nil, fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", req.TrafficLimit, limits.MinTrafficLimit, limits.MaxTrafficLimit, apierr.ErrInvalidArgument)
	}
	u := &streamUploader{api: api, req: req, tasks: max(req.TaskNum, 1), base: req.PartSize}
	if u.base == 0 {
		u.base = max(DefaultPartSize, minPartSize(req.MinPartSize))
	}
	return u.run(ctx)
}

// streamUploader runs one UploadFrom call.
type streamUploader struct {
	api   API
	req   *StreamRequest
	tasks int
	base  int64

	free chan []byte // buffers not in use

	mu    sync.Mutex
	parts []Part
	crcs  []uint64
	sizes []int64
	done  int64
}

// buffer returns a free buffer of at least size bytes: one that came back
// from a finished part, or a new one while fewer than TaskNum+1 exist. A
// buffer too small for a grown part size is dropped and replaced.
func (u *streamUploader) buffer(ctx context.Context, size int64) ([]byte, error) {
	select {
	case b := <-u.free:
		if int64(cap(b)) < size {
			b = make([]byte, size)
		}
		return b[:size], nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (u *streamUploader) run(ctx context.Context) (*StreamResult, error) {
	u.free = make(chan []byte, u.tasks+1)
	for range u.tasks + 1 {
		u.free <- nil // a slot: the buffer is made on first use
	}
	buf, err := u.buffer(ctx, u.base)
	if err != nil {
		return nil, err
	}
	n, err := io.ReadFull(u.req.Reader, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("oss: upload from reader: read: %w", err)
	}
	if int64(n) < u.base {
		return u.single(ctx, buf[:n])
	}
	uploadID, err := u.api.Initiate(ctx, u.req.Bucket, u.req.Key)
	if err != nil {
		return nil, err
	}
	res, err := u.multipart(ctx, uploadID, buf)
	if err != nil {
		// Nothing of a failed stream can be resumed: do not leave its
		// parts stored.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		if aerr := u.api.Abort(actx, u.req.Bucket, u.req.Key, uploadID); aerr != nil && !errors.Is(aerr, apierr.ErrNoSuchUpload) {
			return nil, &UploadError{UploadID: uploadID, Err: errors.Join(err, fmt.Errorf("the upload could not be aborted: %w", aerr))}
		}
		return nil, &UploadError{UploadID: uploadID, Err: err}
	}
	return res, nil
}

// abortTimeout bounds the abort of a failed stream upload, which runs even
// when the caller's context is done.
const abortTimeout = 30 * 1e9

// single stores a stream that fits in one part with one PutObject.
func (u *streamUploader) single(ctx context.Context, data []byte) (*StreamResult, error) {
	res, err := u.api.PutObject(ctx, &PutInput{
		Bucket: u.req.Bucket, Key: u.req.Key, Body: bytes.NewReader(data), Size: int64(len(data)), TrafficLimit: u.req.TrafficLimit,
	})
	if err != nil {
		return nil, err
	}
	crc := u.req.CRC.Checksum(data)
	out := &StreamResult{ETag: res.ETag, Size: int64(len(data)), CRC64: crc, RequestID: res.RequestID, CallbackResult: res.CallbackResult}
	if res.HasCRC64 {
		if res.CRC64 != crc {
			return nil, fmt.Errorf("%w: the service has %d, the client sent %d", apierr.ErrCRCMismatch, res.CRC64, crc)
		}
		out.Verified = true
	}
	u.report(int64(len(data)))
	return out, nil
}

// multipart uploads the stream in parts, the first already in buf, and
// completes the upload.
func (u *streamUploader) multipart(ctx context.Context, uploadID string, buf []byte) (*StreamResult, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(u.tasks)
	var readErr error
	for n := 1; ; n++ {
		if n > limits.MaxPartNumber {
			readErr = fmt.Errorf("the stream is longer than %d parts can hold: %w", limits.MaxPartNumber, apierr.ErrInvalidArgument)
			break
		}
		if n > 1 {
			var err error
			if buf, err = u.buffer(gctx, PartSizeAt(u.base, n)); err != nil {
				readErr = err
				break
			}
			k, err := io.ReadFull(u.req.Reader, buf)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				readErr = fmt.Errorf("read: %w", err)
				break
			}
			if k == 0 {
				u.free <- buf
				break
			}
			buf = buf[:k]
		}
		part, data := n, buf
		crc := u.req.CRC.Checksum(data)
		u.mu.Lock()
		u.parts = append(u.parts, Part{PartNumber: part, Size: int64(len(data)), CRC64: crc, HasCRC64: true})
		u.crcs = append(u.crcs, crc)
		u.sizes = append(u.sizes, int64(len(data)))
		u.mu.Unlock()
		g.Go(func() error {
			defer func() { u.free <- data[:cap(data)] }()
			res, err := u.api.UploadPart(gctx, &PartInput{
				Bucket: u.req.Bucket, Key: u.req.Key, UploadID: uploadID, PartNumber: part,
				Body: bytes.NewReader(data), Size: int64(len(data)), TrafficLimit: u.req.TrafficLimit,
			})
			if err != nil {
				return err
			}
			if res.HasCRC64 && res.CRC64 != crc {
				return fmt.Errorf("part %d: %w: the service has %d, the client sent %d", part, apierr.ErrCRCMismatch, res.CRC64, crc)
			}
			u.mu.Lock()
			u.parts[part-1].ETag = res.ETag
			u.mu.Unlock()
			u.report(int64(len(data)))
			return nil
		})
		if int64(len(data)) < PartSizeAt(u.base, n) {
			break // the stream ended inside this part
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	var crc uint64
	var size int64
	for i, c := range u.crcs {
		crc = u.req.CRC.Combine(crc, c, u.sizes[i])
		size += u.sizes[i]
	}
	res, err := u.api.Complete(ctx, u.req.Bucket, u.req.Key, uploadID, u.parts)
	if err != nil {
		return nil, err
	}
	out := &StreamResult{ETag: res.ETag, Size: size, CRC64: crc, UploadID: uploadID, RequestID: res.RequestID, CallbackResult: res.CallbackResult}
	if res.HasCRC64 {
		if res.CRC64 != crc {
			return nil, fmt.Errorf("%w: the object has %d, the client sent %d", apierr.ErrCRCMismatch, res.CRC64, crc)
		}
		out.Verified = true
	}
	return out, nil
}

// report adds n stored bytes to the progress and tells the caller.
func (u *streamUploader) report(n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.done += n
	if u.req.Progress != nil {
		u.req.Progress(ProgressEvent{Done: u.done, Total: -1})
	}
}
