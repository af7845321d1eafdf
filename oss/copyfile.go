package oss

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossup/ossup/internal/limits"
	"golang.org/x/sync/errgroup"
)

// CopyFileRequest copies an object of any size inside the service, its
// bytes never passing through the client.
type CopyFileRequest struct {
	// Bucket and Key name the destination.
	Bucket string
	Key    string
	// SourceBucket is the bucket of the source; empty means Bucket.
	SourceBucket string
	SourceKey    string
	// Threshold is the largest source copied with one CopyObject; larger
	// ones are copied in parts with UploadPartCopy. 0 means 1 GiB, the
	// size above which OSS asks for a multipart copy.
	Threshold int64
	// PartSize is the size of each copied part (100 KiB to 5 GiB); 0
	// picks the smallest multiple of 1 MiB of at least 64 MiB that keeps
	// the copy within 10,000 parts.
	PartSize int64
	// TaskNum is how many parts are copied at once; 0 means 1.
	TaskNum int
	// ObjectMetadata, when ReplaceMetadata is set, is the copy's
	// metadata; otherwise the copy keeps the source's metadata, storage
	// class and tags. Its ACL (default when empty) and its storage class
	// (when set) apply either way.
	ObjectMetadata  ObjectMetadata
	ReplaceMetadata bool
	// ForbidOverwrite fails with ErrFileAlreadyExists when the destination
	// exists.
	ForbidOverwrite bool
	// Progress, when set, is called serially as parts complete.
	Progress func(ProgressEvent)
}

// CopyFileResult describes the copy.
type CopyFileResult struct {
	ETag string
	// CRC64 is the copy's CRC-64/ECMA as the service reported it.
	CRC64 uint64
	// Verified says that the service reported a CRC-64 for the source and
	// for the copy and that they are equal.
	Verified bool
	// Parts is the number of parts copied; 0 for a single CopyObject.
	Parts int
}

// defaultCopyThreshold is the largest object CopyFile copies in one
// request unless told otherwise.
const defaultCopyThreshold = 1 << 30

// copyAbortTimeout bounds the abort of a failed multipart copy, which runs
// even when the caller's context has ended.
const copyAbortTimeout = 30 * time.Second

// copyFileOp names CopyFile's own errors.
var copyFileOp = &operation{name: "CopyFile"}

// CopyFile copies SourceBucket/SourceKey to Bucket/Key inside the
// service. A source up to Threshold bytes is copied by one CopyObject; a
// larger one by a multipart upload whose parts are UploadPartCopy ranges
// of the source, TaskNum at a time. Every part names the source's ETag as
// a condition, so a source replaced during the copy fails it (412)
// rather than mixing two versions. The copy is checked end to end: its
// CRC-64, combined from the parts' when copied in parts, must equal the
// source's when the service reports both. A Complete whose answer was
// lost, and whose retry finds the upload gone, succeeds when the
// destination has the copy's size and CRC-64. On failure the multipart
// upload is aborted; nothing is resumed later.
func (c *Client) CopyFile(ctx context.Context, req *CopyFileRequest) (*CopyFileResult, error) {
	srcBucket := req.SourceBucket
	if srcBucket == "" {
		srcBucket = req.Bucket
	}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, err
	}
	head, err := c.HeadObject(ctx, &HeadObjectRequest{Bucket: srcBucket, Key: req.SourceKey})
	if err != nil {
		return nil, err
	}
	src := head.Object
	threshold := req.Threshold
	if threshold <= 0 {
		threshold = defaultCopyThreshold
	}
	if src.Size <= threshold {
		return c.copyWhole(ctx, req, srcBucket, src)
	}
	return c.copyParts(ctx, req, srcBucket, src)
}

// copyMetadata is what the copy is stored with.
func copyFileMetadata(req *CopyFileRequest, src ObjectInfo) ObjectMetadata {
	m := src.ObjectMetadata
	if req.ReplaceMetadata {
		m = req.ObjectMetadata
	}
	m.ACL = req.ObjectMetadata.ACL
	if req.ObjectMetadata.StorageClass != "" {
		m.StorageClass = req.ObjectMetadata.StorageClass
	}
	return m
}

func (c *Client) copyWhole(ctx context.Context, req *CopyFileRequest, srcBucket string, src ObjectInfo) (*CopyFileResult, error) {
	creq := &CopyObjectRequest{
		Bucket: req.Bucket, Key: req.Key, SourceBucket: srcBucket, SourceKey: req.SourceKey,
		Conditions:      CopySourceConditions{IfMatch: src.ETag},
		ForbidOverwrite: req.ForbidOverwrite,
	}
	creq.ObjectMetadata.ACL, creq.ObjectMetadata.StorageClass = req.ObjectMetadata.ACL, req.ObjectMetadata.StorageClass
	if req.ReplaceMetadata {
		creq.MetadataDirective = MetadataDirectiveReplace
		creq.ObjectMetadata = copyFileMetadata(req, src)
		creq.ObjectMetadata.Tags = nil
	}
	res, err := c.CopyObject(ctx, creq)
	if err != nil {
		return nil, err
	}
	if req.Progress != nil {
		req.Progress(ProgressEvent{Done: src.Size, Total: src.Size})
	}
	out := &CopyFileResult{ETag: res.ETag, CRC64: res.CRC64}
	return out, verifyCopy(out, src, res.HasCRC64)
}

// verifyCopy compares the copy's CRC-64 with the source's.
func verifyCopy(out *CopyFileResult, src ObjectInfo, has bool) error {
	if !has || !src.HasCRC64 {
		return nil
	}
	if out.CRC64 != src.CRC64 {
		return copyFileOp.wrap(fmt.Errorf("%w: the copy's CRC-64 %d is not the source's %d", ErrCRCMismatch, out.CRC64, src.CRC64))
	}
	out.Verified = true
	return nil
}

// copyPartSize is the part size for a source of size bytes.
func copyPartSize(req *CopyFileRequest, size int64) (int64, error) {
	ps := req.PartSize
	if ps == 0 {
		ps = 64 << 20
		if min := (size + limits.MaxPartNumber - 1) / limits.MaxPartNumber; ps < min {
			ps = (min + 1<<20 - 1) &^ (1<<20 - 1)
		}
	}
	if ps < limits.MinPartSize || ps > limits.MaxPartSize {
		return 0, fmt.Errorf("%w: PartSize %d not in 100 KiB..5 GiB", ErrInvalidArgument, ps)
	}
	if (size+ps-1)/ps > limits.MaxPartNumber {
		return 0, fmt.Errorf("%w: PartSize %d makes more than 10,000 parts of %d bytes", ErrInvalidArgument, ps, size)
	}
	return ps, nil
}

func (c *Client) copyParts(ctx context.Context, req *CopyFileRequest, srcBucket string, src ObjectInfo) (*CopyFileResult, error) {
	ps, err := copyPartSize(req, src.Size)
	if err != nil {
		return nil, copyFileOp.wrap(err)
	}
	meta := copyFileMetadata(req, src)
	meta.Tags = nil
	if src.TagCount > 0 {
		// The parts carry no tags: the new upload takes the source's.
		tags, err := c.GetObjectTagging(ctx, &GetObjectTaggingRequest{Bucket: srcBucket, Key: req.SourceKey})
		if err != nil {
			return nil, err
		}
		meta.Tags = tags.Tags
	}
	up, err := c.InitiateMultipartUpload(ctx, &InitiateMultipartUploadRequest{
		Bucket: req.Bucket, Key: req.Key, ObjectMetadata: meta, ForbidOverwrite: req.ForbidOverwrite,
	})
	if err != nil {
		return nil, err
	}
	abort := func(err error) error {
		// A fresh context: the caller's may be what ended the copy.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), copyAbortTimeout)
		defer cancel()
		_, aerr := c.AbortMultipartUpload(actx, &AbortMultipartUploadRequest{Bucket: req.Bucket, Key: req.Key, UploadID: up.UploadID})
		return errors.Join(err, aerr)
	}
	n := int((src.Size + ps - 1) / ps)
	parts := make([]UploadedPart, n)
	crcs := make([]uint64, n)
	var hasCRC atomic.Bool
	hasCRC.Store(true)
	var done atomic.Int64
	var progress sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(req.TaskNum, 1))
	for i := range n {
		g.Go(func() error {
			off := int64(i) * ps
			length := min(ps, src.Size-off)
			res, err := c.UploadPartCopy(gctx, &UploadPartCopyRequest{
				Bucket: req.Bucket, Key: req.Key, UploadID: up.UploadID, PartNumber: i + 1,
				SourceBucket: srcBucket, SourceKey: req.SourceKey,
				Range:      &ByteRange{Offset: off, Length: length},
				Conditions: CopySourceConditions{IfMatch: src.ETag},
			})
			if err != nil {
				return err
			}
			parts[i] = UploadedPart{PartNumber: i + 1, ETag: res.ETag}
			crcs[i] = res.CRC64
			if !res.HasCRC64 {
				hasCRC.Store(false)
			}
			if req.Progress != nil {
				progress.Lock()
				req.Progress(ProgressEvent{Done: done.Add(length), Total: src.Size})
				progress.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, abort(err)
	}
	var whole uint64
	for i, crc := range crcs {
		whole = c.crc.Combine(whole, crc, min(ps, src.Size-int64(i)*ps))
	}
	res, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadRequest{
		Bucket: req.Bucket, Key: req.Key, UploadID: up.UploadID, Parts: parts,
		ACL: req.ObjectMetadata.ACL, ForbidOverwrite: req.ForbidOverwrite,
	})
	if errors.Is(err, ErrNoSuchUpload) && hasCRC.Load() {
		// A retry after a lost answer finds the upload already completed:
		// the copy is there when the destination has its size and CRC-64.
		if h, herr := c.HeadObject(ctx, &HeadObjectRequest{Bucket: req.Bucket, Key: req.Key}); herr == nil &&
			h.Object.HasCRC64 && h.Object.CRC64 == whole && h.Object.Size == src.Size {
			res, err = &CompleteMultipartUploadResult{ETag: h.Object.ETag, CRC64: whole, HasCRC64: true}, nil
		}
	}
	if err != nil {
		return nil, abort(err)
	}
	out := &CopyFileResult{ETag: res.ETag, CRC64: res.CRC64, Parts: n}
	if hasCRC.Load() && res.HasCRC64 && whole != res.CRC64 {
		return out, copyFileOp.wrap(fmt.Errorf("%w: the parts' CRC-64 %d is not the object's %d", ErrCRCMismatch, whole, res.CRC64))
	}
	return out, verifyCopy(out, src, res.HasCRC64)
}
