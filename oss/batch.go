package oss

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss/internal/transfer"
)

// DefaultBatchJobs is how many files a batch transfers at once when Jobs
// is 0. Small files are bound by the time each request waits, so many go
// at once; at most DefaultBatchLargeJobs of them may be files of
// Threshold bytes or more, each of which sends TaskNum parts at once.
// A Jobs set by the caller bounds every file alike.
const DefaultBatchJobs = 16

// DefaultBatchLargeJobs is how many of a batch's DefaultBatchJobs files
// may be of Threshold bytes or more at once, when Jobs is 0.
const DefaultBatchLargeJobs = 4

// batchThreshold is Threshold, or DefaultBatchThreshold for 0.
func batchThreshold(t int64) int64 {
	if t == 0 {
		return DefaultBatchThreshold
	}
	return t
}

// DefaultBatchThreshold is the size, in bytes, from which a batch sends
// a file through the resumable engine (parts, per-file checkpoint) when
// Threshold is 0; smaller files go in one request each.
const DefaultBatchThreshold = 8 << 20

// FileStatus is what a batch did with one file.
type FileStatus int

const (
	// FileDone: the file was transferred by this call (in a dry-run sync:
	// would be).
	FileDone FileStatus = iota
	// FileSkipped: the batch journal says an earlier run transferred it,
	// and the local file has the size, modification time and inode
	// recorded; in a sync, both sides already hold the same bytes.
	FileSkipped
	// FileFailed: the transfer failed; Err says why. The other files go on.
	FileFailed
	// FileDeleted: a sync removed the file, which its source does not have.
	FileDeleted
)

func (s FileStatus) String() string {
	switch s {
	case FileDone:
		return "done"
	case FileSkipped:
		return "skipped"
	case FileDeleted:
		return "deleted"
	}
	return "failed"
}

// FileResult reports one file of a batch.
type FileResult struct {
	Path   string // the local path
	Key    string // the object key
	Size   int64  // bytes
	CRC64  uint64 // of the bytes transferred (0 when skipped or failed)
	Status FileStatus
	Err    error // for FileFailed
}

// BatchProgressEvent is a batch's running totals.
type BatchProgressEvent struct {
	FilesDone, FilesSkipped, FilesFailed, FilesDeleted int64
	// BytesDone counts bytes of files finished by this call (skipped and
	// in-flight files not included).
	BytesDone int64
}

// BatchResult sums up a batch. Per-file outcomes go to OnFile; only the
// failures are kept here, so memory does not grow with the tree.
type BatchResult struct {
	Done, Skipped int64
	Deleted       int64 // by a sync with Delete
	Bytes         int64 // bytes transferred by this call
	Failed        []FileResult
	// Journal is the batch journal's path when EnableCheckpoint was set
	// and the batch did not complete (it is removed on success).
	Journal string
}

// BatchError lists the files of a batch that failed; the others were
// transferred.
type BatchError struct {
	Failed []FileResult
}

func (e *BatchError) Error() string {
	if len(e.Failed) == 1 {
		f := e.Failed[0]
		return fmt.Sprintf("oss: 1 file failed: %s: %v", f.Path, f.Err)
	}
	return fmt.Sprintf("oss: %d files failed; the first, %s: %v", len(e.Failed), e.Failed[0].Path, e.Failed[0].Err)
}

// batchFilter selects files by their slash path relative to the tree:
// a pattern with no "/" matches the base name, any other the whole path
// (path.Match syntax). A file is taken when Include is empty or one of
// its patterns matches, and no Exclude pattern matches.
type batchFilter struct{ include, exclude []string }

func (f batchFilter) validate() error {
	for _, p := range append(append([]string(nil), f.include...), f.exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%w: pattern %q: %v", ErrInvalidArgument, p, err)
		}
	}
	return nil
}

func matchAny(patterns []string, rel string) bool {
	base := path.Base(rel)
	for _, p := range patterns {
		s := rel
		if !strings.Contains(p, "/") {
			s = base
		}
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}

func (f batchFilter) take(rel string) bool {
	if len(f.include) > 0 && !matchAny(f.include, rel) {
		return false
	}
	return !matchAny(f.exclude, rel)
}

// batch runs the files of one tree transfer, Jobs at a time, and keeps
// the totals; a failing file is recorded and the others go on. The files
// run on at most Jobs worker goroutines, each taking one file after
// another, rather than on a goroutine per file: a worker's stack, grown
// by its first request, serves the next ones as it is, where a fresh
// goroutine per file would grow (copy) its stack for every small file.
type batch struct {
	jobs     int
	started  int         // workers started; only the scheduling goroutine reads it
	tasks    chan func() // to the idle workers
	workers  sync.WaitGroup
	mu       sync.Mutex // serialises the callbacks and guards res and ev
	res      BatchResult
	ev       BatchProgressEvent
	progress func(BatchProgressEvent)
	onFile   func(FileResult)
	journal  *transfer.BatchJournal // nil without checkpoint
	// large holds a token for each file of Threshold bytes or more in
	// flight, when Jobs was left to its default; nil otherwise.
	large chan struct{}
	// stop cancels the batch's context (see stoppable); fatal is the
	// failure that stopped it.
	stop  context.CancelCauseFunc
	fatal error
}

// stoppable returns ctx, cancelled when a file fails with an error every
// other file would meet too (bucketWide): the batch then ends with that
// error, reported once, instead of once per file.
func (b *batch) stoppable(ctx context.Context) context.Context {
	ctx, b.stop = context.WithCancelCause(ctx)
	return ctx
}

// bucketWide reports an error that does not depend on the file: the
// bucket is missing or its name is not valid.
func bucketWide(err error) bool {
	se, ok := errors.AsType[*ServiceError](err)
	return ok && (se.Code == ossxml.CodeNoSuchBucket || se.Code == ossxml.CodeInvalidBucketName)
}

func newBatch(jobs int, progress func(BatchProgressEvent), onFile func(FileResult)) *batch {
	b := &batch{jobs: jobs, tasks: make(chan func()), progress: progress, onFile: onFile}
	if jobs <= 0 {
		b.jobs, b.large = DefaultBatchJobs, make(chan struct{}, DefaultBatchLargeJobs)
	}
	return b
}

// largeFile waits, when the batch bounds them, for a place among the
// large files in flight, and returns the function that gives it back.
// A small file, or a batch with Jobs set, goes at once.
func (b *batch) largeFile(ctx context.Context, large bool) (release func(), err error) {
	if !large || b.large == nil {
		return func() {}, nil
	}
	select {
	case b.large <- struct{}{}:
		return func() { <-b.large }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// run runs f on a worker, waiting for one to be free when Jobs are busy.
// One goroutine (the walk, the listing) schedules all of a batch's work.
func (b *batch) run(f func()) {
	if b.started < b.jobs {
		select {
		case b.tasks <- f: // an idle worker took it
			return
		default:
		}
		b.started++
		b.workers.Go(func() {
			f()
			for f := range b.tasks {
				f()
			}
		})
		return
	}
	b.tasks <- f
}

// report records the outcome of one file and calls the callbacks.
func (b *batch) report(r FileResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch r.Status {
	case FileDone:
		b.res.Done++
		b.res.Bytes += r.Size
		b.ev.FilesDone++
		b.ev.BytesDone += r.Size
	case FileSkipped:
		b.res.Skipped++
		b.ev.FilesSkipped++
	case FileDeleted:
		b.res.Deleted++
		b.ev.FilesDeleted++
	default:
		if b.fatal != nil {
			return // a file stopped with the batch
		}
		if b.stop != nil && bucketWide(r.Err) {
			b.fatal = r.Err
			b.stop(r.Err)
		}
		b.res.Failed = append(b.res.Failed, r)
		b.ev.FilesFailed++
	}
	if b.onFile != nil {
		b.onFile(r)
	}
	if b.progress != nil {
		b.progress(b.ev)
	}
}

// finish waits for the files in flight and returns the result: ctx's
// error when it was cancelled, a *BatchError when a file failed. The
// journal is removed when every file is done, kept otherwise.
func (b *batch) finish(ctx context.Context, walkErr error) (*BatchResult, error) {
	close(b.tasks)
	b.workers.Wait()
	res := &b.res
	err := walkErr
	if b.fatal != nil {
		err = fmt.Errorf("oss: the batch stopped: %w", b.fatal)
	}
	if err == nil {
		err = ctx.Err()
	}
	if b.stop != nil {
		b.stop(nil) // releases the context
	}
	if err == nil && len(res.Failed) > 0 {
		err = &BatchError{Failed: res.Failed}
	}
	if b.journal != nil {
		if err == nil {
			if rerr := b.journal.Remove(); rerr != nil {
				err = rerr
			}
		} else {
			b.journal.Close()
			res.Journal = b.journal.Path()
		}
	}
	return res, err
}

// checkJobs validates the counts shared by every batch request.
func checkJobs(jobs int, threshold int64) error {
	if jobs < 0 || jobs > 1000 {
		return fmt.Errorf("%w: Jobs %d is outside 0..1000", ErrInvalidArgument, jobs)
	}
	if threshold < 0 {
		return fmt.Errorf("%w: Threshold %d is negative", ErrInvalidArgument, threshold)
	}
	return nil
}
