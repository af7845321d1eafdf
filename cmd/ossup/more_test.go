package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/sign"
)

// TestUploadsAndPresign leaves an interrupted upload behind, finds it with
// "uploads ls", removes it with "uploads abort --all", and fetches an
// object through a presigned URL.
func TestUploadsAndPresign(t *testing.T) {
	gs := newGatedServer(t, 0)
	env := []string{"OSS_ACCESS_KEY_ID=LTAIgate", "OSS_ACCESS_KEY_SECRET=gate-secret", "OSS_REGION=cn-hangzhou", "OSS_ENDPOINT=" + gs.URL}
	mustCLI(t, env, "mb", "oss://bkt")
	// An upload that a crashed client left: initiate it through the API.
	for _, key := range []string{"a/left", "b/left"} {
		r, err := http.NewRequest("POST", gs.URL+"/bkt/"+key+"?uploads", nil)
		if err != nil {
			t.Fatal(err)
		}
		cred := sign.Credentials{AccessKeyID: "LTAIgate", AccessKeySecret: "gate-secret"}
		if err := (sign.Signer{Region: "cn-hangzhou"}).Sign(r, sign.Resource{Bucket: "bkt", Key: key}, cred, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("initiate: %d", resp.StatusCode)
		}
	}
	out := mustCLI(t, env, "uploads", "ls", "oss://bkt")
	if strings.Count(out, "oss://bkt/") != 2 {
		t.Fatalf("uploads ls: %q", out)
	}
	if out := mustCLI(t, env, "uploads", "ls", "oss://bkt/a/"); strings.Count(out, "oss://bkt/") != 1 {
		t.Fatalf("uploads ls with a prefix: %q", out)
	}
	if out := mustCLI(t, env, "uploads", "abort", "--all", "--dry-run", "oss://bkt"); strings.Count(out, "would abort ") != 2 {
		t.Fatalf("uploads abort --all --dry-run: %q", out)
	}
	mustCLI(t, env, "uploads", "abort", "--all", "oss://bkt")
	if out := mustCLI(t, env, "uploads", "ls", "oss://bkt"); out != "" {
		t.Fatalf("uploads left after abort --all: %q", out)
	}
	if _, _, code := cli(t, env, "uploads", "frob", "oss://bkt"); code != 2 {
		t.Errorf("uploads frob: exit %d, want 2", code)
	}

	path, data := writeRandomFile(t, 1000)
	mustCLI(t, env, "cp", path, "oss://bkt/shared.bin")
	url := strings.TrimSpace(mustCLI(t, env, "presign", "oss://bkt/shared.bin", "--expires", "10m"))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != string(data) {
		t.Fatalf("presigned GET: %d, %d bytes", resp.StatusCode, len(got))
	}
	if out := mustCLI(t, env, "help", "cp"); !strings.Contains(out, "-part-size size") || !strings.Contains(out, "KB means KiB") {
		t.Errorf("help cp: %q", out)
	}
}
