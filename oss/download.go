package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ossup/ossup/internal/crc64"
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
var ErrObjectChanged = errors.New("the object changed during the download")

// partialSuffix names the partial file beside the target; it holds the
// bytes fetched so far.
const partialSuffix = ".ossup-partial"

// maxRangeFailures is how many consecutive attempts of one range may fail
// without a byte of progress before the download gives up. Each attempt is
// itself retried by the request layer before the first byte; this bounds
// the failures once bytes flow.
const maxRangeFailures = 8

// downloadAPI is what DownloadFile needs of a Client; tests use fakes.
type downloadAPI interface {
	HeadObject(ctx context.Context, req *HeadObjectRequest) (*HeadObjectResult, error)
	GetObject(ctx context.Context, req *GetObjectRequest) (*GetObjectResult, error)
}

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
	id := c.cfg.ServiceID
	if id == "" {
		id = c.scheme + "://" + c.host
	}
	d := &downloader{api: c, endpoint: id, req: req}
	return d.run(ctx)
}

// downloadPlan is a normalized DownloadFileRequest for one object.
type downloadPlan struct {
	taskNum    int
	partSize   int64
	checkpoint string
	target     string // absolute
	partial    string // absolute
	offset     int64  // first byte of the object fetched
	length     int64  // bytes fetched
	parts      int
}

// normalizeDownload applies DownloadFileRequest's defaults and limits, as
// normalize does for uploads: values out of range are refused, never
// clamped.
func normalizeDownload(req *DownloadFileRequest) (downloadPlan, error) {
	p := downloadPlan{taskNum: req.TaskNum, partSize: req.PartSize, checkpoint: req.CheckpointFile}
	switch {
	case req.Bucket == "" || req.Key == "" || req.DownloadFile == "":
		return p, fmt.Errorf("bucket, key and file are required: %w", ErrInvalidArgument)
	case p.taskNum < 0 || p.taskNum > MaxTaskNum:
		return p, fmt.Errorf("task number %d is outside 1..%d: %w", p.taskNum, MaxTaskNum, ErrInvalidArgument)
	case p.partSize != 0 && (p.partSize < MinPartSize || p.partSize > MaxPartSize):
		return p, fmt.Errorf("part size %d is outside %d..%d bytes: %w", p.partSize, MinPartSize, MaxPartSize, ErrInvalidArgument)
	case req.TrafficLimit != 0 && (req.TrafficLimit < MinTrafficLimit || req.TrafficLimit > MaxTrafficLimit):
		return p, fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", req.TrafficLimit, MinTrafficLimit, MaxTrafficLimit, ErrInvalidArgument)
	case req.Range != nil && (req.Range.Offset < 0 || req.Range.Length < 0):
		return p, fmt.Errorf("negative range: %w", ErrInvalidArgument)
	}
	if p.taskNum == 0 {
		p.taskNum = DefaultTaskNum
	}
	if p.partSize == 0 {
		p.partSize = DefaultPartSize
	}
	p.target = absPath(req.DownloadFile)
	p.partial = p.target + partialSuffix
	if p.checkpoint == "" {
		p.checkpoint = req.DownloadFile + ".dcp"
	}
	return p, nil
}

// span fixes the bytes to fetch once the object's size is known.
func (p *downloadPlan) span(r *ByteRange, size int64) error {
	p.offset, p.length = 0, size
	if r != nil {
		if r.Offset > size || (r.Offset == size && size > 0) {
			return fmt.Errorf("range offset %d is past the object's %d bytes: %w", r.Offset, size, ErrInvalidArgument)
		}
		p.offset = r.Offset
		p.length = size - r.Offset
		if r.Length > 0 {
			p.length = min(r.Length, p.length)
		}
	}
	p.parts = int((p.length + p.partSize - 1) / p.partSize)
	return nil
}

// partRange returns the object offset and size of part i (0-based).
func (p *downloadPlan) partRange(i int) (off, size int64) {
	rel := int64(i) * p.partSize
	return p.offset + rel, min(p.partSize, p.length-rel)
}

// whole reports whether the plan covers the whole object.
func (p *downloadPlan) whole(size int64) bool { return p.offset == 0 && p.length == size }

// downloader runs one DownloadFile call.
type downloader struct {
	api      downloadAPI
	endpoint string
	req      *DownloadFileRequest
	plan     downloadPlan
	info     *ObjectInfo

	file    *os.File
	journal *journal
	crcs    []uint64
	done    []bool

	mu       sync.Mutex // guards journal appends and progress
	progress int64
	fetched  int64
}

func (d *downloader) run(ctx context.Context) (*DownloadFileResult, error) {
	plan, err := normalizeDownload(d.req)
	if err != nil {
		return nil, err
	}
	d.plan = plan
	if err := os.MkdirAll(filepath.Dir(plan.target), 0o777); err != nil {
		return nil, err
	}
	head, err := d.api.HeadObject(ctx, &HeadObjectRequest{Bucket: d.req.Bucket, Key: d.req.Key})
	if err != nil {
		return nil, err
	}
	d.info = &head.Object
	if err := d.plan.span(d.req.Range, d.info.Size); err != nil {
		return nil, err
	}
	res := &DownloadFileResult{Size: d.plan.length, ETag: d.info.ETag}
	if !d.req.EnableCheckpoint {
		err := d.fresh()
		if err == nil {
			err = d.fetchAll(ctx)
		}
		if err == nil {
			err = d.finish(res)
		}
		if err != nil {
			d.discard()
			return nil, &DownloadError{Err: err}
		}
		return res, nil
	}
	lock, err := lockCheckpoint(plan.checkpoint)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	res.Restarted, res.PartsResumed, err = d.resume()
	if err == nil {
		err = d.fetchAll(ctx)
	}
	if err == nil {
		err = d.finish(res)
	}
	if err != nil {
		d.closeFiles()
		if errors.Is(err, ErrCRCMismatch) || errors.Is(err, ErrObjectChanged) {
			// What was fetched is wrong or stale: keeping it would only
			// make the rerun fail the same way.
			d.discard()
			os.Remove(plan.checkpoint)
			return nil, &DownloadError{Err: err}
		}
		return nil, &DownloadError{CheckpointFile: plan.checkpoint, Err: err}
	}
	os.Remove(plan.checkpoint)
	os.Remove(plan.checkpoint + ".lock")
	return res, nil
}

// fresh creates an empty partial file of the final size, replacing any
// left by an earlier run.
func (d *downloader) fresh() error {
	f, err := os.OpenFile(d.plan.partial, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	d.file = f
	d.crcs = make([]uint64, d.plan.parts)
	d.done = make([]bool, d.plan.parts)
	return f.Truncate(d.plan.length)
}

// finish combines the ranges' CRCs, checks them against the object's,
// and moves the complete file into place.
func (d *downloader) finish(res *DownloadFileResult) error {
	var crc uint64
	for i, c := range d.crcs {
		_, size := d.plan.partRange(i)
		crc = crc64.Combine(crc, c, size)
	}
	res.CRC64 = crc
	res.BytesFetched = d.fetched
	if d.plan.whole(d.info.Size) && d.info.HasCRC64 {
		if crc != d.info.CRC64 {
			return fmt.Errorf("%w: the object has %d, the downloaded bytes %d", ErrCRCMismatch, d.info.CRC64, crc)
		}
		res.Verified = true
	}
	if err := d.file.Sync(); err != nil {
		return err
	}
	if err := d.closeFiles(); err != nil {
		return err
	}
	if err := os.Rename(d.plan.partial, d.plan.target); err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.plan.target))
}

func (d *downloader) closeFiles() error {
	err := d.journal.close()
	d.journal = nil
	if d.file != nil {
		if cerr := d.file.Close(); err == nil {
			err = cerr
		}
		d.file = nil
	}
	return err
}

// discard removes the partial file.
func (d *downloader) discard() {
	d.closeFiles()
	os.Remove(d.plan.partial)
}

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
		if errors.Is(err, ErrPreconditionFailed) {
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
		t := time.NewTimer(backoff(failures, 100*time.Millisecond, 5*time.Second))
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
	se, ok := errors.AsType[*ServiceError](err)
	return ok && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != 408 && se.StatusCode != 429
}

// fetchSpan fetches length bytes of the object at off into dst at at,
// updating crc, and returns how many arrived.
func (d *downloader) fetchSpan(ctx context.Context, off, length int64, dst io.WriterAt, at int64, crc *uint64) (int64, error) {
	res, err := d.api.GetObject(ctx, &GetObjectRequest{
		Bucket: d.req.Bucket, Key: d.req.Key, Range: &ByteRange{Offset: off, Length: length},
		TrafficLimit: d.req.TrafficLimit, IfMatch: d.info.ETag,
	})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	buf := make([]byte, min(256<<10, length))
	var n int64
	for n < length {
		k, rerr := res.Body.Read(buf[:min(int64(len(buf)), length-n)])
		if k > 0 {
			if _, werr := dst.WriteAt(buf[:k], at+n); werr != nil {
				return n, fmt.Errorf("%w: %w", errShortWrite, werr)
			}
			*crc = crc64.Update(*crc, buf[:k])
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

// record journals a finished range (with a checkpoint) and marks it done.
func (d *downloader) record(i int, size int64, crc uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done[i] = true
	if d.journal == nil {
		return nil
	}
	return d.journal.append(cpPart{Number: i + 1, Size: size, CRC64: crc})
}

// report adds n bytes to the progress and tells the caller.
func (d *downloader) report(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.progress += n
	d.fetched += n
	if d.req.Progress != nil {
		d.req.Progress(ProgressEvent{Done: d.progress, Total: d.plan.length})
	}
}

// syncDir fsyncs a directory, so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
