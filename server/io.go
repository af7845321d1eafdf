package server

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// maxXMLBody caps request bodies that are XML documents: a
// CompleteMultipartUpload listing 10,000 parts is well under it.
const maxXMLBody = 4 << 20

// MaxObjectSize is the largest PutObject body and the largest part, in
// bytes (5 GiB).
const MaxObjectSize = limits.MaxPartSize

// contentMD5 decodes the Content-MD5 header: nil when absent, an
// InvalidDigest error when it is not base64 of 16 bytes.
func contentMD5(r *http.Request) ([]byte, error) {
	v := r.Header.Get("Content-MD5")
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != md5.Size {
		e := newError(ossxml.CodeInvalidDigest, "The Content-MD5 you specified is not valid.")
		e.body.EC = ossxml.ECInvalidDigestMalformed
		return nil, e
	}
	return b, nil
}

// checkRequestMD5 rejects a malformed Content-MD5 on any request, and a
// Content-MD5 on a bodiless request that is not the MD5 of nothing (the v2
// SDK sends that one even on GET and DELETE).
func checkRequestMD5(r *http.Request) error {
	sum, err := contentMD5(r)
	if err != nil || sum == nil || r.ContentLength != 0 {
		return err
	}
	empty := md5.Sum(nil)
	if !bytes.Equal(sum, empty[:]) {
		return newError(ossxml.CodeInvalidDigest, "")
	}
	return nil
}

// deadlineReader extends the connection's read deadline before every read,
// so that a client that stalls for longer than idle is cut off while a slow
// but moving upload of any size goes on.
type deadlineReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	_ = d.rc.SetReadDeadline(time.Now().Add(d.idle))
	return d.r.Read(p)
}

// body returns the request body guarded by the idle deadline.
func (s *Server) body(w http.ResponseWriter, r *http.Request) io.Reader {
	return &deadlineReader{r: r.Body, rc: http.NewResponseController(w), idle: s.cfg.IdleTimeout}
}

// deadlineWriter does for responses what deadlineReader does for bodies.
type deadlineWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.idle))
	return d.w.Write(p)
}

// sizedBody returns the body of a PutObject or UploadPart request and its
// length: the declared one, or store.SizeUnknown for a chunked body, which
// the store reads to its end (at most 5 GiB). A body sent with a hex
// x-oss-content-sha256 fails on its last read when it does not match.
func (s *Server) sizedBody(w http.ResponseWriter, r *http.Request, rq *request) (io.Reader, int64, error) {
	body, err := limitBody(r, s.body(w, r))
	if err != nil {
		return nil, 0, err
	}
	length := r.ContentLength
	if rq.chunked != nil {
		length = rq.decodedLength
	}
	if rq.chunked == nil {
		if body, err = verifyPayload(r, body); err != nil {
			return nil, 0, err
		}
	}
	if rq.s3 {
		if body, err = verifyS3Checksum(w, r, rq, body, length); err != nil {
			return nil, 0, err
		}
	}
	if length < 0 {
		return body, store.SizeUnknown, nil
	}
	if length > MaxObjectSize {
		return nil, 0, newError(ossxml.CodeEntityTooLarge, "")
	}
	return io.LimitReader(body, length), length, nil
}

// readXML reads a small XML request body into v, checking its Content-MD5
// and x-oss-content-sha256.
// An empty body leaves v untouched and reports false.
func (s *Server) readXML(w http.ResponseWriter, r *http.Request, v any) (bool, error) {
	if r.ContentLength > maxXMLBody {
		return false, newError(ossxml.CodeMalformedXML, "The XML body is too large.")
	}
	data, err := io.ReadAll(io.LimitReader(s.body(w, r), maxXMLBody+1))
	if isTimeout(err) {
		return false, newError(ossxml.CodeRequestTimeout, "")
	}
	if err != nil {
		return false, newError(ossxml.CodeIncompleteBody, "")
	}
	if len(data) > maxXMLBody {
		return false, newError(ossxml.CodeMalformedXML, "The XML body is too large.")
	}
	sum, err := contentMD5(r)
	if err != nil {
		return false, err
	}
	if sum != nil {
		if got := md5.Sum(data); !bytes.Equal(sum, got[:]) {
			return false, newError(ossxml.CodeInvalidDigest, "")
		}
	}
	if err := checkPayload(r, data); err != nil {
		return false, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return false, nil
	}
	if err := ossxml.Unmarshal(data, v); err != nil {
		return false, newError(ossxml.CodeMalformedXML, "")
	}
	return true, nil
}

// writeXML answers 200 with v as the XML body.
func writeXML(w http.ResponseWriter, v any) error {
	b, err := ossxml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// quoteETag renders a stored ETag as it goes on the wire: quoted.
func quoteETag(etag string) string { return `"` + etag + `"` }
