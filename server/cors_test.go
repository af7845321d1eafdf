package server

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

func corsBody(vary string, rules ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration>` + strings.Join(rules, "") + vary + `</CORSConfiguration>`)
}

// corsTestRules: an exact origin that may PUT and POST any x-oss-* header,
// then a wildcard origin limited to GET.
var corsTestRules = []string{
	`<CORSRule><AllowedOrigin>http://app.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod>` +
		`<AllowedHeader>X-OSS-*</AllowedHeader><AllowedHeader>content-type</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-oss-request-id</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>`,
	`<CORSRule><AllowedOrigin>https://*.example.org</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>`,
}

func (h *harness) putCors(bucket string, body []byte) {
	h.t.Helper()
	h.ok(call{method: "PUT", bucket: bucket, query: "cors", body: body, md5: true}, http.StatusOK)
}

func TestBucketCors(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	e := h.fails(call{method: "GET", bucket: "bkt", query: "cors"}, ossxml.CodeNoSuchCORSConfig)
	if e.BucketName != "bkt" {
		t.Errorf("NoSuchCORSConfiguration names bucket %q", e.BucketName)
	}
	h.putCors("bkt", corsBody("<ResponseVary>true</ResponseVary>", corsTestRules...))
	var got ossxml.CORSConfiguration
	h.xml(call{method: "GET", bucket: "bkt", query: "cors"}, &got)
	want := ossxml.CORSConfiguration{ResponseVary: "true", Rules: []ossxml.CORSRule{
		{AllowedOrigins: []string{"http://app.example"}, AllowedMethods: []string{"PUT", "POST", "GET"}, AllowedHeaders: []string{"x-oss-*", "content-type"}, ExposeHeaders: []string{"ETag", "x-oss-request-id"}, MaxAgeSeconds: "600"},
		{AllowedOrigins: []string{"https://*.example.org"}, AllowedMethods: []string{"GET"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetBucketCors = %+v, want %+v", got, want)
	}

	// Put replaces.
	h.putCors("bkt", corsBody("", corsTestRules[1]))
	h.xml(call{method: "GET", bucket: "bkt", query: "cors"}, &got)
	if len(got.Rules) != 1 || got.ResponseVary != "false" {
		t.Errorf("GetBucketCors after replace = %+v", got)
	}

	// Only the owner reads and changes the rules.
	h.fails(call{method: "GET", bucket: "bkt", query: "cors", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "PUT", bucket: "bkt", query: "cors", anon: true, body: corsBody("", corsTestRules...)}, ossxml.CodeAccessDenied)
	h.fails(call{method: "DELETE", bucket: "bkt", query: "cors", anon: true}, ossxml.CodeAccessDenied)

	for range 2 {
		h.ok(call{method: "DELETE", bucket: "bkt", query: "cors"}, http.StatusNoContent)
		h.fails(call{method: "GET", bucket: "bkt", query: "cors"}, ossxml.CodeNoSuchCORSConfig)
	}
	h.fails(call{method: "GET", bucket: "nobkt", query: "cors"}, ossxml.CodeNoSuchBucket)
}

func TestBucketCorsInvalid(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	rule := func(inner string) string { return "<CORSRule>" + inner + "</CORSRule>" }
	ok := "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
	tests := []struct {
		name string
		body []byte
		code string
	}{
		{"empty", nil, ossxml.CodeMalformedXML},
		{"not xml", []byte("<CORSConfiguration><CORSRule>"), ossxml.CodeMalformedXML},
		{"no rule", corsBody(""), ossxml.CodeMalformedXML},
		{"eleven rules", corsBody("", strings.Split(strings.Repeat(rule(ok)+"|", 11), "|")...), ossxml.CodeInvalidArgument},
		{"no origin", corsBody("", rule("<AllowedMethod>GET</AllowedMethod>")), ossxml.CodeMalformedXML},
		{"no method", corsBody("", rule("<AllowedOrigin>*</AllowedOrigin>")), ossxml.CodeMalformedXML},
		{"bad method", corsBody("", rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>")), ossxml.CodeInvalidArgument},
		{"two stars in origin", corsBody("", rule("<AllowedOrigin>http://*.a.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")), ossxml.CodeInvalidArgument},
		{"two stars in header", corsBody("", rule(ok+"<AllowedHeader>*-*</AllowedHeader>")), ossxml.CodeInvalidArgument},
		{"star in expose", corsBody("", rule(ok+"<ExposeHeader>x-oss-*</ExposeHeader>")), ossxml.CodeInvalidArgument},
		{"negative max age", corsBody("", rule(ok+"<MaxAgeSeconds>-1</MaxAgeSeconds>")), ossxml.CodeInvalidArgument},
		{"max age not a number", corsBody("", rule(ok+"<MaxAgeSeconds>soon</MaxAgeSeconds>")), ossxml.CodeInvalidArgument},
		{"bad vary", corsBody("<ResponseVary>yes</ResponseVary>", rule(ok)), ossxml.CodeInvalidArgument},
		{"too large", corsBody("", rule(ok+strings.Repeat("<ExposeHeader>x-oss-meta-padding</ExposeHeader>", 2000))), ossxml.CodeMalformedXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			h.fails(call{method: "PUT", bucket: "bkt", query: "cors", body: tt.body}, tt.code)
			h.fails(call{method: "GET", bucket: "bkt", query: "cors"}, ossxml.CodeNoSuchCORSConfig)
		})
	}
}

// preflight sends an unsigned OPTIONS with the given CORS request headers.
func (h *harness) preflight(bucket, key, query, origin, method, headers string) response {
	h.t.Helper()
	hdr := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if headers != "" {
		hdr["Access-Control-Request-Headers"] = headers
	}
	return h.do(call{method: http.MethodOptions, bucket: bucket, key: key, query: query, header: hdr, anon: true})
}

func TestCorsPreflight(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")

	// Without rules every preflight is refused, and a missing bucket is
	// reported as such.
	h.fails(call{method: http.MethodOptions, bucket: "bkt", key: "k", anon: true, header: map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT"}}, ossxml.CodeAccessForbidden)
	h.fails(call{method: http.MethodOptions, bucket: "nobkt", anon: true, header: map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT"}}, ossxml.CodeNoSuchBucket)

	h.putCors("bkt", corsBody("<ResponseVary>true</ResponseVary>", corsTestRules...))
	tests := []struct {
		name, key, query, origin, method, headers string
		allowOrigin                               string // empty: refused
		allowMethods                              string
	}{
		{"object put", "dir/k", "", "http://app.example", "PUT", "Content-Type, X-Oss-Meta-A, x-oss-date", "http://app.example", "PUT, POST, GET"},
		{"bucket post", "", "", "http://app.example", "POST", "", "http://app.example", "PUT, POST, GET"},
		{"with a sub-resource", "k", "uploads", "http://app.example", "POST", "", "http://app.example", "PUT, POST, GET"},
		{"header not allowed", "k", "", "http://app.example", "PUT", "authorization", "", ""},
		{"method not allowed", "k", "", "http://app.example", "DELETE", "", "", ""},
		{"other origin", "k", "", "http://evil.example", "GET", "", "", ""},
		{"origin is case-sensitive", "k", "", "HTTP://APP.EXAMPLE", "GET", "", "", ""},
		{"second rule by wildcard", "k", "", "https://cdn.example.org", "GET", "", "https://cdn.example.org", "GET"},
		{"wildcard needs its suffix", "k", "", "https://cdn.example.org.evil", "GET", "", "", ""},
		{"second rule headers", "k", "", "https://cdn.example.org", "GET", "x-oss-date", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			r := h.preflight("bkt", tt.key, tt.query, tt.origin, tt.method, tt.headers)
			if r.Header.Get("Vary") != "Origin" {
				t.Errorf("Vary = %q, want Origin", r.Header.Get("Vary"))
			}
			if tt.allowOrigin == "" {
				var e ossxml.Error
				if r.StatusCode != http.StatusForbidden || ossxml.Unmarshal(r.body, &e) != nil || e.Code != ossxml.CodeAccessForbidden || !strings.HasPrefix(e.Message, "CORSResponse: ") {
					t.Fatalf("status %d, body %s; want 403 AccessForbidden", r.StatusCode, r.body)
				}
				if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
					t.Errorf("refused preflight allows origin %q", v)
				}
				return
			}
			if r.StatusCode != http.StatusOK || len(r.body) != 0 {
				t.Fatalf("status %d, body %s; want 200", r.StatusCode, r.body)
			}
			got := map[string]string{}
			for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age"} {
				got[k] = r.Header.Get(k)
			}
			want := map[string]string{
				"Access-Control-Allow-Origin":  tt.allowOrigin,
				"Access-Control-Allow-Methods": tt.allowMethods,
				"Access-Control-Allow-Headers": tt.headers,
			}
			if tt.allowMethods == "GET" { // the second rule
				want["Access-Control-Expose-Headers"], want["Access-Control-Max-Age"] = "", ""
			} else {
				want["Access-Control-Expose-Headers"], want["Access-Control-Max-Age"] = "ETag, x-oss-request-id", "600"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("headers %v, want %v", got, want)
			}
		})
	}

	// A preflight without its two headers is refused.
	h.t = t
	h.fails(call{method: http.MethodOptions, bucket: "bkt", key: "k", anon: true, header: map[string]string{"Origin": "http://app.example"}}, ossxml.CodeAccessForbidden)
	h.fails(call{method: http.MethodOptions, bucket: "bkt", key: "k", anon: true}, ossxml.CodeAccessForbidden)

	// Deleting the rules takes effect on the next request.
	h.ok(call{method: "DELETE", bucket: "bkt", query: "cors"}, http.StatusNoContent)
	if r := h.preflight("bkt", "k", "", "http://app.example", "PUT", ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("preflight after DeleteBucketCors: status %d", r.StatusCode)
	}
}

func TestCorsActualRequests(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.put("bkt", "k", []byte("hello"))
	origin := map[string]string{"Origin": "http://app.example"}

	// No rules: no CORS headers.
	r := h.ok(call{method: "GET", bucket: "bkt", key: "k", header: origin}, http.StatusOK)
	if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" || r.Header.Get("Vary") != "" {
		t.Errorf("without rules: Allow-Origin %q, Vary %q", v, r.Header.Get("Vary"))
	}

	h.putCors("bkt", corsBody("<ResponseVary>true</ResponseVary>", corsTestRules...))
	r = h.ok(call{method: "GET", bucket: "bkt", key: "k", header: origin}, http.StatusOK)
	if string(r.body) != "hello" || r.Header.Get("Access-Control-Allow-Origin") != "http://app.example" ||
		r.Header.Get("Access-Control-Expose-Headers") != "ETag, x-oss-request-id" || r.Header.Get("Vary") != "Origin" {
		t.Errorf("GET with Origin: %q, headers %v", r.body, r.Header)
	}
	// Errors carry them too, so that the page can read the error.
	h.t = t
	h.fails(call{method: "GET", bucket: "bkt", key: "missing", header: origin}, ossxml.CodeNoSuchKey)
	r = h.do(call{method: "GET", bucket: "bkt", key: "missing", header: origin, anon: true})
	if r.StatusCode != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "http://app.example" {
		t.Errorf("anonymous GET with Origin: %d, Allow-Origin %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	// An origin or method no rule allows gets Vary alone.
	r = h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"Origin": "http://evil.example"}}, http.StatusOK)
	if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" || r.Header.Get("Vary") != "Origin" {
		t.Errorf("other origin: Allow-Origin %q, Vary %q", v, r.Header.Get("Vary"))
	}
	r = h.ok(call{method: "DELETE", bucket: "bkt", key: "k", header: origin}, http.StatusNoContent)
	if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("DELETE, which no rule allows: Allow-Origin %q", v)
	}
	// Without Origin, nothing.
	r = h.ok(call{method: "GET", bucket: "bkt", query: "cors"}, http.StatusOK)
	if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("request without Origin: Allow-Origin %q", v)
	}
}
