package server

import (
	"net/http"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// TestPolicyAllowAnonymousPrefix: an Allow for "*" opens one prefix of a
// private bucket to anonymous reads, and nothing else.
func TestPolicyAllowAnonymousPrefix(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("shut")
	h.put("shut", "pub/a", []byte("shared"))
	h.put("shut", "priv/a", []byte("mine"))
	h.fails(call{method: "GET", bucket: "shut", key: "pub/a", anon: true}, ossxml.CodeAccessDenied)
	h.putPolicy("shut", policyDoc(`{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:shut/pub/*"]}`))
	if r := h.ok(call{method: "GET", bucket: "shut", key: "pub/a", anon: true}, 200); string(r.body) != "shared" {
		t.Errorf("anonymous read of pub/a: %q", r.body)
	}
	h.ok(call{method: "GET", bucket: "shut", key: "pub/a"}, 200)
	if r := h.as(otherCred, call{method: "GET", bucket: "shut", key: "pub/a"}); r.StatusCode != 200 {
		t.Errorf("other account read of pub/a: %d", r.StatusCode)
	}
	for _, c := range []call{
		{method: "GET", bucket: "shut", key: "priv/a", anon: true},
		{method: "PUT", bucket: "shut", key: "pub/b", body: []byte("x"), anon: true},
		{method: "DELETE", bucket: "shut", key: "pub/a", anon: true},
		{method: "GET", bucket: "shut", key: "pub/a", query: "tagging", anon: true},
		{method: "GET", bucket: "shut", anon: true},
	} {
		h.fails(c, ossxml.CodeAccessDenied)
	}
}

// TestPolicyAllowAccount grants one account what the ACL refuses it.
func TestPolicyAllowAccount(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("shared")
	h.put("shared", "k", []byte("v"))
	h.putPolicy("shared", policyDoc(`{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["someone-else"],"Resource":["acs:oss:*:*:shared/*"]}`))
	if r := h.as(otherCred, call{method: "GET", bucket: "shared", key: "k"}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("an Allow for another account: %d", r.StatusCode)
	}
	h.putPolicy("shared", policyDoc(`{"Effect":"Allow","Action":["oss:GetObject","oss:PutObject","oss:ListObjects"],"Principal":["`+otherCred.Account+`"],"Resource":["acs:oss:*:*:shared","acs:oss:*:*:shared/*"]}`))
	for _, c := range []call{
		{method: "GET", bucket: "shared", key: "k"},
		{method: "PUT", bucket: "shared", key: "from-other", body: []byte("hello")},
		{method: "GET", bucket: "shared"},
	} {
		if r := h.as(otherCred, c); r.StatusCode != 200 {
			t.Errorf("other account %s %s: %d %s", c.method, c.key, r.StatusCode, r.body)
		}
	}
	if r := h.as(otherCred, call{method: "DELETE", bucket: "shared", key: "k"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("other account delete, not allowed: %d", r.StatusCode)
	}
	h.fails(call{method: "GET", bucket: "shared", key: "k", anon: true}, ossxml.CodeAccessDenied)
	if got := h.get("shared", "from-other"); string(got) != "hello" {
		t.Errorf("object put by the other account reads %q", got)
	}
}

// TestPolicyConditions: source address, transport, User-Agent, Referer
// and listing prefix; a "*" statement with a condition reaches the owner
// too, who can still remove the policy.
func TestPolicyConditions(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "cond", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("cond", "dir/k", []byte("v"))
	deny := func(cond string) {
		t.Helper()
		h.putPolicy("cond", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:cond/*"],"Condition":`+cond+`}`))
	}
	get := call{method: "GET", bucket: "cond", key: "dir/k"}
	anon := call{method: "GET", bucket: "cond", key: "dir/k", anon: true}

	deny(`{"IpAddress":{"acs:SourceIp":["127.0.0.0/8"]}}`) // the test's loopback
	h.denied(anon, "anonymous")
	h.denied(get, "other")
	h.denied(get, "owner")
	h.ok(call{method: "DELETE", bucket: "cond", query: "policy"}, http.StatusNoContent)
	h.ok(get, 200)

	deny(`{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`)
	h.ok(anon, 200)
	deny(`{"NotIpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.1"]}}`)
	h.denied(anon, "anonymous")

	deny(`{"Bool":{"acs:SecureTransport":"false"}}`) // plain HTTP here
	h.denied(anon, "anonymous")
	deny(`{"Bool":{"acs:SecureTransport":true}}`)
	h.ok(anon, 200)

	deny(`{"StringLike":{"acs:UserAgent":"curl/*"}}`)
	h.ok(anon, 200)
	anon.header = map[string]string{"User-Agent": "curl/8.0"}
	h.denied(anon, "anonymous")

	deny(`{"StringNotLike":{"acs:Referer":["https://good.example.com/*"]}}`)
	anon.header = map[string]string{"Referer": "https://evil.example.net/"}
	h.denied(anon, "anonymous")
	anon.header = map[string]string{"Referer": "https://good.example.com/page"}
	h.ok(anon, 200)
	anon.header = nil
	h.denied(anon, "anonymous") // no Referer: a negated operator holds

	// Listing only under a prefix.
	h.ok(call{method: "PUT", bucket: "cond", query: "acl", header: map[string]string{"x-oss-acl": "private"}}, 200)
	h.putPolicy("cond", policyDoc(`{"Effect":"Allow","Action":["oss:ListObjects"],"Principal":["*"],"Resource":["acs:oss:*:*:cond"],"Condition":{"StringLike":{"oss:Prefix":["dir/*"]},"StringEquals":{"oss:Delimiter":"/"}}}`))
	h.ok(call{method: "GET", bucket: "cond", query: "prefix=dir%2F&delimiter=%2F", anon: true}, 200)
	h.fails(call{method: "GET", bucket: "cond", query: "prefix=dir%2F", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", bucket: "cond", query: "prefix=other&delimiter=%2F", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", bucket: "cond", anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "GET", bucket: "cond", key: "dir/k", anon: true}, ossxml.CodeAccessDenied)
}

// TestPolicyOwnerNamed: a statement that names the owner's account denies
// the owner, everywhere but the policy itself.
func TestPolicyOwnerNamed(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("self")
	h.put("self", "k", []byte("v"))
	h.putPolicy("self", policyDoc(`{"Effect":"Deny","Action":["oss:*"],"Principal":["`+defaultOwnerID+`"],"Resource":["acs:oss:*:*:*"]}`))
	h.denied(call{method: "GET", bucket: "self", key: "k"}, "owner")
	h.denied(call{method: "GET", bucket: "self", query: "acl"}, "owner")
	h.denied(call{method: "DELETE", bucket: "self"}, "owner")
	h.ok(call{method: "GET", bucket: "self", query: "policy"}, 200)
	h.ok(call{method: "DELETE", bucket: "self", query: "policy"}, http.StatusNoContent)
	h.ok(call{method: "GET", bucket: "self", key: "k"}, 200)
}

func TestPolicyResourceMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern                string
		someObject, allObjects bool
	}{
		{"b", false, false},
		{"b/*", true, true},
		{"*", true, true},
		{"b*", true, true},
		{"b/a*", true, false},
		{"b/?*", true, false},
		{"?", false, false},
	} {
		r, err := parseResource("b", "acs:oss:*:*:"+tc.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if r.someObject != tc.someObject || r.allObjects != tc.allObjects {
			t.Errorf("%s: some %v all %v, want %v %v", tc.pattern, r.someObject, r.allObjects, tc.someObject, tc.allObjects)
		}
	}
}
