package sign

import (
	"net/http"
	"testing"
	"time"
)

// benchRequest is an UploadPart request as the client sends it.
func benchRequest(b *testing.B) *http.Request {
	r := newRequest(b, "PUT", "http://127.0.0.1:9000/bucket/dir/object.bin?partNumber=7&uploadId=0004B9895DBBB6EC98E36A0E2B4E1F2A", map[string]string{
		"Content-Type":        "application/octet-stream",
		"x-oss-traffic-limit": "819200",
	})
	return r
}

var benchRes = Resource{Bucket: "bucket", Key: "dir/object.bin"}

func BenchmarkSign(b *testing.B) {
	now := time.Now()
	for _, s := range schemes[:4] {
		b.Run(s.name, func(b *testing.B) {
			r := benchRequest(b)
			raw := r.URL.RawQuery
			b.ReportAllocs()
			for b.Loop() {
				r.URL.RawQuery = raw
				s.sign(b, r, benchRes, testCred, now)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	v := Verifier{Lookup: lookup(testCred)}
	for _, s := range schemes[:4] {
		b.Run(s.name, func(b *testing.B) {
			r := benchRequest(b)
			s.sign(b, r, benchRes, testCred, now)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(r, benchRes, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
