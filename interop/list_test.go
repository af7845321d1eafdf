package interop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// listKeys are the keys the listing tests store: odd characters, control
// characters that XML cannot carry (both SDKs ask for encoding-type=url),
// empty path segments and "directories" at several depths.
var listKeys = append(slices.Clone(oddKeys),
	"dir/a", "dir/b/c", "dir/b/d", "dir/c+d", "dir/ space", "dir/%41", "dir/中", "dir//x",
	"dir/b/", "dir2/x", "zz", "a", "a/", "a/b/c/d", "ctl/\x01\x0c\x1f\x7f.bin", "ctl/tab\tnl\n",
)

// wantListing computes what a listing of keys with prefix and delimiter
// must return: the objects and the common prefixes, each sorted.
func wantListing(keys []string, prefix, delim string) (objects, prefixes []string) {
	seen := map[string]bool{}
	for _, k := range slices.Sorted(slices.Values(keys)) {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			p := prefix + rest[:i+len(delim)]
			if !seen[p] {
				seen[p] = true
				prefixes = append(prefixes, p)
			}
			continue
		}
		objects = append(objects, k)
	}
	return objects, prefixes
}

// listFunc is List or ListV2 of one client.
type listFunc func(ctx context.Context, bucket string, q listQuery) (listPage, error)

// listAll pages through a listing max entries at a time.
func listAll(t *testing.T, list listFunc, bucket string, q listQuery) (objects, prefixes []string, pages int) {
	t.Helper()
	for {
		page, err := list(t.Context(), bucket, q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		pages++
		if n := len(page.Objects) + len(page.Prefixes); n > q.Max || n == 0 && page.Truncated {
			t.Fatalf("list %+v: page of %d entries, truncated %v", q, n, page.Truncated)
		}
		objects = append(objects, keysOf(page.Objects)...)
		prefixes = append(prefixes, page.Prefixes...)
		if !page.Truncated {
			return objects, prefixes, pages
		}
		if page.Next == "" {
			t.Fatalf("list %+v: truncated page without a next marker", q)
		}
		if pages > 100 {
			t.Fatalf("list %+v: more than 100 pages", q)
		}
		q.Marker = page.Next
	}
}

func TestListObjects(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "listing"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		for i, key := range listKeys {
			if _, err := c.Put(ctx, bucket, key, randomData(i, uint64(i)), putOptions{StorageClass: "IA"}); err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
		}
		apis := []struct {
			name string
			list listFunc
		}{{"ListObjects", c.List}, {"ListObjectsV2", c.ListV2}}
		queries := []struct{ prefix, delim string }{
			{"", ""}, {"", "/"}, {"dir/", "/"}, {"dir/", ""}, {"dir", "/"}, {"a", "/"},
			{"dir/b/", "/"}, {"中文/", "/"}, {"100%", "/"}, {"", "b"}, {"nothing", "/"},
		}
		for _, api := range apis {
			for _, q := range queries {
				wantObj, wantPre := wantListing(listKeys, q.prefix, q.delim)
				for _, max := range []int{1, 3, 1000} {
					name := fmt.Sprintf("%s(prefix %q, delimiter %q, max-keys %d)", api.name, q.prefix, q.delim, max)
					gotObj, gotPre, pages := listAll(t, api.list, bucket, listQuery{Prefix: q.prefix, Delimiter: q.delim, Max: max})
					if !slices.Equal(gotObj, wantObj) || !slices.Equal(gotPre, wantPre) {
						t.Errorf("%s\n got objects %q prefixes %q\nwant objects %q prefixes %q", name, gotObj, gotPre, wantObj, wantPre)
					}
					if entries := len(wantObj) + len(wantPre); max == 1 && entries > 1 && pages != entries {
						t.Errorf("%s: %d pages for %d entries", name, pages, entries)
					}
				}
			}
		}

		page, err := c.ListV2(ctx, bucket, listQuery{Prefix: "dir/", StartAfter: "dir/b/c", Max: 1000})
		if want, _ := wantListing(listKeys, "dir/", ""); err != nil || !slices.Equal(keysOf(page.Objects), want[slices.Index(want, "dir/b/c")+1:]) {
			t.Errorf("ListObjectsV2 start-after dir/b/c = %q, %v", keysOf(page.Objects), err)
		}
		page, err = c.List(ctx, bucket, listQuery{Prefix: "dir/c+d", Max: 10})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("ListObjects dir/c+d = %+v, %v", page, err)
		}
		i := slices.Index(listKeys, "dir/c+d")
		data := randomData(i, uint64(i))
		want := object{Key: "dir/c+d", ETag: `"` + md5Hex(data) + `"`, Type: "Normal", StorageClass: "IA", Size: int64(len(data))}
		if page.Objects[0] != want {
			t.Errorf("ListObjects entry = %+v, want %+v", page.Objects[0], want)
		}
		_, err = c.List(ctx, "no-such-bucket", listQuery{})
		wantCode(t, "ListObjects of a missing bucket", err, 404, "NoSuchBucket")
	})
}
