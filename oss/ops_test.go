package oss_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// combo is one way of talking to the server: a signature version and an
// addressing style. Every operation test runs under all four.
type combo struct {
	sig     oss.SignatureVersion
	virtual bool
}

func (c combo) String() string {
	s := "V4"
	if c.sig == oss.SignatureV1 {
		s = "V1"
	}
	if c.virtual {
		return s + "/virtual-hosted"
	}
	return s + "/path"
}

// start runs a server for the combination; opts supplies the rest.
func (c combo) start(t *testing.T, opts osstest.Options) *opsEnv {
	t.Helper()
	opts.SignatureVersion, opts.VirtualHosted = c.sig, c.virtual
	return &opsEnv{Env: osstest.Start(t, opts), t: t}
}

// forEachCombo runs f as a parallel subtest for each combination.
func forEachCombo(t *testing.T, f func(t *testing.T, c combo)) {
	t.Helper()
	for _, sig := range []oss.SignatureVersion{oss.SignatureV4, oss.SignatureV1} {
		for _, virtual := range []bool{false, true} {
			c := combo{sig: sig, virtual: virtual}
			t.Run(c.String(), func(t *testing.T) {
				t.Parallel()
				f(t, c)
			})
		}
	}
}

// opsEnv is an osstest environment with shorthands that fail the test.
type opsEnv struct {
	*osstest.Env
	t *testing.T
}

func (e *opsEnv) put(key string, data []byte, meta oss.ObjectMetadata) *oss.PutObjectResult {
	e.t.Helper()
	res, err := e.Client.PutObject(e.t.Context(), &oss.PutObjectRequest{Bucket: e.Bucket, Key: key, Body: bytes.NewReader(data), Size: int64(len(data)), ObjectMetadata: meta})
	if err != nil {
		e.t.Fatalf("PutObject %q: %v", key, err)
	}
	return res
}

// get reads a whole object, CRC check included.
func (e *opsEnv) get(key string) ([]byte, oss.ObjectInfo) {
	e.t.Helper()
	res, err := e.Client.GetObject(e.t.Context(), &oss.GetObjectRequest{Bucket: e.Bucket, Key: key})
	if err != nil {
		e.t.Fatalf("GetObject %q: %v", key, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("GetObject %q: read: %v", key, err)
	}
	return data, res.Object
}

func (e *opsEnv) createBucket(req *oss.PutBucketRequest) {
	e.t.Helper()
	if _, err := e.Client.PutBucket(e.t.Context(), req); err != nil {
		e.t.Fatalf("PutBucket %q: %v", req.Bucket, err)
	}
}

// listKeys lists a bucket's keys, one page of 1000.
func (e *opsEnv) listKeys(bucket string) []string {
	e.t.Helper()
	var keys []string
	for page, err := range e.Client.ListObjectsV2(e.t.Context(), &oss.ListObjectsV2Request{Bucket: bucket}) {
		if err != nil {
			e.t.Fatalf("ListObjectsV2 %q: %v", bucket, err)
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// serviceError returns the *oss.ServiceError in err, failing the test
// when there is none or its code is not want.
func serviceError(t *testing.T, err error, want *oss.ServiceError) *oss.ServiceError {
	t.Helper()
	se, ok := errors.AsType[*oss.ServiceError](err)
	if !ok || !errors.Is(err, want) {
		t.Fatalf("err = %v, want a %s *oss.ServiceError", err, want.Code)
	}
	return se
}

// pattern returns n bytes that differ from part to part and from seed to
// seed, so that a misplaced byte changes the CRC.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*31 + seed*7) ^ (i >> 8))
	}
	return b
}

func TestPutBucket(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{Bucket: "-"})
		ctx := t.Context()
		e.createBucket(&oss.PutBucketRequest{Bucket: "public-ia", ACL: "public-read", StorageClass: "IA"})
		e.createBucket(&oss.PutBucketRequest{Bucket: "private-std"})
		// Re-creating with the same settings is fine; changing the storage
		// class is not.
		e.createBucket(&oss.PutBucketRequest{Bucket: "public-ia", ACL: "public-read", StorageClass: "IA"})
		_, err := e.Client.PutBucket(ctx, &oss.PutBucketRequest{Bucket: "public-ia", StorageClass: "Archive"})
		serviceError(t, err, oss.ErrBucketAlreadyExists)

		got := map[string]string{}
		for page, err := range e.Client.ListBuckets(ctx, &oss.ListBucketsRequest{}) {
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range page.Buckets {
				got[b.Name] = b.StorageClass
				if b.CreationDate.IsZero() || b.Location == "" {
					t.Errorf("bucket %q: CreationDate %v, Location %q", b.Name, b.CreationDate, b.Location)
				}
			}
		}
		if want := map[string]string{"public-ia": "IA", "private-std": "Standard"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("buckets = %v, want %v", got, want)
		}

		// The ACL shows in what anonymous callers may do: read objects of
		// the public-read bucket only.
		for _, tc := range []struct {
			bucket     string
			wantStatus int
		}{
			{"public-ia", http.StatusOK},
			{"private-std", http.StatusForbidden},
		} {
			if _, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: tc.bucket, Key: "k", Body: bytes.NewReader([]byte("x")), Size: 1}); err != nil {
				t.Fatal(err)
			}
			u, err := e.Client.Presign(ctx, &oss.PresignRequest{Bucket: tc.bucket, Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			// The presigned URL's host and path, without its signature.
			anon := *mustParseURL(t, u.URL)
			anon.RawQuery = ""
			if status, _ := fetch(t, e, http.MethodGet, anon.String(), nil, nil); status != tc.wantStatus {
				t.Errorf("anonymous GET in %s: status %d, want %d", tc.bucket, status, tc.wantStatus)
			}
		}
		_, err = e.Client.PutBucket(ctx, &oss.PutBucketRequest{Bucket: "Bad_Name"})
		serviceError(t, err, &oss.ServiceError{Code: "InvalidBucketName"})
	})
}

func TestDeleteBucket(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		e.put("obj", []byte("data"), oss.ObjectMetadata{})
		serviceError(t, errOf(e.Client.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: e.Bucket})), oss.ErrBucketNotEmpty)
		if _, err := e.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: e.Bucket, Key: "obj"}); err != nil {
			t.Fatal(err)
		}
		init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: "upload"})
		if err != nil {
			t.Fatal(err)
		}
		id := init.UploadID
		// An upload in progress holds the bucket too.
		se := serviceError(t, errOf(e.Client.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: e.Bucket})), oss.ErrBucketNotEmpty)
		if se.StatusCode != http.StatusConflict {
			t.Errorf("StatusCode = %d, want 409", se.StatusCode)
		}
		if _, err := e.Client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: e.Bucket, Key: "upload", UploadID: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Client.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: e.Bucket}); err != nil {
			t.Fatalf("DeleteBucket of an empty bucket: %v", err)
		}
		serviceError(t, errOf(e.Client.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: e.Bucket})), oss.ErrNoSuchBucket)
		_, err = e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: "obj"})
		serviceError(t, err, oss.ErrNoSuchBucket)
	})
}

func TestListBuckets(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{Bucket: "-"})
		var want []string
		for i := range 7 {
			name := fmt.Sprintf("lb-%02d", i)
			want = append(want, name)
			e.createBucket(&oss.PutBucketRequest{Bucket: name})
		}
		e.createBucket(&oss.PutBucketRequest{Bucket: "la-other"})
		e.createBucket(&oss.PutBucketRequest{Bucket: "lc-other"})
		tests := []struct {
			req       oss.ListBucketsRequest
			want      []string
			wantPages int
		}{
			{oss.ListBucketsRequest{Prefix: "lb-"}, want, 1},
			{oss.ListBucketsRequest{Prefix: "lb-", PageSize: 1}, want, 7},
			{oss.ListBucketsRequest{Prefix: "lb-", PageSize: 2}, want, 4},
			{oss.ListBucketsRequest{Prefix: "lb-", PageSize: 7}, want, 1},
			{oss.ListBucketsRequest{Prefix: "lb-", PageSize: 3, Marker: "lb-02"}, want[3:], 2},
			{oss.ListBucketsRequest{PageSize: 4}, append(append([]string{"la-other"}, want...), "lc-other"), 3},
			{oss.ListBucketsRequest{Prefix: "none-"}, nil, 1},
		}
		for _, tc := range tests {
			var got []string
			pages := 0
			for page, err := range e.Client.ListBuckets(t.Context(), &tc.req) {
				if err != nil {
					t.Fatalf("%+v: %v", tc.req, err)
				}
				pages++
				if tc.req.PageSize > 0 && len(page.Buckets) > tc.req.PageSize {
					t.Errorf("%+v: page of %d buckets", tc.req, len(page.Buckets))
				}
				for _, b := range page.Buckets {
					got = append(got, b.Name)
				}
			}
			if !slices.Equal(got, tc.want) || pages != tc.wantPages {
				t.Errorf("%+v: got %v in %d pages, want %v in %d", tc.req, got, pages, tc.want, tc.wantPages)
			}
		}
	})
}

// checkCRC64 fails unless crc is the CRC-64/ECMA of data.
func checkCRC64(t *testing.T, what string, crc uint64, data []byte) {
	t.Helper()
	if want := crc64.Checksum(data); crc != want {
		t.Errorf("%s: CRC64 = %d, want %d", what, crc, want)
	}
}
