package transfer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gofrs/flock"
)

// The journal of a batch (a tree uploaded or downloaded) is append-only,
// in the family of the upload checkpoint:
//
//	header: "OSSUPBJ1" | u32 n | n bytes of JSON (BatchHeader) | u32 CRC-32C of the JSON
//	record: 0xB7 | u16 n | n bytes of payload | u32 CRC-32C of the 3+n bytes before it
//	payload: u64 size | i64 mtime (Unix ns) | u64 inode (0: unknown) | u64 CRC-64 | the file's slash path relative to the tree
//
// (integers little-endian). The header is written once, atomically
// (temporary file, fsync, rename, directory fsync); each finished file
// appends one record with a single write. A crash can only tear the last
// record, and a torn or corrupt record ends the journal: the file it
// would have named is transferred again. Big files in flight keep their
// own per-file checkpoints in the batch's state directory, the journal's
// path plus ".d", under names derived from a hash of the relative path
// (never the path itself).
const (
	bjMagic      = "OSSUPBJ1"
	bjVersion    = 1
	bjRecordType = 0xB7
	bjMaxName    = 0xFFFF - 32
)

// BatchHeader names the batch a journal belongs to; a journal whose
// header differs from the current batch's is discarded.
type BatchHeader struct {
	Version   int    `json:"version"`
	Direction string `json:"direction"` // "upload" or "download"
	Endpoint  string `json:"endpoint"`
	Bucket    string `json:"bucket"`
	Prefix    string `json:"prefix"`
	Dir       string `json:"dir"` // absolute path
}

// BatchEntry is one finished file of a batch journal.
type BatchEntry struct {
	Size  int64
	Mtime int64  // Unix nanoseconds of the local file
	Ino   uint64 // the local file's inode number, 0 where unknown
	CRC64 uint64
}

// BatchJournal is an open batch journal: the finished files read from it
// and the file new records are appended to. Its methods are safe for
// concurrent use.
type BatchJournal struct {
	mu   sync.Mutex
	f    *os.File
	lock *flock.Flock
	path string
	// Done holds every file the journal names, by relative path. It is the
	// one per-file state a batch keeps in memory: about 100 bytes a file.
	Done map[string]BatchEntry
}

// OpenBatchJournal opens the journal at path for the batch h, locked
// against a second process. A journal of another batch, or one that
// cannot be read, is replaced by a new, empty one; fresh reports that.
func OpenBatchJournal(path string, h BatchHeader) (j *BatchJournal, fresh bool, err error) {
	h.Version = bjVersion
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, err
	}
	l, err := lockCheckpoint(path)
	if err != nil {
		return nil, false, err
	}
	j = &BatchJournal{lock: l, path: path}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.Unlock()
		return nil, false, err
	}
	done, good, ok := parseBatchJournal(data, h)
	if !ok {
		hb, err := encodeBatchHeader(h)
		if err == nil {
			err = writeFileAtomic(path, hb)
		}
		if err == nil {
			err = os.RemoveAll(path + ".d")
		}
		if err != nil {
			l.Unlock()
			return nil, false, err
		}
		done, good, fresh = map[string]BatchEntry{}, int64(len(hb)), true
	}
	j.Done = done
	if err = os.MkdirAll(path+".d", 0o755); err == nil {
		j.f, err = os.OpenFile(path, os.O_WRONLY, 0)
	}
	if err == nil {
		if err = j.f.Truncate(good); err == nil {
			_, err = j.f.Seek(good, 0)
		}
	}
	if err != nil {
		j.Close()
		return nil, false, err
	}
	return j, fresh, nil
}

func encodeBatchHeader(h BatchHeader) ([]byte, error) {
	return encodeHeaderBlock(bjMagic, h)
}

// parseBatchJournal decodes a journal's bytes; ok is false when the
// header is missing, corrupt or of another batch. good is the length of
// the readable prefix (header and whole records).
func parseBatchJournal(data []byte, want BatchHeader) (done map[string]BatchEntry, good int64, ok bool) {
	js, off, crcOK, err := headerBlock(data, bjMagic, "batch journal")
	if err != nil || !crcOK {
		return nil, 0, false
	}
	var h BatchHeader
	if json.Unmarshal(js, &h) != nil || h != want {
		return nil, 0, false
	}
	done = map[string]BatchEntry{}
	for {
		name, e, size, ok := decodeBatchRecord(data[off:])
		if !ok {
			break
		}
		done[name] = e
		off += size
	}
	return done, int64(off), true
}

func decodeBatchRecord(b []byte) (name string, e BatchEntry, size int, ok bool) {
	if len(b) < 3 || b[0] != bjRecordType {
		return "", e, 0, false
	}
	n := int(binary.LittleEndian.Uint16(b[1:]))
	if n < 32 || len(b) < 3+n+4 || crc32.Checksum(b[:3+n], castagnoli) != binary.LittleEndian.Uint32(b[3+n:]) {
		return "", e, 0, false
	}
	pl := b[3 : 3+n]
	e = BatchEntry{
		Size:  int64(binary.LittleEndian.Uint64(pl)),
		Mtime: int64(binary.LittleEndian.Uint64(pl[8:])),
		Ino:   binary.LittleEndian.Uint64(pl[16:]),
		CRC64: binary.LittleEndian.Uint64(pl[24:]),
	}
	return string(pl[32:]), e, 3 + n + 4, true
}

func encodeBatchRecord(name string, e BatchEntry) ([]byte, error) {
	if len(name) > bjMaxName {
		return nil, fmt.Errorf("path of %d bytes is longer than a batch journal holds", len(name))
	}
	b := []byte{bjRecordType}
	b = binary.LittleEndian.AppendUint16(b, uint16(32+len(name)))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Size))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Mtime))
	b = binary.LittleEndian.AppendUint64(b, e.Ino)
	b = binary.LittleEndian.AppendUint64(b, e.CRC64)
	b = append(b, name...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// Record appends a finished file with one write.
func (j *BatchJournal) Record(name string, e BatchEntry) error {
	rec, err := encodeBatchRecord(name, e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err = j.f.Write(rec)
	return err
}

// StatePath is where the per-file checkpoint of the file name lives, with
// the given extension (".ucp", ".dcp").
func (j *BatchJournal) StatePath(name, ext string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(j.path+".d", hex.EncodeToString(sum[:16])+ext)
}

// Close releases the journal and its lock, keeping it on disk.
func (j *BatchJournal) Close() error {
	var err error
	if j.f != nil {
		err = j.f.Close()
	}
	j.lock.Unlock()
	return err
}

// Remove closes the journal and deletes it with its state directory: the
// batch is complete.
func (j *BatchJournal) Remove() error {
	err := j.Close()
	if rerr := os.RemoveAll(j.path + ".d"); err == nil {
		err = rerr
	}
	if rerr := os.Remove(j.path); err == nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = rerr
	}
	os.Remove(j.path + ".lock")
	return err
}

// Path is the journal's path.
func (j *BatchJournal) Path() string { return j.path }

// Lookup returns the entry of a finished file; a nil journal has none.
func (j *BatchJournal) Lookup(name string) (BatchEntry, bool) {
	if j == nil {
		return BatchEntry{}, false
	}
	e, ok := j.Done[name]
	return e, ok
}

// Inode returns fi's inode number where the platform gives it, else 0.
func Inode(fi fs.FileInfo) uint64 {
	ino, _ := inodeCtime(fi)
	return ino
}
