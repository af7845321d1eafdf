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

// TestVersioning drives a versioned bucket over the wire: every write is
// a version, versionId reads, copies, tags and deletes one, a delete
// without one puts a delete marker, and ListObjectVersions and
// DeleteMultipleObjects report versions and markers as OSS does.
func TestVersioning(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("vbk")
	putConf := func(status string) call {
		return call{method: "PUT", bucket: "vbk", query: "versioning",
			body: []byte("<VersioningConfiguration><Status>" + status + "</Status></VersioningConfiguration>")}
	}
	h.fails(putConf("On"), ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "vbk", query: "versioning", body: []byte("<Versioning")}, ossxml.CodeMalformedXML)
	h.ok(putConf("Enabled"), http.StatusOK)
	var vc ossxml.VersioningConfiguration
	h.xml(call{method: "GET", bucket: "vbk", query: "versioning"}, &vc)
	if vc.Status != "Enabled" {
		t.Fatalf("versioning status %q", vc.Status)
	}

	v1 := h.put("vbk", "k", []byte("one")).Header.Get("x-oss-version-id")
	v2 := h.put("vbk", "k", []byte("two")).Header.Get("x-oss-version-id")
	if v1 == "" || v2 == "" || v1 == v2 {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	r := h.ok(call{method: "GET", bucket: "vbk", key: "k", query: "versionId=" + v1}, http.StatusOK)
	if string(r.body) != "one" || r.Header.Get("x-oss-version-id") != v1 {
		t.Fatalf("GET version 1: %q, version %q", r.body, r.Header.Get("x-oss-version-id"))
	}
	if got := h.get("vbk", "k"); string(got) != "two" {
		t.Fatalf("current: %q", got)
	}
	h.fails(call{method: "GET", bucket: "vbk", key: "k", query: "versionId="}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "GET", bucket: "vbk", key: "k", query: "versionId=0000000000000099"}, ossxml.CodeNoSuchVersion)

	// Tags and ACLs of one version.
	h.ok(call{method: "PUT", bucket: "vbk", key: "k", query: "tagging&versionId=" + v1,
		body: []byte("<Tagging><TagSet><Tag><Key>v</Key><Value>1</Value></Tag></TagSet></Tagging>")}, http.StatusOK)
	var tags ossxml.Tagging
	h.xml(call{method: "GET", bucket: "vbk", key: "k", query: "tagging&versionId=" + v1}, &tags)
	if len(tags.TagSet.Tags) != 1 {
		t.Fatalf("tags of version 1: %+v", tags)
	}
	h.xml(call{method: "GET", bucket: "vbk", key: "k", query: "tagging"}, &tags)
	if len(tags.TagSet.Tags) != 0 {
		t.Fatalf("tags of the current version: %+v", tags)
	}
	h.ok(call{method: "PUT", bucket: "vbk", key: "k", query: "acl&versionId=" + v1, header: map[string]string{"x-oss-object-acl": "public-read"}}, http.StatusOK)
	h.ok(call{method: "GET", bucket: "vbk", key: "k", query: "versionId=" + v1, anon: true}, http.StatusOK)
	h.fails(call{method: "GET", bucket: "vbk", key: "k", anon: true}, ossxml.CodeAccessDenied)

	// A copy of version 1 is a new version, naming its source version.
	r = h.ok(call{method: "PUT", bucket: "vbk", key: "c", header: map[string]string{"x-oss-copy-source": "/vbk/k?versionId=" + v1}}, http.StatusOK)
	if r.Header.Get("x-oss-copy-source-version-id") != v1 || r.Header.Get("x-oss-version-id") == "" {
		t.Fatalf("copy headers %v", r.Header)
	}
	if got := h.get("vbk", "c"); string(got) != "one" {
		t.Fatalf("copy of version 1: %q", got)
	}

	// A delete puts a marker; the key reads as missing, with the marker
	// named; the marker itself is not readable.
	r = h.ok(call{method: "DELETE", bucket: "vbk", key: "k"}, http.StatusNoContent)
	marker := r.Header.Get("x-oss-version-id")
	if r.Header.Get("x-oss-delete-marker") != "true" || marker == "" || marker == v2 {
		t.Fatalf("delete headers %v", r.Header)
	}
	for _, m := range []string{"GET", "HEAD"} {
		r = h.do(call{method: m, bucket: "vbk", key: "k"})
		if r.StatusCode != http.StatusNotFound || r.Header.Get("x-oss-delete-marker") != "true" || r.Header.Get("x-oss-version-id") != marker {
			t.Fatalf("%s under a marker: %d %v", m, r.StatusCode, r.Header)
		}
		r = h.do(call{method: m, bucket: "vbk", key: "k", query: "versionId=" + marker})
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("x-oss-delete-marker") != "true" {
			t.Fatalf("%s of the marker: %d %v", m, r.StatusCode, r.Header)
		}
	}
	h.fails(call{method: "PUT", bucket: "vbk", key: "x", header: map[string]string{"x-oss-copy-source": "/vbk/k?versionId=" + marker}}, ossxml.CodeInvalidArgument)
	h.fails(call{method: "PUT", bucket: "vbk", key: "x", header: map[string]string{"x-oss-copy-source": "/vbk/k"}}, ossxml.CodeNoSuchKey)

	var res ossxml.ListVersionsResult
	h.xml(call{method: "GET", bucket: "vbk", query: "versions&prefix=k"}, &res)
	if len(res.DeleteMarkers) != 1 || res.DeleteMarkers[0].VersionID != marker || !res.DeleteMarkers[0].IsLatest ||
		len(res.Versions) != 2 || res.Versions[0].VersionID != v2 || res.Versions[0].IsLatest || res.Versions[1].VersionID != v1 {
		t.Fatalf("versions of k: %+v", res)
	}

	// Deleting the marker by id brings version 2 back.
	r = h.ok(call{method: "DELETE", bucket: "vbk", key: "k", query: "versionId=" + marker}, http.StatusNoContent)
	if r.Header.Get("x-oss-delete-marker") != "true" || r.Header.Get("x-oss-version-id") != marker {
		t.Fatalf("marker delete headers %v", r.Header)
	}
	if got := h.get("vbk", "k"); string(got) != "two" {
		t.Fatalf("after the marker's delete: %q", got)
	}

	// DeleteMultipleObjects: a version for good, and a current object
	// under a new marker.
	body := []byte(`<Delete><Object><Key>k</Key><VersionId>` + v1 + `</VersionId></Object><Object><Key>c</Key></Object></Delete>`)
	var dr ossxml.DeleteResult
	r = h.ok(call{method: "POST", bucket: "vbk", query: "delete", body: body, md5: true}, http.StatusOK)
	if err := ossxml.Unmarshal(r.body, &dr); err != nil || len(dr.Deleted) != 2 ||
		dr.Deleted[0].VersionID != v1 || dr.Deleted[0].DeleteMarker ||
		!dr.Deleted[1].DeleteMarker || dr.Deleted[1].DeleteMarkerVersionID == "" {
		t.Fatalf("DeleteResult %s: %v", r.body, err)
	}
	h.fails(call{method: "GET", bucket: "vbk", key: "k", query: "versionId=" + v1}, ossxml.CodeNoSuchVersion)
	h.fails(call{method: "DELETE", bucket: "vbk"}, ossxml.CodeBucketNotEmpty)
	// Noncurrent versions count in the bucket's statistics, markers apart:
	// k holds version 2, c its one version under a delete marker.
	var st ossxml.BucketStat
	h.xml(call{method: "GET", bucket: "vbk", query: "stat"}, &st)
	if st.ObjectCount != 2 || st.DeleteMarkerCount != 1 || st.Storage != int64(len("two")+len("one")) {
		t.Errorf("stat of the versioned bucket: %+v", st)
	}

	// Suspended: a write is the null version, and replaces the null one.
	h.ok(putConf("Suspended"), http.StatusOK)
	for _, body := range []string{"null 1", "null 2"} {
		if v := h.put("vbk", "k", []byte(body)).Header.Get("x-oss-version-id"); v != "null" {
			t.Fatalf("suspended write version %q", v)
		}
	}
	h.xml(call{method: "GET", bucket: "vbk", query: "versions&prefix=k"}, &res)
	if len(res.Versions) != 2 || res.Versions[0].VersionID != "null" || res.Versions[1].VersionID != v2 {
		t.Fatalf("versions of k while suspended: %+v", res)
	}
	r = h.ok(call{method: "GET", bucket: "vbk", key: "k", query: "versionId=null"}, http.StatusOK)
	if string(r.body) != "null 2" {
		t.Fatalf("null version %q", r.body)
	}
}
