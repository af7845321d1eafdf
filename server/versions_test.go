package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// TestNullVersions checks that every object of a bucket is its null
// version: ListObjectVersions pages through them as ListObjects would,
// with delimiter and URL encoding; versionId=null names the object in
// GET, HEAD, DELETE and DeleteMultipleObjects, and another version id
// names nothing.
func TestNullVersions(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("vers")
	keys := []string{"a", "b/1", "b/2", "c d", "e", "f", "g"}
	for i, k := range keys {
		h.put("vers", k, []byte(fmt.Sprint("body ", i)))
	}
	var vc ossxml.VersioningConfiguration
	h.xml(call{method: "GET", bucket: "vers", query: "versioning"}, &vc)
	if vc.Status != "" {
		t.Errorf("versioning status %q", vc.Status)
	}

	// Pages of 2, resumed by key-marker and version-id-marker.
	var got []string
	marker, vmarker := "", ""
	for pages := 0; ; pages++ {
		q := "versions&max-keys=2"
		if marker != "" {
			q += "&key-marker=" + escapePath(marker) + "&version-id-marker=" + vmarker
		}
		var res ossxml.ListVersionsResult
		h.xml(call{method: "GET", bucket: "vers", query: q}, &res)
		for _, v := range res.Versions {
			if v.VersionID != "null" || !v.IsLatest || v.Owner == nil || v.ETag == "" {
				t.Errorf("version %+v", v)
			}
			got = append(got, v.Key)
		}
		if !res.IsTruncated {
			break
		}
		if pages > 10 {
			t.Fatal("the listing does not end")
		}
		marker, vmarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	if !slices.Equal(got, keys) {
		t.Errorf("versions listed %v, want %v", got, keys)
	}
	var res ossxml.ListVersionsResult
	h.xml(call{method: "GET", bucket: "vers", query: "versions&delimiter=/&encoding-type=url"}, &res)
	if len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "b%2F" || len(res.Versions) != 5 || res.Versions[1].Key != "c%20d" || res.EncodingType != "url" {
		t.Errorf("delimited, URL-encoded listing %+v", res)
	}
	h.fails(call{method: "GET", bucket: "vers", query: "versions&version-id-marker=null"}, ossxml.CodeInvalidArgument)

	h.ok(call{method: "GET", bucket: "vers", key: "a", query: "versionId=null"}, http.StatusOK)
	h.ok(call{method: "HEAD", bucket: "vers", key: "a", query: "versionId=null"}, http.StatusOK)
	h.fails(call{method: "GET", bucket: "vers", key: "a", query: "versionId=CAEQ123"}, ossxml.CodeNoSuchVersion)
	h.fails(call{method: "HEAD", bucket: "vers", key: "a", query: "versionId=CAEQ123"}, ossxml.CodeNoSuchVersion)
	h.ok(call{method: "DELETE", bucket: "vers", key: "a", query: "versionId=CAEQ123"}, http.StatusNoContent)
	h.ok(call{method: "HEAD", bucket: "vers", key: "a"}, http.StatusOK) // still there
	h.ok(call{method: "DELETE", bucket: "vers", key: "a", query: "versionId=null"}, http.StatusNoContent)
	h.fails(call{method: "HEAD", bucket: "vers", key: "a"}, ossxml.CodeNoSuchKey)

	body := []byte(`<Delete><Object><Key>e</Key><VersionId>null</VersionId></Object><Object><Key>f</Key><VersionId>CAEQ9</VersionId></Object><Object><Key>g</Key></Object></Delete>`)
	var dr ossxml.DeleteResult
	r := h.ok(call{method: "POST", bucket: "vers", query: "delete", body: body, md5: true}, http.StatusOK)
	if err := ossxml.Unmarshal(r.body, &dr); err != nil || len(dr.Deleted) != 3 || dr.Deleted[0].VersionID != "null" || dr.Deleted[1].VersionID != "CAEQ9" {
		t.Errorf("DeleteResult %s: %v", r.body, err)
	}
	h.fails(call{method: "HEAD", bucket: "vers", key: "e"}, ossxml.CodeNoSuchKey)
	h.ok(call{method: "HEAD", bucket: "vers", key: "f"}, http.StatusOK) // another version named nothing
	h.fails(call{method: "HEAD", bucket: "vers", key: "g"}, ossxml.CodeNoSuchKey)
	if strings.Contains(string(r.body), "<Key>f</Key>") == false {
		t.Error("f is not reported")
	}
}
