package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// appendObject answers AppendObject (POST ?append&position=N). The first
// append (position 0 on a free key) creates an Appendable object with the
// request's metadata; each append answers the next position in
// x-oss-next-append-position and the CRC-64 of the whole object so far.
// A wrong position is 409 PositionNotEqualToLength, carrying the right
// one in x-oss-next-append-position; appending to a Normal or Multipart
// object is 409 ObjectNotAppendable.
func (s *Server) appendObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	v := rq.query.Get("position")
	position, err := strconv.ParseInt(v, 10, 64)
	if err != nil || position < 0 {
		return invalidArgument("position", v, "The position must be a non-negative integer.")
	}
	meta, err := s.objectMetadata(ctx, r, rq)
	if err != nil {
		return err
	}
	body, size, err := s.sizedBody(w, r, rq)
	if err != nil {
		return err
	}
	sum, err := contentMD5(r)
	if err != nil {
		return err
	}
	obj, err := s.store.AppendObject(ctx, rq.bucket, rq.key, position, body, size, meta, store.PutOptions{ContentMD5: sum})
	var pe *store.PositionError
	switch {
	case errors.As(err, &pe):
		w.Header().Set("x-oss-next-append-position", strconv.FormatInt(pe.Length, 10))
		return newError(ossxml.CodePositionNotEqualToLength, "")
	case errors.Is(err, store.ErrObjectNotAppendable):
		return newError(ossxml.CodeObjectNotAppendable, "")
	case err != nil:
		return storeError(err, rq)
	}
	h := w.Header()
	h.Set("ETag", quoteETag(obj.ETag))
	h.Set("x-oss-next-append-position", strconv.FormatInt(obj.Size, 10))
	h.Set("x-oss-hash-crc64ecma", crc64.Format(obj.CRC64))
	setVersionHeaders(h, obj)
	w.WriteHeader(http.StatusOK)
	return nil
}
