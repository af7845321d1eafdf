package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/ossup/ossup/internal/crc64"
)

// AppendObjectRequest adds bytes to the end of an Appendable object,
// creating it when Position is 0.
type AppendObjectRequest struct {
	Bucket string
	Key    string
	// Position is where the bytes go: 0 for the append that creates the
	// object, otherwise the object's length, which the previous
	// AppendObjectResult.NextPosition (or HeadObject's
	// ObjectInfo.NextAppendPosition) gives. Any other value fails with
	// ErrPositionNotEqualToLength.
	Position int64
	// Body supplies exactly Size bytes. A Body that is an io.Seeker is
	// rewound and resent when a retry is needed; any other Body is sent
	// once.
	Body io.Reader
	Size int64 // bytes, 0 to 5 GiB
	// ObjectMetadata is stored with the object by the append that creates
	// it (Position 0); later appends leave the metadata as it is.
	ObjectMetadata ObjectMetadata
	// InitCRC64 is the CRC-64/ECMA of the object's first Position bytes
	// (the previous AppendObjectResult.CRC64), when known: the CRC-64 the
	// service reports for the whole object is then checked against it
	// combined with the CRC-64 of Body. At Position 0 the check is always
	// made (the CRC-64 of nothing is 0).
	InitCRC64 *uint64
	// TrafficLimit caps the upload speed in bits per second (0: none).
	TrafficLimit int64
}

// AppendObjectResult is the state of the object after an append.
type AppendObjectResult struct {
	// NextPosition is the Position of the next append: the object's
	// length in bytes.
	NextPosition int64
	// CRC64 is the CRC-64/ECMA of the whole object as the service reported
	// it; 0 when HasCRC64 is false. Pass it as the next InitCRC64.
	CRC64    uint64
	HasCRC64 bool
	// VersionID is the object's version, in a versioned bucket.
	VersionID string
	RequestID string
	// Recovered reports that the answer to the append was lost and a
	// retry found the bytes already appended (see AppendObject); the
	// request id is then that of the HeadObject that confirmed it.
	Recovered bool
}

// AppendObject appends req.Body to an Appendable object.
//
// An append is not idempotent: resent after its answer was lost, it finds
// the object longer than Position and fails with
// ErrPositionNotEqualToLength. So when an attempt of AppendObject fails in
// a way that leaves open whether the bytes landed (a lost or 5xx answer)
// and the retry meets PositionNotEqualToLength, AppendObject asks the
// service whether the first attempt was applied: if the object is an
// Appendable of exactly Position+Size bytes whose CRC-64 is InitCRC64
// combined with the CRC-64 of Body (or, when InitCRC64 is unknown, whose
// last Size bytes have the CRC-64 of Body), the append succeeded and the
// result says Recovered. Otherwise the PositionNotEqualToLength error is
// returned: someone else appended. A Body that is not an io.Seeker is
// sent once and never recovered this way.
func (c *Client) AppendObject(ctx context.Context, req *AppendObjectRequest) (*AppendObjectResult, error) {
	op := &operation{name: "AppendObject", method: http.MethodPost, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: url.Values{"append": {""}, "position": {strconv.FormatInt(req.Position, 10)}}, size: req.Size}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	switch {
	case req.Position < 0:
		return nil, op.wrap(fmt.Errorf("negative position %d: %w", req.Position, ErrInvalidArgument))
	case req.Size < 0 || req.Size > MaxPartSize || req.Body == nil && req.Size > 0:
		return nil, op.wrap(fmt.Errorf("size %d is outside 0..%d or has no body: %w", req.Size, int64(MaxPartSize), ErrInvalidArgument))
	}
	if err := req.ObjectMetadata.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	if err := setTrafficLimit(op.header, req.TrafficLimit); err != nil {
		return nil, op.wrap(err)
	}
	body := newAppendBody(req.Body, req.Size, c.crc)
	op.body = body.reader()
	init, known := uint64(0), req.Position == 0
	if req.InitCRC64 != nil {
		init, known = *req.InitCRC64, true
	}
	resp, err := c.do(ctx, op)
	if err != nil {
		if body.attempts() < 2 || !errors.Is(err, ErrPositionNotEqualToLength) {
			return nil, err
		}
		// The service may refuse the retry before reading its body; what
		// counts is the CRC-64 of an attempt that sent every byte, and
		// without one no attempt can have been applied.
		bodyCRC, whole := body.whole()
		if !whole {
			return nil, err
		}
		res, ok, cerr := c.appendLanded(ctx, req, bodyCRC, init, known)
		if cerr != nil {
			return nil, op.wrap(fmt.Errorf("%w; checking whether an earlier attempt was applied: %w", errors.Unwrap(err), cerr))
		}
		if !ok {
			return nil, err
		}
		return res, nil
	}
	discardClose(resp)
	res := &AppendObjectResult{NextPosition: req.Position + req.Size, VersionID: resp.Header.Get("x-oss-version-id"), RequestID: resp.Header.Get("x-oss-request-id")}
	if v := resp.Header.Get("x-oss-next-append-position"); v != "" {
		if res.NextPosition, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, op.wrap(fmt.Errorf("unreadable x-oss-next-append-position %q (request id %s)", v, res.RequestID))
		}
	}
	res.CRC64, res.HasCRC64 = crcHeader(resp.Header)
	bodyCRC, whole := body.whole()
	if !whole {
		bodyCRC = body.sum() // short of Size bytes: the check below fails, as it should
	}
	if want := c.crc.Combine(init, bodyCRC, req.Size); known && res.HasCRC64 && res.CRC64 != want {
		return nil, op.wrap(fmt.Errorf("%w: service has %d for the whole object, client computed %d from the initial CRC-64 and the bytes sent (request id %s)", ErrCRCMismatch, res.CRC64, want, res.RequestID))
	}
	return res, nil
}

// appendLanded reports whether the append req, whose body has the CRC-64
// bodyCRC, is already in the object: the object is Appendable, Position +
// Size bytes long, and ends with the body's bytes (checked through the
// whole object's CRC-64 when init, the CRC-64 of its first Position
// bytes, is known, and by reading the last Size bytes back otherwise).
func (c *Client) appendLanded(ctx context.Context, req *AppendObjectRequest, bodyCRC, init uint64, known bool) (*AppendObjectResult, bool, error) {
	head, err := c.HeadObject(ctx, &HeadObjectRequest{Bucket: req.Bucket, Key: req.Key})
	if err != nil {
		return nil, false, err
	}
	info, end := head.Object, req.Position+req.Size
	if info.ObjectType != ObjectTypeAppendable || info.Size != end {
		return nil, false, nil
	}
	if known {
		if !info.HasCRC64 || info.CRC64 != c.crc.Combine(init, bodyCRC, req.Size) {
			return nil, false, nil
		}
	} else if req.Size > 0 {
		got, err := c.rangeCRC(ctx, req.Bucket, req.Key, info.ETag, ByteRange{Offset: req.Position, Length: req.Size})
		if err != nil || got != bodyCRC {
			return nil, false, err
		}
	}
	return &AppendObjectResult{NextPosition: end, CRC64: info.CRC64, HasCRC64: info.HasCRC64, RequestID: head.RequestID, Recovered: true}, true, nil
}

// rangeCRC reads a byte range of the object whose ETag is etag and
// returns its CRC-64.
func (c *Client) rangeCRC(ctx context.Context, bucket, key, etag string, r ByteRange) (uint64, error) {
	g, err := c.GetObject(ctx, &GetObjectRequest{Bucket: bucket, Key: key, Range: &r, IfMatch: etag})
	if err != nil {
		return 0, err
	}
	defer g.Body.Close()
	h := c.crc.New()
	n, err := io.Copy(h, g.Body)
	if err != nil {
		return 0, err
	}
	if n != r.Length {
		return 0, fmt.Errorf("read %d bytes of the appended range, want %d", n, r.Length)
	}
	return h.Sum64(), nil
}

// appendBody is the body of an AppendObject: it computes the CRC-64 of
// the bytes read since it was last rewound, remembers it once an attempt
// has read all size bytes, and counts the rewinds, which Client.do makes
// once before each attempt.
type appendBody struct {
	mu        sync.Mutex
	r         io.Reader
	v         crc64.Variant
	size      int64
	crc       uint64
	n         int64 // bytes read since the last rewind
	wholeCRC  uint64
	haveWhole bool
	rewinds   int
}

func newAppendBody(r io.Reader, size int64, v crc64.Variant) *appendBody {
	return &appendBody{r: r, v: v, size: size, haveWhole: size == 0}
}

// reader is the body to send: http.NoBody for none, b itself when the
// source can be rewound (so that do retries it), and b without its Seek
// method otherwise.
func (b *appendBody) reader() io.Reader {
	switch b.r.(type) {
	case nil:
		return http.NoBody
	case io.Seeker:
		return (*seekingAppendBody)(b)
	}
	return b
}

func (b *appendBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.r.Read(p)
	b.crc = b.v.Update(b.crc, p[:n])
	if b.n += int64(n); b.n == b.size {
		b.wholeCRC, b.haveWhole = b.crc, true
	}
	return n, err
}

// whole is the CRC-64 of the whole body, and whether an attempt has read
// all of it.
func (b *appendBody) whole() (uint64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wholeCRC, b.haveWhole
}

// sum is the CRC-64 of the bytes read since the last rewind.
func (b *appendBody) sum() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.crc
}

// attempts is how many attempts the body was rewound for; 1 for a body
// that cannot be rewound.
func (b *appendBody) attempts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.rewinds, 1)
}

// seekingAppendBody is an appendBody whose source is an io.Seeker.
type seekingAppendBody appendBody

func (s *seekingAppendBody) Read(p []byte) (int, error) { return (*appendBody)(s).Read(p) }

// Seek moves the source; a seek from the start begins a new attempt.
func (s *seekingAppendBody) Seek(offset int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.r.(io.Seeker).Seek(offset, whence)
	if err == nil && whence == io.SeekStart {
		s.crc, s.n = 0, 0
		s.rewinds++
	}
	return n, err
}
