package transfer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func cpTestHeader() *cpHeader {
	return &cpHeader{
		Version: cpVersion, Endpoint: "http://127.0.0.1:9000", Bucket: "bucket", Key: "dir/key",
		UploadID: "0123456789ABCDEF0123456789ABCDEF", PartSize: 100 << 10, File: "/data/file",
		FileSize: 250 << 10, FileMtime: 1700000000123456789, MetaDigest: "d1g35t",
	}
}

// cpTestParts are three records, among them the longest and the shortest
// ETag a checkpoint holds.
var cpTestParts = []cpPart{
	{Number: 1, Size: 100 << 10, CRC64: 0x995DC9BBDF1939FA, ETag: `"302D3A0C8E319EAA95B059B346DE1D1D"`},
	{Number: 3, Size: 50 << 10, CRC64: 1, ETag: strings.Repeat("e", cpMaxETag)},
	{Number: 2, Size: 100 << 10, CRC64: 0, ETag: ""},
}

// cpTestJournal encodes a journal of h and parts; ends[i] is where the
// first i records end (ends[0] is the header's length).
func cpTestJournal(t testing.TB, h *cpHeader, parts []cpPart) (data []byte, ends []int) {
	t.Helper()
	data, err := encodeHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	ends = []int{len(data)}
	for _, p := range parts {
		rec, err := encodeRecord(p)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, rec...)
		ends = append(ends, len(data))
	}
	return data, ends
}

func sameCPParts(a, b []cpPart) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.ucp")
	h := cpTestHeader()
	jr, err := createJournal(path, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cpTestParts {
		if err := jr.append(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := jr.close(); err != nil {
		t.Fatal(err)
	}
	gotH, gotParts, good, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotH, h) {
		t.Errorf("header = %+v, want %+v", gotH, h)
	}
	if !reflect.DeepEqual(gotParts, cpTestParts) {
		t.Errorf("records = %+v, want %+v", gotParts, cpTestParts)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != good {
		t.Errorf("intact prefix = %d bytes, file has %v (%v)", good, fi.Size(), err)
	}

	// Reopened, the journal appends after its records.
	jr, err = openJournal(path, good)
	if err != nil {
		t.Fatal(err)
	}
	more := cpPart{Number: 4, Size: 7, CRC64: 42, ETag: `"X"`}
	if err := jr.append(more); err != nil {
		t.Fatal(err)
	}
	if err := jr.close(); err != nil {
		t.Fatal(err)
	}
	_, gotParts, _, err = readJournal(path)
	if want := append(append([]cpPart(nil), cpTestParts...), more); err != nil || !reflect.DeepEqual(gotParts, want) {
		t.Errorf("after reopening: records = %+v, %v; want %+v", gotParts, err, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the checkpoint (no temporary files)", len(entries))
	}
}

func TestJournalMissing(t *testing.T) {
	_, _, _, err := readJournal(filepath.Join(t.TempDir(), "none.ucp"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("readJournal of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestEncodeRecordLongETag(t *testing.T) {
	if _, err := encodeRecord(cpPart{Number: 1, ETag: strings.Repeat("e", cpMaxETag+1)}); err == nil {
		t.Fatal("encodeRecord accepted an ETag longer than a record holds")
	}
}

// TestJournalTruncation cuts a journal at every length: the header is
// either whole or reported corrupt, and the records are always a prefix.
func TestJournalTruncation(t *testing.T) {
	data, ends := cpTestJournal(t, cpTestHeader(), cpTestParts)
	for n := 0; n <= len(data); n++ {
		h, parts, good, err := parseJournal(data[:n])
		if n < ends[0] {
			if !errors.Is(err, errCorruptHeader) || parts != nil {
				t.Fatalf("cut at %d (inside the header): records %v, error %v; want errCorruptHeader", n, parts, err)
			}
			continue
		}
		whole := 0
		for whole < len(cpTestParts) && ends[whole+1] <= n {
			whole++
		}
		if err != nil || h == nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		if !sameCPParts(parts, cpTestParts[:whole]) {
			t.Fatalf("cut at %d: records %+v, want the first %d", n, parts, whole)
		}
		if good != int64(ends[whole]) {
			t.Fatalf("cut at %d: intact prefix %d, want %d", n, good, ends[whole])
		}
	}
}

// TestJournalByteFlips changes every byte of a journal in several ways: a
// change in the header makes it corrupt, a change in record i leaves
// exactly the records before i. No change yields a wrong record.
func TestJournalByteFlips(t *testing.T) {
	data, ends := cpTestJournal(t, cpTestHeader(), cpTestParts)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xFF, byte(rng.IntN(255) + 1)} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			_, parts, _, err := parseJournal(bad)
			if i < ends[0] {
				if !errors.Is(err, errCorruptHeader) {
					t.Fatalf("byte %d ^ %#x (header): error %v, want errCorruptHeader", i, mask, err)
				}
				continue
			}
			rec := 0
			for ends[rec+1] <= i {
				rec++
			}
			if err != nil {
				t.Fatalf("byte %d ^ %#x (record %d): %v", i, mask, rec, err)
			}
			if !sameCPParts(parts, cpTestParts[:rec]) {
				t.Fatalf("byte %d ^ %#x (record %d): records %+v, want the first %d", i, mask, rec, parts, rec)
			}
		}
	}
}

// TestJournalOtherVersion: a checkpoint of an older format gives its
// header (so that its upload can be aborted) and no records, since they
// mean something else; one of a newer format is left alone.
func TestJournalOtherVersion(t *testing.T) {
	for _, tc := range []struct {
		version int
		want    error
	}{
		{1, errOldCheckpoint},
		{cpVersion + 1, errNewCheckpoint},
	} {
		h := cpTestHeader()
		h.Version = tc.version
		data, _ := cpTestJournal(t, h, cpTestParts)
		got, parts, _, err := parseJournal(data)
		if !errors.Is(err, tc.want) || parts != nil {
			t.Fatalf("version %d: records %v, error %v; want %v", h.Version, parts, err, tc.want)
		}
		if got == nil || got.UploadID != h.UploadID {
			t.Errorf("version %d: header %+v, want it decoded", h.Version, got)
		}
	}
}

// TestJournalReplaceHeader replaces the header of a journal with a torn
// tail: the intact records stay, the torn bytes go, and appending goes on
// after them.
func TestJournalReplaceHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.ucp")
	h := cpTestHeader()
	h.PendingAborts = []cpAbort{{Bucket: "b", Key: "k1", UploadID: "A"}, {Bucket: "b", Key: "k2", UploadID: "B"}}
	data, ends := cpTestJournal(t, h, cpTestParts)
	if err := os.WriteFile(path, data[:ends[2]+5], 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, good, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	h.PendingAborts = h.PendingAborts[1:]
	good, err = replaceHeader(path, h, good)
	if err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(path, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.append(cpTestParts[2]); err != nil {
		t.Fatal(err)
	}
	j.close()
	got, parts, _, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) || !sameCPParts(parts, cpTestParts) {
		t.Errorf("after replaceHeader: header %+v, records %+v; want %+v and %+v", got, parts, h, cpTestParts)
	}
}

// TestJournalTornTailReopened appends after a torn record: the torn bytes
// are cut off, so the new record is readable.
func TestJournalTornTailReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.ucp")
	data, ends := cpTestJournal(t, cpTestHeader(), cpTestParts)
	if err := os.WriteFile(path, data[:ends[3]-5], 0o600); err != nil {
		t.Fatal(err)
	}
	_, parts, good, err := readJournal(path)
	if err != nil || len(parts) != 2 || good != int64(ends[2]) {
		t.Fatalf("torn journal: %d records, intact prefix %d, %v; want 2 and %d", len(parts), good, err, ends[2])
	}
	jr, err := openJournal(path, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := jr.append(cpTestParts[2]); err != nil {
		t.Fatal(err)
	}
	if err := jr.close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("journal after reopening differs from the intact one (%v)", err)
	}
}

func TestLockCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.ucp")
	l, err := lockCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockCheckpoint(path); !errors.Is(err, ErrCheckpointLocked) {
		t.Fatalf("second lock: %v, want ErrCheckpointLocked", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l, err = lockCheckpoint(path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	_ = l.Unlock()
}

// rawCPRecord encodes a record as decodeRecord reads it, without
// encodeRecord's limit on the ETag.
func rawCPRecord(p cpPart) []byte {
	b := []byte{cpRecordType, byte(20 + len(p.ETag))}
	b = binary.LittleEndian.AppendUint32(b, uint32(p.Number))
	b = binary.LittleEndian.AppendUint64(b, uint64(p.Size))
	b = binary.LittleEndian.AppendUint64(b, p.CRC64)
	b = append(b, p.ETag...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// FuzzReadJournal decodes arbitrary bytes. It must not panic, and the
// records it returns must be the verbatim, consecutive records that follow
// the header in the input, ending at the reported intact prefix.
func FuzzReadJournal(f *testing.F) {
	data, ends := cpTestJournal(f, cpTestHeader(), cpTestParts)
	f.Add(data)
	f.Add(data[:ends[2]+3])
	f.Add(data[:ends[0]])
	f.Add([]byte(cpMagic))
	f.Add([]byte{})
	pending := cpTestHeader()
	pending.PendingAborts = []cpAbort{{Bucket: "b", Key: "k", UploadID: "OLD"}}
	data, _ = cpTestJournal(f, pending, cpTestParts[:1])
	f.Add(data)
	old := cpTestHeader()
	old.Version = 1
	data, _ = cpTestJournal(f, old, cpTestParts[:1])
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, parts, good, err := parseJournal(data)
		if err != nil {
			known := errors.Is(err, errCorruptHeader) || errors.Is(err, errOldCheckpoint) || errors.Is(err, errNewCheckpoint)
			if !known || parts != nil || good != 0 {
				t.Fatalf("error %v with records %v and prefix %d", err, parts, good)
			}
			return
		}
		if h == nil {
			t.Fatal("no header and no error")
		}
		hdrEnd := len(cpMagic) + 4 + int(binary.LittleEndian.Uint32(data[len(cpMagic):])) + 4
		if good < int64(hdrEnd) || good > int64(len(data)) {
			t.Fatalf("intact prefix %d outside %d..%d", good, hdrEnd, len(data))
		}
		var re []byte
		for _, p := range parts {
			re = append(re, rawCPRecord(p)...)
		}
		if !bytes.Equal(re, data[hdrEnd:good]) {
			t.Fatalf("records %+v do not re-encode to the input's bytes %d..%d", parts, hdrEnd, good)
		}
	})
}

// BenchmarkCheckpoint records 10,000 parts (and 1,000, to show how the
// cost grows): in our append-only journal, and by rewriting a JSON file of
// all the parts so far after each part, which is what the v1 SDK's dump
// does (v1 even marshals all parts, done or not, twice per dump, to embed
// an MD5: it costs more than this model).
func BenchmarkCheckpoint(b *testing.B) {
	type jsonPart struct {
		PartNumber int
		ETag       string
		Size       int64
		CRC64      uint64
	}
	type jsonCheckpoint struct {
		Magic, FilePath, ObjectKey, UploadID string
		FileSize                             int64
		Parts                                []jsonPart
	}
	part := func(n int) cpPart {
		return cpPart{Number: n, Size: 100 << 10, CRC64: uint64(n) * 0x9E3779B97F4A7C15, ETag: fmt.Sprintf(`"%032X"`, n)}
	}
	for _, parts := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("journal/parts=%d", parts), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "f.ucp")
			var written int64
			for b.Loop() {
				jr, err := createJournal(path, cpTestHeader())
				if err != nil {
					b.Fatal(err)
				}
				for n := 1; n <= parts; n++ {
					if err := jr.append(part(n)); err != nil {
						b.Fatal(err)
					}
				}
				if err := jr.close(); err != nil {
					b.Fatal(err)
				}
				fi, _ := os.Stat(path)
				written = fi.Size()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*parts), "ns/part")
			b.ReportMetric(float64(written), "bytes-written/op")
		})
		b.Run(fmt.Sprintf("json-rewrite/parts=%d", parts), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "f.ucp")
			var written int64
			for b.Loop() {
				cp := jsonCheckpoint{Magic: "92611BED-89E2-46B6-89E5-72F273D4B0A3", FilePath: "/data/file", ObjectKey: "dir/key", UploadID: "0123456789ABCDEF0123456789ABCDEF", FileSize: int64(parts) * 100 << 10}
				written = 0
				for n := 1; n <= parts; n++ {
					p := part(n)
					cp.Parts = append(cp.Parts, jsonPart{PartNumber: p.Number, ETag: p.ETag, Size: p.Size, CRC64: p.CRC64})
					js, err := json.Marshal(&cp)
					if err != nil {
						b.Fatal(err)
					}
					if err := os.WriteFile(path, js, 0o600); err != nil {
						b.Fatal(err)
					}
					written += int64(len(js))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*parts), "ns/part")
			b.ReportMetric(float64(written), "bytes-written/op")
		})
	}
}
