package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// apiError is an error the server answers with: an OSS code, its status
// from the shared table, and the <Error> body's optional elements.
type apiError struct {
	body   ossxml.Error
	status int
}

func (e *apiError) Error() string { return e.body.Code + ": " + e.body.Message }

// newError builds an apiError for code with the table's status, default
// message and EC; msg, when not empty, replaces the message.
func newError(code, msg string) *apiError {
	ec, ok := ossxml.LookupCode(code)
	if !ok {
		ec = ossxml.ErrorCode{Code: code, Status: http.StatusInternalServerError}
	}
	if msg == "" {
		msg = ec.Message
	}
	return &apiError{body: ossxml.Error{Code: code, Message: msg, EC: ec.EC}, status: ec.Status}
}

func invalidArgument(name, value, msg string) *apiError {
	e := newError(ossxml.CodeInvalidArgument, msg)
	e.body.ArgumentName, e.body.ArgumentValue = name, value
	return e
}

func noSuchBucket(bucket string) *apiError {
	e := newError(ossxml.CodeNoSuchBucket, "")
	e.body.BucketName = bucket
	return e
}

func noSuchKey(key string) *apiError {
	e := newError(ossxml.CodeNoSuchKey, "")
	e.body.Key = key
	return e
}

func noSuchUpload(id string) *apiError {
	e := newError(ossxml.CodeNoSuchUpload, "")
	e.body.UploadID = id
	return e
}

// storeError maps a store error to the OSS error it means; errors it does
// not know are returned unchanged and become InternalError.
func storeError(err error, rq *request) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoSuchBucket):
		return noSuchBucket(rq.bucket)
	case errors.Is(err, store.ErrNoSuchKey):
		return noSuchKey(rq.key)
	case errors.Is(err, store.ErrNoSuchVersion):
		e := newError(ossxml.CodeNoSuchVersion, "")
		e.body.Key = rq.key
		return e
	case errors.Is(err, store.ErrDeleteMarker):
		return newError(ossxml.CodeMethodNotAllowed, "The version named is a delete marker, which has no content, ACL or tags.")
	case errors.Is(err, store.ErrNoSuchUpload):
		return noSuchUpload(rq.query.Get("uploadId"))
	case errors.Is(err, store.ErrNoSuchLifecycle):
		e := newError(ossxml.CodeNoSuchLifecycle, "")
		e.body.BucketName = rq.bucket
		return e
	case errors.Is(err, store.ErrBucketExists):
		return newError(ossxml.CodeBucketAlreadyExists, "")
	case errors.Is(err, store.ErrBucketNotEmpty):
		e := newError(ossxml.CodeBucketNotEmpty, "")
		e.body.BucketName = rq.bucket
		return e
	case errors.Is(err, store.ErrTooManyBuckets):
		return newError(ossxml.CodeTooManyBuckets, "")
	case errors.Is(err, store.ErrFileAlreadyExists):
		return newError(ossxml.CodeFileAlreadyExists, "")
	case errors.Is(err, store.ErrBadDigest):
		return newError(ossxml.CodeInvalidDigest, "")
	case errors.Is(err, store.ErrIncompleteBody):
		return newError(ossxml.CodeIncompleteBody, "")
	case errors.Is(err, store.ErrInvalidPart):
		return newError(ossxml.CodeInvalidPart, "")
	case errors.Is(err, store.ErrInvalidPartOrder):
		return newError(ossxml.CodeInvalidPartOrder, "")
	case errors.Is(err, store.ErrEntityTooSmall):
		return newError(ossxml.CodeEntityTooSmall, "")
	case errors.Is(err, store.ErrMalformedParts):
		return newError(ossxml.CodeMalformedXML, "")
	case errors.Is(err, store.ErrEntityTooLarge):
		return newError(ossxml.CodeEntityTooLarge, "")
	case errors.Is(err, store.ErrInvalidArgument):
		return newError(ossxml.CodeInvalidArgument, "")
	}
	return err
}

// payloadHashHeader is x-oss-content-sha256 as errors name it.
const payloadHashHeader = "x-oss-content-sha256"

// skewTimeFormat is how RequestTimeTooSkewed reports times: RFC 3339 UTC
// with milliseconds.
const skewTimeFormat = "2006-01-02T15:04:05.000Z"

// authError maps a signature verification failure to its OSS error, with
// the EC OSS sends for a V4 scope naming the wrong region or product and
// for an x-oss-content-sha256 it does not take.
func authError(err error) error {
	e, ok := errors.AsType[*sign.Error](err)
	if !ok {
		return err
	}
	out := newError(e.Code(), e.Message)
	out.body.StringToSign = e.StringToSign
	out.body.SignatureProvided = e.SignatureProvided
	if e.Kind == sign.KindSignatureMismatch || e.Kind == sign.KindInvalidAccessKeyID {
		out.body.OSSAccessKeyID = e.AccessKeyID
	}
	out.body.ArgumentName, out.body.ArgumentValue = e.ArgumentName, e.ArgumentValue
	if e.Kind == sign.KindTimeSkewed {
		out.body.RequestTime = e.RequestTime.UTC().Format(skewTimeFormat)
		out.body.ServerTime = e.ServerTime.UTC().Format(skewTimeFormat)
		out.body.MaxAllowedSkewMilliseconds = e.MaxSkew.Milliseconds()
	}
	switch {
	case e.Kind == sign.KindInvalidRegion:
		out.body.EC = ossxml.ECInvalidSigningRegion
	case e.Kind == sign.KindInvalidProduct:
		out.body.EC = ossxml.ECInvalidSigningProduct
	case e.Kind == sign.KindMalformed && e.ArgumentName == payloadHashHeader:
		out.body.EC = ossxml.ECInvalidContentSHA256
	}
	return out
}

// writeError renders err as OSS error XML (or, for HEAD, as the x-oss-err
// header). Anything that is not an *apiError is logged and answered as
// InternalError: a client never sees a bare 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, rid string, err error) {
	e, ok := errors.AsType[*apiError](err)
	se, signErr := errors.AsType[*sign.Error](err)
	switch {
	case ok:
	case signErr:
		// An aws-chunked body whose chunk failed its check as it was read.
		e, _ = s3AuthError(se).(*apiError)
	case isTimeout(err):
		// The client stalled mid-body: nothing was stored.
		s.log.Warn("request body stalled", "method", r.Method, "url", redactURL(r.URL), "request_id", rid)
		e = newError(ossxml.CodeRequestTimeout, "")
	case r.Context().Err() != nil && errors.Is(err, context.Canceled) || isDisconnect(err):
		// The client went away mid-request: nothing was stored, and there
		// is nobody to answer.
		s.log.Debug("request cancelled by the client", "method", r.Method, "url", redactURL(r.URL), "request_id", rid)
		e = newError(ossxml.CodeIncompleteBody, "The client closed the connection before sending the whole body.")
	case errors.Is(err, syscall.ENOSPC):
		s.diskFull(rid)
		e = newError(ossxml.CodeInsufficientStorage, "")
	default:
		s.log.Error("internal error", "method", r.Method, "url", redactURL(r.URL), "request_id", rid, "err", err)
		e = newError(ossxml.CodeInternalError, "")
	}
	body := e.body
	body.RequestID = rid
	body.HostID = r.Host
	xmlSafeError(&body)
	if requestDialect(r) == dialectS3 {
		writeS3Error(w, r, body, e.status)
		return
	}
	h := w.Header()
	if body.EC != "" {
		h.Set("x-oss-ec", body.EC)
	}
	if r.Method == http.MethodHead || e.status == http.StatusNotModified {
		if v, err := ossxml.EncodeErrHeader(&body); err == nil && e.status != http.StatusNotModified {
			h.Set("x-oss-err", v)
		}
		h.Set("Content-Length", "0")
		w.WriteHeader(e.status)
		return
	}
	b, merr := ossxml.Marshal(&body)
	if merr != nil {
		s.log.Error("marshal error body", "err", merr)
	}
	h.Set("Content-Type", "application/xml")
	h.Del("Content-Length")
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// diskFullEvery spaces the warnings a full disk logs: one a minute, not
// one per refused request.
const diskFullEvery = time.Minute

var lastDiskFull atomic.Int64

func (s *Server) diskFull(rid string) {
	t := now().UnixNano()
	last := lastDiskFull.Load()
	if t-last < int64(diskFullEvery) || !lastDiskFull.CompareAndSwap(last, t) {
		return
	}
	s.log.Warn("the disk is full: writes are refused until space is freed", "data", s.cfg.Dir, "request_id", rid)
}

// xmlSafeError makes every text of an error body legal XML 1.0. Keys may
// hold control characters that XML cannot carry even as character
// references, which strict parsers reject: in error bodies they are
// percent-encoded instead (a key "a\x01b" is reported as "a%01b").
func xmlSafeError(e *ossxml.Error) {
	for _, f := range []*string{
		&e.Code, &e.Message, &e.HostID, &e.Key, &e.BucketName, &e.UploadID, &e.ArgumentName,
		&e.ArgumentValue, &e.SignatureProvided, &e.StringToSign, &e.OSSAccessKeyID, &e.Endpoint,
		&e.RequestTime, &e.ServerTime,
	} {
		*f = xmlSafe(*f)
	}
}

func xmlSafe(s string) string {
	clean := true
	for _, r := range s {
		if !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if xmlChar(r) {
			b.WriteRune(r)
			continue
		}
		n := utf8.RuneLen(r)
		if r == utf8.RuneError {
			n = 1 // an invalid byte
		}
		for _, c := range []byte(s[i : i+n]) {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// xmlChar reports whether r may appear in an XML 1.0 document. RuneError
// stands for invalid UTF-8 here and is refused too.
func xmlChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r < 0x20 || r == utf8.RuneError:
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= utf8.MaxRune
}
