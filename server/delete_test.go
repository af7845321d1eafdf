package server

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// deleteBody is a DeleteMultipleObjects body naming keys k0000000,
// k0000001, ... n of them.
func deleteBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<Delete><Quiet>true</Quiet>")
	for i := range n {
		fmt.Fprintf(&b, "<Object><Key>k%07d</Key></Object>", i)
	}
	b.WriteString("</Delete>")
	return b.Bytes()
}

func TestDeleteMultipleObjectsLimits(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for i := range 3 {
		h.put("bkt", fmt.Sprintf("k%07d", i), []byte("x"))
	}
	body := deleteBody(2)

	e := h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: body}, ossxml.CodeMissingArgument)
	if e.EC != ossxml.ECMissingContentMD5 || e.ArgumentName != "Content-MD5" {
		t.Errorf("without Content-MD5: %+v", e)
	}
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: body, header: map[string]string{"Content-MD5": "nope"}}, ossxml.CodeInvalidDigest)
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: deleteBody(maxDeleteObjects + 1), md5: true}, ossxml.CodeMalformedXML)
	big := append(deleteBody(1), bytes.Repeat([]byte(" "), maxXMLBody)...)
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: big, md5: true}, ossxml.CodeMalformedXML)
	h.fails(call{method: "POST", bucket: "nobkt", query: "delete", body: body, md5: true}, ossxml.CodeNoSuchBucket)
	bad := []byte("<Delete><Object><Key>k0000000</Key></Object><Object><Key>/abs</Key></Object></Delete>")
	h.fails(call{method: "POST", bucket: "bkt", query: "delete", body: bad, md5: true}, ossxml.CodeInvalidObjectName)
	h.get("bkt", "k0000000") // nothing deleted by a refused request

	h.ok(call{method: "POST", bucket: "bkt", query: "delete", body: deleteBody(maxDeleteObjects), md5: true}, 200)
	for i := range 3 {
		h.fails(call{method: "GET", bucket: "bkt", key: fmt.Sprintf("k%07d", i)}, ossxml.CodeNoSuchKey)
	}
}

// TestDeleteMultipleObjectsMemory sends a body of almost 4 MiB naming
// 100,000 objects: it is refused at the 1,001st, and serving it allocates
// what serving a body of 1,001 objects does, a fraction of its size.
func TestDeleteMultipleObjectsMemory(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	measure := func(body []byte) uint64 {
		r := h.request(call{method: "POST", bucket: "bkt", query: "delete", body: body, md5: true})
		w := httptest.NewRecorder()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		h.srv.ServeHTTP(w, r)
		runtime.ReadMemStats(&after)
		if w.Code != 400 || !strings.Contains(w.Body.String(), ossxml.CodeMalformedXML) {
			t.Fatalf("status %d, body %s", w.Code, w.Body)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	huge, small := deleteBody(100_000), deleteBody(maxDeleteObjects+1)
	if len(huge) > maxXMLBody {
		t.Fatalf("body of %d bytes is over the XML limit", len(huge))
	}
	measure(small) // warm up pools and lazily built tables
	base, alloc := measure(small), measure(huge)
	t.Logf("a %d-byte body of 100,000 objects allocated %d bytes; one of 1,001 objects %d", len(huge), alloc, base)
	if alloc > base+64<<10 || alloc > uint64(len(huge)/4) {
		t.Errorf("serving it allocated %d bytes, want about %d and at most %d (a quarter of the body)", alloc, base, len(huge)/4)
	}
}
