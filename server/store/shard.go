package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
)

// blobDirs makes sure of the blobs/<2 hex> directories. Blob files are
// created, removed and their directories fsynced through the blobs
// directory held open (Disk.blobs), so that only the last two steps of a
// blob's path are resolved.
type blobDirs struct {
	mu   sync.Mutex
	made [256]bool // directories known to exist durably
}

// blobDirName is the name of blob id's directory within blobs.
func blobDirName(id string) (string, error) {
	if len(id) < 2 {
		return "", fmt.Errorf("store: bad blob id %q", id)
	}
	if _, err := strconv.ParseUint(id[:2], 16, 8); err != nil {
		return "", fmt.Errorf("store: bad blob id %q", id)
	}
	return id[:2], nil
}

// blobName is blob id's file within blobs.
func blobName(id string) string { return id[:2] + "/" + id }

// makeBlobDir creates blob id's directory, durably, unless this process
// has done so already, and returns its name within blobs.
func (s *Disk) makeBlobDir(id string) (string, error) {
	dir, err := blobDirName(id)
	if err != nil {
		return "", err
	}
	n, _ := strconv.ParseUint(dir, 16, 8)
	s.dirs.mu.Lock()
	defer s.dirs.mu.Unlock()
	if s.dirs.made[n] {
		return dir, nil
	}
	if err := s.blobs.Mkdir(dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("store: %w", err)
	}
	// Synced even when it existed: it may have been made just before a
	// crash, and not be durable yet.
	if err := syncDir(s.blobs, "."); err != nil {
		return "", err
	}
	s.dirs.made[n] = true
	return dir, nil
}

// syncDir fsyncs directory name of root.
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if err != nil {
		return fmt.Errorf("store: sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: sync dir %s: %w", name, err)
	}
	return nil
}
