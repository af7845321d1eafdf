package server

import (
	"net/http"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// TestBucketStat checks GetBucketStat's counts against what was put, and
// that only the owner reads them.
func TestBucketStat(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("stats")
	var st ossxml.BucketStat
	h.xml(call{method: "GET", bucket: "stats", query: "stat"}, &st)
	if st != (ossxml.BucketStat{}) {
		t.Errorf("an empty bucket: %+v", st)
	}
	h.put("stats", "a", make([]byte, 100))
	h.ok(call{method: "PUT", bucket: "stats", key: "b", body: make([]byte, 40), header: map[string]string{"x-oss-storage-class": "ColdArchive"}}, http.StatusOK)
	h.put("stats", "a", make([]byte, 60)) // replaces: not counted twice
	var init ossxml.InitiateMultipartUploadResult
	h.xml(call{method: "POST", bucket: "stats", key: "mp", query: "uploads"}, &init)
	h.ok(call{method: "PUT", bucket: "stats", key: "mp", query: "partNumber=1&uploadId=" + init.UploadID, body: make([]byte, 500)}, http.StatusOK)
	h.xml(call{method: "GET", bucket: "stats", query: "stat"}, &st)
	if st.Storage != 600 || st.ObjectCount != 2 || st.StandardObjectCount != 1 || st.StandardStorage != 60 ||
		st.ColdArchiveObjectCount != 1 || st.ColdArchiveStorage != 40 || st.MultipartUploadCount != 1 || st.MultipartPartCount != 1 || st.LastModifiedTime == 0 {
		t.Errorf("GetBucketStat = %+v", st)
	}
	if r := h.as(otherCred, call{method: "GET", bucket: "stats", query: "stat"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("another account's GetBucketStat: %d", r.StatusCode)
	}
}
