package server

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
)

func copyHeader(bucket, key string, more ...string) map[string]string {
	h := map[string]string{"x-oss-copy-source": "/" + bucket + "/" + url.QueryEscape(key)}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return h
}

func TestCopyObject(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("bkt")
	h.mkbucket("dst")
	data := bytes.Repeat([]byte("copy me "), 100_000)
	h.ok(call{method: "PUT", bucket: "bkt", key: "src key+1", body: data, header: map[string]string{
		"Content-Type": "text/plain", "x-oss-meta-color": "blue", "x-oss-tagging": "a=1&b=2"}}, http.StatusOK)
	src := h.ok(call{method: "HEAD", bucket: "bkt", key: "src key+1"}, http.StatusOK)

	// COPY across buckets keeps metadata and tags.
	var res ossxml.CopyObjectResult
	h.xml(call{method: "PUT", bucket: "dst", key: "copy", header: copyHeader("bkt", "src key+1")}, &res)
	if res.ETag != src.Header.Get("ETag") {
		t.Errorf("copy ETag %s, source %s", res.ETag, src.Header.Get("ETag"))
	}
	got := h.ok(call{method: "GET", bucket: "dst", key: "copy"}, http.StatusOK)
	if !bytes.Equal(got.body, data) || got.Header.Get("x-oss-hash-crc64ecma") != crc64.Format(crc64.Checksum(data)) {
		t.Fatalf("copy reads back %d bytes, crc %s", len(got.body), got.Header.Get("x-oss-hash-crc64ecma"))
	}
	if got.Header.Get("Content-Type") != "text/plain" || got.Header.Get("x-oss-meta-color") != "blue" || got.Header.Get("x-oss-tagging-count") != "2" {
		t.Errorf("COPY lost metadata: %v", got.Header)
	}

	// REPLACE onto itself changes metadata in place; the data stays.
	h.ok(call{method: "PUT", bucket: "bkt", key: "src key+1", header: copyHeader("bkt", "src key+1",
		"x-oss-metadata-directive", "REPLACE", "Content-Type", "image/png", "x-oss-meta-size", "big")}, http.StatusOK)
	got = h.ok(call{method: "GET", bucket: "bkt", key: "src key+1"}, http.StatusOK)
	if !bytes.Equal(got.body, data) || got.Header.Get("Content-Type") != "image/png" ||
		got.Header.Get("x-oss-meta-size") != "big" || got.Header.Get("x-oss-meta-color") != "" {
		t.Errorf("after REPLACE: %v", got.Header)
	}
	if got.Header.Get("x-oss-tagging-count") != "2" {
		t.Errorf("REPLACE of metadata dropped the tags (tagging directive COPY): %v", got.Header)
	}
	// The tagging directive replaces the tags.
	h.ok(call{method: "PUT", bucket: "dst", key: "retagged", header: copyHeader("bkt", "src key+1",
		"x-oss-tagging-directive", "REPLACE", "x-oss-tagging", "z=9")}, http.StatusOK)
	var tags ossxml.Tagging
	h.xml(call{method: "GET", bucket: "dst", key: "retagged", query: "tagging"}, &tags)
	if len(tags.TagSet.Tags) != 1 || tags.TagSet.Tags[0] != (ossxml.Tag{Key: "z", Value: "9"}) {
		t.Errorf("tags after REPLACE: %+v", tags.TagSet.Tags)
	}

	// A copy onto itself that changes nothing is refused.
	h.fails(call{method: "PUT", bucket: "bkt", key: "src key+1", header: copyHeader("bkt", "src key+1")}, ossxml.CodeInvalidArgument)
	// Changing only the ACL or the storage class is a change.
	h.ok(call{method: "PUT", bucket: "bkt", key: "src key+1", header: copyHeader("bkt", "src key+1", "x-oss-storage-class", "IA")}, http.StatusOK)
	if sc := h.ok(call{method: "HEAD", bucket: "bkt", key: "src key+1"}, http.StatusOK).Header.Get("x-oss-storage-class"); sc != "IA" {
		t.Errorf("storage class after copy = %q", sc)
	}

	for _, tc := range []struct {
		name   string
		header map[string]string
		code   string
	}{
		{"missing source", copyHeader("bkt", "nope"), ossxml.CodeNoSuchKey},
		{"missing source bucket", copyHeader("nobucket", "k"), ossxml.CodeNoSuchBucket},
		{"no leading slash", map[string]string{"x-oss-copy-source": "bkt/src"}, ossxml.CodeInvalidArgument},
		{"no key", map[string]string{"x-oss-copy-source": "/bkt"}, ossxml.CodeInvalidArgument},
		{"bad escape", map[string]string{"x-oss-copy-source": "/bkt/%zz"}, ossxml.CodeInvalidArgument},
		{"traversal key", map[string]string{"x-oss-copy-source": "/bkt/%2Fetc%2Fpasswd"}, ossxml.CodeInvalidObjectName},
		{"a version", map[string]string{"x-oss-copy-source": "/bkt/src%20key%2B1?versionId=CAEQ"}, ossxml.CodeNoSuchVersion},
		{"an empty version", map[string]string{"x-oss-copy-source": "/bkt/src%20key%2B1?versionId="}, ossxml.CodeInvalidArgument},
		{"bad directive", copyHeader("bkt", "src key+1", "x-oss-metadata-directive", "MOVE"), ossxml.CodeInvalidArgument},
		{"directive in another case", copyHeader("bkt", "src key+1", "x-oss-metadata-directive", "Copy", "x-oss-forbid-overwrite", "true"), ossxml.CodeFileAlreadyExists},
		{"bad tags", copyHeader("bkt", "src key+1", "x-oss-tagging-directive", "REPLACE", "x-oss-tagging", "a=1&a=2"), ossxml.CodeInvalidTag},
		{"forbid overwrite", copyHeader("bkt", "src key+1", "x-oss-forbid-overwrite", "true"), ossxml.CodeFileAlreadyExists},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			h.fails(call{method: "PUT", bucket: "dst", key: "copy", header: tc.header}, tc.code)
		})
	}
	h.t = t
	// The version null names the object.
	h.ok(call{method: "PUT", bucket: "dst", key: "v", header: map[string]string{"x-oss-copy-source": "/bkt/src%20key%2B1?versionId=null"}}, http.StatusOK)
	if got := h.get("dst", "copy"); !bytes.Equal(got, data) {
		t.Error("a failed copy changed the destination")
	}

	// Another account may not read a private source into its own bucket.
	h.as(otherCred, call{method: "PUT", bucket: "theirs"})
	r := h.as(otherCred, call{method: "PUT", bucket: "theirs", key: "stolen", header: copyHeader("bkt", "src key+1")})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("copy of a private source by another account: %d %s", r.StatusCode, r.body)
	}
	// Once the source is public-read it may.
	h.ok(call{method: "PUT", bucket: "bkt", key: "src key+1", query: "acl", header: map[string]string{"x-oss-object-acl": "public-read"}}, http.StatusOK)
	r = h.as(otherCred, call{method: "PUT", bucket: "theirs", key: "copied", header: copyHeader("bkt", "src key+1")})
	if r.StatusCode != http.StatusOK {
		t.Errorf("copy of a public-read source by another account: %d %s", r.StatusCode, r.body)
	}
}

func TestCopyConditions(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	etag := h.put("bkt", "src", []byte("conditional")).Header.Get("ETag")
	modified, _ := http.ParseTime(h.ok(call{method: "HEAD", bucket: "bkt", key: "src"}, http.StatusOK).Header.Get("Last-Modified"))
	before, after := modified.Add(-time.Hour).Format(http.TimeFormat), modified.Add(time.Hour).Format(http.TimeFormat)
	const p = "x-oss-copy-source-"
	const copied, failed, notModified = "", ossxml.CodePreconditionFailed, ossxml.CodeNotModified
	for _, tc := range []struct {
		name string
		hdr  []string
		want string
	}{
		{"if-match holds", []string{p + "if-match", etag}, copied},
		{"if-match fails", []string{p + "if-match", `"0000"`}, failed},
		{"if-none-match holds", []string{p + "if-none-match", `"0000"`}, copied},
		{"if-none-match fails", []string{p + "if-none-match", etag}, notModified},
		{"if-modified-since holds", []string{p + "if-modified-since", before}, copied},
		{"if-modified-since fails", []string{p + "if-modified-since", after}, notModified},
		{"if-unmodified-since holds", []string{p + "if-unmodified-since", after}, copied},
		{"if-unmodified-since fails", []string{p + "if-unmodified-since", before}, failed},
		// If-Match decides over If-Unmodified-Since, If-None-Match over If-Modified-Since.
		{"match over unmodified", []string{p + "if-match", etag, p + "if-unmodified-since", before}, copied},
		{"none-match over modified", []string{p + "if-none-match", `"0000"`, p + "if-modified-since", after}, copied},
		{"match holds, none-match fails", []string{p + "if-match", etag, p + "if-none-match", etag}, notModified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			c := call{method: "PUT", bucket: "bkt", key: "dst-" + tc.name, header: copyHeader("bkt", "src", tc.hdr...)}
			if tc.want == copied {
				h.ok(c, http.StatusOK)
				return
			}
			r := h.do(c)
			if st, _ := ossxml.LookupCode(tc.want); r.StatusCode != st.Status {
				t.Fatalf("status %d, want %d (%s): %s", r.StatusCode, st.Status, tc.want, r.body)
			}
			if tc.want == notModified && len(r.body) != 0 {
				t.Errorf("304 with a body: %s", r.body)
			}
			h.fails(call{method: "GET", bucket: "bkt", key: "dst-" + tc.name}, ossxml.CodeNoSuchKey)
		})
	}
	h.t = t
	h.fails(call{method: "PUT", bucket: "bkt", key: "d", header: copyHeader("bkt", "src", p+"if-modified-since", "yesterday")}, ossxml.CodeInvalidArgument)
}

func TestUploadPartCopy(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	src := make([]byte, 700_000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	h.put("bkt", "src", src)
	var up ossxml.InitiateMultipartUploadResult
	h.xml(call{method: "POST", bucket: "bkt", key: "dst", query: "uploads"}, &up)
	q := func(n int) string { return fmt.Sprintf("partNumber=%d&uploadId=%s", n, up.UploadID) }
	ranges := [][2]int{{0, 299_999}, {300_000, 699_999}}
	var etags []string
	for i, rg := range ranges {
		hdr := copyHeader("bkt", "src", "x-oss-copy-source-range", fmt.Sprintf("bytes=%d-%d", rg[0], rg[1]))
		var res ossxml.CopyPartResult
		r := h.ok(call{method: "PUT", bucket: "bkt", key: "dst", query: q(i + 1), header: hdr}, http.StatusOK)
		if err := ossxml.Unmarshal(r.body, &res); err != nil {
			t.Fatal(err)
		}
		want := src[rg[0] : rg[1]+1]
		if sum := md5.Sum(want); res.ETag != quoteETag(fmt.Sprintf("%X", sum)) {
			t.Errorf("part %d ETag %s, want MD5 %X", i+1, res.ETag, sum)
		}
		if r.Header.Get("x-oss-hash-crc64ecma") != crc64.Format(crc64.Checksum(want)) {
			t.Errorf("part %d crc %s", i+1, r.Header.Get("x-oss-hash-crc64ecma"))
		}
		etags = append(etags, res.ETag)
	}
	body := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>", etags[0], etags[1])
	h.ok(call{method: "POST", bucket: "bkt", key: "dst", query: "uploadId=" + up.UploadID, body: []byte(body)}, http.StatusOK)
	if got := h.get("bkt", "dst"); !bytes.Equal(got, src) {
		t.Error("object completed from copied parts differs from the source")
	}

	// A part copied from a symlink is a range of the target.
	h.ok(call{method: "PUT", bucket: "bkt", key: "link", query: "symlink", header: map[string]string{"x-oss-symlink-target": "src"}}, http.StatusOK)
	h.xml(call{method: "POST", bucket: "bkt", key: "vialink", query: "uploads"}, &up)
	var viaLink ossxml.CopyPartResult
	h.xml(call{method: "PUT", bucket: "bkt", key: "vialink", query: q(1), header: copyHeader("bkt", "link", "x-oss-copy-source-range", "bytes=10-109")}, &viaLink)
	if sum := md5.Sum(src[10:110]); viaLink.ETag != quoteETag(fmt.Sprintf("%X", sum)) {
		t.Errorf("part copied through a link: ETag %s, want the MD5 of the target's bytes", viaLink.ETag)
	}
	h.ok(call{method: "PUT", bucket: "bkt", key: "dangling", query: "symlink", header: map[string]string{"x-oss-symlink-target": "nothing"}}, http.StatusOK)
	h.fails(call{method: "PUT", bucket: "bkt", key: "vialink", query: q(2), header: copyHeader("bkt", "dangling")}, ossxml.CodeSymlinkTargetNotExist)

	h.xml(call{method: "POST", bucket: "bkt", key: "d2", query: "uploads"}, &up)
	for _, tc := range []struct {
		rng, code string
	}{
		{"bytes=0-700000", ossxml.CodeInvalidArgument},
		{"bytes=5-4", ossxml.CodeInvalidArgument},
		{"bytes=-5", ossxml.CodeInvalidArgument},
		{"items=0-1", ossxml.CodeInvalidArgument},
	} {
		h.fails(call{method: "PUT", bucket: "bkt", key: "d2", query: q(1), header: copyHeader("bkt", "src", "x-oss-copy-source-range", tc.rng)}, tc.code)
	}
	e := h.fails(call{method: "PUT", bucket: "bkt", key: "d2", query: "partNumber=1&uploadId=NOPE", header: copyHeader("bkt", "src")}, ossxml.CodeNoSuchUpload)
	if e.EC != ossxml.ECNoSuchUploadCopy {
		t.Errorf("EC %s", e.EC)
	}
	h.fails(call{method: "PUT", bucket: "bkt", key: "d2", query: q(1), header: copyHeader("bkt", "gone")}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "PUT", bucket: "bkt", key: "d2", query: q(1), header: copyHeader("bkt", "src", "x-oss-copy-source-if-match", `"00"`)}, ossxml.CodePreconditionFailed)
}

func TestAppendObject(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	var all []byte
	pos := 0
	for i, chunk := range [][]byte{[]byte("first "), bytes.Repeat([]byte("x"), 200_000), []byte("last")} {
		r := h.ok(call{method: "POST", bucket: "bkt", key: "log", query: "append&position=" + strconv.Itoa(pos), body: chunk,
			header: map[string]string{"Content-Type": "text/log"}}, http.StatusOK)
		all = append(all, chunk...)
		pos += len(chunk)
		if r.Header.Get("x-oss-next-append-position") != strconv.Itoa(pos) {
			t.Errorf("append %d: next position %s, want %d", i, r.Header.Get("x-oss-next-append-position"), pos)
		}
		if r.Header.Get("x-oss-hash-crc64ecma") != crc64.Format(crc64.Checksum(all)) {
			t.Errorf("append %d: crc %s is not the whole object's", i, r.Header.Get("x-oss-hash-crc64ecma"))
		}
	}
	got := h.ok(call{method: "GET", bucket: "bkt", key: "log"}, http.StatusOK)
	if !bytes.Equal(got.body, all) || got.Header.Get("x-oss-object-type") != "Appendable" || got.Header.Get("Content-Type") != "text/log" ||
		got.Header.Get("x-oss-next-append-position") != strconv.Itoa(pos) {
		t.Errorf("appended object: %d bytes, headers %v", len(got.body), got.Header)
	}
	r := h.do(call{method: "POST", bucket: "bkt", key: "log", query: "append&position=3", body: []byte("x")})
	if r.StatusCode != http.StatusConflict || r.Header.Get("x-oss-next-append-position") != strconv.Itoa(pos) {
		t.Errorf("wrong position: %d, next %s", r.StatusCode, r.Header.Get("x-oss-next-append-position"))
	}
	h.fails(call{method: "POST", bucket: "bkt", key: "log", query: "append&position=3", body: []byte("x")}, ossxml.CodePositionNotEqualToLength)
	h.put("bkt", "normal", []byte("n"))
	h.fails(call{method: "POST", bucket: "bkt", key: "normal", query: "append&position=1", body: []byte("x")}, ossxml.CodeObjectNotAppendable)
	h.fails(call{method: "POST", bucket: "bkt", key: "log", query: "append&position=-1", body: []byte("x")}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "POST", bucket: "bkt", key: "log", query: "append", body: []byte("x")}, ossxml.CodeInvalidArgument)
	if got := h.get("bkt", "log"); !bytes.Equal(got, all) {
		t.Error("a refused append changed the object")
	}
}

func TestSymlink(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.ok(call{method: "PUT", bucket: "bkt", key: "dir/target file+", body: []byte("target data"), header: map[string]string{"Content-Type": "text/plain"}}, http.StatusOK)
	target := escapeTarget("dir/target file+")
	h.ok(call{method: "PUT", bucket: "bkt", key: "link", query: "symlink", header: map[string]string{
		"x-oss-symlink-target": target, "Content-Type": "application/x-link", "x-oss-meta-m": "v"}}, http.StatusOK)
	r := h.ok(call{method: "GET", bucket: "bkt", key: "link", query: "symlink"}, http.StatusOK)
	if got, _ := url.QueryUnescape(r.Header.Get("x-oss-symlink-target")); got != "dir/target file+" || r.Header.Get("x-oss-meta-m") != "v" {
		t.Errorf("GetSymlink target %q, headers %v", r.Header.Get("x-oss-symlink-target"), r.Header)
	}
	got := h.ok(call{method: "GET", bucket: "bkt", key: "link"}, http.StatusOK)
	if string(got.body) != "target data" || got.Header.Get("x-oss-object-type") != "Symlink" || got.Header.Get("x-oss-meta-m") != "v" {
		t.Errorf("GET through the link: %q %v", got.body, got.Header)
	}
	head := h.ok(call{method: "HEAD", bucket: "bkt", key: "link"}, http.StatusOK)
	if head.Header.Get("Content-Length") != "11" || head.Header.Get("x-oss-object-type") != "Symlink" {
		t.Errorf("HEAD through the link: %v", head.Header)
	}
	rg := h.ok(call{method: "GET", bucket: "bkt", key: "link", header: map[string]string{"Range": "bytes=7-10"}}, http.StatusPartialContent)
	if string(rg.body) != "data" {
		t.Errorf("ranged GET through the link: %q", rg.body)
	}
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "bkt"}, &list)
	for _, o := range list.Contents {
		if o.Key == "link" && o.Type != "Symlink" || o.Key != "link" && o.Type != "Normal" {
			t.Errorf("listed %s as %s", o.Key, o.Type)
		}
	}

	h.ok(call{method: "PUT", bucket: "bkt", key: "dangling", query: "symlink", header: map[string]string{"x-oss-symlink-target": "missing"}}, http.StatusOK)
	h.fails(call{method: "GET", bucket: "bkt", key: "dangling"}, ossxml.CodeSymlinkTargetNotExist)
	h.fails(call{method: "HEAD", bucket: "bkt", key: "dangling"}, ossxml.CodeSymlinkTargetNotExist)
	h.ok(call{method: "PUT", bucket: "bkt", key: "chain", query: "symlink", header: map[string]string{"x-oss-symlink-target": "link"}}, http.StatusOK)
	h.fails(call{method: "GET", bucket: "bkt", key: "chain"}, ossxml.CodeInvalidTargetType)
	h.fails(call{method: "GET", bucket: "bkt", key: "dir/target file+", query: "symlink"}, ossxml.CodeNotSymlink)
	h.fails(call{method: "PUT", bucket: "bkt", key: "l2", query: "symlink"}, ossxml.CodeMissingArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "l2", query: "symlink", header: map[string]string{"x-oss-symlink-target": "%2F..%2Fetc"}}, ossxml.CodeInvalidObjectName)
	h.fails(call{method: "PUT", bucket: "bkt", key: "link", query: "symlink", header: map[string]string{"x-oss-symlink-target": "x", "x-oss-forbid-overwrite": "true"}}, ossxml.CodeFileAlreadyExists)
	// Deleting the link leaves the target.
	h.ok(call{method: "DELETE", bucket: "bkt", key: "link"}, http.StatusNoContent)
	if string(h.get("bkt", "dir/target file+")) != "target data" {
		t.Error("deleting the link touched the target")
	}
}

func TestObjectTagging(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"x-oss-tagging": "b=2&a=%20one"}}, http.StatusOK)
	var tags ossxml.Tagging
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "tagging"}, &tags)
	want := []ossxml.Tag{{Key: "a", Value: " one"}, {Key: "b", Value: "2"}}
	if fmt.Sprint(tags.TagSet.Tags) != fmt.Sprint(want) {
		t.Errorf("tags %+v, want %+v", tags.TagSet.Tags, want)
	}
	before := h.ok(call{method: "HEAD", bucket: "bkt", key: "k"}, http.StatusOK).Header
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: []byte("<Tagging><TagSet><Tag><Key>c</Key><Value>3</Value></Tag></TagSet></Tagging>")}, http.StatusOK)
	after := h.ok(call{method: "HEAD", bucket: "bkt", key: "k"}, http.StatusOK).Header
	if after.Get("x-oss-tagging-count") != "1" || after.Get("Last-Modified") != before.Get("Last-Modified") || after.Get("ETag") != before.Get("ETag") {
		t.Errorf("after PutObjectTagging: %v (before %v)", after, before)
	}
	h.ok(call{method: "DELETE", bucket: "bkt", key: "k", query: "tagging"}, http.StatusNoContent)
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "tagging"}, &tags)
	if len(tags.TagSet.Tags) != 0 {
		t.Errorf("tags after delete: %+v", tags.TagSet.Tags)
	}
	tagXML := func(n int, key, value string) []byte {
		var b bytes.Buffer
		b.WriteString("<Tagging><TagSet>")
		for i := range n {
			fmt.Fprintf(&b, "<Tag><Key>%s%d</Key><Value>%s</Value></Tag>", key, i, value)
		}
		b.WriteString("</TagSet></Tagging>")
		return b.Bytes()
	}
	long := func(n int) string { return string(bytes.Repeat([]byte("é"), n)) }
	for _, tc := range []struct {
		name string
		body []byte
		code string
	}{
		{"11 tags", tagXML(11, "k", "v"), ossxml.CodeInvalidTag},
		{"key of 129", tagXML(1, long(128), "v"), ossxml.CodeInvalidTag},
		{"value of 257", tagXML(1, "k", long(257)), ossxml.CodeInvalidTag},
		{"repeated key", []byte("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>"), ossxml.CodeInvalidTag},
		{"malformed", []byte("<Tagging><TagSet>"), ossxml.CodeMalformedXML},
	} {
		h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: tc.body}, tc.code)
	}
	// The limits hold exactly: 10 tags, keys of 128 and values of 256 characters.
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: tagXML(10, long(125), long(256))}, http.StatusOK)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k2", body: []byte("x"), header: map[string]string{"x-oss-tagging": "a=1&a=2"}}, ossxml.CodeInvalidTag)
	h.fails(call{method: "PUT", bucket: "bkt", key: "nope", query: "tagging", body: tagXML(1, "k", "v")}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "GET", bucket: "bkt", key: "k2"}, ossxml.CodeNoSuchKey)
}
