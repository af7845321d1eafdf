package sign

import (
	"crypto/hmac"
	"strings"
	"time"
)

// PostForm is what authenticates a PostObject (browser form upload): the
// base64 policy and the fields that sign it. The signature covers the
// policy alone, never the request's headers or URL.
//
// Signature V1 sets AccessKeyID and Signature (base64 HMAC-SHA1 of Policy
// keyed with the secret). Signature V4 sets SignatureVersion
// (OSS4-HMAC-SHA256), Credential ("ak/yyyymmdd/region/oss/aliyun_v4_request"),
// Date (20060102T150405Z) and V4Signature (hex HMAC-SHA256 of Policy keyed
// with the V4 signing key of the credential's scope).
type PostForm struct {
	Policy string

	AccessKeyID string // OSSAccessKeyId
	Signature   string // Signature

	SignatureVersion string // x-oss-signature-version
	Credential       string // x-oss-credential
	Date             string // x-oss-date
	V4Signature      string // x-oss-signature

	SecurityToken string // x-oss-security-token
}

// PostAlgorithmV4 is the x-oss-signature-version of a V4-signed form.
const PostAlgorithmV4 = v4Algorithm

// SignPostV1 returns the V1 Signature field of a form whose policy field
// (base64) is policy.
func SignPostV1(secret, policy string) string { return v1Signature(secret, policy) }

// SignPostV4 returns the V4 x-oss-signature field of a form whose policy
// field (base64) is policy, signed at signedAt for region, and the
// x-oss-credential and x-oss-date fields that go with it.
func SignPostV4(cred Credentials, region, policy string, signedAt time.Time) (signature, credential, date string) {
	day := signedAt.UTC().Format(v4DateFormat)
	c := v4Credential{ak: cred.AccessKeyID, day: day, region: region, product: DefaultProduct}
	return v4Signature(cred.AccessKeySecret, day, region, DefaultProduct, policy), c.String(), signedAt.UTC().Format(v4TimeFormat)
}

// VerifyPost checks the signature of a PostObject form and returns who
// signed it. A V4 form's x-oss-date may be at most the verifier's skew
// ahead of now and at most MaxPresignExpiry behind it, and its credential
// scope must name the verifier's region, the oss product and the UTC day
// of x-oss-date. The caller checks the policy itself: its expiration and
// conditions, including that a V4 policy names these fields.
func (v *Verifier) VerifyPost(f PostForm, now time.Time) (Identity, error) {
	if f.SignatureVersion != "" {
		return v.verifyPostV4(f, now)
	}
	if f.AccessKeyID == "" {
		return Identity{}, malformed("OSSAccessKeyId", "", "The OSSAccessKeyId field is missing.")
	}
	if f.Signature == "" {
		return Identity{}, malformed("Signature", "", "The Signature field is missing.")
	}
	cred, err := v.credentials(f.AccessKeyID, f.SecurityToken)
	if err != nil {
		return Identity{}, err
	}
	want := v1Signature(cred.AccessKeySecret, f.Policy)
	if !hmac.Equal([]byte(want), []byte(f.Signature)) {
		return Identity{}, mismatch(f.AccessKeyID, f.Policy, f.Signature)
	}
	return Identity{AccessKeyID: f.AccessKeyID, Version: V1}, nil
}

func (v *Verifier) verifyPostV4(f PostForm, now time.Time) (Identity, error) {
	if f.SignatureVersion != v4Algorithm {
		return Identity{}, malformed("x-oss-signature-version", f.SignatureVersion, "The signature version is not supported.")
	}
	cred, ok := parseV4Credential(f.Credential)
	if !ok {
		return Identity{}, malformed("x-oss-credential", f.Credential, "The credential is invalid.")
	}
	if f.V4Signature == "" {
		return Identity{}, malformed(queryV4Signature, "", "The signature is missing.")
	}
	signedAt, err := time.Parse(v4TimeFormat, f.Date)
	if err != nil {
		return Identity{}, malformed("x-oss-date", f.Date, "x-oss-date must be formatted as 20060102T150405Z.")
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if signedAt.Sub(now) > skew {
		return Identity{}, &Error{
			Kind: KindTimeSkewed, Message: "The difference between the request time and the current time is too large.",
			RequestTime: signedAt, ServerTime: now, MaxSkew: skew,
		}
	}
	if now.Sub(signedAt) > MaxPresignExpiry {
		return Identity{}, &Error{Kind: KindExpired, AccessKeyID: cred.ak, Message: "The form was signed more than 7 days ago."}
	}
	c, err := v.credentials(cred.ak, f.SecurityToken)
	if err != nil {
		return Identity{}, err
	}
	if err := v.checkScope(cred, "x-oss-credential", signedAt, "x-oss-date"); err != nil {
		return Identity{}, err
	}
	want := v4Signature(c.AccessKeySecret, cred.day, cred.region, cred.product, f.Policy)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(f.V4Signature))) {
		return Identity{}, mismatch(cred.ak, f.Policy, f.V4Signature)
	}
	return Identity{AccessKeyID: cred.ak, Version: V4}, nil
}
