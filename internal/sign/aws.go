package sign

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// AWS Signature Version 4 for S3.
//
// S3's dialect of SigV4 differs from the OSS4-HMAC-SHA256 scheme above in
// its algorithm name, its key prefix ("AWS4") and scope terminator
// ("aws4_request"), its x-amz- headers, its canonical URI (the request path
// as sent, not /bucket/key, so that path-style and virtual-hosted requests
// need no Resource), its explicit SignedHeaders list (host always among
// them), the "name=" it writes for a query parameter without a value, and
// the payload line of the canonical request, which is the
// x-amz-content-sha256 header S3 requires on every header-signed request.

// Names and values of S3's SigV4.
const (
	// AWSAlgorithm is the algorithm of header and presigned signatures.
	AWSAlgorithm = "AWS4-HMAC-SHA256"
	// AWSService is the service name in an S3 credential scope.
	AWSService = "s3"

	AWSHeaderDate          = "X-Amz-Date"
	AWSHeaderContentSHA256 = "X-Amz-Content-Sha256"
	AWSHeaderSecurityToken = "X-Amz-Security-Token"
	AWSHeaderDecodedLength = "X-Amz-Decoded-Content-Length"
	AWSHeaderTrailer       = "X-Amz-Trailer"
	HeaderContentEncoding  = "Content-Encoding"

	// AWSChunkedEncoding is the Content-Encoding of a streaming body.
	AWSChunkedEncoding = "aws-chunked"

	// StreamingSigned is the x-amz-content-sha256 of an aws-chunked body
	// whose every chunk is signed.
	StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingSignedTrailer is StreamingSigned followed by trailing
	// headers and their signature.
	StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedTrailer is the x-amz-content-sha256 of an
	// aws-chunked body whose chunks are not signed, followed by trailing
	// headers (a checksum) that are not signed either.
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

	// EmptySHA256 is the hex SHA-256 of an empty payload.
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

const (
	awsTerminator = "aws4_request"
	awsKeyPrefix  = "AWS4"
	awsAuthPrefix = AWSAlgorithm + " "
	awsQuerySig   = "X-Amz-Signature"
)

// AWSSigner signs requests to an S3-compatible store with SigV4. Region
// must be set; an AWSSigner is a plain value and safe for concurrent use.
type AWSSigner struct {
	// Region is the signing region, for example "us-east-1".
	Region string
	// Service is the scope's service name; empty means "s3".
	Service string
	// SignedHeaders are extra header names to sign when the request
	// carries them. Host, Content-Type, Content-MD5 and every x-amz-*
	// header are always signed.
	SignedHeaders []string
}

func (s AWSSigner) service() string {
	if s.Service == "" {
		return AWSService
	}
	return s.Service
}

// AWSSeed is what the chunk signatures of a streaming body chain from: the
// request's signature (the seed), its timestamp and credential scope, and
// the signing key. [AWSSigner.Sign] returns it to the client and
// [AWSVerifier.Verify] keeps it in the [AWSIdentity] it returns.
type AWSSeed struct {
	// Signature is the request's signature, in lower-case hex.
	Signature string
	// Timestamp is the request time as signed, 20060102T150405Z.
	Timestamp string
	// Scope is "yyyymmdd/region/service/aws4_request".
	Scope string
	key   []byte
}

// Sign adds SigV4 header authentication to r, which must carry every other
// header and query parameter it will be sent with: it sets X-Amz-Date from
// now, X-Amz-Security-Token when cred has a token, X-Amz-Content-Sha256 to
// UNSIGNED-PAYLOAD when r has none (set it beforehand to the body's hex
// SHA-256, to EmptySHA256, or to a Streaming* value), and Authorization.
// It returns the seed a streaming body's chunks are signed from.
func (s AWSSigner) Sign(r *http.Request, cred Credentials, now time.Time) (AWSSeed, error) {
	if cred.AccessKeyID == "" || cred.AccessKeySecret == "" {
		return AWSSeed{}, errNoCredentials
	}
	if s.Region == "" {
		return AWSSeed{}, errors.New("sign: aws sigv4 needs a region")
	}
	now = now.UTC()
	ts, day := now.Format(v4TimeFormat), now.Format(v4DateFormat)
	r.Header.Set(AWSHeaderDate, ts)
	if cred.SecurityToken != "" {
		r.Header.Set(AWSHeaderSecurityToken, cred.SecurityToken)
	}
	payload := r.Header.Get(AWSHeaderContentSHA256)
	if payload == "" {
		payload = UnsignedPayload
		r.Header.Set(AWSHeaderContentSHA256, payload)
	}
	signed := awsSignedNames(r, s.SignedHeaders)
	seed := AWSSeed{Timestamp: ts, Scope: awsScope(day, s.Region, s.service())}
	seed.key = awsSigningKey(cred.AccessKeySecret, day, s.Region, s.service())
	seed.Signature = awsSign(seed, awsCanonicalRequest(r, parseQuery(r.URL.RawQuery), false, signed, payload))

	b := make([]byte, 0, 160+len(cred.AccessKeyID)+16*len(signed))
	b = append(b, awsAuthPrefix+"Credential="...)
	b = append(b, cred.AccessKeyID...)
	b = append(b, '/')
	b = append(b, seed.Scope...)
	b = append(b, ",SignedHeaders="...)
	b = appendJoined(b, signed)
	b = append(b, ",Signature="...)
	b = append(b, seed.Signature...)
	r.Header.Set(HeaderAuthorization, string(b))
	return seed, nil
}

// Presign adds SigV4 query authentication to r.URL that stays valid for
// expires (one second to seven days) after now: X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Security-Token when cred has a token, and X-Amz-Signature. The
// payload is UNSIGNED-PAYLOAD. Headers r carries that the signer signs
// (Content-Type, Content-MD5, x-amz-*, SignedHeaders) must be sent with
// the URL.
func (s AWSSigner) Presign(r *http.Request, cred Credentials, now time.Time, expires time.Duration) error {
	if cred.AccessKeyID == "" || cred.AccessKeySecret == "" {
		return errNoCredentials
	}
	if s.Region == "" {
		return errors.New("sign: aws sigv4 needs a region")
	}
	if expires < time.Second || expires > MaxPresignExpiry {
		return errors.New("sign: presign expiry must be between one second and 7 days")
	}
	now = now.UTC()
	ts, day := now.Format(v4TimeFormat), now.Format(v4DateFormat)
	seed := AWSSeed{Timestamp: ts, Scope: awsScope(day, s.Region, s.service())}
	seed.key = awsSigningKey(cred.AccessKeySecret, day, s.Region, s.service())
	signed := awsSignedNames(r, s.SignedHeaders)
	raw := appendQuery(r.URL.RawQuery,
		"X-Amz-Algorithm", AWSAlgorithm,
		"X-Amz-Credential", cred.AccessKeyID+"/"+seed.Scope,
		"X-Amz-Date", ts,
		"X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10),
		"X-Amz-SignedHeaders", string(appendJoined(nil, signed)))
	if cred.SecurityToken != "" {
		raw = appendQuery(raw, "X-Amz-Security-Token", cred.SecurityToken)
	}
	sig := awsSign(seed, awsCanonicalRequest(r, parseQuery(raw), true, signed, UnsignedPayload))
	r.URL.RawQuery = appendQuery(raw, awsQuerySig, sig)
	return nil
}

func appendJoined(b []byte, names []string) []byte {
	for i, n := range names {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, n...)
	}
	return b
}

func awsScope(day, region, service string) string {
	return day + "/" + region + "/" + service + "/" + awsTerminator
}

// awsSignedNames returns the lower-cased, sorted names a client signs:
// host, the Content-Type, Content-MD5 and x-amz-* headers r carries, and
// those of extra that r carries.
func awsSignedNames(r *http.Request, extra []string) []string {
	names := make([]string, 1, 8)
	names[0] = "host"
	for k := range r.Header {
		if len(k) >= 6 && lowerEquals(k[:6], "x-amz-") || lowerEquals(k, "content-type") || lowerEquals(k, "content-md5") {
			names = append(names, strings.ToLower(k))
		}
	}
	for _, n := range extra {
		l := strings.ToLower(strings.TrimSpace(n))
		if l == "" || l == "authorization" {
			continue
		}
		if r.Header.Get(l) != "" || l == "content-length" && r.ContentLength > 0 {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// awsCanonicalRequest returns the SHA-256 of the canonical request of r:
// method, canonical URI, canonical query (without X-Amz-Signature when
// presigned), the headers named by signed (lower-cased, sorted), the
// signed-header list and payload.
func awsCanonicalRequest(r *http.Request, q []param, presigned bool, signed []string, payload string) [sha256.Size]byte {
	var buf [1024]byte
	b := buf[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendAWSPath(b, r)
	b = append(b, '\n')
	b = appendAWSQuery(b, q, presigned)
	b = append(b, '\n')
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		b = appendAWSHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = appendJoined(b, signed)
	b = append(b, '\n')
	b = append(b, payload...)
	return sha256.Sum256(b)
}

// appendAWSPath appends the canonical URI: the decoded request path with
// every byte but the unreserved ones and '/' percent-encoded once, "/"
// for an empty path. S3 does not normalise the path (no dot segments
// removed, no slashes merged) and does not encode it twice.
func appendAWSPath(b []byte, r *http.Request) []byte {
	p := r.URL.Path
	if p == "" {
		if r.URL.Opaque != "" {
			// An opaque URL ("//host/path" or "/path") is written as it is.
			return append(b, r.URL.Opaque...)
		}
		return append(b, '/')
	}
	if p[0] != '/' {
		b = append(b, '/')
	}
	return appendEscaped(b, p, false)
}

// appendAWSQuery appends the canonical query: each parameter's name and
// value encoded (RFC 3986), sorted by name and then value, written
// "name=value" even when the value is empty.
func appendAWSQuery(b []byte, q []param, presigned bool) []byte {
	if len(q) == 0 {
		return b
	}
	var small [16]param
	enc := small[:0]
	for _, p := range q {
		if presigned && p.name == awsQuerySig {
			continue
		}
		enc = append(enc, param{escape(p.name, true), escape(p.value, true)})
	}
	slices.SortFunc(enc, func(a, b param) int {
		if c := cmp.Compare(a.name, b.name); c != 0 {
			return c
		}
		return cmp.Compare(a.value, b.value)
	})
	for i, p := range enc {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.name...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	return b
}

// appendAWSHeaderValue appends the canonical value of the header name
// (lower-cased): its values joined by ',', each trimmed and with inner
// runs of spaces collapsed to one. Host and Content-Length, which Go keeps
// out of r.Header, come from r.Host (or r.URL.Host) and r.ContentLength.
func appendAWSHeaderValue(b []byte, r *http.Request, name string) []byte {
	switch name {
	case "host":
		if r.Header.Get("Host") == "" {
			return appendCollapsed(b, requestHost(r))
		}
	case "content-length":
		if r.Header.Get("Content-Length") == "" && r.ContentLength >= 0 {
			return strconv.AppendInt(b, r.ContentLength, 10)
		}
	}
	for i, v := range r.Header.Values(name) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCollapsed(b, v)
	}
	return b
}

// appendCollapsed appends v trimmed of surrounding white space and with
// each inner run of spaces written as one.
func appendCollapsed(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return b
}

// awsSign returns the signature of a request whose canonical request
// hashes to crHash.
func awsSign(seed AWSSeed, crHash [sha256.Size]byte) string {
	var buf [128]byte
	b := append(buf[:0], AWSAlgorithm+"\n"...)
	b = append(b, seed.Timestamp...)
	b = append(b, '\n')
	b = append(b, seed.Scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash[:])
	return awsHMACHex(seed.key, b)
}

// awsStringToSign is the string to sign of a canonical request whose hash
// is crHash; verification returns it in SignatureDoesNotMatch errors.
func awsStringToSign(seed AWSSeed, crHash [sha256.Size]byte) string {
	return AWSAlgorithm + "\n" + seed.Timestamp + "\n" + seed.Scope + "\n" + hex.EncodeToString(crHash[:])
}

// awsHMACHex is the lower-case hex HMAC-SHA256 of data under a signing key.
func awsHMACHex(key, data []byte) string {
	sum := hmacSHA256Key32(key, unsafeString(data))
	return hex.EncodeToString(sum[:])
}

// unsafeString views b as a string for the duration of a call that
// neither keeps it nor lets b change meanwhile.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// awsKeys caches SigV4 signing keys as v4Keys does OSS's.
var awsKeys = keyCache{prefix: awsKeyPrefix, terminator: awsTerminator}

// awsSigningKey is HMAC-SHA256 chained over day, region, service and
// "aws4_request" from "AWS4" + secret, 32 bytes. Callers must not modify
// it.
func awsSigningKey(secret, day, region, service string) []byte {
	return awsKeys.get(secret, day, region, service)
}
