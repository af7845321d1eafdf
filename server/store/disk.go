package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Options configure [Open]. The zero value is ready to use.
type Options struct {
	// Logger receives what Open collected and blob removals that failed;
	// nil discards them.
	Logger *slog.Logger
	// LockTimeout is how long Open waits for another process to release
	// the database before failing with ErrLocked; zero means one second.
	LockTimeout time.Duration
	// Now returns the time the store records as buckets' creation,
	// objects' and parts' modification and uploads' initiation; nil means
	// time.Now. Tests set it to make uploads of the past.
	Now func() time.Time
	// InlineMax is the largest PutObject body kept in the object's record
	// instead of a blob file; zero means the package's InlineMax, and a
	// negative value keeps every body in a blob.
	InlineMax int64
}

// ErrLocked is returned by Open when another process holds the data
// directory's database.
var ErrLocked = errors.New("store: data directory in use by another process")

// Disk is the on-disk [Store]: metadata in dir/meta.db (bbolt), content in
// dir/blobs/<2 hex>/<32 hex> files (dir/tmp is left from an older layout
// and only emptied). All file access goes through an [os.Root], and user
// keys never become paths. Disk is safe for concurrent use.
type Disk struct {
	dir  string
	root *os.Root
	db   *bolt.DB
	log  *slog.Logger
	now  func() time.Time
	// inlineMax is Options.InlineMax resolved: -1 when nothing is inline.
	inlineMax int64
	bufs      sync.Pool // *[]byte of copyBuf bytes
	// group commits the changes of concurrent callers together.
	group   committer
	blobs   *os.Root // dir/blobs, held open
	dirs    blobDirs
	blobSeq atomic.Uint64 // blobs named so far, from a random start

	opened gcStats // what Open collected, for tests
}

var _ Store = (*Disk)(nil)

// gcStats counts what Open found.
type gcStats struct {
	tmp       int // in-flight files removed
	stray     int // unreferenced blobs removed
	missing   int // referenced blobs not found
	refsFixed int // reference counts that differed from the records
	upgraded  bool
}

// Open opens or creates the store in dir. It clears dir/tmp and removes
// every blob no record references; blobs that records reference but that
// are missing are logged as errors.
func Open(dir string, opts Options) (*Disk, error) {
	if opts.InlineMax > InlineMax {
		return nil, fmt.Errorf("store: InlineMax %d above %d", opts.InlineMax, InlineMax)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &Disk{dir: dir, root: root, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch s.inlineMax = opts.InlineMax; {
	case s.inlineMax == 0:
		s.inlineMax = InlineMax
	case s.inlineMax < 0:
		s.inlineMax = -1
	}
	s.bufs.New = func() any { b := make([]byte, copyBuf); return &b }
	s.blobSeq.Store(mrand.Uint64())
	if err := s.openDB(opts.LockTimeout); err != nil {
		_ = root.Close()
		return nil, err
	}
	if err := s.prepare(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Disk) openDB(timeout time.Duration) error {
	if timeout <= 0 {
		timeout = time.Second
	}
	path := filepath.Join(s.dir, "meta.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: timeout,
		OpenFile: func(_ string, flag int, mode os.FileMode) (*os.File, error) {
			return s.root.OpenFile("meta.db", flag, mode)
		},
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		st, err := tx.CreateBucketIfNotExists([]byte(bktStore))
		if err != nil {
			return err
		}
		switch v := st.Get([]byte(keyVersion)); {
		case v == nil:
			if err := st.Put([]byte(keyVersion), []byte{layoutVersion}); err != nil {
				return err
			}
		case len(v) == 1 && v[0] >= 1 && v[0] <= 3:
			// Layout 1 had no reference counts; collect builds them and
			// records the current layout in the same transaction. Layout
			// 2 had no inline objects and layout 3 no versions, so each
			// is layout 4 as it is; the new number keeps older servers
			// from misreading the store (and collecting the blobs only
			// versions reference).
		case len(v) != 1 || v[0] != layoutVersion:
			return fmt.Errorf("store: %s has layout version %v, want %d", path, v, layoutVersion)
		}
		if _, err := tx.CreateBucketIfNotExists([]byte(bktRefs)); err != nil {
			return err
		}
		_, err = tx.CreateBucketIfNotExists([]byte(bktBuckets))
		return err
	})
	if err != nil {
		_ = db.Close()
		return err
	}
	s.db = db
	s.group.db = db
	return nil
}

// Close closes the database and the data directory. Readers returned by
// OpenObject can read the blob they have open but no further one.
func (s *Disk) Close() error {
	var errs []error
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.blobs != nil {
		errs = append(errs, s.blobs.Close())
	}
	errs = append(errs, s.root.Close())
	return errors.Join(errs...)
}

// view runs a read-only transaction.
func (s *Disk) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

// commit runs one write transaction, which concurrent callers may share
// (see committer); it returns once the change is on disk. The blobs in
// added were written for this change, and the records fn writes reference
// each of them once. fn returns the references its change drops (one id
// per dropped manifest entry); references it adds to blobs that already
// exist it takes itself with retain. In the same transaction commit counts the added blobs'
// references and releases the dropped ones; blobs left with none are
// removed after the commit. The directories of the added blobs are
// fsynced before the transaction, so their entries are durable before
// any record names them. When fn fails, or a directory's fsync does, the
// blobs in added are removed; when the commit itself fails, they are left
// for the next Open to judge.
func (s *Disk) commit(ctx context.Context, added []string, fn func(tx *bolt.Tx) (dropped []string, err error)) error {
	if err := ctx.Err(); err != nil {
		s.removeBlobs(added)
		return err
	}
	var dirs []string
	for _, id := range added {
		dir, err := blobDirName(id)
		if err != nil {
			s.removeBlobs(added)
			return err
		}
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	var freed []string
	ran, fnFailed := false, false
	known, pinned := ctx.Value(bucketIdentity{}).(Bucket)
	err := s.group.update(dirs, func(tx *bolt.Tx) error {
		ran = true
		var (
			dropped []string
			err     error
		)
		if pinned {
			err = sameBucket(tx, known)
		}
		if err == nil {
			dropped, err = fn(tx)
		}
		if err == nil {
			err = retain(tx, added)
		}
		if err == nil {
			freed, err = release(tx, dropped)
		}
		fnFailed = err != nil
		return err
	})
	switch {
	case err == nil:
		s.removeBlobs(freed)
	case fnFailed || !ran:
		s.removeBlobs(added)
	}
	return err
}

// prepare creates the directories, clears tmp and collects garbage. The
// blobs/<2 hex> directories are made as blobs need them.
func (s *Disk) prepare() error {
	entries, err := fs.ReadDir(s.root.FS(), tmpDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	s.opened.tmp = len(entries)
	if err := s.root.RemoveAll(tmpDir); err != nil {
		return fmt.Errorf("store: clear tmp: %w", err)
	}
	for _, d := range []string{tmpDir, blobsDir} {
		if err := s.root.Mkdir(d, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := s.syncDir("."); err != nil {
		return err
	}
	if s.blobs, err = s.root.OpenRoot(blobsDir); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	s.group.blobs = s.blobs
	if err := s.collect(); err != nil {
		return err
	}
	s.log.Info("store: opened", "dir", s.dir, "tmp_removed", s.opened.tmp,
		"stray_blobs_removed", s.opened.stray, "missing_blobs", s.opened.missing,
		"reference_counts_repaired", s.opened.refsFixed)
	return nil
}

// collect recounts the blob references of every record, repairs the
// reference count table where it differs, and removes files under blobs
// that no record references.
func (s *Disk) collect() error {
	counts, err := s.countRefs()
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		fixed, err := reconcile(tx, counts)
		if err != nil {
			return err
		}
		st := tx.Bucket([]byte(bktStore))
		if v := st.Get([]byte(keyVersion)); len(v) == 1 && v[0] != layoutVersion {
			s.opened.upgraded = true
			return st.Put([]byte(keyVersion), []byte{layoutVersion})
		}
		s.opened.refsFixed = fixed
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: reference counts: %w", err)
	}
	if s.opened.refsFixed > 0 {
		s.log.Error("store: reference counts repaired", "entries", s.opened.refsFixed)
	}
	refs := make(map[string]struct{}, len(counts))
	for id := range counts {
		refs[id] = struct{}{}
	}
	dirs, err := fs.ReadDir(s.root.FS(), blobsDir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, d := range dirs {
		dir := blobsDir + "/" + d.Name()
		if !d.IsDir() || len(d.Name()) != 2 {
			if err := s.root.RemoveAll(dir); err != nil {
				return fmt.Errorf("store: remove stray blob: %w", err)
			}
			s.opened.stray++
			continue
		}
		if err := s.collectDir(dir, refs); err != nil {
			return err
		}
	}
	s.opened.missing = len(refs)
	for id := range refs {
		s.log.Error("store: referenced blob missing", "blob", id)
	}
	return nil
}

// collectDir removes the files of dir not in refs and deletes from refs
// those it finds.
func (s *Disk) collectDir(dir string, refs map[string]struct{}) error {
	entries, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if _, ok := refs[name]; ok && !e.IsDir() && dir == blobDir(name) {
			delete(refs, name)
			continue
		}
		if err := s.root.RemoveAll(dir + "/" + name); err != nil {
			return fmt.Errorf("store: remove stray blob: %w", err)
		}
		s.opened.stray++
	}
	return nil
}

// referenced returns the ids of every blob an object or a part refers to.
func (s *Disk) referenced() (map[string]struct{}, error) {
	counts, err := s.countRefs()
	if err != nil {
		return nil, err
	}
	refs := make(map[string]struct{}, len(counts))
	for id := range counts {
		refs[id] = struct{}{}
	}
	return refs, nil
}

// countRefs counts the references of every record to every blob.
func (s *Disk) countRefs() (map[string]int, error) {
	refs := make(map[string]int)
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bktBuckets)).ForEachBucket(func(name []byte) error {
			b := tx.Bucket([]byte(bktBuckets)).Bucket(name)
			err := b.Bucket([]byte(bktObjects)).ForEach(func(_, v []byte) error {
				rec, err := decodeObject(v, true)
				for _, bl := range rec.Blobs {
					refs[bl.ID]++
				}
				return err
			})
			if err != nil {
				return err
			}
			if err := countVersionRefs(b.Bucket([]byte(bktVersions)), refs); err != nil {
				return err
			}
			return b.Bucket([]byte(bktParts)).ForEach(func(_, v []byte) error {
				p, err := decodePart(v)
				for _, bl := range p.Blobs {
					refs[bl.ID]++
				}
				return err
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: scan records: %w", err)
	}
	return refs, nil
}
