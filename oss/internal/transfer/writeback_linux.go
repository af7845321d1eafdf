package transfer

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the n bytes of f at off
// to disk, without waiting for them. A download calls it for each range
// it finishes, so that the disk writes go on while later ranges arrive
// and the fsync before the final rename has only the last ones to wait
// for. It is advice: errors are ignored, and the fsync still makes the
// file durable.
func startWriteback(f *os.File, off, n int64) {
	sc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = sc.Control(func(fd uintptr) {
		_ = unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}
