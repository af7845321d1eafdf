package oss_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func listKeys(t *testing.T, env *osstest.Env, prefix string) []string {
	t.Helper()
	var keys []string
	for page, err := range env.Client.ListObjectsV2(t.Context(), &oss.ListObjectsV2Request{Bucket: env.Bucket, Prefix: prefix}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			keys = append(keys, strings.TrimPrefix(o.Key, prefix))
		}
	}
	return keys
}

func TestSyncTreeUpload(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	src, files := makeTree(t, 40, 300<<10)
	cache := filepath.Join(t.TempDir(), "crc")
	req := &oss.SyncTreeRequest{Dir: src, Bucket: env.Bucket, Prefix: "s/", CRCCacheFile: cache, Threshold: 200 << 10}
	sync := func() *oss.BatchResult {
		t.Helper()
		res, err := env.Client.SyncTree(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sync(); res.Done != int64(len(files)) {
		t.Fatalf("first sync: %+v", res)
	}
	if res := sync(); res.Done != 0 || res.Skipped != int64(len(files)) {
		t.Fatalf("second sync: %+v", res)
	}
	// Same size, other bytes: only the CRC-64 tells.
	p := filepath.Join(src, "big", "huge file.bin")
	data, _ := os.ReadFile(p)
	data[100] ^= 1
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := sync(); res.Done != 1 || res.Skipped != int64(len(files)-1) {
		t.Fatalf("after a change: %+v", res)
	}
	for _, k := range []string{"s/extra", "s/a/extra 2", "other/kept"} {
		if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: k, Body: bytes.NewReader(nil)}); err != nil {
			t.Fatal(err)
		}
	}
	req.Delete, req.DryRun = true, true
	if res := sync(); res.Deleted != 2 || res.Done != 0 {
		t.Fatalf("dry run: %+v", res)
	}
	if got := listKeys(t, env, "s/"); len(got) != len(files)+2 {
		t.Fatalf("the dry run changed the bucket: %d keys", len(got))
	}
	req.DryRun = false
	if res := sync(); res.Deleted != 2 {
		t.Fatalf("delete: %+v", res)
	}
	got, want := listKeys(t, env, "s/"), slices.Clone(files)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after --delete the prefix holds %d keys, want %d", len(got), len(want))
	}
	if keys := listKeys(t, env, "other/"); len(keys) != 1 {
		t.Error("a key outside the prefix was deleted")
	}
}

func TestSyncTreeDownload(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	src, files := makeTree(t, 40, 300<<10)
	if _, err := env.Client.UploadTree(t.Context(), &oss.UploadTreeRequest{Dir: src, Bucket: env.Bucket, Prefix: "d/"}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "new")
	req := &oss.SyncTreeRequest{Direction: oss.SyncDownload, Dir: dst, Bucket: env.Bucket, Prefix: "d/", DryRun: true}
	if res, err := env.Client.SyncTree(t.Context(), req); err != nil || res.Done != int64(len(files)) {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Fatal("the dry run made the folder")
	}
	req.DryRun = false
	if res, err := env.Client.SyncTree(t.Context(), req); err != nil || res.Done != int64(len(files)) {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	sameTree(t, src, dst, files)
	extra := filepath.Join(dst, "a", "local only")
	if err := os.WriteFile(extra, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	req.Delete = true
	if res, err := env.Client.SyncTree(t.Context(), req); err != nil || res.Deleted != 1 || res.Done != 0 || res.Skipped != int64(len(files)) {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	if _, err := os.Stat(extra); err == nil {
		t.Error("the extra file is still there")
	}
}
