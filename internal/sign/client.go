package sign

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s Signer) signV4(r *http.Request, res Resource, cred Credentials, now time.Time) error {
	if s.Region == "" {
		return errors.New("sign: v4 needs a region")
	}
	ts, day := now.Format(v4TimeFormat), now.Format(v4DateFormat)
	r.Header.Set(HeaderOSSDate, ts)
	if r.Header.Get(HeaderContentSHA256) == "" {
		r.Header.Set(HeaderContentSHA256, UnsignedPayload)
	}
	add := v4AdditionalHeaders(r, s.AdditionalHeaders)
	scope := v4Scope(day, s.Region, s.product())
	cr := v4CanonicalRequest(r, res, parseQuery(r.URL.RawQuery), add)
	sig := v4Signature(cred.AccessKeySecret, day, s.Region, s.product(), v4StringToSign(ts, scope, cr))
	auth := v4AuthPrefix + "Credential=" + cred.AccessKeyID + "/" + scope
	if len(add) > 0 {
		auth += ",AdditionalHeaders=" + strings.Join(add, ";")
	}
	r.Header.Set(HeaderAuthorization, auth+",Signature="+sig)
	return nil
}

func presignV1(r *http.Request, res Resource, cred Credentials, expiry time.Time) error {
	exp := strconv.FormatInt(expiry.Unix(), 10)
	raw := appendQuery(r.URL.RawQuery, "OSSAccessKeyId", cred.AccessKeyID, "Expires", exp)
	if cred.SecurityToken != "" {
		raw = appendQuery(raw, "security-token", cred.SecurityToken)
	}
	sts := v1StringToSign(r, res, exp, parseQuery(raw), true)
	r.URL.RawQuery = appendQuery(raw, "Signature", v1Signature(cred.AccessKeySecret, sts))
	return nil
}

func (s Signer) presignV4(r *http.Request, res Resource, cred Credentials, now time.Time, expires time.Duration) error {
	if s.Region == "" {
		return errors.New("sign: v4 needs a region")
	}
	ts, day := now.Format(v4TimeFormat), now.Format(v4DateFormat)
	scope := v4Scope(day, s.Region, s.product())
	add := v4AdditionalHeaders(r, s.AdditionalHeaders)
	raw := r.URL.RawQuery
	if cred.SecurityToken != "" {
		raw = appendQuery(raw, "x-oss-security-token", cred.SecurityToken)
	}
	raw = appendQuery(raw,
		"x-oss-signature-version", v4Algorithm,
		"x-oss-date", ts,
		"x-oss-expires", strconv.FormatInt(int64(expires/time.Second), 10),
		"x-oss-credential", cred.AccessKeyID+"/"+scope)
	if len(add) > 0 {
		raw = appendQuery(raw, "x-oss-additional-headers", strings.Join(add, ";"))
	}
	cr := v4CanonicalRequest(r, res, parseQuery(raw), add)
	sig := v4Signature(cred.AccessKeySecret, day, s.Region, s.product(), v4StringToSign(ts, scope, cr))
	r.URL.RawQuery = appendQuery(raw, queryV4Signature, sig)
	return nil
}
