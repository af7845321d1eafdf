package server

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
)

func randBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

func TestPutGetHeadDelete(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	data := randBytes(1, 300_000)
	r := h.ok(call{method: "PUT", bucket: "bkt", key: "dir/obj.bin", body: data, md5: true, header: map[string]string{
		"Content-Type": "text/plain", "x-oss-meta-Author": "alice", "Cache-Control": "no-cache", "x-oss-storage-class": "IA",
	}}, http.StatusOK)
	if got, want := r.Header.Get("ETag"), `"`+md5hex(data)+`"`; got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	if got, want := r.Header.Get("x-oss-hash-crc64ecma"), crc64.Format(crc64.Checksum(data)); got != want {
		t.Errorf("CRC %s, want %s", got, want)
	}
	sum := md5.Sum(data)
	if got := r.Header.Get("Content-MD5"); got != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("Content-MD5 %s", got)
	}
	g := h.ok(call{method: "GET", bucket: "bkt", key: "dir/obj.bin"}, http.StatusOK)
	if !bytes.Equal(g.body, data) {
		t.Fatal("GET body differs from what was put")
	}
	for name, want := range map[string]string{
		"Content-Type": "text/plain", "x-oss-meta-author": "alice", "Cache-Control": "no-cache",
		"x-oss-storage-class": "IA", "x-oss-object-type": "Normal", "ETag": `"` + md5hex(data) + `"`,
		"x-oss-hash-crc64ecma": crc64.Format(crc64.Checksum(data)), "Content-Length": strconv.Itoa(len(data)),
	} {
		if got := g.Header.Get(name); got != want {
			t.Errorf("GET %s = %q, want %q", name, got, want)
		}
	}
	hd := h.ok(call{method: "HEAD", bucket: "bkt", key: "dir/obj.bin"}, http.StatusOK)
	if hd.Header.Get("Content-Length") != strconv.Itoa(len(data)) || len(hd.body) != 0 {
		t.Errorf("HEAD Content-Length %s, body %d bytes", hd.Header.Get("Content-Length"), len(hd.body))
	}
	h.ok(call{method: "HEAD", bucket: "bkt", key: "dir/obj.bin", query: "objectMeta"}, http.StatusOK)
	h.ok(call{method: "DELETE", bucket: "bkt", key: "dir/obj.bin"}, http.StatusNoContent)
	h.ok(call{method: "DELETE", bucket: "bkt", key: "dir/obj.bin"}, http.StatusNoContent)
	h.fails(call{method: "GET", bucket: "bkt", key: "dir/obj.bin"}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "HEAD", bucket: "bkt", key: "dir/obj.bin"}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "HEAD", bucket: "bkt", key: "dir/obj.bin", query: "objectMeta"}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "PUT", bucket: "nobkt", key: "k", body: []byte("x")}, ossxml.CodeNoSuchBucket)
	h.fails(call{method: "DELETE", bucket: "nobkt", key: "k"}, ossxml.CodeNoSuchBucket)
}

func TestPutObjectErrors(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.put("bkt", "exists", []byte("old"))
	badMD5 := md5.Sum([]byte("other"))
	tests := []struct {
		name string
		c    call
		code string
	}{
		{"wrong md5", call{method: "PUT", bucket: "bkt", key: "k", body: []byte("data"), header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(badMD5[:])}}, ossxml.CodeInvalidDigest},
		{"malformed md5", call{method: "PUT", bucket: "bkt", key: "k", body: []byte("data"), header: map[string]string{"Content-MD5": "nope"}}, ossxml.CodeInvalidDigest},
		{"forbid overwrite", call{method: "PUT", bucket: "bkt", key: "exists", body: []byte("new"), header: map[string]string{"x-oss-forbid-overwrite": "true"}}, ossxml.CodeFileAlreadyExists},
		{"bad acl", call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"x-oss-object-acl": "everyone"}}, ossxml.CodeInvalidArgument},
		{"bad storage class", call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"x-oss-storage-class": "Glacier"}}, ossxml.CodeInvalidArgument},
		{"key too long", call{method: "PUT", bucket: "bkt", key: strings.Repeat("k", 1024), body: []byte("x")}, ossxml.CodeInvalidObjectName},
		{"key with leading slash", call{method: "PUT", bucket: "bkt", key: "/abs", body: []byte("x")}, ossxml.CodeInvalidObjectName},
		{"key with leading backslash", call{method: "PUT", bucket: "bkt", key: `\abs`, body: []byte("x")}, ossxml.CodeInvalidObjectName},
		{"bad bucket name", call{method: "PUT", bucket: "Bad_Name", key: "k", body: []byte("x")}, ossxml.CodeInvalidBucketName},
		{"callback not json", call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"x-oss-callback": base64.StdEncoding.EncodeToString([]byte("{nope"))}}, ossxml.CodeInvalidArgument},
		{"copy of a missing source", call{method: "PUT", bucket: "bkt", key: "k", header: map[string]string{"x-oss-copy-source": "/bkt/missing"}}, ossxml.CodeNoSuchKey},
		{"method not allowed", call{method: "PATCH", bucket: "bkt", key: "k"}, ossxml.CodeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			h.fails(tt.c, tt.code)
		})
	}
	h.t = t
	if got := h.get("bkt", "exists"); string(got) != "old" {
		t.Errorf("a failed PUT changed the object: %q", got)
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "k"}, ossxml.CodeNoSuchKey)
}

// TestOddKeys stores keys that break naive routers and path mappers, and
// checks that nothing is written outside the data directory.
func TestOddKeys(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	outside := t.TempDir()
	keys := []string{
		"a//b", "a/./b", "a/../b", "../../etc/passwd", "../" + filepath.Base(outside) + "/escape",
		"%2F", "a%2Fb", "a+b", "a b", "dir/", "trailing/slash/", "中文/键", "~tilde", "q?x=1", "hash#frag",
		"semi;colon", "..", ".", "x\x01y", strings.Repeat("é", 300),
	}
	for i, k := range keys {
		data := []byte(fmt.Sprintf("content %d of %q", i, k))
		h.put("bkt", k, data)
		if got := h.get("bkt", k); !bytes.Equal(got, data) {
			t.Errorf("key %q: got %q, want %q", k, got, data)
		}
	}
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "bkt", query: "max-keys=1000&encoding-type=url"}, &list)
	if err := list.DecodeURL(); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range list.Contents {
		got[c.Key] = true
	}
	for _, k := range keys {
		if !got[k] {
			t.Errorf("key %q missing from listing", k)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside the data dir: %v", entries)
	}
	if _, err := os.Stat("/etc/passwd.ossup"); err == nil {
		t.Error("unexpected file")
	}
	err := filepath.WalkDir(h.dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "passwd") {
			t.Errorf("a key became a path: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRange(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	data := randBytes(2, 1000)
	h.put("bkt", "k", data)
	tests := []struct {
		rng      string
		standard bool
		status   int
		want     []byte
		crange   string
	}{
		{"bytes=0-499", false, 206, data[:500], "bytes 0-499/1000"},
		{"bytes=500-", false, 206, data[500:], "bytes 500-999/1000"},
		{"bytes=-500", false, 206, data[500:], "bytes 500-999/1000"},
		{"bytes=500-2000", false, 200, data, ""},
		{"bytes=500-2000", true, 206, data[500:], "bytes 500-999/1000"},
		{"bytes=1000-2000", false, 200, data, ""},
		{"bytes=1000-", false, 200, data, ""},
		{"byte=0-1", false, 200, data, ""},
		{"bytes=5-1", false, 200, data, ""},
		{"bytes=0-0,5-9", false, 206, data[:1], "bytes 0-0/1000"},
		{"bytes=-5000", false, 206, data, "bytes 0-999/1000"},
	}
	for _, tt := range tests {
		hdr := map[string]string{"Range": tt.rng}
		if tt.standard {
			hdr["x-oss-range-behavior"] = "standard"
		}
		r := h.ok(call{method: "GET", bucket: "bkt", key: "k", header: hdr}, tt.status)
		if !bytes.Equal(r.body, tt.want) || r.Header.Get("Content-Range") != tt.crange {
			t.Errorf("%s (standard %v): got %d bytes, Content-Range %q; want %d bytes, %q", tt.rng, tt.standard, len(r.body), r.Header.Get("Content-Range"), len(tt.want), tt.crange)
		}
		if got := r.Header.Get("x-oss-hash-crc64ecma"); got != crc64.Format(crc64.Checksum(data)) {
			t.Errorf("%s: CRC header %s is not the whole object's", tt.rng, got)
		}
	}
	for _, rng := range []string{"bytes=1000-2000", "bytes=1000-"} {
		h.fails(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"Range": rng, "x-oss-range-behavior": "standard"}}, ossxml.CodeInvalidRange)
	}
}

func TestConditionalGet(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	data := []byte("conditional")
	etag := `"` + md5hex(data) + `"`
	h.put("bkt", "k", data)
	h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-Match": etag}}, 200)
	h.fails(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-Match": `"0000"`}}, ossxml.CodePreconditionFailed)
	h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-None-Match": etag}}, 304)
	h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-None-Match": `"0000"`}}, 200)
	h.fails(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-Unmodified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}}, ossxml.CodePreconditionFailed)
	h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"If-Modified-Since": "Mon, 02 Jan 2206 15:04:05 GMT"}}, 304)
	r := h.ok(call{method: "GET", bucket: "bkt", key: "k", query: "response-content-type=image%2Fpng&response-cache-control=max-age%3D5"}, 200)
	if r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Cache-Control") != "max-age=5" {
		t.Errorf("response overrides not applied: %v", r.Header)
	}
}

func TestDeleteMultipleObjects(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, k := range []string{"a", "b", "c d", "x\x0cy"} {
		h.put("bkt", k, []byte(k))
	}
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>false</Quiet><Object><Key>a</Key></Object><Object><Key>c d</Key></Object><Object><Key>x&#x0C;y</Key></Object><Object><Key>missing</Key></Object></Delete>`)
	var res ossxml.DeleteResult
	h.xml(call{method: "POST", bucket: "bkt", query: "delete&encoding-type=url", body: body, md5: true}, &res)
	if res.EncodingType != "url" {
		t.Errorf("EncodingType %q", res.EncodingType)
	}
	if err := res.DecodeURL(); err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 4 || res.Deleted[2].Key != "x\x0cy" {
		t.Errorf("deleted %+v", res.Deleted)
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "a"}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "GET", bucket: "bkt", key: "x\x0cy"}, ossxml.CodeNoSuchKey)
	quiet := []byte(`<Delete><Quiet>true</Quiet><Object><Key>b</Key></Object></Delete>`)
	r := h.ok(call{method: "POST", bucket: "bkt", query: "delete", body: quiet, md5: true}, 200)
	if bytes.Contains(r.body, []byte("<Deleted>")) {
		t.Errorf("quiet delete listed keys: %s", r.body)
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "b"}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: []byte("<Delete><Object>"), md5: true}, ossxml.CodeMalformedXML)
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: []byte("<Delete></Delete>"), md5: true}, ossxml.CodeMalformedXML)
	bad := md5.Sum([]byte("x"))
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: quiet, header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(bad[:])}}, ossxml.CodeInvalidDigest)
}

// TestChunkedBodies sends bodies without a Content-Length (chunked
// transfer encoding), as the SDKs do for readers of unknown length: the
// server streams them into the store whatever their size.
func TestChunkedBodies(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, size := range []int{0, 1, 12 << 20} {
		data := randBytes(uint64(size), size)
		r := h.request(call{method: "PUT", bucket: "bkt", key: "chunked", body: data})
		r.ContentLength = -1
		r.Body = io.NopCloser(bytes.NewReader(data))
		resp, err := h.http.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("x-oss-hash-crc64ecma") != crc64.Format(crc64.Checksum(data)) {
			t.Fatalf("chunked PUT of %d bytes: status %d, crc %s", size, resp.StatusCode, resp.Header.Get("x-oss-hash-crc64ecma"))
		}
		if got := h.get("bkt", "chunked"); !bytes.Equal(got, data) {
			t.Fatalf("chunked object of %d bytes reads back differently", size)
		}
	}
}
