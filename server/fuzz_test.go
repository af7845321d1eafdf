package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// FuzzRoute: whatever the method, level, query and selecting header, the
// router either names an operation that takes every sub-resource the
// request names, or refuses with NotImplemented or MethodNotAllowed.
func FuzzRoute(f *testing.F) {
	f.Add("GET", uint8(1), "prefix=a&delimiter=%2F", "")
	f.Add("DELETE", uint8(1), "publicAccessBlock", "")
	f.Add("PUT", uint8(2), "partNumber=1&uploadId=abc", "/b/src")
	f.Add("PUT", uint8(2), "retention&legalHold", "")
	f.Add("POST", uint8(2), "uploads&sequential&x-oss-process=a", "")
	f.Add("HEAD", uint8(2), "objectMeta=1&OSSAccessKeyId=a&Signature=b", "")
	f.Fuzz(func(t *testing.T, method string, lvl uint8, query, copySource string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Skip()
		}
		h := http.Header{}
		if copySource != "" {
			h.Set("x-oss-copy-source", copySource)
		}
		op, err := route(method, level(lvl%3), q, h)
		if op == nil {
			e, ok := err.(*apiError)
			if !ok || (e.body.Code != ossxml.CodeNotImplemented && e.body.Code != ossxml.CodeMethodNotAllowed) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if op.method != method || op.level != level(lvl%3) {
			t.Fatalf("%s at %d routed to %s", method, lvl%3, op.name)
		}
		if op.header == "" && h.Get("x-oss-copy-source") != "" {
			t.Fatalf("copy request routed to %s", op.name)
		}
		for _, s := range selectors(q) {
			if !slices.Contains(op.sub, s) && !slices.Contains(op.optional, s) {
				t.Fatalf("?%s routed to %s", s, op.name)
			}
		}
	})
}

// FuzzParseRange checks the Range parser's result against the object size:
// a partial range lies inside the object, a whole answer covers it all.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=5-", "bytes=9-0", "bytes=0-1,4-5", "bytes=-0", "bytes= 1 - 2 ", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10), false)
		f.Add(s, int64(0), true)
	}
	f.Fuzz(func(t *testing.T, header string, size int64, standard bool) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			t.Skip()
		}
		rng, err := parseRange(header, size, standard)
		if err != nil {
			if e, ok := err.(*apiError); !ok || e.body.Code != ossxml.CodeInvalidRange || !standard {
				t.Fatalf("%q: %v", header, err)
			}
			return
		}
		if !rng.partial {
			if rng.start != 0 || rng.length != size {
				t.Fatalf("%q on %d: whole answer %+v", header, size, rng)
			}
			return
		}
		if rng.start < 0 || rng.length <= 0 || rng.start+rng.length > size {
			t.Fatalf("%q on %d: range %+v outside the object", header, size, rng)
		}
	})
}

// FuzzNames: a bucket name the validator accepts is 3-63 of [a-z0-9-]; a
// key it accepts is valid UTF-8 within 1023 bytes and not rooted.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"bkt", "a-b", "-ab", "ab-", "AB", "../../etc/passwd", "/abs", `\win`, "a\x00b", strings.Repeat("k", 1024), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if validBucketName(name) {
			if len(name) < 3 || len(name) > 63 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || name[0] == '-' || name[len(name)-1] == '-' {
				t.Fatalf("bucket name %q accepted", name)
			}
		}
		if validKey(name) == nil {
			if !utf8.ValidString(name) || len(name) > MaxKeyLength || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) {
				t.Fatalf("key %q accepted", name)
			}
		}
	})
}

// FuzzRequest sends arbitrary requests, signed by the owner, with
// arbitrary XML bodies, through the whole handler: it never panics, never
// answers InternalError, and every error is a well-formed OSS error.
// Requests the router refuses leave the store unchanged.
func FuzzRequest(f *testing.F) {
	seeds := []struct{ method, target, body string }{
		{"POST", "/bkt/?delete", "<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object></Delete>"},
		{"POST", "/bkt/?delete", "<Delete>" + strings.Repeat("<Object><Key>x</Key></Object>", 3) + "</Delete>"},
		{"POST", "/bkt/up?uploadId=x", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part></CompleteMultipartUpload>"},
		{"PUT", "/new-bkt", "<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>"},
		{"PUT", "/bkt/?lifecycle", "<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>1</Days></AbortMultipartUpload></Rule></LifecycleConfiguration>"},
		{"PUT", "/bkt/k?acl", ""},
		{"DELETE", "/bkt/?cors", ""},
		{"PUT", "/bkt/?cors", "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"},
		{"OPTIONS", "/bkt/k", ""},
		{"POST", "/bkt", "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--B--\r\n"},
		{"GET", "/bkt/k?x-oss-process=a", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, []byte(s.body))
	}
	h := newHarness(f, func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) })
	if _, err := h.srv.store.CreateBucket(context.Background(), store.Bucket{Name: "bkt"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		if !validMethod(method) || !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") || len(body) > 1<<16 {
			t.Skip()
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Skip()
		}
		path := strings.TrimPrefix(u.Path, "/")
		bucket, key, _ := strings.Cut(path, "/")
		r := httptest.NewRequest(method, "http://127.0.0.1"+target, bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if err := h.signer.Sign(r, sign.Resource{Bucket: bucket, Key: key}, h.cred, h.srv.cfg.Now()); err != nil {
			t.Skip()
		}
		q, _ := url.ParseQuery(u.RawQuery)
		lvl := levelService
		if bucket != "" {
			lvl = levelBucket
			if key != "" {
				lvl = levelObject
			}
		}
		op, _ := route(method, lvl, q, r.Header)
		var before string
		if op == nil {
			before = snapshot(t, h.srv.store)
		}
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, r)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body.Bytes())
		}
		if w.Code >= 400 && method != http.MethodHead {
			var e ossxml.Error
			if err := ossxml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" {
				t.Fatalf("%s %s: error body %q: %v", method, target, w.Body.Bytes(), err)
			}
		}
		if op == nil {
			if after := snapshot(t, h.srv.store); after != before {
				t.Fatalf("%s %s was refused yet changed the store", method, target)
			}
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH":
		return true
	}
	return false
}
