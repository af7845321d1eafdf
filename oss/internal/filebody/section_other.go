//go:build !linux

package filebody

import (
	"io"
	"os"
)

// scan reads the range: no memory map here.
func scan(f *os.File, off, size int64, fn func([]byte)) error { return readScan(f, off, size, fn) }

// reopen has no way to give the range its own offset here.
func reopen(*os.File, int64, int64) io.ReadCloser { return nil }
