package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// scopedListRequest is a V4-signed GET /bkt/ (ListObjects) whose credential
// scope is day/region/product while its timestamp is at. The signing client
// derives both from one clock and one configuration, so a request whose
// signature is right and whose scope is not has to be signed by hand: the
// canonical request of this one request is written out below, following
// the protocol notes (section 4.3 and 4.4), independently of internal/sign.
func (h *harness) scopedListRequest(presign bool, at time.Time, day, region, product string) *http.Request {
	h.t.Helper()
	ts := at.UTC().Format("20060102T150405Z")
	scope := day + "/" + region + "/" + product + "/aliyun_v4_request"
	credential := h.cred.AccessKeyID + "/" + scope
	var query, canonical string
	if presign {
		query = "x-oss-credential=" + url.QueryEscape(credential) + "&x-oss-date=" + ts +
			"&x-oss-expires=600&x-oss-signature-version=OSS4-HMAC-SHA256"
		canonical = "GET\n/bkt/\n" + query + "\n\n\nUNSIGNED-PAYLOAD"
	} else {
		canonical = "GET\n/bkt/\n\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:" + ts + "\n\n\nUNSIGNED-PAYLOAD"
	}
	sum := sha256.Sum256([]byte(canonical))
	sts := "OSS4-HMAC-SHA256\n" + ts + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("aliyun_v4"+h.cred.AccessKeySecret), day)
	for _, s := range []string{region, product, "aliyun_v4_request"} {
		k = hmacSHA256(k, s)
	}
	sig := hex.EncodeToString(hmacSHA256(k, sts))
	u := h.http.URL + "/bkt/"
	if presign {
		u += "?" + query + "&x-oss-signature=" + sig
	}
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if !presign {
		r.Header.Set("x-oss-date", ts)
		r.Header.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
		r.Header.Set("Authorization", "OSS4-HMAC-SHA256 Credential="+credential+",Signature="+sig)
	}
	return r
}

// send sends a prepared request and reads its response.
func (h *harness) send(r *http.Request) response {
	h.t.Helper()
	resp, err := h.http.Client().Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{resp, body}
}

// errorBody decodes the <Error> of a response and checks its code and the
// status the table gives that code.
func (h *harness) errorBody(r response, code string) *ossxml.Error {
	h.t.Helper()
	ec, _ := ossxml.LookupCode(code)
	e := new(ossxml.Error)
	if err := ossxml.Unmarshal(r.body, e); err != nil || e.Code != code || r.StatusCode != ec.Status {
		h.t.Fatalf("status %d, body %s; want %d %s", r.StatusCode, r.body, ec.Status, code)
	}
	if got := r.Header.Get("x-oss-ec"); got != e.EC {
		h.t.Errorf("x-oss-ec header %q, body EC %q", got, e.EC)
	}
	return e
}

func TestV4CredentialScope(t *testing.T) {
	h := newHarness(t, nil) // Region defaults to cn-hangzhou
	h.mkbucket("bkt")
	now := time.Now().UTC()
	today, yesterday := now.Format("20060102"), now.AddDate(0, 0, -1).Format("20060102")
	tests := []struct {
		name            string
		day             string
		region, product string
		wantEC          string // "" with wantMessage "": accepted
		wantMessage     string // what the message must name
	}{
		{name: "matching", day: today, region: "cn-hangzhou", product: "oss"},
		{name: "wrong region", day: today, region: "cn-beijing", product: "oss", wantEC: ossxml.ECInvalidSigningRegion, wantMessage: `"cn-hangzhou"`},
		{name: "wrong product", day: today, region: "cn-hangzhou", product: "oss-cloudbox", wantEC: ossxml.ECInvalidSigningProduct, wantMessage: `"oss"`},
		{name: "wrong date", day: yesterday, region: "cn-hangzhou", product: "oss", wantMessage: `"` + today + `"`},
	}
	for _, tt := range tests {
		for _, presign := range []bool{false, true} {
			form, arg := "header", "Credential"
			if presign {
				form, arg = "presigned", "x-oss-credential"
			}
			t.Run(tt.name+"/"+form, func(t *testing.T) {
				r := h.send(h.scopedListRequest(presign, now, tt.day, tt.region, tt.product))
				if tt.wantEC == "" && tt.wantMessage == "" {
					if r.StatusCode != http.StatusOK {
						t.Fatalf("status %d, body %s", r.StatusCode, r.body)
					}
					return
				}
				e := h.errorBody(r, ossxml.CodeInvalidArgument)
				if e.EC != tt.wantEC || e.ArgumentName != arg || !strings.Contains(e.ArgumentValue, "/"+tt.region+"/") {
					t.Errorf("EC %q, argument %s=%s; want EC %q and %s with the credential", e.EC, e.ArgumentName, e.ArgumentValue, tt.wantEC, arg)
				}
				if !strings.Contains(e.Message, tt.wantMessage) {
					t.Errorf("message %q does not name the expected %s", e.Message, tt.wantMessage)
				}
			})
		}
	}
}

// TestV4RegionFromConfig: Open hands Config.Region to the verifier, and a
// client signing with another region is refused while one signing with it
// is served.
func TestV4RegionFromConfig(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Region = "ap-southeast-1" })
	h.signer.Region = "ap-southeast-1"
	h.mkbucket("bkt")
	for _, presign := range []bool{false, true} {
		h.ok(call{method: "GET", bucket: "bkt", presign: presign}, http.StatusOK)
	}
	h.signer.Region = "cn-hangzhou"
	for _, presign := range []bool{false, true} {
		e := h.fails(call{method: "GET", bucket: "bkt", presign: presign}, ossxml.CodeInvalidArgument)
		if e.EC != ossxml.ECInvalidSigningRegion || !strings.Contains(e.Message, `"ap-southeast-1"`) {
			t.Errorf("presign %v: %+v", presign, e)
		}
	}
	// V1 has no region and is not affected.
	h.ok(call{method: "GET", bucket: "bkt", version: sign.V1}, http.StatusOK)
}

func TestRepeatedAuthHeaders(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	tests := []struct {
		name    string
		version sign.Version
		header  string
		add     func(r *http.Request) string // the value to add
	}{
		{"Authorization v4", sign.V4, "Authorization", func(r *http.Request) string { return r.Header.Get("Authorization") }},
		{"Authorization v1", sign.V1, "Authorization", func(r *http.Request) string { return r.Header.Get("Authorization") }},
		{"Authorization of another key", sign.V4, "Authorization", func(*http.Request) string { return "OSS LTAIother:c2lnbmF0dXJl" }},
		{"Date", sign.V1, "Date", func(r *http.Request) string { return r.Header.Get("Date") }},
		{"x-oss-date", sign.V4, "x-oss-date", func(r *http.Request) string { return r.Header.Get("x-oss-date") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.request(call{method: "GET", bucket: "bkt", version: tt.version})
			r.Header.Add(tt.header, tt.add(r))
			e := h.errorBody(h.send(r), ossxml.CodeInvalidArgument)
			if e.ArgumentName != tt.header {
				t.Errorf("ArgumentName %q, want %q", e.ArgumentName, tt.header)
			}
		})
	}
}
