package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// TestMissingBucketBeforeCredentials: OSS reports a missing bucket before
// it looks at the credentials, and clients (the v2 SDK's IsBucketExist)
// rely on it.
func TestMissingBucketBeforeCredentials(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("exists")
	unknown := sign.Credentials{AccessKeyID: "LTAIunknown", AccessKeySecret: "whatever"}
	wrongSecret := sign.Credentials{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: "wrong"}
	for _, cred := range []sign.Credentials{unknown, wrongSecret} {
		h.cred = cred
		h.fails(call{method: "GET", bucket: "missing", query: "acl"}, ossxml.CodeNoSuchBucket)
		h.fails(call{method: "HEAD", bucket: "missing", key: "k"}, ossxml.CodeNoSuchBucket)
		h.fails(call{method: "GET", bucket: "missing"}, ossxml.CodeNoSuchBucket)
	}
	h.cred = unknown
	e := h.fails(call{method: "GET", bucket: "exists", query: "acl"}, ossxml.CodeInvalidAccessKeyID)
	if e.EC != "0002-00000902" || e.OSSAccessKeyID != unknown.AccessKeyID {
		t.Errorf("InvalidAccessKeyId body %+v, want EC 0002-00000902 and the key id", e)
	}
	h.cred = wrongSecret
	h.fails(call{method: "GET", bucket: "exists", query: "acl"}, ossxml.CodeSignatureDoesNotMatch)
}

func TestNoSuchUploadDetail(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, c := range []call{
		{method: "DELETE", bucket: "bkt", key: "k", query: "uploadId=FFFF"},
		{method: "GET", bucket: "bkt", key: "k", query: "uploadId=FFFF"},
		{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=1&uploadId=FFFF", body: []byte("x")},
	} {
		e := h.fails(c, ossxml.CodeNoSuchUpload)
		if e.EC != "0042-00000002" || e.UploadID != "FFFF" {
			t.Errorf("%s: NoSuchUpload body %+v", c.method, e)
		}
	}
}

func TestGetObjectMetaHasNoMetadata(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("data"), header: map[string]string{
		"x-oss-meta-secret": "s3cr3t", "Content-Type": "text/plain", "Cache-Control": "no-cache",
	}}, 200)
	r := h.ok(call{method: "HEAD", bucket: "bkt", key: "k", query: "objectMeta"}, 200)
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-oss-meta-") || name == "Cache-Control" {
			t.Errorf("GetObjectMeta returned %s", name)
		}
	}
	if r.Header.Get("ETag") == "" || r.Header.Get("Content-Length") != "4" || r.Header.Get("Last-Modified") == "" {
		t.Errorf("GetObjectMeta headers %v", r.Header)
	}
	full := h.ok(call{method: "HEAD", bucket: "bkt", key: "k"}, 200)
	if full.Header.Get("x-oss-meta-secret") != "s3cr3t" {
		t.Error("HeadObject lost the user metadata")
	}
	h.fails(call{method: "HEAD", bucket: "bkt", key: "missing", query: "objectMeta"}, ossxml.CodeNoSuchKey)
}

// TestErrorBodiesAreLegalXML: a key with characters XML 1.0 cannot carry
// (not even as character references) is reported percent-encoded.
func TestErrorBodiesAreLegalXML(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, key := range []string{"a\x01b", "tab\there", "form\x0cfeed", "bom\ufffe", "del\x7f"} {
		e := h.fails(call{method: "GET", bucket: "bkt", key: key}, ossxml.CodeNoSuchKey)
		r := h.do(call{method: "GET", bucket: "bkt", key: key})
		for _, c := range string(r.body) {
			if !xmlChar(c) {
				t.Errorf("key %q: error body holds %U", key, c)
			}
		}
		legalRefs := strings.NewReplacer("&#x9;", "", "&#xA;", "", "&#xD;", "")
		if strings.Contains(legalRefs.Replace(string(r.body)), "&#") {
			t.Errorf("key %q: error body holds a character reference: %s", key, r.body)
		}
		if want := xmlSafe(key); e.Key != want {
			t.Errorf("key %q reported as %q, want %q", key, e.Key, want)
		}
	}
	if got := xmlSafe("a\x01b\ufffe"); got != "a%01b%EF%BF%BE" {
		t.Errorf("xmlSafe = %q", got)
	}
}

func TestGetBucketInfoComplete(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	r := h.ok(call{method: "GET", bucket: "bkt", query: "bucketInfo"}, 200)
	for _, el := range []string{
		"Name", "AccessMonitor", "CreationDate", "ExtranetEndpoint", "IntranetEndpoint", "Location",
		"StorageClass", "TransferAcceleration", "CrossRegionReplication", "ResourceGroupId", "Owner",
		"AccessControlList", "ServerSideEncryptionRule", "SSEAlgorithm", "BucketPolicy", "LogBucket",
		"LogPrefix", "Comment", "BlockPublicAccess", "DataRedundancyType",
	} {
		if !strings.Contains(string(r.body), "<"+el+">") && !strings.Contains(string(r.body), "<"+el+"></"+el+">") {
			t.Errorf("GetBucketInfo lacks <%s>: %s", el, r.body)
		}
	}
}

// diskFullStore fails every write as a full disk does.
type diskFullStore struct{ store.Store }

func (diskFullStore) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64, meta store.Metadata, opts store.PutOptions) (store.Object, error) {
	_, _ = io.Copy(io.Discard, r)
	return store.Object{}, fmt.Errorf("store: write blob: %w", syscall.ENOSPC)
}

// TestDiskFullAndDisconnects: a full disk answers an error that says so
// and logs one warning, not an ERROR per request; a client that hangs up
// mid-body is not an internal error.
func TestDiskFullAndDisconnects(t *testing.T) {
	var logs strings.Builder
	h := newHarness(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	h.mkbucket("bkt")
	real := h.srv.store
	h.srv.store = diskFullStore{real}
	for i := range 20 {
		e := h.fails(call{method: "PUT", bucket: "bkt", key: fmt.Sprint("k", i), body: []byte("data")}, ossxml.CodeInsufficientStorage)
		if !strings.Contains(e.Message, "space") {
			t.Errorf("message %q does not say the disk is full", e.Message)
		}
	}
	if n := strings.Count(logs.String(), "disk is full"); n != 1 {
		t.Errorf("%d disk-full warnings for 20 refused writes", n)
	}
	h.srv.store = real
	// Hang up in the middle of a body.
	req := h.request(call{method: "PUT", bucket: "bkt", key: "cut", body: make([]byte, 1<<20)})
	c, err := net.Dial("tcp", h.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), req.Host, 1<<20)
	for k, vs := range req.Header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, vs[0])
	}
	head.WriteString("\r\n")
	_, _ = io.WriteString(c, head.String()+strings.Repeat("x", 1000))
	c.Close()
	// The server is still up, and the cut object was not stored.
	h.fails(call{method: "GET", bucket: "bkt", key: "cut"}, ossxml.CodeNoSuchKey)
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("ERROR logged:\n%s", logs.String())
	}
	if !utf8.ValidString(logs.String()) {
		t.Error("logs are not UTF-8")
	}
}

func TestAnonymousResponseOverridesRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("pub", "page", []byte("<script>alert(1)</script>"))
	for _, q := range []string{"response-content-type=text/html", "response-content-disposition=inline", "response-cache-control=no-cache"} {
		h.fails(call{method: "GET", bucket: "pub", key: "page", query: q, anon: true}, ossxml.CodeAccessDenied)
		r := h.ok(call{method: "GET", bucket: "pub", key: "page", query: q}, 200)
		if q == "response-content-type=text/html" && r.Header.Get("Content-Type") != "text/html" {
			t.Errorf("signed override ignored: %q", r.Header.Get("Content-Type"))
		}
	}
	r := h.ok(call{method: "GET", bucket: "pub", key: "page", anon: true}, 200)
	if r.Header.Get("Content-Type") == "text/html" {
		t.Error("anonymous read served as text/html")
	}
}
