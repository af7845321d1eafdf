package ossxml

import (
	"net/url"
	"reflect"
	"testing"
)

func TestEscapeURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"abcXYZ019-_.~", "abcXYZ019-_.~"},
		{"a b", "a%20b"},
		{"a+b", "a%2Bb"},
		{"dir/sub/", "dir%2Fsub%2F"},
		{"100%", "100%25"},
		{"%2F", "%252F"},
		{"demo/gp-\x0c\n\x0b", "demo%2Fgp-%0C%0A%0B"}, // the real OSS sample
		{"\x00\x7f", "%00%7F"},
		{"中文", "%E4%B8%AD%E6%96%87"},
		{"\xff", "%FF"},
		{"?&=#;:@!*'()", "%3F%26%3D%23%3B%3A%40%21%2A%27%28%29"},
	}
	for _, tt := range tests {
		got := EscapeURL(tt.in)
		if got != tt.want {
			t.Errorf("EscapeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := UnescapeURL(got)
		if err != nil || back != tt.in {
			t.Errorf("UnescapeURL(%q) = %q, %v; want %q", got, back, err, tt.in)
		}
	}
}

func TestUnescapeURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "a+b", want: "a+b"},
		{in: "a%20b", want: "a b"},
		{in: "%e4%b8%ad", want: "中"},
		{in: "%2f%2F", want: "//"},
		{in: "plain", want: "plain"},
		{in: "%", wantErr: true},
		{in: "%2", wantErr: true},
		{in: "a%zz", wantErr: true},
		{in: "%%41", wantErr: true},
		{in: "%G0", wantErr: true},
	}
	for _, tt := range tests {
		got, err := UnescapeURL(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("UnescapeURL(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("UnescapeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzEscapeURL checks the round trip, that only unreserved bytes and
// uppercase escapes are written, and that the SDKs' decoder
// (url.QueryUnescape) reads the same string back.
func FuzzEscapeURL(f *testing.F) {
	for _, s := range []string{"", "a b+c/d%e", "demo/gp-\x0c\n\x0b", "中文~", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeURL(s)
		for i := 0; i < len(e); i++ {
			c := e[i]
			if c == '%' {
				if i+2 >= len(e) || !isUpperHex(e[i+1]) || !isUpperHex(e[i+2]) {
					t.Fatalf("EscapeURL(%q) = %q: bad escape at %d", s, e, i)
				}
				i += 2
				continue
			}
			if !unreserved(c) {
				t.Fatalf("EscapeURL(%q) = %q: reserved byte %q", s, e, c)
			}
		}
		got, err := UnescapeURL(e)
		if err != nil || got != s {
			t.Fatalf("UnescapeURL(EscapeURL(%q)) = %q, %v", s, got, err)
		}
		if q, err := url.QueryUnescape(e); err != nil || q != s {
			t.Fatalf("url.QueryUnescape(%q) = %q, %v; want %q", e, q, err, s)
		}
	})
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// urlCoder is implemented by every result type with encoding-type=url
// fields.
type urlCoder interface {
	EncodeURL()
	DecodeURL() error
}

// oddKeys are keys that XML or a naive URL decoder would mangle.
var oddKeys = []string{"a b+c", "dir/%2F%", "ctl\x0c\x01\n", "中文/~", "?&=#"}

func TestEncodeDecodeURL(t *testing.T) {
	k := oddKeys
	tests := []struct {
		name    string
		v       urlCoder
		encoded urlCoder // v after EncodeURL
	}{
		{"ListBucketResult",
			&ListBucketResult{Name: "b c", Prefix: k[0], Marker: k[1], MaxKeys: 5, Delimiter: "/", NextMarker: k[2],
				Contents: []ObjectSummary{{Key: k[3], ETag: `"E"`}, {Key: k[4]}}, CommonPrefixes: []CommonPrefix{{Prefix: k[0]}}},
			&ListBucketResult{Name: "b c", Prefix: "a%20b%2Bc", Marker: "dir%2F%252F%25", MaxKeys: 5, Delimiter: "%2F", EncodingType: "url",
				NextMarker: "ctl%0C%01%0A", Contents: []ObjectSummary{{Key: "%E4%B8%AD%E6%96%87%2F~", ETag: `"E"`}, {Key: "%3F%26%3D%23"}},
				CommonPrefixes: []CommonPrefix{{Prefix: "a%20b%2Bc"}}},
		},
		{"ListBucketV2Result",
			&ListBucketV2Result{Prefix: k[0], StartAfter: k[1], ContinuationToken: k[2], Delimiter: "/", NextContinuationToken: k[3],
				KeyCount: 2, Contents: []ObjectSummary{{Key: k[4]}}, CommonPrefixes: []CommonPrefix{{Prefix: k[1]}}},
			&ListBucketV2Result{Prefix: "a%20b%2Bc", StartAfter: "dir%2F%252F%25", ContinuationToken: "ctl%0C%01%0A", Delimiter: "%2F",
				EncodingType: "url", NextContinuationToken: "%E4%B8%AD%E6%96%87%2F~", KeyCount: 2,
				Contents: []ObjectSummary{{Key: "%3F%26%3D%23"}}, CommonPrefixes: []CommonPrefix{{Prefix: "dir%2F%252F%25"}}},
		},
		{"ListPartsResult",
			&ListPartsResult{Bucket: "b", Key: k[0], UploadID: "U+1", MaxParts: 1000},
			&ListPartsResult{EncodingType: "url", Bucket: "b", Key: "a%20b%2Bc", UploadID: "U+1", MaxParts: 1000},
		},
		{"ListMultipartUploadsResult",
			&ListMultipartUploadsResult{Bucket: "b", KeyMarker: k[0], UploadIDMarker: "u/1", NextKeyMarker: k[1], NextUploadIDMarker: "u/2",
				Delimiter: "/", Prefix: k[2], Uploads: []UploadSummary{{Key: k[3], UploadID: "u/3"}}, CommonPrefixes: []CommonPrefix{{Prefix: k[4]}}},
			&ListMultipartUploadsResult{EncodingType: "url", Bucket: "b", KeyMarker: "a%20b%2Bc", UploadIDMarker: "u/1",
				NextKeyMarker: "dir%2F%252F%25", NextUploadIDMarker: "u/2", Delimiter: "%2F", Prefix: "ctl%0C%01%0A",
				Uploads: []UploadSummary{{Key: "%E4%B8%AD%E6%96%87%2F~", UploadID: "u/3"}}, CommonPrefixes: []CommonPrefix{{Prefix: "%3F%26%3D%23"}}},
		},
		{"DeleteResult",
			&DeleteResult{Deleted: []DeletedObject{{Key: k[0], VersionID: "v/1"}, {Key: k[2]}}},
			&DeleteResult{EncodingType: "url", Deleted: []DeletedObject{{Key: "a%20b%2Bc", VersionID: "v/1"}, {Key: "ctl%0C%01%0A"}}},
		},
		{"ListVersionsResult",
			&ListVersionsResult{Name: "b", Prefix: k[0], KeyMarker: k[1], VersionIDMarker: "v/1", Delimiter: "/", NextKeyMarker: k[2],
				NextVersionIDMarker: "v/2", Versions: []ObjectVersion{{Key: k[3], VersionID: "v/3"}},
				DeleteMarkers: []DeleteMarkerEntry{{Key: k[4], VersionID: "v/4"}}, CommonPrefixes: []CommonPrefix{{Prefix: k[0]}}},
			&ListVersionsResult{EncodingType: "url", Name: "b", Prefix: "a%20b%2Bc", KeyMarker: "dir%2F%252F%25", VersionIDMarker: "v/1",
				Delimiter: "%2F", NextKeyMarker: "ctl%0C%01%0A", NextVersionIDMarker: "v/2",
				Versions:       []ObjectVersion{{Key: "%E4%B8%AD%E6%96%87%2F~", VersionID: "v/3"}},
				DeleteMarkers:  []DeleteMarkerEntry{{Key: "%3F%26%3D%23", VersionID: "v/4"}},
				CommonPrefixes: []CommonPrefix{{Prefix: "a%20b%2Bc"}}},
		},
		{"InitiateMultipartUploadResult",
			&InitiateMultipartUploadResult{Bucket: "b", Key: k[2], UploadID: "u"},
			&InitiateMultipartUploadResult{Bucket: "b", Key: "ctl%0C%01%0A", UploadID: "u", EncodingType: "url"},
		},
		{"CompleteMultipartUploadResult",
			&CompleteMultipartUploadResult{Location: "http://b.host/a%20b", Bucket: "b", Key: k[0], ETag: `"E-2"`},
			&CompleteMultipartUploadResult{EncodingType: "url", Location: "http://b.host/a%20b", Bucket: "b", Key: "a%20b%2Bc", ETag: `"E-2"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := clone(t, tt.v)
			got := clone(t, tt.v)
			got.EncodeURL()
			if !reflect.DeepEqual(got, tt.encoded) {
				t.Fatalf("EncodeURL\ngot:  %+v\nwant: %+v", got, tt.encoded)
			}

			// The encoded result must survive the wire, then decode back.
			wire, err := Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			decoded := reflect.New(reflect.TypeOf(tt.v).Elem()).Interface().(urlCoder)
			if err := Unmarshal(wire, decoded); err != nil {
				t.Fatalf("Unmarshal(%s): %v", wire, err)
			}
			if err := decoded.DecodeURL(); err != nil {
				t.Fatalf("DecodeURL: %v", err)
			}
			if !reflect.DeepEqual(decoded, want) {
				t.Errorf("DecodeURL\ngot:  %+v\nwant: %+v", decoded, want)
			}

			// Without EncodingType, DecodeURL leaves percent signs alone.
			plain := clone(t, tt.v)
			if err := plain.DecodeURL(); err != nil {
				t.Fatalf("DecodeURL without EncodingType: %v", err)
			}
			if !reflect.DeepEqual(plain, want) {
				t.Errorf("DecodeURL without EncodingType changed the value to %+v", plain)
			}
		})
	}
}

func TestDecodeURLStrict(t *testing.T) {
	r := &ListBucketResult{EncodingType: "URL", Prefix: "a%20b", Contents: []ObjectSummary{{Key: "ok%2F"}, {Key: "bad%"}}}
	want := *r
	want.Contents = append([]ObjectSummary(nil), r.Contents...)
	if err := r.DecodeURL(); err == nil {
		t.Fatal("DecodeURL accepted a bad escape")
	}
	if !reflect.DeepEqual(*r, want) {
		t.Errorf("failed DecodeURL changed the value to %+v", *r)
	}
	r.Contents[1].Key = "fine"
	if err := r.DecodeURL(); err != nil {
		t.Fatal(err)
	}
	if r.Prefix != "a b" || r.Contents[0].Key != "ok/" || r.EncodingType != "" {
		t.Errorf("DecodeURL with EncodingType URL = %+v", *r)
	}
}

// clone deep-copies v through the XML round trip it must support anyway.
func clone[T any](t *testing.T, v T) T {
	t.Helper()
	c := reflect.New(reflect.TypeOf(v).Elem())
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal(b, c.Interface()); err != nil {
		t.Fatal(err)
	}
	return c.Interface().(T)
}
