//go:build !linux

package transfer

import "os"

// openRead opens path for reading; see the Linux version.
func openRead(path string) (*os.File, error) { return os.Open(path) }
