package server

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzPostPolicy decodes arbitrary policy documents: parsing never
// panics, a parsed policy has a sane length range, and checking a form
// against it never panics.
func FuzzPostPolicy(f *testing.F) {
	for _, doc := range []string{
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key","u/"],["content-length-range",1,10]]}`,
		`{"expiration":"2030-01-01T00:00:00Z","conditions":[["in","$content-type",["a","b"]],["not-in","$cache-control",["no-cache"]],["eq","$x-oss-meta-a","1"]]}`,
		`{"expiration":"2000-01-01T00:00:00.000Z","conditions":[]}`,
		`{"expiration":"x","conditions":[123]}`,
		`{"conditions":[["content-length-range","1","2"]]}`,
		`[]`,
	} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(doc)), "u/k", "a")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, policy, key, ctype string) {
		p, err := parsePolicy(policy)
		if err != nil {
			if p != nil {
				t.Fatal("a policy and an error")
			}
			return
		}
		if p.lengthMin < 0 || p.lengthMax != -1 && p.lengthMax < p.lengthMin {
			t.Fatalf("length range %d..%d", p.lengthMin, p.lengthMax)
		}
		_ = p.check(map[string]string{"bucket": "b", "key": key, "content-type": ctype}, now)
	})
}
