package oss_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func TestCopyFile(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		data := pattern(3, 3<<20+12345)
		e.put("src", data, oss.ObjectMetadata{ContentType: "video/mp4", User: map[string]string{"k": "v"},
			Tags: []oss.Tag{{Key: "t", Value: "1"}}})

		// Below the threshold: one CopyObject.
		res, err := e.Client.CopyFile(ctx, &oss.CopyFileRequest{Bucket: e.Bucket, Key: "whole", SourceKey: "src"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Parts != 0 || !res.Verified || res.CRC64 != crc64.Checksum(data) {
			t.Errorf("whole copy = %+v", res)
		}

		// Above it: parts copied three at a time, metadata and tags kept.
		var last oss.ProgressEvent
		calls := 0
		res, err = e.Client.CopyFile(ctx, &oss.CopyFileRequest{
			Bucket: e.Bucket, Key: "parts", SourceKey: "src", Threshold: 1 << 20, PartSize: 512 << 10, TaskNum: 3,
			Progress: func(p oss.ProgressEvent) { last, calls = p, calls+1 },
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Parts != 7 || !res.Verified || calls != 7 || last.Done != int64(len(data)) || last.Total != int64(len(data)) {
			t.Errorf("part copy = %+v, %d progress calls, last %+v", res, calls, last)
		}
		for _, key := range []string{"whole", "parts"} {
			got, info := e.get(key)
			if md5Hex(got) != md5Hex(data) || info.ObjectMetadata.ContentType != "video/mp4" || info.ObjectMetadata.User["k"] != "v" || info.TagCount != 1 {
				t.Errorf("%s: %d bytes, MD5 %s, info %+v", key, len(got), md5Hex(got), info)
			}
		}

		// Replaced metadata.
		_, err = e.Client.CopyFile(ctx, &oss.CopyFileRequest{
			Bucket: e.Bucket, Key: "meta", SourceKey: "src", Threshold: 1 << 20, PartSize: 1 << 20,
			ReplaceMetadata: true, ObjectMetadata: oss.ObjectMetadata{ContentType: "text/plain"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, info := e.get("meta"); info.ObjectMetadata.ContentType != "text/plain" || info.ObjectMetadata.User != nil {
			t.Errorf("replaced metadata: %+v", info.ObjectMetadata)
		}

		// The source replaced during a part copy: the copy fails, leaves no
		// object and no upload.
		replaced := false
		_, err = e.Client.CopyFile(ctx, &oss.CopyFileRequest{
			Bucket: e.Bucket, Key: "torn", SourceKey: "src", Threshold: 1 << 20, PartSize: 512 << 10,
			Progress: func(oss.ProgressEvent) {
				if !replaced {
					replaced = true
					e.put("src", pattern(4, 3<<20+12345), oss.ObjectMetadata{})
				}
			},
		})
		serviceError(t, err, oss.ErrPreconditionFailed)
		if _, err := e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "torn"}); err == nil {
			t.Error("a failed copy left its destination")
		}
		for page, err := range e.Client.ListMultipartUploads(ctx, &oss.ListMultipartUploadsRequest{Bucket: e.Bucket}) {
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Uploads) != 0 {
				t.Errorf("uploads left: %+v", page.Uploads)
			}
		}

		// Bad arguments are refused before any request.
		_, err = e.Client.CopyFile(ctx, &oss.CopyFileRequest{Bucket: e.Bucket, Key: "x", SourceKey: "src", Threshold: 1, PartSize: 1000})
		if err == nil {
			t.Error("a part size of 1000 bytes was accepted")
		}
		_, err = e.Client.CopyFile(ctx, &oss.CopyFileRequest{Bucket: e.Bucket, Key: "x", SourceKey: "nope"})
		serviceError(t, err, oss.ErrNoSuchKey)
	})
}

// dropArmedCompleteAnswer lets the server complete the next multipart
// upload and then cuts the connection instead of answering; it disarms
// itself.
func dropArmedCompleteAnswer(armed *atomic.Bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !r.URL.Query().Has("uploadId") || !armed.CompareAndSwap(true, false) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				w.WriteHeader(http.StatusTeapot) // fails the test: the Complete to drop was refused
				return
			}
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		})
	}
}

// TestCopyFileLostCompleteAnswer: the service completes the copy but its
// answer is lost; the retried Complete finds no upload, and CopyFile
// recognises the copy by its size and CRC-64 instead of failing.
func TestCopyFileLostCompleteAnswer(t *testing.T) {
	var armed atomic.Bool
	e := combo{}.start(t, osstest.Options{Middleware: dropArmedCompleteAnswer(&armed)})
	data := pattern(5, 2<<20+77)
	e.put("src", data, oss.ObjectMetadata{})
	armed.Store(true)
	res, err := e.Client.CopyFile(t.Context(), &oss.CopyFileRequest{Bucket: e.Bucket, Key: "dst", SourceKey: "src", Threshold: 1 << 20, PartSize: 512 << 10})
	if err != nil {
		t.Fatalf("CopyFile after a lost Complete answer: %v", err)
	}
	if armed.Load() || !res.Verified || res.Parts != 5 {
		t.Errorf("result %+v; answer dropped: %v", res, !armed.Load())
	}
	if got, _ := e.get("dst"); md5Hex(got) != md5Hex(data) {
		t.Error("copy differs from the source")
	}
}
