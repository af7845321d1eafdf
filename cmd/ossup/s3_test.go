package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// s3RoundTrip runs cp up and down, ls, stat, sync and rm with s3:// URLs
// against env, and checks the S3 dialect's words in the output.
func s3RoundTrip(t *testing.T, env []string) {
	t.Helper()
	path, data := writeRandomFile(t, 11<<20+17)
	out := mustCLI(t, env, "cp", path, "s3://s3bucket/dir/obj.bin", "--task-num", "3", "--part-size", "5MiB")
	if !strings.Contains(out, "s3://s3bucket/dir/obj.bin") || !strings.Contains(out, "crc64nvme ") {
		t.Errorf("cp output %q", out)
	}
	if out := mustCLI(t, env, "ls", "-r", "s3://s3bucket"); !strings.Contains(out, "11534353  s3://s3bucket/dir/obj.bin") {
		t.Errorf("ls -r %q", out)
	}
	if out := mustCLI(t, env, "stat", "s3://s3bucket/dir/obj.bin"); !strings.Contains(out, "crc64nvme:") || !strings.Contains(out, "size:          11534353") {
		t.Errorf("stat %q", out)
	}
	back := filepath.Join(t.TempDir(), "back.bin")
	mustCLI(t, env, "cp", "s3://s3bucket/dir/obj.bin", back, "--checkpoint")
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Fatal("the download differs")
	}
	dir := t.TempDir()
	for _, name := range []string{"a", "b/c", "b/d/e"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mustCLI(t, env, "cp", "-r", dir, "s3://s3bucket/tree/")
	if out := mustCLI(t, env, "sync", dir, "s3://s3bucket/tree/"); strings.Contains(out, "upload") {
		t.Errorf("a sync of what cp -r sent uploaded again: %q", out)
	}
	if out := mustCLI(t, env, "rm", "-r", "--force", "s3://s3bucket/tree/"); !strings.Contains(out, "removed s3://s3bucket/tree/b/d/e") {
		t.Errorf("rm -r %q", out)
	}
	if _, errOut, code := cli(t, env, "cp", "s3://s3bucket/dir/obj.bin", "oss://other/x"); code != exitUsage || !strings.Contains(errOut, "not both") {
		t.Errorf("mixed schemes: exit %d, %q", code, errOut)
	}
	if _, errOut, code := cli(t, env, "ls", "--dialect", "gcs", "s3://s3bucket"); code != exitUsage || !strings.Contains(errOut, "--dialect") {
		t.Errorf("a bad dialect: exit %d, %q", code, errOut)
	}
}

func TestS3Embedded(t *testing.T) {
	env := append(embeddedEnv(t), "AWS_ACCESS_KEY_ID=", "AWS_ENDPOINT_URL=", "AWS_ENDPOINT_URL_S3=")
	s3RoundTrip(t, env)
	// The same store in the OSS dialect holds the same object.
	if out := mustCLI(t, env, "stat", "oss://s3bucket/dir/obj.bin"); !strings.Contains(out, "crc64:") {
		t.Errorf("stat in OSS %q", out)
	}
}

func TestS3Serve(t *testing.T) {
	p := startServe(t, []string{"OSS_ACCESS_KEY_ID=AKIDcli", "OSS_ACCESS_KEY_SECRET=cli-secret", "OSS_REGION=us-east-1"}, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--region", "us-east-1")
	env := []string{"AWS_ACCESS_KEY_ID=AKIDcli", "AWS_SECRET_ACCESS_KEY=cli-secret", "AWS_ENDPOINT_URL=" + p.url, "AWS_REGION=", "OSS_ENDPOINT="}
	mustCLI(t, env, "mb", "s3://s3bucket")
	s3RoundTrip(t, env)
	if _, errOut, code := cli(t, append(env, "AWS_SECRET_ACCESS_KEY=wrong"), "ls", "s3://s3bucket"); code != exitFailure || !strings.Contains(errOut, "SignatureDoesNotMatch") {
		t.Errorf("a wrong secret: exit %d, %q", code, errOut)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}
