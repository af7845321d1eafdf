package server

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
)

// formField is one field of a test form, in order.
type formField struct{ name, value string }

// postForm describes a PostObject form: fields before the file, the file,
// and fields after it.
type testForm struct {
	before   []formField
	filename string
	fileType string
	file     []byte
	after    []formField
}

// encode returns the multipart body and its Content-Type.
func (f testForm) encode(t testing.TB) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, fl := range f.before {
		if err := mw.WriteField(fl.name, fl.value); err != nil {
			t.Fatal(err)
		}
	}
	hdr := make(map[string][]string)
	hdr["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, f.filename)}
	if f.fileType != "" {
		hdr["Content-Type"] = []string{f.fileType}
	}
	pw, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(f.file)
	for _, fl := range f.after {
		mw.WriteField(fl.name, fl.value)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// policyB64 encodes a policy document that expires at exp.
func policyB64(t testing.TB, exp time.Time, conds ...any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"expiration": exp.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// v1Fields signs policy with V1.
func v1Fields(cred sign.Credentials, policy string) []formField {
	return []formField{{"OSSAccessKeyId", cred.AccessKeyID}, {"policy", policy}, {"Signature", sign.SignPostV1(cred.AccessKeySecret, policy)}}
}

// v4Form returns the V4 fields signed now and the conditions a V4 policy
// must carry for them.
func v4Creds(cred sign.Credentials, now time.Time) (credential, date string, conds []any) {
	_, credential, date = sign.SignPostV4(cred, "cn-hangzhou", "", now)
	return credential, date, []any{
		map[string]string{"x-oss-signature-version": sign.PostAlgorithmV4},
		map[string]string{"x-oss-credential": credential},
		map[string]string{"x-oss-date": date},
	}
}

func v4Fields(cred sign.Credentials, policy string, now time.Time) []formField {
	sig, credential, date := sign.SignPostV4(cred, "cn-hangzhou", policy, now)
	return []formField{
		{"x-oss-signature-version", sign.PostAlgorithmV4}, {"x-oss-credential", credential},
		{"x-oss-date", date}, {"policy", policy}, {"x-oss-signature", sig},
	}
}

// post sends a form to bucket (path style, or "/" when h.host is set).
func (h *harness) post(bucket string, f testForm, hdr map[string]string) response {
	h.t.Helper()
	body, ctype := f.encode(h.t)
	headers := map[string]string{"Content-Type": ctype}
	for k, v := range hdr {
		headers[k] = v
	}
	c := call{method: http.MethodPost, bucket: bucket, body: body, header: headers, anon: true}
	if h.host != "" {
		c.bucket = ""
	}
	return h.do(c)
}

// wantPostError checks an error answer of a form upload.
func wantPostError(t *testing.T, r response, code, msgPrefix string) {
	t.Helper()
	ec, _ := ossxml.LookupCode(code)
	var e ossxml.Error
	if err := ossxml.Unmarshal(r.body, &e); err != nil || r.StatusCode != ec.Status || e.Code != code || !strings.HasPrefix(e.Message, msgPrefix) {
		t.Fatalf("status %d, body %s; want %d %s %q…", r.StatusCode, r.body, ec.Status, code, msgPrefix)
	}
}

func TestPostObjectV1(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	data := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640,000 bytes
	policy := policyB64(t, time.Now().Add(time.Hour),
		map[string]string{"bucket": "bkt"},
		[]any{"starts-with", "$key", "user/eric/"},
		[]any{"content-length-range", 1, 1 << 20},
		[]any{"eq", "$success_action_status", "201"},
		[]any{"starts-with", "$Content-Type", "image/"},
		[]any{"in", "$content-type", []string{"image/jpeg", "image/png"}},
		[]any{"not-in", "$cache-control", []string{"no-store"}},
	)
	f := testForm{
		before: append([]formField{
			{"Key", "user/eric/${filename}"}, {"success_action_status", "201"},
			{"Content-Type", "image/png"}, {"Cache-Control", "no-cache"}, {"X-Oss-Meta-Owner", "eric"},
			{"x-oss-object-acl", "public-read"},
		}, v1Fields(h.cred, policy)...),
		filename: `C:\photos\cat.png`,
		fileType: "application/octet-stream",
		file:     data,
		after:    []formField{{"key", "ignored"}, {"submit", "Upload to OSS"}},
	}
	r := h.post("bkt", f, nil)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", r.StatusCode, r.body)
	}
	sum := md5.Sum(data)
	etag := `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
	var pr ossxml.PostResponse
	if err := ossxml.Unmarshal(r.body, &pr); err != nil {
		t.Fatal(err)
	}
	want := ossxml.PostResponse{Bucket: "bkt", Key: "user/eric/cat.png", ETag: etag, Location: h.http.URL + "/bkt/user/eric/cat.png"}
	if pr != want || r.Header.Get("ETag") != etag {
		t.Errorf("PostResponse %+v, ETag %s; want %+v", pr, r.Header.Get("ETag"), want)
	}
	got := h.ok(call{method: "GET", bucket: "bkt", key: "user/eric/cat.png", anon: true}, http.StatusOK)
	if !bytes.Equal(got.body, data) {
		t.Fatalf("stored %d bytes, want the %d sent", len(got.body), len(data))
	}
	for k, v := range map[string]string{"Content-Type": "image/png", "Cache-Control": "no-cache", "x-oss-meta-owner": "eric"} {
		if got.Header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if _, err := h.srv.store.HeadObject(t.Context(), "bkt", "ignored"); err == nil {
		t.Error("a field after the file was used")
	}
}

func TestPostObjectV4(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.VirtualHostBases = []string{"oss.local"} })
	h.mkbucket("bkt")
	now := time.Now()
	_, _, conds := v4Creds(h.cred, now)
	conds = append(conds, []any{"eq", "$key", "in/report.csv"}, map[string]string{"x-oss-content-type": "text/csv"})
	policy := policyB64(t, now.Add(time.Minute), conds...)
	f := testForm{
		before:   append([]formField{{"key", "in/${filename}"}, {"x-oss-content-type", "text/csv"}}, v4Fields(h.cred, policy, now)...),
		filename: "report.csv",
		fileType: "application/vnd.ms-excel",
		file:     []byte("a,b\n1,2\n"),
	}
	for _, style := range []string{"path", "virtual host"} {
		if style == "virtual host" {
			h.host = "bkt.oss.local"
		}
		r := h.post("bkt", f, nil)
		if r.StatusCode != http.StatusNoContent || len(r.body) != 0 {
			t.Fatalf("%s style: status %d: %s", style, r.StatusCode, r.body)
		}
		o, err := h.srv.store.HeadObject(t.Context(), "bkt", "in/report.csv")
		if err != nil || o.Meta.ContentType != "text/csv" || o.Size != int64(len(f.file)) {
			t.Fatalf("%s style: stored %+v, %v", style, o, err)
		}
		if err := h.srv.store.DeleteObject(t.Context(), "bkt", "in/report.csv"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPostObjectAnswers(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	policy := policyB64(t, time.Now().Add(time.Hour), map[string]string{"bucket": "bkt"})
	send := func(extra ...formField) response {
		t.Helper()
		return h.post("bkt", testForm{before: append(append([]formField{{"key", "k"}}, extra...), v1Fields(h.cred, policy)...), filename: "f", file: []byte("x")}, nil)
	}
	for status, want := range map[string]int{"200": 200, "201": 201, "204": 204, "": 204, "302": 204, "abc": 204} {
		if r := send(formField{"success_action_status", status}); r.StatusCode != want {
			t.Errorf("success_action_status %q: %d, want %d", status, r.StatusCode, want)
		}
	}
	body, ctype := testForm{before: append([]formField{{"key", "k"}, {"success_action_redirect", "https://app.example/done?from=form"}}, v1Fields(h.cred, policy)...), filename: "f", file: []byte("x")}.encode(t)
	req := h.request(call{method: "POST", bucket: "bkt", body: body, header: map[string]string{"Content-Type": ctype}, anon: true})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	loc, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("redirect: %d, Location %q", r.StatusCode, r.Header.Get("Location"))
	}
	q := loc.Query()
	if loc.Host != "app.example" || q.Get("from") != "form" || q.Get("bucket") != "bkt" || q.Get("key") != "k" || q.Get("etag") != `"9DD4E461268C8034F5C8564E155C67A6"` {
		t.Errorf("redirect to %s", loc)
	}
	wantPostError(t, send(formField{"success_action_redirect", "/relative"}), ossxml.CodeInvalidArgument, "")
	wantPostError(t, send(formField{"x-oss-forbid-overwrite", "true"}), ossxml.CodeFileAlreadyExists, "")
	wantPostError(t, send(formField{"x-oss-object-acl", "everyone"}), ossxml.CodeInvalidArgument, "")
}

func TestPostObjectRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	now := time.Now()
	later := now.Add(time.Hour)
	startsWith := policyB64(t, later, []any{"starts-with", "$key", "user/"})
	stranger := sign.Credentials{AccessKeyID: "LTAIstranger", AccessKeySecret: "nope"}
	forged := sign.Credentials{AccessKeyID: h.cred.AccessKeyID, AccessKeySecret: "not-the-secret"}
	_, _, v4conds := v4Creds(h.cred, now)
	tampered := v1Fields(h.cred, startsWith)
	tampered[1].value = policyB64(t, later, []any{"starts-with", "$key", ""})
	tests := []struct {
		name   string
		fields []formField
		code   string
		msg    string
	}{
		{"forged V1 signature", v1Fields(forged, startsWith), ossxml.CodeSignatureDoesNotMatch, ""},
		{"forged V4 signature", v4Fields(forged, policyB64(t, later, v4conds...), now), ossxml.CodeSignatureDoesNotMatch, ""},
		{"policy changed after signing", tampered, ossxml.CodeSignatureDoesNotMatch, ""},
		{"unknown access key", v1Fields(stranger, startsWith), ossxml.CodeInvalidAccessKeyID, ""},
		{"expired policy", v1Fields(h.cred, policyB64(t, now.Add(-time.Second), []any{"starts-with", "$key", "user/"})), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy expired."},
		{"key outside starts-with", v1Fields(h.cred, policyB64(t, later, []any{"starts-with", "$key", "admin/"})), ossxml.CodeAccessDenied, `Invalid according to Policy: Policy Condition failed: ["starts-with","$key","admin/"]`},
		{"other bucket", v1Fields(h.cred, policyB64(t, later, map[string]string{"bucket": "other"})), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy Condition failed:"},
		{"content type not allowed", v1Fields(h.cred, policyB64(t, later, []any{"eq", "$content-type", "image/png"})), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy Condition failed:"},
		{"V4 policy without the credential", v4Fields(h.cred, policyB64(t, later, v4conds[0], v4conds[2]), now), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy Condition failed: a V4 policy must require x-oss-credential."},
		{"V4 signed tomorrow", v4Fields(h.cred, policyB64(t, later, v4conds...), now.Add(24*time.Hour)), ossxml.CodeRequestTimeTooSkewed, ""},
		{"V4 signed 8 days ago", v4Fields(h.cred, policyB64(t, later, v4conds...), now.Add(-8*24*time.Hour)), ossxml.CodeAccessDenied, ""},
		{"signature without policy", []formField{{"OSSAccessKeyId", h.cred.AccessKeyID}, {"Signature", "x"}}, ossxml.CodeInvalidArgument, ""},
		{"policy not base64", v1Fields(h.cred, "%%%"), ossxml.CodeInvalidArgument, "Invalid Policy:"},
		{"policy without expiration", v1Fields(h.cred, base64.StdEncoding.EncodeToString([]byte(`{"conditions":[]}`))), ossxml.CodeInvalidArgument, "Invalid Policy:"},
		{"unknown condition", v1Fields(h.cred, policyB64(t, later, []any{"ends-with", "$key", "a"})), ossxml.CodeInvalidArgument, "Invalid Policy:"},
		{"in without a list", v1Fields(h.cred, policyB64(t, later, []any{"in", "$key", "user/a"})), ossxml.CodeInvalidArgument, "Invalid Policy:"},
		{"key not in the list", v1Fields(h.cred, policyB64(t, later, []any{"in", "$key", []string{"user/b", "user/c"}})), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy Condition failed:"},
		{"cache-control in not-in", append(v1Fields(h.cred, policyB64(t, later, []any{"not-in", "$cache-control", []string{"no-cache"}})), formField{"Cache-Control", "no-cache"}), ossxml.CodeAccessDenied, "Invalid according to Policy: Policy Condition failed:"},
		{"bad length range", v1Fields(h.cred, policyB64(t, later, []any{"content-length-range", 10, 1})), ossxml.CodeInvalidArgument, "Invalid Policy:"},
		{"anonymous on a private bucket", nil, ossxml.CodeAccessDenied, ""},
		{"repeated field", append(v1Fields(h.cred, startsWith), formField{"SIGNATURE", "x"}), ossxml.CodeMalformedPOSTRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			r := h.post("bkt", testForm{before: append([]formField{{"key", "user/a"}}, tt.fields...), filename: "a", file: []byte("data")}, nil)
			wantPostError(t, r, tt.code, tt.msg)
			if _, err := h.srv.store.HeadObject(t.Context(), "bkt", "user/a"); err == nil {
				t.Fatal("the refused form stored its file")
			}
		})
	}
	h.t = t
	wantPostError(t, h.post("bkt", testForm{before: v1Fields(h.cred, startsWith), file: []byte("x")}, nil), ossxml.CodeInvalidArgument, "")
	r := h.do(call{method: "POST", bucket: "bkt", body: []byte("key=a"), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantPostError(t, r, ossxml.CodeMalformedPOSTRequest, "")
}

func TestPostObjectAnonymous(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "open", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	r := h.post("open", testForm{before: []formField{{"key", "drop/${filename}"}}, filename: "x.txt", file: []byte("hi")}, nil)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("anonymous form to a public-read-write bucket: %d %s", r.StatusCode, r.body)
	}
	if got := h.get("open", "drop/x.txt"); string(got) != "hi" {
		t.Errorf("stored %q", got)
	}
	// public-read is not enough.
	h.ok(call{method: "PUT", bucket: "open", query: "acl", header: map[string]string{"x-oss-acl": "public-read"}}, http.StatusOK)
	wantPostError(t, h.post("open", testForm{before: []formField{{"key", "k"}}, filename: "x", file: []byte("hi")}, nil), ossxml.CodeAccessDenied, "")
}

// endless yields a multipart body: head, then the chunks next(0), next(1),
// ... without end. It counts the bytes read.
type endless struct {
	head  []byte
	next  func(i int) []byte
	i     int
	chunk []byte
	n     int64
}

func (e *endless) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if len(e.head) == 0 && len(e.chunk) == 0 {
			e.chunk = e.next(e.i)
			e.i++
		}
		src := &e.chunk
		if len(e.head) > 0 {
			src = &e.head
		}
		k := copy(p, *src)
		*src = (*src)[k:]
		p = p[k:]
		total += k
	}
	e.n += int64(total)
	return total, nil
}

// repeat is an endless filler of one chunk.
func repeat(b []byte) func(int) []byte { return func(int) []byte { return b } }

// serveEndless sends a POST whose body never ends straight to the handler
// and returns the answer and how many body bytes the server read.
func serveEndless(t *testing.T, h *harness, head []byte, next func(int) []byte, boundary string) (*httptest.ResponseRecorder, int64) {
	t.Helper()
	body := &endless{head: head, next: next}
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/bkt", io.NopCloser(body))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	return w, body.n
}

func TestPostObjectLengthRange(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	const max = 1000
	policy := policyB64(t, time.Now().Add(time.Hour), []any{"content-length-range", 10, max})
	fields := append([]formField{{"key", "k"}}, v1Fields(h.cred, policy)...)

	// A file that never ends is cut just past the maximum, and nothing is
	// stored.
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, f := range fields {
		mw.WriteField(f.name, f.value)
	}
	mw.CreateFormFile("file", "big")
	w, read := serveEndless(t, h, head.Bytes(), repeat(bytes.Repeat([]byte{'z'}, 4096)), mw.Boundary())
	var e ossxml.Error
	if ossxml.Unmarshal(w.Body.Bytes(), &e); w.Code != http.StatusBadRequest || e.Code != ossxml.CodeEntityTooLarge {
		t.Fatalf("endless file: %d %s", w.Code, w.Body.Bytes())
	}
	if read > int64(head.Len())+max+64<<10 {
		t.Errorf("the server read %d bytes of a file limited to %d", read-int64(head.Len()), max)
	}
	t.Logf("endless file: refused after reading %d bytes past the form fields", read-int64(head.Len()))
	// Content files, kept and temporary.
	blobs := func(t *testing.T) int {
		return countFiles(t, filepath.Join(h.dir, "blobs")) + countFiles(t, filepath.Join(h.dir, "tmp"))
	}
	if n := blobs(t); n != 0 {
		t.Errorf("%d blob files left after the refused upload", n)
	}
	// One byte too many, one too few, and the bounds themselves.
	for size, code := range map[int]string{max + 1: ossxml.CodeEntityTooLarge, 9: ossxml.CodeEntityTooSmall, 0: ossxml.CodeEntityTooSmall, 10: "", max: ""} {
		r := h.post("bkt", testForm{before: fields, filename: "f", file: bytes.Repeat([]byte{'a'}, size)}, nil)
		if code != "" {
			wantPostError(t, r, code, "")
			if _, err := h.srv.store.HeadObject(t.Context(), "bkt", "k"); err == nil {
				t.Fatalf("a %d-byte file outside the range was stored", size)
			}
			if n := blobs(t); n != 0 {
				t.Errorf("%d blob files left after a %d-byte file was refused", n, size)
			}
			continue
		}
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("%d bytes: %d %s", size, r.StatusCode, r.body)
		}
		if got := h.get("bkt", "k"); len(got) != size {
			t.Fatalf("stored %d bytes, want %d", len(got), size)
		}
		h.ok(call{method: "DELETE", bucket: "bkt", key: "k"}, http.StatusNoContent)
	}
}

func TestPostObjectFieldFlood(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	// Endless small fields: refused once they pass 64 KiB, having read
	// little more.
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("key", "k")
	field := func(i int) []byte {
		return fmt.Appendf(nil, "\r\n--%s\r\nContent-Disposition: form-data; name=\"x-ignore-%d\"\r\n\r\npadding", mw.Boundary(), i)
	}
	w, read := serveEndless(t, h, head.Bytes(), field, mw.Boundary())
	var e ossxml.Error
	if ossxml.Unmarshal(w.Body.Bytes(), &e); e.Code != ossxml.CodeMalformedPOSTRequest {
		t.Fatalf("field flood: %d %s", w.Code, w.Body.Bytes())
	}
	if read > maxFormFields+maxFormHeaderSlack {
		t.Errorf("the server read %d bytes of form fields", read)
	}
	t.Logf("endless fields: refused after reading %d bytes", read)
	// One endless field value, and one endless part header.
	for _, filler := range []string{"v", "X-Pad: " + strings.Repeat("p", 1000)} {
		head.Reset()
		fmt.Fprintf(&head, "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n")
		if filler == "v" {
			head.WriteString("\r\n")
		}
		w, read := serveEndless(t, h, head.Bytes(), repeat([]byte(filler)), "B")
		if ossxml.Unmarshal(w.Body.Bytes(), &e); e.Code != ossxml.CodeMalformedPOSTRequest || read > maxFormFields+maxFormHeaderSlack {
			t.Errorf("endless %q: %d %s after %d bytes", filler[:1], w.Code, w.Body.Bytes(), read)
		}
		t.Logf("endless %q: refused after reading %d bytes", filler[:1], read)
	}
	// Fields of 64 KiB in all are too many even when the form ends.
	big := testForm{before: []formField{{"key", "k"}, {"x-ignore-a", strings.Repeat("a", maxFormFields)}}, filename: "f", file: []byte("x")}
	wantPostError(t, h.post("bkt", big, nil), ossxml.CodeMalformedPOSTRequest, "")
}

func TestPostObjectCallback(t *testing.T) {
	h := newHarness(t, allowLoopback)
	h.mkbucket("bkt")
	app := newAppServer(t, 200, `{"Status":"OK"}`)
	spec, _ := json.Marshal(map[string]any{"callbackUrl": app.URL + "/cb", "callbackBody": "object=${object}&size=${size}&who=${x:who}"})
	policy := policyB64(t, time.Now().Add(time.Hour), map[string]string{"bucket": "bkt"})
	f := testForm{
		before:   append([]formField{{"key", "up/${filename}"}, {"callback", base64.StdEncoding.EncodeToString(spec)}, {"x:who", "eric"}}, v1Fields(h.cred, policy)...),
		filename: "a.txt",
		file:     []byte("hello"),
	}
	r := h.post("bkt", f, nil)
	if r.StatusCode != http.StatusOK || string(r.body) != `{"Status":"OK"}` {
		t.Fatalf("status %d, body %q; want the callback's reply", r.StatusCode, r.body)
	}
	got, err := url.ParseQuery(app.bodies[0])
	if err != nil || got.Get("object") != "up/a.txt" || got.Get("size") != "5" || got.Get("who") != "eric" {
		t.Errorf("callback body %q", app.bodies[0])
	}
	f.before[1].value = "not base64 json"
	wantPostError(t, h.post("bkt", f, nil), ossxml.CodeInvalidArgument, "")
}

// A form signed by an Authorization header is verified by it; a hash of
// the whole body cannot be held to the file, so only UNSIGNED-PAYLOAD is
// taken.
func TestPostObjectHeaderSigned(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	body, ctype := testForm{before: []formField{{"key", "signed"}}, filename: "f", file: []byte("by header")}.encode(t)
	r := h.do(call{method: "POST", bucket: "bkt", body: body, header: map[string]string{"Content-Type": ctype}})
	if r.StatusCode != http.StatusNoContent || string(h.get("bkt", "signed")) != "by header" {
		t.Fatalf("header-signed form: %d %s", r.StatusCode, r.body)
	}
	sum := sha256.Sum256(body)
	e := h.fails(call{method: "POST", bucket: "bkt", body: body, header: map[string]string{"Content-Type": ctype, "x-oss-content-sha256": hex.EncodeToString(sum[:])}}, ossxml.CodeInvalidArgument)
	if e.EC != ossxml.ECInvalidContentSHA256 {
		t.Errorf("EC %q", e.EC)
	}
	// A bad header signature is refused before the form is read.
	req := h.request(call{method: "POST", bucket: "bkt", body: body, header: map[string]string{"Content-Type": ctype}})
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "Signature=", "Signature=0", 1))
	resp, err := h.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged Authorization on a form: %d", resp.StatusCode)
	}
}
