package oss_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func TestPutObjectMetadata(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		meta := oss.ObjectMetadata{
			ContentType:        "text/plain; charset=utf-8",
			CacheControl:       "no-cache",
			ContentDisposition: `attachment; filename="a.txt"`,
			ContentEncoding:    "gzip",
			Expires:            "Thu, 01 Jan 2037 00:00:00 GMT",
			ACL:                "public-read",
			StorageClass:       "IA",
			User:               map[string]string{"Author": "alice", "x-y": "z w"},
		}
		data := []byte("not really gzip")
		res := e.put("meta.txt", data, meta)
		checkCRC64(t, "PutObject", res.CRC64, data)
		if res.RequestID == "" || !strings.HasPrefix(res.ETag, `"`) {
			t.Errorf("PutObject result %+v: want a request id and a quoted ETag", res)
		}

		// What comes back: user metadata names lower-cased, no ACL (it is
		// not a header of GET or HEAD; GetObjectAcl reports it).
		want := meta
		want.ACL = ""
		want.User = map[string]string{"author": "alice", "x-y": "z w"}
		head, err := e.Client.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "meta.txt"})
		if err != nil {
			t.Fatal(err)
		}
		got, info := e.get("meta.txt")
		if !bytes.Equal(got, data) {
			t.Errorf("GetObject = %q, want %q", got, data)
		}
		if head.RequestID == "" {
			t.Error("HeadObject: no request id")
		}
		for name, oi := range map[string]oss.ObjectInfo{"HeadObject": head.Object, "GetObject": info} {
			if !reflect.DeepEqual(oi.ObjectMetadata, want) {
				t.Errorf("%s metadata:\n got %+v\nwant %+v", name, oi.ObjectMetadata, want)
			}
			if oi.Size != int64(len(data)) || oi.ETag != res.ETag || oi.ObjectType != "Normal" || oi.LastModified.IsZero() {
				t.Errorf("%s: %+v", name, oi)
			}
			if !oi.HasCRC64 {
				t.Errorf("%s: no CRC-64", name)
			}
			checkCRC64(t, name, oi.CRC64, data)
		}
		if acl := objectACL(t, e, "meta.txt"); acl != "public-read" {
			t.Errorf("object ACL = %q, want public-read", acl)
		}

		// Without metadata: the defaults.
		e.put("plain", data, oss.ObjectMetadata{})
		head, err = e.Client.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "plain"})
		if err != nil {
			t.Fatal(err)
		}
		if want := (oss.ObjectMetadata{ContentType: "application/octet-stream", StorageClass: "Standard"}); !reflect.DeepEqual(head.Object.ObjectMetadata, want) {
			t.Errorf("default metadata = %+v, want %+v", head.Object.ObjectMetadata, want)
		}
		if acl := objectACL(t, e, "plain"); acl != "default" {
			t.Errorf("object ACL = %q, want default", acl)
		}
	})
}

// A Config.HTTPClient whose transport asks for gzip and inflates answers
// must not change the bytes of an object stored with Content-Encoding: gzip.
func TestGetObjectCompressingTransport(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{Client: func(cfg *oss.Config) {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			if cfg.HTTPClient != nil { // virtual-hosted: keep its dialer
				tr = cfg.HTTPClient.Transport.(*http.Transport).Clone()
			}
			tr.DisableCompression = false
			cfg.HTTPClient = &http.Client{Transport: tr}
		}})
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		if _, err := zw.Write([]byte("hello, gzip")); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		e.put("z.gz", gz.Bytes(), oss.ObjectMetadata{ContentEncoding: "gzip"})
		got, info := e.get("z.gz")
		if !bytes.Equal(got, gz.Bytes()) || info.ObjectMetadata.ContentEncoding != "gzip" {
			t.Errorf("read %q (Content-Encoding %q), want the %d stored bytes", got, info.ObjectMetadata.ContentEncoding, gz.Len())
		}
	})
}

// objectACL fetches an object's ACL (GetObjectAcl) through a presigned URL.
func objectACL(t *testing.T, e *opsEnv, key string) string {
	t.Helper()
	u, err := e.Client.Presign(t.Context(), &oss.PresignRequest{Bucket: e.Bucket, Key: key, Query: url.Values{"acl": {""}}})
	if err != nil {
		t.Fatal(err)
	}
	status, body := fetch(t, e, http.MethodGet, u.URL, nil, nil)
	var acp ossxml.AccessControlPolicy
	if err := ossxml.Unmarshal(body, &acp); status != http.StatusOK || err != nil {
		t.Fatalf("GetObjectAcl: status %d, %v: %s", status, err, body)
	}
	return acp.AccessControlList.Grant
}

func TestPutObjectForbidOverwrite(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		put := func(key, data string) error {
			_, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: key, Body: strings.NewReader(data), Size: int64(len(data)), ForbidOverwrite: true})
			return err
		}
		if err := put("once", "first"); err != nil {
			t.Fatalf("ForbidOverwrite on a new key: %v", err)
		}
		err := put("once", "second")
		if !errors.Is(err, oss.ErrFileAlreadyExists) {
			t.Fatalf("second put: %v, want ErrFileAlreadyExists", err)
		}
		if got, _ := e.get("once"); string(got) != "first" {
			t.Errorf("after refused overwrite: %q, want %q", got, "first")
		}
	})
}

func TestPutObjectEmpty(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		for key, body := range map[string]io.Reader{"nil-body": nil, "empty-reader": bytes.NewReader(nil)} {
			res, err := e.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: e.Bucket, Key: key, Body: body})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if res.CRC64 != 0 || res.ETag != `"D41D8CD98F00B204E9800998ECF8427E"` {
				t.Errorf("%s: %+v, want CRC 0 and the MD5 of nothing", key, res)
			}
			got, info := e.get(key)
			if len(got) != 0 || info.Size != 0 || !info.HasCRC64 || info.CRC64 != 0 {
				t.Errorf("%s: read %q, info %+v", key, got, info)
			}
		}
	})
}

func TestOddKeys(t *testing.T) {
	keys := []string{
		"with space", "a+b", "100%", "%2F", "a%20b", "ünïcødé/日本語.txt", "a//b", "dir/", "../../x",
		"./.", "q?x=1&y#frag", "~tilde;semi:colon,comma", "emoji 🙂", strings.Repeat("k", 1023),
	}
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		for i, key := range keys {
			data := pattern(i, 10+i)
			e.put(key, data, oss.ObjectMetadata{})
			if got, _ := e.get(key); !bytes.Equal(got, data) {
				t.Errorf("key %q: read %q, want %q", key, got, data)
			}
			if _, err := e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: key}); err != nil {
				t.Errorf("HeadObject %q: %v", key, err)
			}
		}
		want := slices.Sorted(slices.Values(keys))
		if got := e.listKeys(e.Bucket); !slices.Equal(got, want) {
			t.Errorf("listed keys:\n got %q\nwant %q", got, want)
		}
		for _, key := range keys {
			if _, err := e.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: e.Bucket, Key: key}); err != nil {
				t.Errorf("DeleteObject %q: %v", key, err)
			}
		}
		if got := e.listKeys(e.Bucket); len(got) != 0 {
			t.Errorf("after deleting every key: %q", got)
		}
	})
}

func TestGetObjectRange(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		data := pattern(1, 1000)
		e.put("r", data, oss.ObjectMetadata{})
		tests := []struct {
			offset, length int64
			want           []byte
			wantRange      string // Content-Range; empty for a whole-object 200
		}{
			{0, 0, data, ""},
			{0, 10, data[:10], "bytes 0-9/1000"},
			{990, 10, data[990:], "bytes 990-999/1000"},
			{500, 0, data[500:], "bytes 500-999/1000"},
			{999, 0, data[999:], "bytes 999-999/1000"},
			{900, 5000, data[900:], "bytes 900-999/1000"}, // clipped
		}
		for _, tc := range tests {
			res, err := e.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: e.Bucket, Key: "r", Range: &oss.ByteRange{Offset: tc.offset, Length: tc.length}})
			if err != nil {
				t.Fatalf("offset %d length %d: %v", tc.offset, tc.length, err)
			}
			got, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatalf("offset %d length %d: read: %v", tc.offset, tc.length, err)
			}
			if !bytes.Equal(got, tc.want) || res.ContentRange != tc.wantRange || res.ContentLength != int64(len(tc.want)) {
				t.Errorf("offset %d length %d: %d bytes (equal %v), Content-Range %q, ContentLength %d; want %d bytes, %q",
					tc.offset, tc.length, len(got), bytes.Equal(got, tc.want), res.ContentRange, res.ContentLength, len(tc.want), tc.wantRange)
			}
			// A ranged answer still reports the whole object's size and CRC.
			checkCRC64(t, "ranged GetObject", res.Object.CRC64, data)
		}
		for _, offset := range []int64{1000, 5000} {
			_, err := e.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: e.Bucket, Key: "r", Range: &oss.ByteRange{Offset: offset}})
			se := serviceError(t, err, &oss.ServiceError{Code: "InvalidRange"})
			if se.StatusCode != http.StatusRequestedRangeNotSatisfiable {
				t.Errorf("offset %d: status %d, want 416", offset, se.StatusCode)
			}
		}
	})
}

func TestHeadObjectMissing(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		_, err := e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "missing"})
		se := serviceError(t, err, oss.ErrNoSuchKey)
		if se.StatusCode != http.StatusNotFound || len(se.RequestID) != 24 || se.EC != "0026-00000001" || se.HostID == "" {
			t.Errorf("HEAD error %#v: want status 404, a 24-character request id, EC and host id", se)
		}
		if errors.Is(err, oss.ErrNoSuchBucket) {
			t.Errorf("NoSuchKey matches ErrNoSuchBucket")
		}
		if msg := err.Error(); !strings.Contains(msg, se.RequestID) || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line naming the request id", msg)
		}
		// The same through GET, whose error is a body rather than x-oss-err.
		_, err = e.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: e.Bucket, Key: "missing"})
		if se := serviceError(t, err, oss.ErrNoSuchKey); se.Message == "" || se.RequestID == "" {
			t.Errorf("GET error %#v: want a message and a request id", se)
		}
		_, err = e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: "no-such-bucket", Key: "k"})
		serviceError(t, err, oss.ErrNoSuchBucket)
	})
}

func TestDeleteObject(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		e.put("gone", []byte("x"), oss.ObjectMetadata{})
		for range 2 { // deleting a missing key is not an error
			if _, err := e.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: e.Bucket, Key: "gone"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "gone"})
		serviceError(t, err, oss.ErrNoSuchKey)
		serviceError(t, errOf(e.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: "no-such-bucket", Key: "gone"})), oss.ErrNoSuchBucket)
	})
}

func TestDeleteObjects(t *testing.T) {
	keys := []string{"plain", "ctl\x01\x0b\x0c\x1f", "tab\tnew\nline\rcr", "amp&lt;<x>", "ünï", "sp ace+plus%"}
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		for _, quiet := range []bool{false, true} {
			for _, k := range keys {
				e.put(k, []byte(k), oss.ObjectMetadata{})
			}
			e.put("kept", nil, oss.ObjectMetadata{})
			names := append(slices.Clone(keys), "never-existed")
			res, err := e.Client.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: e.Bucket, Keys: names, Quiet: quiet})
			if err != nil {
				t.Fatalf("quiet %v: %v", quiet, err)
			}
			got := res.Deleted
			if res.RequestID == "" {
				t.Errorf("quiet %v: no request id", quiet)
			}
			want := names
			if quiet {
				want = nil
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
				t.Errorf("quiet %v: deleted %q, want %q", quiet, got, want)
			}
			if left := e.listKeys(e.Bucket); !slices.Equal(left, []string{"kept"}) {
				t.Errorf("quiet %v: left %q, want only kept", quiet, left)
			}
		}
		_, err := e.Client.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: "no-such-bucket", Keys: []string{"k"}})
		serviceError(t, err, oss.ErrNoSuchBucket)
	})
}
