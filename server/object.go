package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// maxUserMeta caps the total size of x-oss-meta-* names and values.
const maxUserMeta = 8 << 10

// metadata reads the object metadata a PutObject or
// InitiateMultipartUpload request carries.
func metadata(r *http.Request) (store.Metadata, error) {
	h := r.Header
	m := store.Metadata{
		ContentType:        h.Get("Content-Type"),
		CacheControl:       h.Get("Cache-Control"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		Expires:            h.Get("Expires"),
		StorageClass:       h.Get("x-oss-storage-class"),
	}
	if m.ContentType == "" {
		m.ContentType = "application/octet-stream"
	}
	var err error
	if m.ACL, err = objectACL(r); err != nil {
		return m, err
	}
	if m.Tags, err = taggingHeader(r); err != nil {
		return m, err
	}
	if m.StorageClass != "" && !storageClasses[m.StorageClass] {
		return m, invalidArgument("x-oss-storage-class", m.StorageClass, "The storage class is not valid.")
	}
	total := 0
	for k, v := range h {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-")
		if !ok || len(v) == 0 {
			continue
		}
		if m.User == nil {
			m.User = map[string]string{}
		}
		m.User[name] = v[0]
		total += len(name) + len(v[0])
	}
	if total > maxUserMeta {
		return m, invalidArgument("x-oss-meta-*", "", "The user metadata is larger than 8 KB.")
	}
	return m, nil
}

// objectMetadata is metadata(r) with the storage class defaulted to the
// bucket's, as OSS does for objects put without x-oss-storage-class.
func (s *Server) objectMetadata(ctx context.Context, r *http.Request, rq *request) (store.Metadata, error) {
	m, err := metadata(r)
	if err != nil || m.StorageClass != "" {
		return m, err
	}
	b, err := s.store.GetBucket(ctx, rq.bucket)
	if err != nil {
		return m, storeError(err, rq)
	}
	m.StorageClass = b.StorageClass
	return m, nil
}

// setObjectHeaders writes what GET and HEAD report about an object.
func setObjectHeaders(h http.Header, o store.Object) {
	h.Set("ETag", quoteETag(o.ETag))
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", o.Type)
	h.Set("x-oss-storage-class", storageClass(o.Meta))
	h.Set("x-oss-hash-crc64ecma", crc64.Format(o.CRC64))
	h.Set("Content-Type", o.Meta.ContentType)
	if o.ContentMD5 != "" {
		h.Set("Content-MD5", o.ContentMD5)
	}
	for name, v := range map[string]string{
		"Cache-Control": o.Meta.CacheControl, "Content-Disposition": o.Meta.ContentDisposition,
		"Content-Encoding": o.Meta.ContentEncoding, "Expires": o.Meta.Expires,
	} {
		if v != "" {
			h.Set(name, v)
		}
	}
	setUserMeta(h, o)
	setTagCount(h, o)
	setVersionHeaders(h, o)
	if o.Type == store.TypeAppendable {
		h.Set("x-oss-next-append-position", strconv.FormatInt(o.Size, 10))
	}
}

// setUserMeta writes an object's x-oss-meta-* headers.
func setUserMeta(h http.Header, o store.Object) {
	for k, v := range o.Meta.User {
		h["x-oss-meta-"+k] = []string{v}
	}
}

// setWriteHeaders writes what PutObject, UploadPart and Complete report.
func setWriteHeaders(h http.Header, etag, contentMD5 string, crc uint64) {
	h.Set("ETag", quoteETag(etag))
	if contentMD5 != "" {
		h.Set("Content-MD5", contentMD5)
	}
	h.Set("x-oss-hash-crc64ecma", crc64.Format(crc))
}

// objectACL reads x-oss-object-acl: default (inherit the bucket's),
// private, public-read or public-read-write.
func objectACL(r *http.Request) (string, error) {
	acl := r.Header.Get("x-oss-object-acl")
	if acl != "" && acl != "default" && !cannedACLs[acl] {
		return "", invalidArgument("x-oss-object-acl", acl, "The object ACL must be default, private, public-read or public-read-write.")
	}
	return acl, nil
}

func forbidOverwrite(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("x-oss-forbid-overwrite"), "true")
}

func (s *Server) putObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	meta, err := s.objectMetadata(ctx, r, rq)
	if err != nil {
		return err
	}
	cb, err := parseCallback(r, rq)
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
	opts := store.PutOptions{ContentMD5: sum, ForbidOverwrite: forbidOverwrite(r)}
	if rq.s3 {
		opts.Checksum = func() string {
			if strings.HasPrefix(rq.checksum, "crc64nvme:") {
				return "" // kept for every object anyway
			}
			return rq.checksum
		}
	}
	obj, err := s.store.PutObject(ctx, rq.bucket, rq.key, body, size, meta, opts)
	if err != nil {
		return storeError(err, rq)
	}
	setWriteHeaders(w.Header(), obj.ETag, obj.ContentMD5, obj.CRC64)
	setVersionHeaders(w.Header(), obj)
	setS3NVME(w.Header(), r, obj.CRC64NVME, obj.HasNVME, true)
	if cb != nil {
		return s.runCallback(ctx, w, rq, cb, obj)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) headObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	obj, err := s.headObjectThrough(ctx, w, r, rq)
	if err != nil {
		return err
	}
	if err := checkConditions(r, obj); err != nil {
		return err
	}
	setObjectHeaders(w.Header(), obj)
	s.setRestoreHeader(w.Header(), obj)
	if s3ChecksumMode(r) {
		setS3Checksums(w.Header(), r, obj)
	}
	w.Header().Set("Content-Length", strconv.FormatInt(obj.Size, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectMeta answers HEAD ?objectMeta: the object's ETag, size,
// modification time and CRC-64, without its metadata.
func (s *Server) getObjectMeta(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	obj, err := s.store.HeadVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return versionedError(w, err, obj, rq)
	}
	h := w.Header()
	setVersionHeaders(h, obj)
	h.Set("ETag", quoteETag(obj.ETag))
	h.Set("Last-Modified", obj.Modified.UTC().Format(http.TimeFormat))
	h.Set("x-oss-last-access-time", obj.Modified.UTC().Format(http.TimeFormat))
	h.Set("x-oss-hash-crc64ecma", crc64.Format(obj.CRC64))
	h.Set("Content-Length", strconv.FormatInt(obj.Size, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

// responseOverrides are the GetObject query parameters that replace a
// response header.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func (s *Server) getObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	obj, rd, err := s.openObject(ctx, w, r, rq)
	if err != nil {
		return err
	}
	defer rd.Close()
	if err := checkConditions(r, obj); err != nil {
		return err
	}
	limit, err := trafficLimit(r)
	if err != nil {
		return err
	}
	standard := strings.EqualFold(r.Header.Get("x-oss-range-behavior"), "standard")
	rng, err := parseRange(r.Header.Get("Range"), obj.Size, standard)
	if err != nil {
		return err
	}
	h := w.Header()
	setObjectHeaders(h, obj)
	s.setRestoreHeader(h, obj)
	for param, header := range responseOverrides {
		if v := rq.query.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	status := http.StatusOK
	if !rng.partial && s3ChecksumMode(r) {
		// S3 gives the checksum of whole objects only.
		setS3Checksums(h, r, obj)
	}
	if rng.partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", "bytes "+strconv.FormatInt(rng.start, 10)+"-"+strconv.FormatInt(rng.start+rng.length-1, 10)+"/"+strconv.FormatInt(obj.Size, 10))
	}
	h.Set("Content-Length", strconv.FormatInt(rng.length, 10))
	if _, err := rd.Seek(rng.start, io.SeekStart); err != nil {
		return err
	}
	w.WriteHeader(status)
	var dw io.Writer = &deadlineWriter{w: w, rc: http.NewResponseController(w), idle: s.cfg.IdleTimeout}
	if limit > 0 {
		dw = &throttledWriter{w: dw, t: newThrottle(ctx, limit)}
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	if n, err := io.CopyBuffer(dw, io.LimitReader(rd, rng.length), *buf); err != nil || n != rng.length {
		// The status line is out: the only honest signal left is to cut the
		// connection so the client sees a short body.
		s.log.Warn("get object aborted", "bucket", rq.bucket, "key", rq.key, "request_id", rq.rid, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

func (s *Server) deleteObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	// A version that does not exist is nothing to delete, as S3 and OSS
	// answer.
	res, err := s.store.DeleteVersions(ctx, rq.bucket, []store.ObjectVersion{{Key: rq.key, VersionID: version}})
	if err != nil {
		return storeError(err, rq)
	}
	h := w.Header()
	switch d := res[0]; {
	case d.DeleteMarker:
		h.Set("x-oss-delete-marker", "true")
		h.Set("x-oss-version-id", d.MarkerVersionID)
	case version != "":
		h.Set("x-oss-version-id", version)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// copyBufs holds the buffers GetObject streams through: large enough that
// the per-write deadline update and syscall cost vanish against the copy.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// maxDeleteObjects is the most keys one DeleteMultipleObjects request may
// name.
const maxDeleteObjects = limits.MaxDeleteObjects

// deleteObjects answers DeleteMultipleObjects. The body is decoded as it
// arrives and refused at its 1,001st object, so a 4 MiB body of tiny
// objects costs what a valid one does; its Content-MD5, which OSS
// requires, is computed on the way and checked before anything is
// deleted. All the keys go in one store transaction.
func (s *Server) deleteObjects(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	enc, err := encodingURL(rq)
	if err != nil {
		return err
	}
	want, err := contentMD5(r)
	if err != nil {
		return err
	}
	// S3 takes any checksum of the body in place of Content-MD5.
	var check bodyCheck
	if rq.s3 {
		alg, sum, err := requestChecksum(r, false)
		if err != nil {
			return err
		}
		if alg != "" {
			check = bodyCheck{alg: alg, h: s3ChecksumAlgorithms[alg](), want: sum}
		}
	}
	if want == nil && check.h == nil {
		e := newError(ossxml.CodeMissingArgument, ossxml.MessageMissingArguments)
		e.body.ArgumentName, e.body.EC = "Content-MD5", ossxml.ECMissingContentMD5
		return e
	}
	del, err := s.readDelete(w, r, want, check)
	if err != nil {
		return err
	}
	objs := make([]store.ObjectVersion, 0, len(del.Objects))
	for _, o := range del.Objects {
		if err := validKey(o.Key); err != nil {
			return err
		}
		// A version that does not exist is reported deleted, as a
		// missing key is.
		objs = append(objs, store.ObjectVersion{Key: o.Key, VersionID: o.VersionID})
	}
	if rq.policyPerKey {
		denied, err := s.keyDenier(ctx, r, rq)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if denied(o) {
				return accessDenied("Access denied by bucket policy: you may not delete " + o.Key + ".")
			}
		}
	}
	if !rq.owner() {
		// The bucket grants writes; an object's own ACL may still refuse.
		for _, o := range del.Objects {
			if !grants(s.effectiveACL(ctx, rq.b, o.Key, o.VersionID), accessWrite) {
				return accessDenied("You have no right to delete " + o.Key + ": its ACL does not grant writes.")
			}
		}
	}
	done, err := s.store.DeleteVersions(ctx, rq.bucket, objs)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.DeleteResult{}
	if !del.Quiet {
		res.Deleted = make([]ossxml.DeletedObject, len(done))
		for i, d := range done {
			res.Deleted[i] = ossxml.DeletedObject{Key: d.Key, VersionID: d.VersionID, DeleteMarker: d.DeleteMarker}
			if d.DeleteMarker {
				res.Deleted[i].DeleteMarkerVersionID = d.MarkerVersionID
			}
		}
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

// bodyCheck is a checksum an S3 request's body must have.
type bodyCheck struct {
	alg  string
	h    hash.Hash // nil when there is none
	want []byte
}

// readDelete decodes a DeleteMultipleObjects body of at most maxXMLBody
// bytes and maxDeleteObjects objects, and checks it against the MD5 want,
// when not nil, and check, when set.
func (s *Server) readDelete(w http.ResponseWriter, r *http.Request, want []byte, check bodyCheck) (*ossxml.Delete, error) {
	tooLarge := newError(ossxml.CodeMalformedXML, "The XML body is too large.")
	if r.ContentLength > maxXMLBody {
		return nil, tooLarge
	}
	wantSHA, err := payloadHash(r)
	if err != nil {
		return nil, err
	}
	body := &bodyReader{r: io.LimitReader(s.body(w, r), maxXMLBody+1)}
	sum, sha := md5.New(), sha256.New()
	hashes := io.MultiWriter(sum, sha)
	if check.h != nil {
		hashes = io.MultiWriter(sum, sha, check.h)
	}
	del, err := ossxml.DecodeDelete(io.TeeReader(body, hashes), maxDeleteObjects)
	switch {
	case body.n > maxXMLBody:
		return nil, tooLarge
	case isTimeout(body.err):
		return nil, newError(ossxml.CodeRequestTimeout, "")
	case body.err != nil:
		return nil, newError(ossxml.CodeIncompleteBody, "")
	case err != nil:
		return nil, newError(ossxml.CodeMalformedXML, "")
	case want != nil && !bytes.Equal(sum.Sum(nil), want):
		return nil, newError(ossxml.CodeInvalidDigest, "")
	case check.h != nil && !bytes.Equal(check.h.Sum(nil), check.want):
		return nil, newS3Error("BadDigest", http.StatusBadRequest, "The "+strings.ToUpper(check.alg)+" you specified did not match the calculated checksum.")
	case wantSHA != nil && !bytes.Equal(sha.Sum(nil), wantSHA):
		return nil, payloadMismatch(r.Header.Get(sign.HeaderContentSHA256))
	case len(del.Objects) == 0:
		return nil, newError(ossxml.CodeMalformedXML, "")
	}
	return del, nil
}

// bodyReader counts the bytes read from a request body and keeps the
// first error other than io.EOF, so that a failed read is told apart from
// a malformed document.
type bodyReader struct {
	r   io.Reader
	n   int64
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// etagMD5 returns the base64 Content-MD5 of a single-part ETag (its hex MD5).
func etagMD5(etag string) string {
	b, err := hex.DecodeString(etag)
	if err != nil || len(b) != 16 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
