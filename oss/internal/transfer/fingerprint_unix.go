//go:build linux

package transfer

import (
	"io/fs"
	"syscall"
)

// inodeCtime returns a file's inode number and status-change time (Unix
// nanoseconds). Writing to a file changes its ctime, and no system call
// sets it back (touch -d restores the mtime, not the ctime), so a file
// rewritten in place to the same size and mtime still shows it.
func inodeCtime(fi fs.FileInfo) (ino uint64, ctime int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return st.Ino, st.Ctim.Nano()
}
