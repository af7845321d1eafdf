package sign

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The vectors below are the official SDKs' signing test cases, as listed in
// the protocol spec (section 4.6).

var vectorCred = Credentials{AccessKeyID: "ak", AccessKeySecret: "sk"}

func newRequest(t testing.TB, method, rawURL string, headers map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

func TestV1HeaderVectors(t *testing.T) {
	const date = "Wed, 28 Dec 2022 10:27:41 GMT"
	now, _ := http.ParseTime(date)
	objHeaders := map[string]string{
		"Content-MD5":       "eB5eJF1ptWaXm4bijSPyxw==",
		"Content-Type":      "text/html",
		"x-oss-meta-author": "alice",
		"x-oss-meta-magic":  "abracadabra",
		"x-oss-date":        date,
	}
	tests := []struct {
		name     string
		method   string
		url      string
		res      Resource
		headers  map[string]string
		wantSTS  string
		wantAuth string
	}{
		{
			name: "object", method: "PUT", url: "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/nelson",
			res: Resource{"examplebucket", "nelson"}, headers: objHeaders,
			wantSTS:  "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\n" + date + "\nx-oss-date:" + date + "\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson",
			wantAuth: "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=",
		},
		{
			name: "object acl", method: "PUT", url: "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/nelson?acl",
			res: Resource{"examplebucket", "nelson"}, headers: objHeaders,
			wantAuth: "OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=",
		},
		{
			name: "bucket resourceGroup", method: "GET", url: "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/?resourceGroup&non-resousce=null",
			res: Resource{Bucket: "examplebucket"}, headers: map[string]string{"x-oss-date": date},
			wantSTS:  "GET\n\n\n" + date + "\nx-oss-date:" + date + "\n/examplebucket/?resourceGroup",
			wantAuth: "OSS ak:vkQmfuUDyi1uDi3bKt67oemssIs=",
		},
		{
			name: "bucket two sub-resources", method: "GET", url: "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/?resourceGroup&acl",
			res: Resource{Bucket: "examplebucket"}, headers: map[string]string{"x-oss-date": date},
			wantAuth: "OSS ak:x3E5TgOvl/i7PN618s5mEvpJDYk=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.url, tt.headers)
			if err := (Signer{Version: V1}).Sign(r, tt.res, vectorCred, now); err != nil {
				t.Fatal(err)
			}
			if tt.wantSTS != "" {
				if got := v1StringToSign(r, tt.res, date, parseQuery(r.URL.RawQuery), true); got != tt.wantSTS {
					t.Errorf("string to sign\ngot  %q\nwant %q", got, tt.wantSTS)
				}
			}
			if got := r.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tt.wantAuth)
			}
			v := Verifier{Lookup: lookup(vectorCred)}
			if _, err := v.Verify(r, tt.res, now); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestV1QueryVectors(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		res     Resource
		cred    Credentials
		expires int64
		wantSTS string
		wantSig string
	}{
		{
			name: "versionId", url: "http://bucket.oss-cn-hangzhou.aliyuncs.com/key?versionId=versionId",
			res: Resource{"bucket", "key"}, cred: vectorCred, expires: 1699807420,
			wantSTS: "GET\n\n\n1699807420\n/bucket/key?versionId=versionId",
			wantSig: "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=",
		},
		{
			name: "plus in key with token", url: "http://bucket.oss-cn-hangzhou.aliyuncs.com/key%2B123?versionId=versionId",
			res: Resource{"bucket", "key+123"}, cred: Credentials{"ak", "sk", "token"}, expires: 1699808204,
			wantSTS: "GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId",
			wantSig: "jzKYRrM5y6Br0dRFPaTGOsbrDhY=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, "GET", tt.url, nil)
			now := time.Unix(tt.expires-60, 0)
			if err := (Signer{Version: V1}).Presign(r, tt.res, tt.cred, now, time.Minute); err != nil {
				t.Fatal(err)
			}
			q := parseQuery(r.URL.RawQuery)
			if got, _ := get(q, "Signature"); got != tt.wantSig {
				t.Errorf("Signature = %q, want %q", got, tt.wantSig)
			}
			if got := v1StringToSign(r, tt.res, strings.Split(tt.wantSTS, "\n")[3], q, true); got != tt.wantSTS {
				t.Errorf("string to sign\ngot  %q\nwant %q", got, tt.wantSTS)
			}
			v := Verifier{Lookup: lookup(tt.cred)}
			if _, err := v.Verify(r, tt.res, now); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

// v4VectorQuery is the query of the V4 vectors: url.Values.Encode of the
// SDK test's parameters.
func v4VectorQuery() string {
	return url.Values{
		"param1":  {"value1"},
		"+param1": {"value3"},
		"|param1": {"value4"},
		"+param2": {""},
		"|param2": {""},
		"param2":  {""},
	}.Encode()
}

func v4VectorRequest(t *testing.T, contentType string) *http.Request {
	r := newRequest(t, "PUT", "http://bucket.oss-cn-hangzhou.aliyuncs.com/1234%2B-/123/1.txt?"+v4VectorQuery(), map[string]string{
		"x-oss-head1":  "value",
		"abc":          "value",
		"ZAbc":         "value",
		"XYZ":          "value",
		"content-type": contentType,
	})
	return r
}

var v4Res = Resource{Bucket: "bucket", Key: "1234+-/123/1.txt"}

func TestV4HeaderVectors(t *testing.T) {
	tests := []struct {
		name       string
		unix       int64
		cred       Credentials
		additional []string
		wantAuth   string
	}{
		{"plain", 1702743657, vectorCred, nil,
			"OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"},
		{"token", 1702784856, Credentials{"ak", "sk", "token"}, nil,
			"OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea"},
		{"additional headers", 1702747512, vectorCred, []string{"ZAbc", "abc"},
			"OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v4VectorRequest(t, "text/plain")
			r.Header.Set("x-oss-content-sha256", UnsignedPayload)
			now := time.Unix(tt.unix, 0)
			s := Signer{Region: "cn-hangzhou", AdditionalHeaders: tt.additional}
			if err := s.Sign(r, v4Res, tt.cred, now); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization\ngot  %s\nwant %s", got, tt.wantAuth)
			}
			v := Verifier{Lookup: lookup(tt.cred)}
			if _, err := v.Verify(r, v4Res, now); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestV4CanonicalRequestVector(t *testing.T) {
	r := v4VectorRequest(t, "text/plain")
	r.Header.Set("x-oss-content-sha256", UnsignedPayload)
	r.Header.Set("x-oss-date", "20231216T162057Z")
	want := "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD"
	cr := v4CanonicalRequest(r, v4Res, parseQuery(r.URL.RawQuery), nil)
	if cr != want {
		t.Fatalf("canonical request\ngot  %q\nwant %q", cr, want)
	}
	wantSTS := "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4"
	if got := v4StringToSign("20231216T162057Z", v4Scope("20231216", "cn-hangzhou", "oss"), cr); got != wantSTS {
		t.Errorf("string to sign\ngot  %q\nwant %q", got, wantSTS)
	}
}

func TestV4QueryVectors(t *testing.T) {
	tests := []struct {
		name       string
		unix       int64
		cred       Credentials
		additional []string
		wantSig    string
	}{
		{"plain", 1702781677, vectorCred, nil, "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"},
		{"token", 1702785388, Credentials{"ak", "sk", "token"}, nil, "3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5"},
		{"additional headers", 1702783809, vectorCred, []string{"abc", "zabc"}, "6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v4VectorRequest(t, "application/octet-stream")
			now := time.Unix(tt.unix, 0)
			s := Signer{Region: "cn-hangzhou", AdditionalHeaders: tt.additional}
			if err := s.Presign(r, v4Res, tt.cred, now, 599*time.Second); err != nil {
				t.Fatal(err)
			}
			q := parseQuery(r.URL.RawQuery)
			if got, _ := get(q, "x-oss-signature"); got != tt.wantSig {
				t.Errorf("x-oss-signature = %s, want %s", got, tt.wantSig)
			}
			if r.Header.Get("Authorization") != "" || r.Header.Get("x-oss-date") != "" {
				t.Errorf("presign set headers: %v", r.Header)
			}
			v := Verifier{Lookup: lookup(tt.cred)}
			if _, err := v.Verify(r, v4Res, now.Add(598*time.Second)); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestV4QueryCanonicalLine(t *testing.T) {
	r := v4VectorRequest(t, "application/octet-stream")
	if err := (Signer{Region: "cn-hangzhou"}).Presign(r, v4Res, vectorCred, time.Unix(1702781677, 0), 599*time.Second); err != nil {
		t.Fatal(err)
	}
	want := "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256"
	if got := string(appendV4Query(nil, parseQuery(r.URL.RawQuery))); got != want {
		t.Errorf("canonical query\ngot  %s\nwant %s", got, want)
	}
}

func lookup(creds ...Credentials) func(string) (Credentials, bool) {
	return func(ak string) (Credentials, bool) {
		for _, c := range creds {
			if c.AccessKeyID == ak {
				return c, true
			}
		}
		return Credentials{}, false
	}
}
