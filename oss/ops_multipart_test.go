package oss_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// upload initiates an upload of key and uploads data in parts of
// partSize bytes (the last may be shorter), each from an
// io.SectionReader over one reader, as UploadFile does with a file.
func (e *opsEnv) upload(key string, data []byte, partSize int, meta oss.ObjectMetadata) (string, []oss.Part) {
	e.t.Helper()
	ctx := e.t.Context()
	init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: key, ObjectMetadata: meta})
	if err != nil {
		e.t.Fatalf("InitiateMultipartUpload %q: %v", key, err)
	}
	id := init.UploadID
	src := bytes.NewReader(data)
	var parts []oss.Part
	for n, off := 1, 0; off < len(data); n, off = n+1, off+partSize {
		size := min(partSize, len(data)-off)
		res, err := e.Client.UploadPart(ctx, &oss.UploadPartRequest{
			Bucket: e.Bucket, Key: key, UploadID: id, PartNumber: n,
			Body: io.NewSectionReader(src, int64(off), int64(size)), Size: int64(size),
		})
		if err != nil {
			e.t.Fatalf("UploadPart %d: %v", n, err)
		}
		part := data[off : off+size]
		if want := fmt.Sprintf(`"%X"`, md5.Sum(part)); res.ETag != want || res.RequestID == "" {
			e.t.Errorf("part %d: ETag %s, request id %q; want ETag %s", n, res.ETag, res.RequestID, want)
		}
		checkCRC64(e.t, fmt.Sprintf("part %d", n), res.CRC64, part)
		parts = append(parts, oss.Part{PartNumber: n, Size: int64(size), ETag: res.ETag, CRC64: res.CRC64, HasCRC64: res.HasCRC64})
	}
	return id, parts
}

func uploaded(parts []oss.Part) []oss.UploadedPart {
	out := make([]oss.UploadedPart, 0, len(parts))
	for _, p := range parts {
		out = append(out, oss.UploadedPart{PartNumber: p.PartNumber, ETag: p.ETag})
	}
	return out
}

func TestMultipartUpload(t *testing.T) {
	const partSize = oss.MinPartSize
	data := pattern(9, 4*partSize+1234) // five parts, the last short
	meta := oss.ObjectMetadata{ContentType: "video/mp4", User: map[string]string{"origin": "multipart"}}
	forEachCombo(t, func(t *testing.T, c combo) {
		for _, all := range []bool{false, true} {
			t.Run(fmt.Sprintf("CompleteAll=%v", all), func(t *testing.T) {
				e := c.start(t, osstest.Options{})
				ctx := t.Context()
				id, parts := e.upload("big/object.mp4", data, partSize, meta)

				// ListParts pages through all five, two at a time.
				var listed []oss.Part
				var sizes []int
				for page, err := range e.Client.ListParts(ctx, &oss.ListPartsRequest{Bucket: e.Bucket, Key: "big/object.mp4", UploadID: id, PageSize: 2}) {
					if err != nil {
						t.Fatal(err)
					}
					if page.RequestID == "" {
						t.Error("ListParts page without a request id")
					}
					sizes = append(sizes, len(page.Parts))
					for _, p := range page.Parts {
						if p.LastModified.IsZero() {
							t.Errorf("part %d: no LastModified", p.PartNumber)
						}
						p.LastModified = time.Time{} // upload() has none to compare
						listed = append(listed, p)
					}
				}
				if !reflect.DeepEqual(listed, parts) || !slices.Equal(sizes, []int{2, 2, 1}) {
					t.Errorf("ListParts: pages of %v:\n got %+v\nwant %+v", sizes, listed, parts)
				}

				req := &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "big/object.mp4", UploadID: id}
				if all {
					req.CompleteAll = true
				} else {
					req.Parts = uploaded(parts)
				}
				res, err := e.Client.CompleteMultipartUpload(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				checkCRC64(t, "CompleteMultipartUpload", res.CRC64, data)
				combined := parts[0].CRC64
				for _, p := range parts[1:] {
					combined = crc64.Combine(combined, p.CRC64, p.Size)
				}
				if res.CRC64 != combined {
					t.Errorf("object CRC %d, combined part CRCs %d", res.CRC64, combined)
				}
				if !strings.HasSuffix(res.ETag, `-5"`) || res.RequestID == "" || !strings.HasSuffix(res.Location, "/big/object.mp4") {
					t.Errorf("result %+v: want a quoted ETag ending -5, a request id, a location", res)
				}

				got, info := e.get("big/object.mp4")
				if !bytes.Equal(got, data) {
					t.Errorf("object differs from the parts uploaded")
				}
				want := meta
				want.StorageClass = "Standard"
				if info.ObjectType != "Multipart" || info.ETag != res.ETag || !reflect.DeepEqual(info.ObjectMetadata, want) {
					t.Errorf("object %+v: want type Multipart, ETag %s, metadata %+v", info, res.ETag, want)
				}

				// The upload is gone.
				serviceError(t, firstErr(e.Client.ListParts(ctx, &oss.ListPartsRequest{Bucket: e.Bucket, Key: "big/object.mp4", UploadID: id})), oss.ErrNoSuchUpload)
				_, err = e.Client.CompleteMultipartUpload(ctx, req)
				serviceError(t, err, oss.ErrNoSuchUpload)
			})
		}
	})
}

func TestMultipartAbort(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		id, parts := e.upload("aborted", pattern(1, 1000), 600, oss.ObjectMetadata{})
		if _, err := e.Client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: e.Bucket, Key: "aborted", UploadID: id}); err != nil {
			t.Fatal(err)
		}
		serviceError(t, errOf(e.Client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: e.Bucket, Key: "aborted", UploadID: id})), oss.ErrNoSuchUpload)
		_, err := e.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: e.Bucket, Key: "aborted", UploadID: id, PartNumber: 3, Body: strings.NewReader("x"), Size: 1})
		serviceError(t, err, oss.ErrNoSuchUpload)
		_, err = e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "aborted", UploadID: id, Parts: uploaded(parts)})
		serviceError(t, err, oss.ErrNoSuchUpload)
		serviceError(t, firstErr(e.Client.ListParts(ctx, &oss.ListPartsRequest{Bucket: e.Bucket, Key: "aborted", UploadID: id})), oss.ErrNoSuchUpload)
		_, err = e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "aborted"})
		serviceError(t, err, oss.ErrNoSuchKey)
		serviceError(t, errOf(e.Client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: e.Bucket, Key: "aborted", UploadID: "no-such-upload"})), oss.ErrNoSuchUpload)
	})
}

func TestMultipartCompleteErrors(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		// Parts 1 and 2 are 1000 bytes: too small unless last.
		id, parts := e.upload("k", pattern(2, 2000), 1000, oss.ObjectMetadata{})
		up := uploaded(parts)
		tests := []struct {
			name  string
			parts []oss.UploadedPart
			want  *oss.ServiceError
		}{
			{"wrong ETag", []oss.UploadedPart{{PartNumber: 1, ETag: `"00000000000000000000000000000000"`}}, oss.ErrInvalidPart},
			{"part never uploaded", []oss.UploadedPart{{PartNumber: 7, ETag: up[0].ETag}}, oss.ErrInvalidPart},
			{"ETag of another part", []oss.UploadedPart{{PartNumber: 1, ETag: up[1].ETag}}, oss.ErrInvalidPart},
			{"descending", []oss.UploadedPart{up[1], up[0]}, oss.ErrInvalidPartOrder},
			{"small part not last", up, oss.ErrEntityTooSmall},
		}
		for _, tc := range tests {
			_, err := e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "k", UploadID: id, Parts: tc.parts})
			serviceError(t, err, tc.want)
		}
		// A failed Complete leaves the upload as it was: one small part
		// alone is fine.
		if _, err := e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "k", UploadID: id, Parts: up[1:]}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.get("k"); !bytes.Equal(got, pattern(2, 2000)[1000:]) {
			t.Errorf("object is not part 2 alone")
		}

		// ForbidOverwrite, now that k exists.
		id, parts = e.upload("k", []byte("again"), 10, oss.ObjectMetadata{})
		_, err := e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "k", UploadID: id, Parts: uploaded(parts), ForbidOverwrite: true})
		serviceError(t, err, oss.ErrFileAlreadyExists)
		_, err = e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: "k", ForbidOverwrite: true})
		serviceError(t, err, oss.ErrFileAlreadyExists)
	})
}

func TestListMultipartUploads(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		type upload struct{ key, id string }
		var all []upload
		for _, key := range []string{"up/a", "up/a", "up/a", "up/b", "up/c/1", "up/c/2", "zz", "ü"} {
			init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			id := init.UploadID
			all = append(all, upload{key, id})
		}
		list := func(req oss.ListMultipartUploadsRequest) (got []upload, prefixes []string, pages int) {
			req.Bucket = e.Bucket
			for page, err := range e.Client.ListMultipartUploads(ctx, &req) {
				if err != nil {
					t.Fatalf("%+v: %v", req, err)
				}
				pages++
				if n := len(page.Uploads) + len(page.CommonPrefixes); req.PageSize > 0 && n > req.PageSize {
					t.Errorf("%+v: page of %d", req, n)
				}
				for _, u := range page.Uploads {
					if u.Initiated.IsZero() {
						t.Errorf("upload %s: no Initiated", u.UploadID)
					}
					got = append(got, upload{u.Key, u.UploadID})
				}
				prefixes = append(prefixes, page.CommonPrefixes...)
			}
			return got, prefixes, pages
		}
		for _, size := range []int{0, 1, 2, 3} {
			got, prefixes, pages := list(oss.ListMultipartUploadsRequest{PageSize: size})
			wantPages := 1
			if size > 0 {
				wantPages = (len(all) + size - 1) / size
			}
			if !slices.Equal(got, all) || len(prefixes) != 0 || pages != wantPages {
				t.Errorf("page size %d: %d pages of %v (prefixes %q), want %d of %v", size, pages, got, prefixes, wantPages, all)
			}
			got, prefixes, _ = list(oss.ListMultipartUploadsRequest{Prefix: "up/", Delimiter: "/", PageSize: size})
			if !slices.Equal(got, all[:4]) || !slices.Equal(prefixes, []string{"up/c/"}) {
				t.Errorf("page size %d, delimiter: %v and %q, want %v and [up/c/]", size, got, prefixes, all[:4])
			}
		}
		if got, _, _ := list(oss.ListMultipartUploadsRequest{Prefix: "up/c/"}); !slices.Equal(got, all[4:6]) {
			t.Errorf("prefix up/c/: %v, want %v", got, all[4:6])
		}
	})
}
