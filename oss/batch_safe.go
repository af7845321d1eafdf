package oss

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// prepareTreePath makes the folders between dir and the file rel (a
// local, slash-separated path; ending in "/", a folder to make) and refuses rel when any of them, the file
// itself or its partial file is a symbolic link, or a folder is not one:
// a tree download never writes through a link planted in the destination,
// whatever it points at. The folders are made and checked inside an
// os.Root, so no step leaves dir; dir itself is made if missing and may
// be a link, the caller's choice.
func prepareTreePath(dir, rel string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	parts := strings.Split(rel, "/")
	for i := range parts[:len(parts)-1] {
		p := filepath.Join(parts[:i+1]...)
		st, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			if err := root.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			st, err = root.Lstat(p)
		}
		if err != nil {
			return err
		}
		if !st.IsDir() {
			return fmt.Errorf("%w: %s is not a folder", ErrInvalidArgument, filepath.Join(dir, p))
		}
	}
	if strings.HasSuffix(rel, "/") {
		return nil // a folder, made above
	}
	file := filepath.FromSlash(rel)
	for _, p := range []string{file, file + transfer.PartialSuffix} {
		st, err := root.Lstat(p)
		if err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s is a symbolic link; a download does not write through one", ErrInvalidArgument, filepath.Join(dir, p))
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
