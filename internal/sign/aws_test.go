package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

type awsScheme struct {
	name    string
	presign bool
}

var awsSchemes = []awsScheme{{"header", false}, {"query", true}}

func (s awsScheme) sign(t testing.TB, signer AWSSigner, r *http.Request, cred Credentials, now time.Time) {
	t.Helper()
	var err error
	if s.presign {
		err = signer.Presign(r, cred, now, 10*time.Minute)
	} else {
		_, err = signer.Sign(r, cred, now)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// randomAWSRequest builds a path-style or virtual-hosted request with odd
// keys, query parameters and headers. It always carries an
// x-amz-meta-tamper header and an uploadId parameter.
func randomAWSRequest(t testing.TB, rng *rand.Rand) *http.Request {
	t.Helper()
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
	host, path := "bucket.s3.example.com", "/"
	if rng.IntN(2) == 0 {
		host, path = "127.0.0.1:9000", "/bucket/"
	}
	if rng.IntN(5) > 0 {
		path += pick(rng, keyPieces, 1+rng.IntN(6))
	}
	raw := appendQuery("", "uploadId", fmt.Sprintf("%X", rng.Uint64()))
	for range rng.IntN(5) {
		names := subResourceNames
		if rng.IntN(2) == 0 {
			names = plainParams
		}
		raw = appendQuery(raw, names[rng.IntN(len(names))], pick(rng, valuePieces, rng.IntN(4)))
	}
	r, err := http.NewRequest(methods[rng.IntN(len(methods))], "http://"+host+escape(path, false)+"?"+raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("x-amz-meta-tamper", " one  two ")
	if rng.IntN(2) == 0 {
		r.Header.Set("Content-Type", "application/octet-stream")
	}
	if rng.IntN(2) == 0 {
		r.Header.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
	}
	for i := range rng.IntN(3) {
		r.Header.Add(fmt.Sprintf("X-Amz-Meta-K%d", i), pick(rng, []string{"a", " b", "c ", "ü", "x,y", "  "}, 2))
	}
	return r
}

func TestAWSRoundTripRandom(t *testing.T) {
	v := AWSVerifier{Lookup: lookup(testCred), Region: "us-east-1"}
	signer := AWSSigner{Region: "us-east-1", SignedHeaders: []string{"x-custom"}}
	for _, s := range awsSchemes {
		t.Run(s.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, uint64(len(s.name))))
			for i := range 500 {
				r := randomAWSRequest(t, rng)
				r.Header.Set("X-Custom", "c")
				s.sign(t, signer, r, testCred, awsTestNow)
				id, err := v.Verify(serverSide(t, r), awsTestNow.Add(time.Minute))
				if err != nil {
					t.Fatalf("case %d %s %s: %v", i, r.Method, r.URL, err)
				}
				if id.AccessKeyID != testCred.AccessKeyID || id.Presigned != s.presign || id.ContentSHA256 != UnsignedPayload {
					t.Fatalf("case %d: identity %+v", i, id)
				}
			}
		})
	}
}

func TestAWSSecurityToken(t *testing.T) {
	tok := Credentials{AccessKeyID: "ASIA", AccessKeySecret: "secret", SecurityToken: "token/with+chars="}
	v := AWSVerifier{Lookup: lookup(tok)}
	for _, s := range awsSchemes {
		r := newRequest(t, "GET", "http://h/bucket/key", nil)
		s.sign(t, AWSSigner{Region: "eu-west-1"}, r, tok, awsTestNow)
		if _, err := v.Verify(serverSide(t, r), awsTestNow); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		other := AWSVerifier{Lookup: lookup(Credentials{AccessKeyID: "ASIA", AccessKeySecret: "secret", SecurityToken: "other"})}
		if _, err := other.Verify(serverSide(t, r), awsTestNow); !isKind(err, KindInvalidToken) {
			t.Errorf("%s: another token: %v", s.name, err)
		}
	}
}

func TestAWSVerifyRejects(t *testing.T) {
	tests := []struct {
		name    string
		lookup  []Credentials
		verify  AWSVerifier // Lookup and Region filled in when zero
		tamper  func(r *http.Request)
		at      time.Duration
		want    Kind
		code    string
		schemes string
	}{
		{name: "header changed", tamper: func(r *http.Request) { r.Header.Set("x-amz-meta-tamper", "two") }, want: KindSignatureMismatch, code: "SignatureDoesNotMatch"},
		{name: "header added", tamper: func(r *http.Request) { r.Header.Set("x-amz-meta-new", "x") }, want: KindHeadersNotSigned, code: "AccessDenied"},
		{name: "content type changed", tamper: func(r *http.Request) { r.Header.Set("Content-Type", "text/evil") }, want: KindSignatureMismatch},
		{name: "host changed", tamper: func(r *http.Request) { r.Host = "evil.example.com" }, want: KindSignatureMismatch},
		{name: "path changed", tamper: func(r *http.Request) { r.URL.Path += "x"; r.URL.RawPath = "" }, want: KindSignatureMismatch},
		{name: "query changed", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "uploadId=", "uploadId=0", 1)
		}, want: KindSignatureMismatch},
		{name: "query added", tamper: func(r *http.Request) { r.URL.RawQuery += "&acl=" }, want: KindSignatureMismatch},
		{name: "method changed", tamper: func(r *http.Request) { r.Method = "PATCH" }, want: KindSignatureMismatch},
		{name: "payload changed", tamper: func(r *http.Request) { r.Header.Set("x-amz-content-sha256", EmptySHA256) }, want: KindSignatureMismatch, schemes: "header"},
		{name: "date changed", tamper: func(r *http.Request) { r.Header.Set("x-amz-date", "20261124T120001Z") }, want: KindSignatureMismatch, schemes: "header"},
		{name: "presign date changed", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Date=20261124T120000Z", "X-Amz-Date=20261124T120001Z", 1)
		}, want: KindSignatureMismatch, schemes: "query"},
		{name: "presign expiry changed", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=600", "X-Amz-Expires=6000", 1)
		}, want: KindSignatureMismatch, schemes: "query"},
		{name: "signature changed", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=0", 1)[:len(r.Header.Get("Authorization"))])
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Signature=", "X-Amz-Signature=0", 1)
			r.URL.RawQuery = r.URL.RawQuery[:len(r.URL.RawQuery)-1]
		}, want: KindSignatureMismatch},
		{name: "wrong secret", lookup: []Credentials{{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: "other"}}, want: KindSignatureMismatch},
		{name: "unknown key", lookup: []Credentials{{AccessKeyID: "someone-else", AccessKeySecret: "x"}}, want: KindInvalidAccessKeyID, code: "InvalidAccessKeyId"},
		{name: "stale date", at: 16 * time.Minute, want: KindTimeSkewed, code: "RequestTimeTooSkewed", schemes: "header"},
		{name: "future date", at: -16 * time.Minute, want: KindTimeSkewed, schemes: "header"},
		{name: "expired", at: 10*time.Minute + time.Second, want: KindExpired, code: "AccessDenied", schemes: "query"},
		{name: "not yet valid", at: -16 * time.Minute, want: KindExpired, code: "AccessDenied", schemes: "query"},
		{name: "region", verify: AWSVerifier{Region: "eu-west-1"}, want: KindInvalidRegion, code: "AuthorizationHeaderMalformed", schemes: "header"},
		{name: "presign region", verify: AWSVerifier{Region: "eu-west-1"}, want: KindMalformedQuery, code: "AuthorizationQueryParametersError", schemes: "query"},
		{name: "service", verify: AWSVerifier{Service: "s3-object-lambda"}, want: KindInvalidProduct, code: "AuthorizationHeaderMalformed", schemes: "header"},
		{name: "no date", tamper: func(r *http.Request) { r.Header.Del("x-amz-date") }, want: KindMissingDate, code: "AccessDenied", schemes: "header"},
		{name: "scope date", tamper: func(r *http.Request) { r.Header.Set("x-amz-date", "20261125T000100Z") }, at: 12 * time.Hour, want: KindInvalidDate, code: "AuthorizationHeaderMalformed", schemes: "header"},
		{name: "garbled authorization", tamper: func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, want: KindMalformed, code: "AuthorizationHeaderMalformed", schemes: "header"},
		{name: "authorization without signature", tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ",Signature=")])
		}, want: KindMalformed, schemes: "header"},
		{name: "bad credential", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws5_request", 1))
		}, want: KindMalformed, schemes: "header"},
		{name: "host not signed", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
		}, want: KindMalformed, schemes: "header"},
		{name: "signature v2", tamper: func(r *http.Request) { r.Header.Set("Authorization", "AWS ak:sig") }, want: KindUnsupported, code: "InvalidRequest", schemes: "header"},
		{name: "no x-amz-content-sha256", tamper: func(r *http.Request) { r.Header.Del("x-amz-content-sha256") }, want: KindInvalidRequest, code: "InvalidRequest", schemes: "header"},
		{name: "bad x-amz-content-sha256", tamper: func(r *http.Request) { r.Header.Set("x-amz-content-sha256", "abc") }, want: KindInvalidArgument, code: "InvalidArgument", schemes: "header"},
		{name: "two mechanisms", tamper: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Signature=x" }, want: KindInvalidArgument, schemes: "header"},
		{name: "repeated date", tamper: func(r *http.Request) { r.Header.Add("x-amz-date", "20261124T120000Z") }, want: KindInvalidArgument, schemes: "header"},
		{name: "presign missing parameter", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-SignedHeaders=", "X-Amz-Signed=", 1)
		}, want: KindMalformedQuery, code: "AuthorizationQueryParametersError", schemes: "query"},
		{name: "presign expiry over a week", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=600", "X-Amz-Expires=604801", 1)
		}, want: KindMalformedQuery, schemes: "query"},
		{name: "presign algorithm", tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", 1)
		}, want: KindMalformedQuery, schemes: "query"},
		{name: "presign repeated parameter", tamper: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Date=20261124T120000Z" }, want: KindMalformedQuery, schemes: "query"},
		{name: "presign v2", tamper: func(r *http.Request) { r.URL.RawQuery = "AWSAccessKeyId=x&Expires=1&Signature=y" }, want: KindUnsupported, schemes: "query"},
	}
	for _, s := range awsSchemes {
		for _, tt := range tests {
			if tt.schemes != "" && !strings.Contains(s.name, tt.schemes) {
				continue
			}
			t.Run(s.name+"/"+tt.name, func(t *testing.T) {
				r := newRequest(t, "PUT", "http://bucket.s3.example.com/dir/a%20key?uploadId=42", map[string]string{
					"x-amz-meta-tamper": "one", "Content-Type": "application/octet-stream",
				})
				s.sign(t, AWSSigner{Region: "us-east-1"}, r, testCred, awsTestNow)
				sr := serverSide(t, r)
				if tt.tamper != nil {
					tt.tamper(sr)
				}
				v := tt.verify
				v.Lookup = lookup(testCred)
				if tt.lookup != nil {
					v.Lookup = lookup(tt.lookup...)
				}
				_, err := v.Verify(sr, awsTestNow.Add(tt.at))
				var e *Error
				if !errors.As(err, &e) || e.Kind != tt.want {
					t.Fatalf("got %v, want kind %d", err, tt.want)
				}
				if tt.code != "" && e.S3Code() != tt.code {
					t.Errorf("code %s, want %s", e.S3Code(), tt.code)
				}
				if tt.want == KindInvalidRegion && e.ArgumentValue != "eu-west-1" {
					t.Errorf("region error %+v does not name the region expected", e)
				}
			})
		}
	}
}

func TestAWSAnonymous(t *testing.T) {
	r := newRequest(t, "GET", "http://h/bucket/key?prefix=a", nil)
	id, err := (&AWSVerifier{Lookup: lookup(testCred)}).Verify(r, awsTestNow)
	if err != nil || !id.Anonymous() {
		t.Fatalf("%+v %v", id, err)
	}
}

func TestAWSPayloadDigest(t *testing.T) {
	body := []byte("Welcome to Amazon S3.")
	sum := sha256.Sum256(body)
	v := AWSVerifier{Lookup: lookup(testCred)}
	for _, s := range awsSchemes {
		r := newRequest(t, "PUT", "http://h/bucket/key", map[string]string{"x-amz-content-sha256": hex.EncodeToString(sum[:])})
		s.sign(t, AWSSigner{Region: "us-east-1"}, r, testCred, awsTestNow)
		id, err := v.Verify(serverSide(t, r), awsTestNow)
		if err != nil {
			t.Fatal(err)
		}
		if id.ContentSHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("%s: payload %q", s.name, id.ContentSHA256)
		}
		rd, _ := id.Body(bytes.NewReader(body), r.Header)
		if got, err := io.ReadAll(rd); err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: %q %v", s.name, got, err)
		}
		rd, _ = id.Body(strings.NewReader("Welcome to Amazon S4."), r.Header)
		_, err = io.ReadAll(rd)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindContentSHA256Mismatch || e.S3Code() != "XAmzContentSHA256Mismatch" || e.S3Status() != 400 {
			t.Errorf("%s: other body: %v", s.name, err)
		}
	}
	if h, err := AWSPayloadHash(http.Header{"X-Amz-Content-Sha256": {hex.EncodeToString(sum[:])}}); err != nil || !bytes.Equal(h, sum[:]) {
		t.Errorf("AWSPayloadHash: %x %v", h, err)
	}
	for _, p := range []string{"", UnsignedPayload, StreamingSigned, StreamingUnsignedTrailer} {
		if h, err := AWSPayloadHash(http.Header{"X-Amz-Content-Sha256": {p}}); h != nil || err != nil {
			t.Errorf("AWSPayloadHash(%q): %x %v", p, h, err)
		}
	}
	if _, err := AWSPayloadHash(http.Header{"X-Amz-Content-Sha256": {"STREAMING-NONSENSE"}}); !isKind(err, KindInvalidArgument) {
		t.Errorf("AWSPayloadHash of nonsense: %v", err)
	}
}

func TestAWSCanonicalForms(t *testing.T) {
	// A key S3 encodes once: the path as sent, decoded, then each byte
	// but the unreserved ones and '/' percent-encoded.
	for raw, want := range map[string]string{
		"/bucket/a%20b+c$d":  "/bucket/a%20b%2Bc%24d",
		"/bucket/%E4%B8%AD/": "/bucket/%E4%B8%AD/",
		"/b//x/./y/../z":     "/b//x/./y/../z",
		"":                   "/",
		"/~a-_.":             "/~a-_.",
	} {
		r := newRequest(t, "GET", "http://h"+raw, nil)
		if got := string(appendAWSPath(nil, r)); got != want {
			t.Errorf("path %q: got %q, want %q", raw, got, want)
		}
	}
	q := string(appendAWSQuery(nil, parseQuery("b=2&a=&a=1&c&%41=x&sp=a+b"), false))
	if want := "A=x&a=&a=1&b=2&c=&sp=a%20b"; q != want {
		t.Errorf("query %q, want %q", q, want)
	}
	r := newRequest(t, "GET", "http://h/", nil)
	r.Header.Add("X-Amz-Meta-A", "  one   two  ")
	r.Header.Add("X-Amz-Meta-A", "three")
	if got := string(appendAWSHeaderValue(nil, r, "x-amz-meta-a")); got != "one two,three" {
		t.Errorf("header value %q", got)
	}
}

func BenchmarkAWSSign(b *testing.B) {
	for _, s := range awsSchemes {
		b.Run(s.name, func(b *testing.B) {
			r := awsBenchRequest(b)
			raw := r.URL.RawQuery
			signer := AWSSigner{Region: "us-east-1"}
			b.ReportAllocs()
			for b.Loop() {
				r.URL.RawQuery = raw
				s.sign(b, signer, r, testCred, awsTestNow)
			}
		})
	}
}

func BenchmarkAWSVerify(b *testing.B) {
	v := AWSVerifier{Lookup: lookup(testCred), Region: "us-east-1"}
	for _, s := range awsSchemes {
		b.Run(s.name, func(b *testing.B) {
			r := awsBenchRequest(b)
			s.sign(b, AWSSigner{Region: "us-east-1"}, r, testCred, awsTestNow)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(r, awsTestNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAWSChunkedDecode decodes an 8 MiB signed aws-chunked part in
// 64 KiB chunks.
func BenchmarkAWSChunkedDecode(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 8<<20)
	r, body, id := chunkedRequest(b, StreamingSigned, DefaultChunkSize, data)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := NewAWSChunkedReader(bytes.NewReader(body), r.Header, id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{c}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// awsBenchRequest is an UploadPart request as an S3 client sends it.
func awsBenchRequest(b *testing.B) *http.Request {
	return newRequest(b, "PUT", "http://127.0.0.1:9000/bucket/dir/object.bin?partNumber=7&uploadId=0004B9895DBBB6EC98E36A0E2B4E1F2A", map[string]string{
		"Content-Type":         "application/octet-stream",
		"x-amz-content-sha256": UnsignedPayload,
	})
}
