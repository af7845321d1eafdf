package store

import (
	"bytes"
	"crypto/md5"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

// TestInline checks where bodies go around InlineMax: at or below it into
// the object's record (no blob file), above it into a blob; that each
// reads back whole, with its ETag and CRC-64, after the store is closed
// and opened again; and that replacing or deleting an inline object
// leaves no file behind.
func TestInline(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, Options{})
	e := &env{t: t, h: diskHarness(Options{}), s: s}
	if _, err := s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	blobs := func() int { return countFiles(t, filepath.Join(dir, blobsDir)) }
	sizes := []int{0, 1, 4096, InlineMax - 1, InlineMax, InlineMax + 1, 3 * InlineMax}
	bodies := map[string][]byte{}
	wantFiles := 0
	for i, n := range sizes {
		key := "k" + string(rune('a'+i))
		body := data(uint64(i), n)
		o := e.put(key, body)
		sum := md5.Sum(body)
		if o.ETag != upperHex(sum[:]) || o.CRC64 != crc64.Checksum(body) || o.Size != int64(n) {
			t.Errorf("%d bytes: put returned %+v", n, o)
		}
		if n > InlineMax {
			wantFiles++
		}
		if got := blobs(); got != wantFiles {
			t.Fatalf("after a put of %d bytes: %d blob files, want %d", n, got, wantFiles)
		}
		bodies[key] = body
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDisk(t, dir, Options{})
	e.s = s
	for key, body := range bodies {
		wantSame(t, key, e.read(key), body)
	}

	// A store that keeps nothing inline still reads what was kept inline.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDisk(t, dir, blobOnly)
	e.s = s
	for key, body := range bodies {
		wantSame(t, key+" (inline off)", e.read(key), body)
	}

	// Replacing a blob object by an inline one frees the blob; deleting
	// every object leaves no file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	e.s = openDisk(t, dir, Options{})
	for key := range bodies {
		e.put(key, []byte("small"))
	}
	if got := blobs(); got != 0 {
		t.Errorf("after small objects replaced every one: %d blob files", got)
	}
	for key := range bodies {
		wantSame(t, key+" replaced", e.read(key), []byte("small"))
		if err := e.s.DeleteObject(t.Context(), "b", key); err != nil {
			t.Fatal(err)
		}
	}
	if got := blobs(); got != 0 {
		t.Errorf("after deletes: %d blob files", got)
	}
}

// TestInlineLifecycle checks that the operations that rewrite an object's
// record (ACL, tags, storage class, copy, copy onto itself) keep an inline
// object's content, and that copies of it, whole or by range into a part,
// stay readable after the source is deleted.
func TestInlineLifecycle(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, diskHarness(Options{}))
	s := e.s.(*Disk)
	body := data(uint64(7), 20<<10)
	e.put("src", body)
	if err := s.SetObjectACL(ctx, "b", "src", "", "public-read"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetObjectTags(ctx, "b", "src", "", map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionObjects(ctx, "b", []string{"src"}, func(Object) string { return "IA" }); err != nil {
		t.Fatal(err)
	}
	wantSame(t, "src after ACL, tags and class", e.read("src"), body)
	if _, err := s.CopyObject(ctx, "b", "src", "b", "copy", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CopyObject(ctx, "b", "src", "b", "src", CopyOptions{Meta: func(Object) (Metadata, error) {
		return Metadata{ContentType: "text/x-new"}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	// Parts copied from the inline source, whole and by range, each the
	// one part of an upload of its own (a part under MinPartSize must be
	// the last).
	copies := []struct {
		key    string
		off, n int64
		want   []byte
		upload Upload
		part   Part
	}{{key: "whole", off: 0, n: -1, want: body}, {key: "range", off: 100, n: 1000, want: body[100:1100]}}
	for i := range copies {
		c := &copies[i]
		c.upload = e.create(c.key)
		p, err := s.CopyPart(ctx, "b", c.key, c.upload.ID, 1, "b", "src", "", c.off, c.n, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(c.want)
		if p.ETag != upperHex(sum[:]) || p.CRC64 != crc64.Checksum(c.want) || p.Size != int64(len(c.want)) {
			t.Errorf("%s: copied part = %+v", c.key, p)
		}
		c.part = p
	}
	if _, err := s.CopyPart(ctx, "b", "whole", copies[0].upload.ID, 2, "b", "src", "", 100, int64(len(body)), nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("CopyPart past the end of an inline source: %v", err)
	}
	if err := s.DeleteObject(ctx, "b", "src"); err != nil {
		t.Fatal(err)
	}
	wantSame(t, "copy after the source's delete", e.read("copy"), body)
	for _, c := range copies {
		if _, err := s.CompleteUpload(ctx, "b", c.key, c.upload.ID, []CompletePart{{Number: 1, ETag: c.part.ETag}}, "", PutOptions{}); err != nil {
			t.Fatal(err)
		}
		wantSame(t, c.key+" from a copied part", e.read(c.key), c.want)
	}
	o, err := s.HeadObject(ctx, "b", "copy")
	if err != nil || o.Meta.Tags["k"] != "v" || o.Meta.StorageClass != "IA" {
		t.Errorf("copy's metadata = %+v, %v", o.Meta, err)
	}
}

// TestInlineBadBodies checks that a short body and a wrong Content-MD5
// store nothing at inline sizes, and that a reader's error that comes
// with the last bytes fails the put.
func TestInlineBadBodies(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, diskHarness(Options{}))
	body := data(uint64(3), 1000)
	if _, err := e.s.PutObject(ctx, "b", "short", bytes.NewReader(body), 1001, Metadata{}, PutOptions{}); !errors.Is(err, ErrIncompleteBody) {
		t.Errorf("short body: %v", err)
	}
	bad := md5.Sum([]byte("other"))
	if _, err := e.s.PutObject(ctx, "b", "md5", bytes.NewReader(body), 1000, Metadata{}, PutOptions{ContentMD5: bad[:]}); !errors.Is(err, ErrBadDigest) {
		t.Errorf("wrong Content-MD5: %v", err)
	}
	boom := errors.New("digest mismatch")
	if _, err := e.s.PutObject(ctx, "b", "last", &lastReadFails{r: bytes.NewReader(body), err: boom}, 1000, Metadata{}, PutOptions{}); !errors.Is(err, boom) {
		t.Errorf("error with the last bytes: %v", err)
	}
	for _, key := range []string{"short", "md5", "last"} {
		if _, err := e.s.HeadObject(ctx, "b", key); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("%s: HeadObject after a failed put: %v", key, err)
		}
	}
}

// lastReadFails returns err together with the bytes of its last read.
type lastReadFails struct {
	r   *bytes.Reader
	err error
}

func (l *lastReadFails) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err == nil && l.r.Len() == 0 {
		return n, l.err
	}
	return n, err
}

// TestInlineRecords checks the inline record encoding: a round trip, and
// refusal of records whose content does not match their size or that
// carry blobs too.
func TestInlineRecords(t *testing.T) {
	rec := &objectRec{objectHdr: objectHdr{Size: 5, ETag: "E", Type: TypeNormal}, Inline: []byte("hello")}
	enc, err := encodeObject(rec)
	if err != nil {
		t.Fatal(err)
	}
	if enc[0] != objectInlineVersion {
		t.Errorf("inline record of version %d", enc[0])
	}
	got, err := decodeObject(enc, true)
	if err != nil || string(got.Inline) != "hello" || len(got.Blobs) != 0 {
		t.Errorf("round trip = %+v, %v", got, err)
	}
	if hdr, err := decodeObject(enc, false); err != nil || hdr.Size != 5 || hdr.Inline != nil {
		t.Errorf("header only = %+v, %v", hdr, err)
	}
	enc[len(enc)-1] = 'X'
	if got, _ := decodeObject(enc, true); string(got.Inline) != "hellX" {
		t.Errorf("decoded content shares nothing with the record: %q", got.Inline)
	}
	empty, err := encodeObject(&objectRec{objectHdr: objectHdr{Type: TypeNormal}, Inline: []byte{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeObject(empty, true); err != nil || got.Inline == nil || len(got.Inline) != 0 {
		t.Errorf("empty inline object = %+v, %v", got, err)
	}
	for name, bad := range map[string][]byte{
		"short content": enc[:len(enc)-1],
		"long content":  append(bytes.Clone(enc), 'x'),
	} {
		if _, err := decodeObject(bad, true); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	both := &objectRec{objectHdr: objectHdr{Size: 1}, Inline: []byte("x"), Blobs: []blobRef{{ID: newBlobID(), Size: 1}}}
	if _, err := encodeObject(both); err == nil {
		t.Error("a record with blobs and inline content encoded")
	}
	plain, err := encodeObject(&objectRec{objectHdr: objectHdr{Size: 1}, Blobs: []blobRef{{ID: newBlobID(), Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeObject(append(plain, 'x'), true); err == nil {
		t.Error("a blob record with trailing bytes decoded")
	}
	if _, err := Open(t.TempDir(), Options{InlineMax: InlineMax + 1}); err == nil {
		t.Error("Open with InlineMax above the limit succeeded")
	}
}
