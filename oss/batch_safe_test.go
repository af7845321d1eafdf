package oss_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// TestTreeDownloadRefusesPlantedLinks plants symbolic links in the
// destination (a folder link and a link named as a file's partial file)
// that point outside it; the objects under them fail, nothing is written
// outside, and the other objects are downloaded.
func TestTreeDownloadRefusesPlantedLinks(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	for _, key := range []string{"p/ok", "p/sub/passwd", "p/file"} {
		if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: bytes.NewReader([]byte("evil")), Size: 4}); err != nil {
			t.Fatal(err)
		}
	}
	download := map[string]func(dst string) (*oss.BatchResult, error){
		"DownloadTree": func(dst string) (*oss.BatchResult, error) {
			return env.Client.DownloadTree(t.Context(), &oss.DownloadTreeRequest{Bucket: env.Bucket, Prefix: "p/", Dir: dst})
		},
		"SyncTree": func(dst string) (*oss.BatchResult, error) {
			return env.Client.SyncTree(t.Context(), &oss.SyncTreeRequest{Bucket: env.Bucket, Prefix: "p/", Dir: dst, Direction: oss.SyncDownload})
		},
	}
	for name, run := range download {
		t.Run(name, func(t *testing.T) {
			outside, dst := t.TempDir(), t.TempDir()
			victim := filepath.Join(outside, "victim")
			if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(dst, "sub")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, filepath.Join(dst, "file.ossup-partial")); err != nil {
				t.Fatal(err)
			}
			res, err := run(dst)
			if _, ok := errors.AsType[*oss.BatchError](err); !ok || res.Done != 1 || len(res.Failed) != 2 {
				t.Fatalf("got %+v, %v; want ok done and two failures", res, err)
			}
			if _, err := os.Lstat(filepath.Join(outside, "passwd")); err == nil {
				t.Error("passwd was written through the folder link")
			}
			if got, _ := os.ReadFile(victim); string(got) != "keep" {
				t.Errorf("victim holds %q: written through the partial file's link", got)
			}
			if got, _ := os.ReadFile(filepath.Join(dst, "ok")); string(got) != "evil" {
				t.Errorf("ok holds %q", got)
			}
		})
	}
}
