package oss_test

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/ossup/ossup/oss"
)

func TestSymlinkWire(t *testing.T) {
	t.Run("put", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		_, err := c.PutSymlink(t.Context(), &oss.PutSymlinkRequest{Bucket: "b", Key: "link", Target: "dir/a b+ü.txt", ForbidOverwrite: true,
			ObjectMetadata: oss.ObjectMetadata{ACL: oss.ACLPrivate, User: map[string]string{"x": "y"}}})
		if err != nil {
			t.Fatal(err)
		}
		call := ws.only()
		if call.Method != http.MethodPut || call.Path != "/b/link" || call.RawQuery != "symlink" {
			t.Errorf("sent %s %s?%s, want PUT /b/link?symlink", call.Method, call.Path, call.RawQuery)
		}
		wantHeaders(t, call, map[string]string{"x-oss-symlink-target": "dir%2Fa%20b%2B%C3%BC.txt", "x-oss-object-acl": "private",
			"x-oss-meta-x": "y", "x-oss-forbid-overwrite": "true"})
	})
	t.Run("get", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) {
			w.Header().Set("x-oss-symlink-target", "dir%2Fa%20b%2B%C3%BC.txt")
			w.Header().Set("x-oss-meta-x", "y")
			w.Header().Set("ETag", `"E"`)
		})
		res, err := c.GetSymlink(t.Context(), &oss.GetSymlinkRequest{Bucket: "b", Key: "link"})
		if err != nil {
			t.Fatal(err)
		}
		if call := ws.only(); call.Method != http.MethodGet || call.RawQuery != "symlink" {
			t.Errorf("sent %s ?%s, want GET ?symlink", call.Method, call.RawQuery)
		}
		if res.Target != "dir/a b+ü.txt" || res.ETag != `"E"` || res.User["x"] != "y" {
			t.Errorf("result %+v", *res)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		for _, req := range []oss.PutSymlinkRequest{{Bucket: "b", Key: "l"}, {Bucket: "b", Target: "t"}, {Bucket: "b", Key: "l", Target: "/t"}} {
			if _, err := c.PutSymlink(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("%+v: err = %v, want ErrInvalidArgument", req, err)
			}
		}
		if n := ws.count(); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
	})
}

func TestHeadObjectTypes(t *testing.T) {
	c, _ := newWire(t, func(w http.ResponseWriter, _ wireCall) {
		w.Header().Set("x-oss-object-type", "Appendable")
		w.Header().Set("x-oss-next-append-position", "1234")
		w.Header().Set("x-oss-tagging-count", "3")
	})
	res, err := c.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: "b", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Object; o.ObjectType != oss.ObjectTypeAppendable || o.NextAppendPosition != 1234 || o.TagCount != 3 {
		t.Errorf("type %q, next position %d, tags %d; want Appendable, 1234, 3", o.ObjectType, o.NextAppendPosition, o.TagCount)
	}
}

func TestACLWire(t *testing.T) {
	const policy = `<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy><Owner><ID>0022012</ID><DisplayName>0022012</DisplayName></Owner>
<AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>`
	c, ws := newWire(t, func(w http.ResponseWriter, call wireCall) {
		if call.Method == http.MethodGet {
			replyXML(policy)(w, call)
		}
	})
	ctx := t.Context()
	if _, err := c.PutObjectACL(ctx, &oss.PutObjectACLRequest{Bucket: "b", Key: "k", ACL: oss.ACLDefault}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObjectACL(ctx, &oss.GetObjectACLRequest{Bucket: "b", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketACL(ctx, &oss.PutBucketACLRequest{Bucket: "b", ACL: oss.ACLPublicReadWrite}); err != nil {
		t.Fatal(err)
	}
	bkt, err := c.GetBucketACL(ctx, &oss.GetBucketACLRequest{Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	wantOwner := oss.Owner{ID: "0022012", DisplayName: "0022012"}
	if obj.ACL != "public-read" || obj.Owner != wantOwner || bkt.ACL != "public-read" || bkt.Owner != wantOwner {
		t.Errorf("object %+v, bucket %+v", *obj, *bkt)
	}
	ws.mu.Lock()
	calls := ws.calls
	ws.mu.Unlock()
	want := []struct{ method, path, header, value string }{
		{http.MethodPut, "/b/k", "x-oss-object-acl", "default"},
		{http.MethodGet, "/b/k", "", ""},
		{http.MethodPut, "/b/", "x-oss-acl", "public-read-write"},
		{http.MethodGet, "/b/", "", ""},
	}
	for i, w := range want {
		c := calls[i]
		if c.Method != w.method || c.Path != w.path || c.RawQuery != "acl" || w.header != "" && c.Header.Get(w.header) != w.value {
			t.Errorf("request %d: %s %s?%s (%s: %q), want %s %s?acl (%s: %q)", i+1, c.Method, c.Path, c.RawQuery, w.header, c.Header.Get(w.header), w.method, w.path, w.header, w.value)
		}
	}

	for _, acl := range []string{"", "Private", "public"} {
		if _, err := c.PutObjectACL(ctx, &oss.PutObjectACLRequest{Bucket: "b", Key: "k", ACL: acl}); !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("object ACL %q: err = %v, want ErrInvalidArgument", acl, err)
		}
	}
	if _, err := c.PutBucketACL(ctx, &oss.PutBucketACLRequest{Bucket: "b", ACL: oss.ACLDefault}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("bucket ACL default: err = %v, want ErrInvalidArgument", err)
	}
	if n := ws.count(); n != len(want) {
		t.Errorf("%d requests, want %d (invalid ACLs are not sent)", n, len(want))
	}
}

func TestBucketCorsWire(t *testing.T) {
	maxAge, vary := int64(100), true
	rules := []oss.CORSRule{
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PUT", "GET"}, AllowedHeaders: []string{"Authorization"}},
		{AllowedOrigins: []string{"http://example.com", "http://example.net"}, AllowedMethods: []string{"GET"},
			AllowedHeaders: []string{"Authorization"}, ExposeHeaders: []string{"x-oss-test", "x-oss-test1"}, MaxAgeSeconds: &maxAge},
	}
	const conf = `<CORSConfiguration>
<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>Authorization</AllowedHeader></CORSRule>
<CORSRule><AllowedOrigin>http://example.com</AllowedOrigin><AllowedOrigin>http://example.net</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>Authorization</AllowedHeader><ExposeHeader>x-oss-test</ExposeHeader><ExposeHeader>x-oss-test1</ExposeHeader><MaxAgeSeconds>100</MaxAgeSeconds></CORSRule>
<ResponseVary>true</ResponseVary>
</CORSConfiguration>`
	t.Run("put", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		if _, err := c.PutBucketCors(t.Context(), &oss.PutBucketCorsRequest{Bucket: "b", Rules: rules, ResponseVary: &vary}); err != nil {
			t.Fatal(err)
		}
		call := ws.only()
		if call.Method != http.MethodPut || call.Path != "/b/" || call.RawQuery != "cors" {
			t.Errorf("sent %s %s?%s, want PUT /b/?cors", call.Method, call.Path, call.RawQuery)
		}
		wantXMLBody(t, call, conf)
	})
	t.Run("get", func(t *testing.T) {
		c, _ := newWire(t, replyXML(conf))
		res, err := c.GetBucketCors(t.Context(), &oss.GetBucketCorsRequest{Bucket: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Rules, rules) || res.ResponseVary == nil || !*res.ResponseVary {
			t.Errorf("rules %+v, vary %v", res.Rules, res.ResponseVary)
		}
	})
	t.Run("none", func(t *testing.T) {
		c, _ := newWire(t, replyError(http.StatusNotFound, "NoSuchCORSConfiguration"))
		_, err := c.GetBucketCors(t.Context(), &oss.GetBucketCorsRequest{Bucket: "b"})
		serviceError(t, err, oss.ErrNoSuchCORSConfiguration)
	})
	t.Run("delete", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) { w.WriteHeader(http.StatusNoContent) })
		if _, err := c.DeleteBucketCors(t.Context(), &oss.DeleteBucketCorsRequest{Bucket: "b"}); err != nil {
			t.Fatal(err)
		}
		if call := ws.only(); call.Method != http.MethodDelete || call.RawQuery != "cors" {
			t.Errorf("sent %s ?%s, want DELETE ?cors", call.Method, call.RawQuery)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		for _, req := range []oss.PutBucketCorsRequest{
			{Bucket: "b"},
			{Bucket: "b", Rules: make([]oss.CORSRule, 11)},
			{Bucket: "b", Rules: []oss.CORSRule{{AllowedOrigins: []string{"*"}}}},
			{Rules: rules},
		} {
			if _, err := c.PutBucketCors(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("%+v: err = %v, want ErrInvalidArgument", req, err)
			}
		}
		if n := ws.count(); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
	})
}
