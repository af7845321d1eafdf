package sign

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// v4Credential is a parsed "ak/yyyymmdd/region/product/aliyun_v4_request".
type v4Credential struct {
	ak, day, region, product string
}

func (c v4Credential) scope() string { return v4Scope(c.day, c.region, c.product) }

func (c v4Credential) String() string { return c.ak + "/" + c.scope() }

// checkScope compares the credential scope of a V4 request with what v
// accepts: v.Region (when set), DefaultProduct, and the UTC date of
// signedAt, the request's timestamp, which source names (x-oss-date or
// Date). arg names where the credential came from: "Credential" for the
// Authorization header, "x-oss-credential" for a presigned URL.
func (v *Verifier) checkScope(c v4Credential, arg string, signedAt time.Time, source string) error {
	where := "in Authorization header"
	if arg != "Credential" {
		where = "in " + arg
	}
	bad := func(k Kind, what, want, got string) error {
		return &Error{
			Kind:          k,
			AccessKeyID:   c.ak,
			ArgumentName:  arg,
			ArgumentValue: c.String(),
			Message:       "Invalid signing " + what + " " + where + ": expected " + want + ", got " + strconv.Quote(got) + ".",
		}
	}
	if v.Region != "" && c.region != v.Region {
		return bad(KindInvalidRegion, "region", strconv.Quote(v.Region), c.region)
	}
	if c.product != DefaultProduct {
		return bad(KindInvalidProduct, "product", strconv.Quote(DefaultProduct), c.product)
	}
	if day := signedAt.UTC().Format(v4DateFormat); c.day != day {
		return bad(KindInvalidDate, "date", strconv.Quote(day)+" (the UTC date of "+source+")", c.day)
	}
	return nil
}

func parseV4Credential(s string) (v4Credential, bool) {
	parts := strings.Split(s, "/")
	n := len(parts)
	if n < 5 || parts[n-1] != v4Terminator {
		return v4Credential{}, false
	}
	c := v4Credential{
		ak:      strings.Join(parts[:n-4], "/"),
		day:     parts[n-4],
		region:  parts[n-3],
		product: parts[n-2],
	}
	if c.ak == "" || c.region == "" || c.product == "" {
		return v4Credential{}, false
	}
	if _, err := time.Parse(v4DateFormat, c.day); err != nil {
		return v4Credential{}, false
	}
	return c, true
}

// parseV4Auth splits the part of a V4 Authorization header after the
// algorithm: "Credential=…,AdditionalHeaders=…,Signature=…", with or
// without spaces after the commas.
func parseV4Auth(s string) (cred v4Credential, additional []string, sig string, ok bool) {
	var credStr string
	for _, field := range strings.Split(s, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(field), "=")
		if !found {
			return cred, nil, "", false
		}
		switch k {
		case "Credential":
			credStr = val
		case "AdditionalHeaders":
			additional = splitHeaderList(val)
		case "Signature":
			sig = val
		default:
			return cred, nil, "", false
		}
	}
	cred, ok = parseV4Credential(credStr)
	return cred, additional, sig, ok && sig != ""
}

// splitHeaderList parses "h1;h2" into lower-cased names in the order given.
func splitHeaderList(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ";") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// v4Timestamp returns the timestamp line a V4 header signature uses, the
// time it names and the header it comes from: x-oss-date when present, else
// the Date header (the v1 SDK sends no x-oss-date).
func v4Timestamp(h http.Header) (ts string, t time.Time, source string, ok bool) {
	if ts := h.Get(HeaderOSSDate); ts != "" {
		t, err := time.Parse(v4TimeFormat, ts)
		return ts, t, "x-oss-date", err == nil
	}
	if ts := h.Get(HeaderDate); ts != "" {
		t, err := http.ParseTime(ts)
		return ts, t, "Date", err == nil
	}
	return "", time.Time{}, "", false
}

func (v *Verifier) verifyV4Header(r *http.Request, res Resource, q []param, rest string, now time.Time) (Identity, error) {
	cred, additional, provided, ok := parseV4Auth(rest)
	if !ok {
		return Identity{}, malformed("Authorization", r.Header.Get(HeaderAuthorization), "The Authorization header is invalid.")
	}
	c, err := v.credentials(cred.ak, r.Header.Get(HeaderSecurityToken))
	if err != nil {
		return Identity{}, err
	}
	ts, when, source, ok := v4Timestamp(r.Header)
	if !ok {
		return Identity{}, &Error{Kind: KindMissingDate, AccessKeyID: cred.ak, Message: "OSS authentication requires a valid Date."}
	}
	if err := v.checkSkew(when, now); err != nil {
		return Identity{}, err
	}
	if err := v.checkScope(cred, "Credential", when, source); err != nil {
		return Identity{}, err
	}
	sts := v4StringToSign(ts, cred.scope(), v4CanonicalRequest(r, res, q, additional))
	if !v4Equal(c.AccessKeySecret, cred, sts, provided) {
		return Identity{}, mismatch(cred.ak, sts, provided)
	}
	return Identity{AccessKeyID: cred.ak, Version: V4}, nil
}

func v4Equal(secret string, cred v4Credential, sts, provided string) bool {
	want := v4Signature(secret, cred.day, cred.region, cred.product, sts)
	return hmac.Equal([]byte(want), []byte(strings.ToLower(provided)))
}

func (v *Verifier) verifyV4Query(r *http.Request, res Resource, q []param, now time.Time) (Identity, error) {
	if alg, _ := get(q, "x-oss-signature-version"); alg != v4Algorithm {
		return Identity{}, malformed("x-oss-signature-version", alg, "The signature version is not supported.")
	}
	credStr, _ := get(q, "x-oss-credential")
	cred, ok := parseV4Credential(credStr)
	if !ok {
		return Identity{}, malformed("x-oss-credential", credStr, "The credential is invalid.")
	}
	provided, _ := get(q, queryV4Signature)
	if provided == "" {
		return Identity{}, malformed(queryV4Signature, "", "The signature is missing.")
	}
	ts, _ := get(q, "x-oss-date")
	signedAt, err := time.Parse(v4TimeFormat, ts)
	if err != nil {
		return Identity{}, malformed("x-oss-date", ts, "x-oss-date must be formatted as 20060102T150405Z.")
	}
	expStr, _ := get(q, "x-oss-expires")
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil || exp < 1 || exp > int64(MaxPresignExpiry/time.Second) {
		return Identity{}, malformed("x-oss-expires", expStr, "x-oss-expires must be between 1 and 604800 seconds.")
	}
	token, _ := get(q, "x-oss-security-token")
	c, err := v.credentials(cred.ak, token)
	if err != nil {
		return Identity{}, err
	}
	if now.After(signedAt.Add(time.Duration(exp) * time.Second)) {
		return Identity{}, &Error{Kind: KindExpired, AccessKeyID: cred.ak, Message: "Request has expired."}
	}
	if err := v.checkSkew(signedAt, now); err != nil && signedAt.After(now) {
		return Identity{}, err
	}
	if err := v.checkScope(cred, "x-oss-credential", signedAt, "x-oss-date"); err != nil {
		return Identity{}, err
	}
	addStr, _ := get(q, "x-oss-additional-headers")
	sts := v4StringToSign(ts, cred.scope(), v4CanonicalRequest(r, res, q, splitHeaderList(addStr)))
	if !v4Equal(c.AccessKeySecret, cred, sts, provided) {
		return Identity{}, mismatch(cred.ak, sts, provided)
	}
	return Identity{AccessKeyID: cred.ak, Version: V4, Presigned: true}, nil
}
