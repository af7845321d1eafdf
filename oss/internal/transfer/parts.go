package transfer

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
	"github.com/ossup/ossup/oss/internal/apierr"
	"github.com/ossup/ossup/oss/internal/filebody"
)

// fileCRC computes the CRC-64 of part n of the file.
func (u *uploader) fileCRC(n int) (uint64, error) {
	off, size := u.plan.partRange(n, u.state.size)
	h := u.req.CRC.New()
	if _, err := io.Copy(h, io.NewSectionReader(u.src, off, size)); err != nil {
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

// partCRCAttempts bounds how many times a part is sent when the service
// reports a CRC-64 other than the bytes sent had: a corrupted transfer is
// sent again, a link that corrupts every attempt fails the upload.
const partCRCAttempts = 3

// uploadPart uploads part n, again when its transfer was corrupted.
func (u *uploader) uploadPart(ctx context.Context, n int) error {
	var err error
	attempts := 0
	for attempts < partCRCAttempts {
		attempts++
		if err = u.sendPart(ctx, n); !errors.Is(err, apierr.ErrCRCMismatch) || ctx.Err() != nil {
			break
		}
		u.log.WarnContext(ctx, "oss: part corrupted in transfer", "part", n, "attempt", attempts, "err", err)
	}
	switch {
	case errors.Is(err, apierr.ErrCRCMismatch):
		return fmt.Errorf("part %d: corrupted in transfer, %d of %d attempts: %w", n, attempts, partCRCAttempts, err)
	case err != nil:
		return fmt.Errorf("part %d: %w", n, err)
	}
	return nil
}

// sendPart sends part n once (the request layer retries transient
// failures) and records it with the CRC-64 of the bytes the client sent,
// which the service's must equal when it reports one.
func (u *uploader) sendPart(ctx context.Context, n int) error {
	off, size := u.plan.partRange(n, u.state.size)
	body, err := u.partBody(off, size)
	if err != nil {
		return u.readFailed(err)
	}
	defer release(body)
	res, err := u.api.UploadPart(ctx, &PartInput{
		Bucket: u.req.Bucket, Key: u.req.Key, UploadID: u.uploadID, PartNumber: n,
		Body: body, Size: size, TrafficLimit: u.req.TrafficLimit,
	})
	var crc uint64
	if err == nil {
		crc, err = u.sentCRC(body, n)
	}
	if err == nil && res.HasCRC64 && res.CRC64 != crc {
		err = fmt.Errorf("%w: the service has %d, the client sent %d (request id %s)", apierr.ErrCRCMismatch, res.CRC64, crc, res.RequestID)
	}
	if err != nil {
		return u.readFailed(err)
	}
	if err := u.recordPart(n, size, crc, res.ETag); err != nil {
		return err
	}
	// Progress counts what the service acknowledged, not what was queued.
	u.progress(size)
	return nil
}

// recordPart notes a part the service acknowledged and journals it.
func (u *uploader) recordPart(n int, size int64, crc uint64, etag string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.parts[n-1] = Part{PartNumber: n, Size: size, ETag: etag, CRC64: crc, HasCRC64: true}
	u.res.BytesSent += size
	if u.jr != nil {
		if err := u.jr.append(cpPart{Number: n, Size: size, CRC64: crc, ETag: etag}); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
	}
	return nil
}

// sentCRC is the CRC-64 of part n as sent through body. A file section's
// is the range's, which the service's CRC-64 confirms was what it
// received; a crcSection's is of the bytes read through it, and when it
// was not read whole in one pass (a fake that did not read it, a rewind
// to the middle), the part is read again from the file.
func (u *uploader) sentCRC(body io.Reader, n int) (uint64, error) {
	switch b := body.(type) {
	case *filebody.Section:
		return b.CRC64()
	case *filebody.Bytes:
		return b.CRC64(), nil
	case *crcSection:
		if crc, ok := b.sum(); ok {
			return crc, nil
		}
	}
	return u.fileCRC(n)
}

// crcSection is a part's body that computes the CRC-64 of the bytes read
// through it since its start, so that the client knows what it sent
// without taking anyone's word for it. A rewind to the start, as the
// request layer makes before each attempt, starts the sum over.
type crcSection struct {
	r *io.SectionReader
	v crc64.Variant

	mu    sync.Mutex
	pos   int64
	crc   uint64
	whole bool // crc covers bytes 0..pos
}

func (s *crcSection) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.r.Read(p)
	s.crc = s.v.Update(s.crc, p[:n])
	s.pos += int64(n)
	if err == io.EOF && s.pos < s.r.Size() {
		// The source ended inside the section: a file cut short.
		err = filebody.ErrChanged
	}
	return n, err
}

func (s *crcSection) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pos, err := s.r.Seek(off, whence)
	if err != nil {
		return pos, err
	}
	switch {
	case pos == 0:
		s.crc, s.whole = 0, true
	case pos != s.pos:
		s.whole = false
	}
	s.pos = pos
	return pos, nil
}

// sum returns the CRC-64 of the section, and false unless the bytes read
// since its start are exactly the section.
func (s *crcSection) sum() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crc, s.whole && s.pos == s.r.Size()
}

// partBody returns the request body for the size bytes of the source at
// off. A large enough range of a file goes as a *filebody.Section, which
// the request layer sends without copying it through memory where it
// can; a small one is read into memory (a *filebody.Bytes, to be given
// to release once sent), which goes out with the request's headers;
// anything else, and any part of a Source, is a crcSection over ReadAt,
// so that parts and retries never share a file offset.
func (u *uploader) partBody(off, size int64) (io.Reader, error) {
	f, isFile := u.src.(*os.File)
	isFile = isFile && u.req.Source == nil
	if isFile && size >= filebody.MinSize {
		return filebody.New(f, off, size, u.req.CRC), nil
	}
	if isFile && size <= filebody.MaxBytes {
		// A Source is read as the request goes, so that a failed read of
		// it is an attempt the request layer may make again.
		return filebody.ReadBytes(f, off, size, u.req.CRC)
	}
	return &crcSection{r: io.NewSectionReader(u.src, off, size), v: u.req.CRC, whole: true}, nil
}

// release gives back the memory of a body from partBody.
func release(body io.Reader) {
	if b, ok := body.(*filebody.Bytes); ok {
		b.Release()
	}
}

// readFailed is err, a failure to send or read a part, as ErrFileChanged
// when the file was cut short under it.
func (u *uploader) readFailed(err error) error {
	if errors.Is(err, filebody.ErrChanged) {
		return fmt.Errorf("%w: %w", ErrFileChanged, err)
	}
	return err
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
// upload started with. A Source has nothing to stat: its SourceID is the
// caller's word.
func (u *uploader) checkUnchanged() error {
	if u.req.Source != nil {
		return nil
	}
	fi, err := os.Stat(u.req.UploadFile)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFileChanged, err)
	}
	if !fileStateOf(fi).same(u.state) {
		return fmt.Errorf("%w: %s was %d bytes modified %s, is now %d bytes modified %s; nothing was completed",
			ErrFileChanged, u.req.UploadFile, u.state.size, u.state.mtime.Format(time.RFC3339Nano), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
	}
	return nil
}

// complete assembles the parts and checks the object's CRC-64, when the
// service reports one, against the combination of the parts' CRC-64s as
// the client sent them.
func (u *uploader) complete(ctx context.Context) (*UploadResult, error) {
	var want uint64
	for _, p := range u.parts {
		want = u.req.CRC.Combine(want, p.CRC64, p.Size)
	}
	res, err := u.api.Complete(ctx, u.req.Bucket, u.req.Key, u.uploadID, u.parts)
	if errors.Is(err, apierr.ErrNoSuchUpload) && u.completedAlready(ctx, want) {
		// A retried Complete whose first attempt succeeded, its answer lost.
		u.finish(ctx)
		return &u.res, nil
	}
	if err != nil && !errors.Is(err, apierr.ErrCallbackFailed) {
		return nil, u.fail(err)
	}
	if err == nil && res.HasCRC64 && res.CRC64 != want {
		return nil, u.corrupted(res, want)
	}
	u.finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("oss: upload file: the object is stored, but %w", err)
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.CallbackResult = res.ETag, want, res.RequestID, res.CallbackResult
	u.res.Verified = res.HasCRC64
	u.res.UploadID = u.uploadID
	return &u.res, nil
}

// corrupted reports an object completed with a CRC-64 other than the
// file's. The checkpoint, if any, is kept to show what was sent: a rerun
// finds the upload gone and the object not the file, and uploads the file
// again.
func (u *uploader) corrupted(res *Stored, want uint64) error {
	err := fmt.Errorf("oss: upload file: %w: the object %s/%s is stored with crc-64 %d, but the parts the client sent combine to %d (upload %s, request id %s)",
		apierr.ErrCRCMismatch, u.req.Bucket, u.req.Key, res.CRC64, want, u.uploadID, res.RequestID)
	if u.req.EnableCheckpoint {
		_ = u.jr.close()
		err = fmt.Errorf("%w; checkpoint %s kept", err, u.plan.checkpoint)
	}
	return err
}

// finish removes the checkpoint of a completed upload, after another try
// at aborting the abandoned uploads it lists.
func (u *uploader) finish(ctx context.Context) {
	if !u.req.EnableCheckpoint {
		return
	}
	_ = u.jr.close()
	if len(u.pending) > 0 {
		u.abortAbandoned(ctx)
	}
	if err := u.removeCheckpoint(ctx); err != nil {
		u.log.WarnContext(ctx, "oss: could not remove the checkpoint", "checkpoint", u.plan.checkpoint, "err", err)
	}
}

// fail ends a failed multipart upload: with a checkpoint the journal and
// the upload stay for a rerun; without one the upload is aborted so that
// no parts are left behind (and billed), and the error says so when the
// abort fails.
func (u *uploader) fail(err error) error {
	if u.req.EnableCheckpoint {
		_ = u.jr.close()
		return &UploadError{UploadID: u.uploadID, CheckpointFile: u.plan.checkpoint, Err: err}
	}
	return &UploadError{UploadID: u.uploadID, AbortErr: u.abort(), Err: err}
}

// abort aborts the upload, with a context of its own so that it is done
// even after the caller's context is cancelled.
func (u *uploader) abort() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := u.api.Abort(ctx, u.req.Bucket, u.req.Key, u.uploadID)
	if errors.Is(err, apierr.ErrNoSuchUpload) {
		return nil
	}
	return err
}

// completedAlready reports whether the object is already this file: the
// upload was completed by an earlier attempt or run whose answer was lost.
// It compares the object's size and CRC-64 with the file's, want being the
// file's CRC-64 combined from its parts; on a match it fills the result.
func (u *uploader) completedAlready(ctx context.Context, want uint64) bool {
	info, err := u.api.Head(ctx, u.req.Bucket, u.req.Key)
	if err != nil {
		return false
	}
	if !info.HasCRC64 || info.CRC64 != want || info.Size != u.state.size {
		return false
	}
	u.res.ETag, u.res.CRC64, u.res.RequestID, u.res.UploadID = info.ETag, want, info.RequestID, u.uploadID
	u.res.Verified = true
	return true
}
