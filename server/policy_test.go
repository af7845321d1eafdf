package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// policyDoc is a policy document of the given statements.
func policyDoc(statements ...string) string {
	return `{"Version":"1","Statement":[` + strings.Join(statements, ",") + `]}`
}

func (h *harness) putPolicy(bucket, doc string) {
	h.t.Helper()
	h.ok(call{method: "PUT", bucket: bucket, query: "policy", body: []byte(doc)}, http.StatusOK)
}

// denied checks that c, sent by the owner (signed), anonymously, or as
// otherCred, is refused by the bucket policy.
func (h *harness) denied(c call, as string) {
	h.t.Helper()
	var r response
	switch as {
	case "other":
		r = h.as(otherCred, c)
	default:
		r = h.do(c)
	}
	if r.StatusCode != http.StatusForbidden {
		h.t.Fatalf("%s %s %s/%s?%s: status %d, want 403; body %s", as, c.method, c.bucket, c.key, c.query, r.StatusCode, r.body)
	}
	if c.method == http.MethodHead {
		return
	}
	var e ossxml.Error
	if err := ossxml.Unmarshal(r.body, &e); err != nil || e.Code != ossxml.CodeAccessDenied || !strings.Contains(e.Message, "bucket policy") {
		h.t.Fatalf("%s %s %s/%s: %+v, %v; want AccessDenied by bucket policy", as, c.method, c.bucket, c.key, e, err)
	}
}

func TestPolicyActionsCoverOperations(t *testing.T) {
	for _, op := range operations {
		if a := policyActions[op.name]; !strings.HasPrefix(a, "oss:") {
			t.Errorf("operation %s has no policy action", op.name)
		}
	}
}

// TestPolicyRoundTrip puts, reads and deletes a policy: the document comes
// back as sent, and the policy operations are the owner's alone.
func TestPolicyRoundTrip(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "pol", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.fails(call{method: "GET", bucket: "pol", query: "policy"}, ossxml.CodeNoSuchBucketPolicy)
	doc := "{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"Deny\", \"Action\": [\"oss:PutObject\", \"oss:GetObject\"],\n" +
		"   \"Principal\": [\"1234567890\"], \"Resource\": [\"acs:oss:*:1234567890:*/*\"]}]\n}\n"
	h.ok(call{method: "PUT", bucket: "pol", query: "policy", body: []byte(doc), md5: true}, 200)
	r := h.ok(call{method: "GET", bucket: "pol", query: "policy"}, 200)
	if string(r.body) != doc || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("GetBucketPolicy = %q (%s), want the document as put", r.body, r.Header.Get("Content-Type"))
	}
	// A public-read-write bucket grants writes, not its policy.
	for _, c := range []call{
		{method: "GET", bucket: "pol", query: "policy"},
		{method: "PUT", bucket: "pol", query: "policy", body: []byte(policyDoc(`{"Effect":"Allow","Action":["oss:*"],"Principal":["*"],"Resource":["acs:oss:*:*:*"]}`))},
		{method: "DELETE", bucket: "pol", query: "policy"},
	} {
		if r := h.as(otherCred, c); r.StatusCode != http.StatusForbidden {
			t.Errorf("other account %s ?policy: %d", c.method, r.StatusCode)
		}
		c.anon = true
		h.fails(c, ossxml.CodeAccessDenied)
	}
	// Not even a policy that allows everything to everyone lets them in.
	h.putPolicy("pol", policyDoc(`{"Effect":"Allow","Action":["oss:*"],"Principal":["*"],"Resource":["acs:oss:*:*:*"]}`))
	h.fails(call{method: "DELETE", bucket: "pol", query: "policy", anon: true}, ossxml.CodeAccessDenied)
	h.ok(call{method: "DELETE", bucket: "pol", query: "policy"}, http.StatusNoContent)
	h.fails(call{method: "GET", bucket: "pol", query: "policy"}, ossxml.CodeNoSuchBucketPolicy)
	h.ok(call{method: "DELETE", bucket: "pol", query: "policy"}, http.StatusNoContent)
	h.fails(call{method: "GET", bucket: "nosuch", query: "policy"}, ossxml.CodeNoSuchBucket)
}

// TestPolicyMalformed refuses documents OSS refuses, and documents with
// anything the server could not enforce, leaving the policy in place.
func TestPolicyMalformed(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("strict")
	good := policyDoc(`{"Effect":"Deny","Action":"oss:GetObject","Principal":"*","Resource":"acs:oss:*:*:strict/*"}`)
	h.putPolicy("strict", good)
	stmt := func(effect, action, principal, resource, cond string) string {
		s := `{"Effect":` + effect + `,"Action":` + action + `,"Principal":` + principal + `,"Resource":` + resource
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + "}"
	}
	ok := func(cond string) string {
		return policyDoc(stmt(`"Deny"`, `["oss:*"]`, `["*"]`, `["acs:oss:*:*:strict/*"]`, cond))
	}
	for _, tc := range []struct {
		name, doc, ec string
	}{
		{"not JSON", `{"Version":"1",`, "0030-00000005"},
		{"trailing data", good + `{}`, ""},
		{"empty", ``, ""},
		{"Version a number", `{"Version":1,"Statement":[` + stmt(`"Deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:*"`, "") + `]}`, ""},
		{"Version 2", strings.Replace(good, `"1"`, `"2"`, 1), "0030-00000002"},
		{"no Version", `{"Statement":[` + stmt(`"Deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:*"`, "") + `]}`, ""},
		{"empty Statement", policyDoc(), ""},
		{"unknown field", `{"Version":"1","Statement":[],"Extra":1}`, ""},
		{"unknown statement field", policyDoc(`{"Effect":"Deny","NotAction":"oss:*","Action":"oss:*","Principal":"*","Resource":"acs:oss:*:*:*"}`), ""},
		{"Effect", policyDoc(stmt(`"Block"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:*"`, "")), ""},
		{"Effect lower case", policyDoc(stmt(`"deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:*"`, "")), ""},
		{"no Action", policyDoc(stmt(`"Deny"`, `[]`, `"*"`, `"acs:oss:*:*:*"`, "")), ""},
		{"Action of another service", policyDoc(stmt(`"Deny"`, `"ecs:*"`, `"*"`, `"acs:oss:*:*:*"`, "")), ""},
		{"no Principal", policyDoc(`{"Effect":"Deny","Action":"oss:*","Resource":"acs:oss:*:*:*"}`), ""},
		{"Resource of another bucket", policyDoc(stmt(`"Deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:other/*"`, "")), ""},
		{"Resource not an ARN", policyDoc(stmt(`"Deny"`, `"oss:*"`, `"*"`, `"strict/*"`, "")), ""},
		{"no Resource", policyDoc(stmt(`"Deny"`, `"oss:*"`, `"*"`, `[]`, "")), ""},
		{"unknown operator", ok(`{"DateGreaterThan":{"acs:CurrentTime":"2030-01-01T00:00:00Z"}}`), ""},
		{"unknown key", ok(`{"StringEquals":{"acs:SourceVpc":"vpc-1"}}`), ""},
		{"key with the wrong operator", ok(`{"IpAddress":{"oss:Prefix":"a"}}`), ""},
		{"bad address", ok(`{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}`), ""},
		{"bad Bool", ok(`{"Bool":{"acs:SecureTransport":"yes"}}`), ""},
		{"no condition value", ok(`{"StringEquals":{"acs:UserAgent":[]}}`), ""},
		{"too large", policyDoc(strings.Repeat(stmt(`"Deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:strict/*"`, "")+",", 300) + stmt(`"Deny"`, `"oss:*"`, `"*"`, `"acs:oss:*:*:*"`, "")), "0030-00000001"},
		{"not UTF-8", strings.Replace(good, "strict/*", "strict/\xff*", 1), "0030-00000004"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := h.fails(call{method: "PUT", bucket: "strict", query: "policy", body: []byte(tc.doc)}, ossxml.CodeInvalidPolicyDocument)
			if tc.ec != "" && e.EC != tc.ec {
				t.Errorf("EC %q, want %q", e.EC, tc.ec)
			}
			if r := h.ok(call{method: "GET", bucket: "strict", query: "policy"}, 200); string(r.body) != good {
				t.Errorf("policy after a refused put: %s", r.body)
			}
		})
	}
	// The accepted forms: strings for lists, an empty Principal for "*",
	// a bare bucket, the bucket's objects, wildcards across both.
	for _, doc := range []string{
		policyDoc(stmt(`"Allow"`, `"oss:Get*"`, `[]`, `"acs:oss:*:*:strict"`, "")),
		policyDoc(stmt(`"Allow"`, `"*"`, `["*","1234"]`, `["acs:oss:cn-hangzhou:1234:str*","acs:oss:*:*:*/a?c"]`, `{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","::1"]},"Bool":{"acs:SecureTransport":true}}`)),
	} {
		h.putPolicy("strict", doc)
	}
}

// TestPolicyDenyGetObject: a Deny of oss:GetObject for "*" refuses a
// public-read object to anonymous callers, presigned URLs and other
// accounts alike, however they read it; the owner is not subject to a
// bare "*".
func TestPolicyDenyGetObject(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "open", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("open", "doc.txt", []byte("public"))
	h.ok(call{method: "GET", bucket: "open", key: "doc.txt", anon: true}, 200)
	h.putPolicy("open", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:open/*"]}`))
	get := call{method: "GET", bucket: "open", key: "doc.txt"}
	anon := get
	anon.anon = true
	h.denied(anon, "anonymous")
	h.denied(get, "other")
	presigned := get
	presigned.presign = true
	h.denied(presigned, "other")
	// The S3 dialect, anonymous and signed by the other account.
	if r := h.do(s3Call(get)); r.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous S3 GET under a Deny: %d", r.StatusCode)
	}
	r := h.s3Request("GET", "/open/doc.txt", nil)
	if _, err := (&sign.AWSSigner{Region: "cn-hangzhou"}).Sign(r, sign.Credentials{AccessKeyID: otherCred.AccessKeyID, AccessKeySecret: otherCred.AccessKeySecret}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp := h.send(r); resp.StatusCode != http.StatusForbidden {
		t.Errorf("other account's S3 GET under a Deny: %d %s", resp.StatusCode, resp.body)
	}
	head := call{method: "HEAD", bucket: "open", key: "doc.txt", anon: true}
	h.denied(head, "anonymous")
	h.denied(call{method: "HEAD", bucket: "open", key: "doc.txt", query: "objectMeta"}, "other")
	h.mkbucket("mine")
	copyIn := call{method: "PUT", bucket: "mine", key: "copy", header: map[string]string{"x-oss-copy-source": "/open/doc.txt"}}
	h.ok(copyIn, 200) // the owner's own copy
	if r := h.as(otherCred, call{method: "PUT", bucket: "open", key: "x", header: map[string]string{"x-oss-copy-source": "/open/doc.txt"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("other account copying a denied source: %d", r.StatusCode)
	}
	// A listing is another action, not denied.
	h.ok(call{method: "GET", bucket: "open", anon: true}, 200)
	if got := h.get("open", "doc.txt"); string(got) != "public" {
		t.Errorf("owner reads %q", got)
	}
	// Presigned by the owner, the URL carries the owner's identity.
	h.ok(call{method: "GET", bucket: "open", key: "doc.txt", presign: true}, 200)
}

// TestPolicyDenyPrefix: a Deny on a prefix leaves the rest of the bucket
// to its ACL.
func TestPolicyDenyPrefix(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "mixed", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.put("mixed", "secret/a", []byte("s"))
	h.put("mixed", "public/a", []byte("p"))
	h.putPolicy("mixed", policyDoc(`{"Effect":"Deny","Action":["oss:Get*","oss:PutObject"],"Principal":["*"],"Resource":["acs:oss:*:*:mixed/secret/*"]}`))
	h.denied(call{method: "GET", bucket: "mixed", key: "secret/a", anon: true}, "anonymous")
	h.denied(call{method: "GET", bucket: "mixed", key: "secret/a", query: "tagging"}, "other")
	h.denied(call{method: "PUT", bucket: "mixed", key: "secret/b", body: []byte("x"), anon: true}, "anonymous")
	h.denied(call{method: "POST", bucket: "mixed", key: "secret/c", query: "uploads"}, "other")
	h.ok(call{method: "GET", bucket: "mixed", key: "public/a", anon: true}, 200)
	h.ok(call{method: "PUT", bucket: "mixed", key: "public/b", body: []byte("x"), anon: true}, 200)
	h.ok(call{method: "GET", bucket: "mixed", key: "secretary", anon: true}, http.StatusNotFound)
}

// TestPolicyDenyDelete: a denied DeleteObject leaves the object in place,
// single or in a batch.
func TestPolicyDenyDelete(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "keep", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.put("keep", "precious", []byte("still here"))
	h.put("keep", "tmp/x", []byte("scratch"))
	h.putPolicy("keep", policyDoc(`{"Effect":"Deny","Action":["oss:DeleteObject","oss:AbortMultipartUpload"],"Principal":["*"],"Resource":["acs:oss:*:*:keep/precious"]}`))
	h.denied(call{method: "DELETE", bucket: "keep", key: "precious", anon: true}, "anonymous")
	h.denied(call{method: "DELETE", bucket: "keep", key: "precious"}, "other")
	// A batch is judged key by key: one naming the denied object is
	// refused whole, one that does not goes through.
	batch := func(keys ...string) call {
		body := "<Delete><Quiet>true</Quiet>"
		for _, k := range keys {
			body += "<Object><Key>" + k + "</Key></Object>"
		}
		return call{method: "POST", bucket: "keep", query: "delete", md5: true, body: []byte(body + "</Delete>")}
	}
	h.denied(batch("tmp/x", "precious"), "other")
	if got := h.get("keep", "tmp/x"); string(got) != "scratch" {
		t.Errorf("refused batch: tmp/x reads %q", got)
	}
	if got := h.get("keep", "precious"); string(got) != "still here" {
		t.Errorf("denied delete: object reads %q", got)
	}
	if r := h.as(otherCred, batch("tmp/x")); r.StatusCode != http.StatusOK {
		t.Fatalf("batch of an object the policy leaves alone: %d %s", r.StatusCode, r.body)
	}
	h.fails(call{method: "GET", bucket: "keep", key: "tmp/x"}, ossxml.CodeNoSuchKey)
	h.ok(batch("precious"), 200) // the owner is not subject to a bare "*"
	h.ok(call{method: "DELETE", bucket: "keep", key: "precious"}, http.StatusNoContent)
}

// TestPolicySurvivesRestart reads the policy back from the store.
func TestPolicySurvivesRestart(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "durable", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("durable", "k", []byte("v"))
	doc := policyDoc(`{"Effect":"Deny","Action":"oss:GetObject","Principal":"*","Resource":"acs:oss:*:*:durable/*"}`)
	h.putPolicy("durable", doc)
	h.restart()
	h.denied(call{method: "GET", bucket: "durable", key: "k", anon: true}, "anonymous")
	if r := h.ok(call{method: "GET", bucket: "durable", query: "policy"}, 200); string(r.body) != doc {
		t.Errorf("policy after restart: %s", r.body)
	}
	h.ok(call{method: "DELETE", bucket: "durable", query: "policy"}, http.StatusNoContent)
	h.restart()
	h.ok(call{method: "GET", bucket: "durable", key: "k", anon: true}, 200)
	// A bucket deleted and created again starts without a policy.
	h.putPolicy("durable", doc)
	h.ok(call{method: "DELETE", bucket: "durable", key: "k"}, http.StatusNoContent)
	h.ok(call{method: "DELETE", bucket: "durable"}, http.StatusNoContent)
	h.ok(call{method: "PUT", bucket: "durable", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("durable", "k", []byte("v"))
	h.ok(call{method: "GET", bucket: "durable", key: "k", anon: true}, 200)
}

// TestPolicyDenyVersionDelete: with oss:DeleteObjectVersion denied,
// others may still put delete markers but never delete a version for
// good, so every version stays recoverable.
func TestPolicyDenyVersionDelete(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "vkeep", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.ok(call{method: "PUT", bucket: "vkeep", query: "versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 200)
	v := h.put("vkeep", "doc", []byte("version one")).Header.Get("x-oss-version-id")
	h.putPolicy("vkeep", policyDoc(`{"Effect":"Deny","Action":["oss:DeleteObjectVersion","oss:GetObjectVersion"],"Principal":["*"],"Resource":["acs:oss:*:*:vkeep/*"]}`))
	h.denied(call{method: "DELETE", bucket: "vkeep", key: "doc", query: "versionId=" + v, anon: true}, "anonymous")
	h.denied(call{method: "DELETE", bucket: "vkeep", key: "doc", query: "versionId=" + v}, "other")
	h.denied(call{method: "GET", bucket: "vkeep", key: "doc", query: "versionId=" + v, anon: true}, "anonymous")
	h.ok(call{method: "GET", bucket: "vkeep", key: "doc", anon: true}, http.StatusOK) // oss:GetObject is not denied
	h.ok(call{method: "DELETE", bucket: "vkeep", key: "doc", anon: true}, http.StatusNoContent)
	r := h.ok(call{method: "GET", bucket: "vkeep", key: "doc", query: "versionId=" + v}, http.StatusOK)
	if string(r.body) != "version one" {
		t.Fatalf("the version after denied deletes: %q", r.body)
	}
}
