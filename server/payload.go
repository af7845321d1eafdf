package server

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// payloadMismatch is the error for a body whose SHA-256 is not the hex
// x-oss-content-sha256 it was sent with. OSS has no error of its own for
// this: it takes only UNSIGNED-PAYLOAD, and answers any other value with
// InvalidArgument, EC 0002-00000214. This server takes a hex value, since
// the signature covers it, and answers a mismatch the same way, naming the
// header, so that a client sees the error OSS would give the request.
func payloadMismatch(value string) *apiError {
	e := invalidArgument(payloadHashHeader, value, "The x-oss-content-sha256 you specified does not match the SHA-256 of the body.")
	e.body.EC = ossxml.ECInvalidContentSHA256
	return e
}

// payloadHash returns the SHA-256 a request's body must have, or nil when
// the request does not say (no x-oss-content-sha256, or UNSIGNED-PAYLOAD).
func payloadHash(r *http.Request) ([]byte, error) {
	want, err := sign.PayloadHash(r.Header)
	if err != nil {
		return nil, authError(err)
	}
	return want, nil
}

// checkPayload compares a body read whole with the request's
// x-oss-content-sha256.
func checkPayload(r *http.Request, data []byte) error {
	want, err := payloadHash(r)
	if err != nil || want == nil {
		return err
	}
	if got := sha256.Sum256(data); !bytes.Equal(got[:], want) {
		return payloadMismatch(r.Header.Get(sign.HeaderContentSHA256))
	}
	return nil
}

// verifyPayload wraps a streamed body so that it is checked against the
// request's x-oss-content-sha256 as it is read. The store reads exactly the
// declared length and commits only when its read ends cleanly, so a
// mismatch must surface on the very read that delivers the last byte: a
// payloadReader returns it there, together with that read's bytes, and
// the store discards the blob. An empty body is checked here and now,
// because the store does not read it at all.
func verifyPayload(r *http.Request, body io.Reader) (io.Reader, error) {
	want, err := payloadHash(r)
	if err != nil || want == nil {
		return body, err
	}
	if r.ContentLength == 0 {
		return body, checkPayload(r, nil)
	}
	value := r.Header.Get(sign.HeaderContentSHA256)
	return &payloadReader{r: body, h: sha256.New(), want: want, left: r.ContentLength, mismatch: func() error { return payloadMismatch(value) }}, nil
}

// payloadReader hashes a body as it is read and, on the read that ends it,
// fails with payloadMismatch instead of succeeding when the hash is not
// want. The end is the declared length, or for a chunked body (left < 0)
// io.EOF.
type payloadReader struct {
	r    io.Reader
	h    hash.Hash
	want []byte
	// wantAt, when want is nil, gives it once the body has ended (a
	// checksum in an aws-chunked body's trailers).
	wantAt func() ([]byte, error)
	left   int64 // bytes still to come; negative when the length is unknown
	// mismatch returns the error for a body whose hash is not want.
	mismatch func() error
	// matched, when not nil, is called once the whole body has matched.
	matched func()
	err     error // the mismatch, once found
}

func (p *payloadReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if p.left == 0 {
		return 0, io.EOF
	}
	if p.left > 0 && int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.h.Write(b[:n])
	end := err == io.EOF && p.left < 0
	if p.left > 0 {
		p.left -= int64(n)
		end = p.left == 0
	}
	if end {
		if p.want == nil && p.wantAt != nil {
			if p.want, p.err = p.wantAt(); p.err != nil {
				return n, p.err
			}
		}
		if !bytes.Equal(p.h.Sum(nil), p.want) {
			p.err = p.mismatch()
			return n, p.err
		}
		if p.matched != nil {
			p.matched()
			p.matched = nil
		}
	}
	return n, err
}
