package ossxml

import (
	"fmt"
	"strings"
)

// EncodingURL is the only encoding-type OSS defines for this subset: the
// value of the encoding-type query parameter and of <EncodingType>.
const EncodingURL = "url"

// unreserved reports whether c passes through [EscapeURL] unchanged.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// EscapeURL percent-encodes every byte of s outside A–Z a–z 0–9 - _ . ~ as
// %XX with uppercase hex, as OSS does for encoding-type=url. Space becomes
// %20 (never +), and / becomes %2F.
func EscapeURL(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&0xF])
	}
	return string(b)
}

// UnescapeURL reverses [EscapeURL]: it decodes every %XX (either case of
// hex). It is strict: a % not followed by two hex digits is an error. A +
// stays a +. The result need not be valid UTF-8.
func UnescapeURL(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || hexVal(s[i+1]) < 0 || hexVal(s[i+2]) < 0 {
			return "", fmt.Errorf("ossxml: invalid URL escape %q in %q", s[i:min(i+3, len(s))], s)
		}
		b = append(b, byte(hexVal(s[i+1])<<4|hexVal(s[i+2])))
		i += 2
	}
	return string(b), nil
}

// isURL reports whether an <EncodingType> value means url. Like the v2 SDK
// it ignores case.
func isURL(enc string) bool { return strings.EqualFold(enc, EncodingURL) }

// escapeFields applies EscapeURL to every field.
func escapeFields(fields []*string) {
	for _, f := range fields {
		*f = EscapeURL(*f)
	}
}

// unescapeFields applies UnescapeURL to every field, all or none: on error
// no field is changed.
func unescapeFields(fields []*string) error {
	out := make([]string, len(fields))
	for i, f := range fields {
		s, err := UnescapeURL(*f)
		if err != nil {
			return err
		}
		out[i] = s
	}
	for i, f := range fields {
		*f = out[i]
	}
	return nil
}

// decodeURL is the body of every DecodeURL method.
func decodeURL(enc *string, fields []*string) error {
	if !isURL(*enc) {
		return nil
	}
	if err := unescapeFields(fields); err != nil {
		return err
	}
	*enc = ""
	return nil
}

// urlFields returns the fields encoding-type=url encodes: Prefix, Marker,
// Delimiter, NextMarker, each Contents Key and each CommonPrefixes Prefix.
func (r *ListBucketResult) urlFields() []*string {
	f := []*string{&r.Prefix, &r.Marker, &r.Delimiter, &r.NextMarker}
	return appendListFields(f, r.Contents, r.CommonPrefixes)
}

// EncodeURL percent-encodes Prefix, Marker, Delimiter, NextMarker, each
// Contents Key and each CommonPrefixes Prefix, and sets EncodingType to url.
// Call it once, when the request asked for encoding-type=url.
func (r *ListBucketResult) EncodeURL() {
	escapeFields(r.urlFields())
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [ListBucketResult.EncodeURL] if EncodingType is url,
// and clears EncodingType; otherwise it does nothing. On error r is
// unchanged.
func (r *ListBucketResult) DecodeURL() error { return decodeURL(&r.EncodingType, r.urlFields()) }

// urlFields returns the fields encoding-type=url encodes: Prefix,
// StartAfter, ContinuationToken, Delimiter, NextContinuationToken, each
// Contents Key and each CommonPrefixes Prefix.
func (r *ListBucketV2Result) urlFields() []*string {
	f := []*string{&r.Prefix, &r.StartAfter, &r.ContinuationToken, &r.Delimiter, &r.NextContinuationToken}
	return appendListFields(f, r.Contents, r.CommonPrefixes)
}

// EncodeURL percent-encodes Prefix, StartAfter, ContinuationToken,
// Delimiter, NextContinuationToken, each Contents Key and each
// CommonPrefixes Prefix, and sets EncodingType to url. The v1 SDK decodes
// these fields even without <EncodingType>, so continuation tokens should be
// URL-safe, making their encoding a no-op. Call it once.
func (r *ListBucketV2Result) EncodeURL() {
	escapeFields(r.urlFields())
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [ListBucketV2Result.EncodeURL] if EncodingType is url,
// and clears EncodingType; otherwise it does nothing. On error r is
// unchanged.
func (r *ListBucketV2Result) DecodeURL() error { return decodeURL(&r.EncodingType, r.urlFields()) }

// appendListFields appends the Key of every object and the Prefix of every
// common prefix.
func appendListFields(f []*string, contents []ObjectSummary, prefixes []CommonPrefix) []*string {
	for i := range contents {
		f = append(f, &contents[i].Key)
	}
	for i := range prefixes {
		f = append(f, &prefixes[i].Prefix)
	}
	return f
}

// EncodeURL percent-encodes Key and sets EncodingType to url. Call it once.
func (r *ListPartsResult) EncodeURL() {
	escapeFields([]*string{&r.Key})
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [ListPartsResult.EncodeURL] if EncodingType is url, and
// clears EncodingType; otherwise it does nothing.
func (r *ListPartsResult) DecodeURL() error {
	return decodeURL(&r.EncodingType, []*string{&r.Key})
}

// urlFields returns the fields encoding-type=url encodes: Prefix,
// Delimiter, KeyMarker, NextKeyMarker, each Upload Key and each
// CommonPrefixes Prefix.
func (r *ListMultipartUploadsResult) urlFields() []*string {
	f := []*string{&r.Prefix, &r.Delimiter, &r.KeyMarker, &r.NextKeyMarker}
	for i := range r.Uploads {
		f = append(f, &r.Uploads[i].Key)
	}
	return appendListFields(f, nil, r.CommonPrefixes)
}

// EncodeURL percent-encodes Prefix, Delimiter, KeyMarker, NextKeyMarker,
// each Upload Key and each CommonPrefixes Prefix, and sets EncodingType to
// url. Upload ids are not encoded. Call it once.
func (r *ListMultipartUploadsResult) EncodeURL() {
	escapeFields(r.urlFields())
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [ListMultipartUploadsResult.EncodeURL] if EncodingType
// is url, and clears EncodingType; otherwise it does nothing. On error r is
// unchanged.
func (r *ListMultipartUploadsResult) DecodeURL() error {
	return decodeURL(&r.EncodingType, r.urlFields())
}

// urlFields returns each Deleted Key.
func (r *DeleteResult) urlFields() []*string {
	f := make([]*string, len(r.Deleted))
	for i := range r.Deleted {
		f[i] = &r.Deleted[i].Key
	}
	return f
}

// EncodeURL percent-encodes each Deleted Key and sets EncodingType to url.
// Call it once.
func (r *DeleteResult) EncodeURL() {
	escapeFields(r.urlFields())
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [DeleteResult.EncodeURL] if EncodingType is url, and
// clears EncodingType; otherwise it does nothing. On error r is unchanged.
func (r *DeleteResult) DecodeURL() error { return decodeURL(&r.EncodingType, r.urlFields()) }

// EncodeURL percent-encodes Key and sets EncodingType to url. Only the v2
// SDK asks for it here, and the v1 SDK never decodes it, so call it only
// when the request asked. Call it once.
func (r *InitiateMultipartUploadResult) EncodeURL() {
	escapeFields([]*string{&r.Key})
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [InitiateMultipartUploadResult.EncodeURL] if
// EncodingType is url, and clears EncodingType; otherwise it does nothing.
func (r *InitiateMultipartUploadResult) DecodeURL() error {
	return decodeURL(&r.EncodingType, []*string{&r.Key})
}

// EncodeURL percent-encodes Key and sets EncodingType to url. Location is
// not encoded. Call it once, only when the request asked.
func (r *CompleteMultipartUploadResult) EncodeURL() {
	escapeFields([]*string{&r.Key})
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [CompleteMultipartUploadResult.EncodeURL] if
// EncodingType is url, and clears EncodingType; otherwise it does nothing.
func (r *CompleteMultipartUploadResult) DecodeURL() error {
	return decodeURL(&r.EncodingType, []*string{&r.Key})
}

// URLEncoded is an answer whose fields encoding-type=url encodes.
type URLEncoded interface{ urlFields() []*string }

// PlusAsSpace prepares an answer of an S3 service for DecodeURL: S3's
// encoding-type=url writes a space as '+' (and a '+' as %2B), where OSS
// writes %20, so every '+' is made %20 first. Call it only when the
// answer is URL-encoded.
func PlusAsSpace(v URLEncoded) {
	for _, f := range v.urlFields() {
		if strings.IndexByte(*f, '+') >= 0 {
			*f = strings.ReplaceAll(*f, "+", "%20")
		}
	}
}

// urlFields returns the fields encoding-type=url encodes: Prefix,
// KeyMarker, Delimiter, NextKeyMarker, each Version and DeleteMarker Key
// and each CommonPrefixes Prefix. Version ids are not encoded.
func (r *ListVersionsResult) urlFields() []*string {
	f := []*string{&r.Prefix, &r.KeyMarker, &r.Delimiter, &r.NextKeyMarker}
	for i := range r.Versions {
		f = append(f, &r.Versions[i].Key)
	}
	for i := range r.DeleteMarkers {
		f = append(f, &r.DeleteMarkers[i].Key)
	}
	return appendListFields(f, nil, r.CommonPrefixes)
}

// EncodeURL percent-encodes the keys, prefixes and markers and sets
// EncodingType to url. Call it once.
func (r *ListVersionsResult) EncodeURL() {
	escapeFields(r.urlFields())
	r.EncodingType = EncodingURL
}

// DecodeURL reverses [ListVersionsResult.EncodeURL] if EncodingType is
// url, and clears EncodingType; otherwise it does nothing. On error r is
// unchanged.
func (r *ListVersionsResult) DecodeURL() error { return decodeURL(&r.EncodingType, r.urlFields()) }
