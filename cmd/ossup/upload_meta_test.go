package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestContentTypeFromExtension(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"a.md", "text/markdown; charset=utf-8"}, {"b.tar.gz", "application/gzip"}, {"c.PARQUET", "application/vnd.apache.parquet"},
		{"d.json", "application/json"}, {"e.png", "image/png"}, {"noext", ""}, {`dir\f.yaml`, "application/yaml"},
	} {
		if got := contentTypeFor(tc.name); got != tc.want {
			t.Errorf("contentTypeFor(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	env := embeddedEnv(t)
	path, _ := writeRandomFile(t, 100)
	mustCLI(t, env, "cp", path, "oss://ctbucket/notes.md")
	if out := mustCLI(t, env, "stat", "oss://ctbucket/notes.md"); !strings.Contains(out, "content type:  text/markdown") {
		t.Errorf("stat of notes.md: %q", out)
	}
	mustCLI(t, env, "cp", path, "oss://ctbucket/forced.md", "--content-type", "text/plain")
	if out := mustCLI(t, env, "stat", "oss://ctbucket/forced.md"); !strings.Contains(out, "content type:  text/plain\n") {
		t.Errorf("--content-type lost: %q", out)
	}
}

// TestCallbackReplyAndFailure: a callback's reply is printed; a failed
// callback leaves the object stored and exits 3.
func TestCallbackReplyAndFailure(t *testing.T) {
	env := embeddedEnv(t)
	app, _ := callbackApp(t)
	path, _ := writeRandomFile(t, 1000)
	out := mustCLI(t, env, "cp", path, "oss://cbbucket/ok", "--callback-url", app.URL, "--callback-body", "object=${object}")
	if !strings.Contains(out, `{"app":"reached"}`) {
		t.Errorf("cp with a callback: stdout %q lacks the reply", out)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	_, errOut, code := cli(t, env, "cp", path, "oss://cbbucket/failed", "--callback-url", broken.URL, "--callback-body", "object=${object}")
	if code != 3 || !strings.Contains(errOut, "ossup: the object was stored, but the callback failed: ") {
		t.Errorf("failed callback: exit %d, %q", code, errOut)
	}
	mustCLI(t, env, "stat", "oss://cbbucket/failed")
}
