package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

func TestRequestDialect(t *testing.T) {
	for _, tc := range []struct {
		name   string
		url    string
		header map[string]string
		want   dialect
	}{
		{"plain", "/b/k", nil, dialectOSS},
		{"oss v4", "/b/k", map[string]string{"Authorization": "OSS4-HMAC-SHA256 Credential=x", "x-amz-date": "1"}, dialectOSS},
		{"oss v1", "/b/k", map[string]string{"Authorization": "OSS ak:sig"}, dialectOSS},
		{"aws v4", "/b/k", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, dialectS3},
		{"aws v2", "/b/k", map[string]string{"Authorization": "AWS ak:sig"}, dialectS3},
		{"aws presigned", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", nil, dialectS3},
		{"x-amz header", "/b/k", map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, dialectS3},
		{"prefix that looks like a parameter", "/b/?prefix=X-Amz-Date", nil, dialectOSS},
		{"oss presigned", "/b/k?OSSAccessKeyId=a&Expires=1&Signature=s", nil, dialectOSS},
	} {
		r := httptest.NewRequest("GET", tc.url, nil)
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		if got := requestDialect(r); got != tc.want {
			t.Errorf("%s: dialect %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestTranslateS3Request(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k", nil)
	for k, v := range map[string]string{
		"x-amz-meta-Color":       "blue",
		"x-amz-acl":              "public-read",
		"x-amz-storage-class":    "GLACIER",
		"x-amz-copy-source":      "/b/src",
		"x-amz-tagging":          "a=1",
		"x-amz-content-sha256":   strings.Repeat("ab", 32),
		"x-oss-forbid-overwrite": "false",
		"x-oss-meta-injected":    "x",
		"If-None-Match":          "*",
	} {
		r.Header.Set(k, v)
	}
	translateS3Request(r, levelObject)
	for k, want := range map[string]string{
		"x-oss-meta-color":       "blue",
		"x-oss-object-acl":       "public-read",
		"x-oss-storage-class":    "Archive",
		"x-oss-copy-source":      "/b/src",
		"x-oss-tagging":          "a=1",
		"x-oss-content-sha256":   strings.Repeat("ab", 32),
		"x-oss-forbid-overwrite": "true",
		"x-oss-meta-injected":    "",
		"If-None-Match":          "",
		"x-amz-meta-color":       "blue", // the signed originals stay
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	b := httptest.NewRequest("PUT", "/b", nil)
	b.Header.Set("x-amz-acl", "private")
	b.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	translateS3Request(b, levelBucket)
	if b.Header.Get("x-oss-acl") != "private" || b.Header.Get("x-oss-object-acl") != "" || b.Header.Get("x-oss-content-sha256") != "" {
		t.Errorf("bucket request translated to %v", b.Header)
	}
}

// s3Call is c sent anonymously in the S3 dialect: with an
// x-amz-content-sha256 header, as S3 clients send.
func s3Call(c call) call {
	c.anon = true
	h := map[string]string{"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
	for k, v := range c.header {
		h[k] = v
	}
	c.header = h
	return c
}

// wantS3Headers fails unless r names itself in S3's terms only.
func wantS3Headers(t *testing.T, r response) {
	t.Helper()
	if id := r.Header.Get("x-amz-request-id"); len(id) != 24 {
		t.Errorf("x-amz-request-id %q", id)
	}
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-oss-") {
			t.Errorf("S3 answer carries %s", k)
		}
	}
}

// s3Fails sends c and checks S3's error code, status and body.
func (h *harness) s3Fails(c call, code string, status int) {
	h.t.Helper()
	r := h.do(c)
	wantS3Headers(h.t.(*testing.T), r)
	if r.StatusCode != status {
		h.t.Fatalf("%s %s/%s: status %d, want %d; body %s", c.method, c.bucket, c.key, r.StatusCode, status, r.body)
	}
	if c.method == http.MethodHead {
		if len(r.body) != 0 {
			h.t.Errorf("HEAD error with a body")
		}
		return
	}
	var e s3Error
	if err := xml.Unmarshal(r.body, &e); err != nil {
		h.t.Fatalf("error body %q: %v", r.body, err)
	}
	if e.Code != code || e.RequestID != r.Header.Get("x-amz-request-id") || e.Message == "" || e.Resource == "" {
		h.t.Errorf("%s %s/%s: error %+v, want code %s", c.method, c.bucket, c.key, e, code)
	}
}

// TestS3Anonymous drives the S3 dialect's translation both ways with
// anonymous requests to a public-read-write bucket: metadata, storage
// class, tags, conditional writes, copies and errors in S3's terms.
func TestS3Anonymous(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	data := []byte("hello, s3")
	r := h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "a/b.txt", body: data, header: map[string]string{
		"x-amz-meta-color":    "blue",
		"x-amz-storage-class": "STANDARD_IA",
		"x-amz-tagging":       "k=v&k2=v2",
		"x-oss-meta-sneaky":   "x",
		"Content-Type":        "text/plain",
	}}), http.StatusOK)
	wantS3Headers(t, r)
	if r.Header.Get("ETag") == "" {
		t.Error("PUT answered without an ETag")
	}
	r = h.ok(s3Call(call{method: "HEAD", bucket: "pub", key: "a/b.txt"}), http.StatusOK)
	wantS3Headers(t, r)
	for k, want := range map[string]string{
		"x-amz-meta-color":    "blue",
		"x-amz-meta-sneaky":   "",
		"x-amz-storage-class": "STANDARD_IA",
		"x-amz-tagging-count": "2",
		"Content-Type":        "text/plain",
		"Content-Length":      "9",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("HEAD %s = %q, want %q", k, got, want)
		}
	}
	if got := h.ok(s3Call(call{method: "GET", bucket: "pub", key: "a/b.txt"}), http.StatusOK).body; string(got) != string(data) {
		t.Errorf("GET = %q", got)
	}
	// The same object through the OSS dialect keeps its OSS names.
	r = h.ok(call{method: "HEAD", bucket: "pub", key: "a/b.txt", anon: true}, http.StatusOK)
	if r.Header.Get("x-oss-meta-color") != "blue" || r.Header.Get("x-oss-storage-class") != "IA" || r.Header.Get("x-amz-request-id") != "" {
		t.Errorf("OSS HEAD headers %v", r.Header)
	}

	// If-None-Match: * refuses to replace an object.
	h.s3Fails(s3Call(call{method: "PUT", bucket: "pub", key: "a/b.txt", body: []byte("other"), header: map[string]string{"If-None-Match": "*"}}), "PreconditionFailed", http.StatusPreconditionFailed)
	h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "new", body: []byte("x"), header: map[string]string{"If-None-Match": "*"}}), http.StatusOK)
	if got := h.get("pub", "a/b.txt"); string(got) != string(data) {
		t.Errorf("a refused conditional PUT left %q", got)
	}

	// A copy, named by x-amz-copy-source.
	r = h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "copy", header: map[string]string{"x-amz-copy-source": "/pub/a/b.txt"}}), http.StatusOK)
	wantS3Headers(t, r)
	var cr struct {
		XMLName xml.Name `xml:"CopyObjectResult"`
		ETag    string
	}
	if err := xml.Unmarshal(r.body, &cr); err != nil || cr.ETag == "" {
		t.Errorf("CopyObjectResult %q: %v", r.body, err)
	}
	if got := h.get("pub", "copy"); string(got) != string(data) {
		t.Errorf("copy reads %q", got)
	}

	// Errors in S3's form.
	h.s3Fails(s3Call(call{method: "GET", bucket: "pub", key: "missing"}), "NoSuchKey", http.StatusNotFound)
	h.s3Fails(s3Call(call{method: "HEAD", bucket: "pub", key: "missing"}), "NoSuchKey", http.StatusNotFound)
	h.s3Fails(s3Call(call{method: "GET", bucket: "nobucket", key: "k"}), "NoSuchBucket", http.StatusNotFound)
	sum := sha256.Sum256([]byte("not the body"))
	h.s3Fails(call{method: "PUT", bucket: "pub", key: "bad", body: data, anon: true, header: map[string]string{"x-amz-content-sha256": hex.EncodeToString(sum[:])}}, "XAmzContentSHA256Mismatch", http.StatusBadRequest)
	h.fails(call{method: "HEAD", bucket: "pub", key: "bad"}, "NoSuchKey")
	h.s3Fails(call{method: "GET", bucket: "pub", key: "a/b.txt", anon: true, header: map[string]string{"Authorization": "AWS AKID:c2ln"}}, "InvalidRequest", http.StatusBadRequest)
}

// TestS3Checksums checks the x-amz-checksum-* headers of uploads: each
// algorithm verified and echoed, a mismatch refused with BadDigest and
// nothing stored, malformed and conflicting headers refused.
func TestS3Checksums(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	data := []byte("checksummed body")
	sum := func(alg string, p []byte) string {
		hh := s3ChecksumAlgorithms[alg]()
		hh.Write(p)
		return base64.StdEncoding.EncodeToString(hh.Sum(nil))
	}
	for _, alg := range []string{"crc32", "crc32c", "sha1", "sha256"} {
		for _, body := range [][]byte{data, nil} {
			key := alg + "-" + strconv.Itoa(len(body))
			name := "x-amz-checksum-" + alg
			r := h.ok(s3Call(call{method: "PUT", bucket: "pub", key: key, body: body, header: map[string]string{name: sum(alg, body), "x-amz-sdk-checksum-algorithm": strings.ToUpper(alg)}}), http.StatusOK)
			if got := r.Header.Get(name); got != sum(alg, body) {
				t.Errorf("%s: answer's %s = %q", key, name, got)
			}
			// Kept: a HEAD that asks for checksums gets it back.
			hr := h.ok(s3Call(call{method: "HEAD", bucket: "pub", key: key, header: map[string]string{"x-amz-checksum-mode": "ENABLED"}}), http.StatusOK)
			if got := hr.Header.Get(name); got != sum(alg, body) || hr.Header.Get("x-amz-checksum-crc64nvme") == "" {
				t.Errorf("%s: HEAD's %s = %q (and %v)", key, name, got, hr.Header)
			}
			h.s3Fails(s3Call(call{method: "PUT", bucket: "pub", key: key + "-bad", body: body, header: map[string]string{name: sum(alg, []byte("other"))}}), "BadDigest", http.StatusBadRequest)
			h.fails(call{method: "HEAD", bucket: "pub", key: key + "-bad"}, "NoSuchKey")
		}
	}
	// A part is checked the same way.
	var init struct{ UploadId string }
	r := h.ok(s3Call(call{method: "POST", bucket: "pub", key: "mp", query: "uploads"}), http.StatusOK)
	if err := xml.Unmarshal(r.body, &init); err != nil {
		t.Fatal(err)
	}
	q := "partNumber=1&uploadId=" + init.UploadId
	h.s3Fails(s3Call(call{method: "PUT", bucket: "pub", key: "mp", query: q, body: data, header: map[string]string{"x-amz-checksum-crc32": sum("crc32", []byte("x"))}}), "BadDigest", http.StatusBadRequest)
	r = h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "mp", query: q, body: data, header: map[string]string{"x-amz-checksum-crc32": sum("crc32", data)}}), http.StatusOK)
	if r.Header.Get("x-amz-checksum-crc32") != sum("crc32", data) {
		t.Errorf("UploadPart answer %v", r.Header)
	}
	for name, hdr := range map[string]map[string]string{
		"two checksums":       {"x-amz-checksum-crc32": sum("crc32", data), "x-amz-checksum-sha1": sum("sha1", data)},
		"not base64":          {"x-amz-checksum-crc32": "!!!"},
		"wrong length":        {"x-amz-checksum-crc32": sum("sha1", data)},
		"unknown algorithm":   {"x-amz-checksum-md4": sum("crc32", data)},
		"algorithm disagrees": {"x-amz-checksum-crc32": sum("crc32", data), "x-amz-sdk-checksum-algorithm": "SHA1"},
		"algorithm alone":     {"x-amz-sdk-checksum-algorithm": "CRC32"},
	} {
		t.Log(name)
		h.s3Fails(s3Call(call{method: "PUT", bucket: "pub", key: "refused", body: data, header: hdr}), "InvalidRequest", http.StatusBadRequest)
	}
	h.fails(call{method: "HEAD", bucket: "pub", key: "refused"}, "NoSuchKey")
}

// TestS3NVME checks the CRC-64/NVME the server reports to S3 clients: on
// PutObject, UploadPart and Complete, on HEAD and whole GETs that ask for
// it (not ranged ones), in ListParts, and Complete's check of the whole
// object's and the parts' checksums.
func TestS3NVME(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	nvme := func(p []byte) string { return nvmeValue(crc64.ChecksumNVME(p)) }
	data := []byte("an object with a CRC-64/NVME")
	r := h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "o", body: data, header: map[string]string{"x-amz-checksum-crc64nvme": nvme(data)}}), http.StatusOK)
	if r.Header.Get("x-amz-checksum-crc64nvme") != nvme(data) || r.Header.Get("x-amz-checksum-type") != "FULL_OBJECT" {
		t.Errorf("PUT answer %v", r.Header)
	}
	h.s3Fails(s3Call(call{method: "PUT", bucket: "pub", key: "bad", body: data, header: map[string]string{"x-amz-checksum-crc64nvme": nvme([]byte("x"))}}), "BadDigest", http.StatusBadRequest)
	mode := map[string]string{"x-amz-checksum-mode": "ENABLED"}
	if r := h.ok(s3Call(call{method: "HEAD", bucket: "pub", key: "o", header: mode}), http.StatusOK); r.Header.Get("x-amz-checksum-crc64nvme") != nvme(data) {
		t.Errorf("HEAD with checksum mode: %v", r.Header)
	}
	if r := h.ok(s3Call(call{method: "HEAD", bucket: "pub", key: "o"}), http.StatusOK); r.Header.Get("x-amz-checksum-crc64nvme") != "" {
		t.Error("HEAD without checksum mode reported a checksum")
	}
	if r := h.ok(s3Call(call{method: "GET", bucket: "pub", key: "o", header: mode}), http.StatusOK); r.Header.Get("x-amz-checksum-crc64nvme") != nvme(data) {
		t.Errorf("GET with checksum mode: %v", r.Header)
	}
	ranged := map[string]string{"x-amz-checksum-mode": "ENABLED", "Range": "bytes=0-3"}
	if r := h.ok(s3Call(call{method: "GET", bucket: "pub", key: "o", header: ranged}), http.StatusPartialContent); r.Header.Get("x-amz-checksum-crc64nvme") != "" {
		t.Error("a ranged GET reported the whole object's checksum")
	}

	var init struct{ UploadId string }
	r = h.ok(s3Call(call{method: "POST", bucket: "pub", key: "mp", query: "uploads", header: map[string]string{"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "FULL_OBJECT"}}), http.StatusOK)
	if err := xml.Unmarshal(r.body, &init); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("x-amz-checksum-algorithm") != "CRC64NVME" || r.Header.Get("x-amz-checksum-type") != "FULL_OBJECT" {
		t.Errorf("CreateMultipartUpload answer %v", r.Header)
	}
	p1, p2 := randBytes(7, 100<<10), randBytes(8, 1000)
	var etags []string
	for i, p := range [][]byte{p1, p2} {
		r := h.ok(s3Call(call{method: "PUT", bucket: "pub", key: "mp", query: fmt.Sprintf("partNumber=%d&uploadId=%s", i+1, init.UploadId), body: p, header: map[string]string{"x-amz-checksum-crc64nvme": nvme(p)}}), http.StatusOK)
		if r.Header.Get("x-amz-checksum-crc64nvme") != nvme(p) || r.Header.Get("x-amz-checksum-type") != "" {
			t.Errorf("UploadPart answer %v", r.Header)
		}
		etags = append(etags, r.Header.Get("ETag"))
	}
	var lp struct {
		Part []struct{ ChecksumCRC64NVME string }
	}
	r = h.ok(s3Call(call{method: "GET", bucket: "pub", key: "mp", query: "uploadId=" + init.UploadId}), http.StatusOK)
	if err := xml.Unmarshal(r.body, &lp); err != nil || len(lp.Part) != 2 || lp.Part[0].ChecksumCRC64NVME != nvme(p1) || lp.Part[1].ChecksumCRC64NVME != nvme(p2) {
		t.Errorf("ListParts %s: %v", r.body, err)
	}
	body := func(sum2 string) []byte {
		return fmt.Appendf(nil, "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag><ChecksumCRC64NVME>%s</ChecksumCRC64NVME></Part><Part><PartNumber>2</PartNumber><ETag>%s</ETag><ChecksumCRC64NVME>%s</ChecksumCRC64NVME></Part></CompleteMultipartUpload>", etags[0], nvme(p1), etags[1], sum2)
	}
	whole := append(bytes.Clone(p1), p2...)
	q := "uploadId=" + init.UploadId
	h.s3Fails(s3Call(call{method: "POST", bucket: "pub", key: "mp", query: q, body: body(nvme([]byte("x")))}), "InvalidPart", http.StatusBadRequest)
	h.s3Fails(s3Call(call{method: "POST", bucket: "pub", key: "mp", query: q, body: body(nvme(p2)), header: map[string]string{"x-amz-checksum-crc64nvme": nvme([]byte("x")), "x-amz-checksum-type": "FULL_OBJECT"}}), "BadDigest", http.StatusBadRequest)
	r = h.ok(s3Call(call{method: "POST", bucket: "pub", key: "mp", query: q, body: body(nvme(p2)), header: map[string]string{"x-amz-checksum-crc64nvme": nvme(whole), "x-amz-checksum-type": "FULL_OBJECT"}}), http.StatusOK)
	if r.Header.Get("x-amz-checksum-crc64nvme") != nvme(whole) {
		t.Errorf("Complete answer %v", r.Header)
	}
	if got := h.get("pub", "mp"); !bytes.Equal(got, whole) {
		t.Error("the completed object differs")
	}
}
