package oss

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
)

// ErrPaginationStalled is wrapped by the error a listing yields when the
// service reports that more pages follow but names no next page, or one
// that does not lie after the page it answered. Following such a marker
// would ask for the same page, or an earlier one, again and again.
var ErrPaginationStalled = errors.New("pagination stalled")

// PaginationError is yielded, after the page that carried the bad marker,
// by a listing whose service answered a truncated page with a next
// marker that does not move the listing forward. It wraps
// ErrPaginationStalled.
type PaginationError struct {
	Listing string // the operation, e.g. "ListMultipartUploads"
	Marker  string // the marker the last request sent, as query parameters
	Next    string // the next marker the service returned, "" for none
}

// Error describes the listing, the marker sent and the one returned.
func (e *PaginationError) Error() string {
	var why string
	switch {
	case e.Next == "":
		why = "no next marker"
	case e.Next == e.Marker:
		why = "the same marker again (" + e.Next + ")"
	default:
		why = "a marker that goes backwards (" + e.Next + ")"
	}
	sent := e.Marker
	if sent == "" {
		sent = "no marker"
	}
	return fmt.Sprintf("oss: %s: after a request with %s the service reported more pages but returned %s: %v", e.Listing, sent, why, ErrPaginationStalled)
}

// Unwrap returns ErrPaginationStalled.
func (e *PaginationError) Unwrap() error { return ErrPaginationStalled }

// pageMarker is where a listing resumes. The zero value is "from the
// start" (or, returned as a next marker, "none"); after reports whether m
// lies strictly after prev in the listing's order; String renders the
// marker as the query parameters that carry it, for errors.
type pageMarker[M any] interface {
	comparable
	fmt.Stringer
	after(prev M) bool
}

// pageFetch requests the page that starts at marker and returns it, the
// marker of the page after it, and whether there is one (truncated).
type pageFetch[P any, M pageMarker[M]] func(ctx context.Context, marker M) (page P, next M, truncated bool, err error)

// paginate iterates over the pages of a listing named listing, starting
// at start. It is the one loop behind every listing: it stops when a page
// is not truncated, when the consumer stops, or at the first error, which
// it yields. A truncated page whose next marker is empty, equal to the
// marker just sent or not after it is yielded, then a *PaginationError,
// so a service that does not move its marker costs at most two requests
// and never an endless loop. No request is sent once ctx is done.
func paginate[P any, M pageMarker[M]](ctx context.Context, listing string, start M, fetch pageFetch[P, M]) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var zero P
		marker := start
		for {
			if ctx.Err() != nil {
				yield(zero, fmt.Errorf("oss: %s: %w", listing, ctxErr(ctx)))
				return
			}
			page, next, truncated, err := fetch(ctx, marker)
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(page, nil) || !truncated {
				return
			}
			if err := advances(listing, marker, next); err != nil {
				yield(zero, err)
				return
			}
			marker = next
		}
	}
}

// advances returns a *PaginationError unless next is a marker after prev.
func advances[M pageMarker[M]](listing string, prev, next M) error {
	var none M
	if next != none && next != prev && next.after(prev) {
		return nil
	}
	e := &PaginationError{Listing: listing}
	if prev != none {
		e.Marker = prev.String()
	}
	if next != none {
		e.Next = next.String()
	}
	return e
}

// failed is a listing that yields err alone, for requests that are
// invalid before any page is asked for.
func failed[P any](err error) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var zero P
		yield(zero, err)
	}
}

// keyMarker resumes a listing after a name (ListBuckets' marker). Names
// are listed in byte order, so the next marker must be greater.
type keyMarker string

func (m keyMarker) after(prev keyMarker) bool { return m > prev }
func (m keyMarker) String() string            { return "marker=" + strconv.Quote(string(m)) }

// tokenMarker is an opaque continuation token (ListObjectsV2): it has no
// order, so only an empty or repeated token is refused.
type tokenMarker string

func (m tokenMarker) after(prev tokenMarker) bool { return m != prev }
func (m tokenMarker) String() string              { return "continuation-token=" + strconv.Quote(string(m)) }

// partMarker resumes ListParts after a part number, which must grow.
type partMarker int

func (m partMarker) after(prev partMarker) bool { return m > prev }
func (m partMarker) String() string             { return "part-number-marker=" + strconv.Itoa(int(m)) }

// uploadMarker resumes ListMultipartUploads after an upload: the key
// (or common prefix) and, within it, the upload id; no upload id means
// after every upload of the key. Keys are in byte order, so the key may
// not go backwards. Upload ids are compared only for equality: the OSS
// documentation orders a key's uploads by "greater" upload id without
// saying what greater means, and a check of byte order could refuse a
// correct service.
type uploadMarker struct {
	key, uploadID string
}

func (m uploadMarker) after(prev uploadMarker) bool {
	switch {
	case m.key != prev.key:
		return m.key > prev.key
	case prev.uploadID == "":
		return false // prev is already past every upload of the key
	}
	return m.uploadID != prev.uploadID
}

func (m uploadMarker) String() string {
	return "key-marker=" + strconv.Quote(m.key) + " upload-id-marker=" + strconv.Quote(m.uploadID)
}
