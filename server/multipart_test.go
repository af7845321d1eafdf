package server

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
)

func (h *harness) initiate(bucket, key string, hdr map[string]string) string {
	h.t.Helper()
	var res ossxml.InitiateMultipartUploadResult
	h.xml(call{method: "POST", bucket: bucket, key: key, query: "uploads", header: hdr}, &res)
	if res.UploadID == "" || res.Key != key || res.Bucket != bucket {
		h.t.Fatalf("initiate result %+v", res)
	}
	return res.UploadID
}

func (h *harness) uploadPart(bucket, key, id string, n int, data []byte) string {
	h.t.Helper()
	r := h.ok(call{method: "PUT", bucket: bucket, key: key, query: fmt.Sprintf("partNumber=%d&uploadId=%s", n, id), body: data, md5: true}, 200)
	if got, want := r.Header.Get("x-oss-hash-crc64ecma"), crc64.Format(crc64.Checksum(data)); got != want {
		h.t.Fatalf("part %d CRC %s, want %s", n, got, want)
	}
	return r.Header.Get("ETag")
}

func completeBody(nums []int, etags []string) []byte {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, n := range nums {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, strings.ReplaceAll(etags[i], `"`, "&quot;"))
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

// multipartETag is the S3 rule: MD5 of the binary part MD5s, then -N.
func multipartETag(parts [][]byte) string {
	var all []byte
	for _, p := range parts {
		s := md5.Sum(p)
		all = append(all, s[:]...)
	}
	return `"` + md5hex(all) + "-" + strconv.Itoa(len(parts)) + `"`
}

func TestMultipartLifecycle(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "big/obj", map[string]string{"Content-Type": "video/mp4", "x-oss-meta-k": "v"})
	sizes := []int{100 << 10, 150 << 10, 100<<10 + 7, 33}
	var parts [][]byte
	var etags []string
	var nums []int
	for i, sz := range sizes {
		data := randBytes(uint64(10+i), sz)
		parts = append(parts, data)
		etags = append(etags, h.uploadPart("bkt", "big/obj", id, i+1, data))
		nums = append(nums, i+1)
	}
	// Re-uploading a part number replaces it.
	parts[1] = randBytes(99, 150<<10)
	etags[1] = h.uploadPart("bkt", "big/obj", id, 2, parts[1])

	var lp ossxml.ListPartsResult
	h.xml(call{method: "GET", bucket: "bkt", key: "big/obj", query: "uploadId=" + id}, &lp)
	if len(lp.Parts) != 4 || lp.Parts[1].ETag != etags[1] || lp.Parts[1].Size != int64(len(parts[1])) || lp.Parts[3].HashCRC64 != crc64.Checksum(parts[3]) {
		t.Fatalf("list parts %+v", lp.Parts)
	}
	var ups ossxml.ListMultipartUploadsResult
	h.xml(call{method: "GET", bucket: "bkt", query: "uploads"}, &ups)
	if len(ups.Uploads) != 1 || ups.Uploads[0].UploadID != id {
		t.Fatalf("list uploads %+v", ups)
	}

	r := h.ok(call{method: "POST", bucket: "bkt", key: "big/obj", query: "uploadId=" + id, body: completeBody(nums, etags)}, 200)
	var res ossxml.CompleteMultipartUploadResult
	if err := ossxml.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(parts, nil)
	if res.ETag != multipartETag(parts) {
		t.Errorf("ETag %s, want %s", res.ETag, multipartETag(parts))
	}
	if got := r.Header.Get("x-oss-hash-crc64ecma"); got != crc64.Format(crc64.Checksum(whole)) {
		t.Errorf("Complete CRC %s, want %d", got, crc64.Checksum(whole))
	}
	g := h.ok(call{method: "GET", bucket: "bkt", key: "big/obj"}, 200)
	if !bytes.Equal(g.body, whole) {
		t.Fatal("multipart object differs from its parts")
	}
	if g.Header.Get("x-oss-object-type") != "Multipart" || g.Header.Get("Content-Type") != "video/mp4" || g.Header.Get("x-oss-meta-k") != "v" {
		t.Errorf("object headers %v", g.Header)
	}
	// Ranges crossing part boundaries.
	rng := rand.New(rand.NewPCG(5, 5))
	for range 40 {
		start := rng.IntN(len(whole))
		end := start + rng.IntN(len(whole)-start)
		r := h.ok(call{method: "GET", bucket: "bkt", key: "big/obj", header: map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", start, end)}}, 206)
		if !bytes.Equal(r.body, whole[start:end+1]) {
			t.Fatalf("range %d-%d differs", start, end)
		}
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "big/obj", query: "uploadId=" + id}, ossxml.CodeNoSuchUpload)
	h.fails(call{method: "PUT", bucket: "bkt", key: "big/obj", query: "partNumber=1&uploadId=" + id, body: []byte("x")}, ossxml.CodeNoSuchUpload)
	h.fails(call{method: "POST", bucket: "bkt", key: "big/obj", query: "uploadId=" + id, body: completeBody(nums, etags)}, ossxml.CodeNoSuchUpload)
	h.fails(call{method: "DELETE", bucket: "bkt", key: "big/obj", query: "uploadId=" + id}, ossxml.CodeNoSuchUpload)
}

// TestCompleteEmptyList: a well-formed empty part list completes a 0-byte
// object, as real OSS does, and frees the parts it leaves out.
func TestCompleteEmptyList(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "zero", nil)
	h.uploadPart("bkt", "zero", id, 1, []byte("unused part"))
	r := h.ok(call{method: "POST", bucket: "bkt", key: "zero", query: "uploadId=" + id, body: []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")}, 200)
	if r.Header.Get("x-oss-hash-crc64ecma") != "0" {
		t.Errorf("CRC %q", r.Header.Get("x-oss-hash-crc64ecma"))
	}
	if got := h.get("bkt", "zero"); len(got) != 0 {
		t.Errorf("object %q, want empty", got)
	}
	h.fails(call{method: "GET", bucket: "bkt", key: "zero", query: "uploadId=" + id}, ossxml.CodeNoSuchUpload)
}

func TestCompleteErrors(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.put("bkt", "exists", []byte("x"))
	id := h.initiate("bkt", "k", nil)
	small := h.uploadPart("bkt", "k", id, 1, []byte("small"))
	big := h.uploadPart("bkt", "k", id, 2, randBytes(3, 100<<10))
	last := h.uploadPart("bkt", "k", id, 3, []byte("last"))
	q := "uploadId=" + id
	bad := md5.Sum([]byte("nope"))
	tests := []struct {
		name string
		c    call
		code string
	}{
		{"malformed", call{body: []byte("<CompleteMultipartUpload><Part>")}, ossxml.CodeMalformedXML},
		{"empty body", call{}, ossxml.CodeMalformedXML},
		{"descending", call{body: completeBody([]int{3, 2}, []string{last, big})}, ossxml.CodeInvalidPartOrder},
		{"duplicate", call{body: completeBody([]int{2, 2}, []string{big, big})}, ossxml.CodeInvalidPartOrder},
		{"missing part", call{body: completeBody([]int{2, 4}, []string{big, big})}, ossxml.CodeInvalidPart},
		{"etag mismatch", call{body: completeBody([]int{2, 3}, []string{`"` + hex.EncodeToString(bad[:]) + `"`, last})}, ossxml.CodeInvalidPart},
		{"too small", call{body: completeBody([]int{1, 2}, []string{small, big})}, ossxml.CodeEntityTooSmall},
		{"part number out of range", call{body: completeBody([]int{0}, []string{small})}, ossxml.CodeInvalidArgument},
		{"complete-all with body", call{body: completeBody([]int{2}, []string{big}), header: map[string]string{"x-oss-complete-all": "yes"}}, ossxml.CodeInvalidArgument},
		{"unknown upload", call{body: completeBody([]int{2}, []string{big}), query: "uploadId=FFFF"}, ossxml.CodeNoSuchUpload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			c := tt.c
			c.method, c.bucket, c.key = "POST", "bkt", "k"
			if c.query == "" {
				c.query = q
			}
			h.fails(c, tt.code)
		})
	}
	h.t = t
	// Part upload errors.
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=0&uploadId=" + id, body: []byte("x")}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=10001&uploadId=" + id, body: []byte("x")}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=x&uploadId=" + id, body: []byte("x")}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=1&uploadId=FFFF", body: []byte("x")}, ossxml.CodeNoSuchUpload)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "partNumber=1&uploadId=" + id, body: []byte("x"), header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}}, ossxml.CodeInvalidDigest)
	// The upload is still whole after every failure: complete it, skipping part 1.
	r := h.ok(call{method: "POST", bucket: "bkt", key: "k", query: q, body: completeBody([]int{2, 3}, []string{strings.ToLower(big), last})}, 200)
	if !strings.HasSuffix(r.Header.Get("ETag"), `-2"`) {
		t.Errorf("ETag %s", r.Header.Get("ETag"))
	}
	// Forbid-overwrite on Complete.
	id2 := h.initiate("bkt", "exists", nil)
	e := h.uploadPart("bkt", "exists", id2, 1, []byte("y"))
	h.fails(call{method: "POST", bucket: "bkt", key: "exists", query: "uploadId=" + id2, body: completeBody([]int{1}, []string{e}), header: map[string]string{"x-oss-forbid-overwrite": "true"}}, ossxml.CodeFileAlreadyExists)
	// complete-all uses every part.
	h.ok(call{method: "POST", bucket: "bkt", key: "exists", query: "uploadId=" + id2, header: map[string]string{"x-oss-complete-all": "yes"}}, 200)
	if got := h.get("bkt", "exists"); string(got) != "y" {
		t.Errorf("complete-all object %q", got)
	}
}

func TestListPartsAndUploadsPagination(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "k", nil)
	for _, n := range []int{1, 2, 3, 5, 8, 13, 21, 10000} {
		h.uploadPart("bkt", "k", id, n, []byte(strconv.Itoa(n)))
	}
	var got []int
	marker := 0
	for range 20 {
		var lp ossxml.ListPartsResult
		h.xml(call{method: "GET", bucket: "bkt", key: "k", query: fmt.Sprintf("uploadId=%s&max-parts=3&part-number-marker=%d", id, marker)}, &lp)
		for _, p := range lp.Parts {
			got = append(got, p.PartNumber)
		}
		if !lp.IsTruncated {
			break
		}
		marker = lp.NextPartNumberMarker
	}
	if fmt.Sprint(got) != "[1 2 3 5 8 13 21 10000]" {
		t.Errorf("paged parts %v", got)
	}

	var want []string
	for _, k := range []string{"a/1", "a/2", "b", "c/d/e", "c/x"} {
		for range 2 {
			want = append(want, k+" "+h.initiate("bkt", k, nil))
		}
	}
	want = append(want, "k "+id)
	var all []string
	km, um := "", ""
	for range 50 {
		var res ossxml.ListMultipartUploadsResult
		h.xml(call{method: "GET", bucket: "bkt", query: fmt.Sprintf("uploads&max-uploads=3&key-marker=%s&upload-id-marker=%s", ossxml.EscapeURL(km), um)}, &res)
		for _, u := range res.Uploads {
			all = append(all, u.Key+" "+u.UploadID)
		}
		if !res.IsTruncated {
			break
		}
		km, um = res.NextKeyMarker, res.NextUploadIDMarker
	}
	if len(all) != len(want) {
		t.Fatalf("paged uploads %v, want %d entries", all, len(want))
	}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a] {
			t.Errorf("upload listed twice: %s", a)
		}
		seen[a] = true
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("upload %s not listed", w)
		}
	}
	var res ossxml.ListMultipartUploadsResult
	h.xml(call{method: "GET", bucket: "bkt", query: "uploads&delimiter=/&prefix=c/"}, &res)
	if len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "c/d/" || len(res.Uploads) != 2 {
		t.Errorf("delimited uploads %+v", res)
	}
}

// TestReopen closes the server mid-upload and opens it again on the same
// directory: the parts are there, Complete works, the object is exact.
func TestReopen(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	id := h.initiate("bkt", "k", nil)
	p1, p2 := randBytes(7, 200<<10), randBytes(8, 1234)
	e1 := h.uploadPart("bkt", "k", id, 1, p1)
	h.restart()
	e2 := h.uploadPart("bkt", "k", id, 2, p2)
	h.restart()
	var lp ossxml.ListPartsResult
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "uploadId=" + id}, &lp)
	if len(lp.Parts) != 2 || lp.Parts[0].ETag != e1 || lp.Parts[1].ETag != e2 {
		t.Fatalf("parts after reopen %+v", lp.Parts)
	}
	h.ok(call{method: "POST", bucket: "bkt", key: "k", query: "uploadId=" + id, body: completeBody([]int{1, 2}, []string{e1, e2})}, 200)
	h.restart()
	if got := h.get("bkt", "k"); !bytes.Equal(got, append(p1, p2...)) {
		t.Fatal("object differs after reopen")
	}
	if _, err := http.Get(h.http.URL); err != nil {
		t.Fatal(err)
	}
}
