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
	"sync"
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
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i], encodeSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return string(appendEscaped(make([]byte, 0, len(s)+2*n), s, encodeSlash))
}

// appendEscaped appends escape(s, encodeSlash) to b.
func appendEscaped(b []byte, s string, encodeSlash bool) []byte {
	const hexdigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c, encodeSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexdigits[c>>4], hexdigits[c&15])
	}
	return b
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
	b := make([]byte, 0, 512)
	b = append(b, r.Method...)
	b = append(b, '\n')
	if res.Bucket == "" {
		b = append(b, '/')
	} else {
		// escape keeps '/', so the path escapes piece by piece.
		b = append(b, '/')
		b = appendEscaped(b, res.Bucket, false)
		b = append(b, '/')
		b = appendEscaped(b, res.Key, false)
	}
	b = append(b, '\n')
	b = appendV4Query(b, q)
	b = append(b, '\n')
	b = appendV4Headers(b, r, additional)
	b = append(b, '\n')
	for i, a := range additional {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, a...)
	}
	b = append(b, '\n')
	if p := r.Header.Get(HeaderContentSHA256); p != "" {
		b = append(b, p...)
	} else {
		b = append(b, UnsignedPayload...)
	}
	return string(b)
}

// signedHeader is a header the V4 canonical request signs: its name
// lower-cased, and as r.Header has it.
type signedHeader struct{ lower, key string }

// appendV4Headers appends the canonical header lines: those of the
// headers V4 always signs and of the additional ones r carries, by their
// lower-cased names in byte order, each name once, with the values
// r.Header.Values(name) gives; then "host" where additional names it and
// r has no Host header.
func appendV4Headers(b []byte, r *http.Request, additional []string) []byte {
	var buf [16]signedHeader
	signed := buf[:0]
	for k := range r.Header {
		if !v4Signed(k, additional) {
			continue
		}
		signed = append(signed, signedHeader{strings.ToLower(k), k})
	}
	slices.SortFunc(signed, func(a, b signedHeader) int { return strings.Compare(a.lower, b.lower) })
	hostSigned := slices.Contains(additional, "host") && r.Header.Get("Host") == ""
	for i, h := range signed {
		if i > 0 && h.lower == signed[i-1].lower {
			continue
		}
		if hostSigned && h.lower > "host" {
			b = appendHeaderLine(b, "host", requestHost(r))
			hostSigned = false
		}
		b = append(b, h.lower...)
		b = append(b, ':')
		var values []string
		if isCanonicalOf(h.key, h.lower) {
			values = r.Header[h.key] // what Values(h.lower) finds, without canonicalising it again
		} else {
			values = r.Header.Values(h.lower)
		}
		for j, v := range values {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, strings.TrimSpace(v)...)
		}
		b = append(b, '\n')
	}
	if hostSigned {
		b = appendHeaderLine(b, "host", requestHost(r))
	}
	return b
}

// v4Signed reports whether V4 signs the header named k:
// isDefaultSignedV4(strings.ToLower(k)) or additional holds that name.
// It lower-cases ASCII names on the fly, without allocating.
func v4Signed(k string, additional []string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 {
			l := strings.ToLower(k)
			return isDefaultSignedV4(l) || slices.Contains(additional, l)
		}
	}
	if len(k) >= len("x-oss-") && lowerEquals(k[:len("x-oss-")], "x-oss-") ||
		lowerEquals(k, "content-type") || lowerEquals(k, "content-md5") {
		return true
	}
	for _, a := range additional {
		if lowerEquals(k, a) {
			return true
		}
	}
	return false
}

// lowerEquals reports whether the ASCII string k, lower-cased, is lower.
func lowerEquals(k, lower string) bool {
	if len(k) != len(lower) {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isCanonicalOf reports whether key is textproto.CanonicalMIMEHeaderKey(lower),
// the key under which http.Header.Values(lower) looks: lower is made of
// token characters only (CanonicalMIMEHeaderKey leaves any other name as
// it is) and key is lower with its first letter, and each letter after a
// '-', upper-cased.
func isCanonicalOf(key, lower string) bool {
	if len(key) != len(lower) || lower == "" {
		return false
	}
	upper := true
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if !isTokenChar(c) {
			return false
		}
		want := c
		if upper && 'a' <= c && c <= 'z' {
			want -= 'a' - 'A'
		}
		if key[i] != want {
			return false
		}
		upper = c == '-'
	}
	return true
}

// isTokenChar reports whether c may appear in a header name (RFC 7230
// token), as net/textproto decides it.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendHeaderLine appends "name:value\n", the value trimmed of spaces.
func appendHeaderLine(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = append(b, strings.TrimSpace(value)...)
	return append(b, '\n')
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

func appendV4Query(b []byte, q []param) []byte {
	if len(q) == 0 {
		return b
	}
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
			b = append(b, '&')
		}
		b = append(b, p.name...)
		if p.value != "" {
			b = append(b, '=')
			b = append(b, p.value...)
		}
	}
	return b
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
	sum := hmacSHA256Key32(v4SigningKey(secret, day, region, product), stringToSign)
	return hex.EncodeToString(sum[:])
}

// hmacSHA256Key32 is HMAC-SHA256 (RFC 2104) of data under a 32-byte key,
// as hmacSHA256 computes it, written out so that it allocates nothing
// but, for long data, one buffer: SHA-256((key ^ opad) || SHA-256((key ^
// ipad) || data)).
func hmacSHA256Key32(key []byte, data string) [sha256.Size]byte {
	const block = sha256.BlockSize
	var small [block + 256]byte
	in := small[:0]
	if block+len(data) > len(small) {
		in = make([]byte, 0, block+len(data))
	}
	var outer [block + sha256.Size]byte
	for i := range block {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		in = append(in, k^0x36)
		outer[i] = k ^ 0x5c
	}
	in = append(in, data...)
	inner := sha256.Sum256(in)
	copy(outer[block:], inner[:])
	return sha256.Sum256(outer[:])
}

// keyCache caches signing keys, which depend only on the secret, the
// day, the region and the product (or service), so that a request costs
// one HMAC with its key instead of five. A full cache is emptied.
type keyCache struct {
	// prefix is put before the secret, and terminator ends the chain.
	prefix, terminator string

	mu sync.Mutex
	m  map[v4KeyID][]byte
}

// v4Keys caches OSS's V4 signing keys; awsKeys (aws.go) AWS's.
var v4Keys = keyCache{prefix: "aliyun_v4", terminator: v4Terminator}

// v4KeysMax bounds a keyCache: one entry per access key, region and day
// in use at once.
const v4KeysMax = 64

type v4KeyID struct{ secret, day, region, product string }

// get is the signing key of secret for day, region and product:
// HMAC-SHA256 chained over them and the terminator from prefix + secret,
// 32 bytes. Callers must not modify it.
func (c *keyCache) get(secret, day, region, product string) []byte {
	id := v4KeyID{secret, day, region, product}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = hmacSHA256([]byte(c.prefix+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, product)
	k = hmacSHA256(k, c.terminator)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= v4KeysMax {
		c.m = make(map[v4KeyID][]byte)
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

// v4SigningKey is OSS's V4 signing key of secret for day, region and
// product. Callers must not modify it.
func v4SigningKey(secret, day, region, product string) []byte {
	return v4Keys.get(secret, day, region, product)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
