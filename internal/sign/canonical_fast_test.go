package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// refV4Headers is the canonical header block as it was first written:
// every name lower-cased with strings.ToLower, sorted and made unique,
// each line from http.Header.Values. appendV4Headers must match it for
// any header map.
func refV4Headers(r *http.Request, additional []string) string {
	var names []string
	for k := range r.Header {
		if l := strings.ToLower(k); isDefaultSignedV4(l) || slices.Contains(additional, l) {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var b strings.Builder
	line := func(name string, values []string) {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.TrimSpace(v))
		}
		b.WriteByte('\n')
	}
	hostSigned := slices.Contains(additional, "host") && r.Header.Get("Host") == ""
	for _, name := range names {
		if hostSigned && name > "host" {
			line("host", []string{requestHost(r)})
			hostSigned = false
		}
		line(name, r.Header.Values(name))
	}
	if hostSigned {
		line("host", []string{requestHost(r)})
	}
	return b.String()
}

func TestV4HeadersMatchReference(t *testing.T) {
	maps := []http.Header{
		{"X-Oss-Date": {"20231216T162057Z"}, "Content-Type": {" text/plain "}, "User-Agent": {"ossup"}},
		// Keys put in the map as they are, not canonical: Values finds
		// only the canonical one.
		{"x-oss-meta-a": {"1"}, "X-Oss-Meta-A": {"2", "3"}, "X-OSS-META-B": {"4"}, "content-md5": {"m"}},
		{"x-oss-meta-only-lower": {"v"}, "CONTENT-TYPE": {"t"}},
		// Names CanonicalMIMEHeaderKey leaves alone: a space, non-ASCII.
		{"X-Oss-Meta A": {"s"}, "x-oss-meta a": {"t"}, "X-Oss-Meta-\u00c4": {"u"}, "x-oss-meta-\u00e4": {"w"}},
		// The Kelvin sign lower-cases to an ASCII k.
		{"X-Custom-\u212a": {"kelvin"}, "X-Custom-K": {"k"}, "Zz": {"z"}, "Abc": {"a"}, "Host": {"h"}},
		{"X-Oss-Meta-1-2": {"d"}, "X-Oss-Meta--x": {"e"}, "X-Oss-": {"f"}, "x-Oss-Meta-z": {"g"}},
		{},
	}
	additional := [][]string{nil, {"abc", "zz"}, {"host"}, {"host", "x-custom-k", "zz"}, {"Abc", "ZZ"}}
	for i, h := range maps {
		for _, add := range additional {
			r, err := http.NewRequest("PUT", "http://bucket.example.com/key", nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header = h.Clone()
			if r.Header == nil {
				r.Header = http.Header{}
			}
			if got, want := string(appendV4Headers(nil, r, add)), refV4Headers(r, add); got != want {
				t.Errorf("map %d, additional %q:\ngot  %q\nwant %q", i, add, got, want)
			}
		}
	}
}

func TestHMACKey32(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i*7 + 1)
	}
	for _, n := range []int{0, 1, 63, 64, 65, 191, 192, 193, 256, 1000} {
		data := strings.Repeat("x", n)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		if got := hmacSHA256Key32(key, data); !hmac.Equal(got[:], m.Sum(nil)) {
			t.Errorf("%d bytes: %x, want %x", n, got, m.Sum(nil))
		}
	}
}

func TestV4SigningKeyCache(t *testing.T) {
	derive := func(secret, day, region, product string) []byte {
		k := hmacSHA256([]byte("aliyun_v4"+secret), day)
		k = hmacSHA256(k, region)
		k = hmacSHA256(k, product)
		return hmacSHA256(k, v4Terminator)
	}
	for i := range 3 * v4KeysMax {
		secret, day := "secret"+strings.Repeat("s", i%5), "2023121"+string(rune('0'+i%10))
		region := "cn-" + strings.Repeat("r", i/10)
		for range 2 { // the second time from the cache
			if got, want := v4SigningKey(secret, day, region, "oss"), derive(secret, day, region, "oss"); !hmac.Equal(got, want) {
				t.Fatalf("key %d: %x, want %x", i, got, want)
			}
		}
	}
}
