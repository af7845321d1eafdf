package oss_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

const copyObjectAnswer = `<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult><ETag>"5B3C1A2E053D763E1B002CC607C5A0FE"</ETag><LastModified>2025-02-03T04:05:06.000Z</LastModified></CopyObjectResult>`

func TestCopyObjectWire(t *testing.T) {
	since := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name     string
		req      oss.CopyObjectRequest
		wantPath string
		want     map[string]string
	}{
		{
			name:     "same bucket, plain copy",
			req:      oss.CopyObjectRequest{Bucket: "dst", Key: "copy", SourceKey: "dir/a b+c%.txt"},
			wantPath: "/dst/copy",
			want: map[string]string{"x-oss-copy-source": "/dst/dir/a%20b%2Bc%25.txt", "x-oss-metadata-directive": "",
				"x-oss-tagging-directive": "", "x-oss-tagging": "", "x-oss-object-acl": "", "x-oss-forbid-overwrite": ""},
		},
		{
			name: "cross bucket with version, acl, storage class and conditions",
			req: oss.CopyObjectRequest{Bucket: "dst", Key: "k", SourceBucket: "src", SourceKey: "日本/x", SourceVersionID: "v 1",
				ObjectMetadata:  oss.ObjectMetadata{ACL: oss.ACLPublicRead, StorageClass: "IA"},
				ForbidOverwrite: true,
				Conditions:      oss.CopySourceConditions{IfMatch: `"e1"`, IfNoneMatch: `"e2"`, IfModifiedSince: since, IfUnmodifiedSince: since.Add(time.Hour)}},
			wantPath: "/dst/k",
			want: map[string]string{"x-oss-copy-source": "/src/%E6%97%A5%E6%9C%AC/x?versionId=v%201",
				"x-oss-object-acl": "public-read", "x-oss-storage-class": "IA", "x-oss-forbid-overwrite": "true",
				"x-oss-copy-source-if-match": `"e1"`, "x-oss-copy-source-if-none-match": `"e2"`,
				"x-oss-copy-source-if-modified-since":   "Wed, 01 Jan 2025 19:04:05 GMT",
				"x-oss-copy-source-if-unmodified-since": "Wed, 01 Jan 2025 20:04:05 GMT",
				"x-oss-metadata-directive":              ""},
		},
		{
			name: "replace metadata and tags",
			req: oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "k", MetadataDirective: oss.MetadataDirectiveReplace, TaggingDirective: oss.TaggingDirectiveReplace,
				ObjectMetadata: oss.ObjectMetadata{ContentType: "text/plain", CacheControl: "no-cache", User: map[string]string{"Owner": "me"},
					Tags: []oss.Tag{{Key: "a b", Value: "c&d"}, {Key: "e", Value: ""}}}},
			wantPath: "/b/k",
			want: map[string]string{"x-oss-copy-source": "/b/k", "x-oss-metadata-directive": "REPLACE", "x-oss-tagging-directive": "REPLACE",
				"Content-Type": "text/plain", "Cache-Control": "no-cache", "x-oss-meta-owner": "me", "x-oss-tagging": "a%20b=c%26d&e="},
		},
		{
			name: "directives in another case",
			req: oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "k", MetadataDirective: "Replace", TaggingDirective: "Replace",
				ObjectMetadata: oss.ObjectMetadata{Tags: []oss.Tag{{Key: "a", Value: "b"}}}},
			wantPath: "/b/k",
			want:     map[string]string{"x-oss-metadata-directive": "REPLACE", "x-oss-tagging-directive": "REPLACE", "x-oss-tagging": "a=b", "Content-Type": "application/octet-stream"},
		},
		{
			name:     "explicit COPY directives",
			req:      oss.CopyObjectRequest{Bucket: "b", Key: "k2", SourceKey: "k", MetadataDirective: oss.MetadataDirectiveCopy, TaggingDirective: oss.TaggingDirectiveCopy},
			wantPath: "/b/k2",
			want:     map[string]string{"x-oss-metadata-directive": "COPY", "x-oss-tagging-directive": "COPY", "x-oss-meta-owner": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) {
				w.Header().Set("x-oss-hash-crc64ecma", "12345")
				w.Header().Set("x-oss-version-id", "dv")
				w.Header().Set("x-oss-copy-source-version-id", "sv")
				replyXML(copyObjectAnswer)(w, wireCall{})
			})
			res, err := c.CopyObject(t.Context(), &tc.req)
			if err != nil {
				t.Fatal(err)
			}
			call := ws.only()
			if call.Method != http.MethodPut || call.Path != tc.wantPath || call.RawQuery != "" || len(call.Body) != 0 {
				t.Errorf("sent %s %s?%s with %d body bytes, want PUT %s with none", call.Method, call.Path, call.RawQuery, len(call.Body), tc.wantPath)
			}
			wantHeaders(t, call, tc.want)
			want := oss.CopyObjectResult{ETag: `"5B3C1A2E053D763E1B002CC607C5A0FE"`, LastModified: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC),
				CRC64: 12345, HasCRC64: true, VersionID: "dv", SourceVersionID: "sv", RequestID: "REQ1"}
			if !res.LastModified.Equal(want.LastModified) {
				t.Errorf("LastModified = %v, want %v", res.LastModified, want.LastModified)
			}
			res.LastModified = want.LastModified
			if *res != want {
				t.Errorf("result %+v, want %+v", *res, want)
			}
		})
	}
}

func TestCopyObjectInvalid(t *testing.T) {
	tests := []struct {
		name string
		req  oss.CopyObjectRequest
	}{
		{"no source key", oss.CopyObjectRequest{Bucket: "b", Key: "k"}},
		{"no destination key", oss.CopyObjectRequest{Bucket: "b", SourceKey: "k"}},
		{"metadata without REPLACE", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", ObjectMetadata: oss.ObjectMetadata{ContentType: "text/plain"}}},
		{"user metadata with COPY", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", MetadataDirective: oss.MetadataDirectiveCopy, ObjectMetadata: oss.ObjectMetadata{User: map[string]string{"a": "b"}}}},
		{"tags without Replace", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", ObjectMetadata: oss.ObjectMetadata{Tags: []oss.Tag{{Key: "a"}}}}},
		{"unknown metadata directive", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", MetadataDirective: "MOVE"}},
		{"unknown tagging directive", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", TaggingDirective: "Merge"}},
		{"too many tags", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", TaggingDirective: oss.TaggingDirectiveReplace, ObjectMetadata: oss.ObjectMetadata{Tags: make([]oss.Tag, 11)}}},
		{"traffic limit too low", oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", TrafficLimit: 1}},
	}
	c, ws := newWire(t, replyXML(copyObjectAnswer))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CopyObject(t.Context(), &tc.req)
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Fatalf("err = %v, want ErrInvalidArgument", err)
			}
			t.Log(err)
		})
	}
	if n := ws.count(); n != 0 {
		t.Errorf("%d requests sent for invalid arguments, want none", n)
	}
}

func TestCopyObjectErrors(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   error
	}{
		{http.StatusNotFound, "NoSuchKey", oss.ErrNoSuchKey},
		{http.StatusPreconditionFailed, "PreconditionFailed", oss.ErrPreconditionFailed},
		{http.StatusConflict, "FileAlreadyExists", oss.ErrFileAlreadyExists},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			c, ws := newWire(t, replyError(tc.status, tc.code))
			_, err := c.CopyObject(t.Context(), &oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s"})
			se := serviceError(t, err, tc.want.(*oss.ServiceError))
			if se.StatusCode != tc.status || se.RequestID != "REQ1" {
				t.Errorf("status %d, request id %q; want %d, REQ1", se.StatusCode, se.RequestID, tc.status)
			}
			if n := ws.count(); n != 1 {
				t.Errorf("%d requests, want 1 (a 4xx is final)", n)
			}
		})
	}
	t.Run("304 for a condition that did not hold", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) { w.WriteHeader(http.StatusNotModified) })
		_, err := c.CopyObject(t.Context(), &oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s", Conditions: oss.CopySourceConditions{IfNoneMatch: `"e"`}})
		if se := serviceError(t, err, oss.ErrNotModified); se.StatusCode != http.StatusNotModified {
			t.Errorf("status %d, want 304", se.StatusCode)
		}
		if n := ws.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("5xx is retried", func(t *testing.T) {
		var n int
		c, ws := newWire(t, func(w http.ResponseWriter, c wireCall) {
			if n++; n == 1 {
				replyError(http.StatusServiceUnavailable, "ServiceUnavailable")(w, c)
				return
			}
			replyXML(copyObjectAnswer)(w, c)
		})
		if _, err := c.CopyObject(t.Context(), &oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s"}); err != nil {
			t.Fatal(err)
		}
		if got := ws.count(); got != 2 {
			t.Errorf("%d requests, want 2", got)
		}
	})
	t.Run("answer that is not CopyObjectResult", func(t *testing.T) {
		c, _ := newWire(t, replyXML(`<CopyPartResult><ETag>"x"</ETag></CopyPartResult>`))
		_, err := c.CopyObject(t.Context(), &oss.CopyObjectRequest{Bucket: "b", Key: "k", SourceKey: "s"})
		if err == nil {
			t.Fatal("no error for a reply with the wrong root element")
		}
		t.Log(err)
	})
}

func TestUploadPartCopyWire(t *testing.T) {
	c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) {
		w.Header().Set("x-oss-hash-crc64ecma", "99")
		replyXML(`<CopyPartResult><LastModified>2025-02-03T04:05:06.000Z</LastModified><ETag>"P1"</ETag></CopyPartResult>`)(w, wireCall{})
	})
	res, err := c.UploadPartCopy(t.Context(), &oss.UploadPartCopyRequest{Bucket: "b", Key: "dst", UploadID: "U1", PartNumber: 3,
		SourceBucket: "src", SourceKey: "a/b c", Range: &oss.ByteRange{Offset: 100, Length: 50},
		Conditions: oss.CopySourceConditions{IfMatch: `"e"`}})
	if err != nil {
		t.Fatal(err)
	}
	call := ws.only()
	if call.Method != http.MethodPut || call.Path != "/b/dst" || call.RawQuery != "partNumber=3&uploadId=U1" {
		t.Errorf("sent %s %s?%s, want PUT /b/dst?partNumber=3&uploadId=U1", call.Method, call.Path, call.RawQuery)
	}
	wantHeaders(t, call, map[string]string{"x-oss-copy-source": "/src/a/b%20c", "x-oss-copy-source-range": "bytes=100-149", "x-oss-copy-source-if-match": `"e"`})
	if res.ETag != `"P1"` || res.CRC64 != 99 || !res.HasCRC64 || res.RequestID != "REQ1" || res.LastModified.IsZero() {
		t.Errorf("result %+v", *res)
	}

	t.Run("whole source", func(t *testing.T) {
		c, ws := newWire(t, replyXML(`<CopyPartResult><ETag>"P1"</ETag></CopyPartResult>`))
		if _, err := c.UploadPartCopy(t.Context(), &oss.UploadPartCopyRequest{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 1, SourceKey: "s"}); err != nil {
			t.Fatal(err)
		}
		wantHeaders(t, ws.only(), map[string]string{"x-oss-copy-source": "/b/s", "x-oss-copy-source-range": ""})
	})

	t.Run("invalid", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		for _, req := range []oss.UploadPartCopyRequest{
			{Bucket: "b", Key: "k", PartNumber: 1, SourceKey: "s"},
			{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 0, SourceKey: "s"},
			{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 10001, SourceKey: "s"},
			{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 1},
			{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 1, SourceKey: "s", Range: &oss.ByteRange{Offset: 5}},
			{Bucket: "b", Key: "k", UploadID: "U", PartNumber: 1, SourceKey: "s", Range: &oss.ByteRange{Offset: -1, Length: 5}},
		} {
			if _, err := c.UploadPartCopy(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("%+v: err = %v, want ErrInvalidArgument", req, err)
			}
		}
		if n := ws.count(); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
	})
}
