package oss

import (
	"context"
	"io"
	"iter"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// engineAPI is the thin adapter through which a Client serves the
// transfer engine (package transfer): it maps the engine's small types
// onto the request layer's request and result structs, field for field,
// and adds the object metadata and callback of the transfer it serves,
// which the engine never reads.
type engineAPI struct {
	c        *Client
	meta     ObjectMetadata
	callback *Callback
}

var _ transfer.API = (*engineAPI)(nil)

func (a *engineAPI) PutObject(ctx context.Context, in *transfer.PutInput) (*transfer.Stored, error) {
	res, err := a.c.PutObject(ctx, &PutObjectRequest{
		Bucket: in.Bucket, Key: in.Key, Body: in.Body, Size: in.Size,
		ObjectMetadata: a.meta, Callback: a.callback, TrafficLimit: in.TrafficLimit,
	})
	if err != nil {
		return nil, err
	}
	return &transfer.Stored{ETag: res.ETag, CRC64: res.CRC64, HasCRC64: res.HasCRC64, RequestID: res.RequestID, CallbackResult: res.CallbackResult}, nil
}

func (a *engineAPI) Initiate(ctx context.Context, bucket, key string) (string, error) {
	res, err := a.c.InitiateMultipartUpload(ctx, &InitiateMultipartUploadRequest{Bucket: bucket, Key: key, ObjectMetadata: a.meta})
	if err != nil {
		return "", err
	}
	return res.UploadID, nil
}

func (a *engineAPI) UploadPart(ctx context.Context, in *transfer.PartInput) (*transfer.Stored, error) {
	res, err := a.c.UploadPart(ctx, &UploadPartRequest{
		Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID, PartNumber: in.PartNumber,
		Body: in.Body, Size: in.Size, TrafficLimit: in.TrafficLimit,
	})
	if err != nil {
		return nil, err
	}
	return &transfer.Stored{ETag: res.ETag, CRC64: res.CRC64, HasCRC64: res.HasCRC64, RequestID: res.RequestID}, nil
}

func (a *engineAPI) ListParts(ctx context.Context, bucket, key, uploadID string) iter.Seq2[[]transfer.Part, error] {
	return func(yield func([]transfer.Part, error) bool) {
		for page, err := range a.c.ListParts(ctx, &ListPartsRequest{Bucket: bucket, Key: key, UploadID: uploadID, PageSize: 1000}) {
			if err != nil {
				yield(nil, err)
				return
			}
			parts := make([]transfer.Part, len(page.Parts))
			for i, p := range page.Parts {
				parts[i] = transfer.Part{PartNumber: p.PartNumber, Size: p.Size, ETag: p.ETag, CRC64: p.CRC64, HasCRC64: p.HasCRC64}
			}
			if !yield(parts, nil) {
				return
			}
		}
	}
}

func (a *engineAPI) Complete(ctx context.Context, bucket, key, uploadID string, parts []transfer.Part) (*transfer.Stored, error) {
	list := make([]UploadedPart, len(parts))
	for i, p := range parts {
		list[i] = UploadedPart{PartNumber: p.PartNumber, ETag: p.ETag, CRC64: p.CRC64, HasCRC64: p.HasCRC64, Size: p.Size}
	}
	res, err := a.c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadRequest{
		Bucket: bucket, Key: key, UploadID: uploadID, Parts: list, Callback: a.callback,
	})
	if err != nil {
		return nil, err
	}
	return &transfer.Stored{ETag: res.ETag, CRC64: res.CRC64, HasCRC64: res.HasCRC64, RequestID: res.RequestID, CallbackResult: res.CallbackResult}, nil
}

func (a *engineAPI) Abort(ctx context.Context, bucket, key, uploadID string) error {
	_, err := a.c.AbortMultipartUpload(ctx, &AbortMultipartUploadRequest{Bucket: bucket, Key: key, UploadID: uploadID})
	return err
}

func (a *engineAPI) Head(ctx context.Context, bucket, key string) (*transfer.Object, error) {
	res, err := a.c.HeadObject(ctx, &HeadObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		return nil, err
	}
	o := res.Object
	return &transfer.Object{Size: o.Size, ETag: o.ETag, CRC64: o.CRC64, HasCRC64: o.HasCRC64, RequestID: res.RequestID}, nil
}

func (a *engineAPI) Get(ctx context.Context, in *transfer.GetInput) (io.ReadCloser, error) {
	res, err := a.c.GetObject(ctx, &GetObjectRequest{
		Bucket: in.Bucket, Key: in.Key, Range: &ByteRange{Offset: in.Offset, Length: in.Length},
		TrafficLimit: in.TrafficLimit, IfMatch: in.IfMatch,
	})
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// restartOf is the public form of the engine's Restart.
func restartOf(r *transfer.Restart) *Restart {
	if r == nil {
		return nil
	}
	return &Restart{Reason: RestartReason(r.Reason), Detail: r.Detail}
}
