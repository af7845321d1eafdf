package store

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func benchStore(b *testing.B) *Disk {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.CreateBucket(b.Context(), Bucket{Name: "b"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPutPart uploads 8 MiB parts, durably (fsync of blob, directory
// and database), cycling over 8 part numbers so each replaces an older one.
func BenchmarkPutPart(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	u, err := s.CreateUpload(ctx, "b", "k", Metadata{})
	if err != nil {
		b.Fatal(err)
	}
	body := data(1, 8<<20)
	r := bytes.NewReader(body)
	b.SetBytes(int64(len(body)))
	n := 0
	for b.Loop() {
		r.Reset(body)
		if _, err := s.PutPart(ctx, "b", "k", u.ID, n%8+1, r, int64(len(body)), nil); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkCompleteUpload completes uploads of 10 and 10,000 parts of
// MinPartSize bytes each. Outside the timed region each upload gets its
// parts in one transaction, their blobs being hard links to one blob
// (Complete reads no blob data, and links cost no disk). The template blob
// itself stays unreferenced, as a crash would leave it.
func BenchmarkCompleteUpload(b *testing.B) {
	for _, parts := range []int{10, 10000} {
		b.Run(fmt.Sprint("parts=", parts), func(b *testing.B) {
			s := benchStore(b)
			i := 0
			for b.Loop() {
				b.StopTimer()
				key := fmt.Sprint("k", i)
				list := bulkParts(b, s, key, parts)
				b.StartTimer()
				if _, err := s.CompleteUpload(b.Context(), "b", key, list.id, list.parts, "", PutOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

type bulkUpload struct {
	id    string
	parts []CompletePart
}

// bulkParts creates an upload of key with n parts of MinPartSize bytes,
// the parts in one transaction, their blobs linked to one new blob.
func bulkParts(b *testing.B, s *Disk, key string, n int) bulkUpload {
	u, err := s.CreateUpload(b.Context(), "b", key, Metadata{})
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := s.writeBlob(b.Context(), bytes.NewReader(data(1, MinPartSize)), MinPartSize, nil)
	if err != nil {
		b.Fatal(err)
	}
	etag := upperHex(tmpl.md5)
	out := bulkUpload{id: u.ID}
	recs := make([]partRec, n)
	for i := range recs {
		id := newBlobID()
		if err := s.root.MkdirAll(blobDir(id), 0o750); err != nil {
			b.Fatal(err)
		}
		if err := s.root.Link(blobPath(tmpl.id), blobPath(id)); err != nil {
			b.Fatal(err)
		}
		recs[i] = partRec{Size: tmpl.size, CRC64: tmpl.crc64, Modified: time.Now().UnixNano(), Blobs: []blobRef{{ID: id, Size: tmpl.size}}}
		copy(recs[i].MD5[:], tmpl.md5)
		out.parts = append(out.parts, CompletePart{Number: i + 1, ETag: `"` + etag + `"`})
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		pb, err := subOf(tx, "b", bktParts)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			enc, err := encodePart(&rec)
			if err != nil {
				return err
			}
			if err := pb.Put(partKey(u.ID, i+1), enc); err != nil {
				return err
			}
			if err := retain(tx, rec.blobIDs()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkDeleteObjects deletes 1,000 one-byte objects, one DeleteObject
// (one commit) per key or one DeleteObjects for all. Outside the timed
// region the objects are recorded in one transaction, their blobs hard
// links to one blob.
func BenchmarkDeleteObjects(b *testing.B) {
	const n = 1000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%04d", i)
	}
	for _, mode := range []string{"each", "batch"} {
		b.Run("keys=1000/"+mode, func(b *testing.B) {
			s := benchStore(b)
			ctx := b.Context()
			for b.Loop() {
				b.StopTimer()
				bulkObjects(b, s, keys)
				b.StartTimer()
				if mode == "batch" {
					if err := s.DeleteObjects(ctx, "b", keys); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, k := range keys {
					if err := s.DeleteObject(ctx, "b", k); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// bulkObjects records one-byte objects under keys in one transaction,
// each with its own blob, a hard link to one new blob.
func bulkObjects(b *testing.B, s *Disk, keys []string) {
	tmpl, err := s.writeBlob(b.Context(), bytes.NewReader([]byte("x")), 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]*objectRec, len(keys))
	for i := range recs {
		id := newBlobID()
		if err := s.root.MkdirAll(blobDir(id), 0o750); err != nil {
			b.Fatal(err)
		}
		if err := s.root.Link(blobPath(tmpl.id), blobPath(id)); err != nil {
			b.Fatal(err)
		}
		recs[i] = &objectRec{
			objectHdr: objectHdr{Size: 1, ETag: upperHex(tmpl.md5), CRC64: tmpl.crc64, Type: TypeNormal, Modified: time.Now().UnixNano()},
			Blobs:     []blobRef{{ID: id, Size: 1}},
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for i, rec := range recs {
			if _, err := putObjectRec(tx, "b", keys[i], rec, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s.removeBlobs([]string{tmpl.id})
}

// BenchmarkCopyObject copies a 5 KiB and a 5 GiB object, durably. A copy
// shares the source's blobs, so both cost one metadata transaction. The
// 5 GiB source is a sparse blob with its record written directly (its
// CRC-64 is not its content's: a copy never reads data).
func BenchmarkCopyObject(b *testing.B) {
	for _, size := range []int64{5 << 10, 5 << 30} {
		b.Run(fmt.Sprint("size=", size), func(b *testing.B) {
			s := benchStore(b)
			ctx := b.Context()
			if size < 1<<20 {
				if _, err := s.PutObject(ctx, "b", "src", bytes.NewReader(data(1, int(size))), size, Metadata{}, PutOptions{}); err != nil {
					b.Fatal(err)
				}
			} else {
				sparseObject(b, s, "src", size)
			}
			n := 0
			for b.Loop() {
				if _, err := s.CopyObject(ctx, "b", "src", "b", fmt.Sprint("dst", n%8), CopyOptions{}); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}

// sparseObject stores key as a Normal object of size zero bytes whose blob
// is a sparse file, costing no disk.
func sparseObject(b *testing.B, s *Disk, key string, size int64) {
	id := newBlobID()
	if err := s.root.MkdirAll(blobDir(id), 0o750); err != nil {
		b.Fatal(err)
	}
	f, err := s.root.Create(blobPath(id))
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	rec := &objectRec{
		objectHdr: objectHdr{Size: size, ETag: "00000000000000000000000000000000", Type: TypeNormal, Modified: time.Now().UnixNano()},
		Blobs:     []blobRef{{ID: id, Size: size}},
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := retain(tx, rec.blobIDs()); err != nil {
			return err
		}
		_, err := putObjectRec(tx, "b", key, rec, false)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPutPartConcurrent uploads parts from several goroutines at
// once, durably, as a client with TaskNum parts in flight does: 100 KiB
// parts 5 at a time and 8 MiB parts 4 at a time.
func BenchmarkPutPartConcurrent(b *testing.B) {
	for _, c := range []struct{ size, tasks int }{{100 << 10, 5}, {8 << 20, 4}} {
		b.Run(fmt.Sprintf("part=%dKiB,tasks=%d", c.size>>10, c.tasks), func(b *testing.B) {
			s := benchStore(b)
			ctx := b.Context()
			u, err := s.CreateUpload(ctx, "b", "k", Metadata{})
			if err != nil {
				b.Fatal(err)
			}
			body := data(1, c.size)
			b.SetBytes(int64(len(body)))
			b.SetParallelism(max(1, c.tasks/runtime.GOMAXPROCS(0)) + min(1, c.tasks%runtime.GOMAXPROCS(0)))
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := int(next.Add(1)%MaxPartNumber) + 1
					if _, err := s.PutPart(ctx, "b", "k", u.ID, n, bytes.NewReader(body), int64(len(body)), nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkPutObjectConcurrent puts 4 KiB objects, each under a new key,
// from 4 goroutines at once, durably: the store's side of cp -r of a
// folder of small files.
func BenchmarkPutObjectConcurrent(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	body := data(1, 4<<10)
	b.SetBytes(int64(len(body)))
	b.SetParallelism(4 / max(1, runtime.GOMAXPROCS(0)))
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			key := fmt.Sprintf("d%d/f%d", n%100, n)
			if _, err := s.PutObject(ctx, "b", key, bytes.NewReader(body), int64(len(body)), Metadata{}, PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
