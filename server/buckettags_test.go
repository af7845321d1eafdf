package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

func tagsBody(pairs ...string) []byte {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", pairs[i], pairs[i+1])
	}
	b.WriteString("</TagSet></Tagging>")
	return []byte(b.String())
}

// TestBucketTags checks PutBucketTags, GetBucketTags and DeleteBucketTags
// (all or some keys), OSS's limits, the owner-only access, ListBuckets
// filtered by tag, and that the tags go with the bucket.
func TestBucketTags(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("tagged")
	h.mkbucket("plain")
	get := func(bucket string) map[string]string {
		t.Helper()
		var doc ossxml.Tagging
		h.xml(call{method: "GET", bucket: bucket, query: "tagging"}, &doc)
		out := map[string]string{}
		for _, tg := range doc.TagSet.Tags {
			out[tg.Key] = tg.Value
		}
		return out
	}
	if got := get("tagged"); len(got) != 0 {
		t.Errorf("a new bucket has tags %v", got)
	}
	h.ok(call{method: "PUT", bucket: "tagged", query: "tagging", body: tagsBody("team", "storage", "env", "prod", "k3", "")}, http.StatusOK)
	if got := get("tagged"); len(got) != 3 || got["team"] != "storage" || got["env"] != "prod" || got["k3"] != "" {
		t.Errorf("tags %v", got)
	}
	// A new set replaces the old.
	h.ok(call{method: "PUT", bucket: "tagged", query: "tagging", body: tagsBody("team", "s3", "env", "prod", "x", "1")}, http.StatusOK)
	if got := get("tagged"); len(got) != 3 || got["team"] != "s3" || got["x"] != "1" {
		t.Errorf("tags after a second put %v", got)
	}

	list := func(q string) []string {
		t.Helper()
		var res ossxml.ListAllMyBucketsResult
		h.xml(call{method: "GET", query: q}, &res)
		var names []string
		for _, b := range res.Buckets {
			names = append(names, b.Name)
		}
		return names
	}
	for q, want := range map[string]string{
		"tag-key=env":                "tagged",
		"tag-key=env&tag-value=prod": "tagged",
		"tag-key=env&tag-value=dev":  "",
		"tag-key=none":               "",
		"":                           "plain,tagged",
	} {
		if got := strings.Join(list(q), ","); got != want {
			t.Errorf("ListBuckets %q = %q, want %q", q, got, want)
		}
	}
	h.fails(call{method: "GET", query: "tag-value=prod"}, ossxml.CodeInvalidArgument)

	for name, body := range map[string][]byte{
		"key of 65 bytes":    tagsBody(strings.Repeat("k", 65), "v"),
		"value of 129 bytes": tagsBody("k", strings.Repeat("v", 129)),
		"key Aliyun...":      tagsBody("aliyun-x", "v"),
		"key https://...":    tagsBody("https://x", "v"),
		"empty key":          tagsBody("", "v"),
		"repeated key":       tagsBody("k", "1", "k", "2"),
	} {
		t.Log(name)
		h.fails(call{method: "PUT", bucket: "tagged", query: "tagging", body: body}, ossxml.CodeInvalidTag)
	}
	// 21 distinct tags.
	var many []string
	for i := range 21 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	h.fails(call{method: "PUT", bucket: "tagged", query: "tagging", body: tagsBody(many...)}, ossxml.CodeInvalidTag)
	h.fails(call{method: "PUT", bucket: "tagged", query: "tagging", body: []byte("<Tagging><TagSet>")}, ossxml.CodeMalformedXML)

	// Only the owner reads or changes them.
	for _, c := range []call{
		{method: "GET", bucket: "tagged", query: "tagging"},
		{method: "PUT", bucket: "tagged", query: "tagging", body: tagsBody("a", "b")},
		{method: "DELETE", bucket: "tagged", query: "tagging"},
	} {
		if r := h.as(otherCred, c); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s by another account: %d", c.method, r.StatusCode)
		}
	}

	h.ok(call{method: "DELETE", bucket: "tagged", query: "tagging=team,absent"}, http.StatusNoContent)
	if got := get("tagged"); len(got) != 2 || got["team"] != "" || got["env"] != "prod" {
		t.Errorf("tags after deleting team %v", got)
	}
	h.ok(call{method: "DELETE", bucket: "tagged", query: "tagging"}, http.StatusNoContent)
	h.ok(call{method: "DELETE", bucket: "tagged", query: "tagging"}, http.StatusNoContent)
	if got := get("tagged"); len(got) != 0 {
		t.Errorf("tags after deleting all %v", got)
	}

	// The tags go with the bucket.
	h.ok(call{method: "PUT", bucket: "tagged", query: "tagging", body: tagsBody("a", "b")}, http.StatusOK)
	h.ok(call{method: "DELETE", bucket: "tagged"}, http.StatusNoContent)
	h.mkbucket("tagged")
	if got := get("tagged"); len(got) != 0 {
		t.Errorf("a re-created bucket has tags %v", got)
	}
}
