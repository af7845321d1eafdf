package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/server"
)

// noCRCWriter hides the CRC-64 the server reports.
type noCRCWriter struct{ http.ResponseWriter }

func (w noCRCWriter) WriteHeader(code int) {
	w.Header().Del("x-oss-hash-crc64ecma")
	w.ResponseWriter.WriteHeader(code)
}

func (w noCRCWriter) Write(p []byte) (int, error) {
	w.Header().Del("x-oss-hash-crc64ecma")
	return w.ResponseWriter.Write(p)
}

func (w noCRCWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestCpUnverifiedWarns: cp against a service that reports no CRC-64
// succeeds and warns that the object was not verified end to end, even
// with -q; against one that does, it does not warn.
func TestCpUnverifiedWarns(t *testing.T) {
	srv, err := server.Open(server.Config{Dir: t.TempDir(), Credentials: []server.Credential{{AccessKeyID: "LTAIcrc", AccessKeySecret: "crc-secret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var hide atomic.Bool
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hide.Load() && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
			w = noCRCWriter{w}
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcrc", "OSS_ACCESS_KEY_SECRET=crc-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + hs.URL}
	mustCLI(t, env, "mb", "oss://bkt")
	const warning = "ossup: warning: the service confirmed no checksum; the object was not verified end to end"
	for _, size := range []int{1000, 300 << 10} {
		path, _ := writeRandomFile(t, size)
		hide.Store(true)
		out, errOut, code := cli(t, env, "cp", "-q", path, "oss://bkt/obj")
		if code != 0 || !strings.Contains(errOut, warning) || !strings.Contains(out, "oss://bkt/obj") {
			t.Errorf("%d bytes, no CRC-64: exit %d, stdout %q, stderr %q; want success and the warning", size, code, out, errOut)
		}
		hide.Store(false)
		if _, errOut, code := cli(t, env, "cp", path, "oss://bkt/obj"); code != 0 || strings.Contains(errOut, "warning") {
			t.Errorf("%d bytes, with CRC-64: exit %d, stderr %q; want success without a warning", size, code, errOut)
		}
	}
}
