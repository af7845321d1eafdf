package interop

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// postPolicy is a PostObject policy: its base64 form and the form fields
// that sign it, computed here from the published algorithm (not with the
// server's code): V1 is base64(HMAC-SHA1(secret, policy)); V4 is
// hex(HMAC-SHA256(signing key, policy)) with the signing key derived from
// "aliyun_v4"+secret over the date, region, "oss" and "aliyun_v4_request".
type postPolicy struct {
	policy string
	fields [][2]string
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signPost builds a policy expiring in an hour with conds (plus, for V4,
// the conditions V4 requires) and signs it with signature version sig.
func signPost(t *testing.T, sig int, secret string, now time.Time, conds ...any) postPolicy {
	t.Helper()
	day, stamp := now.UTC().Format("20060102"), now.UTC().Format("20060102T150405Z")
	credential := accessKeyID + "/" + day + "/" + region + "/oss/aliyun_v4_request"
	if sig == 4 {
		conds = append(conds,
			map[string]string{"x-oss-signature-version": "OSS4-HMAC-SHA256"},
			map[string]string{"x-oss-credential": credential},
			map[string]string{"x-oss-date": stamp})
	}
	doc, err := json.Marshal(map[string]any{"expiration": now.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	p := postPolicy{policy: base64.StdEncoding.EncodeToString(doc)}
	if sig == 1 {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write([]byte(p.policy))
		p.fields = [][2]string{{"OSSAccessKeyId", accessKeyID}, {"policy", p.policy}, {"Signature", base64.StdEncoding.EncodeToString(m.Sum(nil))}}
		return p
	}
	k := hmacSHA256([]byte("aliyun_v4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "oss")
	k = hmacSHA256(k, "aliyun_v4_request")
	p.fields = [][2]string{
		{"x-oss-signature-version", "OSS4-HMAC-SHA256"}, {"x-oss-credential", credential}, {"x-oss-date", stamp},
		{"policy", p.policy}, {"x-oss-signature", hex.EncodeToString(hmacSHA256(k, p.policy))},
	}
	return p
}

// formBody encodes fields, then the file.
func formBody(t *testing.T, fields [][2]string, filename string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	w, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// TestPostObject uploads with a browser-style form signed by hand, in the
// signature version of the variant, and reads the object back with the
// SDK.
func TestPostObject(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "forms"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(3<<20+17, uint64(v.sdk*10+v.signature))
		post := func(p postPolicy, extra ...[2]string) (int, []byte) {
			t.Helper()
			fields := append([][2]string{{"key", "uploads/${filename}"}, {"Content-Type", "application/x-ossup"}, {"x-oss-meta-from", "form"}, {"success_action_status", "201"}}, extra...)
			body, ctype := formBody(t, append(fields, p.fields...), "data.bin", data)
			return fetch(t, http.MethodPost, f.url+"/"+bucket, http.Header{"Content-Type": {ctype}, probeHeader: {"form"}}, body)
		}
		p := signPost(t, v.signature, accessKeySecret, time.Now(),
			map[string]string{"bucket": bucket},
			[]any{"starts-with", "$key", "uploads/"},
			[]any{"content-length-range", 1, 4 << 20})
		status, body := post(p)
		if status != http.StatusCreated || !bytes.Contains(body, []byte("<Key>uploads/data.bin</Key>")) || !bytes.Contains(body, []byte(md5Hex(data))) {
			t.Fatalf("PostObject: %d %s", status, body)
		}
		got, err := c.Get(ctx, bucket, "uploads/data.bin")
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object uploaded by PostObject", got, data)
		meta, err := c.Head(ctx, bucket, "uploads/data.bin")
		if err != nil || meta.ContentType != "application/x-ossup" || meta.Meta["from"] != "form" || strings.Trim(meta.ETag, `"`) != md5Hex(data) {
			t.Errorf("HeadObject: %+v, %v", meta, err)
		}

		forged := signPost(t, v.signature, "not-the-secret", time.Now(), []any{"starts-with", "$key", "uploads/"})
		if status, body := post(forged); status != http.StatusForbidden || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("forged signature: %d %s", status, body)
		}
		narrow := signPost(t, v.signature, accessKeySecret, time.Now(), []any{"content-length-range", 0, 1 << 20})
		if status, body := post(narrow); status != http.StatusBadRequest || !strings.Contains(string(body), "<Code>EntityTooLarge</Code>") {
			t.Errorf("file over content-length-range: %d %s", status, body)
		}
		outside := signPost(t, v.signature, accessKeySecret, time.Now(), []any{"starts-with", "$key", "private/"})
		status, body = post(outside)
		var e struct{ Code, Message string }
		if err := xml.Unmarshal(body, &e); err != nil || status != http.StatusForbidden || e.Code != "AccessDenied" ||
			e.Message != `Invalid according to Policy: Policy Condition failed: ["starts-with","$key","private/"]` {
			t.Errorf("key outside the policy: %d %s", status, body)
		}
	})
}
