package transfer

import (
	"context"
	"io"
	"iter"
)

// API is what the engine needs of the request layer: the operations of a
// multipart upload, a single PutObject, HeadObject and a ranged
// GetObject. oss.Client satisfies it through a thin adapter that maps
// these fields onto its request and result structs and adds what the
// engine never reads (the object metadata and the callback); tests use
// fakes. Errors are the request layer's: the engine recognises
// apierr.ErrNoSuchUpload and apierr.ErrCallbackFailed with errors.Is.
type API interface {
	PutObject(ctx context.Context, in *PutInput) (*Stored, error)
	Initiate(ctx context.Context, bucket, key string) (uploadID string, err error)
	UploadPart(ctx context.Context, in *PartInput) (*Stored, error)
	// ListParts yields the parts of an upload, a page at a time.
	ListParts(ctx context.Context, bucket, key, uploadID string) iter.Seq2[[]Part, error]
	// Complete assembles the parts, by PartNumber and ETag.
	Complete(ctx context.Context, bucket, key, uploadID string, parts []Part) (*Stored, error)
	Abort(ctx context.Context, bucket, key, uploadID string) error
	Head(ctx context.Context, bucket, key string) (*Object, error)
	// Get returns the body of Length bytes of the object at Offset.
	Get(ctx context.Context, in *GetInput) (io.ReadCloser, error)
}

// PutInput stores a whole object in one request.
type PutInput struct {
	Bucket, Key  string
	Body         io.Reader // an io.Seeker is rewound for retries
	Size         int64     // bytes
	TrafficLimit int64     // bit/s, 0 for none
}

// PartInput uploads one part.
type PartInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	Body                  io.Reader // an io.Seeker is rewound for retries
	Size                  int64     // bytes
	TrafficLimit          int64     // bit/s, 0 for none
}

// Stored is the service's answer to a write: PutObject, UploadPart or
// Complete.
type Stored struct {
	ETag           string
	CRC64          uint64 // as the service reports it
	HasCRC64       bool
	RequestID      string
	CallbackResult []byte
}

// Part is a part of an upload, as the service lists it or the engine
// uploaded it.
type Part struct {
	PartNumber int
	Size       int64 // bytes
	ETag       string
	CRC64      uint64
	HasCRC64   bool
}

// Object describes a stored object.
type Object struct {
	Size      int64 // bytes
	ETag      string
	CRC64     uint64
	HasCRC64  bool
	RequestID string
}

// GetInput fetches a range of an object, only while its ETag is IfMatch.
type GetInput struct {
	Bucket, Key    string
	Offset, Length int64 // bytes
	TrafficLimit   int64 // bit/s, 0 for none
	IfMatch        string
}
