package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// maxCallbackURLs and maxCallbackResponse are OSS's callback limits.
const (
	maxCallbackURLs     = 5
	maxCallbackResponse = 3 << 20
)

const (
	formBody = "application/x-www-form-urlencoded"
	jsonBody = "application/json"
)

// callback is a parsed x-oss-callback with its x-oss-callback-var values.
type callback struct {
	urls     []string
	host     string
	body     string
	bodyType string
	vars     map[string]string
}

func callbackInvalid(msg string) error {
	return invalidArgument("callback", "", msg)
}

// parseCallback reads the callback a PutObject or Complete request asks
// for, from the x-oss-callback header or, on presigned URLs, the callback
// query parameter. It returns nil when there is none and InvalidArgument
// when it is malformed, before anything is stored.
func parseCallback(r *http.Request, rq *request) (*callback, error) {
	raw := r.Header.Get("x-oss-callback")
	if raw == "" {
		raw = rq.query.Get("callback")
	}
	if raw == "" {
		return nil, nil
	}
	const notJSON = "The callback configuration is not json format."
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, callbackInvalid(notJSON)
	}
	var spec struct {
		URL      *string `json:"callbackUrl"`
		Host     *string `json:"callbackHost"`
		Body     *string `json:"callbackBody"`
		BodyType *string `json:"callbackBodyType"`
		SNI      *bool   `json:"callbackSNI"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, callbackInvalid(notJSON)
	}
	if spec.URL == nil || spec.Body == nil || *spec.Body == "" {
		return nil, callbackInvalid("The callback configuration needs callbackUrl and a non-empty callbackBody.")
	}
	cb := &callback{body: *spec.Body, bodyType: formBody}
	if spec.Host != nil {
		cb.host = *spec.Host
	}
	if spec.BodyType != nil {
		cb.bodyType = *spec.BodyType
	}
	if cb.bodyType != formBody && cb.bodyType != jsonBody {
		return nil, callbackInvalid("The callbackBodyType must be application/x-www-form-urlencoded or application/json.")
	}
	if cb.urls, err = callbackURLs(*spec.URL); err != nil {
		return nil, err
	}
	if cb.vars, err = parseCallbackVars(r, rq); err != nil {
		return nil, err
	}
	if cb.bodyType == jsonBody && !json.Valid([]byte(cb.render(store.Object{}))) {
		return nil, callbackInvalid("The callbackBody is not valid JSON once its variables are substituted.")
	}
	return cb, nil
}

func callbackURLs(s string) ([]string, error) {
	var urls []string
	for _, u := range strings.Split(s, ";") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if dec, err := url.QueryUnescape(u); err == nil {
			u = dec
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, callbackInvalid("The callbackUrl is not a valid http or https URL.")
		}
		urls = append(urls, u)
	}
	if len(urls) == 0 || len(urls) > maxCallbackURLs {
		return nil, callbackInvalid("The callbackUrl must name one to five URLs.")
	}
	return urls, nil
}

func parseCallbackVars(r *http.Request, rq *request) (map[string]string, error) {
	raw := r.Header.Get("x-oss-callback-var")
	if raw == "" {
		raw = rq.query.Get("callback-var")
	}
	if raw == "" {
		return nil, nil
	}
	const msg = "The callback variables are not a base64 JSON object of strings."
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, callbackInvalid(msg)
	}
	var vars map[string]string
	if err := json.Unmarshal(data, &vars); err != nil {
		return nil, callbackInvalid(msg)
	}
	for k := range vars {
		if !strings.HasPrefix(k, "x:") {
			return nil, callbackInvalid("Callback variable names must start with x:.")
		}
	}
	return vars, nil
}

var callbackVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// render substitutes the system and custom variables into the body
// template: URL-encoded for form bodies, as JSON values (strings quoted,
// the size a number) for JSON bodies. Unknown variables are empty.
func (cb *callback) render(o store.Object) string {
	return callbackVar.ReplaceAllStringFunc(cb.body, func(m string) string {
		name := m[2 : len(m)-1]
		var v string
		switch name {
		case "bucket":
			v = o.Bucket
		case "object":
			v = o.Key
		case "etag":
			v = o.ETag
		case "size":
			if cb.bodyType == jsonBody {
				return strconv.FormatInt(o.Size, 10)
			}
			v = strconv.FormatInt(o.Size, 10)
		case "mimeType":
			v = o.Meta.ContentType
		default:
			v = cb.vars[name]
		}
		if cb.bodyType == jsonBody {
			b, _ := json.Marshal(v)
			return string(b)
		}
		return url.QueryEscape(v)
	})
}

// runCallback posts the callback after the object is stored and answers
// the client: 200 with the application server's JSON, or 203
// CallbackFailed (the object stays stored). The URLs are tried in order,
// all within one timeout.
func (s *Server) runCallback(ctx context.Context, w http.ResponseWriter, rq *request, cb *callback, o store.Object) error {
	body := cb.render(o)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.callbackTimeout)
	defer cancel()
	var failure string
	for _, u := range cb.urls {
		if ctx.Err() != nil {
			break
		}
		resp, ctype, msg := s.postCallback(ctx, rq, cb, u, body)
		if msg == "" {
			if ctype == "" {
				ctype = jsonBody
			}
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(resp)
			return nil
		}
		failure = msg
	}
	s.log.Info("upload callback failed", "bucket", rq.bucket, "key", rq.key, "request_id", rq.rid, "failure", failure)
	return newError(ossxml.CodeCallbackFailed, failure)
}

// postCallback posts body to target. On failure it returns the message
// OSS puts in its CallbackFailed error, such as "Error status : 500.".
func (s *Server) postCallback(ctx context.Context, rq *request, cb *callback, target, body string) (reply []byte, ctype, failure string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, "", fmt.Sprintf("Error status : -1. %v", err)
	}
	req.Header.Set("Content-Type", cb.bodyType)
	if cb.host != "" {
		req.Host = cb.host
	}
	resp, err := s.callback.Do(req)
	switch {
	case errors.Is(err, errCallbackRefused):
		// The address stays in the log: the uploader learns only that the
		// target is refused, not what an internal name resolves to.
		s.log.Info("upload callback refused", "url", target, "request_id", rq.rid, "err", err)
		return nil, "", fmt.Sprintf("Error status : -1. The callback target %s is not allowed: only public addresses may be called back.", req.URL.Host)
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, "", s.callbackTimedOut()
	case err != nil:
		return nil, "", fmt.Sprintf("Error status : -1. %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCallbackResponse+1))
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, "", s.callbackTimedOut()
	case err != nil:
		return nil, "", fmt.Sprintf("Error status : %d. Reading the response failed: %v", resp.StatusCode, err)
	case resp.StatusCode != http.StatusOK:
		return nil, "", fmt.Sprintf("Error status : %d.", resp.StatusCode)
	case len(data) > maxCallbackResponse:
		return nil, "", "Error status : 200. The response is larger than 3 MB."
	case !json.Valid(bytes.TrimSpace(data)):
		return nil, "", "Error status : 200. The response is not JSON."
	}
	return data, resp.Header.Get("Content-Type"), ""
}

func (s *Server) callbackTimedOut() string {
	return fmt.Sprintf("Error status : -1. The callback did not complete within %v.", s.cfg.callbackTimeout)
}
