package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// otherCred is a key of a second account, which owns none of the
// harness's buckets.
var otherCred = Credential{Account: "other-account", AccessKeyID: "LTAIotherkey", AccessKeySecret: "other-secret"}

func withOtherAccount(c *Config) { c.Credentials = append(c.Credentials, otherCred) }

// as sends c signed by cred.
func (h *harness) as(cred Credential, c call) response {
	h.t.Helper()
	saved := h.cred
	h.cred = sign.Credentials{AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret}
	defer func() { h.cred = saved }()
	return h.do(c)
}

// TestACLMatrix walks bucket ACL × object ACL × operation × caller and
// checks each answer against OSS's rules, stated here independently of the
// server's code: the owner may do anything; for anyone else the object's
// ACL governs unless it is default, then the bucket's; public-read grants
// reads, public-read-write reads and writes; ACL operations are the
// owner's alone.
func TestACLMatrix(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	bucketACLs := []string{"private", "public-read", "public-read-write"}
	objectACLs := []string{"default", "private", "public-read", "public-read-write"}
	type opCase struct {
		name  string
		kind  string // read, write, owner
		call  func(bucket string) call
		okSts int
	}
	ops := []opCase{
		{"GetObject", "read", func(b string) call { return call{method: "GET", bucket: b, key: "obj"} }, 200},
		{"HeadObject", "read", func(b string) call { return call{method: "HEAD", bucket: b, key: "obj"} }, 200},
		{"GetObjectMeta", "read", func(b string) call { return call{method: "HEAD", bucket: b, key: "obj", query: "objectMeta"} }, 200},
		{"PutObject", "write", func(b string) call { return call{method: "PUT", bucket: b, key: "obj", body: []byte("overwritten")} }, 200},
		{"InitiateMultipartUpload", "write", func(b string) call { return call{method: "POST", bucket: b, key: "obj", query: "uploads"} }, 200},
		{"DeleteObject", "write", func(b string) call { return call{method: "DELETE", bucket: b, key: "obj"} }, 204},
		{"DeleteMultipleObjects", "write", func(b string) call {
			return call{method: "POST", bucket: b, query: "delete", md5: true, body: []byte("<Delete><Quiet>true</Quiet><Object><Key>obj</Key></Object></Delete>")}
		}, 200},
		{"GetObjectAcl", "owner", func(b string) call { return call{method: "GET", bucket: b, key: "obj", query: "acl"} }, 200},
		{"PutObjectAcl", "owner", func(b string) call {
			return call{method: "PUT", bucket: b, key: "obj", query: "acl", header: map[string]string{"x-oss-object-acl": "private"}}
		}, 200},
	}
	callers := []string{"owner", "anonymous", "other"}
	n := 0
	for _, bacl := range bucketACLs {
		for _, oacl := range objectACLs {
			for _, op := range ops {
				for _, caller := range callers {
					n++
					bucket := fmt.Sprintf("matrix-%d", n)
					h.ok(call{method: "PUT", bucket: bucket, header: map[string]string{"x-oss-acl": bacl}}, 200)
					h.ok(call{method: "PUT", bucket: bucket, key: "obj", body: []byte("original"), header: map[string]string{"x-oss-object-acl": oacl}}, 200)
					effective := oacl
					if oacl == "default" {
						effective = bacl
					}
					// DeleteMultipleObjects is a bucket write: the bucket must
					// grant it, then the object's own ACL too.
					bucketWrite := bacl == "public-read-write"
					var allowed bool
					switch {
					case caller == "owner":
						allowed = true
					case op.kind == "read":
						allowed = effective == "public-read" || effective == "public-read-write"
					case op.kind == "write" && op.name == "DeleteMultipleObjects":
						allowed = bucketWrite && effective == "public-read-write"
					case op.kind == "write":
						allowed = effective == "public-read-write"
					}
					c := op.call(bucket)
					var r response
					switch caller {
					case "anonymous":
						c.anon = true
						r = h.do(c)
					case "other":
						r = h.as(otherCred, c)
					default:
						r = h.do(c)
					}
					desc := fmt.Sprintf("bucket %s, object %s, %s by %s", bacl, oacl, op.name, caller)
					if allowed && r.StatusCode != op.okSts {
						t.Errorf("%s: status %d, want %d; %s", desc, r.StatusCode, op.okSts, r.body)
					}
					if !allowed {
						if r.StatusCode != http.StatusForbidden {
							t.Errorf("%s: status %d, want 403; %s", desc, r.StatusCode, r.body)
						}
						// Nothing changed: the object is still there, unchanged.
						got := h.get(bucket, "obj")
						if string(got) != "original" {
							t.Errorf("%s: denied, yet the object is now %q", desc, got)
						}
						var acl ossxml.AccessControlPolicy
						h.xml(call{method: "GET", bucket: bucket, key: "obj", query: "acl"}, &acl)
						if acl.AccessControlList.Grant != oacl {
							t.Errorf("%s: denied, yet the object ACL is now %s", desc, acl.AccessControlList.Grant)
						}
					}
					h.ok(call{method: "DELETE", bucket: bucket, key: "obj"}, 204)
					var ups ossxml.ListMultipartUploadsResult
					h.xml(call{method: "GET", bucket: bucket, query: "uploads"}, &ups)
					for _, u := range ups.Uploads {
						h.ok(call{method: "DELETE", bucket: bucket, key: u.Key, query: "uploadId=" + u.UploadID}, 204)
					}
					h.ok(call{method: "DELETE", bucket: bucket}, 204)
				}
			}
		}
	}
}

func TestObjectACLOperations(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.put("bkt", "k", []byte("data"))
	var acl ossxml.AccessControlPolicy
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "acl"}, &acl)
	if acl.AccessControlList.Grant != "default" {
		t.Errorf("new object ACL %q, want default", acl.AccessControlList.Grant)
	}
	before := h.ok(call{method: "HEAD", bucket: "bkt", key: "k"}, 200)
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", query: "acl", header: map[string]string{"x-oss-object-acl": "public-read"}}, 200)
	h.xml(call{method: "GET", bucket: "bkt", key: "k", query: "acl"}, &acl)
	if acl.AccessControlList.Grant != "public-read" {
		t.Errorf("after PutObjectAcl: %q", acl.AccessControlList.Grant)
	}
	after := h.ok(call{method: "HEAD", bucket: "bkt", key: "k"}, 200)
	if after.Header.Get("ETag") != before.Header.Get("ETag") || after.Header.Get("Last-Modified") != before.Header.Get("Last-Modified") {
		t.Error("PutObjectAcl changed the object's ETag or modification time")
	}
	if got := h.ok(call{method: "GET", bucket: "bkt", key: "k", anon: true}, 200).body; string(got) != "data" {
		t.Errorf("anonymous read of a public-read object in a private bucket: %q", got)
	}
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "acl", header: map[string]string{"x-oss-object-acl": "public"}}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "k", query: "acl"}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "bkt", key: "missing", query: "acl", header: map[string]string{"x-oss-object-acl": "private"}}, ossxml.CodeNoSuchKey)
	h.fails(call{method: "GET", bucket: "bkt", key: "missing", query: "acl"}, ossxml.CodeNoSuchKey)
}

// TestAccounts: a bucket belongs to the account that created it.
func TestAccounts(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("mine")
	h.put("mine", "k", []byte("data"))
	if r := h.as(otherCred, call{method: "PUT", bucket: "theirs"}); r.StatusCode != 200 {
		t.Fatalf("other account PutBucket: %d %s", r.StatusCode, r.body)
	}
	var list ossxml.ListAllMyBucketsResult
	if err := ossxml.Unmarshal(h.as(otherCred, call{method: "GET"}).body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Buckets) != 1 || list.Buckets[0].Name != "theirs" || list.Owner.ID != "other-account" {
		t.Errorf("other account lists %+v", list)
	}
	h.xml(call{method: "GET"}, &list)
	if len(list.Buckets) != 1 || list.Buckets[0].Name != "mine" {
		t.Errorf("default account lists %+v", list)
	}
	for _, c := range []call{
		{method: "PUT", bucket: "mine"},
		{method: "PUT", bucket: "mine", header: map[string]string{"x-oss-acl": "public-read-write"}},
	} {
		r := h.as(otherCred, c)
		if r.StatusCode != 409 || !strings.Contains(string(r.body), "BucketAlreadyExists") {
			t.Errorf("other account re-creating mine: %d %s", r.StatusCode, r.body)
		}
	}
	denied := []call{
		{method: "GET", bucket: "mine", key: "k"},
		{method: "PUT", bucket: "mine", key: "k", body: []byte("x")},
		{method: "DELETE", bucket: "mine", key: "k"},
		{method: "GET", bucket: "mine"},
		{method: "GET", bucket: "mine", query: "acl"},
		{method: "PUT", bucket: "mine", query: "acl", header: map[string]string{"x-oss-acl": "public-read-write"}},
		{method: "GET", bucket: "mine", query: "bucketInfo"},
		{method: "DELETE", bucket: "mine"},
	}
	for _, c := range denied {
		if r := h.as(otherCred, c); r.StatusCode != 403 {
			t.Errorf("other account %s /mine/%s?%s: %d", c.method, c.key, c.query, r.StatusCode)
		}
	}
	if got := h.get("mine", "k"); string(got) != "data" {
		t.Errorf("object now %q", got)
	}
}
