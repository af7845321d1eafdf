package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ossup/ossup/oss/internal/apierr"
	"github.com/ossup/ossup/oss/internal/backoff"
)

// The fetch loop of a download: ranges TaskNum at a time, each asked for
// again from the byte it reached when its body breaks.

// fetchAll fetches every range not yet done, TaskNum at a time.
func (d *downloader) fetchAll(ctx context.Context) error {
	d.report(0)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.plan.taskNum)
	for i := range d.plan.parts {
		if d.done[i] {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return d.fetchPart(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return context.Cause(ctx)
}

// fetchPart fetches range i into the partial file and records it.
func (d *downloader) fetchPart(ctx context.Context, i int) error {
	off, size := d.plan.partRange(i)
	crc, err := d.fetchRange(ctx, off, size, d.file, off-d.plan.offset)
	if err != nil {
		return err
	}
	startWriteback(d.file, off-d.plan.offset, size)
	d.crcs[i] = crc
	return d.record(i, size, crc)
}

// fetchRange fetches size bytes of the object at off into dst at at, and
// returns their CRC-64. When the body fails mid-way it asks again for the
// rest, from the byte it reached, with backoff; it gives up after
// maxRangeFailures attempts in a row that brought nothing.
func (d *downloader) fetchRange(ctx context.Context, off, size int64, dst io.WriterAt, at int64) (uint64, error) {
	var crc uint64
	var got int64
	failures := 0
	for got < size {
		n, err := d.fetchSpan(ctx, off+got, size-got, dst, at+got, &crc)
		got += n
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
		if errors.Is(err, apierr.ErrPreconditionFailed) {
			return 0, fmt.Errorf("%w: %s/%s no longer has ETag %s", ErrObjectChanged, d.req.Bucket, d.req.Key, d.info.ETag)
		}
		if errors.Is(err, errShortWrite) || isPermanent(err) {
			return 0, err
		}
		if n > 0 {
			failures = 0
		}
		failures++
		if failures > maxRangeFailures {
			return 0, fmt.Errorf("range at %d: %w", off, err)
		}
		t := time.NewTimer(backoff.Full(failures, 100*time.Millisecond, 5*time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, context.Cause(ctx)
		case <-t.C:
		}
	}
	return crc, nil
}

// errShortWrite marks a failure to write the partial file: a local
// problem that retrying the network will not fix.
var errShortWrite = errors.New("writing the partial file failed")

// isPermanent reports whether a failed GetObject is an answer that asking
// again would only repeat (no such key, access denied, ...), as opposed to
// a transfer that broke.
func isPermanent(err error) bool {
	se, ok := errors.AsType[*apierr.ServiceError](err)
	return ok && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != 408 && se.StatusCode != 429
}

// fetchSpan fetches length bytes of the object at off into dst at at,
// updating crc, and returns how many arrived.
func (d *downloader) fetchSpan(ctx context.Context, off, length int64, dst io.WriterAt, at int64, crc *uint64) (int64, error) {
	body, err := d.api.Get(ctx, &GetInput{
		Bucket: d.req.Bucket, Key: d.req.Key, Offset: off, Length: length,
		TrafficLimit: d.req.TrafficLimit, IfMatch: d.info.ETag,
	})
	if err != nil {
		return 0, err
	}
	defer body.Close()
	buf := make([]byte, min(256<<10, length))
	var n int64
	for n < length {
		// The buffer is filled before it is written: a read from the
		// connection brings what has arrived, often a few tens of KiB,
		// and every write to the file takes its inode lock, which the
		// other ranges' writes then wait for in the kernel.
		k, rerr := io.ReadFull(body, buf[:min(int64(len(buf)), length-n)])
		if rerr == io.ErrUnexpectedEOF {
			rerr = io.EOF // what arrived is written; the loop reports the short body
		}
		if k > 0 {
			if _, werr := dst.WriteAt(buf[:k], at+n); werr != nil {
				return n, fmt.Errorf("%w: %w", errShortWrite, werr)
			}
			*crc = d.req.CRC.Update(*crc, buf[:k])
			n += int64(k)
			d.report(int64(k))
		}
		if rerr == io.EOF {
			if n < length {
				return n, fmt.Errorf("range at %d: the body ended after %d of %d bytes: %w", off, n, length, io.ErrUnexpectedEOF)
			}
			break
		}
		if rerr != nil {
			return n, rerr
		}
	}
	return n, nil
}
