package sign

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSkew is how far a request's time may be from the server's clock.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks the signatures of incoming requests. It is safe for
// concurrent use when Lookup is.
type Verifier struct {
	// Lookup returns the credentials of an access key id, and false when the
	// id is unknown. A non-empty SecurityToken means requests made with that
	// key must carry exactly that token.
	Lookup func(accessKeyID string) (Credentials, bool)
	// MaxSkew bounds the difference between a header-signed request's time
	// and now; zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// Region is the only region a V4 credential scope may name, for
	// example "cn-hangzhou"; empty accepts any region. The product must
	// always be DefaultProduct, and the scope's date the UTC date of the
	// request's timestamp.
	Region string
}

// Identity is who a verified request comes from.
type Identity struct {
	// AccessKeyID is empty for an anonymous request.
	AccessKeyID string
	// Version is the scheme the request was signed with; zero when anonymous.
	Version Version
	// Presigned is true for query-string (presigned URL) authentication.
	Presigned bool
}

// Anonymous reports whether the request carried no authentication at all.
func (id Identity) Anonymous() bool { return id.AccessKeyID == "" }

// Verify authenticates r, which addresses res, at time now. A request with no
// Authorization header and no signature parameters is anonymous: Verify
// returns an Identity with no access key and a nil error, and the caller
// decides whether the resource allows that. Failures are *Error values.
//
// Before any signature is looked at, Verify refuses (KindMalformed) a
// request that repeats an authentication header or query parameter, and
// one whose x-oss-content-sha256 is not a value [PayloadHash] accepts.
func (v *Verifier) Verify(r *http.Request, res Resource, now time.Time) (Identity, error) {
	q := parseQuery(r.URL.RawQuery)
	if err := checkRepeats(r.Header, q); err != nil {
		return Identity{}, err
	}
	if _, err := PayloadHash(r.Header); err != nil {
		return Identity{}, err
	}
	auth := r.Header.Get(HeaderAuthorization)
	switch {
	case strings.HasPrefix(auth, v4AuthPrefix):
		return v.verifyV4Header(r, res, q, strings.TrimPrefix(auth, v4AuthPrefix), now)
	case strings.HasPrefix(auth, v1AuthPrefix):
		return v.verifyV1Header(r, res, q, strings.TrimPrefix(auth, v1AuthPrefix), now)
	case strings.HasPrefix(auth, v2AuthPrefix):
		return Identity{}, &Error{Kind: KindUnsupported, Message: "Signature V2 (OSS2) is not supported; use V1 or V4."}
	case auth != "":
		return Identity{}, malformed("Authorization", auth, "The Authorization header is invalid.")
	}
	if _, ok := get(q, "x-oss-signature-version"); ok {
		return v.verifyV4Query(r, res, q, now)
	}
	if _, ok := get(q, "OSSAccessKeyId"); ok {
		return v.verifyV1Query(r, res, q, now)
	}
	if _, ok := get(q, "Signature"); ok {
		return Identity{}, malformed("OSSAccessKeyId", "", "A presigned URL needs OSSAccessKeyId, Expires and Signature.")
	}
	return Identity{}, nil
}

// authHeaders and authParams are the headers and query parameters that
// authenticate a request. Each may appear once: the verifier reads the
// first value, while V4 canonicalisation joins repeated headers, so a
// repeat would make the request mean two things.
var (
	authHeaders = []string{HeaderAuthorization, HeaderDate, HeaderOSSDate, HeaderContentSHA256, HeaderSecurityToken}
	authParams  = []string{
		"OSSAccessKeyId", "Expires", "Signature", "security-token",
		"x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires",
		"x-oss-additional-headers", "x-oss-security-token", queryV4Signature,
	}
)

// checkRepeats refuses a request that repeats one of authHeaders or
// authParams.
func checkRepeats(h http.Header, q []param) error {
	for _, name := range authHeaders {
		if len(h.Values(name)) > 1 {
			if l := strings.ToLower(name); isOSSHeader(l) {
				name = l
			}
			return malformed(name, "", "The "+name+" header must not be repeated.")
		}
	}
	for _, name := range authParams {
		n := 0
		for _, p := range q {
			if p.name == name {
				n++
			}
		}
		if n > 1 {
			return malformed(name, "", "The "+name+" parameter must not be repeated.")
		}
	}
	return nil
}

func malformed(name, value, msg string) *Error {
	return &Error{Kind: KindMalformed, Message: msg, ArgumentName: name, ArgumentValue: value}
}

// credentials looks up ak and checks the security token the request carries.
func (v *Verifier) credentials(ak, token string) (Credentials, error) {
	if v.Lookup == nil {
		return Credentials{}, &Error{Kind: KindInvalidAccessKeyID, AccessKeyID: ak, Message: "The OSS Access Key Id you provided does not exist in our records."}
	}
	cred, ok := v.Lookup(ak)
	if !ok || cred.AccessKeySecret == "" {
		return Credentials{}, &Error{Kind: KindInvalidAccessKeyID, AccessKeyID: ak, Message: "The OSS Access Key Id you provided does not exist in our records."}
	}
	if cred.SecurityToken != token {
		return Credentials{}, &Error{Kind: KindInvalidToken, AccessKeyID: ak, Message: "The security token you provided is invalid."}
	}
	return cred, nil
}

func (v *Verifier) checkSkew(t, now time.Time) error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return &Error{
			Kind: KindTimeSkewed, Message: "The difference between the request time and the current time is too large.",
			RequestTime: t, ServerTime: now, MaxSkew: skew,
		}
	}
	return nil
}

func mismatch(ak, sts, provided string) *Error {
	return &Error{
		Kind:              KindSignatureMismatch,
		Message:           "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
		AccessKeyID:       ak,
		StringToSign:      sts,
		SignatureProvided: provided,
	}
}

func (v *Verifier) verifyV1Header(r *http.Request, res Resource, q []param, rest string, now time.Time) (Identity, error) {
	ak, provided, ok := strings.Cut(rest, ":")
	if !ok || ak == "" || provided == "" {
		return Identity{}, malformed("Authorization", r.Header.Get(HeaderAuthorization), "The Authorization header is invalid.")
	}
	cred, err := v.credentials(ak, r.Header.Get(HeaderSecurityToken))
	if err != nil {
		return Identity{}, err
	}
	// The Go SDKs sign the Date header; the docs and the Python SDK sign
	// x-oss-date when present. Accept either.
	var dates []string
	var when time.Time
	for _, h := range []string{HeaderOSSDate, HeaderDate} {
		d := r.Header.Get(h)
		if d == "" {
			continue
		}
		dates = append(dates, d)
		if t, err := http.ParseTime(d); err == nil && when.IsZero() {
			when = t
		}
	}
	if when.IsZero() {
		return Identity{}, &Error{Kind: KindMissingDate, AccessKeyID: ak, Message: "OSS authentication requires a valid Date."}
	}
	if err := v.checkSkew(when, now); err != nil {
		return Identity{}, err
	}
	sts, ok := matchV1(r, res, q, dates, cred.AccessKeySecret, provided)
	if !ok {
		return Identity{}, mismatch(ak, sts, provided)
	}
	return Identity{AccessKeyID: ak, Version: V1}, nil
}

// matchV1 tries every accepted V1 string to sign; it returns the first one
// tried when none matches.
func matchV1(r *http.Request, res Resource, q []param, dates []string, secret, provided string) (string, bool) {
	rules := []bool{true}
	if hasUnlistedOSSQuery(q) {
		rules = append(rules, false)
	}
	first := ""
	for _, d := range dates {
		for _, all := range rules {
			sts := v1StringToSign(r, res, d, q, all)
			if first == "" {
				first = sts
			}
			if hmac.Equal([]byte(v1Signature(secret, sts)), []byte(provided)) {
				return sts, true
			}
		}
	}
	return first, false
}

func (v *Verifier) verifyV1Query(r *http.Request, res Resource, q []param, now time.Time) (Identity, error) {
	ak, _ := get(q, "OSSAccessKeyId")
	provided, _ := get(q, "Signature")
	exp, _ := get(q, "Expires")
	if ak == "" || provided == "" {
		return Identity{}, malformed("OSSAccessKeyId", ak, "A presigned URL needs OSSAccessKeyId, Expires and Signature.")
	}
	expiry, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return Identity{}, malformed("Expires", exp, "Expires must be a Unix time in seconds.")
	}
	token, _ := get(q, "security-token")
	cred, err := v.credentials(ak, token)
	if err != nil {
		return Identity{}, err
	}
	if now.Unix() > expiry {
		return Identity{}, &Error{Kind: KindExpired, AccessKeyID: ak, Message: "Request has expired."}
	}
	sts, ok := matchV1(r, res, q, []string{exp}, cred.AccessKeySecret, provided)
	if !ok {
		return Identity{}, mismatch(ak, sts, provided)
	}
	return Identity{AccessKeyID: ak, Version: V1, Presigned: true}, nil
}
