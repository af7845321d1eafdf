package oss_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// listing is a ListObjectsV2 result flattened across its pages.
type listing struct {
	keys, prefixes []string
	pages          int
}

func listAll(t *testing.T, e *opsEnv, req oss.ListObjectsV2Request) listing {
	t.Helper()
	var l listing
	for page, err := range e.Client.ListObjectsV2(t.Context(), &req) {
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		l.pages++
		if n := len(page.Objects) + len(page.CommonPrefixes); req.PageSize > 0 && n > req.PageSize {
			t.Errorf("%+v: page %d has %d entries", req, l.pages, n)
		}
		for _, o := range page.Objects {
			l.keys = append(l.keys, o.Key)
		}
		l.prefixes = append(l.prefixes, page.CommonPrefixes...)
	}
	return l
}

func TestListObjectsV2(t *testing.T) {
	keys := []string{
		"a", "a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "a+b", "a b", "a%2Fz",
		"b/1", "b/2/3", "c", "d/", "d//e", "ü/1", "z\x01ctl",
	}
	tests := []struct {
		name         string
		req          oss.ListObjectsV2Request
		wantKeys     []string
		wantPrefixes []string
	}{
		{"all", oss.ListObjectsV2Request{}, keys, nil},
		{"prefix", oss.ListObjectsV2Request{Prefix: "a/"}, []string{"a/1", "a/2", "a/b/3", "a/b/4", "a/c/5"}, nil},
		{"prefix without slash", oss.ListObjectsV2Request{Prefix: "a"}, []string{"a", "a b", "a%2Fz", "a+b", "a/1", "a/2", "a/b/3", "a/b/4", "a/c/5"}, nil},
		{"delimiter", oss.ListObjectsV2Request{Delimiter: "/"}, []string{"a", "a b", "a%2Fz", "a+b", "c", "z\x01ctl"}, []string{"a/", "b/", "d/", "ü/"}},
		{"prefix and delimiter", oss.ListObjectsV2Request{Prefix: "a/", Delimiter: "/"}, []string{"a/1", "a/2"}, []string{"a/b/", "a/c/"}},
		{"empty segment", oss.ListObjectsV2Request{Prefix: "d/", Delimiter: "/"}, []string{"d/"}, []string{"d//"}},
		{"start after", oss.ListObjectsV2Request{StartAfter: "a/b/3"}, []string{"a/b/4", "a/c/5", "b/1", "b/2/3", "c", "d/", "d//e", "z\x01ctl", "ü/1"}, nil},
		{"start after, prefix", oss.ListObjectsV2Request{StartAfter: "a/", Prefix: "a/"}, []string{"a/1", "a/2", "a/b/3", "a/b/4", "a/c/5"}, nil},
		{"start after, delimiter", oss.ListObjectsV2Request{StartAfter: "a+b", Delimiter: "/"}, []string{"c", "z\x01ctl"}, []string{"a/", "b/", "d/", "ü/"}},
		{"no match", oss.ListObjectsV2Request{Prefix: "nothing"}, nil, nil},
	}
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		for i, k := range keys {
			e.put(k, pattern(i, i), oss.ObjectMetadata{})
		}
		for _, tc := range tests {
			for _, size := range []int{0, 1, 2, 3, 1000} {
				req := tc.req
				req.Bucket, req.PageSize = e.Bucket, size
				got := listAll(t, e, req)
				wantKeys := sortedBytes(tc.wantKeys)
				if !slices.Equal(got.keys, wantKeys) || !slices.Equal(got.prefixes, tc.wantPrefixes) {
					t.Errorf("%s, page size %d:\n got keys %q prefixes %q\nwant keys %q prefixes %q", tc.name, size, got.keys, got.prefixes, wantKeys, tc.wantPrefixes)
				}
				n := len(tc.wantKeys) + len(tc.wantPrefixes)
				wantPages := 1
				if size > 0 && n > size {
					wantPages = (n + size - 1) / size
				}
				if got.pages != wantPages {
					t.Errorf("%s, page size %d: %d pages, want %d", tc.name, size, got.pages, wantPages)
				}
			}
		}
	})
}

// sortedBytes returns keys in byte order, the order of listings.
func sortedBytes(keys []string) []string {
	return slices.SortedFunc(slices.Values(keys), strings.Compare)
}

func TestListObjectsV2Summary(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		data := pattern(3, 321)
		put := e.put("obj", data, oss.ObjectMetadata{StorageClass: "IA"})
		l := e.Client.ListObjectsV2(t.Context(), &oss.ListObjectsV2Request{Bucket: e.Bucket})
		for page, err := range l {
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Objects) != 1 {
				t.Fatalf("objects = %+v, want one", page.Objects)
			}
			o := page.Objects[0]
			if o.Key != "obj" || o.Size != 321 || o.ETag != put.ETag || o.Type != "Normal" || o.StorageClass != "IA" || o.LastModified.IsZero() {
				t.Errorf("summary %+v: want obj, 321 bytes, ETag %s, Normal, IA", o, put.ETag)
			}
		}
		serviceError(t, firstErr(e.Client.ListObjectsV2(t.Context(), &oss.ListObjectsV2Request{Bucket: "no-such-bucket"})), oss.ErrNoSuchBucket)
	})
}
