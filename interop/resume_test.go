package interop

import (
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestResumableUpload interrupts each SDK's own resumable uploader (part 6
// of 13 is denied once), then runs it again on the same checkpoint: the second
// run must finish the same upload, re-sending fewer parts than the file
// has, and the object must read back byte for byte.
func TestResumableUpload(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const (
			bucket   = "resume"
			key      = "backups/2024 full+1.tar"
			partSize = 256 << 10
			// Part 6, not 4: the v1 SDK checkpoints a part only once its
			// result reaches the main loop, which returns on the first
			// error. With 3 routines and part 4 denied, as few as zero parts
			// may be recorded and the resume would re-send everything.
			failPart = 6
		)
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(3<<20+12345, 42)
		total := (len(data) + partSize - 1) / partSize
		path := filepath.Join(t.TempDir(), "backup.tar")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cpDir := t.TempDir()

		f.faults.failPartOnce(failPart)
		err := c.UploadFile(ctx, bucket, key, path, partSize, cpDir)
		wantCode(t, "UploadFile with a part denied", err, http.StatusForbidden, "AccessDenied")
		f.faults.settle(t)
		first, firstRequests := f.faults.partsReceived()
		if n := dirEntries(t, cpDir); n != 1 {
			t.Fatalf("after the failed upload the checkpoint directory holds %d files, want 1", n)
		}
		if ok, err := c.ObjectExists(ctx, bucket, key); ok || err != nil {
			t.Fatalf("IsObjectExist after the failed upload = %v, %v", ok, err)
		}

		f.faults.resetCounts()
		if err := c.UploadFile(ctx, bucket, key, path, partSize, cpDir); err != nil {
			t.Fatalf("resumed UploadFile: %v", err)
		}
		second, secondRequests := f.faults.partsReceived()
		t.Logf("%s: %d parts of %d KiB: first run: %d UploadPart requests, parts %v; resumed run: %d requests, parts %v",
			v.name, total, partSize>>10, firstRequests, slices.Sorted(maps.Keys(first)), secondRequests, slices.Sorted(maps.Keys(second)))
		if secondRequests >= total {
			t.Errorf("resumed run sent %d UploadPart requests for %d parts: nothing was resumed", secondRequests, total)
		}
		if second[failPart] != 1 {
			t.Errorf("resumed run sent part %d %d times, want once", failPart, second[failPart])
		}
		for n := 1; n <= total; n++ {
			if first[n]+second[n] == 0 {
				t.Errorf("part %d was never uploaded", n)
			}
		}

		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "resumed upload", got, data)
		meta, err := c.Head(ctx, bucket, key)
		if err != nil || meta.CRC64 != crc64Of(data) || meta.Size != int64(len(data)) || meta.Type != "Multipart" {
			t.Errorf("HeadObject = %+v, %v; want size %d, CRC-64 %s, type Multipart", meta, err, len(data), crc64Of(data))
		}
		if n := dirEntries(t, cpDir); n != 0 {
			t.Errorf("after success the checkpoint directory holds %d files, want 0", n)
		}
		if ups := listUploads(t, c, bucket, "", 1000); len(ups) != 0 {
			t.Errorf("uploads left behind: %+v", ups)
		}
	})
}

// TestResumableDownload interrupts each SDK's own checkpointed downloader
// (the ranged GET of the 7th of 11 parts is denied once), then resumes it.
func TestResumableDownload(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const (
			bucket   = "download"
			key      = "media/movie 1+2.mp4"
			partSize = 200 << 10
		)
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(2<<20+777, 5)
		if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		total := (len(data) + partSize - 1) / partSize
		path := filepath.Join(t.TempDir(), "movie.mp4")
		cpDir := t.TempDir()

		f.faults.failRangeOnce(6 * partSize)
		err := c.DownloadFile(ctx, bucket, key, path, partSize, cpDir)
		wantCode(t, "DownloadFile with a range denied", err, http.StatusForbidden, "AccessDenied")
		f.faults.settle(t)
		firstRanges := f.faults.rangedGets()
		f.faults.resetCounts()
		if err := c.DownloadFile(ctx, bucket, key, path, partSize, cpDir); err != nil {
			t.Fatalf("resumed DownloadFile: %v", err)
		}
		secondRanges := f.faults.rangedGets()
		t.Logf("%s: %d ranges of %d KiB: first run fetched %d, resumed run %d", v.name, total, partSize>>10, firstRanges, secondRanges)
		if secondRanges >= total {
			t.Errorf("resumed download fetched %d ranges of %d: nothing was resumed", secondRanges, total)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "downloaded file", got, data)
		if n := dirEntries(t, cpDir); n != 0 {
			t.Errorf("after success the checkpoint directory holds %d files, want 0", n)
		}
	})
}

func dirEntries(t *testing.T, dir string) int {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
