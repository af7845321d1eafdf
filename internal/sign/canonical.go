package sign

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// param is one decoded query parameter. A parameter written without '=' or
// with an empty value has value "".
type param struct {
	name, value string
}

// parseQuery decodes a raw query string in order, with '+' meaning a space
// (both SDKs encode spaces as %20, browsers as '+'). Pairs that fail to
// decode are kept verbatim so that the signature, not the parser, rejects
// them.
func parseQuery(raw string) []param {
	var ps []param
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		ps = append(ps, param{name, value})
	}
	return ps
}

// get returns the value of the first parameter called name.
func get(ps []param, name string) (string, bool) {
	for _, p := range ps {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// escape percent-encodes s as RFC 3986 with uppercase hex, keeping only
// A-Z a-z 0-9 - _ . ~ and, unless encodeSlash, '/'.
func escape(s string, encodeSlash bool) string {
	const hexdigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i], encodeSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c, encodeSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexdigits[c>>4], hexdigits[c&15])
	}
	return string(b)
}

func unreserved(c byte, encodeSlash bool) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	case c == '-', c == '_', c == '.', c == '~':
		return true
	case c == '/':
		return !encodeSlash
	}
	return false
}

// resourcePath is the unescaped path OSS signs: "/", "/bucket/" or
// "/bucket/key".
func resourcePath(res Resource) string {
	if res.Bucket == "" {
		return "/"
	}
	return "/" + res.Bucket + "/" + res.Key
}

// headerLine appends "name:v1,v2\n" with each value trimmed of spaces.
func headerLine(b *strings.Builder, name string, values []string) {
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

// ossHeaderNames returns the lower-cased names of r's headers for which keep
// is true, sorted by byte order.
func ossHeaderNames(h http.Header, keep func(lower string) bool) []string {
	var names []string
	for k := range h {
		if l := strings.ToLower(k); keep(l) {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func isOSSHeader(lower string) bool { return strings.HasPrefix(lower, "x-oss-") }

// v1StringToSign builds the V1 string to sign. date is the Date header value
// for header signatures and the Expires value for presigned URLs. With
// allOSSQuery, every x-oss-* query parameter is signed as a sub-resource
// (the v2 SDK's rule); without it only the listed sub-resources are (the v1
// SDK's rule).
func v1StringToSign(r *http.Request, res Resource, date string, q []param, allOSSQuery bool) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.Header.Get(HeaderContentMD5))
	b.WriteByte('\n')
	b.WriteString(r.Header.Get(HeaderContentType))
	b.WriteByte('\n')
	b.WriteString(date)
	b.WriteByte('\n')
	for _, name := range ossHeaderNames(r.Header, isOSSHeader) {
		headerLine(&b, name, r.Header.Values(name))
	}
	b.WriteString(resourcePath(res))
	sub := v1SubResources(q, allOSSQuery)
	for i, p := range sub {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}

func v1SubResources(q []param, allOSSQuery bool) []param {
	var sub []param
	for _, p := range q {
		if subResources[p.name] || (allOSSQuery && strings.HasPrefix(p.name, "x-oss-")) {
			sub = append(sub, p)
		}
	}
	slices.SortStableFunc(sub, func(a, b param) int { return strings.Compare(a.name, b.name) })
	return sub
}

// hasUnlistedOSSQuery reports whether q has an x-oss-* parameter that is not
// a listed sub-resource, the only case where the two V1 rules differ.
func hasUnlistedOSSQuery(q []param) bool {
	for _, p := range q {
		if strings.HasPrefix(p.name, "x-oss-") && !subResources[p.name] {
			return true
		}
	}
	return false
}

func v1Signature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// v4CanonicalRequest builds the V4 canonical request. additional are the
// lower-cased, sorted AdditionalHeaders names.
func v4CanonicalRequest(r *http.Request, res Resource, q []param, additional []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(escape(resourcePath(res), false))
	b.WriteByte('\n')
	writeV4Query(&b, q)
	b.WriteByte('\n')
	signed := ossHeaderNames(r.Header, func(l string) bool {
		return isDefaultSignedV4(l) || slices.Contains(additional, l)
	})
	hostSigned := slices.Contains(additional, "host") && r.Header.Get("Host") == ""
	for _, name := range signed {
		if hostSigned && name > "host" {
			headerLine(&b, "host", []string{requestHost(r)})
			hostSigned = false
		}
		headerLine(&b, name, r.Header.Values(name))
	}
	if hostSigned {
		headerLine(&b, "host", []string{requestHost(r)})
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(additional, ";"))
	b.WriteByte('\n')
	if p := r.Header.Get(HeaderContentSHA256); p != "" {
		b.WriteString(p)
	} else {
		b.WriteString(UnsignedPayload)
	}
	return b.String()
}

// requestHost is the Host a request is sent with: r.Host on both sides, or
// the URL's host on a client request that leaves r.Host empty.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}

func writeV4Query(b *strings.Builder, q []param) {
	enc := make([]param, 0, len(q))
	for _, p := range q {
		if p.name == queryV4Signature {
			continue
		}
		enc = append(enc, param{escape(p.name, true), escape(p.value, true)})
	}
	slices.SortStableFunc(enc, func(a, b param) int { return cmp.Compare(a.name, b.name) })
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
}

func isDefaultSignedV4(lower string) bool {
	return isOSSHeader(lower) || lower == "content-type" || lower == "content-md5"
}

// v4AdditionalHeaders normalises a client's AdditionalHeaders list: lower
// case, without the always-signed names, only those r carries, sorted and
// without duplicates.
func v4AdditionalHeaders(r *http.Request, names []string) []string {
	var out []string
	for _, n := range names {
		l := strings.ToLower(strings.TrimSpace(n))
		if l == "" || isDefaultSignedV4(l) {
			continue
		}
		if r.Header.Get(l) != "" || (l == "host" && requestHost(r) != "") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func v4StringToSign(timestamp, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return v4Algorithm + "\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func v4Scope(day, region, product string) string {
	return day + "/" + region + "/" + product + "/" + v4Terminator
}

func v4Signature(secret, day, region, product, stringToSign string) string {
	k := hmacSHA256([]byte("aliyun_v4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, product)
	k = hmacSHA256(k, v4Terminator)
	return hex.EncodeToString(hmacSHA256(k, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
