package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// MaxKeyLength is the longest object key, in bytes.
const MaxKeyLength = 1023

// request is what routing learned about an incoming request.
type request struct {
	rid    string
	bucket string // empty for service-level requests
	key    string // empty for service- and bucket-level requests
	query  url.Values
	id     sign.Identity
}

func (rq *request) has(name string) bool {
	_, ok := rq.query[name]
	return ok
}

// parse resolves addressing, validates names and checks the signature.
func (s *Server) parse(w http.ResponseWriter, r *http.Request) (*request, error) {
	rq := &request{rid: w.Header().Get("x-oss-request-id")}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, newError(ossxml.CodeInvalidArgument, "The query string is malformed.")
	}
	rq.query = q
	rq.bucket, rq.key = s.address(r)
	if rq.bucket != "" && !validBucketName(rq.bucket) {
		e := newError(ossxml.CodeInvalidBucketName, "The specified bucket is not valid.")
		e.body.BucketName = rq.bucket
		return nil, e
	}
	if rq.key != "" {
		if err := validKey(rq.key); err != nil {
			return nil, err
		}
	}
	id, err := s.verifier.Verify(r, sign.Resource{Bucket: rq.bucket, Key: rq.key}, s.cfg.Now())
	if err != nil {
		return nil, authError(err)
	}
	rq.id = id
	return rq, nil
}

// address splits a request into bucket and key, by virtual-hosted style
// when the host is "<bucket>.<base>" for a configured base, else by path
// style. r.URL.Path is already percent-decoded (%2F becomes '/', '+' stays
// '+') and, since no ServeMux is involved, not cleaned.
func (s *Server) address(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	path := strings.TrimPrefix(r.URL.Path, "/")
	for _, base := range s.cfg.VirtualHostBases {
		base = strings.ToLower(base)
		if label, ok := strings.CutSuffix(host, "."+base); ok && label != "" && !strings.Contains(label, ".") {
			return label, path
		}
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// validBucketName: 3 to 63 characters of a-z, 0-9 and '-', starting and
// ending with a letter or digit.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validKey: valid UTF-8, at most MaxKeyLength bytes, not starting with '/'
// or '\'. Any other key is fine, "../../etc/passwd" included: keys are
// names in the metadata store and never become file paths.
func validKey(key string) error {
	var msg string
	switch {
	case len(key) > MaxKeyLength:
		msg = "The object key is longer than 1023 bytes."
	case !utf8.ValidString(key):
		msg = "The object key is not valid UTF-8."
	case strings.HasPrefix(key, "/") || strings.HasPrefix(key, `\`):
		msg = "The object key must not start with '/' or '\\'."
	default:
		return nil
	}
	return newError(ossxml.CodeInvalidObjectName, msg)
}

type handler func(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error

// route picks the operation a request asks for, and whether it reads
// (which public-read allows anonymous callers to do), writes objects
// (public-read-write) or administers the bucket (owners only).
func (s *Server) route(r *http.Request, rq *request) (h handler, access accessKind) {
	if unimplemented(r, rq) {
		return nil, accessAdmin
	}
	switch {
	case rq.bucket == "":
		if r.Method == http.MethodGet {
			return s.listBuckets, accessAdmin
		}
	case rq.key == "":
		return s.routeBucket(r, rq)
	default:
		return s.routeObject(r, rq)
	}
	return nil, accessAdmin
}

func (s *Server) routeBucket(r *http.Request, rq *request) (handler, accessKind) {
	switch r.Method {
	case http.MethodPut:
		if rq.has("acl") {
			return s.putBucketACL, accessAdmin
		}
		if rq.has("lifecycle") {
			return s.putBucketLifecycle, accessAdmin
		}
		return s.putBucket, accessAdmin
	case http.MethodGet:
		switch {
		case rq.has("acl"):
			return s.getBucketACL, accessAdmin
		case rq.has("bucketInfo"):
			return s.getBucketInfo, accessAdmin
		case rq.has("location"):
			return s.getBucketLocation, accessAdmin
		case rq.has("lifecycle"):
			return s.getBucketLifecycle, accessAdmin
		case rq.has("uploads"):
			return s.listUploads, accessRead
		case rq.query.Get("list-type") == "2":
			return s.listObjectsV2, accessRead
		}
		return s.listObjects, accessRead
	case http.MethodHead:
		return s.headBucket, accessRead
	case http.MethodDelete:
		if rq.has("lifecycle") {
			return s.deleteBucketLifecycle, accessAdmin
		}
		return s.deleteBucket, accessAdmin
	case http.MethodPost:
		if rq.has("delete") {
			return s.deleteObjects, accessWrite
		}
	}
	return nil, accessAdmin
}

func (s *Server) routeObject(r *http.Request, rq *request) (handler, accessKind) {
	upload := rq.has("uploadId")
	if rq.has("lifecycle") {
		return nil, accessWrite
	}
	if rq.has("acl") && r.Method == http.MethodGet {
		return s.getObjectACL, accessAdmin
	}
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("x-oss-copy-source") != "" {
			return nil, accessWrite
		}
		if upload || rq.has("partNumber") {
			return s.uploadPart, accessWrite
		}
		return s.putObject, accessWrite
	case http.MethodGet:
		if upload {
			return s.listParts, accessRead
		}
		return s.getObject, accessRead
	case http.MethodHead:
		return s.headObject, accessRead
	case http.MethodDelete:
		if upload {
			return s.abortUpload, accessWrite
		}
		return s.deleteObject, accessWrite
	case http.MethodPost:
		switch {
		case rq.has("uploads"):
			return s.initiateUpload, accessWrite
		case upload:
			return s.completeUpload, accessWrite
		}
	}
	return nil, accessWrite
}

// unimplementedSubresources name OSS operations this server does not
// implement. Each must be refused: otherwise the request would fall through
// to the plain operation of its method, and DELETE /?cors (the SDKs'
// DeleteBucketCors) would delete the bucket, PUT /key?tagging would replace
// the object with an empty one.
var unimplementedSubresources = []string{
	"append", "tagging", "symlink", "restore", "x-oss-process", "select", "comp",
	"cors", "logging", "website", "referer", "policy", "encryption",
	"versioning", "versions", "replication", "inventory", "worm", "cname", "qos",
	"stat", "live", "requestPayment", "transferAcceleration", "resourceGroup", "style",
}

// unimplemented reports whether r asks for an operation this server does
// not implement: a copy, one of unimplementedSubresources, or an ACL
// operation other than Get/PutBucketAcl and GetObjectAcl (PutObjectAcl
// would otherwise overwrite the object with an empty body).
func unimplemented(r *http.Request, rq *request) bool {
	if r.Header.Get("x-oss-copy-source") != "" {
		return true
	}
	if rq.has("acl") && r.Method != http.MethodGet && (rq.key != "" || r.Method != http.MethodPut) {
		return true
	}
	for _, name := range unimplementedSubresources {
		if rq.has(name) {
			return true
		}
	}
	return false
}

type accessKind int

const (
	accessRead accessKind = iota
	accessWrite
	accessAdmin
)

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rq *request) error {
	h, access := s.route(r, rq)
	if h == nil {
		if unimplemented(r, rq) {
			return newError(ossxml.CodeNotImplemented, "This operation is not implemented by this server.")
		}
		return newError(ossxml.CodeMethodNotAllowed, "The specified method is not allowed against this resource.")
	}
	if rq.id.Anonymous() {
		if err := s.allowAnonymous(r.Context(), rq, access); err != nil {
			return err
		}
	}
	if err := checkRequestMD5(r); err != nil {
		return err
	}
	return h(r.Context(), w, r, rq)
}

// allowAnonymous lets an unsigned request through when the bucket's ACL
// grants it: public-read for reads, public-read-write for object writes.
// Bucket administration always needs a signature.
func (s *Server) allowAnonymous(ctx context.Context, rq *request, access accessKind) error {
	denied := newError(ossxml.CodeAccessDenied, "You have no right to access this resource: the request is anonymous and the bucket is not public.")
	if rq.bucket == "" || access == accessAdmin {
		return denied
	}
	b, err := s.store.GetBucket(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	switch {
	case b.ACL == "public-read-write":
		return nil
	case b.ACL == "public-read" && access == accessRead:
		return nil
	}
	return denied
}
