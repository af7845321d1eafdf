package oss_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// putVersion writes body to key and returns the version id the service
// answered.
func putVersion(t *testing.T, c *oss.Client, bucket, key, body string) string {
	t.Helper()
	res, err := c.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: bucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body))})
	if err != nil {
		t.Fatal(err)
	}
	if res.VersionID == "" {
		t.Fatalf("PutObject %s: no version id", key)
	}
	return res.VersionID
}

// readVersion returns the content of a version of key and the version id
// the service answered with.
func readVersion(ctx context.Context, c *oss.Client, bucket, key, version string) (string, string, error) {
	res, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: key, VersionID: version})
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), res.Object.VersionID, err
}

// versionEntry is one line of a version listing, markers and versions
// alike.
type versionEntry struct {
	key, version string
	latest, mark bool
}

// listVersions lists every version of the bucket through the iterator,
// pageSize entries a page.
func listVersions(t *testing.T, c *oss.Client, bucket string, pageSize int) []versionEntry {
	t.Helper()
	var got []versionEntry
	for page, err := range c.ListObjectVersions(t.Context(), &oss.ListObjectVersionsRequest{Bucket: bucket, PageSize: pageSize}) {
		if err != nil {
			t.Fatal(err)
		}
		if n := len(page.Versions) + len(page.DeleteMarkers); n > pageSize {
			t.Fatalf("page of %d entries, asked for %d", n, pageSize)
		}
		for _, v := range page.Versions {
			got = append(got, versionEntry{v.Key, v.VersionID, v.IsLatest, false})
		}
		for _, m := range page.DeleteMarkers {
			got = append(got, versionEntry{m.Key, m.VersionID, m.IsLatest, true})
		}
	}
	return got
}

// TestVersioning drives a versioned bucket through the client: versions
// read back byte for byte, delete markers, the version listing page by
// page, version deletes one at a time and in a batch, and suspension;
// in both dialects, with both OSS signatures.
func TestVersioning(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts osstest.Options
	}{
		{"V4", osstest.Options{}},
		{"V1", osstest.Options{SignatureVersion: oss.SignatureV1}},
		{"S3", osstest.Options{Dialect: oss.DialectS3}},
	} {
		t.Run(tt.name, func(t *testing.T) { testVersioning(t, osstest.Start(t, tt.opts)) })
	}
}

func testVersioning(t *testing.T, env *osstest.Env) {
	ctx, c, b := t.Context(), env.Client, env.Bucket
	if got, err := c.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: b}); err != nil || got.Status != "" {
		t.Fatalf("never versioned: %+v, %v", got, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b, Status: oss.VersioningEnabled}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: b}); err != nil || got.Status != oss.VersioningEnabled {
		t.Fatalf("after enabling: %+v, %v", got, err)
	}

	v1 := putVersion(t, c, b, "k", "first")
	v2 := putVersion(t, c, b, "k", "second, longer")
	if v1 == v2 {
		t.Fatalf("two puts, one version id %s", v1)
	}
	for _, tt := range []struct{ version, want string }{{v1, "first"}, {v2, "second, longer"}, {"", "second, longer"}} {
		got, gotVersion, err := readVersion(ctx, c, b, "k", tt.version)
		if err != nil || got != tt.want {
			t.Errorf("GetObject version %q = %q, %v; want %q", tt.version, got, err, tt.want)
		}
		if want := cmp.Or(tt.version, v2); gotVersion != want {
			t.Errorf("GetObject version %q answered version %q, want %q", tt.version, gotVersion, want)
		}
	}
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: "k", VersionID: v1})
	if err != nil || head.Object.VersionID != v1 || head.Object.Size != int64(len("first")) {
		t.Errorf("HeadObject v1 = %+v, %v", head, err)
	}
	if _, _, err := readVersion(ctx, c, b, "k", "no-such-version"); !errors.Is(err, oss.ErrNoSuchVersion) {
		t.Errorf("unknown version: %v, want NoSuchVersion", err)
	}

	del, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b, Key: "k"})
	if err != nil || !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("DeleteObject = %+v, %v; want a delete marker", del, err)
	}
	marker := del.VersionID
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: "k"})
	if se, ok := errors.AsType[*oss.ServiceError](err); !ok || !errors.Is(err, oss.ErrNoSuchKey) || !se.DeleteMarker {
		t.Errorf("HeadObject of a deleted key: %v (%+v), want NoSuchKey on a delete marker", err, se)
	}
	_, _, err = readVersion(ctx, c, b, "k", marker)
	if se, ok := errors.AsType[*oss.ServiceError](err); !ok || se.StatusCode != http.StatusMethodNotAllowed || !se.DeleteMarker {
		t.Errorf("GetObject of the marker: %v, want 405 on a delete marker", err)
	}
	if got, _, err := readVersion(ctx, c, b, "k", v1); err != nil || got != "first" {
		t.Errorf("v1 after the delete: %q, %v", got, err)
	}

	putVersion(t, c, b, "a", "other key")
	want := []versionEntry{{"a", "", true, false}, {"k", marker, true, true}, {"k", v2, false, false}, {"k", v1, false, false}}
	got := listVersions(t, c, b, 1)
	want[0].version = got[0].version
	if !slices.Equal(got, want) {
		t.Errorf("versions, a page of one at a time:\ngot  %v\nwant %v", got, want)
	}

	if res, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b, Key: "k", VersionID: v2}); err != nil || res.VersionID != v2 || res.DeleteMarker {
		t.Errorf("delete v2 = %+v, %v", res, err)
	}
	if _, _, err := readVersion(ctx, c, b, "k", v2); !errors.Is(err, oss.ErrNoSuchVersion) {
		t.Errorf("v2 after its delete: %v", err)
	}

	dres, err := c.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: b, Keys: []string{"a"},
		Versions: []oss.VersionedKey{{Key: "k", VersionID: v1}, {Key: "k", VersionID: marker}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dres.DeletedObjects) != 3 {
		t.Fatalf("DeleteObjects answered %+v", dres.DeletedObjects)
	}
	for _, d := range dres.DeletedObjects {
		switch {
		case d.Key == "a" && (!d.DeleteMarker || d.DeleteMarkerVersionID == "" || d.VersionID != ""):
			t.Errorf("a, without version: %+v, want a new marker", d)
		case d.Key == "k" && d.VersionID == v1 && d.DeleteMarker:
			t.Errorf("k v1: %+v, not a marker", d)
		case d.Key == "k" && d.VersionID == marker && (!d.DeleteMarker || d.DeleteMarkerVersionID != marker):
			t.Errorf("k marker: %+v, want the marker reported", d)
		}
	}
	// One page holds a's version, then (listed apart) its marker.
	if got := listVersions(t, c, b, 1000); len(got) != 2 || got[0].key != "a" || got[0].mark || got[0].latest || got[1].key != "a" || !got[1].mark || !got[1].latest {
		t.Errorf("after the batch: %v, want a's version and its marker, the latest", got)
	}

	if _, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b, Status: oss.VersioningSuspended}); err != nil {
		t.Fatal(err)
	}
	res, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "s", Body: strings.NewReader("x"), Size: 1})
	if err != nil || res.VersionID != oss.NullVersionID {
		t.Errorf("PutObject while suspended = %+v, %v; want version null", res, err)
	}
	if got, v, err := readVersion(ctx, c, b, "s", oss.NullVersionID); err != nil || got != "x" || v != oss.NullVersionID {
		t.Errorf("the null version: %q %q, %v", got, v, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b, Status: "Disabled"}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("status Disabled: %v", err)
	}
}

// TestVersioningMultipart checks the version id of a multipart upload and
// that each version keeps its own bytes.
func TestVersioningMultipart(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx, c, b := t.Context(), env.Client, env.Bucket
	if _, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b, Status: oss.VersioningEnabled}); err != nil {
		t.Fatal(err)
	}
	v1 := putVersion(t, c, b, "m", "small")
	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: "m"})
	if err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte("p"), 1000)
	if _, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: "m", UploadID: up.UploadID, PartNumber: 1, Body: bytes.NewReader(part), Size: int64(len(part))}); err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: "m", UploadID: up.UploadID, CompleteAll: true})
	if err != nil || done.VersionID == "" || done.VersionID == v1 {
		t.Fatalf("CompleteMultipartUpload = %+v, %v; want a new version id", done, err)
	}
	for _, tt := range []struct{ version, want string }{{v1, "small"}, {done.VersionID, string(part)}} {
		if got, _, err := readVersion(ctx, c, b, "m", tt.version); err != nil || got != tt.want {
			t.Errorf("version %s: %d bytes, %v", tt.version, len(got), err)
		}
	}
}

// TestListObjectVersionsArgs checks the listing's own checks and that
// prefix, delimiter and encoded keys come back as they were.
func TestListObjectVersionsArgs(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx, c, b := t.Context(), env.Client, env.Bucket
	for _, req := range []*oss.ListObjectVersionsRequest{{}, {Bucket: b, VersionIDMarker: "v"}} {
		for _, err := range c.ListObjectVersions(ctx, req) {
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Errorf("%+v: %v", req, err)
			}
		}
	}
	if _, err := c.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: b, Status: oss.VersioningSuspended}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"d/a b+c", "d/sub/x", "d/\x0c", "e"} {
		putVersion(t, c, b, k, k)
	}
	var keys, prefixes []string
	for page, err := range c.ListObjectVersions(ctx, &oss.ListObjectVersionsRequest{Bucket: b, Prefix: "d/", Delimiter: "/", PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			keys = append(keys, fmt.Sprintf("%s@%s", v.Key, v.VersionID))
		}
		prefixes = append(prefixes, page.CommonPrefixes...)
	}
	if want := []string{"d/\x0c@null", "d/a b+c@null"}; !slices.Equal(keys, want) || !slices.Equal(prefixes, []string{"d/sub/"}) {
		t.Errorf("keys %q prefixes %q, want %q and d/sub/", keys, prefixes, want)
	}
}
