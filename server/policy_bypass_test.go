package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// TestPolicyVersionIDNeedsBothActions: naming a version, even the null
// one of a bucket never versioned, needs the operation's action and the
// version action, so a Deny of either holds.
func TestPolicyVersionIDNeedsBothActions(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "open", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.put("open", "secret", []byte("top secret"))
	h.putPolicy("open", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject","oss:DeleteObject"],"Principal":["*"],"Resource":["acs:oss:*:*:open/*"]}`))
	for _, c := range []call{
		{method: "GET", bucket: "open", key: "secret", query: "versionId=null", anon: true},
		{method: "HEAD", bucket: "open", key: "secret", query: "versionId=null", anon: true},
		{method: "HEAD", bucket: "open", key: "secret", query: "objectMeta&versionId=null", anon: true},
		{method: "DELETE", bucket: "open", key: "secret", query: "versionId=null", anon: true},
	} {
		h.denied(c, "anonymous")
	}
	h.denied(call{method: "GET", bucket: "open", key: "secret", query: "versionId=null"}, "other")
	batch := call{method: "POST", bucket: "open", query: "delete", md5: true,
		body: []byte("<Delete><Object><Key>secret</Key><VersionId>null</VersionId></Object></Delete>"), anon: true}
	h.denied(batch, "anonymous")
	if got := h.get("open", "secret"); string(got) != "top secret" {
		t.Fatalf("object after denied deletes: %q", got)
	}

	// A Deny of the version action alone holds for a batch naming a
	// version, too.
	h.putPolicy("open", policyDoc(`{"Effect":"Deny","Action":["oss:DeleteObjectVersion"],"Principal":["*"],"Resource":["acs:oss:*:*:open/*"]}`))
	h.denied(batch, "anonymous")
	if got := h.get("open", "secret"); string(got) != "top secret" {
		t.Fatalf("object after a denied batch of versions: %q", got)
	}
}

// TestPolicyAndACLThroughSymlinks: reading through a symlink needs the
// right to read its target, by the policy and by the target's ACL.
func TestPolicyAndACLThroughSymlinks(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	// A private bucket whose policy lets the other account write and read
	// one prefix: a link there must not read the rest of the bucket.
	h.mkbucket("priv")
	h.put("priv", "secret/x", []byte("owner only"))
	h.putPolicy("priv", policyDoc(`{"Effect":"Allow","Action":["oss:GetObject","oss:PutObject"],"Principal":["`+ownerOf(otherCred.Account).ID+`"],"Resource":["acs:oss:*:*:priv/uploads/*"]}`))
	link := call{method: "PUT", bucket: "priv", key: "uploads/l", query: "symlink", header: map[string]string{"x-oss-symlink-target": "secret/x"}}
	if r := h.as(otherCred, link); r.StatusCode != http.StatusOK {
		t.Fatalf("the other account's link: %d %s", r.StatusCode, r.body)
	}
	for _, m := range []string{"GET", "HEAD"} {
		if r := h.as(otherCred, call{method: m, bucket: "priv", key: "uploads/l"}); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s through a link to an unreadable target: %d %s", m, r.StatusCode, r.body)
		}
	}
	h.ok(call{method: "GET", bucket: "priv", key: "uploads/l"}, http.StatusOK) // the owner

	// A public-read bucket: a private object, and a policy Deny, hold
	// through links.
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("pub", "private", []byte("mine"))
	h.ok(call{method: "PUT", bucket: "pub", key: "private", query: "acl", header: map[string]string{"x-oss-object-acl": "private"}}, 200)
	h.put("pub", "denied/y", []byte("denied"))
	for _, l := range [][2]string{{"l1", "private"}, {"l2", "denied/y"}} {
		h.ok(call{method: "PUT", bucket: "pub", key: l[0], query: "symlink", header: map[string]string{"x-oss-symlink-target": l[1]}}, 200)
	}
	h.putPolicy("pub", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:pub/denied/*"]}`))
	for _, k := range []string{"l1", "l2"} {
		if r := h.do(call{method: "GET", bucket: "pub", key: k, anon: true}); r.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous GET through %s: %d %s", k, r.StatusCode, r.body)
		}
	}
	// UploadPartCopy through a link checks the target too.
	h.mkbucket("dst")
	up := h.initiate("dst", "mp", nil)
	r := h.as(otherCred, call{method: "PUT", bucket: "dst", key: "mp", query: "partNumber=1&uploadId=" + up,
		header: map[string]string{"x-oss-copy-source": "/pub/l1"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("part copy through a link to a private target: %d %s", r.StatusCode, r.body)
	}
}

// TestPolicyCopySourceVersion: a copy of an older version needs
// oss:GetObjectVersion and that version's ACL, not the current one's.
func TestPolicyCopySourceVersion(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "vsrc", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.ok(call{method: "PUT", bucket: "vsrc", query: "versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 200)
	v1 := h.put("vsrc", "doc", []byte("private draft")).Header.Get("x-oss-version-id")
	h.ok(call{method: "PUT", bucket: "vsrc", key: "doc", query: "acl&versionId=" + v1, header: map[string]string{"x-oss-object-acl": "private"}}, 200)
	h.put("vsrc", "doc", []byte("published"))
	h.fails(call{method: "GET", bucket: "vsrc", key: "doc", query: "versionId=" + v1, anon: true}, ossxml.CodeAccessDenied)
	copyOld := call{method: "PUT", bucket: "vsrc", key: "leak", anon: true, header: map[string]string{"x-oss-copy-source": "/vsrc/doc?versionId=" + v1}}
	h.fails(copyOld, ossxml.CodeAccessDenied)

	h.ok(call{method: "PUT", bucket: "vsrc", key: "doc", query: "acl&versionId=" + v1, header: map[string]string{"x-oss-object-acl": "default"}}, 200)
	h.putPolicy("vsrc", policyDoc(`{"Effect":"Deny","Action":["oss:GetObjectVersion"],"Principal":["*"],"Resource":["acs:oss:*:*:vsrc/*"]}`))
	h.denied(copyOld, "anonymous")
	h.fails(call{method: "GET", bucket: "vsrc", key: "leak"}, ossxml.CodeNoSuchKey)
	// The owner restores the old version by copying it onto its key.
	h.ok(call{method: "PUT", bucket: "vsrc", key: "doc", header: map[string]string{"x-oss-copy-source": "/vsrc/doc?versionId=" + v1}}, http.StatusOK)
	if got := h.get("vsrc", "doc"); string(got) != "private draft" {
		t.Fatalf("after copying version 1 onto its key: %q", got)
	}
}

// TestPolicyWriteWithACLOrTags: a write that sets an ACL or tags needs
// oss:PutObjectAcl or oss:PutObjectTagging as well.
func TestPolicyWriteWithACLOrTags(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "wr1", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.putPolicy("wr1", policyDoc(`{"Effect":"Deny","Action":["oss:PutObjectAcl","oss:PutObjectTagging"],"Principal":["*"],"Resource":["acs:oss:*:*:wr1/*"]}`))
	h.denied(call{method: "PUT", bucket: "wr1", key: "a", body: []byte("x"), header: map[string]string{"x-oss-object-acl": "public-read"}}, "other")
	h.denied(call{method: "PUT", bucket: "wr1", key: "b", body: []byte("x"), header: map[string]string{"x-oss-tagging": "a=b"}}, "other")
	if r := h.as(otherCred, call{method: "PUT", bucket: "wr1", key: "c", body: []byte("x")}); r.StatusCode != http.StatusOK {
		t.Fatalf("a plain write: %d %s", r.StatusCode, r.body)
	}
	h.fails(call{method: "HEAD", bucket: "wr1", key: "a"}, ossxml.CodeNoSuchKey)
}

// TestPolicyMappedRangesAndLongValues: an IPv4 range written as an
// IPv4-mapped IPv6 range matches IPv4 callers; a condition value over
// 1 KiB is refused.
func TestPolicyMappedRangesAndLongValues(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "ipb", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("ipb", "k", []byte("v"))
	h.putPolicy("ipb", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:ipb/*"],"Condition":{"IpAddress":{"acs:SourceIp":["::ffff:127.0.0.0/104"]}}}`))
	h.denied(call{method: "GET", bucket: "ipb", key: "k", anon: true}, "anonymous")
	long := `{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:ipb/*"],"Condition":{"StringLike":{"acs:UserAgent":["` + strings.Repeat("*a", 600) + `"]}}}`
	h.fails(call{method: "PUT", bucket: "ipb", query: "policy", body: []byte(policyDoc(long))}, ossxml.CodeInvalidPolicyDocument)
}

// TestDeleteVersionsObeyTheirACL: a batch delete naming a version is
// judged by that version's ACL, as a single delete of it is.
func TestDeleteVersionsObeyTheirACL(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "vacl", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	h.ok(call{method: "PUT", bucket: "vacl", query: "versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 200)
	v1 := h.put("vacl", "k", []byte("kept")).Header.Get("x-oss-version-id")
	h.ok(call{method: "PUT", bucket: "vacl", key: "k", query: "acl&versionId=" + v1, header: map[string]string{"x-oss-object-acl": "private"}}, 200)
	h.put("vacl", "k", []byte("current"))
	h.fails(call{method: "DELETE", bucket: "vacl", key: "k", query: "versionId=" + v1, anon: true}, ossxml.CodeAccessDenied)
	h.fails(call{method: "POST", bucket: "vacl", query: "delete", md5: true, anon: true,
		body: []byte("<Delete><Object><Key>k</Key><VersionId>" + v1 + "</VersionId></Object></Delete>")}, ossxml.CodeAccessDenied)
	r := h.ok(call{method: "GET", bucket: "vacl", key: "k", query: "versionId=" + v1}, http.StatusOK)
	if string(r.body) != "kept" {
		t.Fatalf("version 1 after refused deletes: %q", r.body)
	}
}

// TestPolicyQuestionMarkIsOneCharacter: '?' in a resource stands for one
// character, not one byte, so a Deny on b/a?b covers b/a€b.
func TestPolicyQuestionMarkIsOneCharacter(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "qm1", header: map[string]string{"x-oss-acl": "public-read"}}, 200)
	h.put("qm1", "a€b", []byte("x"))
	h.putPolicy("qm1", policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:qm1/a?b"]}`))
	h.denied(call{method: "GET", bucket: "qm1", key: "a€b", anon: true}, "anonymous")
}
