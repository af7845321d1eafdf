package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// signScope signs r with V4, in its header form or as a presigned URL, at
// timestamp ts but with the credential scope day/region/product, which
// Signer always derives from the same clock and configuration. It lets the
// tests build requests whose signature is right and whose scope is not.
func signScope(t *testing.T, r *http.Request, res Resource, presign bool, ts time.Time, day, region, product string) {
	t.Helper()
	stamp := ts.UTC().Format(v4TimeFormat)
	scope := v4Scope(day, region, product)
	if !presign {
		r.Header.Set(HeaderOSSDate, stamp)
		r.Header.Set(HeaderContentSHA256, UnsignedPayload)
		cr := v4CanonicalRequest(r, res, parseQuery(r.URL.RawQuery), nil)
		sig := v4Signature(testCred.AccessKeySecret, day, region, product, v4StringToSign(stamp, scope, cr))
		r.Header.Set(HeaderAuthorization, v4AuthPrefix+"Credential="+testCred.AccessKeyID+"/"+scope+",Signature="+sig)
		return
	}
	raw := appendQuery(r.URL.RawQuery,
		"x-oss-signature-version", v4Algorithm,
		"x-oss-date", stamp,
		"x-oss-expires", "600",
		"x-oss-credential", testCred.AccessKeyID+"/"+scope)
	cr := v4CanonicalRequest(r, res, parseQuery(raw), nil)
	sig := v4Signature(testCred.AccessKeySecret, day, region, product, v4StringToSign(stamp, scope, cr))
	r.URL.RawQuery = appendQuery(raw, queryV4Signature, sig)
}

func TestVerifyV4Scope(t *testing.T) {
	// Five minutes past midnight: a scope dated yesterday is well within
	// the allowed clock skew, so only the date check can refuse it.
	now := time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC)
	tests := []struct {
		name            string
		verifierRegion  string
		day             string
		region, product string
		want            error  // nil: accepted
		wantInMessage   string // the expected value the message must name
	}{
		{name: "matching scope", verifierRegion: "cn-hangzhou", day: "20261124", region: "cn-hangzhou", product: "oss"},
		{name: "any region when unset", day: "20261124", region: "eu-central-1", product: "oss"},
		{name: "wrong region", verifierRegion: "cn-hangzhou", day: "20261124", region: "cn-beijing", product: "oss", want: ErrInvalidSigningRegion, wantInMessage: `"cn-hangzhou"`},
		{name: "endpoint-style region", verifierRegion: "cn-hangzhou", day: "20261124", region: "oss-cn-hangzhou", product: "oss", want: ErrInvalidSigningRegion, wantInMessage: `"cn-hangzhou"`},
		{name: "wrong product", verifierRegion: "cn-hangzhou", day: "20261124", region: "cn-hangzhou", product: "oss-cloudbox", want: ErrInvalidSigningProduct, wantInMessage: `"oss"`},
		{name: "wrong product, region unchecked", day: "20261124", region: "cn-hangzhou", product: "s3", want: ErrInvalidSigningProduct, wantInMessage: `"oss"`},
		{name: "scope dated yesterday", verifierRegion: "cn-hangzhou", day: "20261123", region: "cn-hangzhou", product: "oss", want: ErrInvalidSigningDate, wantInMessage: `"20261124"`},
		{name: "scope dated tomorrow", verifierRegion: "cn-hangzhou", day: "20261125", region: "cn-hangzhou", product: "oss", want: ErrInvalidSigningDate, wantInMessage: `"20261124"`},
	}
	for _, tt := range tests {
		for _, presign := range []bool{false, true} {
			form, arg := "header", "Credential"
			if presign {
				form, arg = "presigned", "x-oss-credential"
			}
			t.Run(tt.name+"/"+form, func(t *testing.T) {
				res := Resource{Bucket: "bkt", Key: "dir/key"}
				r := newRequest(t, "PUT", "http://h/bkt/dir/key?partNumber=1&uploadId=u", map[string]string{"Content-Type": "text/plain"})
				signScope(t, r, res, presign, now, tt.day, tt.region, tt.product)
				v := Verifier{Lookup: lookup(testCred), Region: tt.verifierRegion}
				id, err := v.Verify(r, res, now.Add(time.Second))
				if tt.want == nil {
					if err != nil || id.AccessKeyID != testCred.AccessKeyID {
						t.Fatalf("got %+v, %v; want accepted", id, err)
					}
					return
				}
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				e, _ := errors.AsType[*Error](err)
				if e.Code() != "InvalidArgument" || e.ArgumentName != arg || !strings.Contains(e.ArgumentValue, "/"+tt.region+"/") {
					t.Errorf("code %s, argument %s=%s; want InvalidArgument, %s with the credential", e.Code(), e.ArgumentName, e.ArgumentValue, arg)
				}
				if !strings.Contains(e.Message, tt.wantInMessage) {
					t.Errorf("message %q does not name the expected %s", e.Message, tt.wantInMessage)
				}
			})
		}
	}
}

// TestVerifyV4ScopeDateFromDateHeader covers the v1 SDK's V4, which sends
// no x-oss-date: the scope's date must be the UTC date of the Date header.
func TestVerifyV4ScopeDateFromDateHeader(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC)
	res := Resource{Bucket: "bkt", Key: "k"}
	for _, tt := range []struct {
		day  string
		want error
	}{{"20261124", nil}, {"20261123", ErrInvalidSigningDate}} {
		r := newRequest(t, "GET", "http://h/bkt/k", nil)
		date := now.Format(http.TimeFormat)
		r.Header.Set(HeaderDate, date)
		r.Header.Set(HeaderContentSHA256, UnsignedPayload)
		scope := v4Scope(tt.day, "cn-hangzhou", DefaultProduct)
		cr := v4CanonicalRequest(r, res, nil, nil)
		sig := v4Signature(testCred.AccessKeySecret, tt.day, "cn-hangzhou", DefaultProduct, v4StringToSign(date, scope, cr))
		r.Header.Set(HeaderAuthorization, v4AuthPrefix+"Credential="+testCred.AccessKeyID+"/"+scope+",Signature="+sig)
		v := Verifier{Lookup: lookup(testCred), Region: "cn-hangzhou"}
		_, err := v.Verify(r, res, now)
		if !errors.Is(err, tt.want) {
			t.Errorf("scope day %s: got %v, want %v", tt.day, err, tt.want)
		}
		if tt.want != nil && (err == nil || !strings.Contains(err.Error(), "the UTC date of Date")) {
			t.Errorf("scope day %s: message %v does not say which header it compared with", tt.day, err)
		}
	}
}

func TestVerifyRefusesRepeats(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		schemes string // substring filter on scheme names
		repeat  func(r *http.Request)
		arg     string
	}{
		{"Authorization twice", "header", func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, "Authorization"},
		{"Authorization with another", "header", func(r *http.Request) { r.Header.Add("Authorization", "OSS someone:c2lnbmF0dXJl") }, "Authorization"},
		{"Date twice", "header", func(r *http.Request) { r.Header.Add("Date", r.Header.Get("Date")) }, "Date"},
		{"x-oss-date twice", "v4 header", func(r *http.Request) { r.Header.Add("x-oss-date", r.Header.Get("x-oss-date")) }, "x-oss-date"},
		{"x-oss-content-sha256 twice", "v4 header", func(r *http.Request) { r.Header.Add("x-oss-content-sha256", UnsignedPayload) }, "x-oss-content-sha256"},
		{"x-oss-signature twice", "v4 query", func(r *http.Request) { r.URL.RawQuery += "&x-oss-signature=00" }, "x-oss-signature"},
		{"x-oss-credential twice", "v4 query", func(r *http.Request) {
			r.URL.RawQuery += "&x-oss-credential=other%2F20261124%2Fr%2Foss%2Faliyun_v4_request"
		}, "x-oss-credential"},
		{"Signature twice", "v1 query", func(r *http.Request) { r.URL.RawQuery += "&Signature=AAAA" }, "Signature"},
		{"OSSAccessKeyId twice", "v1 query", func(r *http.Request) { r.URL.RawQuery += "&OSSAccessKeyId=other" }, "OSSAccessKeyId"},
	}
	for _, tt := range tests {
		for _, s := range schemes {
			if !strings.Contains(s.name, tt.schemes) {
				continue
			}
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				r := newRequest(t, "GET", "http://h/b/k", nil)
				s.sign(t, r, Resource{"b", "k"}, testCred, now)
				tt.repeat(r)
				v := Verifier{Lookup: lookup(testCred)}
				_, err := v.Verify(r, Resource{"b", "k"}, now)
				e, ok := errors.AsType[*Error](err)
				if !ok || e.Kind != KindMalformed || e.ArgumentName != tt.arg {
					t.Fatalf("got %v, want InvalidArgument naming %s", err, tt.arg)
				}
			})
		}
	}
}

func TestPayloadHash(t *testing.T) {
	body := []byte("hello")
	sum := sha256.Sum256(body)
	hexSum := hex.EncodeToString(sum[:])
	tests := []struct {
		value string
		want  []byte
		bad   bool
	}{
		{value: ""},
		{value: UnsignedPayload},
		{value: hexSum, want: sum[:]},
		{value: strings.ToUpper(hexSum), want: sum[:]},
		{value: hexSum[:63], bad: true},
		{value: hexSum + "00", bad: true},
		{value: strings.Repeat("g", 64), bad: true},
		{value: "unsigned-payload", bad: true},
		{value: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", bad: true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set(HeaderContentSHA256, tt.value)
		}
		got, err := PayloadHash(h)
		if tt.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%q: got %x, %v; want InvalidArgument", tt.value, got, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%q: got %x, %v; want %x", tt.value, got, err, tt.want)
		}
	}
}

// TestVerifyRefusesBadPayloadHash: a malformed x-oss-content-sha256 is
// refused even when it is signed, and even on an anonymous request.
func TestVerifyRefusesBadPayloadHash(t *testing.T) {
	now := time.Now()
	v := Verifier{Lookup: lookup(testCred)}
	for _, s := range append(schemes, scheme{name: "anonymous"}) {
		r := newRequest(t, "PUT", "http://h/b/k", map[string]string{"x-oss-content-sha256": "not-a-digest"})
		if s.name != "anonymous" {
			s.sign(t, r, Resource{"b", "k"}, testCred, now)
		}
		_, err := v.Verify(r, Resource{"b", "k"}, now)
		if e, ok := errors.AsType[*Error](err); !ok || e.Kind != KindMalformed || e.ArgumentName != "x-oss-content-sha256" {
			t.Errorf("%s: got %v, want InvalidArgument naming x-oss-content-sha256", s.name, err)
		}
	}
}
