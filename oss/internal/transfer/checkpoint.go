package transfer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// The checkpoint of a resumable upload is an append-only journal:
//
//	header: "OSSUPCK1" | u32 n | n bytes of JSON (cpHeader) | u32 CRC-32C of the JSON
//	record: 0xA5 | u8 n | n bytes of payload | u32 CRC-32C of the 2+n bytes before it
//	payload: u32 part number | u64 size | u64 CRC-64 | the ETag
//
// (integers little-endian). The CRC-64 of a record is the one the client
// computed over the bytes it sent, never one the service reported; that
// is what the header's version 2 says (version 1 journalled the
// service's, and is not resumed). The header is written once, atomically: to a
// temporary file that is fsynced and renamed over the checkpoint, after
// which the directory is fsynced. Each finished part then appends one
// record with a single write, so recording a part costs the same at part
// 10,000 as at part 1. A crash can only tear the last record; a torn or
// corrupt record ends the journal, and the parts it would have named are
// recovered by reconciling with the service.
const (
	cpMagic      = "OSSUPCK1"
	cpVersion    = 2
	cpRecordType = 0xA5
	cpMaxETag    = 128
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cpHeader describes the upload a checkpoint belongs to. Any difference
// from the current request makes the checkpoint stale.
type cpHeader struct {
	Version   int    `json:"version"`
	Endpoint  string `json:"endpoint"`
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	UploadID  string `json:"upload_id"`
	PartSize  int64  `json:"part_size"`
	File      string `json:"file"` // absolute path
	FileSize  int64  `json:"file_size"`
	FileMtime int64  `json:"file_mtime"` // Unix nanoseconds
	// FileIno and FileCtime complete the file's fingerprint where the
	// platform gives them (0 otherwise).
	FileIno    uint64 `json:"file_ino,omitempty"`
	FileCtime  int64  `json:"file_ctime,omitempty"` // Unix nanoseconds
	MetaDigest string `json:"meta_digest"`
	// PendingAborts are uploads of Endpoint that earlier checkpoints named
	// and that were abandoned, but whose abort the service has not
	// confirmed yet (it was unreachable, say). They stay here until it
	// does, so that no upload is forgotten while its parts are billed.
	PendingAborts []cpAbort `json:"pending_aborts,omitempty"`
}

// cpAbort is an abandoned upload still to abort.
type cpAbort struct {
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	UploadID string `json:"upload_id"`
}

// cpPart is one journal record: a part the service acknowledged.
type cpPart struct {
	Number int
	Size   int64
	CRC64  uint64
	ETag   string
}

// Errors of readJournal.
var (
	// errCorruptHeader marks a checkpoint whose header cannot be trusted.
	errCorruptHeader = errors.New("checkpoint header is corrupt")
	// errOldCheckpoint marks a checkpoint of an older format: its header
	// is decoded, so that its upload can be aborted, but not its records.
	errOldCheckpoint = errors.New("checkpoint has an older format")
	// errNewCheckpoint marks a checkpoint of a newer format, which this
	// program leaves alone.
	errNewCheckpoint = errors.New("checkpoint has a newer format than this program reads")
)

// readJournal reads a checkpoint. It returns the header, the intact
// records, and the length of the intact prefix (where appending resumes).
// A missing file gives an error wrapping fs.ErrNotExist; a bad header
// gives errCorruptHeader, with whatever header could still be decoded; a
// header of an older version gives errOldCheckpoint and the header, of a
// newer version errNewCheckpoint.
func readJournal(path string) (*cpHeader, []cpPart, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	return parseJournal(data)
}

// parseJournal decodes a checkpoint's bytes, as readJournal describes.
func parseJournal(data []byte) (*cpHeader, []cpPart, int64, error) {
	js, off, crcOK, err := headerBlock(data, cpMagic, "checkpoint")
	if err != nil {
		return nil, nil, 0, err
	}
	var h cpHeader
	jsonErr := json.Unmarshal(js, &h)
	if !crcOK || jsonErr != nil {
		if jsonErr != nil {
			return nil, nil, 0, fmt.Errorf("%w: checksum or encoding", errCorruptHeader)
		}
		return &h, nil, 0, fmt.Errorf("%w: checksum mismatch", errCorruptHeader)
	}
	switch {
	case h.Version > cpVersion:
		return &h, nil, 0, fmt.Errorf("%w: version %d, this program reads %d", errNewCheckpoint, h.Version, cpVersion)
	case h.Version != cpVersion:
		return &h, nil, 0, fmt.Errorf("%w: version %d, now %d", errOldCheckpoint, h.Version, cpVersion)
	}
	var parts []cpPart
	for {
		p, size, ok := decodeRecord(data[off:])
		if !ok {
			break
		}
		parts = append(parts, p)
		off += size
	}
	return &h, parts, int64(off), nil
}

// decodeRecord decodes the record at the start of b; ok is false for a
// torn or corrupt record.
func decodeRecord(b []byte) (p cpPart, size int, ok bool) {
	if len(b) < 2 || b[0] != cpRecordType {
		return p, 0, false
	}
	n := int(b[1])
	if n < 20 || len(b) < 2+n+4 {
		return p, 0, false
	}
	if crc32.Checksum(b[:2+n], castagnoli) != binary.LittleEndian.Uint32(b[2+n:]) {
		return p, 0, false
	}
	pl := b[2 : 2+n]
	p = cpPart{
		Number: int(binary.LittleEndian.Uint32(pl)),
		Size:   int64(binary.LittleEndian.Uint64(pl[4:])),
		CRC64:  binary.LittleEndian.Uint64(pl[12:]),
		ETag:   string(pl[20:]),
	}
	return p, 2 + n + 4, true
}

func encodeRecord(p cpPart) ([]byte, error) {
	if len(p.ETag) > cpMaxETag {
		return nil, fmt.Errorf("etag of part %d is %d bytes, more than a checkpoint holds", p.Number, len(p.ETag))
	}
	n := 20 + len(p.ETag)
	b := make([]byte, 2, 2+n+4)
	b[0], b[1] = cpRecordType, byte(n)
	b = binary.LittleEndian.AppendUint32(b, uint32(p.Number))
	b = binary.LittleEndian.AppendUint64(b, uint64(p.Size))
	b = binary.LittleEndian.AppendUint64(b, p.CRC64)
	b = append(b, p.ETag...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// journal is an open checkpoint being appended to.
type journal struct {
	f *os.File
}

// createJournal writes a checkpoint holding only h, atomically, and opens
// it for appending.
func createJournal(path string, h *cpHeader) (*journal, error) {
	b, err := encodeHeader(h)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, b); err != nil {
		return nil, err
	}
	return openJournal(path, int64(len(b)))
}

// encodeHeader returns the bytes of a checkpoint holding only h.
func encodeHeader(h *cpHeader) ([]byte, error) {
	return encodeHeaderBlock(cpMagic, h)
}

// replaceHeader replaces the header of the checkpoint at path with h,
// atomically, keeping the records in its first good bytes, and returns the
// length of the new checkpoint. It costs a copy of the records, so it is
// kept for rare changes (an abandoned upload's abort confirmed).
func replaceHeader(path string, h *cpHeader, good int64) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if int64(len(data)) < good || len(data) < len(cpMagic)+4 {
		return 0, fmt.Errorf("%w: shorter than its records", errCorruptHeader)
	}
	old := int64(len(cpMagic)) + 4 + int64(binary.LittleEndian.Uint32(data[len(cpMagic):])) + 4
	if old > good {
		return 0, fmt.Errorf("%w: header longer than the journal", errCorruptHeader)
	}
	b, err := encodeHeader(h)
	if err != nil {
		return 0, err
	}
	b = append(b, data[old:good]...)
	if err := writeFileAtomic(path, b); err != nil {
		return 0, err
	}
	return int64(len(b)), nil
}

// openJournal opens an existing checkpoint for appending after its first
// size bytes, cutting off a torn tail.
func openJournal(path string, size int64) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f}, nil
}

// append records a finished part with one write. The caller serialises
// calls.
func (j *journal) append(p cpPart) error {
	rec, err := encodeRecord(p)
	if err != nil {
		return err
	}
	_, err = j.f.Write(rec)
	return err
}

func (j *journal) close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// writeFileAtomic replaces path with data: temporary file in the same
// directory, write, fsync, close, rename, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		return err
	}
	return nil
}

// lockCheckpoint takes the exclusive lock that keeps a second process off
// the same checkpoint. The lock is a sidecar file, because the checkpoint
// itself is replaced by rename.
func lockCheckpoint(path string) (*flock.Flock, error) {
	l := flock.New(path + ".lock")
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrCheckpointLocked, path)
	}
	return l, nil
}
