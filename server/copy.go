package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// copySource is the object a CopyObject or UploadPartCopy reads.
type copySource struct {
	bucket, key string
	version     string // "" for the current object
}

// parseCopySource reads x-oss-copy-source: /<bucket>/<key>, the key
// URL-encoded (decoded with query semantics, so + is a space, which both
// official SDKs' encodings survive), optionally followed by ?versionId=.
func parseCopySource(r *http.Request) (copySource, error) {
	raw := r.Header.Get("x-oss-copy-source")
	bad := func(msg string) error { return invalidArgument("x-oss-copy-source", raw, msg) }
	path, query, _ := strings.Cut(raw, "?")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil || len(q) != 1 || len(q["versionId"]) != 1 || q.Get("versionId") == "" {
			return copySource{}, bad("The copy source may carry only a versionId, once and not empty.")
		}
	}
	if !strings.HasPrefix(path, "/") {
		return copySource{}, bad("The copy source must start with /.")
	}
	dec, err := url.QueryUnescape(path[1:])
	if err != nil {
		return copySource{}, bad("The copy source is not URL-encoded correctly.")
	}
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || !validBucketName(bucket) {
		return copySource{}, bad("The copy source must name a bucket and an object: /bucket/key.")
	}
	if err := validKey(key); err != nil {
		return copySource{}, err
	}
	version := ""
	if query != "" {
		q, _ := url.ParseQuery(query)
		version = q.Get("versionId")
	}
	return copySource{bucket: bucket, key: key, version: version}, nil
}

// readableSource checks that the caller may read the copy source, as a
// GetObject of it: its bucket's policy may deny it (or allow it); then
// the owner of its bucket may, anyone else as the object's ACL (or, when
// it is default, the bucket's) grants.
func (s *Server) readableSource(ctx context.Context, r *http.Request, rq *request, src copySource) error {
	return s.readable(ctx, r, rq, src, "the copy source")
}

// readable checks that the caller of rq may read src (named what in the
// refusal) as a GetObject of it: see readableSource. A symlink's target
// is checked so too, so that a link never reads what its target's policy
// and ACL refuse.
func (s *Server) readable(ctx context.Context, r *http.Request, rq *request, src copySource, what string) error {
	b, err := s.store.GetBucket(ctx, src.bucket)
	if errors.Is(err, store.ErrNoSuchBucket) {
		return noSuchBucket(src.bucket)
	}
	if err != nil {
		return err
	}
	v, err := s.sourceVerdict(ctx, r, rq, b, src.key, src.version)
	switch {
	case err != nil:
		return err
	case v == policyDeny:
		return deniedByPolicy()
	case v == policyAllow, !rq.id.Anonymous() && rq.account == b.Owner:
		return nil
	}
	if !grants(s.effectiveACL(ctx, b, src.key, src.version), accessRead) {
		return accessDenied("You have no right to read " + what + ".")
	}
	return nil
}

// copySourceOf reads the copy source of a CopyObject or UploadPartCopy,
// checks that the caller may read it, and returns the check of its
// conditions.
func (s *Server) copySourceOf(ctx context.Context, r *http.Request, rq *request) (copySource, func(store.Object) error, error) {
	src, err := parseCopySource(r)
	if err != nil {
		return copySource{}, nil, err
	}
	if err := s.readableSource(ctx, r, rq, src); err != nil {
		return copySource{}, nil, err
	}
	conditions, err := copyConditions(r)
	if err != nil {
		return copySource{}, nil, err
	}
	// A frozen archived source is refused before its conditions are judged.
	check := func(o store.Object) error {
		if err := s.checkReadable(o); err != nil {
			return err
		}
		return conditions(o)
	}
	return src, check, nil
}

// copyConditions returns the check of the x-oss-copy-source-if-*
// headers: a failed If-Match or If-Unmodified-Since is 412
// PreconditionFailed, a failed If-None-Match or If-Modified-Since 304 Not
// Modified, as OSS documents. If-Match, when present, decides alone over
// If-Unmodified-Since, and If-None-Match over If-Modified-Since: a source
// whose ETag matches is copied even if modified since the date.
func copyConditions(r *http.Request) (func(store.Object) error, error) {
	h := r.Header
	const prefix = "x-oss-copy-source-"
	match, noneMatch := h.Get(prefix+"if-match"), h.Get(prefix+"if-none-match")
	var unmodified, modified time.Time
	for name, t := range map[string]*time.Time{prefix + "if-unmodified-since": &unmodified, prefix + "if-modified-since": &modified} {
		if v := h.Get(name); v != "" {
			p, err := http.ParseTime(v)
			if err != nil {
				return nil, invalidArgument(name, v, "The date is not in the HTTP date format.")
			}
			*t = p
		}
	}
	failed := func() error { return newError(ossxml.CodePreconditionFailed, "") }
	notModified := func() error { return newError(ossxml.CodeNotModified, "") }
	return func(o store.Object) error {
		at := o.Modified.Truncate(time.Second)
		switch {
		case match != "":
			if !etagListHas(match, o.ETag) {
				return failed()
			}
		case !unmodified.IsZero() && at.After(unmodified):
			return failed()
		}
		switch {
		case noneMatch != "":
			if etagListHas(noneMatch, o.ETag) {
				return notModified()
			}
		case !modified.IsZero() && !at.After(modified):
			return notModified()
		}
		return nil
	}, nil
}

// directive reads x-oss-metadata-directive or x-oss-tagging-directive:
// COPY (the default) or REPLACE, in any letter case (the v2 SDK sends
// the case it is given).
func directive(r *http.Request, name string) (replace bool, err error) {
	switch v := r.Header.Get(name); strings.ToUpper(v) {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, invalidArgument(name, v, "The directive must be COPY or REPLACE.")
	}
}

// copyObject answers CopyObject. The copy shares the source's data (see
// store.Disk.CopyObject). With x-oss-metadata-directive COPY it takes the
// source's metadata, with REPLACE the request's; x-oss-tagging-directive
// does the same for tags. The copy's ACL is x-oss-object-acl or default,
// and its storage class x-oss-storage-class or, with COPY, the source's.
// Copying an object onto itself must change something (REPLACE, an ACL,
// a storage class): a copy that changes nothing is refused with
// InvalidArgument.
func (s *Server) copyObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	src, check, err := s.copySourceOf(ctx, r, rq)
	if err != nil {
		return err
	}
	replaceMeta, err := directive(r, "x-oss-metadata-directive")
	if err != nil {
		return err
	}
	replaceTags, err := directive(r, "x-oss-tagging-directive")
	if err != nil {
		return err
	}
	reqMeta, err := s.objectMetadata(ctx, r, rq)
	if err != nil {
		return err
	}
	class := r.Header.Get("x-oss-storage-class")
	// Copying an older version onto its key restores it: not a no-op.
	self := src.bucket == rq.bucket && src.key == rq.key && src.version == ""
	if self && !replaceMeta && !replaceTags && reqMeta.ACL == "" && class == "" {
		return invalidArgument("x-oss-metadata-directive", "COPY",
			"The source and destination are the same object and the copy changes nothing: use x-oss-metadata-directive REPLACE to change its metadata.")
	}
	meta := func(o store.Object) (store.Metadata, error) {
		m := reqMeta
		if !replaceMeta {
			m = o.Meta
			m.ACL = reqMeta.ACL
			if class != "" {
				m.StorageClass = class
			}
		}
		m.Tags = o.Meta.Tags
		if replaceTags {
			m.Tags = reqMeta.Tags
		}
		return m, nil
	}
	var srcVersion string
	opts := store.CopyOptions{Meta: meta, ForbidOverwrite: forbidOverwrite(r), SourceVersion: src.version,
		Check: func(o store.Object) error {
			srcVersion = o.VersionID
			return check(o)
		}}
	obj, err := s.store.CopyObject(ctx, src.bucket, src.key, rq.bucket, rq.key, opts)
	if err != nil {
		return copyError(err, rq, src)
	}
	w.Header().Set("x-oss-hash-crc64ecma", crc64.Format(obj.CRC64))
	setVersionHeaders(w.Header(), obj)
	if srcVersion != "" {
		w.Header().Set("x-oss-copy-source-version-id", srcVersion)
	}
	return writeXML(w, &ossxml.CopyObjectResult{ETag: quoteETag(obj.ETag), LastModified: ossxml.Time{Time: obj.Modified}})
}

// copyError maps a store error of a copy: a missing key is the source's.
func copyError(err error, rq *request, src copySource) error {
	var api *apiError
	if errors.As(err, &api) {
		return err
	}
	switch {
	case errors.Is(err, store.ErrNoSuchKey):
		return noSuchKey(src.key)
	case errors.Is(err, store.ErrDeleteMarker):
		return invalidArgument("x-oss-copy-source", src.version, "The copy source version is a delete marker.")
	case errors.Is(err, store.ErrNoSuchVersion):
		e := newError(ossxml.CodeNoSuchVersion, "")
		e.body.Key = src.key
		return e
	case errors.Is(err, store.ErrNoSuchBucket):
		// The destination was checked before the copy; the source went.
		return noSuchBucket(src.bucket)
	}
	return storeError(err, rq)
}

// copyRange reads x-oss-copy-source-range, bytes=first-last: the offset
// and length it names, or 0 and -1 (the whole source) when absent.
func copyRange(r *http.Request) (off, length int64, err error) {
	v := r.Header.Get("x-oss-copy-source-range")
	if v == "" {
		return 0, -1, nil
	}
	bad := invalidArgument("x-oss-copy-source-range", v, "The range must be bytes=first-last with first <= last.")
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, bad
	}
	return first, last - first + 1, nil
}

// uploadPartCopy answers UploadPartCopy: part n of the upload from a
// range of the source, sharing the source blobs the range covers whole
// (see store.Disk.CopyPart). A range outside the source is InvalidArgument.
// A symlink source is read through: the range is of its target, as GET
// through the link serves it (CopyObject, by contrast, copies the link).
func (s *Server) uploadPartCopy(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	n, err := partNumber(rq)
	if err != nil {
		return err
	}
	id := rq.query.Get("uploadId")
	if id == "" {
		return invalidArgument("uploadId", "", "The uploadId parameter is required.")
	}
	src, check, err := s.copySourceOf(ctx, r, rq)
	if err != nil {
		return err
	}
	off, length, err := copyRange(r)
	if err != nil {
		return err
	}
	// A part copied from a symlink is a range of its target's (current)
	// bytes.
	if o, err := s.store.HeadVersion(ctx, src.bucket, src.key, src.version); err == nil && o.Type == store.TypeSymlink {
		target, err := s.store.HeadObject(ctx, src.bucket, o.Target)
		if err := symlinkTarget(err, target); err != nil {
			return err
		}
		src.key, src.version = o.Target, ""
		if err := s.readable(ctx, r, rq, src, "the symlink's target"); err != nil {
			return err
		}
	}
	var srcVersion string
	part, err := s.store.CopyPart(ctx, rq.bucket, rq.key, id, n, src.bucket, src.key, src.version, off, length, func(o store.Object) error {
		srcVersion = o.VersionID
		return check(o)
	})
	switch {
	case errors.Is(err, store.ErrNoSuchUpload):
		e := noSuchUpload(id)
		e.body.EC = ossxml.ECNoSuchUploadCopy
		return e
	case errors.Is(err, store.ErrInvalidArgument):
		return invalidArgument("x-oss-copy-source-range", r.Header.Get("x-oss-copy-source-range"), "The range is outside the copy source.")
	case err != nil:
		return copyError(err, rq, src)
	}
	w.Header().Set("x-oss-hash-crc64ecma", crc64.Format(part.CRC64))
	if srcVersion != "" {
		w.Header().Set("x-oss-copy-source-version-id", srcVersion)
	}
	return writeXML(w, &ossxml.CopyPartResult{ETag: quoteETag(part.ETag), LastModified: ossxml.Time{Time: part.Modified}})
}
