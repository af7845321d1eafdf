package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

func TestRefererMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, ref string
		want         bool
	}{
		{"http://www.example.com", "http://www.example.com/a/b.html", true},
		{"http://www.example.com", "http://www.example.com.cn/", true}, // a prefix
		{"http://www.example.com", "https://www.example.com/", false},
		{"*www.example.com/", "https://www.example.com/x", true},
		{"http://*.example.com", "http://help.example.com/", true},
		{"http://*.example.com", "http://example.org/", false},
		{"https://www.?.example.com", "https://www.a.example.com/", true},
		{"https://www.?.example.com", "https://www.ab.example.com/", false},
		{"https://?.example.com", "https://é.example.com/", true}, // one character, two bytes
		{"https://??.example.com", "https://é.example.com/", false},
		{"https://*?.example.com", "https://日本.example.com/", true},
		{"HTTP://WWW.EXAMPLE.COM", "http://www.example.com/", true},
		{"*", "anything", true},
		{strings.Repeat("*a", 40), strings.Repeat("a", 5000) + "b", true},
		{strings.Repeat("*a", 40) + "c", strings.Repeat("a", 5000) + "b", false},
	} {
		if got := refererMatch(tc.pattern, tc.ref); got != tc.want {
			t.Errorf("refererMatch(%q, %q) = %v", tc.pattern, tc.ref, got)
		}
	}
}

func refererBody(allowEmpty, truncQuery, truncPath string, allow, deny []string) []byte {
	var b strings.Builder
	b.WriteString("<RefererConfiguration><AllowEmptyReferer>" + allowEmpty + "</AllowEmptyReferer>")
	if truncQuery != "" {
		b.WriteString("<AllowTruncateQueryString>" + truncQuery + "</AllowTruncateQueryString>")
	}
	if truncPath != "" {
		b.WriteString("<TruncatePath>" + truncPath + "</TruncatePath>")
	}
	b.WriteString("<RefererList>")
	for _, r := range allow {
		b.WriteString("<Referer>" + r + "</Referer>")
	}
	b.WriteString("</RefererList><RefererBlacklist>")
	for _, r := range deny {
		b.WriteString("<Referer>" + r + "</Referer>")
	}
	b.WriteString("</RefererBlacklist></RefererConfiguration>")
	return []byte(b.String())
}

// TestBucketReferer sets hotlink protection and checks who it stops:
// anonymous and presigned requests for objects with a Referer that is
// blacklisted, not whitelisted, or empty when that is refused; never a
// request with an Authorization header.
func TestBucketReferer(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "hot", header: map[string]string{"x-oss-acl": "public-read"}}, http.StatusOK)
	h.put("hot", "pic.png", []byte("picture"))
	var conf ossxml.RefererConfiguration
	h.xml(call{method: "GET", bucket: "hot", query: "referer"}, &conf)
	if conf.AllowEmptyReferer != "true" || len(conf.RefererList) != 0 {
		t.Errorf("default configuration %+v", conf)
	}
	h.ok(call{method: "PUT", bucket: "hot", query: "referer", body: refererBody("false", "", "", []string{"https://good.example.com", "http://*.friends.org"}, []string{"https://good.example.com/bad"})}, http.StatusOK)
	h.xml(call{method: "GET", bucket: "hot", query: "referer"}, &conf)
	if conf.AllowEmptyReferer != "false" || len(conf.RefererList) != 2 || len(conf.RefererBlacklist) != 1 || conf.AllowTruncateQueryString != "true" {
		t.Errorf("configuration read back %+v", conf)
	}
	anon := func(ref string) int {
		c := call{method: "GET", bucket: "hot", key: "pic.png", anon: true}
		if ref != "" {
			c.header = map[string]string{"Referer": ref}
		}
		return h.do(c).StatusCode
	}
	for ref, want := range map[string]int{
		"https://good.example.com/page.html": http.StatusOK,
		"https://good.example.com/page?x=1":  http.StatusOK,
		"http://a.friends.org/":              http.StatusOK,
		"https://evil.example.net/":          http.StatusForbidden,
		"https://good.example.com/bad/page":  http.StatusForbidden, // blacklisted
		"":                                   http.StatusForbidden, // empty refused
		"https://evil.example.net/?https://good.example.com": http.StatusForbidden,
	} {
		if got := anon(ref); got != want {
			t.Errorf("anonymous GET with Referer %q: %d, want %d", ref, got, want)
		}
	}
	e := h.fails(call{method: "GET", bucket: "hot", key: "pic.png", anon: true, header: map[string]string{"Referer": "https://evil.example.net/"}}, ossxml.CodeAccessDenied)
	if e.EC != ossxml.ECRefererDenied || !strings.Contains(e.Message, "referer") {
		t.Errorf("denial %+v", e)
	}
	// A request signed in its header is not checked; a presigned one is.
	h.ok(call{method: "GET", bucket: "hot", key: "pic.png", header: map[string]string{"Referer": "https://evil.example.net/"}}, http.StatusOK)
	if r := h.do(call{method: "GET", bucket: "hot", key: "pic.png", presign: true, header: map[string]string{"Referer": "https://evil.example.net/"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("presigned GET from a refused Referer: %d", r.StatusCode)
	}
	if r := h.do(call{method: "GET", bucket: "hot", key: "pic.png", presign: true, version: sign.V1, header: map[string]string{"Referer": "https://good.example.com/"}}); r.StatusCode != http.StatusOK {
		t.Errorf("presigned GET from an allowed Referer: %d", r.StatusCode)
	}

	// TruncatePath matches scheme and host only: a whitelisted path
	// cannot match any more.
	h.ok(call{method: "PUT", bucket: "hot", query: "referer", body: refererBody("true", "true", "true", []string{"https://site.example.com", "https://other.example.com/only/"}, nil)}, http.StatusOK)
	for ref, want := range map[string]int{
		"https://site.example.com/any/path?q=1": http.StatusOK,
		"https://other.example.com/only/x":      http.StatusForbidden,
		"https://elsewhere.example.com/":        http.StatusForbidden,
	} {
		if got := anon(ref); got != want {
			t.Errorf("path truncated, Referer %q: %d, want %d", ref, got, want)
		}
	}
	if got := anon(""); got != http.StatusOK {
		t.Errorf("an empty Referer, allowed: %d", got)
	}

	for name, body := range map[string][]byte{
		"no AllowEmptyReferer":         []byte("<RefererConfiguration><RefererList/></RefererConfiguration>"),
		"AllowEmptyReferer not a bool": refererBody("maybe", "", "", nil, nil),
		"TruncatePath without query":   refererBody("true", "false", "true", nil, nil),
		"empty Referer":                refererBody("true", "", "", []string{" "}, nil),
	} {
		t.Log(name)
		if r := h.do(call{method: "PUT", bucket: "hot", query: "referer", body: body}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	if r := h.as(otherCred, call{method: "PUT", bucket: "hot", query: "referer", body: refererBody("true", "", "", nil, nil)}); r.StatusCode != http.StatusForbidden {
		t.Errorf("another account's PutBucketReferer: %d", r.StatusCode)
	}
}
