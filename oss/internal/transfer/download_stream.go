package transfer

import (
	"context"
	"fmt"
	"io"

	"github.com/ossup/ossup/oss/internal/apierr"
)

// DownloadToResult describes a download to a writer; see
// oss.DownloadToResult.
type DownloadToResult struct {
	Size         int64
	ETag         string
	CRC64        uint64
	Verified     bool
	BytesFetched int64
}

// DownloadTo runs one download to w; req's DownloadFile and checkpoint
// fields are not used.
func DownloadTo(ctx context.Context, api API, endpoint string, req *DownloadRequest, w io.Writer) (*DownloadToResult, error) {
	d := &downloader{api: api, endpoint: endpoint, req: req}
	return d.stream(ctx, w)
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
	info, err := d.api.Head(ctx, d.req.Bucket, d.req.Key)
	if err != nil {
		return nil, err
	}
	d.info = info
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
		sum = d.req.CRC.Combine(sum, r.crc, int64(len(r.buf.b)))
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
			return res, &DownloadError{Err: fmt.Errorf("%w: the object has %d, the bytes written %d", apierr.ErrCRCMismatch, d.info.CRC64, sum)}
		}
		res.Verified = true
	}
	return res, nil
}
