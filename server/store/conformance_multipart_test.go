package store

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

var uploadIDPattern = regexp.MustCompile(`^[0-9A-F]{32}$`)

func testUploads(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	meta := Metadata{ContentType: "image/png", User: map[string]string{"a": "b"}}
	u, err := e.s.CreateUpload(ctx, "b", "k", meta)
	if err != nil {
		t.Fatal(err)
	}
	if !uploadIDPattern.MatchString(u.ID) || u.Bucket != "b" || u.Key != "k" || u.Initiated.IsZero() {
		t.Errorf("CreateUpload = %+v", u)
	}
	got, err := e.s.GetUpload(ctx, "b", "k", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || !got.Initiated.Equal(u.Initiated) || got.Meta.ContentType != "image/png" || got.Meta.User["a"] != "b" {
		t.Errorf("GetUpload = %+v, want %+v", got, u)
	}
	u2 := e.create("k")
	if u2.ID == u.ID {
		t.Error("two uploads share an ID")
	}
	for _, tc := range []struct{ key, id string }{{"other", u.ID}, {"k", strings.Repeat("0", 32)}, {"k", ""}} {
		_, err := e.s.GetUpload(ctx, "b", tc.key, tc.id)
		wantErr(t, fmt.Sprintf("GetUpload(%q, %q)", tc.key, tc.id), err, ErrNoSuchUpload)
	}
	_, err = e.s.CreateUpload(ctx, "b", "", Metadata{})
	wantErr(t, "CreateUpload empty key", err, ErrInvalidArgument)
}

func testParts(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	u := e.create("k")
	body := data(7, 1000)
	sum := md5.Sum(body)
	p, err := e.s.PutPart(ctx, "b", "k", u.ID, 3, bytes.NewReader(body), 1000, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != 3 || p.Size != 1000 || p.ETag != fmt.Sprintf("%X", sum) || p.CRC64 != crc64.Checksum(body) || p.Modified.IsZero() {
		t.Errorf("PutPart = %+v", p)
	}
	e.wantBlobs(1)
	e.part(u, 3, []byte("replaced"))
	e.wantBlobs(1)
	parts, truncated, err := e.s.ListParts(ctx, "b", "k", u.ID, 0, 0)
	if err != nil || truncated || len(parts) != 1 || parts[0].Size != 8 || parts[0].ETag != etagOf([]byte("replaced")) {
		t.Errorf("ListParts after replace = %+v, %v, %v", parts, truncated, err)
	}
	cases := []struct {
		name string
		key  string
		id   string
		n    int
		body string
		size int64
		md5  []byte
		err  error
	}{
		{"number 0", "k", u.ID, 0, "x", 1, nil, ErrInvalidArgument},
		{"number 10001", "k", u.ID, MaxPartNumber + 1, "x", 1, nil, ErrInvalidArgument},
		{"no such upload", "k", strings.Repeat("A", 32), 1, "x", 1, nil, ErrNoSuchUpload},
		{"other key", "j", u.ID, 1, "x", 1, nil, ErrNoSuchUpload},
		{"bad digest", "k", u.ID, 1, "x", 1, sum[:], ErrBadDigest},
		{"short body", "k", u.ID, 1, "x", 2, nil, ErrIncompleteBody},
	}
	for _, tc := range cases {
		_, err := e.s.PutPart(ctx, "b", tc.key, tc.id, tc.n, strings.NewReader(tc.body), tc.size, tc.md5)
		wantErr(t, tc.name, err, tc.err)
	}
	e.part(u, MaxPartNumber, []byte("last"))
	e.wantBlobs(2)
	_, _, err = e.s.ListParts(ctx, "b", "k", strings.Repeat("A", 32), 0, 0)
	wantErr(t, "ListParts no such upload", err, ErrNoSuchUpload)
}

func etagOf(p []byte) string { return fmt.Sprintf("%X", md5.Sum(p)) }

func testComplete(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	// Spec §9 vector.
	u, err := e.s.CreateUpload(ctx, "b", "vec", Metadata{ContentType: "text/plain", ACL: "private", User: map[string]string{"x": "y"}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := bytes.Repeat([]byte("a"), 102400), []byte("b")
	pa, pb := e.part(u, 1, a), e.part(u, 2, b)
	if pa.ETag != "302D3A0C8E319EAA95B059B346DE1D1D" || pb.ETag != "92EB5FFEE6AE2FEC3AD71C777531578F" ||
		pa.CRC64 != 12696911168479852064 || pb.CRC64 != 8406248661285262385 {
		t.Errorf("parts = %+v, %+v", pa, pb)
	}
	list := []CompletePart{{Number: 1, ETag: `"` + strings.ToLower(pa.ETag) + `"`}, {Number: 2, ETag: pb.ETag}}
	obj, err := e.s.CompleteUpload(ctx, "b", "vec", u.ID, list, "public-read", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Object{Bucket: "b", Key: "vec", Size: 102401, ETag: "D61C888EBCF511ED359C889EA667B677-2",
		CRC64: 10317615437480851157, Type: TypeMultipart, Modified: obj.Modified,
		Meta: Metadata{ContentType: "text/plain", ACL: "public-read", User: map[string]string{"x": "y"}}}
	wantObject(t, "CompleteUpload", obj, want)
	head, _ := e.s.HeadObject(ctx, "b", "vec")
	wantObject(t, "HeadObject", head, want)
	wantSame(t, "read", e.read("vec"), append(a, b...))
	ended := map[string]error{}
	_, ended["GetUpload"] = e.s.GetUpload(ctx, "b", "vec", u.ID)
	_, _, ended["ListParts"] = e.s.ListParts(ctx, "b", "vec", u.ID, 0, 0)
	_, ended["PutPart"] = e.s.PutPart(ctx, "b", "vec", u.ID, 3, strings.NewReader("x"), 1, nil)
	_, ended["CompleteUpload"] = e.s.CompleteUpload(ctx, "b", "vec", u.ID, nil, "", PutOptions{})
	ended["AbortUpload"] = e.s.AbortUpload(ctx, "b", "vec", u.ID)
	for name, err := range ended {
		wantErr(t, name+" after complete", err, ErrNoSuchUpload)
	}
	e.wantBlobs(2)
	testCompleteSubset(t, e)
}

// testCompleteSubset completes with some parts unlisted, over an object.
func testCompleteSubset(t *testing.T, e *env) {
	ctx := t.Context()
	u := e.create("vec")
	p := [][]byte{nil, data(1, MinPartSize), data(2, MinPartSize+5), data(3, 10), data(4, 20)}
	for n := 1; n <= 4; n++ {
		e.part(u, n, p[n])
	}
	e.wantBlobs(6)
	list := []CompletePart{{Number: 1, ETag: etagOf(p[1])}, {Number: 3, ETag: etagOf(p[3])}}
	obj, err := e.s.CompleteUpload(ctx, "b", "vec", u.ID, list, "", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Meta.ACL != "" || !strings.HasSuffix(obj.ETag, "-2") {
		t.Errorf("object = %+v", obj)
	}
	wantSame(t, "subset", e.read("vec"), append(bytes.Clone(p[1]), p[3]...))
	e.wantBlobs(2) // the old object's two blobs and parts 2 and 4 are gone

	u = e.create("gaps")
	for i, n := range []int{2, 5, 7} {
		e.part(u, n, p[i+1])
	}
	obj, err = e.s.CompleteUpload(ctx, "b", "gaps", u.ID, nil, "", PutOptions{})
	if err != nil || !strings.HasSuffix(obj.ETag, "-3") {
		t.Fatalf("complete all = %+v, %v", obj, err)
	}
	wantSame(t, "all parts", e.read("gaps"), bytes.Join(p[1:4], nil))
	e.wantBlobs(5)
}

func testCompleteErrors(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	e.put("taken", []byte("x"))
	u := e.create("taken")
	var tags []string
	for n, size := range []int{MinPartSize, MinPartSize - 1, MinPartSize, 10} {
		tags = append(tags, e.part(u, n+1, data(uint64(n), size)).ETag)
	}
	t1, t2, t3, t4 := tags[0], tags[1], tags[2], tags[3]
	valid := []CompletePart{{Number: 1, ETag: t1}, {Number: 3, ETag: t3}, {Number: 4, ETag: t4}}
	forbid := PutOptions{ForbidOverwrite: true}
	other := strings.Repeat("B", 32)
	cases := []struct {
		name  string
		id    string
		parts []CompletePart
		opts  PutOptions
		err   error
	}{
		{"no such upload", other, valid, PutOptions{}, ErrNoSuchUpload},
		{"no such upload, empty list", other, []CompletePart{}, PutOptions{}, ErrNoSuchUpload},
		{"descending", u.ID, []CompletePart{{Number: 3, ETag: t3}, {Number: 1, ETag: t1}}, PutOptions{}, ErrInvalidPartOrder},
		{"repeated", u.ID, []CompletePart{{Number: 1, ETag: t1}, {Number: 1, ETag: t1}}, PutOptions{}, ErrInvalidPartOrder},
		{"order before missing", u.ID, []CompletePart{{Number: 9, ETag: t1}, {Number: 1, ETag: t1}}, PutOptions{}, ErrInvalidPartOrder},
		{"missing part", u.ID, []CompletePart{{Number: 1, ETag: t1}, {Number: 5, ETag: t1}}, PutOptions{}, ErrInvalidPart},
		{"etag mismatch", u.ID, []CompletePart{{Number: 1, ETag: t3}, {Number: 3, ETag: t3}}, PutOptions{}, ErrInvalidPart},
		{"missing before too small", u.ID, []CompletePart{{Number: 2, ETag: t2}, {Number: 5, ETag: t1}}, PutOptions{}, ErrInvalidPart},
		{"one byte too small", u.ID, []CompletePart{{Number: 2, ETag: t2}, {Number: 3, ETag: t3}}, PutOptions{}, ErrEntityTooSmall},
		{"all parts", u.ID, nil, PutOptions{}, ErrEntityTooSmall},
		{"too small before forbid", u.ID, []CompletePart{{Number: 2, ETag: t2}, {Number: 3, ETag: t3}}, forbid, ErrEntityTooSmall},
		{"forbid overwrite", u.ID, valid, forbid, ErrFileAlreadyExists},
	}
	for _, tc := range cases {
		_, err := e.s.CompleteUpload(ctx, "b", "taken", tc.id, tc.parts, "", tc.opts)
		wantErr(t, tc.name, err, tc.err)
	}
	parts, _, err := e.s.ListParts(ctx, "b", "taken", u.ID, 0, 0)
	if err != nil || len(parts) != 4 {
		t.Errorf("after failed completes: ListParts = %d parts, %v", len(parts), err)
	}
	wantSame(t, "object after failed completes", e.read("taken"), []byte("x"))
	e.wantBlobs(5)
	empty := e.create("empty")
	_, err = e.s.CompleteUpload(ctx, "b", "empty", empty.ID, nil, "", PutOptions{})
	wantErr(t, "complete all without parts", err, ErrMalformedParts)
	// An explicitly empty list completes a 0-byte object and frees the
	// parts it leaves out.
	zero := e.create("zero")
	e.part(zero, 1, data(7, 1000))
	e.wantBlobs(6)
	obj, err := e.s.CompleteUpload(ctx, "b", "zero", zero.ID, []CompletePart{}, "", PutOptions{})
	if err != nil || obj.Size != 0 || obj.CRC64 != 0 {
		t.Fatalf("complete with an empty list = %+v, %v", obj, err)
	}
	wantSame(t, "0-byte object", e.read("zero"), nil)
	e.wantBlobs(5)
	if err := e.s.DeleteObject(ctx, "b", "zero"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CompleteUpload(ctx, "b", "taken", u.ID, valid, "", PutOptions{}); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(3) // part 2 and the old object are gone
}

func testAbort(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	u := e.create("k")
	keep := e.create("k")
	for n := 1; n <= 3; n++ {
		e.part(u, n, data(uint64(n), 100*n))
	}
	e.part(keep, 1, []byte("keep"))
	e.wantBlobs(4)
	if err := e.s.AbortUpload(ctx, "b", "k", u.ID); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(1)
	wantErr(t, "abort again", e.s.AbortUpload(ctx, "b", "k", u.ID), ErrNoSuchUpload)
	wantErr(t, "abort other key", e.s.AbortUpload(ctx, "b", "j", keep.ID), ErrNoSuchUpload)
	res, err := e.s.ListUploads(ctx, "b", ListUploadsOptions{})
	if err != nil || len(res.Uploads) != 1 || res.Uploads[0].ID != keep.ID {
		t.Errorf("ListUploads after abort = %+v, %v", res, err)
	}
	parts, _, err := e.s.ListParts(ctx, "b", "k", keep.ID, 0, 0)
	if err != nil || len(parts) != 1 {
		t.Errorf("other upload's parts = %+v, %v", parts, err)
	}
}

func testConcurrent(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	u := e.create("k")
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		bodies[i] = data(uint64(i), 50_000+i)
		wg.Go(func() {
			if _, err := e.s.PutPart(ctx, "b", "k", u.ID, 1, bytes.NewReader(bodies[i]), int64(len(bodies[i])), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	e.wantBlobs(1)
	parts, _, _ := e.s.ListParts(ctx, "b", "k", u.ID, 0, 0)
	if len(parts) != 1 {
		t.Fatalf("parts = %+v", parts)
	}
	var ok int
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.s.PutPart(ctx, "b", "k", u.ID, i+2, bytes.NewReader(bodies[i%8]), int64(len(bodies[i%8])), nil)
		})
		if i == 8 {
			wg.Go(func() {
				if err := e.s.AbortUpload(ctx, "b", "k", u.ID); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("PutPart racing AbortUpload: %v", err)
		}
	}
	t.Logf("%d of %d parts made it before the abort", ok, len(errs))
	e.wantBlobs(0)
}
