package interop

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const minPart = 100 << 10 // the smallest part OSS accepts but the last

// uploadParts uploads chunks as parts 1..n and returns them as Complete
// wants them.
func uploadParts(t *testing.T, c sdkClient, bucket, key, id string, chunks [][]byte) []part {
	t.Helper()
	var parts []part
	for i, chunk := range chunks {
		etag, err := c.UploadPart(t.Context(), bucket, key, id, i+1, chunk)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if want := `"` + md5Hex(chunk) + `"`; etag != want {
			t.Errorf("UploadPart %d: ETag %s, want %s", i+1, etag, want)
		}
		parts = append(parts, part{Number: i + 1, ETag: etag, Size: int64(len(chunk)), CRC64: crc64Of(chunk)})
	}
	return parts
}

// split cuts data into parts of size n.
func split(data []byte, n int) [][]byte {
	var chunks [][]byte
	for len(data) > n {
		chunks = append(chunks, data[:n])
		data = data[n:]
	}
	return append(chunks, data)
}

func TestMultipartUpload(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "multipart", "中文/多段 上传+1%.bin"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		opts := putOptions{ContentType: "application/x-multi", Meta: map[string]string{"origin": "multipart test"}, StorageClass: "IA"}
		id, err := c.Initiate(ctx, bucket, key, opts)
		if err != nil {
			t.Fatalf("InitiateMultipartUpload: %v", err)
		}
		data := randomData(5*minPart+1234, 7)
		chunks := split(data, minPart)
		// Upload part 2 with wrong data first: uploading it again replaces it.
		if _, err := c.UploadPart(ctx, bucket, key, id, 2, randomData(minPart, 99)); err != nil {
			t.Fatal(err)
		}
		parts := uploadParts(t, c, bucket, key, id, chunks)

		var listed []part
		for marker, pages := 0, 0; ; pages++ {
			page, err := c.ListParts(ctx, bucket, key, id, marker, 2)
			if err != nil {
				t.Fatalf("ListParts marker %d: %v", marker, err)
			}
			listed = append(listed, page.Parts...)
			if !page.Truncated {
				if pages != 2 {
					t.Errorf("ListParts: %d pages of 2 for 6 parts, want 3", pages+1)
				}
				break
			}
			marker = page.Next
		}
		for i := range listed {
			if v.sdk == 1 {
				listed[i].CRC64 = parts[i].CRC64 // the v1 SDK does not expose HashCrc64ecma
			}
		}
		if !slices.Equal(listed, parts) {
			t.Errorf("ListParts\n got %+v\nwant %+v", listed, parts)
		}

		etag, err := c.Complete(ctx, bucket, key, id, parts)
		if err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `-6"`) {
			t.Errorf("CompleteMultipartUpload ETag = %s, want \"<hex>-6\"", etag)
		}
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "completed object", got, data)
		meta, err := c.Head(ctx, bucket, key)
		want := objectMeta{Size: int64(len(data)), ETag: etag, ContentType: opts.ContentType, CRC64: crc64Of(data),
			Type: "Multipart", StorageClass: "IA", Meta: opts.Meta}
		if err != nil || !sameMeta(meta, want) {
			t.Errorf("HeadObject = %+v, %v; want %+v", meta, err, want)
		}

		// A completed upload is gone.
		_, err = c.UploadPart(ctx, bucket, key, id, 1, chunks[0])
		wantCode(t, "UploadPart after Complete", err, http.StatusNotFound, "NoSuchUpload")
		_, err = c.ListParts(ctx, bucket, key, id, 0, 0)
		wantCode(t, "ListParts after Complete", err, http.StatusNotFound, "NoSuchUpload")
		_, err = c.Complete(ctx, bucket, key, id, parts)
		wantCode(t, "Complete after Complete", err, http.StatusNotFound, "NoSuchUpload")
		wantCode(t, "Abort after Complete", c.Abort(ctx, bucket, key, id), http.StatusNotFound, "NoSuchUpload")
	})
}

func TestMultipartErrors(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "mperrors", "object"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		_, err := c.Initiate(ctx, "no-such-bucket", key, putOptions{})
		wantCode(t, "Initiate in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
		_, err = c.UploadPart(ctx, bucket, key, "0123456789ABCDEF0123456789ABCDEF", 1, []byte("x"))
		wantCode(t, "UploadPart to an unknown upload", err, http.StatusNotFound, "NoSuchUpload")

		id, err := c.Initiate(ctx, bucket, key, putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data := randomData(3*minPart+10, 3)
		parts := uploadParts(t, c, bucket, key, id, split(data, minPart))
		small, err := c.UploadPart(ctx, bucket, key, id, 9, []byte("tiny"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			parts  []part
			status int
			code   string
		}{
			{"wrong ETag", []part{parts[0], {Number: 2, ETag: `"0123456789ABCDEF0123456789ABCDEF"`}}, http.StatusBadRequest, "InvalidPart"},
			{"part never uploaded", []part{parts[0], {Number: 5, ETag: parts[1].ETag}}, http.StatusBadRequest, "InvalidPart"},
			// Both SDKs sort the list, so only a repeated number is out of order.
			{"a part twice", []part{parts[0], parts[0], parts[1]}, http.StatusBadRequest, "InvalidPartOrder"},
			{"small part not last", []part{parts[0], parts[3], {Number: 9, ETag: small}}, http.StatusBadRequest, "EntityTooSmall"},
		} {
			_, err := c.Complete(ctx, bucket, key, id, tc.parts)
			wantCode(t, "Complete with "+tc.name, err, tc.status, tc.code)
		}
		if ok, err := c.ObjectExists(ctx, bucket, key); ok || err != nil {
			t.Fatalf("IsObjectExist after failed Completes = %v, %v", ok, err)
		}

		// Gaps in the numbering are fine: parts 1 and 3 make the object.
		etag, err := c.Complete(ctx, bucket, key, id, []part{parts[0], parts[2]})
		if err != nil || !strings.HasSuffix(etag, `-2"`) {
			t.Fatalf("Complete parts 1 and 3 = %s, %v", etag, err)
		}
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object of parts 1 and 3", got, append(slices.Clone(data[:minPart]), data[2*minPart:3*minPart]...))
	})
}

func TestListMultipartUploadsAndAbort(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "uploads"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		keys := []string{"a/1", "a/2", "a/2", "b+1", "b 2", "中/3", "a/2"}
		var want []upload
		for _, k := range keys {
			id, err := c.Initiate(ctx, bucket, k, putOptions{})
			if err != nil {
				t.Fatalf("Initiate %q: %v", k, err)
			}
			want = append(want, upload{Key: k, UploadID: id})
		}
		all := listUploads(t, c, bucket, "", 2)
		if !sameUploads(all, want) {
			t.Errorf("ListMultipartUploads, 2 a page\n got %+v\nwant %+v", all, want)
		}
		wantA := slices.DeleteFunc(slices.Clone(want), func(u upload) bool { return !strings.HasPrefix(u.Key, "a/") })
		if got := listUploads(t, c, bucket, "a/", 1000); !sameUploads(got, wantA) {
			t.Errorf("ListMultipartUploads prefix a/\n got %+v\nwant %+v", got, wantA)
		}
		for _, u := range want {
			if _, err := c.UploadPart(ctx, bucket, u.Key, u.UploadID, 1, []byte(u.UploadID)); err != nil {
				t.Fatal(err)
			}
			if err := c.Abort(ctx, bucket, u.Key, u.UploadID); err != nil {
				t.Fatalf("AbortMultipartUpload %+v: %v", u, err)
			}
			_, err := c.ListParts(ctx, bucket, u.Key, u.UploadID, 0, 0)
			wantCode(t, "ListParts after Abort", err, http.StatusNotFound, "NoSuchUpload")
		}
		if got := listUploads(t, c, bucket, "", 1000); len(got) != 0 {
			t.Errorf("ListMultipartUploads after aborting all = %+v", got)
		}
		if err := c.DeleteBucket(ctx, bucket); err != nil {
			t.Errorf("DeleteBucket after aborting all uploads: %v", err)
		}
	})
}

func listUploads(t *testing.T, c sdkClient, bucket, prefix string, max int) []upload {
	t.Helper()
	var all []upload
	q := uploadsQuery{Prefix: prefix, Max: max}
	for range 100 {
		page, err := c.ListUploads(t.Context(), bucket, q)
		if err != nil {
			t.Fatalf("ListMultipartUploads %+v: %v", q, err)
		}
		if len(page.Uploads) > max {
			t.Fatalf("ListMultipartUploads %+v: %d uploads", q, len(page.Uploads))
		}
		all = append(all, page.Uploads...)
		if !page.Truncated {
			return all
		}
		q.KeyMarker, q.UploadIDMarker = page.NextKey, page.NextUpload
	}
	t.Fatal("ListMultipartUploads: more than 100 pages")
	return nil
}

// sameUploads compares listings regardless of the order of uploads of the
// same key, but checks that keys come in order.
func sameUploads(got, want []upload) bool {
	if !slices.IsSortedFunc(got, func(a, b upload) int { return strings.Compare(a.Key, b.Key) }) {
		return false
	}
	key := func(u upload) string { return fmt.Sprintf("%s\x00%s", u.Key, u.UploadID) }
	g, w := make([]string, 0, len(got)), make([]string, 0, len(want))
	for _, u := range got {
		g = append(g, key(u))
	}
	for _, u := range want {
		w = append(w, key(u))
	}
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestCompleteAll(t *testing.T) {
	// Only the v2 SDK can send x-oss-complete-all.
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ca := c.(*v2Client)
		ctx := t.Context()
		const bucket, key = "complete-all", "all/parts.bin"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		id, err := c.Initiate(ctx, bucket, key, putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data := randomData(4*minPart+77, 11)
		chunks := split(data, minPart)
		// Upload out of order: complete-all sorts by part number.
		for _, i := range []int{3, 0, 4, 2, 1} {
			if _, err := c.UploadPart(ctx, bucket, key, id, i+1, chunks[i]); err != nil {
				t.Fatal(err)
			}
		}
		etag, crc, err := ca.CompleteAll(ctx, bucket, key, id)
		if err != nil {
			t.Fatalf("CompleteMultipartUpload with x-oss-complete-all: %v", err)
		}
		if !strings.HasSuffix(etag, `-5"`) || crc != crc64Of(data) {
			t.Errorf("complete-all: ETag %s, CRC-64 %s; want \"…-5\", %s", etag, crc, crc64Of(data))
		}
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object completed with complete-all", got, data)
	})
}
