package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

func TestRedactURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"/b/k", "/b/k"},
		{"/b/k?prefix=a&max-keys=3", "/b/k?prefix=a&max-keys=3"},
		{"/b/k?OSSAccessKeyId=LTAIkey&Expires=1700000000&Signature=abc%2Bdef%3D&security-token=tok%2Fen",
			"/b/k?OSSAccessKeyId=REDACTED&Expires=1700000000&Signature=REDACTED&security-token=REDACTED"},
		{"/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=LTAIkey%2F20261124%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-security-token=tok&x-oss-signature=0123abcd",
			"/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=REDACTED&x-oss-security-token=REDACTED&x-oss-signature=REDACTED"},
		// Spellings that decode or fold to a secret name.
		{"/b/k?x-oss-signatur%65=0123&SIGNATURE=abc&Security-Token=t", "/b/k?x-oss-signatur%65=REDACTED&SIGNATURE=REDACTED&Security-Token=REDACTED"},
		// Repeats, empty and valueless ones.
		{"/b/k?Signature=a&Signature=b&Signature&acl", "/b/k?Signature=REDACTED&Signature=REDACTED&Signature=REDACTED&acl"},
		// Not a secret, merely similar.
		{"/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&signatures=x", "/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&signatures=x"},
	}
	for _, tt := range tests {
		u, err := url.ParseRequestURI(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactURL(u); got != tt.want {
			t.Errorf("redactURL(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// failingStore fails or panics on OpenVersion, to reach the server's
// internal-error and panic log lines.
type failingStore struct {
	store.Store
	panic bool
}

func (f failingStore) OpenVersion(context.Context, string, string, string) (store.Object, store.ReadSeekCloser, error) {
	if f.panic {
		panic("store on fire")
	}
	return store.Object{}, nil, errors.New("store on fire")
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsHoldNoSecrets sends presigned GETs carrying a signature and an
// STS token to a server whose store fails or panics, and checks that the
// lines it logs name the request without either.
func TestLogsHoldNoSecrets(t *testing.T) {
	sts := Credential{AccessKeyID: "STS.logkey", AccessKeySecret: "log-secret", SecurityToken: "token-value-never-logged"}
	for _, panics := range []bool{false, true} {
		var logs lockedBuffer
		srv, err := Open(Config{
			Dir:               t.TempDir(),
			Credentials:       []Credential{sts},
			LifecycleInterval: -1, // the test swaps the store: no sweep may read it meanwhile
			Logger:            slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.store.CreateBucket(t.Context(), store.Bucket{Name: "bkt"}); err != nil {
			t.Fatal(err)
		}
		srv.store = failingStore{Store: srv.store, panic: panics}
		ts := httptest.NewServer(srv)
		cred := sign.Credentials{AccessKeyID: sts.AccessKeyID, AccessKeySecret: sts.AccessKeySecret, SecurityToken: sts.SecurityToken}
		var secrets []string
		for _, v := range []sign.Version{sign.V1, sign.V4} {
			r, err := http.NewRequest(http.MethodGet, ts.URL+"/bkt/some/key?response-cache-control=no-cache", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := (sign.Signer{Version: v, Region: "cn-hangzhou"}).Presign(r, sign.Resource{Bucket: "bkt", Key: "some/key"}, cred, time.Now(), time.Hour); err != nil {
				t.Fatal(err)
			}
			// Both as sent (percent-encoded) and decoded.
			for _, pair := range strings.Split(r.URL.RawQuery, "&") {
				name, value, _ := strings.Cut(pair, "=")
				if name == "Signature" || name == "x-oss-signature" {
					decoded, _ := url.QueryUnescape(value)
					secrets = append(secrets, value, decoded)
				}
			}
			resp, err := ts.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("panic %v, %s: status %d, want 500", panics, v, resp.StatusCode)
			}
		}
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		out := logs.String()
		want := "internal error"
		if panics {
			want = "panic serving request"
		}
		if strings.Count(out, want) != 2 || strings.Count(out, "REDACTED") < 6 || strings.Contains(out, "STS.logkey") {
			t.Errorf("panic %v: log lacks the two redacted %q lines:\n%s", panics, want, out)
		}
		if len(secrets) != 4 {
			t.Fatalf("found %d signatures in the presigned URLs, want 2", len(secrets)/2)
		}
		for _, s := range append(secrets, sts.SecurityToken) {
			if strings.Contains(out, s) {
				t.Errorf("panic %v: log contains the secret %q:\n%s", panics, s, out)
			}
		}
	}
}
