//go:build !linux

package filebody

import (
	"io"
	"os"
)

// checksum reads the range: no memory map here.
func checksum(f *os.File, off, size int64) (uint64, error) { return readChecksum(f, off, size) }

// reopen has no way to give the range its own offset here.
func reopen(*os.File, int64, int64) io.ReadCloser { return nil }
