package server

import (
	"context"
	"errors"
	"net/http"

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

// authError maps a signature verification failure to its OSS error.
func authError(err error) error {
	e, ok := errors.AsType[*sign.Error](err)
	if !ok {
		return err
	}
	out := newError(e.Code(), e.Message)
	out.body.StringToSign = e.StringToSign
	out.body.SignatureProvided = e.SignatureProvided
	if e.Kind == sign.KindSignatureMismatch {
		out.body.OSSAccessKeyID = e.AccessKeyID
	}
	out.body.ArgumentName, out.body.ArgumentValue = e.ArgumentName, e.ArgumentValue
	return out
}

// writeError renders err as OSS error XML (or, for HEAD, as the x-oss-err
// header). Anything that is not an *apiError is logged and answered as
// InternalError: a client never sees a bare 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, rid string, err error) {
	e, ok := errors.AsType[*apiError](err)
	if !ok && r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away mid-request: nothing was stored, and there
		// is nobody to answer.
		s.log.Debug("request cancelled by the client", "method", r.Method, "url", r.URL.String(), "request_id", rid)
		e = newError(ossxml.CodeRequestTimeout, "The request was cancelled.")
	} else if !ok {
		s.log.Error("internal error", "method", r.Method, "url", r.URL.String(), "request_id", rid, "err", err)
		e = newError(ossxml.CodeInternalError, "")
	}
	body := e.body
	body.RequestID = rid
	body.HostID = r.Host
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
