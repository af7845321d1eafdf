package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

var allMethods = []string{"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"}

// TestRouteNeverFallsThrough proves the router's central property on every
// sub-resource of the OSS API reference, every method and every level: a
// request naming a sub-resource reaches only an operation that takes that
// sub-resource, and otherwise is NotImplemented.
func TestRouteNeverFallsThrough(t *testing.T) {
	if len(subResources) < 60 {
		t.Fatalf("only %d sub-resources listed", len(subResources))
	}
	for _, sub := range subResources {
		for _, method := range allMethods {
			for _, lvl := range []level{levelService, levelBucket, levelObject} {
				for _, value := range []string{"", "1"} {
					q := url.Values{sub: {value}}
					op, err := route(method, lvl, q, http.Header{})
					if op != nil {
						if !slices.Contains(op.sub, sub) && !slices.Contains(op.optional, sub) {
							t.Errorf("%s ?%s=%s at level %d runs %s, which does not take it", method, sub, value, lvl, op.name)
						}
						continue
					}
					if e, ok := err.(*apiError); !ok || e.body.Code != ossxml.CodeNotImplemented {
						t.Errorf("%s ?%s at level %d: %v, want NotImplemented", method, sub, lvl, err)
					}
				}
			}
		}
	}
}

func TestRouteRecognises(t *testing.T) {
	copyHdr := http.Header{"X-Oss-Copy-Source": {"/b/src"}}
	cases := []struct {
		method string
		lvl    level
		query  string
		header http.Header
		want   string // operation name, or the error code
	}{
		{"GET", levelService, "", nil, "ListBuckets"},
		{"GET", levelService, "prefix=a&marker=b&max-keys=10", nil, "ListBuckets"},
		{"GET", levelService, "regions", nil, ossxml.CodeNotImplemented},
		{"PUT", levelService, "", nil, ossxml.CodeMethodNotAllowed},
		{"PUT", levelBucket, "", nil, "PutBucket"},
		{"PUT", levelBucket, "acl", nil, "PutBucketAcl"},
		{"GET", levelBucket, "list-type=2&prefix=&delimiter=%2F&encoding-type=url", nil, "ListObjects"},
		{"GET", levelBucket, "prefix&marker&max-keys=100&delimiter", nil, "ListObjects"},
		{"GET", levelBucket, "accessmonitor", nil, "GetBucketAccessMonitor"},
		{"DELETE", levelBucket, "accessmonitor", nil, ossxml.CodeNotImplemented},
		{"POST", levelBucket, "replication&comp=add", nil, "PutBucketReplication"},
		{"POST", levelBucket, "replication&comp=delete", nil, "DeleteBucketReplication"},
		{"POST", levelBucket, "replication&comp=other", nil, ossxml.CodeNotImplemented},
		{"POST", levelBucket, "replication", nil, ossxml.CodeNotImplemented},
		{"GET", levelBucket, "replicationProgress&rule-id=r1", nil, "GetBucketReplicationProgress"},
		{"GET", levelBucket, "inventory&continuation-token=a", nil, "ListBucketInventory"},
		{"GET", levelBucket, "inventory&inventoryId=a", nil, "GetBucketInventory"},
		{"DELETE", levelBucket, "inventory", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "transferAcceleration", nil, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "website", nil, ossxml.CodeNotImplemented},
		{"GET", levelBucket, "uploads&max-uploads=5&key-marker=a", nil, "ListMultipartUploads"},
		{"DELETE", levelBucket, "publicAccessBlock", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "overwriteConfig", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "responseHeader", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "accessPoint", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "somethingNew", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelBucket, "", nil, "DeleteBucket"},
		{"DELETE", levelBucket, "t=123", nil, "DeleteBucket"},
		{"POST", levelBucket, "delete", nil, "DeleteMultipleObjects"},
		{"PUT", levelBucket, "lifecycle", nil, "PutBucketLifecycle"},
		{"GET", levelBucket, "lifecycle", nil, "GetBucketLifecycle"},
		{"DELETE", levelBucket, "lifecycle", nil, "DeleteBucketLifecycle"},
		{"PUT", levelObject, "lifecycle", nil, ossxml.CodeNotImplemented},
		{"POST", levelBucket, "", nil, "PostObject"},
		{"POST", levelBucket, "acl", nil, ossxml.CodeNotImplemented},
		{"PUT", levelBucket, "cors", nil, "PutBucketCors"},
		{"GET", levelBucket, "cors", nil, "GetBucketCors"},
		{"DELETE", levelBucket, "cors", nil, "DeleteBucketCors"},
		{"PUT", levelObject, "cors", nil, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "", nil, "PutObject"},
		{"PUT", levelObject, "retention", nil, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "legalHold", nil, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "tagging", nil, "PutObjectTagging"},
		{"PUT", levelObject, "tagging", copyHdr, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "symlink", nil, "PutSymlink"},
		{"GET", levelObject, "symlink", nil, "GetSymlink"},
		{"GET", levelObject, "tagging", nil, "GetObjectTagging"},
		{"PUT", levelObject, "", copyHdr, "CopyObject"},
		{"PUT", levelObject, "acl", copyHdr, ossxml.CodeNotImplemented},
		{"PUT", levelObject, "partNumber=1&uploadId=x", copyHdr, "UploadPartCopy"},
		{"PUT", levelObject, "partNumber=1&uploadId=x", nil, "UploadPart"},
		{"PUT", levelObject, "acl", nil, "PutObjectAcl"},
		{"GET", levelObject, "acl", nil, "GetObjectAcl"},
		{"GET", levelObject, "response-content-type=text/plain&OSSAccessKeyId=a&Expires=1&Signature=s", nil, "GetObject"},
		{"GET", levelObject, "x-oss-process=image/resize", nil, ossxml.CodeNotImplemented},
		{"GET", levelObject, "versionId=abc", nil, "GetObject"}, // which answers NoSuchVersion for any but "null"
		{"PUT", levelObject, "versionId=abc", nil, ossxml.CodeNotImplemented},
		{"HEAD", levelObject, "objectMeta", nil, "GetObjectMeta"},
		{"POST", levelObject, "uploads", nil, "InitiateMultipartUpload"},
		{"POST", levelObject, "uploads&sequential", nil, "InitiateMultipartUpload"},
		{"POST", levelObject, "append&position=0", nil, "AppendObject"},
		{"POST", levelObject, "append&position=0&acl", nil, ossxml.CodeNotImplemented},
		{"POST", levelObject, "uploadId=x", nil, "CompleteMultipartUpload"},
		{"POST", levelObject, "uploadId=x&acl", nil, ossxml.CodeNotImplemented},
		{"DELETE", levelObject, "uploadId=x", nil, "AbortMultipartUpload"},
		{"DELETE", levelObject, "tagging", nil, "DeleteObjectTagging"},
		{"GET", levelObject, "uploadId=x&max-parts=10&part-number-marker=2", nil, "ListParts"},
		{"PATCH", levelObject, "", nil, ossxml.CodeMethodNotAllowed},
		{"OPTIONS", levelObject, "", nil, ossxml.CodeMethodNotAllowed},
	}
	for _, tc := range cases {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		h := tc.header
		if h == nil {
			h = http.Header{}
		}
		op, err := route(tc.method, tc.lvl, q, h)
		got := ""
		if op != nil {
			got = op.name
		} else if e, ok := err.(*apiError); ok {
			got = e.body.Code
		}
		if got != tc.want {
			t.Errorf("%s level %d ?%s: %s, want %s", tc.method, tc.lvl, tc.query, got, tc.want)
		}
	}
}

// snapshot is everything a request could change: buckets and their
// settings, objects with their bytes, metadata and ACLs, uploads and parts.
func snapshot(t *testing.T, st store.Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	buckets, _, err := st.ListBuckets(ctx, "", "", store.MaxList)
	if err != nil {
		t.Fatal(err)
	}
	for _, bk := range buckets {
		fmt.Fprintf(&b, "bucket %s owner=%q acl=%s class=%s\n", bk.Name, bk.Owner, bk.ACL, bk.StorageClass)
		page, err := st.ListObjects(ctx, bk.Name, store.ListOptions{Max: store.MaxList})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			o, rd, err := st.OpenObject(ctx, bk.Name, o.Key)
			if err != nil {
				t.Fatal(err)
			}
			var data bytes.Buffer
			_, _ = data.ReadFrom(rd)
			rd.Close()
			fmt.Fprintf(&b, "  object %q etag=%s crc=%d meta=%+v modified=%d data=%x\n", o.Key, o.ETag, o.CRC64, o.Meta, o.Modified.UnixNano(), data.Bytes())
		}
		ups, err := st.ListUploads(ctx, bk.Name, store.ListUploadsOptions{Max: store.MaxList})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups.Uploads {
			parts, _, err := st.ListParts(ctx, bk.Name, u.Key, u.ID, 0, store.MaxList)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  upload %q %s parts=%+v\n", u.Key, u.ID, parts)
		}
	}
	return b.String()
}

// TestUnknownSubResourcesChangeNothing sends, signed by the owner, every
// sub-resource × method at bucket and object level that the router does
// not implement, with a body, and checks that the store is unchanged
// after each and that the answer is an OSS error.
func TestUnknownSubResourcesChangeNothing(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	h.mkbucket("empty")
	h.put("bkt", "k", []byte("precious bytes"))
	var init ossxml.InitiateMultipartUploadResult
	h.xml(call{method: "POST", bucket: "bkt", key: "up", query: "uploads"}, &init)
	h.ok(call{method: "PUT", bucket: "bkt", key: "up", query: "partNumber=1&uploadId=" + init.UploadID, body: []byte("part")}, http.StatusOK)
	before := snapshot(t, h.srv.store)
	body := []byte("<Retention><Mode>GOVERNANCE</Mode></Retention>")
	tried := 0
	for _, sub := range subResources {
		for _, method := range allMethods {
			for _, target := range []struct{ bucket, key string }{{"empty", ""}, {"bkt", ""}, {"bkt", "k"}, {"bkt", "up"}} {
				q := url.Values{sub: {""}}
				lvl := levelBucket
				if target.key != "" {
					lvl = levelObject
				}
				if op, _ := route(method, lvl, q, http.Header{}); op != nil {
					continue // an implemented operation, tested on its own
				}
				tried++
				c := call{method: method, bucket: target.bucket, key: target.key, query: url.QueryEscape(sub), md5: true}
				if method == "PUT" || method == "POST" {
					c.body = body
				}
				r := h.do(c)
				if r.StatusCode < 400 {
					t.Errorf("%s /%s/%s?%s answered %d", method, target.bucket, target.key, sub, r.StatusCode)
				}
				if after := snapshot(t, h.srv.store); after != before {
					t.Fatalf("%s /%s/%s?%s changed the store:\nbefore %s\nafter  %s", method, target.bucket, target.key, sub, before, after)
				}
			}
		}
	}
	if tried < 60*5 {
		t.Fatalf("only %d requests tried", tried)
	}
	t.Logf("%d requests, store unchanged", tried)
}
