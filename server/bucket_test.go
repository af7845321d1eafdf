package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

func TestBuckets(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "bkt", header: map[string]string{"x-oss-acl": "public-read"},
		body: []byte("<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>")}, 200)
	h.ok(call{method: "PUT", bucket: "bkt"}, 200) // same owner: settings kept
	h.fails(call{method: "PUT", bucket: "bkt", body: []byte("<CreateBucketConfiguration><StorageClass>Standard</StorageClass></CreateBucketConfiguration>")}, ossxml.CodeBucketAlreadyExists)
	h.fails(call{method: "PUT", bucket: "bkt2", body: []byte("<CreateBucketConfiguration><StorageClass>")}, ossxml.CodeMalformedXML)
	h.fails(call{method: "PUT", bucket: "bkt2", header: map[string]string{"x-oss-acl": "open"}}, ossxml.CodeInvalidArgument)
	for _, bad := range []string{"ab", "-abc", "abc-", "ABC", "a_b", strings.Repeat("a", 64)} {
		h.fails(call{method: "PUT", bucket: bad}, ossxml.CodeInvalidBucketName)
	}

	var info ossxml.BucketInfo
	h.xml(call{method: "GET", bucket: "bkt", query: "bucketInfo"}, &info)
	if info.Bucket.Name != "bkt" || info.Bucket.StorageClass != "IA" || info.Bucket.AccessControlList.Grant != "public-read" || info.Bucket.Location != "oss-cn-hangzhou" {
		t.Errorf("bucket info %+v", info.Bucket)
	}
	h.ok(call{method: "PUT", bucket: "bkt", query: "acl", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	var acl ossxml.AccessControlPolicy
	h.xml(call{method: "GET", bucket: "bkt", query: "acl"}, &acl)
	if acl.AccessControlList.Grant != "public-read-write" {
		t.Errorf("acl %+v", acl)
	}
	var loc ossxml.LocationConstraint
	h.xml(call{method: "GET", bucket: "bkt", query: "location"}, &loc)
	if loc.Location != "oss-cn-hangzhou" {
		t.Errorf("location %q", loc.Location)
	}
	h.ok(call{method: "HEAD", bucket: "bkt"}, 200)
	for _, q := range []string{"acl", "bucketInfo", "location", ""} {
		h.fails(call{method: "GET", bucket: "nobkt", query: q}, ossxml.CodeNoSuchBucket)
	}
	h.fails(call{method: "HEAD", bucket: "nobkt"}, ossxml.CodeNoSuchBucket)

	h.put("bkt", "obj", []byte("x"))
	h.fails(call{method: "DELETE", bucket: "bkt"}, ossxml.CodeBucketNotEmpty)
	h.ok(call{method: "DELETE", bucket: "bkt", key: "obj"}, http.StatusNoContent)
	var init ossxml.InitiateMultipartUploadResult
	h.xml(call{method: "POST", bucket: "bkt", key: "mp", query: "uploads"}, &init)
	h.fails(call{method: "DELETE", bucket: "bkt"}, ossxml.CodeBucketNotEmpty)
	h.ok(call{method: "DELETE", bucket: "bkt", key: "mp", query: "uploadId=" + init.UploadID}, http.StatusNoContent)
	h.ok(call{method: "DELETE", bucket: "bkt"}, http.StatusNoContent)
	h.fails(call{method: "DELETE", bucket: "bkt"}, ossxml.CodeNoSuchBucket)
}

func TestListBucketsPagination(t *testing.T) {
	h := newHarness(t, nil)
	var names []string
	for i := range 23 {
		n := fmt.Sprintf("b%02d-%s", i, []string{"x", "y"}[i%2])
		names = append(names, n)
		h.mkbucket(n)
	}
	slices.Sort(names)
	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		var res ossxml.ListAllMyBucketsResult
		h.xml(call{method: "GET", query: "max-keys=5&marker=" + marker}, &res)
		for _, b := range res.Buckets {
			got = append(got, b.Name)
		}
		if !res.IsTruncated {
			break
		}
		if res.NextMarker == "" || pages > 10 {
			t.Fatalf("truncated page without NextMarker: %+v", res)
		}
		marker = res.NextMarker
	}
	if !slices.Equal(got, names) {
		t.Errorf("paged buckets %v, want %v", got, names)
	}
	var res ossxml.ListAllMyBucketsResult
	h.xml(call{method: "GET", query: "prefix=b07&max-keys=1"}, &res)
	if len(res.Buckets) != 1 || res.Buckets[0].Name != "b07-y" {
		t.Errorf("prefix listing %+v", res.Buckets)
	}
	h.fails(call{method: "GET", anon: true}, ossxml.CodeAccessDenied)
}

// listingKeys is a key set that exercises delimiters and ordering.
var listingKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a//d", "a/e", "ab", "b/1", "b/2", "b/3/x", "c", "d/", "é/1", "é/2", "z",
	"photos/2024/01.jpg", "photos/2024/02.jpg", "photos/2025/01.jpg", "photos/readme", "\U0010FFFF",
}

// expectList computes the full listing a prefix and delimiter should give:
// keys and common prefixes in one sorted sequence.
func expectList(keys []string, prefix, delim string) (entries []string) {
	seen := map[string]bool{}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					entries = append(entries, "P:"+cp)
				}
				continue
			}
		}
		entries = append(entries, "K:"+k)
	}
	return entries
}

func TestListObjectsPagination(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, k := range listingKeys {
		h.put("bkt", k, []byte(k))
	}
	cases := []struct{ prefix, delim string }{{"", ""}, {"", "/"}, {"a", "/"}, {"a/", "/"}, {"photos/", "/"}, {"photos/2024/", ""}, {"nothing", "/"}, {"", "b"}}
	for _, c := range cases {
		want := expectList(listingKeys, c.prefix, c.delim)
		for _, max := range []int{1, 2, 3, 1000} {
			name := fmt.Sprintf("prefix=%q delim=%q max=%d", c.prefix, c.delim, max)
			if got := listAllV1(h, c.prefix, c.delim, max); !slices.Equal(got, want) {
				t.Errorf("v1 %s:\n got  %q\n want %q", name, got, want)
			}
			if got := listAllV2(h, c.prefix, c.delim, max); !slices.Equal(got, want) {
				t.Errorf("v2 %s:\n got  %q\n want %q", name, got, want)
			}
		}
	}
	h.fails(call{method: "GET", bucket: "bkt", query: "max-keys=x"}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "GET", bucket: "bkt", query: "encoding-type=base64"}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "GET", bucket: "bkt", query: "list-type=2&continuation-token=%21%21"}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "GET", bucket: "nobkt", query: "list-type=2"}, ossxml.CodeNoSuchBucket)
}

func listAllV1(h *harness, prefix, delim string, max int) []string {
	var out []string
	marker := ""
	for range 100 {
		var res ossxml.ListBucketResult
		q := fmt.Sprintf("prefix=%s&delimiter=%s&max-keys=%d&marker=%s&encoding-type=url", ossxml.EscapeURL(prefix), ossxml.EscapeURL(delim), max, ossxml.EscapeURL(marker))
		h.xml(call{method: "GET", bucket: "bkt", query: q}, &res)
		if err := res.DecodeURL(); err != nil {
			h.t.Fatal(err)
		}
		if len(res.Contents)+len(res.CommonPrefixes) > max {
			h.t.Fatalf("page of %d entries for max-keys %d", len(res.Contents)+len(res.CommonPrefixes), max)
		}
		out = append(out, merge(res.Contents, res.CommonPrefixes)...)
		if !res.IsTruncated {
			return out
		}
		marker = res.NextMarker
	}
	h.t.Fatal("listing does not end")
	return nil
}

func listAllV2(h *harness, prefix, delim string, max int) []string {
	var out []string
	token := ""
	for range 100 {
		var res ossxml.ListBucketV2Result
		q := fmt.Sprintf("list-type=2&prefix=%s&delimiter=%s&max-keys=%d&continuation-token=%s", ossxml.EscapeURL(prefix), ossxml.EscapeURL(delim), max, token)
		h.xml(call{method: "GET", bucket: "bkt", query: q}, &res)
		if res.KeyCount != len(res.Contents)+len(res.CommonPrefixes) {
			h.t.Fatalf("KeyCount %d for %d entries", res.KeyCount, len(res.Contents)+len(res.CommonPrefixes))
		}
		out = append(out, merge(res.Contents, res.CommonPrefixes)...)
		if !res.IsTruncated {
			return out
		}
		token = res.NextContinuationToken
	}
	h.t.Fatal("listing does not end")
	return nil
}

// merge interleaves a page's keys and prefixes in sorted order.
func merge(objs []ossxml.ObjectSummary, prefixes []ossxml.CommonPrefix) []string {
	var out []string
	for _, o := range objs {
		out = append(out, "K:"+o.Key)
	}
	for _, p := range prefixes {
		out = append(out, "P:"+p.Prefix)
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(a[2:], b[2:]) })
	return out
}

func TestVirtualHostedStyle(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.VirtualHostBases = []string{"oss.local"} })
	h.mkbucket("vbkt")
	h.put("vbkt", "dir/k", []byte("virtual"))
	h.host = "vbkt.oss.local"
	r := h.request(call{method: "GET", bucket: "vbkt", key: "dir/k"})
	r.URL.Path = "/dir/k" // virtual-hosted: the path is the key alone
	resp, err := h.http.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("virtual-hosted GET: %d", resp.StatusCode)
	}
}

func TestObjectsInheritBucketStorageClass(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "iabkt", body: []byte("<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>")}, 200)
	h.put("iabkt", "plain", []byte("x"))
	h.ok(call{method: "PUT", bucket: "iabkt", key: "archived", body: []byte("x"), header: map[string]string{"x-oss-storage-class": "Archive"}}, 200)
	for key, want := range map[string]string{"plain": "IA", "archived": "Archive"} {
		if got := h.ok(call{method: "HEAD", bucket: "iabkt", key: key}, 200).Header.Get("x-oss-storage-class"); got != want {
			t.Errorf("%s: storage class %q, want %q", key, got, want)
		}
	}
	var list ossxml.ListBucketResult
	h.xml(call{method: "GET", bucket: "iabkt"}, &list)
	for _, o := range list.Contents {
		if o.Key == "plain" && o.StorageClass != "IA" {
			t.Errorf("listing reports %q for an object of an IA bucket", o.StorageClass)
		}
	}
}
