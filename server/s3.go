package server

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// The server answers two dialects on one port and over one store: OSS,
// and S3 for the clients written for AWS (aws-sdk-go-v2, minio-go, the AWS
// CLI). A request is S3 when it is signed with AWS Signature V4, in its
// header or presigned form, or carries any x-amz-* header or X-Amz-*
// query parameter; every other request, anonymous ones without such
// headers included, is OSS.
//
// The handlers speak OSS. An S3 request is translated on the way in: its
// x-oss-* headers are dropped (they mean nothing in S3, and an S3 client
// does not sign them), and each x-amz-* header that has an OSS
// counterpart is copied under the OSS name (x-amz-meta-* to x-oss-meta-*,
// x-amz-acl to x-oss-object-acl or x-oss-acl, a storage class to OSS's
// name for it, If-None-Match: * on a write to x-oss-forbid-overwrite).
// The x-amz-* originals stay, so that the signature, which covers them,
// still verifies. On the way out s3Writer renames the answer's x-oss-*
// headers to their S3 names and drops those S3 has no use for, and
// writeError renders errors with S3's codes.

// dialect is the API a request speaks.
type dialect int

const (
	dialectOSS dialect = iota
	dialectS3
)

// s3AuthScheme starts the Authorization header of an AWS Signature V4
// request; s3AuthV2 that of the older AWS scheme, which the server does
// not take.
const (
	s3AuthScheme = "AWS4-HMAC-SHA256"
	s3AuthV2     = "AWS "
)

// requestDialect tells the dialect of r.
func requestDialect(r *http.Request) dialect {
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, s3AuthScheme), strings.HasPrefix(auth, s3AuthV2):
		return dialectS3
	case auth != "":
		return dialectOSS
	case strings.Contains(r.URL.RawQuery, "X-Amz-"):
		for name := range r.URL.Query() {
			if strings.HasPrefix(name, "X-Amz-") {
				return dialectS3
			}
		}
	}
	for k := range r.Header {
		if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") {
			return dialectS3
		}
	}
	return dialectOSS
}

// s3HeaderNames maps the suffix (after "x-amz-") of the S3 request
// headers that have an OSS counterpart to the OSS header's suffix (after
// "x-oss-"). x-amz-meta-*, x-amz-acl and x-amz-storage-class are handled
// apart.
var s3HeaderNames = map[string]string{
	"copy-source":                     "copy-source",
	"copy-source-range":               "copy-source-range",
	"copy-source-if-match":            "copy-source-if-match",
	"copy-source-if-none-match":       "copy-source-if-none-match",
	"copy-source-if-modified-since":   "copy-source-if-modified-since",
	"copy-source-if-unmodified-since": "copy-source-if-unmodified-since",
	"metadata-directive":              "metadata-directive",
	"tagging":                         "tagging",
	"tagging-directive":               "tagging-directive",
	"server-side-encryption":          "server-side-encryption",
	"security-token":                  "security-token",
}

// s3StorageClasses maps S3's storage classes to OSS's: those of the same
// cost and access, colder classes to the OSS class with the same
// restore-before-read rule.
var s3StorageClasses = map[string]string{
	"STANDARD":            "Standard",
	"REDUCED_REDUNDANCY":  "Standard",
	"INTELLIGENT_TIERING": "Standard",
	"EXPRESS_ONEZONE":     "Standard",
	"STANDARD_IA":         "IA",
	"ONEZONE_IA":          "IA",
	"GLACIER_IR":          "IA",
	"GLACIER":             "Archive",
	"DEEP_ARCHIVE":        "ColdArchive",
}

// ossStorageClasses maps OSS's storage classes to the S3 names reported
// for them.
var ossStorageClasses = map[string]string{
	"Standard":        "STANDARD",
	"IA":              "STANDARD_IA",
	"Archive":         "GLACIER",
	"ColdArchive":     "DEEP_ARCHIVE",
	"DeepColdArchive": "DEEP_ARCHIVE",
}

// translateS3Request rewrites r's headers for the OSS handlers, as the
// comment at the top of this file says; lvl is the level r addresses.
func translateS3Request(r *http.Request, lvl level) {
	h := r.Header
	type pair struct{ name, value string }
	var add []pair
	for k, vs := range h {
		lower := strings.ToLower(k)
		if strings.HasPrefix(lower, "x-oss-") {
			delete(h, k)
			continue
		}
		suffix, ok := strings.CutPrefix(lower, "x-amz-")
		if !ok || len(vs) == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(suffix, "meta-"):
			add = append(add, pair{"x-oss-" + suffix, vs[0]})
		case suffix == "acl" && lvl == levelObject:
			add = append(add, pair{"x-oss-object-acl", vs[0]})
		case suffix == "acl":
			add = append(add, pair{"x-oss-acl", vs[0]})
		case suffix == "storage-class":
			class, ok := s3StorageClasses[vs[0]]
			if !ok {
				class = vs[0] // refused as an invalid class by the handler
			}
			add = append(add, pair{"x-oss-storage-class", class})
		case suffix == "content-sha256" && isHexSHA256(vs[0]):
			// The payload checks of the OSS side apply as they are.
			add = append(add, pair{payloadHashHeader, vs[0]})
		case suffix == "copy-source" && !strings.HasPrefix(vs[0], "/"):
			// S3 takes "bucket/key" as well as "/bucket/key".
			add = append(add, pair{"x-oss-copy-source", "/" + vs[0]})
		default:
			if name, ok := s3HeaderNames[suffix]; ok {
				add = append(add, pair{"x-oss-" + name, vs[0]})
			}
		}
	}
	for _, p := range add {
		if strings.HasPrefix(p.name, "x-oss-meta-") {
			// Kept in the form setUserMeta writes and metadata reads.
			h[http.CanonicalHeaderKey(p.name)] = []string{p.value}
			continue
		}
		h.Set(p.name, p.value)
	}
	if lvl == levelObject && (r.Method == http.MethodPut || r.Method == http.MethodPost) && h.Get("If-None-Match") == "*" {
		// S3's conditional write: create only if the key is free.
		h.Set("x-oss-forbid-overwrite", "true")
		h.Del("If-None-Match")
	}
}

// isHexSHA256 reports whether v is 64 hexadecimal digits.
func isHexSHA256(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := range len(v) {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// s3Writer answers an S3 request: before the status line goes out it
// renames the handlers' x-oss-* headers to S3's and drops the rest.
type s3Writer struct {
	http.ResponseWriter
	done bool
}

// Unwrap lets http.ResponseController reach the connection's deadlines
// and flushing.
func (w *s3Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *s3Writer) WriteHeader(status int) {
	w.translate()
	w.ResponseWriter.WriteHeader(status)
}

func (w *s3Writer) Write(p []byte) (int, error) {
	w.translate()
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps the underlying writer's ReadFrom.
func (w *s3Writer) ReadFrom(r io.Reader) (int64, error) {
	w.translate()
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *s3Writer) translate() {
	if w.done {
		return
	}
	w.done = true
	translateS3Response(w.Header())
}

// translateS3Response renames an answer's OSS headers to S3's.
func translateS3Response(h http.Header) {
	type pair struct{ name, value string }
	var add []pair
	for k, vs := range h {
		lower := strings.ToLower(k)
		suffix, ok := strings.CutPrefix(lower, "x-oss-")
		if !ok {
			continue
		}
		delete(h, k)
		if len(vs) == 0 {
			continue
		}
		switch {
		case suffix == "request-id":
			add = append(add, pair{"x-amz-request-id", vs[0]}, pair{"x-amz-id-2", vs[0]})
		case strings.HasPrefix(suffix, "meta-"):
			add = append(add, pair{"x-amz-" + suffix, vs[0]})
		case suffix == "storage-class":
			class, ok := ossStorageClasses[vs[0]]
			if !ok {
				class = vs[0]
			}
			add = append(add, pair{"x-amz-storage-class", class})
		case suffix == "tagging-count", suffix == "version-id", suffix == "server-side-encryption",
			suffix == "delete-marker", suffix == "restore":
			add = append(add, pair{"x-amz-" + suffix, vs[0]})
		}
		// Everything else (object type, CRC-64/ECMA, EC, the error header,
		// the next append position) has no S3 meaning.
	}
	for _, p := range add {
		h[http.CanonicalHeaderKey(p.name)] = []string{p.value}
	}
	if h.Get("Server") == "AliyunOSS" {
		h.Set("Server", "ossup")
	}
}

// s3ErrorCodes maps the OSS error codes whose S3 counterparts are named
// otherwise. Codes not listed are the same in both.
var s3ErrorCodes = map[string]struct {
	code   string
	status int
}{
	ossxml.CodeInvalidDigest:     {"BadDigest", http.StatusBadRequest},
	ossxml.CodeFileAlreadyExists: {"PreconditionFailed", http.StatusPreconditionFailed},
	ossxml.CodeInvalidObjectName: {"KeyTooLongError", http.StatusBadRequest},
	ossxml.CodeNoSuchLifecycle:   {"NoSuchLifecycleConfiguration", http.StatusNotFound},
}

// s3Error is S3's <Error> body.
type s3Error struct {
	XMLName           xml.Name `xml:"Error"`
	Code              string   `xml:"Code"`
	Message           string   `xml:"Message"`
	Key               string   `xml:"Key,omitempty"`
	BucketName        string   `xml:"BucketName,omitempty"`
	UploadID          string   `xml:"UploadId,omitempty"`
	ArgumentName      string   `xml:"ArgumentName,omitempty"`
	ArgumentValue     string   `xml:"ArgumentValue,omitempty"`
	AWSAccessKeyID    string   `xml:"AWSAccessKeyId,omitempty"`
	StringToSign      string   `xml:"StringToSign,omitempty"`
	SignatureProvided string   `xml:"SignatureProvided,omitempty"`
	RequestTime       string   `xml:"RequestTime,omitempty"`
	ServerTime        string   `xml:"ServerTime,omitempty"`
	Region            string   `xml:"Region,omitempty"`
	Resource          string   `xml:"Resource"`
	RequestID         string   `xml:"RequestId"`
	HostID            string   `xml:"HostId"`
}

// s3ErrorOf converts an OSS error body and status to S3's.
func s3ErrorOf(r *http.Request, body ossxml.Error, status int) (s3Error, int) {
	code := body.Code
	switch {
	case code == ossxml.CodeInvalidArgument && body.EC == ossxml.ECInvalidContentSHA256:
		code, status = "XAmzContentSHA256Mismatch", http.StatusBadRequest
	case code == ossxml.CodeInvalidObjectName && len(body.Message) > 0 && !strings.Contains(body.Message, "longer"):
		code, status = ossxml.CodeInvalidArgument, http.StatusBadRequest
	default:
		if m, ok := s3ErrorCodes[code]; ok {
			code, status = m.code, m.status
		}
	}
	return s3Error{
		Code:              code,
		Message:           body.Message,
		Key:               body.Key,
		BucketName:        body.BucketName,
		UploadID:          body.UploadID,
		ArgumentName:      body.ArgumentName,
		ArgumentValue:     body.ArgumentValue,
		AWSAccessKeyID:    body.OSSAccessKeyID,
		StringToSign:      body.StringToSign,
		SignatureProvided: body.SignatureProvided,
		RequestTime:       body.RequestTime,
		ServerTime:        body.ServerTime,
		Resource:          r.URL.Path,
		RequestID:         body.RequestID,
		HostID:            body.HostID,
	}, status
}

// writeS3Error renders an error body in S3's form; a HEAD answer, and a
// 304, carry none.
func writeS3Error(w http.ResponseWriter, r *http.Request, body ossxml.Error, status int) {
	e, status := s3ErrorOf(r, body, status)
	h := w.Header()
	for k := range h {
		// A checksum that matched is not confirmed by a failed request.
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			delete(h, k)
		}
	}
	if r.Method == http.MethodHead || status == http.StatusNotModified {
		h.Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	b, err := xml.Marshal(&e)
	if err != nil {
		b = nil
	}
	h.Set("Content-Type", "application/xml")
	h.Del("Content-Length")
	w.WriteHeader(status)
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString(xml.Header)
	_, _ = bw.Write(b)
	_ = bw.Flush()
}

// s3V2Refused answers a request signed with the older AWS scheme.
func s3V2Refused() *apiError {
	e := newError("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	e.status = http.StatusBadRequest
	return e
}

// verifyS3 authenticates an S3 request with AWS Signature V4 and, for an
// aws-chunked body, puts its decoder in place: r.Body then reads the
// body's data, each chunk's signature checked as it arrives, and ends
// only once the final chunk, the trailers and their signature are
// checked too.
func (s *Server) verifyS3(r *http.Request, rq *request) error {
	id, err := s.awsVerifier.Verify(r, s.cfg.Now())
	if err != nil {
		return s3AuthError(err)
	}
	rq.id = sign.Identity{AccessKeyID: id.AccessKeyID, Presigned: id.Presigned}
	if !id.Anonymous() {
		rq.id.Version = sign.V4
	}
	mode := id.ContentSHA256
	if mode == "" || mode == sign.UnsignedPayload || isHexSHA256(mode) {
		// A hex digest is checked by the OSS side's payload reader,
		// which translateS3Request gave it to.
		return nil
	}
	body, err := id.Body(r.Body, r.Header)
	if err != nil {
		return s3AuthError(err)
	}
	dec, ok := body.(*sign.AWSChunkedReader)
	if !ok {
		return s3AuthError(fmt.Errorf("server: unexpected body reader %T", body))
	}
	n, err := strconv.ParseInt(r.Header.Get(sign.AWSHeaderDecodedLength), 10, 64)
	if err != nil || n < 0 {
		return newS3Error("MissingContentLength", http.StatusLengthRequired, "You must provide the x-amz-decoded-content-length header.")
	}
	rq.chunked, rq.decodedLength = dec, n
	r.Body = readCloser{Reader: &chunkedEnd{r: dec, left: n}, Closer: r.Body}
	// The coding is the transport's, not the object's.
	if ce := removeToken(r.Header.Get("Content-Encoding"), sign.AWSChunkedEncoding); ce != "" {
		r.Header.Set("Content-Encoding", ce)
	} else {
		r.Header.Del("Content-Encoding")
	}
	if n == 0 {
		// Nothing will read an empty body: its final chunk and trailers
		// are checked now.
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return s3AuthError(err)
		}
	}
	return nil
}

// readCloser joins a Reader and a Closer.
type readCloser struct {
	io.Reader
	io.Closer
}

// chunkedEnd reads an aws-chunked body's data and, on the read that
// delivers its last byte, reads on to the decoder's end, so that the
// final chunk's signature and the trailers are checked before the store,
// which reads exactly the data's length and no further, commits.
type chunkedEnd struct {
	r    io.Reader
	left int64
	err  error
}

func (c *chunkedEnd) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		c.err = c.finish()
		if c.err == nil {
			c.err = io.EOF
		}
		return 0, c.err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	switch {
	case err == io.EOF && c.left > 0:
		c.err = io.ErrUnexpectedEOF
		return n, c.err
	case err != nil && err != io.EOF:
		c.err = err
		return n, err
	case c.left == 0:
		if c.err = c.finish(); c.err != nil {
			return n, c.err
		}
		c.err = io.EOF
	}
	return n, nil
}

// finish reads the decoder to its end, which must hold no more data.
func (c *chunkedEnd) finish() error {
	var b [1]byte
	for {
		n, err := c.r.Read(b[:])
		if n > 0 {
			return newError(ossxml.CodeIncompleteBody, "The aws-chunked body holds more data than x-amz-decoded-content-length.")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// removeToken removes token from a comma-separated header value.
func removeToken(v, token string) string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, token) {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

// s3AuthError maps a failure of S3 authentication or of an aws-chunked
// body to its S3 error.
func s3AuthError(err error) error {
	e, ok := errors.AsType[*sign.Error](err)
	if !ok {
		return err
	}
	out := newS3Error(e.S3Code(), e.S3Status(), e.Message)
	out.body.StringToSign = e.StringToSign
	out.body.SignatureProvided = e.SignatureProvided
	out.body.OSSAccessKeyID = e.AccessKeyID
	out.body.ArgumentName, out.body.ArgumentValue = e.ArgumentName, e.ArgumentValue
	if e.Kind == sign.KindTimeSkewed {
		out.body.RequestTime = e.RequestTime.UTC().Format(skewTimeFormat)
		out.body.ServerTime = e.ServerTime.UTC().Format(skewTimeFormat)
	}
	return out
}
