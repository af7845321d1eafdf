package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func shaHeader(b []byte) map[string]string {
	return map[string]string{"x-oss-content-sha256": sha256hex(b)}
}

// failsPayload checks that c is refused as a body not matching its
// x-oss-content-sha256.
func (h *harness) failsPayload(c call) {
	h.t.Helper()
	e := h.fails(c, ossxml.CodeInvalidArgument)
	if e.ArgumentName != "x-oss-content-sha256" || e.EC != ossxml.ECInvalidContentSHA256 {
		h.t.Errorf("%s %s/%s?%s: %+v; want the x-oss-content-sha256 mismatch", c.method, c.bucket, c.key, c.query, e)
	}
}

func TestPutObjectContentSHA256(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	data := randBytes(1, 300<<10)
	other := randBytes(2, 300<<10)

	// A matching digest is accepted, in either case, signed V1 or V4.
	h.ok(call{method: "PUT", bucket: "bkt", key: "good", body: data, header: shaHeader(data)}, http.StatusOK)
	h.ok(call{method: "PUT", bucket: "bkt", key: "good-upper", body: data, header: map[string]string{"x-oss-content-sha256": strings.ToUpper(sha256hex(data))}, version: sign.V1}, http.StatusOK)
	h.ok(call{method: "PUT", bucket: "bkt", key: "good-empty", header: shaHeader(nil)}, http.StatusOK)
	for _, k := range []string{"good", "good-upper"} {
		if !bytes.Equal(h.get("bkt", k), data) {
			t.Errorf("%s reads back differently", k)
		}
	}

	tests := []struct {
		name string
		key  string
		body []byte
		sum  []byte // what the digest is of
	}{
		{"new object", "new", data, other},
		{"overwrite", "good", other, data[:len(data)-1]},
		{"last byte differs", "good", append(data[:len(data)-1:len(data)-1], data[len(data)-1]^1), data},
		{"empty body", "new-empty", nil, []byte("x")},
		{"one byte", "new-one", []byte("y"), []byte("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.failsPayload(call{method: "PUT", bucket: "bkt", key: tt.key, body: tt.body, header: shaHeader(tt.sum)})
			h.failsPayload(call{method: "PUT", bucket: "bkt", key: tt.key, body: tt.body, header: shaHeader(tt.sum), presign: true})
			if tt.key == "good" {
				if !bytes.Equal(h.get("bkt", "good"), data) {
					t.Fatal("a refused PutObject replaced the object")
				}
				return
			}
			h.fails(call{method: "HEAD", bucket: "bkt", key: tt.key}, ossxml.CodeNoSuchKey)
		})
	}

	// A chunked body, read to its end, one byte at a time.
	for _, sum := range [][]byte{other, data} {
		r := h.request(call{method: "PUT", bucket: "bkt", key: "chunked", body: data, header: shaHeader(sum)})
		r.ContentLength = -1
		r.Body = io.NopCloser(iotest.OneByteReader(bytes.NewReader(data)))
		resp := h.send(r)
		if bytes.Equal(sum, data) {
			if resp.StatusCode != http.StatusOK || !bytes.Equal(h.get("bkt", "chunked"), data) {
				t.Fatalf("matching chunked PUT: status %d, body %s", resp.StatusCode, resp.body)
			}
			continue
		}
		if e := h.errorBody(resp, ossxml.CodeInvalidArgument); e.ArgumentName != "x-oss-content-sha256" {
			t.Errorf("mismatching chunked PUT: %+v", e)
		}
		h.fails(call{method: "HEAD", bucket: "bkt", key: "chunked"}, ossxml.CodeNoSuchKey)
	}

	// A value that is neither UNSIGNED-PAYLOAD nor a digest.
	e := h.fails(call{method: "PUT", bucket: "bkt", key: "bad", body: data, header: map[string]string{"x-oss-content-sha256": "abc"}}, ossxml.CodeInvalidArgument)
	if e.ArgumentName != "x-oss-content-sha256" || e.EC != ossxml.ECInvalidContentSHA256 {
		t.Errorf("malformed digest: %+v", e)
	}
}

func TestUploadPartContentSHA256(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "obj", nil)
	p1, p2 := randBytes(3, 100<<10), randBytes(4, 1000)
	query := func(n int) string { return fmt.Sprintf("partNumber=%d&uploadId=%s", n, id) }
	etag1 := h.ok(call{method: "PUT", bucket: "bkt", key: "obj", query: query(1), body: p1, header: shaHeader(p1)}, http.StatusOK).Header.Get("ETag")

	// Neither replaces part 1 nor adds part 2.
	h.failsPayload(call{method: "PUT", bucket: "bkt", key: "obj", query: query(1), body: p2, header: shaHeader(p1)})
	h.failsPayload(call{method: "PUT", bucket: "bkt", key: "obj", query: query(2), body: p2, header: shaHeader(p2[1:])})
	h.failsPayload(call{method: "PUT", bucket: "bkt", key: "obj", query: query(2), body: p2, header: shaHeader(p1), presign: true})
	var lp ossxml.ListPartsResult
	h.xml(call{method: "GET", bucket: "bkt", key: "obj", query: "uploadId=" + id}, &lp)
	if len(lp.Parts) != 1 || lp.Parts[0].ETag != etag1 || lp.Parts[0].Size != int64(len(p1)) {
		t.Fatalf("parts after refused uploads: %+v", lp.Parts)
	}
	h.ok(call{method: "PUT", bucket: "bkt", key: "obj", query: query(2), body: p2, header: shaHeader(p2)}, http.StatusOK)
}

// TestXMLBodyContentSHA256 covers the requests whose body is an XML
// document: a mismatch changes nothing.
func TestXMLBodyContentSHA256(t *testing.T) {
	h := newHarness(t, nil)
	conf := []byte("<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>")
	h.failsPayload(call{method: "PUT", bucket: "bkt", body: conf, header: shaHeader(conf[1:])})
	h.fails(call{method: "GET", bucket: "bkt", query: "bucketInfo"}, ossxml.CodeNoSuchBucket)
	h.ok(call{method: "PUT", bucket: "bkt", body: conf, header: shaHeader(conf)}, http.StatusOK)

	h.put("bkt", "keep", []byte("kept"))
	del := []byte("<Delete><Quiet>true</Quiet><Object><Key>keep</Key></Object></Delete>")
	h.failsPayload(call{method: "POST", bucket: "bkt", query: "delete", body: del, md5: true, header: shaHeader(nil)})
	if got := h.get("bkt", "keep"); string(got) != "kept" {
		t.Fatalf("refused DeleteMultipleObjects deleted the object: %q", got)
	}

	id := h.initiate("bkt", "mp", nil)
	part := randBytes(5, 1000)
	etag := h.uploadPart("bkt", "mp", id, 1, part)
	complete := completeBody([]int{1}, []string{etag})
	h.failsPayload(call{method: "POST", bucket: "bkt", key: "mp", query: "uploadId=" + id, body: complete, header: shaHeader(append(complete, ' '))})
	h.fails(call{method: "HEAD", bucket: "bkt", key: "mp"}, ossxml.CodeNoSuchKey)
	h.ok(call{method: "GET", bucket: "bkt", key: "mp", query: "uploadId=" + id}, http.StatusOK) // the upload is still open
	h.ok(call{method: "POST", bucket: "bkt", key: "mp", query: "uploadId=" + id, body: complete, header: shaHeader(complete)}, http.StatusOK)
	if !bytes.Equal(h.get("bkt", "mp"), part) {
		t.Fatal("completed object reads back differently")
	}
}

// TestBodilessContentSHA256: a request without a body whose hex
// x-oss-content-sha256 is not the hash of nothing is refused before it
// runs.
func TestBodilessContentSHA256(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.put("bkt", "k", []byte("keep"))
	wrong := shaHeader([]byte("something"))
	h.failsPayload(call{method: "DELETE", bucket: "bkt", key: "k", header: wrong})
	h.failsPayload(call{method: "GET", bucket: "bkt", key: "k", header: wrong})
	if got := h.get("bkt", "k"); string(got) != "keep" {
		t.Fatalf("object %q after a refused delete", got)
	}
	h.ok(call{method: "DELETE", bucket: "bkt", key: "k", header: shaHeader(nil)}, http.StatusNoContent)
}
