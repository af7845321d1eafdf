package oss_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fetch sends a request with plain net/http, as a holder of a presigned
// URL would, and returns the status and body.
func fetch(t *testing.T, e *opsEnv, method, u string, h http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := e.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// errorCode is the Code of an OSS error body, or "" if body is not one.
func errorCode(body []byte) string {
	var x ossxml.Error
	if ossxml.Unmarshal(body, &x) != nil {
		return ""
	}
	return x.Code
}

func TestPresign(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		var skew atomic.Int64 // the server's clock is ahead by this much
		e := c.start(t, osstest.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
		ctx := t.Context()
		const key = "presigned/ü k+1%.txt"
		data := pattern(4, 3000)

		put, err := e.Client.Presign(ctx, &oss.PresignRequest{
			Method: http.MethodPut, Bucket: e.Bucket, Key: key,
			Header: http.Header{"Content-Type": {"text/plain"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if put.Method != http.MethodPut || time.Until(put.Expiration) < 14*time.Minute || put.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("presigned PUT %+v: want PUT, 15 minutes, the Content-Type to send", put)
		}
		// Another Content-Type than the one signed is refused.
		status, body := fetch(t, e, http.MethodPut, put.URL, http.Header{"Content-Type": {"image/png"}}, data)
		if status != http.StatusForbidden || errorCode(body) != "SignatureDoesNotMatch" {
			t.Errorf("PUT with another Content-Type: %d %s", status, body)
		}
		if status, body := fetch(t, e, http.MethodPut, put.URL, put.Header, data); status != http.StatusOK {
			t.Fatalf("presigned PUT: %d %s", status, body)
		}
		got, info := e.get(key)
		if !bytes.Equal(got, data) || info.ObjectMetadata.ContentType != "text/plain" {
			t.Errorf("after presigned PUT: %d bytes, Content-Type %q", len(got), info.ObjectMetadata.ContentType)
		}

		get, err := e.Client.Presign(ctx, &oss.PresignRequest{Bucket: e.Bucket, Key: key, Expires: time.Hour,
			Query: url.Values{"response-content-disposition": {"attachment"}}})
		if err != nil {
			t.Fatal(err)
		}
		if get.Method != http.MethodGet {
			t.Errorf("Method = %q, want GET", get.Method)
		}
		if status, body := fetch(t, e, http.MethodGet, get.URL, get.Header, nil); status != http.StatusOK || !bytes.Equal(body, data) {
			t.Fatalf("presigned GET: %d, %d bytes", status, len(body))
		}

		// Changing any part of the URL breaks it: a signature mismatch
		// (403), or a value that is no longer well-formed (400).
		u := mustParseURL(t, get.URL)
		for name := range u.Query() {
			q := u.Query()
			q.Set(name, q.Get(name)+"0")
			bad := *u
			bad.RawQuery = q.Encode()
			if status, body := fetch(t, e, http.MethodGet, bad.String(), nil, nil); status != http.StatusForbidden && status != http.StatusBadRequest {
				t.Errorf("GET with %s changed: %d %s", name, status, body)
			}
		}
		bad := *u
		bad.Path, bad.RawPath = strings.Replace(u.Path, ".txt", ".txT", 1), ""
		if status, body := fetch(t, e, http.MethodGet, bad.String(), nil, nil); status != http.StatusForbidden {
			t.Errorf("GET of another key: %d %s", status, body)
		}
		if status, body := fetch(t, e, http.MethodDelete, get.URL, nil, nil); status != http.StatusForbidden {
			t.Errorf("DELETE with a GET URL: %d %s", status, body)
		}

		// Two hours later, the one-hour URL has expired.
		skew.Store(int64(2 * time.Hour))
		status, body = fetch(t, e, http.MethodGet, get.URL, nil, nil)
		if status != http.StatusForbidden || errorCode(body) != "AccessDenied" {
			t.Errorf("expired URL: %d %s", status, body)
		}
	})
}
