package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ossup/ossup/internal/sign"
)

func TestPrefixFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "127.0.0.0/8", want: "127.0.0.0/8"},
		{in: "10.0.0.0/8,192.168.0.0/16", want: "10.0.0.0/8,192.168.0.0/16"},
		{in: "10.1.2.3", want: "10.1.2.3/32"},
		{in: "::1", want: "::1/128"},
		{in: " fd00::/8 , 127.0.0.1/8", want: "fd00::/8,127.0.0.0/8"},
		{in: "", wantErr: true},
		{in: "nope", wantErr: true},
		{in: "10.0.0.0/33", wantErr: true},
		{in: "10.0.0.0/8,", wantErr: true},
		{in: "fe80::1%eth0", wantErr: true},
	}
	for _, tt := range tests {
		var p prefixFlag
		err := p.Set(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Set(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && p.String() != tt.want {
			t.Errorf("Set(%q) = %s, want %s", tt.in, p.String(), tt.want)
		}
	}
	var p prefixFlag
	_ = p.Set("10.0.0.0/8")
	_ = p.Set("::1")
	if want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}; len(p) != 2 || p[0] != want[0] || p[1] != want[1] {
		t.Errorf("repeated flag gave %v, want %v", p, want)
	}
}

// callbackApp is an application server on loopback that counts the
// callbacks it receives.
func callbackApp(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"app":"reached"}`)
	}))
	t.Cleanup(app.Close)
	return app, &n
}

// putWithCallback stores an object on base with a callback to url and
// returns the status and body of the answer.
func putWithCallback(t *testing.T, base string, cred sign.Credentials, url string) (int, string) {
	t.Helper()
	spec, _ := json.Marshal(map[string]string{"callbackUrl": url, "callbackBody": "object=${object}"})
	header := map[string]string{"x-oss-callback": base64.StdEncoding.EncodeToString(spec)}
	status, body := signedDoQuery(t, base, cred, "PUT", "bkt", "k", "", header, []byte("data"))
	return status, string(body)
}

// TestServeCallbackAllow: ossup serve refuses callbacks to loopback unless
// --allow-callback-to names it.
func TestServeCallbackAllow(t *testing.T) {
	env := []string{"OSS_ACCESS_KEY_ID=LTAIcb", "OSS_ACCESS_KEY_SECRET=cb-secret"}
	cred := sign.Credentials{AccessKeyID: "LTAIcb", AccessKeySecret: "cb-secret"}
	tests := []struct {
		name   string
		args   []string
		status int
		calls  int32
	}{
		{"default", nil, 203, 0},
		{"allowed", []string{"--allow-callback-to", "127.0.0.0/8,::1/128"}, 200, 1},
		{"other range", []string{"--allow-callback-to", "10.0.0.0/8"}, 203, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, calls := callbackApp(t)
			p := startServe(t, env, append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)...)
			if st, body := signedDo(t, p.url, cred, "PUT", "bkt", "", nil); st != 200 {
				t.Fatalf("PutBucket: %d %s", st, body)
			}
			st, body := putWithCallback(t, p.url, cred, app.URL)
			if st != tt.status {
				t.Errorf("PutObject with callback: %d %s, want %d", st, body, tt.status)
			}
			if tt.status == 200 && body != `{"app":"reached"}` {
				t.Errorf("uploader got %q, want the application's reply", body)
			}
			if tt.status == 203 && !strings.Contains(body, "CallbackFailed") {
				t.Errorf("body %q, want CallbackFailed", body)
			}
			if n := calls.Load(); n != tt.calls {
				t.Errorf("the application received %d callbacks, want %d", n, tt.calls)
			}
			if code := p.stop(t, syscall.SIGTERM); code != 0 {
				t.Errorf("serve exited %d", code)
			}
		})
	}
}

// TestEmbeddedCallbackToLoopback: the embedded store calls back the user's
// own machine.
func TestEmbeddedCallbackToLoopback(t *testing.T) {
	app, calls := callbackApp(t)
	path, _ := writeRandomFile(t, 1000)
	mustCLI(t, embeddedEnv(t), "cp", path, "oss://cbbucket/k", "--callback-url", app.URL, "--callback-body", "object=${object}")
	if n := calls.Load(); n != 1 {
		t.Errorf("the application received %d callbacks, want 1", n)
	}
}
