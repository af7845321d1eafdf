package oss_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
)

func TestObjectTaggingWire(t *testing.T) {
	tags := []oss.Tag{{Key: "z", Value: "1"}, {Key: "a b", Value: "<&>"}, {Key: "empty", Value: ""}}
	t.Run("put", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) { w.Header().Set("x-oss-version-id", "v2") })
		res, err := c.PutObjectTagging(t.Context(), &oss.PutObjectTaggingRequest{Bucket: "b", Key: "k", Tags: tags, VersionID: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		call := ws.only()
		if call.Method != http.MethodPut || call.Path != "/b/k" || call.RawQuery != "tagging&versionId=v1" {
			t.Errorf("sent %s %s?%s, want PUT /b/k?tagging&versionId=v1", call.Method, call.Path, call.RawQuery)
		}
		wantXMLBody(t, call, `<Tagging><TagSet><Tag><Key>z</Key><Value>1</Value></Tag><Tag><Key>a b</Key><Value>&lt;&amp;&gt;</Value></Tag><Tag><Key>empty</Key><Value></Value></Tag></TagSet></Tagging>`)
		if res.VersionID != "v2" || res.RequestID != "REQ1" {
			t.Errorf("result %+v", *res)
		}
	})
	t.Run("put empty set", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		if _, err := c.PutObjectTagging(t.Context(), &oss.PutObjectTaggingRequest{Bucket: "b", Key: "k"}); err != nil {
			t.Fatal(err)
		}
		wantXMLBody(t, ws.only(), `<Tagging><TagSet></TagSet></Tagging>`)
	})
	t.Run("get", func(t *testing.T) {
		c, ws := newWire(t, replyXML(`<?xml version="1.0" encoding="UTF-8"?>
<Tagging>
  <TagSet>
    <Tag><Key>z</Key><Value>1</Value></Tag>
    <Tag><Key>a b</Key><Value>&lt;&amp;&gt;</Value></Tag>
    <Tag><Key>empty</Key><Value></Value></Tag>
  </TagSet>
</Tagging>`))
		res, err := c.GetObjectTagging(t.Context(), &oss.GetObjectTaggingRequest{Bucket: "b", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		if call := ws.only(); call.Method != http.MethodGet || call.RawQuery != "tagging" {
			t.Errorf("sent %s ?%s, want GET ?tagging", call.Method, call.RawQuery)
		}
		if !slices.Equal(res.Tags, tags) {
			t.Errorf("tags %v, want %v (in the service's order)", res.Tags, tags)
		}
	})
	t.Run("get none", func(t *testing.T) {
		c, _ := newWire(t, replyXML(`<Tagging><TagSet/></Tagging>`))
		res, err := c.GetObjectTagging(t.Context(), &oss.GetObjectTaggingRequest{Bucket: "b", Key: "k"})
		if err != nil || len(res.Tags) != 0 {
			t.Fatalf("tags %v, err %v; want none", res, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) { w.WriteHeader(http.StatusNoContent) })
		if _, err := c.DeleteObjectTagging(t.Context(), &oss.DeleteObjectTaggingRequest{Bucket: "b", Key: "k"}); err != nil {
			t.Fatal(err)
		}
		if call := ws.only(); call.Method != http.MethodDelete || call.RawQuery != "tagging" {
			t.Errorf("sent %s ?%s, want DELETE ?tagging", call.Method, call.RawQuery)
		}
	})
	t.Run("missing object", func(t *testing.T) {
		c, _ := newWire(t, replyError(http.StatusNotFound, "NoSuchKey"))
		_, err := c.GetObjectTagging(t.Context(), &oss.GetObjectTaggingRequest{Bucket: "b", Key: "k"})
		serviceError(t, err, oss.ErrNoSuchKey)
	})
}

// TestTaggingHeader checks that the tags of ObjectMetadata go out as
// x-oss-tagging on the operations that create objects.
func TestTaggingHeader(t *testing.T) {
	meta := oss.ObjectMetadata{Tags: []oss.Tag{{Key: "k 1", Value: "v=1&2"}, {Key: "中", Value: "+"}}}
	const want = "k%201=v%3D1%262&%E4%B8%AD=%2B"
	c, ws := newWire(t, func(w http.ResponseWriter, call wireCall) {
		if strings.Contains(call.RawQuery, "uploads") {
			replyXML(`<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>U</UploadId></InitiateMultipartUploadResult>`)(w, call)
		}
	})
	if _, err := c.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: "b", Key: "k", Body: bytes.NewReader(nil), ObjectMetadata: meta}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InitiateMultipartUpload(t.Context(), &oss.InitiateMultipartUploadRequest{Bucket: "b", Key: "k", ObjectMetadata: meta}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", ObjectMetadata: meta}); err != nil {
		t.Fatal(err)
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, call := range ws.calls {
		if got := call.Header.Get("x-oss-tagging"); got != want {
			t.Errorf("%s ?%s: x-oss-tagging %q, want %q", call.Method, call.RawQuery, got, want)
		}
	}
}

func TestTaggingLimits(t *testing.T) {
	tags := func(n int) []oss.Tag {
		out := make([]oss.Tag, n)
		for i := range out {
			out[i] = oss.Tag{Key: "k" + strings.Repeat("x", i)}
		}
		return out
	}
	tests := []struct {
		name string
		tags []oss.Tag
		ok   bool
	}{
		{"ten tags", tags(10), true},
		{"eleven tags", tags(11), false},
		{"empty key", []oss.Tag{{Key: "", Value: "v"}}, false},
		{"key of 128 characters", []oss.Tag{{Key: strings.Repeat("é", 128)}}, true},
		{"key of 129 characters", []oss.Tag{{Key: strings.Repeat("k", 129)}}, false},
		{"value of 256 characters", []oss.Tag{{Key: "k", Value: strings.Repeat("v", 256)}}, true},
		{"value of 257 characters", []oss.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, false},
		{"duplicate key", []oss.Tag{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}, false},
		{"invalid UTF-8", []oss.Tag{{Key: "k\xff"}}, false},
	}
	c, ws := newWire(t, replyOK)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			errs := []error{
				errOf(c.PutObjectTagging(ctx, &oss.PutObjectTaggingRequest{Bucket: "b", Key: "k", Tags: tc.tags})),
				errOf(c.PutObject(ctx, &oss.PutObjectRequest{Bucket: "b", Key: "k", ObjectMetadata: oss.ObjectMetadata{Tags: tc.tags}})),
			}
			for i, err := range errs {
				if tc.ok && err != nil || !tc.ok && !errors.Is(err, oss.ErrInvalidArgument) {
					t.Errorf("call %d: err = %v, want ok=%v", i, err, tc.ok)
				}
			}
		})
	}
	if got, want := ws.count(), 2*3; got != want {
		t.Errorf("%d requests, want %d (only valid tag sets are sent)", got, want)
	}
}
