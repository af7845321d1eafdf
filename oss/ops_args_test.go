package oss_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// recorder is an osstest Middleware that keeps the requests the server
// receives.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request // clones, bodies not kept
}

func (rec *recorder) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(context.Background()))
		rec.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.reqs)
}

func (rec *recorder) last() *http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.reqs[len(rec.reqs)-1]
}

func TestTrafficLimit(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := &recorder{}
		e := c.start(t, osstest.Options{Middleware: rec.middleware})
		ctx := t.Context()
		const limit = 8 * 1024 * 1024 // 1 MiB/s
		data := []byte("limited")
		if _, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: "k", Body: strings.NewReader("limited"), Size: 7, TrafficLimit: limit}); err != nil {
			t.Fatal(err)
		}
		if got := rec.last().Header.Get("x-oss-traffic-limit"); got != "8388608" {
			t.Errorf("PutObject sent x-oss-traffic-limit %q, want 8388608", got)
		}
		res, err := e.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: e.Bucket, Key: "k", TrafficLimit: oss.MinTrafficLimit})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := rec.last().Header.Get("x-oss-traffic-limit"); got != "819200" {
			t.Errorf("GetObject sent x-oss-traffic-limit %q, want 819200", got)
		}
		init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		id := init.UploadID
		if _, err := e.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: e.Bucket, Key: "k", UploadID: id, PartNumber: 1, Body: strings.NewReader("limited"), Size: 7, TrafficLimit: oss.MaxTrafficLimit}); err != nil {
			t.Fatal(err)
		}
		if got := rec.last().Header.Get("x-oss-traffic-limit"); got != "838860800" {
			t.Errorf("UploadPart sent x-oss-traffic-limit %q, want 838860800", got)
		}
		e.put("unlimited", data, oss.ObjectMetadata{})
		if got, ok := rec.last().Header["X-Oss-Traffic-Limit"]; ok {
			t.Errorf("PutObject without a limit sent x-oss-traffic-limit %q", got)
		}

		before := rec.count()
		for _, bad := range []int64{-1, 1, oss.MinTrafficLimit - 1, oss.MaxTrafficLimit + 1} {
			_, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: "k", Body: strings.NewReader("x"), Size: 1, TrafficLimit: bad})
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("PutObject, limit %d: %v, want ErrInvalidArgument", bad, err)
			}
			_, err = e.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: e.Bucket, Key: "k", TrafficLimit: bad})
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("GetObject, limit %d: %v, want ErrInvalidArgument", bad, err)
			}
			_, err = e.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: e.Bucket, Key: "k", UploadID: id, PartNumber: 1, TrafficLimit: bad})
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("UploadPart, limit %d: %v, want ErrInvalidArgument", bad, err)
			}
		}
		if n := rec.count() - before; n != 0 {
			t.Errorf("out-of-range limits sent %d requests", n)
		}
	})
}

// firstErr runs an iterator to its first error.
// errOf returns the error of a (result, error) pair.
func errOf[T any](_ T, err error) error { return err }

func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestInvalidArguments(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := &recorder{}
		e := c.start(t, osstest.Options{Middleware: rec.middleware})
		ctx, cl, b := t.Context(), e.Client, e.Bucket
		body := func() *strings.Reader { return strings.NewReader("x") }
		put := func(bucket, key string) error {
			_, err := cl.PutObject(ctx, &oss.PutObjectRequest{Bucket: bucket, Key: key, Body: body(), Size: 1})
			return err
		}
		part := func(n int, id string, size int64) error {
			_, err := cl.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: "k", UploadID: id, PartNumber: n, Body: body(), Size: size})
			return err
		}
		complete := func(req oss.CompleteMultipartUploadRequest) error {
			_, err := cl.CompleteMultipartUpload(ctx, &req)
			return err
		}
		presign := func(req oss.PresignRequest) error {
			_, err := cl.Presign(ctx, &req)
			return err
		}
		one := []oss.UploadedPart{{PartNumber: 1, ETag: `"E"`}}
		tests := []struct {
			name string
			err  error
		}{
			{"PutObject empty bucket", put("", "k")},
			{"PutObject empty key", put(b, "")},
			{"PutObject leading slash", put(b, "/k")},
			{"PutObject leading backslash", put(b, `\k`)},
			{"PutObject negative size", func() error {
				_, err := cl.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "k", Size: -1})
				return err
			}()},
			{"PutObject size without body", func() error {
				_, err := cl.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "k", Size: 10})
				return err
			}()},
			{"PutObject callback without URL", func() error {
				_, err := cl.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "k", Body: body(), Size: 1, Callback: &oss.Callback{Body: "x"}})
				return err
			}()},
			{"PutObject callback var without x:", func() error {
				cb := &oss.Callback{URL: "http://127.0.0.1:1/", Body: "x", Vars: map[string]string{"v": "1"}}
				_, err := cl.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "k", Body: body(), Size: 1, Callback: cb})
				return err
			}()},
			{"GetObject empty key", errOf(cl.GetObject(ctx, &oss.GetObjectRequest{Bucket: b}))},
			{"GetObject negative offset", errOf(cl.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: "k", Range: &oss.ByteRange{Offset: -1}}))},
			{"HeadObject empty bucket", errOf(cl.HeadObject(ctx, &oss.HeadObjectRequest{Key: "k"}))},
			{"HeadObject leading slash", errOf(cl.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: "/k"}))},
			{"DeleteObject empty key", errOf(cl.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b}))},
			{"DeleteObjects no keys", errOf(cl.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: b}))},
			{"DeleteObjects too many keys", errOf(cl.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: b, Keys: make([]string, oss.MaxDeleteObjects+1)}))},
			{"PutBucket empty", errOf(cl.PutBucket(ctx, &oss.PutBucketRequest{}))},
			{"DeleteBucket empty", errOf(cl.DeleteBucket(ctx, &oss.DeleteBucketRequest{}))},
			{"ListObjectsV2 empty bucket", firstErr(cl.ListObjectsV2(ctx, &oss.ListObjectsV2Request{}))},
			{"ListMultipartUploads empty bucket", firstErr(cl.ListMultipartUploads(ctx, &oss.ListMultipartUploadsRequest{}))},
			{"ListParts empty key", firstErr(cl.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, UploadID: "id"}))},
			{"ListParts empty upload id", firstErr(cl.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, Key: "k"}))},
			{"Initiate leading slash", errOf(cl.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: "/k"}))},
			{"UploadPart number 0", part(0, "id", 1)},
			{"UploadPart number 10001", part(oss.MaxPartNumber+1, "id", 1)},
			{"UploadPart number -1", part(-1, "id", 1)},
			{"UploadPart empty upload id", part(1, "", 1)},
			{"UploadPart too large", part(1, "id", oss.MaxPartSize+1)},
			{"Complete no parts", complete(oss.CompleteMultipartUploadRequest{Bucket: b, Key: "k", UploadID: "id"})},
			{"Complete parts and CompleteAll", complete(oss.CompleteMultipartUploadRequest{Bucket: b, Key: "k", UploadID: "id", Parts: one, CompleteAll: true})},
			{"Complete empty upload id", complete(oss.CompleteMultipartUploadRequest{Bucket: b, Key: "k", Parts: one})},
			{"Complete empty key", complete(oss.CompleteMultipartUploadRequest{Bucket: b, UploadID: "id", Parts: one})},
			{"Abort empty upload id", errOf(cl.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: b, Key: "k"}))},
			{"Abort empty bucket", errOf(cl.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Key: "k", UploadID: "id"}))},
			{"Presign key without bucket", presign(oss.PresignRequest{Key: "k"})},
			{"Presign expiry under a second", presign(oss.PresignRequest{Bucket: b, Key: "k", Expires: time.Millisecond})},
		}
		if c.sig == oss.SignatureV4 {
			tests = append(tests, struct {
				name string
				err  error
			}{"Presign V4 expiry over 7 days", presign(oss.PresignRequest{Bucket: b, Key: "k", Expires: 8 * 24 * time.Hour})}) // V1 has no such limit
		}
		for _, tc := range tests {
			if !errors.Is(tc.err, oss.ErrInvalidArgument) {
				t.Errorf("%s: %v, want ErrInvalidArgument", tc.name, tc.err)
			}
			if tc.err != nil && !strings.HasPrefix(tc.err.Error(), "oss: ") {
				t.Errorf("%s: error %q does not start with the package name", tc.name, tc.err)
			}
		}
		if n := rec.count(); n != 1 { // the PutBucket of osstest.Start
			t.Errorf("invalid arguments sent %d requests", n-1)
		}
	})
}
