package sign

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testCred = Credentials{AccessKeyID: "LTAI5tTestKey", AccessKeySecret: "s3cr3t/with+odd=chars"}

var keyPieces = []string{"a", "dir/", "//", "%2F", "+", " ", "中文", "~", "a b", "?", "#", "&", "=", ".", "..", "x%20y", "\x01", "é"}
var valuePieces = []string{"v", " ", "+", "&", "=", "/", "%", "中", "a b", "~-_.", "%2B", ""}
var subResourceNames = []string{"acl", "uploads", "uploadId", "partNumber", "x-oss-process", "versionId", "response-content-type", "continuation-token", "x-oss-custom"}
var plainParams = []string{"prefix", "marker", "max-keys", "delimiter", "encoding-type", "start-after"}

func pick(rng *rand.Rand, from []string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(from[rng.IntN(len(from))])
	}
	return b.String()
}

// randomRequest builds a request with odd keys, query parameters and headers.
// It always carries an x-oss-meta header and an uploadId parameter, which the
// tamper tests change.
func randomRequest(t testing.TB, rng *rand.Rand) (*http.Request, Resource) {
	t.Helper()
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
	res := Resource{Bucket: fmt.Sprintf("bucket-%d", rng.IntN(100))}
	if rng.IntN(5) > 0 {
		res.Key = pick(rng, keyPieces, 1+rng.IntN(6))
	}
	raw := appendQuery("", "uploadId", fmt.Sprintf("%X", rng.Uint64()))
	for range rng.IntN(5) {
		names := subResourceNames
		if rng.IntN(2) == 0 {
			names = plainParams
		}
		raw = appendQuery(raw, names[rng.IntN(len(names))], pick(rng, valuePieces, rng.IntN(4)))
	}
	r, err := http.NewRequest(methods[rng.IntN(len(methods))], "http://127.0.0.1:9000"+escape(resourcePath(res), false)+"?"+raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("x-oss-meta-tamper", " one ")
	if rng.IntN(2) == 0 {
		r.Header.Set("Content-Type", "application/octet-stream")
	}
	if rng.IntN(2) == 0 {
		r.Header.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
	}
	for i := range rng.IntN(3) {
		r.Header.Add(fmt.Sprintf("X-Oss-Meta-K%d", i), pick(rng, []string{"a", " b", "c ", "ü", "x,y"}, 2))
	}
	if rng.IntN(3) == 0 {
		r.Header.Set("x-oss-storage-class", "IA")
	}
	return r, res
}

type scheme struct {
	name    string
	signer  Signer
	presign bool
}

var schemes = []scheme{
	{"v1 header", Signer{Version: V1}, false},
	{"v1 query", Signer{Version: V1}, true},
	{"v4 header", Signer{Region: "cn-hangzhou"}, false},
	{"v4 query", Signer{Region: "cn-hangzhou"}, true},
	{"v4 header additional", Signer{Region: "cn-hangzhou", AdditionalHeaders: []string{"host", "x-custom"}}, false},
}

func (s scheme) sign(t testing.TB, r *http.Request, res Resource, cred Credentials, now time.Time) {
	t.Helper()
	var err error
	if s.presign {
		err = s.signer.Presign(r, res, cred, now, 10*time.Minute)
	} else {
		err = s.signer.Sign(r, res, cred, now)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTripRandom(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	v := Verifier{Lookup: lookup(testCred)}
	for _, s := range schemes {
		t.Run(s.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(s.name))))
			for i := range 500 {
				r, res := randomRequest(t, rng)
				r.Header.Set("X-Custom", "c")
				s.sign(t, r, res, testCred, now)
				id, err := v.Verify(r, res, now.Add(time.Minute))
				if err != nil {
					t.Fatalf("case %d %s %s %q: %v", i, r.Method, r.URL, res.Key, err)
				}
				if id.AccessKeyID != testCred.AccessKeyID || id.Presigned != s.presign || id.Version != s.signer.version() {
					t.Fatalf("case %d: identity %+v", i, id)
				}
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tokenCred := Credentials{AccessKeyID: "sts", AccessKeySecret: "sts-secret", SecurityToken: "tok"}
	tests := []struct {
		name    string
		cred    Credentials // signing credentials; testCred when zero
		lookup  []Credentials
		tamper  func(r *http.Request, res *Resource)
		at      time.Duration // verify at now+at
		want    error
		schemes string // substring filter on scheme names; "" means all
	}{
		{name: "header changed", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("x-oss-meta-tamper", "two") }, want: ErrSignatureDoesNotMatch},
		{name: "header added", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("x-oss-meta-new", "x") }, want: ErrSignatureDoesNotMatch},
		{name: "content type changed", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("Content-Type", "text/evil") }, want: ErrSignatureDoesNotMatch},
		{name: "query changed", tamper: func(r *http.Request, _ *Resource) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "uploadId=", "uploadId=0", 1)
		}, want: ErrSignatureDoesNotMatch},
		{name: "method changed", tamper: func(r *http.Request, _ *Resource) { r.Method = "PATCH" }, want: ErrSignatureDoesNotMatch},
		{name: "key changed", tamper: func(_ *http.Request, res *Resource) { res.Key += "x" }, want: ErrSignatureDoesNotMatch},
		{name: "bucket changed", tamper: func(_ *http.Request, res *Resource) { res.Bucket += "x" }, want: ErrSignatureDoesNotMatch},
		{name: "body hash changed", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("x-oss-content-sha256", strings.Repeat("a", 64)) }, want: ErrSignatureDoesNotMatch},
		{name: "wrong secret", lookup: []Credentials{{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: "other"}}, want: ErrSignatureDoesNotMatch},
		{name: "unknown key", lookup: []Credentials{{AccessKeyID: "someone-else", AccessKeySecret: "x"}}, want: ErrInvalidAccessKeyID},
		{name: "stale date", at: 16 * time.Minute, want: ErrRequestTimeTooSkewed, schemes: "header"},
		{name: "future date", at: -16 * time.Minute, want: ErrRequestTimeTooSkewed},
		{name: "expired", at: 10*time.Minute + time.Second, want: ErrExpired, schemes: "query"},
		{name: "token missing", cred: Credentials{AccessKeyID: "sts", AccessKeySecret: "sts-secret"}, lookup: []Credentials{tokenCred}, want: ErrInvalidSecurityToken},
		{name: "token wrong", cred: Credentials{AccessKeyID: "sts", AccessKeySecret: "sts-secret", SecurityToken: "other"}, lookup: []Credentials{tokenCred}, want: ErrInvalidSecurityToken},
		{name: "no date", tamper: func(r *http.Request, _ *Resource) { r.Header.Del("Date"); r.Header.Del("x-oss-date") }, want: ErrMissingDate, schemes: "header"},
		{name: "garbled authorization", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("Authorization", "Bearer x") }, want: ErrMalformed, schemes: "header"},
		{name: "v2 authorization", tamper: func(r *http.Request, _ *Resource) { r.Header.Set("Authorization", "OSS2 AccessKeyId:a,Signature:b") }, want: ErrUnsupported, schemes: "header"},
	}
	for _, tt := range tests {
		for _, s := range schemes {
			if !strings.Contains(s.name, tt.schemes) {
				continue
			}
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, 7))
				for range 50 {
					r, res := randomRequest(t, rng)
					if tt.name == "future date" && s.presign {
						continue // a presigned URL from the future is checked below
					}
					cred := tt.cred
					if cred == (Credentials{}) {
						cred = testCred
					}
					s.sign(t, r, res, cred, now)
					if tt.tamper != nil {
						tt.tamper(r, &res)
					}
					lk := tt.lookup
					if lk == nil {
						lk = []Credentials{testCred}
					}
					v := Verifier{Lookup: lookup(lk...)}
					_, err := v.Verify(r, res, now.Add(tt.at))
					if !errors.Is(err, tt.want) {
						t.Fatalf("%s %s: got %v, want %v", r.Method, r.URL, err, tt.want)
					}
				}
			})
		}
	}
}

func TestPresignFromTheFuture(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	r := newRequest(t, "GET", "http://h/b/k", nil)
	if err := (Signer{Region: "r"}).Presign(r, Resource{"b", "k"}, testCred, now.Add(time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	v := Verifier{Lookup: lookup(testCred)}
	if _, err := v.Verify(r, Resource{"b", "k"}, now); !errors.Is(err, ErrRequestTimeTooSkewed) {
		t.Fatalf("got %v, want RequestTimeTooSkewed", err)
	}
}

func TestMismatchCarriesStringToSign(t *testing.T) {
	now := time.Now()
	for _, s := range schemes {
		r := newRequest(t, "PUT", "http://h/b/k", map[string]string{"Content-Type": "text/plain"})
		s.sign(t, r, Resource{"b", "k"}, testCred, now)
		v := Verifier{Lookup: lookup(Credentials{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: "wrong"})}
		_, err := v.Verify(r, Resource{"b", "k"}, now)
		e, ok := errors.AsType[*Error](err)
		if !ok || e.Code() != "SignatureDoesNotMatch" {
			t.Fatalf("%s: got %v", s.name, err)
		}
		if !strings.Contains(e.StringToSign, "\n") || e.SignatureProvided == "" || e.AccessKeyID != testCred.AccessKeyID {
			t.Errorf("%s: error lacks detail: %+v", s.name, e)
		}
	}
}

func TestAnonymous(t *testing.T) {
	v := Verifier{Lookup: lookup(testCred)}
	r := newRequest(t, "GET", "http://h/b/k?prefix=a", nil)
	id, err := v.Verify(r, Resource{"b", "k"}, time.Now())
	if err != nil || !id.Anonymous() {
		t.Fatalf("got %+v, %v; want anonymous", id, err)
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{ErrInvalidAccessKeyID, "InvalidAccessKeyId"},
		{ErrRequestTimeTooSkewed, "RequestTimeTooSkewed"},
		{ErrExpired, "AccessDenied"},
		{ErrMissingDate, "AccessDenied"},
		{ErrInvalidSecurityToken, "AccessDenied"},
		{ErrMalformed, "InvalidArgument"},
		{ErrUnsupported, "AccessDenied"},
		{ErrInvalidSigningRegion, "InvalidArgument"},
		{ErrInvalidSigningProduct, "InvalidArgument"},
		{ErrInvalidSigningDate, "InvalidArgument"},
	}
	for _, tt := range tests {
		if got := tt.err.Code(); got != tt.want {
			t.Errorf("kind %d: Code() = %s, want %s", tt.err.Kind, got, tt.want)
		}
	}
	wrapped := fmt.Errorf("ctx: %w", &Error{Kind: KindExpired, Message: "m"})
	if !errors.Is(wrapped, ErrExpired) || errors.Is(wrapped, ErrMalformed) {
		t.Error("errors.Is does not follow Kind")
	}
}

// TestLoopback sends signed requests through a real HTTP client and server,
// so that what net/http does to headers, paths and hosts on the way is part
// of the test.
func TestLoopback(t *testing.T) {
	v := Verifier{Lookup: lookup(testCred)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if _, err := v.Verify(r, Resource{bucket, key}, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	}))
	defer srv.Close()
	for _, s := range schemes {
		rng := rand.New(rand.NewPCG(3, 3))
		for range 40 {
			r, res := randomRequest(t, rng)
			if res.Key == "" || r.Method == "HEAD" {
				continue
			}
			u := srv.URL + escape(resourcePath(res), false) + "?" + r.URL.RawQuery
			req := newRequest(t, r.Method, u, nil)
			req.Header = r.Header
			s.sign(t, req, res, testCred, time.Now())
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s %s: status %d", s.name, req.Method, u, resp.StatusCode)
			}
		}
	}
}
