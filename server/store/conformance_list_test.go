package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// item is one entry of a listing: a key (with an upload ID for uploads) or
// a common prefix.
type item struct {
	key    string
	id     string
	prefix bool
}

func (it item) String() string {
	if it.prefix {
		return fmt.Sprintf("prefix %q", it.key)
	}
	return fmt.Sprintf("%q %s", it.key, it.id)
}

// testKeys returns n sorted keys stressing byte order, delimiters and
// prefixes.
func testKeys(rng *rand.Rand, n int) []string {
	set := map[string]bool{}
	for _, k := range []string{"a", "a/", "a/b", "a//b", "a/b/c", "ab", "b", "é", "é/x",
		"\u00ff", "\u00ff/", "\U0010FFFF", "\U0010FFFF/\U0010FFFF", "日本/語", "z"} {
		set[k] = true
	}
	pieces := []string{"a", "b", "/", "//", "é", "\u00ff", "\U0010FFFF", "日", "."}
	for len(set) < n {
		var sb strings.Builder
		for range 1 + rng.IntN(5) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		set[sb.String()] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// expect lists sorted entries the brute-force way: roll each up, drop
// those not after (afterKey, afterID), drop repeats.
func expect(entries []item, prefix, delim, afterKey, afterID string) []item {
	var out []item
	for _, it := range entries {
		if !strings.HasPrefix(it.key, prefix) {
			continue
		}
		if i := strings.Index(it.key[len(prefix):], delim); delim != "" && i >= 0 {
			it = item{key: it.key[:len(prefix)+i+len(delim)], prefix: true}
		}
		if it.key < afterKey || it.key == afterKey && (afterID == "" || it.prefix || it.id <= afterID) {
			continue
		}
		if len(out) > 0 && out[len(out)-1] == it {
			continue
		}
		out = append(out, it)
	}
	return out
}

func wantItems(t *testing.T, what string, got, want []item) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// page merges a page's keys and prefixes in order and checks its size.
func page(t *testing.T, what string, items []item, max int, truncated bool) []item {
	t.Helper()
	slices.SortFunc(items, func(a, b item) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	if len(items) > max || truncated && len(items) == 0 {
		t.Fatalf("%s: page of %d, max %d, truncated %v", what, len(items), max, truncated)
	}
	return items
}

func testListObjects(t *testing.T, h harness) {
	e := newEnv(t, h)
	keys := testKeys(rand.New(rand.NewPCG(3, 4)), 120)
	entries := make([]item, len(keys))
	for i, k := range keys {
		e.put(k, []byte(k))
		entries[i] = item{key: k}
	}
	for _, prefix := range []string{"", "a", "a/", "é", "\U0010FFFF", "none"} {
		for _, delim := range []string{"", "/", "//", "é"} {
			for _, max := range []int{1, 3, 0} {
				for _, after := range []string{"", "a/", "a/b", "\u00ff", "a/b/", "\U0010FFFF\U0010FFFF"} {
					o := ListOptions{Prefix: prefix, Delimiter: delim, After: after, Max: max}
					what := fmt.Sprintf("%+v", o)
					wantItems(t, what, listAllObjects(t, e, o), expect(entries, prefix, delim, after, ""))
				}
			}
		}
	}
}

// listAllObjects pages through a listing.
func listAllObjects(t *testing.T, e *env, o ListOptions) []item {
	var all []item
	for {
		res, err := e.s.ListObjects(t.Context(), "b", o)
		if err != nil {
			t.Fatal(err)
		}
		var items []item
		for _, obj := range res.Objects {
			if obj.Size != int64(len(obj.Key)) || obj.ETag != etagOf([]byte(obj.Key)) || obj.Bucket != "b" {
				t.Errorf("listed %+v", obj)
			}
			items = append(items, item{key: obj.Key})
		}
		for _, p := range res.CommonPrefixes {
			items = append(items, item{key: p, prefix: true})
		}
		items = page(t, fmt.Sprintf("%+v", o), items, pageSize(o.Max), res.Truncated)
		all = append(all, items...)
		if !res.Truncated {
			if res.Next != "" {
				t.Errorf("Next = %q without truncation", res.Next)
			}
			return all
		}
		if res.Next != items[len(items)-1].key {
			t.Fatalf("Next = %q, last entry %v", res.Next, items[len(items)-1])
		}
		o.After = res.Next
	}
}

func testListUploads(t *testing.T, h harness) {
	e := newEnv(t, h)
	rng := rand.New(rand.NewPCG(5, 6))
	keys := testKeys(rng, 50)
	var entries []item
	for _, k := range keys {
		for range 1 + rng.IntN(3) {
			entries = append(entries, item{key: k, id: e.create(k).ID})
		}
	}
	slices.SortFunc(entries, func(a, b item) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	mid := entries[len(entries)/2]
	for _, prefix := range []string{"", "a", "a/", "é"} {
		for _, delim := range []string{"", "/", "é"} {
			for _, max := range []int{1, 2, 0} {
				for _, m := range []item{{}, {key: "a/"}, mid, {key: mid.key}, {key: mid.key, id: "0"}, {id: mid.id}} {
					o := ListUploadsOptions{Prefix: prefix, Delimiter: delim, KeyMarker: m.key, UploadIDMarker: m.id, Max: max}
					afterID := m.id
					if m.key == "" {
						afterID = "" // an ID marker without a key marker is ignored
					}
					wantItems(t, fmt.Sprintf("%+v", o), listAllUploads(t, e, o), expect(entries, prefix, delim, m.key, afterID))
				}
			}
		}
	}
}

func listAllUploads(t *testing.T, e *env, o ListUploadsOptions) []item {
	var all []item
	for {
		res, err := e.s.ListUploads(t.Context(), "b", o)
		if err != nil {
			t.Fatal(err)
		}
		var items []item
		for i, u := range res.Uploads {
			if i > 0 && u.Key == res.Uploads[i-1].Key && u.Initiated.Before(res.Uploads[i-1].Initiated) {
				t.Errorf("uploads of %q not in initiation order", u.Key)
			}
			items = append(items, item{key: u.Key, id: u.ID})
		}
		for _, p := range res.CommonPrefixes {
			items = append(items, item{key: p, prefix: true})
		}
		items = page(t, fmt.Sprintf("%+v", o), items, pageSize(o.Max), res.Truncated)
		all = append(all, items...)
		if !res.Truncated {
			if res.NextKeyMarker != "" || res.NextUploadIDMarker != "" {
				t.Errorf("next markers %q %q without truncation", res.NextKeyMarker, res.NextUploadIDMarker)
			}
			return all
		}
		last := items[len(items)-1]
		if res.NextKeyMarker != last.key || res.NextUploadIDMarker != last.id {
			t.Fatalf("next markers %q %q, last entry %v", res.NextKeyMarker, res.NextUploadIDMarker, last)
		}
		o.KeyMarker, o.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

func testListParts(t *testing.T, h harness) {
	e := newEnv(t, h)
	rng := rand.New(rand.NewPCG(7, 8))
	u := e.create("k")
	var numbers []int
	for n := 1; n <= 60; n++ {
		if rng.IntN(2) == 0 || n == 60 {
			e.part(u, n, []byte(fmt.Sprint(n)))
			numbers = append(numbers, n)
		}
	}
	for _, max := range []int{1, 2, 5, 0} {
		for _, start := range []int{-5, 0, 1, 10, 59, 60, MaxPartNumber, 1 << 20} {
			var got []int
			for marker := start; ; {
				parts, truncated, err := e.s.ListParts(t.Context(), "b", "k", u.ID, marker, max)
				if err != nil {
					t.Fatal(err)
				}
				if len(parts) > pageSize(max) || truncated && len(parts) == 0 {
					t.Fatalf("page of %d, max %d, truncated %v", len(parts), max, truncated)
				}
				for _, p := range parts {
					if p.Size != int64(len(fmt.Sprint(p.Number))) {
						t.Errorf("part %+v", p)
					}
					got = append(got, p.Number)
				}
				if !truncated {
					break
				}
				marker = parts[len(parts)-1].Number
			}
			want := slices.DeleteFunc(slices.Clone(numbers), func(n int) bool { return n <= start })
			if !slices.Equal(got, want) {
				t.Errorf("max %d from %d: got %v, want %v", max, start, got, want)
			}
		}
	}
}

func testListBuckets(t *testing.T, h harness) {
	s := h.open(t)
	rng := rand.New(rand.NewPCG(9, 10))
	var entries []item
	for len(entries) < 40 {
		name := []byte{"ab"[rng.IntN(2)]}
		for range 2 + rng.IntN(3) {
			name = append(name, "ab1-"[rng.IntN(4)])
		}
		created, err := s.CreateBucket(t.Context(), Bucket{Name: string(name)})
		if err != nil {
			t.Fatal(err)
		}
		if created {
			entries = append(entries, item{key: string(name)})
		}
	}
	slices.SortFunc(entries, func(a, b item) int { return cmp.Compare(a.key, b.key) })
	for _, prefix := range []string{"", "a", "ab", "b-", "zz"} {
		for _, max := range []int{1, 3, 0} {
			for _, start := range []string{"", "a", "b1", entries[7].key} {
				var got []item
				for marker := start; ; {
					bs, truncated, err := s.ListBuckets(t.Context(), prefix, marker, max)
					if err != nil {
						t.Fatal(err)
					}
					var items []item
					for _, b := range bs {
						items = append(items, item{key: b.Name})
					}
					got = append(got, page(t, "ListBuckets", items, pageSize(max), truncated)...)
					if !truncated {
						break
					}
					marker = bs[len(bs)-1].Name
				}
				wantItems(t, fmt.Sprintf("prefix %q max %d from %q", prefix, max, start), got, expect(entries, prefix, "", start, ""))
			}
		}
	}
}
