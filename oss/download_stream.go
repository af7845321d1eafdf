package oss

import (
	"context"
	"fmt"
	"io"

	"github.com/ossup/ossup/internal/crc64"
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
	id := c.cfg.ServiceID
	if id == "" {
		id = c.scheme + "://" + c.host
	}
	file := &DownloadFileRequest{
		Bucket: req.Bucket, Key: req.Key, DownloadFile: "-", TaskNum: req.TaskNum, PartSize: req.PartSize,
		Range: req.Range, TrafficLimit: req.TrafficLimit, Progress: req.Progress,
	}
	d := &downloader{api: c, endpoint: id, req: file}
	return d.stream(ctx, req.Writer)
}

// memRange is one range's buffer, written by fetchRange.
type memRange struct{ b []byte }

func (m *memRange) WriteAt(p []byte, off int64) (int, error) {
	return copy(m.b[off:], p), nil
}

// stream fetches the plan's ranges, TaskNum ahead, and writes them to w in
// order.
func (d *downloader) stream(ctx context.Context, w io.Writer) (*DownloadToResult, error) {
	plan, err := normalizeDownload(d.req)
	if err != nil {
		return nil, err
	}
	d.plan = plan
	head, err := d.api.HeadObject(ctx, &HeadObjectRequest{Bucket: d.req.Bucket, Key: d.req.Key})
	if err != nil {
		return nil, err
	}
	d.info = &head.Object
	if err := d.plan.span(d.req.Range, d.info.Size); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type fetched struct {
		buf *memRange
		crc uint64
		err error
	}
	// slots bounds the ranges fetched or waiting to be written; each
	// result is delivered on its own channel, in order.
	slots := make(chan struct{}, d.plan.taskNum)
	results := make(chan chan fetched, d.plan.taskNum)
	// free holds the range buffers written out, for reuse: TaskNum of them
	// at most, made on first use.
	free := make(chan []byte, d.plan.taskNum)
	go func() {
		defer close(results)
		for i := range d.plan.parts {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			ch := make(chan fetched, 1)
			select {
			case results <- ch:
			case <-ctx.Done():
				return
			}
			go func() {
				off, size := d.plan.partRange(i)
				var b []byte
				select {
				case b = <-free:
				default:
					b = make([]byte, d.plan.partSize)
				}
				buf := &memRange{b: b[:size]}
				crc, err := d.fetchRange(ctx, off, size, buf, 0)
				ch <- fetched{buf, crc, err}
			}()
		}
	}()
	d.report(0)
	var written int64
	var sum uint64
	for ch := range results {
		r := <-ch
		if r.err != nil {
			cancel(r.err)
			return nil, &DownloadError{Err: r.err}
		}
		if _, err := w.Write(r.buf.b); err != nil {
			cancel(err)
			return nil, &DownloadError{Err: fmt.Errorf("write: %w", err)}
		}
		sum = crc64.Combine(sum, r.crc, int64(len(r.buf.b)))
		written += int64(len(r.buf.b))
		free <- r.buf.b[:cap(r.buf.b)]
		<-slots
	}
	if err := context.Cause(ctx); err != nil {
		return nil, &DownloadError{Err: err}
	}
	res := &DownloadToResult{Size: written, ETag: d.info.ETag, CRC64: sum, BytesFetched: d.fetched}
	if d.plan.whole(d.info.Size) && d.info.HasCRC64 {
		if sum != d.info.CRC64 {
			return res, &DownloadError{Err: fmt.Errorf("%w: the object has %d, the bytes written %d", ErrCRCMismatch, d.info.CRC64, sum)}
		}
		res.Verified = true
	}
	return res, nil
}
