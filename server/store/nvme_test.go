package store

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	bolt "go.etcd.io/bbolt"
)

// TestNVME checks the CRC-64/NVME the store computes beside CRC-64/ECMA:
// of objects inline and in blobs, of parts uploaded and copied, of a
// completed object (combined from its parts, and checked against what the
// client says it must be), and of an appendable object.
func TestNVME(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, diskHarness(Options{}))
	s := e.s.(*Disk)
	for _, n := range []int{0, 100, InlineMax + 1, 300_000} {
		body := data(uint64(n), n)
		o := e.put("o", body)
		if !o.HasNVME || o.CRC64NVME != crc64.ChecksumNVME(body) {
			t.Errorf("%d bytes: NVME %d (%v), want %d", n, o.CRC64NVME, o.HasNVME, crc64.ChecksumNVME(body))
		}
		if h, err := s.HeadObject(ctx, "b", "o"); err != nil || h.CRC64NVME != o.CRC64NVME || !h.HasNVME {
			t.Errorf("%d bytes: HeadObject %+v, %v", n, h, err)
		}
	}

	src := data(1, 150_000)
	e.put("src", src)
	u := e.create("mp")
	p1 := e.part(u, 1, data(2, MinPartSize))
	p2, err := s.CopyPart(ctx, "b", "mp", u.ID, 2, "b", "src", "", 10, 100_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	whole := append(data(2, MinPartSize), src[10:100_010]...)
	if !p1.HasNVME || p1.CRC64NVME != crc64.ChecksumNVME(data(2, MinPartSize)) || !p2.HasNVME || p2.CRC64NVME != crc64.ChecksumNVME(src[10:100_010]) {
		t.Errorf("parts %+v, %+v", p1, p2)
	}
	parts, _, err := s.ListParts(ctx, "b", "mp", u.ID, 0, 10)
	if err != nil || len(parts) != 2 || parts[0].CRC64NVME != p1.CRC64NVME || parts[1].CRC64NVME != p2.CRC64NVME {
		t.Errorf("ListParts = %+v, %v", parts, err)
	}
	wrong := p2.CRC64NVME ^ 1
	list := []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag, CRC64NVME: &wrong}}
	if _, err := s.CompleteUpload(ctx, "b", "mp", u.ID, list, "", PutOptions{}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("Complete naming a wrong part checksum: %v", err)
	}
	list[1].CRC64NVME = &p2.CRC64NVME
	bad := crc64.ChecksumNVME(whole) ^ 1
	if _, err := s.CompleteUpload(ctx, "b", "mp", u.ID, list, "", PutOptions{CRC64NVME: &bad}); !errors.Is(err, ErrBadDigest) {
		t.Errorf("Complete naming a wrong object checksum: %v", err)
	}
	good := crc64.ChecksumNVME(whole)
	o, err := s.CompleteUpload(ctx, "b", "mp", u.ID, list, "", PutOptions{CRC64NVME: &good})
	if err != nil {
		t.Fatal(err)
	}
	if !o.HasNVME || o.CRC64NVME != good {
		t.Errorf("completed object NVME %d (%v), want %d", o.CRC64NVME, o.HasNVME, good)
	}
	wantSame(t, "completed object", e.read("mp"), whole)

	var all []byte
	for i, n := range []int{0, 1000, 70_000} {
		chunk := data(uint64(10+i), n)
		o, err := s.AppendObject(ctx, "b", "app", int64(len(all)), bytes.NewReader(chunk), int64(n), Metadata{}, PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, chunk...)
		if !o.HasNVME || o.CRC64NVME != crc64.ChecksumNVME(all) {
			t.Errorf("after appending %d bytes: NVME %d (%v), want %d", n, o.CRC64NVME, o.HasNVME, crc64.ChecksumNVME(all))
		}
	}
}

// TestNVMEOlderRecords checks records written before CRC-64/NVME: a part
// record of version 1 or 2 decodes without one, an object header without
// one reports none, and a multipart object completed from such a part has
// none, while the parts of version 3 and 4 round-trip theirs.
func TestNVMEOlderRecords(t *testing.T) {
	for _, p := range []partRec{
		{Size: 5, MD5: [16]byte{1}, CRC64: 7, Modified: 9, Blobs: []blobRef{{ID: newBlobID(), Size: 5}}},
		{Size: 9, MD5: [16]byte{3}, CRC64: 8, Modified: 10, Blobs: []blobRef{{ID: newBlobID(), Size: 4}, {ID: newBlobID(), Size: 5}}},
	} {
		for _, has := range []bool{false, true} {
			p.HasNVME, p.NVME = has, 0
			if has {
				p.NVME = 0xFEEDFACE
			}
			enc, err := encodePart(&p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodePart(enc)
			if err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("part round trip (version %d) = %+v, %v; want %+v", enc[0], got, err, p)
			}
			if _, err := decodePart(enc[:len(enc)-1]); err == nil {
				t.Errorf("truncated part record of version %d decoded", enc[0])
			}
		}
	}

	ctx := t.Context()
	e := newEnv(t, diskHarness(Options{}))
	s := e.s.(*Disk)
	u := e.create("old")
	e.part(u, 1, data(5, 1000))
	// Rewrite the part as a store before CRC-64/NVME would have.
	err := s.db.Update(func(tx *bolt.Tx) error {
		pb := tx.Bucket([]byte(bktBuckets)).Bucket([]byte("b")).Bucket([]byte(bktParts))
		k := partKey(u.ID, 1)
		rec, err := decodePart(pb.Get(k))
		if err != nil {
			return err
		}
		rec.HasNVME, rec.NVME = false, 0
		enc, err := encodePart(&rec)
		if err != nil {
			return err
		}
		return pb.Put(k, enc)
	})
	if err != nil {
		t.Fatal(err)
	}
	parts, _, err := s.ListParts(ctx, "b", "old", u.ID, 0, 10)
	if err != nil || len(parts) != 1 || parts[0].HasNVME {
		t.Fatalf("older part listed as %+v, %v", parts, err)
	}
	o, err := s.CompleteUpload(ctx, "b", "old", u.ID, nil, "", PutOptions{})
	if err != nil || o.HasNVME {
		t.Errorf("object of an older part: %+v, %v", o, err)
	}
	want := uint64(1)
	u2 := e.create("old2")
	e.part(u2, 1, data(5, 1000))
	if _, err := s.CompleteUpload(ctx, "b", "old2", u2.ID, nil, "", PutOptions{CRC64NVME: &want}); !errors.Is(err, ErrBadDigest) {
		t.Errorf("a wrong whole-object checksum: %v", err)
	}
}
