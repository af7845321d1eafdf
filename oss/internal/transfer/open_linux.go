//go:build linux

package transfer

import (
	"io/fs"
	"os"
	"syscall"
)

// openRead opens path for reading, as os.Open does but for one thing:
// os.Open offers every descriptor to the runtime's network poller, which
// costs a regular file four system calls (fcntl to set O_NONBLOCK, an
// epoll_ctl the kernel refuses, two fcntl to undo it); os.NewFile does
// not try. A tree of small files pays that on every file.
func openRead(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
