package sign

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Credentials are an access key pair and, for STS credentials, the security
// token that goes with it.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// Resource names what a request addresses: the bucket and the decoded object
// key. Both are empty for service-level requests (ListBuckets); Key is empty
// for bucket-level requests.
type Resource struct {
	Bucket string
	Key    string
}

// Version selects a signature scheme.
type Version int

const (
	// V4 is Signature V4 (OSS4-HMAC-SHA256), the default.
	V4 Version = 4
	// V1 is Signature V1 (HMAC-SHA1).
	V1 Version = 1
)

// String returns "v1" or "v4".
func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V4:
		return "v4"
	}
	return "unknown"
}

// DefaultProduct is the product name in a V4 scope.
const DefaultProduct = "oss"

// MaxPresignExpiry is the longest a V4 presigned URL may stay valid.
const MaxPresignExpiry = 7 * 24 * time.Hour

// Header names used by signing.
const (
	HeaderAuthorization = "Authorization"
	HeaderDate          = "Date"
	HeaderOSSDate       = "X-Oss-Date"
	HeaderContentSHA256 = "X-Oss-Content-Sha256"
	HeaderSecurityToken = "X-Oss-Security-Token"
	HeaderContentMD5    = "Content-Md5"
	HeaderContentType   = "Content-Type"
)

// UnsignedPayload is the x-oss-content-sha256 value for a body that is not
// hashed into the signature.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

const (
	v4Algorithm      = "OSS4-HMAC-SHA256"
	v4Terminator     = "aliyun_v4_request"
	v4TimeFormat     = "20060102T150405Z"
	v4DateFormat     = "20060102"
	v1AuthPrefix     = "OSS "
	v4AuthPrefix     = v4Algorithm + " "
	v2AuthPrefix     = "OSS2 "
	queryV4Signature = "x-oss-signature"
)

// Signer signs client requests. The zero value signs with V4 and needs Region
// set; a Signer is a plain value and safe for concurrent use.
type Signer struct {
	// Version is the signature scheme; zero means V4.
	Version Version
	// Region is the V4 signing region, for example "cn-hangzhou" (not
	// "oss-cn-hangzhou"). V1 ignores it.
	Region string
	// Product is the V4 product name; empty means "oss".
	Product string
	// AdditionalHeaders are extra header names V4 signs when the request
	// carries them (x-oss-*, Content-Type and Content-MD5 are always signed).
	AdditionalHeaders []string
}

func (s Signer) version() Version {
	if s.Version == 0 {
		return V4
	}
	return s.Version
}

func (s Signer) product() string {
	if s.Product == "" {
		return DefaultProduct
	}
	return s.Product
}

var errNoCredentials = errors.New("sign: access key id and secret are required")

// Sign adds the Authorization header to r, which must already carry every
// other header and query parameter it will be sent with. Sign sets Date (and
// for V4 x-oss-date and, when absent, x-oss-content-sha256) from now, and the
// security token header when cred has one.
func (s Signer) Sign(r *http.Request, res Resource, cred Credentials, now time.Time) error {
	if cred.AccessKeyID == "" || cred.AccessKeySecret == "" {
		return errNoCredentials
	}
	now = now.UTC()
	r.Header.Set(HeaderDate, now.Format(http.TimeFormat))
	if cred.SecurityToken != "" {
		r.Header.Set(HeaderSecurityToken, cred.SecurityToken)
	}
	switch s.version() {
	case V1:
		sts := v1StringToSign(r, res, r.Header.Get(HeaderDate), parseQuery(r.URL.RawQuery), true)
		r.Header.Set(HeaderAuthorization, v1AuthPrefix+cred.AccessKeyID+":"+v1Signature(cred.AccessKeySecret, sts))
		return nil
	case V4:
		return s.signV4(r, res, cred, now)
	}
	return errors.New("sign: unknown signature version")
}

// Presign adds query authentication to r.URL that stays valid for expires
// after now: V1 adds OSSAccessKeyId, Expires and Signature; V4 adds the
// x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-expires and
// x-oss-signature parameters. Headers r carries (Content-Type, Content-MD5,
// x-oss-*) are signed and must be sent with the URL.
func (s Signer) Presign(r *http.Request, res Resource, cred Credentials, now time.Time, expires time.Duration) error {
	if cred.AccessKeyID == "" || cred.AccessKeySecret == "" {
		return errNoCredentials
	}
	if expires < time.Second {
		return errors.New("sign: presign expiry must be at least one second")
	}
	switch s.version() {
	case V1:
		return presignV1(r, res, cred, now.UTC().Add(expires))
	case V4:
		if expires > MaxPresignExpiry {
			return errors.New("sign: presign expiry must be at most 7 days for v4")
		}
		return s.presignV4(r, res, cred, now.UTC(), expires)
	}
	return errors.New("sign: unknown signature version")
}

// appendQuery adds name=value pairs to a raw query string, encoding both
// strictly (RFC 3986).
func appendQuery(raw string, kv ...string) string {
	var b strings.Builder
	b.WriteString(raw)
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(kv[i], true))
		b.WriteByte('=')
		b.WriteString(escape(kv[i+1], true))
	}
	return b.String()
}
