package store

import (
	"bytes"
	"crypto/md5"
	"errors"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

func testCopyObject(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	if _, err := e.s.CreateBucket(ctx, Bucket{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	body := data(1, 3<<20)
	src := e.put("src", body)
	mp := e.multipartObject("mp", []int{MinPartSize, MinPartSize + 1, 77})
	e.wantBlobs(4)

	meta := Metadata{ContentType: "text/plain", User: map[string]string{"a": "1"}, Tags: map[string]string{"t": "v"}}
	got, err := e.s.CopyObject(ctx, "b", "src", "other", "copy", CopyOptions{
		Meta: func(o Object) (Metadata, error) { return meta, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != src.ETag || got.CRC64 != src.CRC64 || got.Size != src.Size || got.Type != TypeNormal {
		t.Errorf("copy = %+v, source %+v", got, src)
	}
	if got.Meta.ContentType != "text/plain" || got.Meta.Tags["t"] != "v" {
		t.Errorf("copy meta = %+v", got.Meta)
	}
	mcopy, err := e.s.CopyObject(ctx, "b", "mp", "b", "mp2", CopyOptions{})
	if err != nil || mcopy.Type != TypeMultipart {
		t.Fatalf("copy of multipart = %+v, %v", mcopy, err)
	}
	e.wantBlobs(4) // shared, not copied

	// Deleting the sources leaves the copies whole, and their blobs stay.
	if err := e.s.DeleteObjects(ctx, "b", []string{"src", "mp"}); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(4)
	_, r, err := e.s.OpenObject(ctx, "other", "copy")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r)
	r.Close()
	wantSame(t, "copy after source deleted", buf.Bytes(), body)
	wantSame(t, "multipart copy after source deleted", e.read("mp2"), mp)

	// The last reference frees the blobs.
	if err := e.s.DeleteObject(ctx, "other", "copy"); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(3)
	// Replacing an object by a copy of itself keeps its data.
	self, err := e.s.CopyObject(ctx, "b", "mp2", "b", "mp2", CopyOptions{
		Meta: func(o Object) (Metadata, error) { return Metadata{ContentType: "x/y"}, nil },
	})
	if err != nil || self.Meta.ContentType != "x/y" {
		t.Fatalf("self copy = %+v, %v", self, err)
	}
	e.wantBlobs(3)
	wantSame(t, "self copy", e.read("mp2"), mp)

	// Errors: missing source, failed check, forbidden overwrite.
	_, err = e.s.CopyObject(ctx, "b", "nope", "b", "x", CopyOptions{})
	wantErr(t, "missing source", err, ErrNoSuchKey)
	_, err = e.s.CopyObject(ctx, "nobucket", "mp2", "b", "x", CopyOptions{})
	wantErr(t, "missing source bucket", err, ErrNoSuchBucket)
	_, err = e.s.CopyObject(ctx, "b", "mp2", "nobucket", "x", CopyOptions{})
	wantErr(t, "missing destination bucket", err, ErrNoSuchBucket)
	errCond := errors.New("condition")
	_, err = e.s.CopyObject(ctx, "b", "mp2", "b", "x", CopyOptions{Check: func(Object) error { return errCond }})
	wantErr(t, "check", err, errCond)
	_, err = e.s.CopyObject(ctx, "b", "mp2", "b", "mp2", CopyOptions{ForbidOverwrite: true})
	wantErr(t, "forbid overwrite", err, ErrFileAlreadyExists)
	if _, err := e.s.HeadObject(ctx, "b", "x"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("a failed copy left x: %v", err)
	}
	e.wantBlobs(3)
}

func testCopyPart(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	sizes := []int{MinPartSize, MinPartSize + 5, MinPartSize, 1000}
	src := e.multipartObject("src", sizes)
	e.wantBlobs(4)
	u := e.create("dst")
	b0, b1 := int64(MinPartSize), int64(2*MinPartSize+5) // blob boundaries
	for _, tc := range []struct {
		n           int
		off, length int64
		newBlobs    int // edges copied
	}{
		{1, 0, b0, 0},                        // exactly the first blob: shared
		{2, 10, b1 + 30 - 10, 2},             // cuts the first and third blobs, shares the second
		{3, b0, b1 - b0, 0},                  // exactly the second blob
		{4, b1 + 7, 100, 1},                  // inside one blob
		{5, 0, -1, 0},                        // the whole source
		{6, int64(len(src)) - 1000, 1000, 0}, // the last blob
	} {
		var before int
		if h.blobs != nil {
			before = h.blobs(t, e.s)
		}
		p, err := e.s.CopyPart(ctx, "b", "dst", u.ID, tc.n, "b", "src", "", tc.off, tc.length, nil)
		if err != nil {
			t.Fatalf("part %d: %v", tc.n, err)
		}
		length := tc.length
		if length < 0 {
			length = int64(len(src)) - tc.off
		}
		want := src[tc.off : tc.off+length]
		if sum := md5.Sum(want); p.ETag != upperHex(sum[:]) || p.CRC64 != crc64.Checksum(want) || p.Size != length {
			t.Errorf("part %d = %+v, want %d bytes, md5 %X", tc.n, p, length, sum)
		}
		if h.blobs == nil {
			continue
		}
		if got := h.blobs(t, e.s) - before; got != tc.newBlobs {
			t.Errorf("part %d wrote %d blobs, want %d", tc.n, got, tc.newBlobs)
		}
	}
	// The source goes; the parts keep what they share.
	if err := e.s.DeleteObject(ctx, "b", "src"); err != nil {
		t.Fatal(err)
	}
	parts := []CompletePart{{Number: 2}, {Number: 5}}
	for i := range parts {
		ps, _, _ := e.s.ListParts(ctx, "b", "dst", u.ID, parts[i].Number-1, 1)
		parts[i].ETag = ps[0].ETag
	}
	obj, err := e.s.CompleteUpload(ctx, "b", "dst", u.ID, parts, "", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := append(bytes.Clone(src[10:b1+30]), src...)
	wantSame(t, "completed from copied parts", e.read("dst"), want)
	if obj.CRC64 != crc64.Checksum(want) {
		t.Errorf("object crc %d, want %d", obj.CRC64, crc64.Checksum(want))
	}
	// Parts 1, 3, 4 and 6 were dropped; part 2's edges and the four source
	// blobs (all used by part 5) remain.
	e.wantBlobs(6)
	if err := e.s.DeleteObject(ctx, "b", "dst"); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(0)

	// Errors.
	e.put("small", []byte("0123456789"))
	u2 := e.create("d2")
	for _, r := range [][2]int64{{-1, 2}, {0, 11}, {10, 1}, {5, 6}} {
		_, err := e.s.CopyPart(ctx, "b", "d2", u2.ID, 1, "b", "small", "", r[0], r[1], nil)
		wantErr(t, "bad range", err, ErrInvalidArgument)
	}
	_, err = e.s.CopyPart(ctx, "b", "d2", "NOPE", 1, "b", "small", "", 0, -1, nil)
	wantErr(t, "no upload", err, ErrNoSuchUpload)
	_, err = e.s.CopyPart(ctx, "b", "d2", u2.ID, 1, "b", "gone", "", 0, -1, nil)
	wantErr(t, "no source", err, ErrNoSuchKey)
	_, err = e.s.CopyPart(ctx, "b", "d2", u2.ID, 0, "b", "small", "", 0, -1, nil)
	wantErr(t, "part 0", err, ErrInvalidArgument)
	p, err := e.s.CopyPart(ctx, "b", "d2", u2.ID, 1, "b", "small", "", 3, 4, nil)
	if err != nil || p.Size != 4 {
		t.Fatalf("copy of 4 bytes = %+v, %v", p, err)
	}
	if err := e.s.AbortUpload(ctx, "b", "d2", u2.ID); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(1)
}

func testAppend(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	var all []byte
	var pos int64
	for i, n := range []int{0, 5, 1 << 20, 3} {
		p := data(uint64(30+i), n)
		meta := Metadata{ContentType: "first"}
		if i > 0 {
			meta.ContentType = "later"
		}
		o, err := e.s.AppendObject(ctx, "b", "log", pos, bytes.NewReader(p), int64(n), meta, PutOptions{})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		all = append(all, p...)
		pos += int64(n)
		if o.Size != pos || o.CRC64 != crc64.Checksum(all) || o.Type != TypeAppendable || o.Meta.ContentType != "first" {
			t.Errorf("after append %d: %+v", i, o)
		}
	}
	wantSame(t, "appended", e.read("log"), all)

	_, err := e.s.AppendObject(ctx, "b", "log", 2, bytes.NewReader(nil), 0, Metadata{}, PutOptions{})
	var pe *PositionError
	if !errors.As(err, &pe) || pe.Length != pos || !errors.Is(err, ErrPositionNotEqualToLength) {
		t.Errorf("wrong position: %v", err)
	}
	_, err = e.s.AppendObject(ctx, "b", "fresh", 4, bytes.NewReader(nil), 0, Metadata{}, PutOptions{})
	if !errors.As(err, &pe) || pe.Length != 0 {
		t.Errorf("append at 4 to a free key: %v", err)
	}
	e.put("normal", []byte("n"))
	_, err = e.s.AppendObject(ctx, "b", "normal", 1, bytes.NewReader([]byte("x")), 1, Metadata{}, PutOptions{})
	wantErr(t, "append to Normal", err, ErrObjectNotAppendable)
	_, err = e.s.AppendObject(ctx, "b", "log", pos, bytes.NewReader([]byte("abc")), 3, Metadata{}, PutOptions{ContentMD5: make([]byte, 16)})
	wantErr(t, "bad md5", err, ErrBadDigest)
	wantSame(t, "after failed appends", e.read("log"), all)
	e.wantBlobs(5)
	// A put replaces the appendable object and frees its blobs.
	e.put("log", []byte("x"))
	e.wantBlobs(2)
}

func testSymlinkAndTags(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	e.put("target", []byte("content"))
	l, err := e.s.PutSymlink(ctx, "b", "link", "target", Metadata{ContentType: "a/b"}, PutOptions{})
	if err != nil || l.Type != TypeSymlink || l.Target != "target" || l.Size != 0 {
		t.Fatalf("PutSymlink = %+v, %v", l, err)
	}
	got, err := e.s.HeadObject(ctx, "b", "link")
	if err != nil || got.Target != "target" || got.Meta.ContentType != "a/b" {
		t.Fatalf("HeadObject(link) = %+v, %v", got, err)
	}
	page, err := e.s.ListObjects(ctx, "b", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, o := range page.Objects {
		types[o.Key] = o.Type
	}
	if types["link"] != TypeSymlink || types["target"] != TypeNormal {
		t.Errorf("listed types %v", types)
	}
	_, err = e.s.PutSymlink(ctx, "b", "link", "other", Metadata{}, PutOptions{ForbidOverwrite: true})
	wantErr(t, "forbid overwrite", err, ErrFileAlreadyExists)
	e.wantBlobs(1)

	before, _ := e.s.HeadObject(ctx, "b", "target")
	time.Sleep(time.Millisecond) // a clock step, so a changed time would show
	if err := e.s.SetObjectTags(ctx, "b", "target", "", map[string]string{"k": "v", "e": ""}); err != nil {
		t.Fatal(err)
	}
	after, _ := e.s.HeadObject(ctx, "b", "target")
	if len(after.Meta.Tags) != 2 || after.Meta.Tags["k"] != "v" || !after.Modified.Equal(before.Modified) || after.ETag != before.ETag {
		t.Errorf("after SetObjectTags: %+v (before %+v)", after, before)
	}
	if err := e.s.SetObjectTags(ctx, "b", "target", "", nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.s.HeadObject(ctx, "b", "target"); after.Meta.Tags != nil {
		t.Errorf("tags after removal: %v", after.Meta.Tags)
	}
	wantErr(t, "tags of a missing key", e.s.SetObjectTags(ctx, "b", "nope", "", nil), ErrNoSuchKey)
}
