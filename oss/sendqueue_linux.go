package oss

import (
	"net"
	"syscall"
	"unsafe"
)

// unsentBytes is the number of bytes in c's socket send queue (written by
// the client, not yet acknowledged by the peer), and whether it could be
// told. A slow link drains this queue long after the transport finished
// writing the request; its shrinking is progress.
func unsentBytes(c net.Conn) (int, bool) {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = u.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var n int32
	var errno syscall.Errno
	err = raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
	})
	if err != nil || errno != 0 {
		return 0, false
	}
	return int(n), true
}
