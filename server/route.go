package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// MaxKeyLength is the longest object key, in bytes.
const MaxKeyLength = limits.MaxKeyLength

// request is what routing learned about an incoming request.
type request struct {
	rid    string
	bucket string // empty for service-level requests
	key    string // empty for service- and bucket-level requests
	query  url.Values
	op     *operation
	id     sign.Identity
	// account is the account of the signing key; meaningless when
	// anonymous.
	account string
	// b is the addressed bucket, loaded before authentication for every
	// operation but PutBucket.
	b store.Bucket
	// s3 reports a request in the S3 dialect (see s3.go).
	s3 bool
	// chunked, for an S3 request with an aws-chunked body, decodes it
	// (r.Body reads through it); its trailers carry the body's checksum.
	chunked *sign.AWSChunkedReader
	// decodedLength is the length of an aws-chunked body's data.
	decodedLength int64
	// checksum is the x-amz-checksum-* the body was found to match, as
	// "<algorithm>:<base64>", once it has been read whole.
	checksum string
	// policyPerKey reports a DeleteMultipleObjects that a Deny of the
	// bucket policy may reach: each object it names is judged apart.
	policyPerKey bool
}

func (rq *request) has(name string) bool {
	_, ok := rq.query[name]
	return ok
}

// owner reports whether the request is signed by the bucket's owner.
func (rq *request) owner() bool {
	return !rq.id.Anonymous() && rq.account == rq.b.Owner
}

// parse resolves addressing, validates names, recognises the operation and,
// once the addressed bucket is known to exist, checks the signature.
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
	if requestDialect(r) == dialectS3 {
		if strings.HasPrefix(r.Header.Get("Authorization"), s3AuthV2) {
			return nil, s3V2Refused()
		}
		rq.s3 = true
		translateS3Request(r, levelOf(rq))
	}
	if rq.op, err = route(r.Method, levelOf(rq), q, r.Header); err != nil {
		return nil, err
	}
	// A missing bucket is reported before any credential check, as OSS
	// does: clients probe for buckets that way.
	if rq.bucket != "" && rq.op.name != "PutBucket" {
		if rq.b, err = s.store.GetBucket(r.Context(), rq.bucket); err != nil {
			return nil, storeError(err, rq)
		}
	}
	if len(r.Header.Values(sign.HeaderAuthorization)) > 1 {
		return nil, invalidArgument("Authorization", "", "The request carries more than one Authorization header.")
	}
	if rq.op.form && isPostForm(r) {
		// A form upload carries its signature in its fields, which its
		// handler reads and verifies; until then it is anonymous.
		return rq, nil
	}
	if rq.s3 {
		if err := s.verifyS3(r, rq); err != nil {
			return nil, err
		}
		rq.account = s.accounts[rq.id.AccessKeyID]
		return rq, nil
	}
	id, err := s.verifier.Verify(r, sign.Resource{Bucket: rq.bucket, Key: rq.key}, s.cfg.Now())
	if err != nil {
		return nil, authError(err)
	}
	rq.id = id
	rq.account = s.accounts[id.AccessKeyID]
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

// dispatch authorises the recognised operation and runs it; an operation
// authenticated by its form authorises itself.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.b.Name != "" {
		// Every change the request makes is to the bucket it was
		// authorised against, not to one created since under its name.
		r = r.WithContext(store.WithBucket(r.Context(), rq.b))
	}
	if !rq.op.form {
		if err := s.authorize(r.Context(), r, rq); err != nil {
			return err
		}
		if err := s.checkReferer(r.Context(), r, rq); err != nil {
			return err
		}
		trusted(r.Context())
	}
	if err := checkRequestMD5(r); err != nil {
		return err
	}
	if r.ContentLength == 0 {
		// A bodiless request's x-oss-content-sha256, when hex, must be the
		// hash of nothing; operations with bodies check theirs as they
		// read.
		if err := checkPayload(r, nil); err != nil {
			return err
		}
	}
	return rq.op.run(s)(r.Context(), w, r, rq)
}
