package oss_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

func TestIntegrationCopyObject(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		const other = "other-bucket"
		e.createBucket(&oss.PutBucketRequest{Bucket: other})
		data := pattern(7, 300<<10)
		src := e.put("dir/source file+1", data, oss.ObjectMetadata{ContentType: "image/png", User: map[string]string{"a": "1"}})

		for _, dst := range []struct{ bucket, key string }{{e.Bucket, "copy/same"}, {other, "copy/cross"}} {
			res, err := e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: dst.bucket, Key: dst.key, SourceBucket: e.Bucket, SourceKey: "dir/source file+1"})
			if err != nil {
				t.Fatalf("copy to %s/%s: %v", dst.bucket, dst.key, err)
			}
			if res.ETag != src.ETag || res.HasCRC64 && res.CRC64 != crc64.Checksum(data) {
				t.Errorf("copy to %s: ETag %s CRC-64 %d, want %s and %d", dst.bucket, res.ETag, res.CRC64, src.ETag, crc64.Checksum(data))
			}
			g, err := e.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: dst.bucket, Key: dst.key})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(g.Body) // checks the CRC-64
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if md5Hex(got) != md5Hex(data) || g.Object.CRC64 != crc64.Checksum(data) {
				t.Errorf("copy in %s reads %d bytes, MD5 %s; want %d bytes, MD5 %s", dst.bucket, len(got), md5Hex(got), len(data), md5Hex(data))
			}
			if m := g.Object.ObjectMetadata; m.ContentType != "image/png" || m.User["a"] != "1" {
				t.Errorf("copy in %s has metadata %+v, want the source's", dst.bucket, m)
			}
		}

		_, err := e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "x", SourceKey: "missing"})
		serviceError(t, err, oss.ErrNoSuchKey)
		_, err = e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "x", SourceKey: "dir/source file+1",
			Conditions: oss.CopySourceConditions{IfMatch: `"0000"`}})
		serviceError(t, err, oss.ErrPreconditionFailed)
		_, err = e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "x", SourceKey: "dir/source file+1",
			Conditions: oss.CopySourceConditions{IfNoneMatch: src.ETag}})
		serviceError(t, err, oss.ErrNotModified)
		_, err = e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "copy/same", SourceKey: "dir/source file+1", ForbidOverwrite: true})
		serviceError(t, err, oss.ErrFileAlreadyExists)
	})
}

func TestIntegrationCopyReplaceMetadata(t *testing.T) {
	e := combo{}.start(t, osstest.Options{})
	ctx := t.Context()
	data := []byte("the bytes stay")
	e.put("k", data, oss.ObjectMetadata{ContentType: "text/plain", CacheControl: "no-cache", User: map[string]string{"old": "1"}})
	_, err := e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "k", SourceKey: "k",
		MetadataDirective: oss.MetadataDirectiveReplace,
		ObjectMetadata:    oss.ObjectMetadata{ContentType: "application/json", User: map[string]string{"new": "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, info := e.get("k")
	if !bytes.Equal(got, data) {
		t.Errorf("object reads %q after the metadata change, want %q", got, data)
	}
	m := info.ObjectMetadata
	if m.ContentType != "application/json" || m.CacheControl != "" || !maps.Equal(m.User, map[string]string{"new": "2"}) {
		t.Errorf("metadata %+v, want only the replacement's", m)
	}
}

// TestIntegrationUploadPartCopy assembles an object from a range of
// another that cuts across two of its parts and from an uploaded part.
func TestIntegrationUploadPartCopy(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		source := pattern(3, 3*oss.MinPartSize)
		id, parts := e.upload("source", source, oss.MinPartSize, oss.ObjectMetadata{})
		if _, err := e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "source", UploadID: id, Parts: uploaded(parts)}); err != nil {
			t.Fatal(err)
		}

		init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: "dest"})
		if err != nil {
			t.Fatal(err)
		}
		off, n := int64(oss.MinPartSize/2), int64(oss.MinPartSize+1000) // from the middle of part 1 into part 2
		pc, err := e.Client.UploadPartCopy(ctx, &oss.UploadPartCopyRequest{Bucket: e.Bucket, Key: "dest", UploadID: init.UploadID, PartNumber: 1,
			SourceKey: "source", Range: &oss.ByteRange{Offset: off, Length: n}})
		if err != nil {
			t.Fatal(err)
		}
		if pc.HasCRC64 && pc.CRC64 != crc64.Checksum(source[off:off+n]) {
			t.Errorf("part copy CRC-64 %d, want that of the range", pc.CRC64)
		}
		tail := []byte("and a tail uploaded")
		up, err := e.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: e.Bucket, Key: "dest", UploadID: init.UploadID, PartNumber: 2, Body: bytes.NewReader(tail), Size: int64(len(tail))})
		if err != nil {
			t.Fatal(err)
		}
		done, err := e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "dest", UploadID: init.UploadID,
			Parts: []oss.UploadedPart{{PartNumber: 1, ETag: pc.ETag}, {PartNumber: 2, ETag: up.ETag}}})
		if err != nil {
			t.Fatal(err)
		}
		want := append(slices.Clone(source[off:off+n]), tail...)
		got, _ := e.get("dest")
		if !bytes.Equal(got, want) || done.HasCRC64 && done.CRC64 != crc64.Checksum(want) {
			t.Errorf("assembled %d bytes (MD5 %s), want %d (MD5 %s)", len(got), md5Hex(got), len(want), md5Hex(want))
		}
	})
}

func sortedTags(tags []oss.Tag) []oss.Tag {
	return slices.SortedFunc(slices.Values(tags), func(a, b oss.Tag) int { return strings.Compare(a.Key, b.Key) })
}

func TestIntegrationObjectTagging(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		initial := []oss.Tag{{Key: "project", Value: "a b&c"}, {Key: "中文", Value: "值"}, {Key: "empty", Value: ""}}
		e.put("k", []byte("x"), oss.ObjectMetadata{Tags: initial})
		tagsOf := func(key string) []oss.Tag {
			t.Helper()
			res, err := e.Client.GetObjectTagging(ctx, &oss.GetObjectTaggingRequest{Bucket: e.Bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			return sortedTags(res.Tags)
		}
		if got := tagsOf("k"); !slices.Equal(got, sortedTags(initial)) {
			t.Errorf("tags from PutObject %v, want %v", got, initial)
		}
		head, err := e.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: e.Bucket, Key: "k"})
		if err != nil || head.Object.TagCount != len(initial) {
			t.Errorf("HeadObject tag count %v (err %v), want %d", head, err, len(initial))
		}

		replaced := []oss.Tag{{Key: "k1", Value: "v1"}, {Key: "k2", Value: "v2"}}
		if _, err := e.Client.PutObjectTagging(ctx, &oss.PutObjectTaggingRequest{Bucket: e.Bucket, Key: "k", Tags: replaced}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("k"); !slices.Equal(got, replaced) {
			t.Errorf("tags %v after PutObjectTagging, want %v", got, replaced)
		}

		// Copies take the source's tags, or the request's with Replace.
		if _, err := e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "copied", SourceKey: "k"}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("copied"); !slices.Equal(got, replaced) {
			t.Errorf("copy has tags %v, want the source's %v", got, replaced)
		}
		fresh := []oss.Tag{{Key: "only", Value: "this"}}
		if _, err := e.Client.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: e.Bucket, Key: "retagged", SourceKey: "k",
			TaggingDirective: oss.TaggingDirectiveReplace, ObjectMetadata: oss.ObjectMetadata{Tags: fresh}}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("retagged"); !slices.Equal(got, fresh) {
			t.Errorf("copy with Replace has tags %v, want %v", got, fresh)
		}

		if _, err := e.Client.DeleteObjectTagging(ctx, &oss.DeleteObjectTaggingRequest{Bucket: e.Bucket, Key: "k"}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("k"); len(got) != 0 {
			t.Errorf("tags %v after DeleteObjectTagging, want none", got)
		}
		_, err = e.Client.GetObjectTagging(ctx, &oss.GetObjectTaggingRequest{Bucket: e.Bucket, Key: "missing"})
		serviceError(t, err, oss.ErrNoSuchKey)
	})
}

func TestIntegrationAppendObject(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		chunks := [][]byte{pattern(1, 1000), pattern(2, 70000), []byte("the end")}
		var pos int64
		var crc *uint64
		for i, chunk := range chunks {
			req := &oss.AppendObjectRequest{Bucket: e.Bucket, Key: "log", Position: pos, InitCRC64: crc, Body: bytes.NewReader(chunk), Size: int64(len(chunk))}
			if i == 0 {
				req.ObjectMetadata = oss.ObjectMetadata{ContentType: "text/plain", User: map[string]string{"kind": "log"}}
			}
			res, err := e.Client.AppendObject(ctx, req)
			if err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			pos += int64(len(chunk))
			if res.NextPosition != pos || !res.HasCRC64 {
				t.Fatalf("append %d: result %+v, want next position %d and a CRC-64", i, *res, pos)
			}
			crc = &res.CRC64
		}
		want := bytes.Join(chunks, nil)
		got, info := e.get("log")
		if !bytes.Equal(got, want) || *crc != crc64.Checksum(want) {
			t.Errorf("object of %d bytes (MD5 %s), want %d (MD5 %s)", len(got), md5Hex(got), len(want), md5Hex(want))
		}
		if info.ObjectType != oss.ObjectTypeAppendable || info.ObjectMetadata.ContentType != "text/plain" || info.ObjectMetadata.User["kind"] != "log" {
			t.Errorf("object info %+v", info)
		}

		_, err := e.Client.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: e.Bucket, Key: "log", Position: 5, Body: strings.NewReader("x"), Size: 1})
		serviceError(t, err, oss.ErrPositionNotEqualToLength)
		e.put("normal", []byte("n"), oss.ObjectMetadata{})
		_, err = e.Client.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: e.Bucket, Key: "normal", Position: 1, Body: strings.NewReader("x"), Size: 1})
		serviceError(t, err, oss.ErrObjectNotAppendable)
	})
}

// dropArmedAppendAnswer is an osstest Middleware that, once armed, lets
// the server apply the next append and then cuts the connection instead
// of answering it; it disarms itself.
func dropArmedAppendAnswer(armed *atomic.Bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !r.URL.Query().Has("append") || !armed.CompareAndSwap(true, false) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				w.WriteHeader(http.StatusTeapot) // fails the test: the append to drop was refused
				return
			}
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		})
	}
}

func TestIntegrationAppendLostAnswer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		known bool
	}{{"initial CRC-64 known", true}, {"initial CRC-64 unknown", false}} {
		t.Run(tc.name, func(t *testing.T) {
			var armed atomic.Bool
			e := combo{}.start(t, osstest.Options{Middleware: dropArmedAppendAnswer(&armed)})
			ctx := t.Context()
			first := []byte("first append\n")
			res, err := e.Client.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: e.Bucket, Key: "log", Body: bytes.NewReader(first), Size: int64(len(first))})
			if err != nil {
				t.Fatal(err)
			}
			second := []byte("second append, whose answer is lost\n")
			req := &oss.AppendObjectRequest{Bucket: e.Bucket, Key: "log", Position: res.NextPosition, Body: bytes.NewReader(second), Size: int64(len(second))}
			if tc.known {
				req.InitCRC64 = &res.CRC64
			}
			armed.Store(true)
			got, err := e.Client.AppendObject(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			want := append(slices.Clone(first), second...)
			if armed.Load() || !got.Recovered || got.NextPosition != int64(len(want)) || got.CRC64 != crc64.Checksum(want) {
				t.Errorf("still armed %v, result %+v; want a recovered append to %d bytes", armed.Load(), *got, len(want))
			}
			data, _ := e.get("log")
			if !bytes.Equal(data, want) {
				t.Errorf("object %q, want %q (the second append applied once)", data, want)
			}
		})
	}
}

func TestIntegrationSymlink(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		ctx := t.Context()
		data := pattern(9, 5000)
		e.put("dir/target file+1", data, oss.ObjectMetadata{ContentType: "text/csv"})
		if _, err := e.Client.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: e.Bucket, Key: "link", Target: "dir/target file+1",
			ObjectMetadata: oss.ObjectMetadata{User: map[string]string{"m": "v"}}}); err != nil {
			t.Fatal(err)
		}
		res, err := e.Client.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: e.Bucket, Key: "link"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Target != "dir/target file+1" {
			t.Errorf("GetSymlink %+v", *res)
		}
		got, info := e.get("link")
		if !bytes.Equal(got, data) {
			t.Errorf("read through the symlink %d bytes (MD5 %s), want the target's %d (MD5 %s)", len(got), md5Hex(got), len(data), md5Hex(data))
		}
		if info.ObjectType != oss.ObjectTypeSymlink || info.ObjectMetadata.User["m"] != "v" {
			t.Errorf("read through the symlink: type %q, user metadata %v; want Symlink and the link's own", info.ObjectType, info.ObjectMetadata.User)
		}

		_, err = e.Client.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: e.Bucket, Key: "dir/target file+1"})
		serviceError(t, err, oss.ErrNotSymlink)
		if _, err := e.Client.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: e.Bucket, Key: "dangling", Target: "missing"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: e.Bucket, Key: "dangling"})
		serviceError(t, err, oss.ErrSymlinkTargetNotExist)
	})
}

// TestIntegrationUploadFileTags checks that tags in ObjectMetadata reach
// the object through UploadFile, by one PutObject and by a multipart
// upload alike.
func TestIntegrationUploadFileTags(t *testing.T) {
	e := combo{}.start(t, osstest.Options{})
	tags := []oss.Tag{{Key: "from", Value: "upload file"}, {Key: "n", Value: "1"}}
	for _, size := range []int{1000, 3 * oss.MinPartSize} {
		path := t.TempDir() + "/f"
		if err := os.WriteFile(path, pattern(size, size), 0o600); err != nil {
			t.Fatal(err)
		}
		key := "up/" + strconv.Itoa(size)
		if _, err := e.Client.UploadFile(t.Context(), &oss.UploadFileRequest{Bucket: e.Bucket, Key: key, UploadFile: path,
			PartSize: oss.MinPartSize, ObjectMetadata: oss.ObjectMetadata{Tags: tags}}); err != nil {
			t.Fatal(err)
		}
		res, err := e.Client.GetObjectTagging(t.Context(), &oss.GetObjectTaggingRequest{Bucket: e.Bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		if got := sortedTags(res.Tags); !slices.Equal(got, tags) {
			t.Errorf("%d bytes: tags %v, want %v", size, got, tags)
		}
	}
}
