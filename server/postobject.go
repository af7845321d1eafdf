package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// maxFormFields caps the bytes of the form fields before the file field
// (names and values, plus a fixed allowance per field for its part
// headers): the server holds them in memory while it reads the form.
const maxFormFields = 64 << 10

// formFieldOverhead is what every form field counts against maxFormFields
// besides its name and value.
const formFieldOverhead = 128

// maxFormHeaderSlack is how far past maxFormFields the multipart reader
// may read from the body before the file field starts: its buffer and the
// part headers of the file field.
const maxFormHeaderSlack = 16 << 10

// postHeaderFields are the form fields that PostObject reads as the
// request headers of the same name in PutObject.
var postHeaderFields = []string{
	"content-type", "cache-control", "content-disposition", "content-encoding", "expires",
	"x-oss-object-acl", "x-oss-forbid-overwrite", "x-oss-storage-class",
}

// isPostForm reports whether r is a PostObject the server authenticates
// from its form: a multipart/form-data POST without an Authorization
// header.
func isPostForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && err == nil && mt == "multipart/form-data" && r.Header.Get(sign.HeaderAuthorization) == ""
}

// postForm is a PostObject form read up to its file field.
type postForm struct {
	fields   map[string]string // lower-cased names
	file     *multipart.Part
	filename string
	fileType string // the file part's Content-Type
}

// fieldBudget fails reads from the body once more than limit bytes were
// read, until it is lifted.
type fieldBudget struct {
	r      io.Reader
	n      int64
	limit  int64
	lifted bool
}

var errFormTooLarge = errors.New("server: form fields too large")

func (b *fieldBudget) Read(p []byte) (int, error) {
	if !b.lifted && b.n >= b.limit {
		return 0, errFormTooLarge
	}
	if !b.lifted && int64(len(p)) > b.limit-b.n {
		p = p[:b.limit-b.n]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func malformedPost(msg string) error {
	return newError(ossxml.CodeMalformedPOSTRequest, msg)
}

// readPostForm reads the fields of a PostObject form up to and including
// the headers of its file field, whose content is left to stream. Fields
// after the file are never read.
func (s *Server) readPostForm(w http.ResponseWriter, r *http.Request) (*postForm, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, malformedPost("The body of your POST request is not well-formed multipart/form-data.")
	}
	budget := &fieldBudget{r: s.body(w, r), limit: maxFormFields + maxFormHeaderSlack}
	mr := multipart.NewReader(budget, params["boundary"])
	f := &postForm{fields: map[string]string{}}
	used := 0
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, formReadError(err, "The form has no file field.")
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			f.file, f.filename, f.fileType = part, part.FileName(), part.Header.Get("Content-Type")
			budget.lifted = true
			return f, nil
		}
		if name == "" {
			return nil, malformedPost("A form field has no name.")
		}
		value, err := io.ReadAll(io.LimitReader(part, int64(maxFormFields-used)+1))
		if err != nil {
			return nil, formReadError(err, "")
		}
		used += len(name) + len(value) + formFieldOverhead
		if used > maxFormFields {
			return nil, malformedPost("The form fields before the file field are larger than 64 KiB.")
		}
		if _, dup := f.fields[name]; dup {
			return nil, malformedPost(fmt.Sprintf("The form field %q appears more than once.", name))
		}
		f.fields[name] = string(value)
	}
}

// formReadError maps an error reading the form: eof is the message for a
// form that ends (empty: the form is malformed).
func formReadError(err error, eof string) error {
	switch {
	case errors.Is(err, errFormTooLarge):
		return malformedPost("The form fields before the file field are larger than 64 KiB.")
	case isTimeout(err):
		return newError(ossxml.CodeRequestTimeout, "")
	case errors.Is(err, io.EOF) && eof != "":
		return invalidArgument("file", "", eof)
	}
	return malformedPost("The body of your POST request is not well-formed multipart/form-data.")
}

// postAuth authenticates a form: by its signature when it carries one (V1:
// OSSAccessKeyId and Signature; V4: x-oss-signature-version and the fields
// that go with it), which needs a policy; anonymously otherwise. A policy,
// signed or not, is then enforced.
func (s *Server) postAuth(rq *request, f *postForm) (*postPolicy, error) {
	fields := f.fields
	signed := fields["ossaccesskeyid"] != "" || fields["signature"] != "" || fields["x-oss-signature-version"] != "" || fields["x-oss-signature"] != ""
	if fields["policy"] == "" {
		if signed {
			return nil, invalidArgument("policy", "", "A signed form needs a policy field.")
		}
		return nil, nil
	}
	p, err := parsePolicy(fields["policy"])
	if err != nil {
		return nil, err
	}
	if signed {
		id, err := s.verifier.VerifyPost(sign.PostForm{
			Policy:           fields["policy"],
			AccessKeyID:      fields["ossaccesskeyid"],
			Signature:        fields["signature"],
			SignatureVersion: fields["x-oss-signature-version"],
			Credential:       fields["x-oss-credential"],
			Date:             fields["x-oss-date"],
			V4Signature:      fields["x-oss-signature"],
			SecurityToken:    fields["x-oss-security-token"],
		}, s.cfg.Now())
		if err != nil {
			return nil, authError(err)
		}
		if id.Version == sign.V4 {
			if err := p.requireV4(); err != nil {
				return nil, err
			}
		}
		rq.id, rq.account = id, s.accounts[id.AccessKeyID]
	}
	return p, nil
}

// postKey is the object key a form names, with ${filename} replaced by the
// base name of the file's name.
func postKey(f *postForm) (string, error) {
	key, ok := f.fields["key"]
	if !ok || key == "" {
		return "", invalidArgument("key", "", "The form needs a key field.")
	}
	if strings.Contains(key, "${filename}") {
		name := f.filename
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		key = strings.ReplaceAll(key, "${filename}", name)
	}
	return key, validKey(key)
}

// postRequest builds, for the metadata and callback parsers that PutObject
// uses, a request whose headers are the form's fields that stand for
// headers.
func postRequest(r *http.Request, f *postForm) *http.Request {
	h := http.Header{}
	for _, name := range postHeaderFields {
		if v, ok := f.fields[name]; ok {
			h.Set(name, v)
		}
	}
	if h.Get("Content-Type") == "" && f.fileType != "" {
		h.Set("Content-Type", f.fileType)
	}
	if v := f.fields["x-oss-content-type"]; v != "" {
		h.Set("Content-Type", v)
	}
	for name, v := range f.fields {
		if strings.HasPrefix(name, "x-oss-meta-") {
			h.Set(name, v)
		}
	}
	if v := f.fields["callback"]; v != "" {
		h.Set("x-oss-callback", v)
	}
	vars := map[string]string{}
	for name, v := range f.fields {
		if strings.HasPrefix(name, "x:") {
			vars[name] = v
		}
	}
	if len(vars) > 0 {
		b, _ := json.Marshal(vars) // a map of strings always encodes
		h.Set("x-oss-callback-var", base64.StdEncoding.EncodeToString(b))
	}
	pr := r.Clone(r.Context())
	pr.Header = h
	return pr
}

// postObject answers PostObject: a browser form upload to the bucket. The
// form is read up to its file field (see readPostForm), authenticated (see
// postAuth) and authorised like a PutObject of its key; then the file
// streams into the store.
func (s *Server) postObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	// The file ends before the body does, so a hash of the whole body
	// could only be checked after the object is stored: a form takes
	// UNSIGNED-PAYLOAD (or no x-oss-content-sha256) only, as OSS takes for
	// every request.
	if want, err := payloadHash(r); err != nil || want != nil {
		if err == nil {
			e := invalidArgument(payloadHashHeader, r.Header.Get(sign.HeaderContentSHA256), "A PostObject takes no x-oss-content-sha256 other than UNSIGNED-PAYLOAD.")
			e.body.EC = ossxml.ECInvalidContentSHA256
			err = e
		}
		return err
	}
	f, err := s.readPostForm(w, r)
	if err != nil {
		return err
	}
	p, err := s.postAuth(rq, f)
	if err != nil {
		return err
	}
	key, err := postKey(f)
	if err != nil {
		return err
	}
	rq.key = key
	pr := postRequest(r, f)
	if p != nil {
		fields := maps.Clone(f.fields)
		fields["bucket"], fields["key"] = rq.bucket, key
		if _, ok := fields["content-type"]; !ok {
			fields["content-type"] = pr.Header.Get("Content-Type")
		}
		if err := p.check(fields, s.cfg.Now()); err != nil {
			return err
		}
	}
	if err := s.authorize(ctx, r, rq); err != nil {
		return err
	}
	trusted(ctx)
	meta, err := s.objectMetadata(ctx, pr, rq)
	if err != nil {
		return err
	}
	cb, err := parseCallback(pr, rq)
	if err != nil {
		return err
	}
	redirect, err := postRedirect(f.fields["success_action_redirect"])
	if err != nil {
		return err
	}
	body := &lengthReader{r: f.file, max: -1}
	if p != nil {
		body.min, body.max = p.lengthMin, p.lengthMax
	}
	obj, err := s.store.PutObject(ctx, rq.bucket, key, body, store.SizeUnknown, meta, store.PutOptions{ForbidOverwrite: forbidOverwrite(pr)})
	switch {
	case errors.Is(body.err, errTooLarge):
		return lengthError(true, p)
	case errors.Is(body.err, errTooSmall):
		return lengthError(false, p)
	case body.err != nil:
		return formReadError(body.err, "")
	case err != nil:
		return storeError(err, rq)
	}
	setWriteHeaders(w.Header(), obj.ETag, obj.ContentMD5, obj.CRC64)
	setVersionHeaders(w.Header(), obj)
	if cb != nil {
		return s.runCallback(ctx, w, rq, cb, obj)
	}
	return writePostAnswer(w, r, rq, obj, f.fields["success_action_status"], redirect)
}

// postRedirect checks success_action_redirect: an absolute http or https
// URL, or nothing.
func postRedirect(v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalidArgument("success_action_redirect", v, "success_action_redirect must be an absolute http or https URL.")
	}
	return u, nil
}

// writePostAnswer answers a stored PostObject: a 303 to redirect with
// bucket, key and etag added to its query; else success_action_status 200
// or 201 (with a PostResponse body), and 204 for anything else.
func writePostAnswer(w http.ResponseWriter, r *http.Request, rq *request, obj store.Object, status string, redirect *url.URL) error {
	etag := quoteETag(obj.ETag)
	if redirect != nil {
		q := redirect.Query()
		q.Set("bucket", rq.bucket)
		q.Set("key", obj.Key)
		q.Set("etag", etag)
		redirect.RawQuery = q.Encode()
		w.Header().Set("Location", redirect.String())
		w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	switch status {
	case "200":
		w.WriteHeader(http.StatusOK)
		return nil
	case "201":
		b, err := ossxml.Marshal(&ossxml.PostResponse{Bucket: rq.bucket, Key: obj.Key, ETag: etag, Location: objectLocation(r, rq, obj.Key)})
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(b)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// objectLocation is the URL of bucket/key in the addressing style of r.
func objectLocation(r *http.Request, rq *request, key string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := "/" + escapePathSegments(key)
	if b, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); b == rq.bucket {
		path = "/" + rq.bucket + path
	}
	return scheme + "://" + r.Host + path
}

// escapePathSegments percent-encodes key for a URL path, keeping '/'.
func escapePathSegments(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
