package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ossup/ossup/internal/crc64"
)

// reconcile keeps every part the service holds with the size the plan
// gives it and the content of the file: the journal's record of it
// matches the service's ETag and CRC-64, or, for a part the journal lost
// (a torn tail), the CRC-64 of the file's bytes matches the service's. It
// returns the parts still to upload.
func (u *uploader) reconcile(server map[int]Part, recs []cpPart) ([]int, bool, error) {
	journal := make(map[int]cpPart, len(recs))
	for _, r := range recs {
		journal[r.Number] = r
	}
	var pending []int
	for n := 1; n <= u.plan.parts; n++ {
		sp, ok := server[n]
		_, size := u.plan.partRange(n, u.state.size)
		if !ok || sp.Size != size {
			pending = append(pending, n)
			continue
		}
		r, recorded := journal[n]
		match := recorded && r.Size == size && sameETag(r.ETag, sp.ETag) && r.CRC64 == sp.CRC64
		if !match {
			crc, err := u.fileCRC(n)
			if err != nil {
				return nil, false, err
			}
			match = crc == sp.CRC64
			if match {
				if err := u.jr.append(cpPart{Number: n, Size: size, CRC64: sp.CRC64, ETag: sp.ETag}); err != nil {
					return nil, false, fmt.Errorf("write checkpoint: %w", err)
				}
			}
		}
		if !match {
			pending = append(pending, n)
			continue
		}
		u.parts[n-1] = Part{PartNumber: n, Size: size, ETag: sp.ETag, CRC64: sp.CRC64}
		u.res.PartsResumed++
		u.done += size
	}
	return pending, true, nil
}

// fileCRC computes the CRC-64 of part n of the file.
func (u *uploader) fileCRC(n int) (uint64, error) {
	off, size := u.plan.partRange(n, u.state.size)
	h := crc64.New()
	if _, err := io.Copy(h, io.NewSectionReader(u.f, off, size)); err != nil {
		return 0, fmt.Errorf("read part %d of the file: %w", n, err)
	}
	return h.Sum64(), nil
}

// uploadParts uploads the pending parts, TaskNum at a time. The first
// failure cancels the parts in flight; no goroutine outlives the call.
func (u *uploader) uploadParts(ctx context.Context, pending []int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(u.plan.taskNum)
	for _, n := range pending {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil { // a part failed while this one waited for a slot
				return nil
			}
			return u.uploadPart(gctx, n)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return context.Cause(ctx)
}

func (u *uploader) uploadPart(ctx context.Context, n int) error {
	off, size := u.plan.partRange(n, u.state.size)
	body, pr := u.partReader(off, size)
	res, err := u.api.UploadPart(ctx, &UploadPartRequest{
		Bucket: u.req.Bucket, Key: u.req.Key, UploadID: u.uploadID, PartNumber: n,
		Body: body, Size: size, TrafficLimit: u.req.TrafficLimit,
	})
	if err != nil {
		pr.rollback()
		return fmt.Errorf("part %d: %w", n, err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.parts[n-1] = Part{PartNumber: n, Size: size, ETag: res.ETag, CRC64: res.CRC64}
	u.res.BytesSent += size
	if u.jr != nil {
		if err := u.jr.append(cpPart{Number: n, Size: size, CRC64: res.CRC64, ETag: res.ETag}); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
	}
	return nil
}

// partReader returns the body of the part at off: a section of the file,
// read with ReadAt so that parts and retries never share a file offset,
// reporting progress as it goes.
func (u *uploader) partReader(off, size int64) (*io.SectionReader, *progressReaderAt) {
	ra := &progressReaderAt{f: u.f, u: u, base: off}
	return io.NewSectionReader(ra, off, size), ra
}

// progressReaderAt reads a part of the file and reports the furthest byte
// read so far, so that a retry that reads the part again does not count it
// twice.
type progressReaderAt struct {
	f    *os.File
	u    *uploader
	base int64

	mu  sync.Mutex
	hwm int64 // bytes of the part read so far, at most
}

func (p *progressReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.f.ReadAt(b, off)
	p.mu.Lock()
	end := off + int64(n) - p.base
	delta := max(0, end-p.hwm)
	p.hwm = max(p.hwm, end)
	p.mu.Unlock()
	if delta > 0 {
		p.u.progress(delta)
	}
	return n, err
}

// rollback takes the part's bytes out of the progress after it failed.
func (p *progressReaderAt) rollback() {
	p.mu.Lock()
	d := p.hwm
	p.hwm = 0
	p.mu.Unlock()
	p.u.progress(-d)
}

// progress adds delta bytes and reports, serially.
func (u *uploader) progress(delta int64) {
	if u.req.Progress == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.done += delta
	u.req.Progress(ProgressEvent{Done: u.done, Total: u.state.size})
}

// checkUnchanged fails with ErrFileChanged if the file is not the one the
// upload started with.
func (u *uploader) checkUnchanged() error {
	fi, err := os.Stat(u.req.UploadFile)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFileChanged, err)
	}
	if fi.Size() != u.state.size || !fi.ModTime().Equal(u.state.mtime) {
		return fmt.Errorf("%w: %s was %d bytes modified %s, is now %d bytes modified %s; nothing was completed",
			ErrFileChanged, u.req.UploadFile, u.state.size, u.state.mtime.Format(time.RFC3339Nano), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
	}
	return nil
}

// complete assembles the parts and checks the object's CRC-64 against the
// one combined from the parts.
func (u *uploader) complete(ctx context.Context) (*UploadFileResult, error) {
	list := make([]UploadedPart, len(u.parts))
	var want uint64
	for i, p := range u.parts {
		list[i] = UploadedPart{PartNumber: p.PartNumber, ETag: p.ETag}
		want = crc64.Combine(want, p.CRC64, p.Size)
	}
	res, err := u.api.CompleteMultipartUpload(ctx, &CompleteMultipartUploadRequest{
		Bucket: u.req.Bucket, Key: u.req.Key, UploadID: u.uploadID, Parts: list, Callback: u.req.Callback,
	})
	if errors.Is(err, ErrNoSuchUpload) && u.completedAlready(ctx, want) {
		// A retried Complete whose first attempt succeeded, its answer lost.
		u.finish()
		return &u.res, nil
	}
	if err != nil && !errors.Is(err, ErrCallbackFailed) {
		return nil, u.fail(err)
	}
	u.finish()
	if err != nil {
		return nil, fmt.Errorf("oss: upload file: the object is stored, but %w", err)
	}
	if res.CRC64 != 0 && res.CRC64 != want {
		return nil, fmt.Errorf("oss: upload file: %w: the object has %d, its parts combine to %d (request id %s)", ErrCRCMismatch, res.CRC64, want, res.RequestID)
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.CallbackResult = res.ETag, want, res.RequestID, res.CallbackResult
	u.res.UploadID = u.uploadID
	return &u.res, nil
}

// finish removes the checkpoint of a completed upload.
func (u *uploader) finish() {
	if !u.req.EnableCheckpoint {
		return
	}
	_ = u.jr.close()
	if err := os.Remove(u.plan.checkpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		u.log.Warn("oss: could not remove the checkpoint", "checkpoint", u.plan.checkpoint, "err", err)
	}
	_ = os.Remove(u.plan.checkpoint + ".lock")
}

// fail ends a failed multipart upload: with a checkpoint the journal and
// the upload stay for a rerun; without one the upload is aborted so that
// no parts are left behind (and billed).
func (u *uploader) fail(err error) error {
	if u.req.EnableCheckpoint {
		_ = u.jr.close()
		return &UploadError{UploadID: u.uploadID, CheckpointFile: u.plan.checkpoint, Err: err}
	}
	if aerr := u.abort(); aerr != nil {
		err = fmt.Errorf("%w (and aborting the upload failed: %v)", err, aerr)
	}
	return &UploadError{UploadID: u.uploadID, Err: err}
}

// abort aborts the upload, with a context of its own so that it is done
// even after the caller's context is cancelled.
func (u *uploader) abort() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := u.api.AbortMultipartUpload(ctx, u.req.Bucket, u.req.Key, u.uploadID)
	if errors.Is(err, ErrNoSuchUpload) {
		return nil
	}
	return err
}

// completedAlready reports whether the object is already this file: the
// upload was completed by an earlier attempt or run whose answer was lost.
// It compares the object's size and CRC-64 with the file's, want being the
// file's CRC-64 combined from its parts; on a match it fills the result.
func (u *uploader) completedAlready(ctx context.Context, want uint64) bool {
	info, err := u.api.HeadObject(ctx, u.req.Bucket, u.req.Key)
	if err != nil || !info.HasCRC64 || info.CRC64 != want || info.Size != u.state.size {
		return false
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.UploadID = info.ETag, want, info.RequestID, u.uploadID
	return true
}
