package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

func testObjects(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	meta := Metadata{
		ContentType: "text/plain", CacheControl: "no-cache", ContentDisposition: "inline",
		ContentEncoding: "identity", Expires: "Wed, 21 Oct 2015 07:28:00 GMT", ACL: "public-read",
		StorageClass: "IA", User: map[string]string{"owner": "me", "n": "1"},
	}
	got, err := e.s.PutObject(ctx, "b", "hi", strings.NewReader("hi oss"), 6, meta, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Spec §6.7 vector.
	want := Object{
		Bucket: "b", Key: "hi", Size: 6, ETag: "B22E0DC370A7F7067FACF5F75D7FA385",
		ContentMD5: "si4Nw3Cn9wZ/rPX3XX+jhQ==", CRC64: 8707180448768400016, Type: TypeNormal,
		Modified: got.Modified, Meta: meta,
	}
	wantObject(t, "PutObject", got, want)
	head, err := e.s.HeadObject(ctx, "b", "hi")
	if err != nil {
		t.Fatal(err)
	}
	wantObject(t, "HeadObject", head, want)
	if got.Modified.IsZero() {
		t.Error("Modified is zero")
	}
	wantSame(t, "read", e.read("hi"), []byte("hi oss"))

	if err := e.s.SetObjectACL(ctx, "b", "hi", "", "private"); err != nil {
		t.Fatal(err)
	}
	want.Meta.ACL = "private"
	head, _ = e.s.HeadObject(ctx, "b", "hi")
	wantObject(t, "after SetObjectACL", head, want)
	wantSame(t, "read after SetObjectACL", e.read("hi"), []byte("hi oss"))
	wantErr(t, "SetObjectACL of a missing key", e.s.SetObjectACL(ctx, "b", "nope", "", "private"), ErrNoSuchKey)
	wantErr(t, "SetObjectACL in a missing bucket", e.s.SetObjectACL(ctx, "nob", "hi", "", "private"), ErrNoSuchBucket)

	empty := e.put("empty", nil)
	if empty.ETag != "D41D8CD98F00B204E9800998ECF8427E" || empty.ContentMD5 != "1B2M2Y8AsgTpgAmY7PhCfg==" || empty.CRC64 != 0 {
		t.Errorf("empty object = %+v", empty)
	}
	wantSame(t, "read empty", e.read("empty"), nil)
	e.wantBlobs(2)
	testOverwrite(t, e)
}

// testOverwrite replaces and deletes the objects testObjects made.
func testOverwrite(t *testing.T, e *env) {
	ctx := t.Context()
	e.put("hi", []byte("second"))
	wantSame(t, "overwritten", e.read("hi"), []byte("second"))
	e.wantBlobs(2) // the first version's blob is gone

	_, err := e.s.PutObject(ctx, "b", "hi", strings.NewReader("third"), 5, Metadata{}, PutOptions{ForbidOverwrite: true})
	wantErr(t, "forbid overwrite", err, ErrFileAlreadyExists)
	wantSame(t, "after forbidden overwrite", e.read("hi"), []byte("second"))
	if _, err := e.s.PutObject(ctx, "b", "new", strings.NewReader("x"), 1, Metadata{}, PutOptions{ForbidOverwrite: true}); err != nil {
		t.Errorf("forbid overwrite of a new key: %v", err)
	}
	e.wantBlobs(3)
	for _, k := range []string{"hi", "new", "empty"} {
		if err := e.s.DeleteObject(ctx, "b", k); err != nil {
			t.Fatal(err)
		}
	}
	e.wantBlobs(0)
	if err := e.s.DeleteObject(ctx, "b", "hi"); err != nil {
		t.Errorf("delete missing key: %v", err)
	}
	_, err = e.s.HeadObject(ctx, "b", "hi")
	wantErr(t, "HeadObject deleted", err, ErrNoSuchKey)
	_, _, err = e.s.OpenObject(ctx, "b", "hi")
	wantErr(t, "OpenObject deleted", err, ErrNoSuchKey)
}

// testDeleteObjects removes a batch of Normal and Multipart objects in one
// call, with a missing and a repeated key, and checks what stays.
func testDeleteObjects(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	for _, k := range []string{"a", "b", "c", "keep"} {
		e.put(k, []byte(k))
	}
	e.multipartObject("multi", []int{MinPartSize, 10})
	e.wantBlobs(6)
	if err := e.s.DeleteObjects(ctx, "b", nil); err != nil {
		t.Errorf("DeleteObjects of no keys: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	wantErr(t, "cancelled", e.s.DeleteObjects(cancelled, "b", []string{"a"}), context.Canceled)
	e.wantBlobs(6)
	if err := e.s.DeleteObjects(ctx, "b", []string{"a", "missing", "multi", "c", "a"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "c", "multi"} {
		_, err := e.s.HeadObject(ctx, "b", k)
		wantErr(t, "HeadObject "+k, err, ErrNoSuchKey)
	}
	wantSame(t, "kept b", e.read("b"), []byte("b"))
	wantSame(t, "kept keep", e.read("keep"), []byte("keep"))
	e.wantBlobs(2)
	res, err := e.s.ListObjects(ctx, "b", ListOptions{})
	if err != nil || len(res.Objects) != 2 {
		t.Errorf("ListObjects after DeleteObjects = %+v, %v", res, err)
	}
}

func wantObject(t *testing.T, what string, got, want Object) {
	t.Helper()
	same := got.Bucket == want.Bucket && got.Key == want.Key && got.Size == want.Size &&
		got.ETag == want.ETag && got.ContentMD5 == want.ContentMD5 && got.CRC64 == want.CRC64 &&
		got.Type == want.Type && got.Modified.Equal(want.Modified)
	gm, wm := got.Meta, want.Meta
	gu, wu := gm.User, wm.User
	gm.User, wm.User = nil, nil
	if !same || !reflect.DeepEqual(gm, wm) || !maps.Equal(gu, wu) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// cancelAfter cancels its context once n bytes were read and keeps
// producing data.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n -= len(p); c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

func testObjectBodies(t *testing.T, h harness) {
	e := newEnv(t, h)
	big := data(1, 3<<20+17)
	sum := md5.Sum(big)
	cases := []struct {
		name string
		r    func(ctx context.Context, cancel context.CancelFunc) io.Reader
		size int64
		md5  []byte
		err  error
		want []byte // stored content when err is nil
	}{
		{"big", readerOf(big), int64(len(big)), nil, nil, big},
		{"big with md5", readerOf(big), int64(len(big)), sum[:], nil, big},
		{"one byte reads", func(context.Context, context.CancelFunc) io.Reader {
			return iotest.OneByteReader(bytes.NewReader(big[:5000]))
		}, 5000, nil, nil, big[:5000]},
		{"longer body", readerOf(big), 1000, nil, nil, big[:1000]},
		{"bad md5", readerOf(big), int64(len(big)), make([]byte, 16), ErrBadDigest, nil},
		{"short body", readerOf(big[:100]), 101, nil, ErrIncompleteBody, nil},
		{"unexpected eof", func(context.Context, context.CancelFunc) io.Reader {
			return io.MultiReader(bytes.NewReader(big[:10]), iotest.ErrReader(io.ErrUnexpectedEOF))
		}, 100, nil, ErrIncompleteBody, nil},
		{"read error", func(context.Context, context.CancelFunc) io.Reader {
			return iotest.ErrReader(iotest.ErrTimeout)
		}, 100, nil, iotest.ErrTimeout, nil},
		{"negative size", readerOf(big), -2, nil, ErrInvalidArgument, nil},
		{"unknown size", readerOf(big), SizeUnknown, nil, nil, big},
		{"cancelled", func(_ context.Context, cancel context.CancelFunc) io.Reader {
			return &cancelAfter{n: 3 << 20, cancel: cancel}
		}, 64 << 20, nil, context.Canceled, nil},
	}
	for _, tc := range cases {
		ctx, cancel := context.WithCancel(t.Context())
		_, err := e.s.PutObject(ctx, "b", tc.name, tc.r(ctx, cancel), tc.size, Metadata{}, PutOptions{ContentMD5: tc.md5})
		cancel()
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
			continue
		}
		if tc.err != nil {
			_, err := e.s.HeadObject(t.Context(), "b", tc.name)
			wantErr(t, tc.name+": HeadObject", err, ErrNoSuchKey)
			continue
		}
		wantSame(t, tc.name, e.read(tc.name), tc.want)
	}
	e.wantBlobs(5)
	for _, key := range []string{"", strings.Repeat("k", MaxKeyLen+1)} {
		_, err := e.s.PutObject(t.Context(), "b", key, strings.NewReader("x"), 1, Metadata{}, PutOptions{})
		wantErr(t, fmt.Sprintf("key of %d bytes", len(key)), err, ErrInvalidArgument)
	}
	rest := bytes.NewReader(big)
	if _, err := e.s.PutObject(t.Context(), "b", "prefix", rest, 10, Metadata{}, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if rest.Len() != len(big)-10 {
		t.Errorf("PutObject of 10 bytes read %d", len(big)-rest.Len())
	}
}

func readerOf(p []byte) func(context.Context, context.CancelFunc) io.Reader {
	return func(context.Context, context.CancelFunc) io.Reader { return bytes.NewReader(p) }
}

// multipartObject stores a multipart object of uneven parts as key and
// returns its content.
func (e *env) multipartObject(key string, sizes []int) []byte {
	e.t.Helper()
	u := e.create(key)
	var all []byte
	for i, n := range sizes {
		p := data(uint64(100+i), n)
		e.part(u, i+1, p)
		all = append(all, p...)
	}
	if _, err := e.s.CompleteUpload(e.t.Context(), "b", key, u.ID, nil, "", PutOptions{}); err != nil {
		e.t.Fatal(err)
	}
	return all
}

func testSeek(t *testing.T, h harness) {
	e := newEnv(t, h)
	sizes := []int{MinPartSize + 1, MinPartSize + 7777, MinPartSize, 2*MinPartSize + 3, 999}
	want := e.multipartObject("mp", sizes)
	obj, r, err := e.s.OpenObject(t.Context(), "b", "mp")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if obj.Size != int64(len(want)) || obj.CRC64 != crc64.Checksum(want) || obj.Type != TypeMultipart {
		t.Errorf("object = %+v, want size %d crc %d", obj, len(want), crc64.Checksum(want))
	}
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != int64(len(want)) {
		t.Errorf("Seek(0, End) = %d, %v", end, err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var bounds []int // offsets around part boundaries
	off := 0
	for _, n := range sizes {
		off += n
		bounds = append(bounds, off-1, off, off+1)
	}
	for i := range 300 {
		start := rng.IntN(len(want) + 1)
		if i < len(bounds) {
			start = min(bounds[i], len(want))
		}
		n := rng.IntN(3 * MinPartSize)
		end := min(start+n, len(want))
		if pos, err := r.Seek(int64(start), io.SeekStart); err != nil || pos != int64(start) {
			t.Fatalf("Seek(%d) = %d, %v", start, pos, err)
		}
		got := make([]byte, end-start)
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("read [%d,%d): %v", start, end, err)
		}
		if !bytes.Equal(got, want[start:end]) {
			t.Fatalf("read [%d,%d) differs", start, end)
		}
	}
	seekEdges(t, r, want)
	_, r2, _ := e.s.OpenObject(t.Context(), "b", "mp")
	defer r2.Close()
	all, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(r2, 3000)))
	if err != nil || !bytes.Equal(all, want[:3000]) {
		t.Errorf("one-byte reads: %v", err)
	}
	_, r3, _ := e.s.OpenObject(t.Context(), "b", "mp")
	defer r3.Close()
	if err := iotest.TestReader(r3, want); err != nil {
		t.Error(err)
	}
	serveRange(t, e, want)
}

func seekEdges(t *testing.T, r ReadSeekCloser, want []byte) {
	r.Seek(10, io.SeekStart)
	if pos, err := r.Seek(-4, io.SeekCurrent); err != nil || pos != 6 {
		t.Errorf("Seek(-4, Current) = %d, %v", pos, err)
	}
	if pos, err := r.Seek(-5, io.SeekEnd); err != nil || pos != int64(len(want)-5) {
		t.Errorf("Seek(-5, End) = %d, %v", pos, err)
	}
	if tail, err := io.ReadAll(r); err != nil || !bytes.Equal(tail, want[len(want)-5:]) {
		t.Errorf("tail = %q, %v", tail, err)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek(-1) succeeded")
	}
	if _, err := r.Seek(int64(len(want))+10, io.SeekStart); err != nil {
		t.Errorf("Seek past end: %v", err)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read past end = %d, %v", n, err)
	}
}

// serveRange checks http.ServeContent serves ranges of the object.
func serveRange(t *testing.T, e *env, want []byte) {
	_, r, err := e.s.OpenObject(t.Context(), "b", "mp")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	req := httptest.NewRequest("GET", "/b/mp", nil)
	req.Header.Set("Range", "bytes=102390-102420")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "mp", time.Time{}, r)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), want[102390:102421]) {
		t.Errorf("ServeContent range: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
}
