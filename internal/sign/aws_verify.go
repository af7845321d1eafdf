package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kinds of verification failure that only the S3 side yields. Their
// [Error.Code] is meaningless; use [Error.S3Code].
const (
	// KindMalformedQuery: the X-Amz-* parameters of a presigned URL
	// cannot be parsed, are out of range, or name the wrong region,
	// service or date (S3's AuthorizationQueryParametersError).
	KindMalformedQuery Kind = iota + 64
	// KindContentSHA256Mismatch: the body does not hash to its hex
	// x-amz-content-sha256 (XAmzContentSHA256Mismatch).
	KindContentSHA256Mismatch
	// KindIncompleteBody: an aws-chunked body is cut short, framed
	// wrongly, or longer or shorter than its x-amz-decoded-content-length
	// (IncompleteBody).
	KindIncompleteBody
	// KindInvalidRequest: a required header is missing or an
	// authentication mechanism is not supported (InvalidRequest).
	KindInvalidRequest
	// KindInvalidArgument: a header has a value S3 does not accept, or a
	// request carries two authentication mechanisms (InvalidArgument).
	KindInvalidArgument
	// KindHeadersNotSigned: the request carries an x-amz-* header its
	// signature does not cover (AccessDenied).
	KindHeadersNotSigned
)

// S3Code returns the S3 error code for e:
//
//   - KindSignatureMismatch: SignatureDoesNotMatch (403)
//   - KindInvalidAccessKeyID: InvalidAccessKeyId (403)
//   - KindTimeSkewed: RequestTimeTooSkewed (403)
//   - KindExpired ("Request has expired", "Request is not valid yet"),
//     KindMissingDate and KindHeadersNotSigned: AccessDenied (403)
//   - KindInvalidToken: InvalidToken (400)
//   - KindMalformed, and a header credential scope with the wrong region
//     (KindInvalidRegion, ArgumentValue the region expected), service
//     (KindInvalidProduct) or date (KindInvalidDate):
//     AuthorizationHeaderMalformed (400)
//   - KindMalformedQuery: AuthorizationQueryParametersError (400)
//   - KindContentSHA256Mismatch: XAmzContentSHA256Mismatch (400)
//   - KindIncompleteBody: IncompleteBody (400)
//   - KindUnsupported (Signature V2) and KindInvalidRequest:
//     InvalidRequest (400)
//   - KindInvalidArgument: InvalidArgument (400)
func (e *Error) S3Code() string {
	switch e.Kind {
	case KindSignatureMismatch:
		return "SignatureDoesNotMatch"
	case KindInvalidAccessKeyID:
		return "InvalidAccessKeyId"
	case KindTimeSkewed:
		return "RequestTimeTooSkewed"
	case KindInvalidToken:
		return "InvalidToken"
	case KindMalformed, KindInvalidRegion, KindInvalidProduct, KindInvalidDate:
		return "AuthorizationHeaderMalformed"
	case KindMalformedQuery:
		return "AuthorizationQueryParametersError"
	case KindContentSHA256Mismatch:
		return "XAmzContentSHA256Mismatch"
	case KindIncompleteBody:
		return "IncompleteBody"
	case KindUnsupported, KindInvalidRequest:
		return "InvalidRequest"
	case KindInvalidArgument:
		return "InvalidArgument"
	}
	return "AccessDenied"
}

// S3Status returns the HTTP status S3 answers e with: 403 for
// SignatureDoesNotMatch, InvalidAccessKeyId, RequestTimeTooSkewed and
// AccessDenied, 400 for the others.
func (e *Error) S3Status() int {
	switch e.S3Code() {
	case "SignatureDoesNotMatch", "InvalidAccessKeyId", "RequestTimeTooSkewed", "AccessDenied":
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

func awsErr(k Kind, name, value, msg string) *Error {
	return &Error{Kind: k, Message: msg, ArgumentName: name, ArgumentValue: value}
}

// AWSVerifier checks the SigV4 signatures of incoming S3 requests. It is
// safe for concurrent use when Lookup is.
type AWSVerifier struct {
	// Lookup returns the credentials of an access key id, and false when
	// the id is unknown. A non-empty SecurityToken means requests made
	// with that key must carry exactly that token.
	Lookup func(accessKeyID string) (Credentials, bool)
	// MaxSkew bounds the difference between a header-signed request's time
	// and now; zero means DefaultMaxSkew (15 minutes, as S3).
	MaxSkew time.Duration
	// Region is the only region a credential scope may name, for example
	// "us-east-1"; empty accepts any region.
	Region string
	// Service is the service a credential scope must name; empty means
	// "s3".
	Service string
}

func (v *AWSVerifier) service() string {
	if v.Service == "" {
		return AWSService
	}
	return v.Service
}

// AWSIdentity is who a verified S3 request comes from, and how its body
// is authenticated.
type AWSIdentity struct {
	// AccessKeyID is empty for an anonymous request.
	AccessKeyID string
	// Presigned is true for query-string (presigned URL) authentication.
	Presigned bool
	// ContentSHA256 is the payload the signature vouches for: a hex
	// SHA-256 of the body, UnsignedPayload, or one of the Streaming*
	// values. It is UnsignedPayload for anonymous requests and for
	// presigned ones that do not sign an x-amz-content-sha256 header.
	ContentSHA256 string
	// Seed is what a streaming body's chunk signatures chain from.
	Seed AWSSeed
}

// Anonymous reports whether the request carried no authentication at all.
func (id AWSIdentity) Anonymous() bool { return id.AccessKeyID == "" }

// awsAuthHeaders and awsAuthParams may each appear once in a request.
var (
	awsAuthHeaders = []string{HeaderAuthorization, AWSHeaderDate, AWSHeaderContentSHA256, AWSHeaderSecurityToken, AWSHeaderDecodedLength, AWSHeaderTrailer}
	awsAuthParams  = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", awsQuerySig, "X-Amz-Content-Sha256"}
)

// Verify authenticates r at time now. r is the request as the server
// received it: its path is the one the client signed, path-style
// (/bucket/key) or virtual-hosted (/key), so no Resource is needed. A
// request with no Authorization header and no X-Amz-* signature
// parameters is anonymous: Verify returns an identity without an access
// key and a nil error. Failures are *Error values; [Error.S3Code] names
// the S3 error each one is.
//
// Verify does not read the body. The caller reads it through
// [AWSIdentity.Body], which checks a hex x-amz-content-sha256 and the
// chunk signatures of a streaming body.
func (v *AWSVerifier) Verify(r *http.Request, now time.Time) (AWSIdentity, error) {
	q := parseQuery(r.URL.RawQuery)
	for _, name := range awsAuthHeaders {
		if len(r.Header.Values(name)) > 1 {
			return AWSIdentity{}, awsErr(KindInvalidArgument, name, "", "The "+name+" header must not be repeated.")
		}
	}
	for _, name := range awsAuthParams {
		n := 0
		for _, p := range q {
			if p.name == name {
				n++
			}
		}
		if n > 1 {
			return AWSIdentity{}, awsErr(KindMalformedQuery, name, "", "The "+name+" parameter must not be repeated.")
		}
	}
	auth := r.Header.Get(HeaderAuthorization)
	_, hasAlg := get(q, "X-Amz-Algorithm")
	_, hasSig := get(q, awsQuerySig)
	_, hasCred := get(q, "X-Amz-Credential")
	presigned := hasAlg || hasSig || hasCred
	if auth != "" && presigned {
		return AWSIdentity{}, awsErr(KindInvalidArgument, "Authorization", auth,
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	}
	switch {
	case strings.HasPrefix(auth, awsAuthPrefix):
		return v.verifyHeader(r, q, auth[len(awsAuthPrefix):], now)
	case strings.HasPrefix(auth, "AWS "):
		return AWSIdentity{}, &Error{Kind: KindUnsupported, Message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."}
	case auth != "":
		return AWSIdentity{}, awsErr(KindMalformed, "Authorization", auth, "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	case presigned:
		return v.verifyQuery(r, q, now)
	}
	if _, ok := get(q, "AWSAccessKeyId"); ok {
		return AWSIdentity{}, &Error{Kind: KindUnsupported, Message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."}
	}
	return AWSIdentity{ContentSHA256: UnsignedPayload}, nil
}

// awsCredential is a parsed "ak/yyyymmdd/region/service/aws4_request".
type awsCredential struct {
	ak, day, region, service string
}

func parseAWSCredential(s string) (awsCredential, bool) {
	parts := strings.Split(s, "/")
	n := len(parts)
	if n < 5 || parts[n-1] != awsTerminator {
		return awsCredential{}, false
	}
	c := awsCredential{ak: strings.Join(parts[:n-4], "/"), day: parts[n-4], region: parts[n-3], service: parts[n-2]}
	if c.ak == "" || c.region == "" || c.service == "" {
		return awsCredential{}, false
	}
	if _, err := time.Parse(v4DateFormat, c.day); err != nil {
		return awsCredential{}, false
	}
	return c, true
}

// checkScope compares a credential scope with the verifier's region and
// service and with the date of the request's timestamp ts. Header
// failures are AuthorizationHeaderMalformed, presigned ones
// AuthorizationQueryParametersError, each with S3's wording.
func (v *AWSVerifier) checkScope(c awsCredential, ts string, presigned bool) error {
	bad := func(k Kind, expected, msg string) error {
		if presigned {
			return awsErr(KindMalformedQuery, "X-Amz-Credential", expected, "Error parsing the X-Amz-Credential parameter; "+msg)
		}
		return awsErr(k, "Credential", expected, "The authorization header is malformed; "+msg)
	}
	if v.Region != "" && c.region != v.Region {
		return bad(KindInvalidRegion, v.Region, "the region '"+c.region+"' is wrong; expecting '"+v.Region+"'")
	}
	if c.service != v.service() {
		return bad(KindInvalidProduct, v.service(), "incorrect service '"+c.service+"'. This endpoint belongs to '"+v.service()+"'.")
	}
	if c.day != ts[:len(v4DateFormat)] {
		return bad(KindInvalidDate, ts[:len(v4DateFormat)], "Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return nil
}

// credentials looks up ak and checks the security token the request
// carries.
func (v *AWSVerifier) credentials(ak, token string) (Credentials, error) {
	var cred Credentials
	ok := false
	if v.Lookup != nil {
		cred, ok = v.Lookup(ak)
	}
	if !ok || cred.AccessKeySecret == "" {
		return Credentials{}, &Error{Kind: KindInvalidAccessKeyID, AccessKeyID: ak, Message: "The AWS Access Key Id you provided does not exist in our records."}
	}
	if cred.SecurityToken != token {
		return Credentials{}, &Error{Kind: KindInvalidToken, AccessKeyID: ak, Message: "The provided token is malformed or otherwise invalid."}
	}
	return cred, nil
}

// parseAWSAuth splits the part of an Authorization header after the
// algorithm: "Credential=…, SignedHeaders=…, Signature=…", with or without
// spaces after the commas, each field once.
func parseAWSAuth(s string) (cred, signed, sig string, ok bool) {
	n := 0
	for field := range strings.SplitSeq(s, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(field), "=")
		if !found {
			return "", "", "", false
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &cred
		case "SignedHeaders":
			dst = &signed
		case "Signature":
			dst = &sig
		default:
			return "", "", "", false
		}
		if *dst != "" || val == "" {
			return "", "", "", false
		}
		*dst = val
		n++
	}
	return cred, signed, sig, n == 3
}

// parseSignedHeaders checks a SignedHeaders list: lower-case names in
// strictly increasing order, host among them.
func parseSignedHeaders(s string) ([]string, bool) {
	names := strings.Split(s, ";")
	host := false
	for i, n := range names {
		if n == "" || n != strings.ToLower(n) || i > 0 && n <= names[i-1] {
			return nil, false
		}
		host = host || n == "host"
	}
	return names, host
}

// checkAllSigned refuses a request carrying an x-amz-* header that signed
// does not list, as S3 does: such a header could have been added or
// changed on the way. A presigned request may carry an unsigned
// x-amz-content-sha256, which then vouches for nothing.
func checkAllSigned(h http.Header, signed []string, presigned bool) error {
	for k := range h {
		if len(k) < 6 || !lowerEquals(k[:6], "x-amz-") {
			continue
		}
		l := strings.ToLower(k)
		if presigned && l == "x-amz-content-sha256" {
			continue
		}
		if _, found := slices.BinarySearch(signed, l); !found {
			return awsErr(KindHeadersNotSigned, "HeadersNotSigned", l, "There were headers present in the request which were not signed")
		}
	}
	return nil
}

// awsPayloadValid reports whether p is a value of x-amz-content-sha256
// this package accepts: UnsignedPayload, a Streaming* value or 64 hex
// digits.
func awsPayloadValid(p string) bool {
	switch p {
	case UnsignedPayload, StreamingSigned, StreamingSignedTrailer, StreamingUnsignedTrailer:
		return true
	}
	return isHexSHA256(p)
}

func isHexSHA256(p string) bool {
	if len(p) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (v *AWSVerifier) verifyHeader(r *http.Request, q []param, rest string, now time.Time) (AWSIdentity, error) {
	auth := r.Header.Get(HeaderAuthorization)
	credStr, signedStr, provided, ok := parseAWSAuth(rest)
	if !ok {
		return AWSIdentity{}, awsErr(KindMalformed, "Authorization", auth, "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	cred, ok := parseAWSCredential(credStr)
	if !ok {
		return AWSIdentity{}, awsErr(KindMalformed, "Credential", credStr, "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	signed, ok := parseSignedHeaders(signedStr)
	if !ok {
		return AWSIdentity{}, awsErr(KindMalformed, "SignedHeaders", signedStr, "The authorization header is malformed; SignedHeaders must be sorted lower-case header names including host.")
	}
	if err := checkAllSigned(r.Header, signed, false); err != nil {
		return AWSIdentity{}, err
	}
	payload := r.Header.Get(AWSHeaderContentSHA256)
	if payload == "" {
		return AWSIdentity{}, awsErr(KindInvalidRequest, "x-amz-content-sha256", "", "Missing required header for this request: x-amz-content-sha256")
	}
	if !awsPayloadValid(payload) {
		return AWSIdentity{}, awsErr(KindInvalidArgument, "x-amz-content-sha256", payload, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	c, err := v.credentials(cred.ak, r.Header.Get(AWSHeaderSecurityToken))
	if err != nil {
		return AWSIdentity{}, err
	}
	when, ok := awsRequestTime(r.Header)
	if !ok {
		return AWSIdentity{}, &Error{Kind: KindMissingDate, AccessKeyID: cred.ak, Message: "AWS authentication requires a valid Date or x-amz-date header"}
	}
	if err := (&Verifier{MaxSkew: v.MaxSkew}).checkSkew(when, now); err != nil {
		return AWSIdentity{}, err
	}
	ts := when.UTC().Format(v4TimeFormat)
	if err := v.checkScope(cred, ts, false); err != nil {
		e := err.(*Error)
		e.AccessKeyID = cred.ak
		return AWSIdentity{}, e
	}
	seed := AWSSeed{Timestamp: ts, Scope: awsScope(cred.day, cred.region, cred.service)}
	seed.key = awsSigningKey(c.AccessKeySecret, cred.day, cred.region, cred.service)
	crHash := awsCanonicalRequest(r, q, false, signed, payload)
	seed.Signature = awsSign(seed, crHash)
	if !hmac.Equal([]byte(seed.Signature), []byte(provided)) {
		return AWSIdentity{}, mismatch(cred.ak, awsStringToSign(seed, crHash), provided)
	}
	if strings.HasPrefix(payload, "STREAMING-") {
		if err := checkStreamingHeaders(r.Header); err != nil {
			return AWSIdentity{}, err
		}
	}
	return AWSIdentity{AccessKeyID: cred.ak, ContentSHA256: payload, Seed: seed}, nil
}

// awsRequestTime is the time of a header-signed request: x-amz-date when
// present, else the Date header.
func awsRequestTime(h http.Header) (time.Time, bool) {
	if d := h.Get(AWSHeaderDate); d != "" {
		t, err := time.Parse(v4TimeFormat, d)
		return t, err == nil
	}
	if d := h.Get(HeaderDate); d != "" {
		t, err := http.ParseTime(d)
		return t, err == nil
	}
	return time.Time{}, false
}

func (v *AWSVerifier) verifyQuery(r *http.Request, q []param, now time.Time) (AWSIdentity, error) {
	const missing = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	vals := make(map[string]string, 6)
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", awsQuerySig} {
		val, _ := get(q, name)
		if val == "" {
			return AWSIdentity{}, awsErr(KindMalformedQuery, name, "", missing)
		}
		vals[name] = val
	}
	if alg := vals["X-Amz-Algorithm"]; alg != AWSAlgorithm {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Algorithm", alg, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	cred, ok := parseAWSCredential(vals["X-Amz-Credential"])
	if !ok {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Credential", vals["X-Amz-Credential"], "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	ts := vals["X-Amz-Date"]
	signedAt, err := time.Parse(v4TimeFormat, ts)
	if err != nil {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Date", ts, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	exp, err := strconv.ParseInt(vals["X-Amz-Expires"], 10, 64)
	if err != nil || exp < 0 {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Expires", vals["X-Amz-Expires"], "X-Amz-Expires should be a number")
	}
	if exp > int64(MaxPresignExpiry/time.Second) {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Expires", vals["X-Amz-Expires"], "X-Amz-Expires must be less than a week (in seconds) that is; 604800")
	}
	signed, ok := parseSignedHeaders(vals["X-Amz-SignedHeaders"])
	if !ok {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-SignedHeaders", vals["X-Amz-SignedHeaders"], "X-Amz-SignedHeaders must be sorted lower-case header names including host.")
	}
	if err := checkAllSigned(r.Header, signed, true); err != nil {
		return AWSIdentity{}, err
	}
	payload, _ := get(q, "X-Amz-Content-Sha256")
	if payload == "" {
		payload = UnsignedPayload
	}
	if payload != UnsignedPayload && !isHexSHA256(payload) {
		return AWSIdentity{}, awsErr(KindMalformedQuery, "X-Amz-Content-Sha256", payload, "A presigned URL's X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
	}
	token, _ := get(q, "X-Amz-Security-Token")
	c, err := v.credentials(cred.ak, token)
	if err != nil {
		return AWSIdentity{}, err
	}
	if now.After(signedAt.Add(time.Duration(exp) * time.Second)) {
		return AWSIdentity{}, &Error{Kind: KindExpired, AccessKeyID: cred.ak, Message: "Request has expired"}
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if signedAt.Sub(now) > skew {
		return AWSIdentity{}, &Error{Kind: KindExpired, AccessKeyID: cred.ak, Message: "Request is not valid yet"}
	}
	if err := v.checkScope(cred, ts, true); err != nil {
		e := err.(*Error)
		e.AccessKeyID = cred.ak
		return AWSIdentity{}, e
	}
	seed := AWSSeed{Timestamp: ts, Scope: awsScope(cred.day, cred.region, cred.service)}
	seed.key = awsSigningKey(c.AccessKeySecret, cred.day, cred.region, cred.service)
	crHash := awsCanonicalRequest(r, q, true, signed, payload)
	seed.Signature = awsSign(seed, crHash)
	provided := vals[awsQuerySig]
	if !hmac.Equal([]byte(seed.Signature), []byte(provided)) {
		return AWSIdentity{}, mismatch(cred.ak, awsStringToSign(seed, crHash), provided)
	}
	// A signed x-amz-content-sha256 header holds the body to its digest;
	// streaming bodies are not accepted on presigned URLs.
	if h := r.Header.Get(AWSHeaderContentSHA256); h != "" && payload == UnsignedPayload {
		for _, n := range signed {
			if n != "x-amz-content-sha256" {
				continue
			}
			if !isHexSHA256(h) && h != UnsignedPayload {
				return AWSIdentity{}, awsErr(KindInvalidArgument, "x-amz-content-sha256", h, "A presigned request's x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
			}
			payload = h
		}
	}
	return AWSIdentity{AccessKeyID: cred.ak, Presigned: true, ContentSHA256: payload, Seed: seed}, nil
}

// checkStreamingHeaders checks the headers a streaming body needs: an
// x-amz-decoded-content-length.
func checkStreamingHeaders(h http.Header) error {
	d := h.Get(AWSHeaderDecodedLength)
	if d == "" {
		return awsErr(KindInvalidRequest, "x-amz-decoded-content-length", "", "Missing required header for this request: x-amz-decoded-content-length")
	}
	if n, err := strconv.ParseInt(d, 10, 64); err != nil || n < 0 {
		return awsErr(KindInvalidArgument, "x-amz-decoded-content-length", d, "x-amz-decoded-content-length must be a non-negative integer.")
	}
	return nil
}

// AWSPayloadHash reads the x-amz-content-sha256 header of h as
// [PayloadHash] does for OSS: nil when it is absent, UnsignedPayload or a
// Streaming* value (the chunk decoder checks those bodies), the 32-byte
// SHA-256 the body must have when it is 64 hex digits, and a
// KindInvalidArgument *Error for any other value.
func AWSPayloadHash(h http.Header) ([]byte, error) {
	v := h.Get(AWSHeaderContentSHA256)
	if v == "" || v == UnsignedPayload || strings.HasPrefix(v, "STREAMING-") && awsPayloadValid(v) {
		return nil, nil
	}
	sum, err := hex.DecodeString(v)
	if err != nil || len(sum) != sha256.Size {
		return nil, awsErr(KindInvalidArgument, "x-amz-content-sha256", v, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	return sum, nil
}

// Body returns the reader a server stores the body of the request id was
// verified for from, given the request's body and headers:
//
//   - for UnsignedPayload, body itself;
//   - for a hex digest, a reader of body whose read that reaches the end
//     fails with KindContentSHA256Mismatch (XAmzContentSHA256Mismatch)
//     instead of returning io.EOF when the body hashes otherwise;
//   - for a Streaming* value, an *[AWSChunkedReader] that decodes the
//     aws-chunked body and checks its chunk and trailer signatures.
//
// A store that commits only when the read ends with io.EOF thus never
// commits a body whose authentication fails.
func (id AWSIdentity) Body(body io.Reader, h http.Header) (io.Reader, error) {
	switch p := id.ContentSHA256; {
	case p == "" || p == UnsignedPayload:
		return body, nil
	case isHexSHA256(p):
		sum, _ := hex.DecodeString(p)
		return NewAWSDigestReader(body, sum), nil
	}
	return NewAWSChunkedReader(body, h, id)
}

// NewAWSDigestReader returns a reader of body that fails with a
// KindContentSHA256Mismatch *Error, instead of returning io.EOF, when the
// body it has read does not hash to sum.
func NewAWSDigestReader(body io.Reader, sum []byte) io.Reader {
	return &digestReader{r: body, h: sha256.New(), want: sum}
}

type digestReader struct {
	r    io.Reader
	h    hash.Hash
	want []byte
	err  error
}

func (d *digestReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	if err == io.EOF {
		if got := d.h.Sum(nil); !hmac.Equal(got, d.want) {
			err = &Error{Kind: KindContentSHA256Mismatch,
				Message:       "The provided 'x-amz-content-sha256' header does not match what was computed.",
				ArgumentName:  "x-amz-content-sha256",
				ArgumentValue: hex.EncodeToString(got)}
			if n > 0 {
				d.err = err
				return n, nil
			}
		}
		d.err = err
	}
	return n, err
}
