package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// byteRange is the part of an object a GET returns.
type byteRange struct {
	start, length int64
	partial       bool // 206 with Content-Range
}

// parseRange applies OSS's Range rules. Only a single "bytes=" range is
// honoured (of several, the first). By default a range OSS cannot satisfy
// exactly (malformed, end past the object, start past the object) returns
// the whole object with 200. With x-oss-range-behavior: standard, an end
// past the object is clipped (206) and a start past it is InvalidRange
// (416).
func parseRange(header string, size int64, standard bool) (byteRange, error) {
	whole := byteRange{length: size}
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !ok {
		return whole, nil
	}
	spec, _, _ = strings.Cut(spec, ",")
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return whole, nil
	}
	unsatisfiable := func() (byteRange, error) {
		if standard {
			e := newError(ossxml.CodeInvalidRange, "The requested range cannot be satisfied.")
			return byteRange{}, e
		}
		return whole, nil
	}
	if first == "" { // suffix: the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return whole, nil
		}
		if size == 0 {
			return unsatisfiable()
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n, partial: true}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return whole, nil
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return whole, nil
		}
	}
	switch {
	case start >= size:
		return unsatisfiable()
	case end >= size && !standard:
		return whole, nil
	}
	end = min(end, size-1)
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}

// checkConditions applies If-Match, If-Unmodified-Since (412 when they
// fail), If-None-Match and If-Modified-Since (304 when they hold). ETags
// compare without their quotes.
func checkConditions(r *http.Request, o store.Object) error {
	h := r.Header
	etagIn := func(list string) bool { return etagListHas(list, o.ETag) }
	modified := o.Modified.Truncate(time.Second)
	if v := h.Get("If-Match"); v != "" && !etagIn(v) {
		return newError(ossxml.CodePreconditionFailed, "")
	}
	if v := h.Get("If-Unmodified-Since"); v != "" && h.Get("If-Match") == "" {
		if t, err := http.ParseTime(v); err == nil && modified.After(t) {
			return newError(ossxml.CodePreconditionFailed, "")
		}
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagIn(v) {
			return newError(ossxml.CodeNotModified, "")
		}
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !modified.After(t) {
			return newError(ossxml.CodeNotModified, "")
		}
	}
	return nil
}

// etagListHas reports whether a comma-separated list of (optionally
// quoted) ETags names etag or is *.
func etagListHas(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.Trim(strings.TrimSpace(e), `"`)
		if e == "*" || strings.EqualFold(e, etag) {
			return true
		}
	}
	return false
}
