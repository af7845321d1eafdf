package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// DownloadRequest is one download to a local file; see
// oss.DownloadFileRequest for the fields.
type DownloadRequest struct {
	// CRC is the CRC-64 the service reports and the transfer checks:
	// CRC-64/ECMA for OSS (the zero value), CRC-64/NVME for S3. Every CRC
	// the transfer records or returns is of this variant.
	CRC              crc64.Variant
	Bucket           string
	Key              string
	DownloadFile     string
	TaskNum          int
	PartSize         int64
	EnableCheckpoint bool
	CheckpointFile   string
	Range            *ByteRange
	TrafficLimit     int64
	Progress         func(ProgressEvent)
}

// ByteRange is Length bytes (0: to the end) from Offset.
type ByteRange struct {
	Offset int64
	Length int64
}

// DownloadResult describes a finished download; see
// oss.DownloadFileResult.
type DownloadResult struct {
	Size         int64
	ETag         string
	CRC64        uint64
	Verified     bool
	BytesFetched int64
	PartsResumed int
	Restarted    *Restart
}

// DownloadError is a failed download; see oss.DownloadError, which the
// request layer returns in its place.
type DownloadError struct {
	CheckpointFile string // empty without a checkpoint
	Err            error
}

func (e *DownloadError) Error() string { return "download: " + e.Err.Error() }

func (e *DownloadError) Unwrap() error { return e.Err }

// ErrObjectChanged is wrapped when the object was replaced while it was
// being downloaded; package oss re-exports it.
var ErrObjectChanged = errors.New("the object changed during the download")

// PartialSuffix names the partial file beside the target; it holds the
// bytes fetched so far.
const PartialSuffix = ".ossup-partial"

// maxRangeFailures is how many consecutive attempts of one range may fail
// without a byte of progress before the download gives up. Each attempt is
// itself retried by the request layer before the first byte; this bounds
// the failures once bytes flow.
const maxRangeFailures = 8

// Download runs one download to a local file for the service endpoint
// (which the checkpoint records).
func Download(ctx context.Context, api API, endpoint string, req *DownloadRequest) (*DownloadResult, error) {
	d := &downloader{api: api, endpoint: endpoint, req: req}
	return d.run(ctx)
}

// downloadPlan is a normalized DownloadRequest for one object.
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

// normalizeDownload applies DownloadRequest's defaults and limits, as
// normalize does for uploads: values out of range are refused, never
// clamped.
func normalizeDownload(req *DownloadRequest) (downloadPlan, error) {
	p := downloadPlan{taskNum: req.TaskNum, partSize: req.PartSize, checkpoint: req.CheckpointFile}
	switch {
	case req.Bucket == "" || req.Key == "" || req.DownloadFile == "":
		return p, fmt.Errorf("bucket, key and file are required: %w", apierr.ErrInvalidArgument)
	case p.taskNum < 0 || p.taskNum > MaxTaskNum:
		return p, fmt.Errorf("task number %d is outside 1..%d: %w", p.taskNum, MaxTaskNum, apierr.ErrInvalidArgument)
	case p.partSize != 0 && (p.partSize < limits.MinPartSize || p.partSize > limits.MaxPartSize):
		return p, fmt.Errorf("part size %d is outside %d..%d bytes: %w", p.partSize, limits.MinPartSize, limits.MaxPartSize, apierr.ErrInvalidArgument)
	case req.TrafficLimit != 0 && (req.TrafficLimit < limits.MinTrafficLimit || req.TrafficLimit > limits.MaxTrafficLimit):
		return p, fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", req.TrafficLimit, limits.MinTrafficLimit, limits.MaxTrafficLimit, apierr.ErrInvalidArgument)
	case req.Range != nil && (req.Range.Offset < 0 || req.Range.Length < 0):
		return p, fmt.Errorf("negative range: %w", apierr.ErrInvalidArgument)
	}
	if p.taskNum == 0 {
		p.taskNum = DefaultTaskNum
	}
	if p.partSize == 0 {
		p.partSize = DefaultPartSize
	}
	p.target = absPath(req.DownloadFile)
	p.partial = p.target + PartialSuffix
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
			return fmt.Errorf("range offset %d is past the object's %d bytes: %w", r.Offset, size, apierr.ErrInvalidArgument)
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

// downloader runs one download.
type downloader struct {
	api      API
	endpoint string
	req      *DownloadRequest
	plan     downloadPlan
	info     *Object

	file    *os.File
	journal *journal
	crcs    []uint64
	done    []bool

	mu       sync.Mutex // guards journal appends and progress
	progress int64
	fetched  int64
}

func (d *downloader) run(ctx context.Context) (*DownloadResult, error) {
	plan, err := normalizeDownload(d.req)
	if err != nil {
		return nil, err
	}
	d.plan = plan
	if err := os.MkdirAll(filepath.Dir(plan.target), 0o777); err != nil {
		return nil, err
	}
	info, err := d.api.Head(ctx, d.req.Bucket, d.req.Key)
	if err != nil {
		return nil, err
	}
	d.info = info
	if err := d.plan.span(d.req.Range, d.info.Size); err != nil {
		return nil, err
	}
	res := &DownloadResult{Size: d.plan.length, ETag: d.info.ETag}
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
		if errors.Is(err, apierr.ErrCRCMismatch) || errors.Is(err, ErrObjectChanged) {
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
func (d *downloader) finish(res *DownloadResult) error {
	var crc uint64
	for i, c := range d.crcs {
		_, size := d.plan.partRange(i)
		crc = d.req.CRC.Combine(crc, c, size)
	}
	res.CRC64 = crc
	res.BytesFetched = d.fetched
	if d.plan.whole(d.info.Size) && d.info.HasCRC64 {
		if crc != d.info.CRC64 {
			return fmt.Errorf("%w: the object has %d, the downloaded bytes %d", apierr.ErrCRCMismatch, d.info.CRC64, crc)
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
