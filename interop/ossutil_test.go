package interop

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// ossutilEnv names the ossutil binary TestOssutil runs. The test skips
// when it is unset; .ci/run builds ossutil 1.7.19 and sets it.
const ossutilEnv = "OSSUP_OSSUTIL"

// ossutil runs Alibaba Cloud's ossutil command-line tool against the
// fixture's server, path-style, signing with Signature V1 or V4.
type ossutil struct {
	bin, dir  string // dir: the working directory, for its logs and checkpoints
	url       string
	signature int
}

// run runs ossutil with args and returns what it printed; it fails the
// test if ossutil fails.
func (o ossutil) run(t *testing.T, args ...string) []byte {
	t.Helper()
	args = append(args,
		"-e", o.url, "-i", accessKeyID, "-k", accessKeySecret,
		"-c", filepath.Join(o.dir, "ossutilconfig"), "--force-path-style",
		"--sign-version", "v"+strconv.Itoa(o.signature), "--region", region,
	)
	if args[0] == "cp" {
		args = append(args, "--retry-times", "1") // a retry would hide a failure
	}
	cmd := exec.CommandContext(t.Context(), o.bin, args...)
	cmd.Dir = o.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ossutil %s: %v\n%s", args[0], err, out)
	}
	t.Logf("ossutil %s:\n%s", args[0], bytes.TrimSpace(out))
	return out
}

// ossutilBinary returns the ossutil binary named by OSSUP_OSSUTIL, or
// skips the test.
func ossutilBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(ossutilEnv)
	if bin == "" {
		t.Skipf("%s is not set: it names an ossutil 1.7.19 binary (.ci/run builds one)", ossutilEnv)
	}
	return bin
}

// TestOssutil drives ossutil (1.7.19, which is built on the v1 SDK) against
// the server: object-to-object copy, set-meta and set-acl, a multipart
// upload of a file and a multipart copy of the result. Every effect is
// checked through the v2 SDK.
func TestOssutil(t *testing.T) {
	bin := ossutilBinary(t)
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "ossutil"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		u := ossutil{bin: bin, dir: t.TempDir(), url: f.url, signature: v.signature}
		oss := func(key string) string { return "oss://" + bucket + "/" + key }

		small := randomData(64<<10, 71)
		meta := map[string]string{"origin": "sdk"}
		if _, err := c.Put(ctx, bucket, "k", small, putOptions{ContentType: "application/x-small", Meta: meta}); err != nil {
			t.Fatal(err)
		}
		// ossutil copies with x-oss-metadata-directive REPLACE, so the copy
		// has only the metadata --meta gives it.
		u.run(t, "cp", oss("k"), oss("k2"))
		wantObject(t, c, bucket, "k2", small, "application/octet-stream", nil, map[string]string{})
		u.run(t, "cp", oss("k"), oss("k3"), "--meta", "Content-Type:text/csv#X-Oss-Meta-Copied:by ossutil")
		wantObject(t, c, bucket, "k3", small, "text/csv", map[string]string{"copied": "by ossutil"}, map[string]string{})

		u.run(t, "set-meta", oss("k"), "Content-Type:text/plain", "--update", "-f")
		wantObject(t, c, bucket, "k", small, "text/plain", meta, map[string]string{})

		u.run(t, "set-acl", oss("k"), "public-read", "-f")
		if acl, err := c.ObjectACL(ctx, bucket, "k"); err != nil || acl != "public-read" {
			t.Errorf("object ACL after set-acl: %q, %v", acl, err)
		}

		// 30 MB in 4 MiB parts, then copied in 4 MiB parts.
		big := randomData(30_000_000, 72)
		path := filepath.Join(u.dir, "big.bin")
		if err := os.WriteFile(path, big, 0o600); err != nil {
			t.Fatal(err)
		}
		const partSize, threshold = "4194304", "8388608"
		f.faults.resetCounts()
		u.run(t, "cp", path, oss("big"), "--part-size", partSize, "--bigfile-threshold", threshold)
		if _, n := f.faults.partsReceived(); n != 8 {
			t.Errorf("ossutil cp of a file: %d UploadPart requests, want 8", n)
		}
		wantObject(t, c, bucket, "big", big, "application/octet-stream", nil, map[string]string{})

		f.faults.resetCounts()
		u.run(t, "cp", oss("big"), oss("big2"), "--part-size", partSize, "--bigfile-threshold", threshold)
		if _, n := f.faults.partsReceived(); n != 8 {
			t.Errorf("ossutil cp between objects: %d UploadPartCopy requests, want 8", n)
		}
		wantObject(t, c, bucket, "big2", big, "application/octet-stream", nil, map[string]string{})
		for _, key := range []string{"big", "big2"} {
			h, err := c.Head(ctx, bucket, key)
			if err != nil {
				t.Fatal(err)
			}
			if h.Type != "Multipart" {
				t.Errorf("%s: x-oss-object-type %q, want Multipart", key, h.Type)
			}
		}

		down := filepath.Join(u.dir, "down.bin")
		u.run(t, "cp", oss("big2"), down, "--part-size", partSize, "--bigfile-threshold", threshold)
		got, err := os.ReadFile(down)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "ossutil cp to a file", got, big)
	})
}

// TestOssutilObjectKinds makes a symlink, an appendable object and object
// tags with ossutil, and checks each through the v2 SDK.
func TestOssutilObjectKinds(t *testing.T) {
	bin := ossutilBinary(t)
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "ossutil-kinds"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		u := ossutil{bin: bin, dir: t.TempDir(), url: f.url, signature: v.signature}
		oss := func(key string) string { return "oss://" + bucket + "/" + key }

		data := randomData(10<<10, 73)
		if _, err := c.Put(ctx, bucket, "target", data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		u.run(t, "create-symlink", oss("link"), oss("target"))
		if got, err := getSymlink(ctx, c, bucket, "link"); err != nil || got != "target" {
			t.Errorf("GetSymlink after create-symlink: %q, %v", got, err)
		}
		if out := u.run(t, "read-symlink", oss("link")); !bytes.Contains(out, []byte("target")) {
			t.Errorf("read-symlink does not name the target:\n%s", out)
		}
		got, err := c.Get(ctx, bucket, "link")
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "GetObject through the link ossutil made", got, data)

		var appended []byte
		for i, chunk := range [][]byte{randomData(3000, 74), randomData(150<<10, 75)} {
			path := filepath.Join(u.dir, "chunk"+strconv.Itoa(i))
			if err := os.WriteFile(path, chunk, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"appendfromfile", path, oss("appended")}
			if i == 0 {
				args = append(args, "--meta", "X-Oss-Meta-Writer:ossutil")
			}
			u.run(t, args...)
			appended = append(appended, chunk...)
		}
		wantObject(t, c, bucket, "appended", appended, "application/octet-stream", map[string]string{"writer": "ossutil"}, map[string]string{})
		if h, err := c.Head(ctx, bucket, "appended"); err != nil || h.Type != "Appendable" {
			t.Errorf("HeadObject after appendfromfile: type %q, %v", h.Type, err)
		}

		u.run(t, "object-tagging", "--method", "put", oss("target"), "team#storage", "stage#interop test")
		wantTags(t, c, bucket, "target", map[string]string{"team": "storage", "stage": "interop test"})
		if out := u.run(t, "object-tagging", "--method", "get", oss("target")); !bytes.Contains(out, []byte("storage")) {
			t.Errorf("object-tagging --method get does not show the tags:\n%s", out)
		}
		u.run(t, "object-tagging", "--method", "delete", oss("target"))
		wantTags(t, c, bucket, "target", map[string]string{})
	})
}
