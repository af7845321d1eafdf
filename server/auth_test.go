package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

func TestSignatureSchemes(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, v := range []sign.Version{sign.V1, sign.V4} {
		for _, presign := range []bool{false, true} {
			key := "k-" + v.String()
			if presign {
				key += "-presigned"
			}
			data := []byte("signed by " + key)
			h.ok(call{method: "PUT", bucket: "bkt", key: key, body: data, version: v, presign: presign}, 200)
			r := h.ok(call{method: "GET", bucket: "bkt", key: key, version: v, presign: presign}, 200)
			if !bytes.Equal(r.body, data) {
				t.Errorf("%s: body %q", key, r.body)
			}
		}
	}
}

func TestSignatureFailures(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.cred.AccessKeySecret = "wrong"
	e := h.fails(call{method: "GET", bucket: "bkt", key: "k"}, ossxml.CodeSignatureDoesNotMatch)
	if !strings.HasPrefix(e.StringToSign, "OSS4-HMAC-SHA256\n") || e.SignatureProvided == "" {
		t.Errorf("SignatureDoesNotMatch without the string to sign: %+v", e)
	}
	e = h.fails(call{method: "GET", bucket: "bkt", key: "k", version: sign.V1}, ossxml.CodeSignatureDoesNotMatch)
	if !strings.HasPrefix(e.StringToSign, "GET\n") {
		t.Errorf("v1 string to sign %q", e.StringToSign)
	}
	h.fails(call{method: "HEAD", bucket: "bkt", key: "k"}, ossxml.CodeSignatureDoesNotMatch)
	h.cred.AccessKeyID = "LTAIunknown"
	h.fails(call{method: "GET", bucket: "bkt", key: "k"}, ossxml.CodeInvalidAccessKeyID)
	h.cred.AccessKeyID = testCred.AccessKeyID
	h.cred.AccessKeySecret = testCred.AccessKeySecret

	r := h.request(call{method: "GET", bucket: "bkt"})
	r.Header.Set("Authorization", "OSS4-HMAC-SHA256 Credential=garbage")
	resp, err := h.http.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed Authorization: status %d", resp.StatusCode)
	}
}

func TestClockSkewAndExpiry(t *testing.T) {
	offset := time.Duration(0)
	h := newHarness(t, func(c *Config) { c.Now = func() time.Time { return time.Now().Add(offset) } })
	h.mkbucket("bkt")
	presigned := h.request(call{method: "GET", bucket: "bkt", presign: true})
	offset = 16 * time.Minute
	for _, v := range []sign.Version{sign.V4, sign.V1} {
		sent := time.Now().UTC()
		e := h.fails(call{method: "GET", bucket: "bkt", version: v}, ossxml.CodeRequestTimeTooSkewed)
		reqTime, err1 := time.Parse(skewTimeFormat, e.RequestTime)
		srvTime, err2 := time.Parse(skewTimeFormat, e.ServerTime)
		if err1 != nil || err2 != nil || e.MaxAllowedSkewMilliseconds != 15*60*1000 {
			t.Fatalf("RequestTimeTooSkewed body %+v", e)
		}
		if d := reqTime.Sub(sent.Truncate(time.Second)); d < -time.Second || d > 5*time.Second {
			t.Errorf("RequestTime %s, sent at %s", reqTime, sent)
		}
		if d := srvTime.Sub(reqTime); d < offset-5*time.Second || d > offset+5*time.Second {
			t.Errorf("ServerTime %s is not RequestTime %s + %s", srvTime, reqTime, offset)
		}
	}
	offset = 2 * time.Hour
	resp, err := h.http.Client().Do(presigned)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("expired presigned URL: status %d", resp.StatusCode)
	}
}

func TestSecurityToken(t *testing.T) {
	sts := Credential{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret", SecurityToken: "token-1"}
	h := newHarness(t, func(c *Config) { c.Credentials = append(c.Credentials, sts) })
	h.mkbucket("bkt")
	h.cred = sign.Credentials{AccessKeyID: sts.AccessKeyID, AccessKeySecret: sts.AccessKeySecret, SecurityToken: sts.SecurityToken}
	h.ok(call{method: "GET", bucket: "bkt"}, 200)
	h.ok(call{method: "GET", bucket: "bkt", version: sign.V1, presign: true}, 200)
	h.cred.SecurityToken = "token-2"
	h.fails(call{method: "GET", bucket: "bkt"}, ossxml.CodeAccessDenied)
}

func TestAnonymousAccess(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("priv")
	h.put("priv", "k", []byte("secret"))
	h.fails(call{method: "GET", bucket: "priv", key: "k", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", anon: true}, ossxml.CodeAccessDenied)

	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("pub", "k", []byte("hello"))
	if r := h.ok(call{method: "GET", bucket: "pub", key: "k", anon: true}, 200); string(r.body) != "hello" {
		t.Errorf("anonymous read %q", r.body)
	}
	h.ok(call{method: "GET", bucket: "pub", anon: true}, 200)
	h.fails(call{method: "PUT", bucket: "pub", key: "k", body: []byte("x"), anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", bucket: "pub", query: "acl", anon: true}, ossxml.CodeAccessDenied)

	h.ok(call{method: "PUT", bucket: "pubrw", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.ok(call{method: "PUT", bucket: "pubrw", key: "k", body: []byte("anon"), anon: true}, 200)
	h.fails(call{method: "DELETE", bucket: "pubrw", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", bucket: "missing", key: "k", anon: true}, ossxml.CodeNoSuchBucket)
}
