package oss

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendState is what the socket under c tells of the bytes the client
// wrote: the size of its send queue (written, not yet acknowledged by the
// peer) and, for TCP, the count of bytes the peer has acknowledged. A slow
// link drains the queue long after the transport finished writing the
// request, and a body sent by sendfile(2) moves without the program
// reading it; either number changing is progress. ok is false where
// neither could be told.
func sendState(c net.Conn) (s sendProgress, ok bool) {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = u.NetConn()
	}
	sc, isSC := c.(syscall.Conn)
	if !isSC {
		return s, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return s, false
	}
	err = raw.Control(func(fd uintptr) {
		var n int32
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
		if errno == 0 {
			s.unsent, ok = int(n), true
		}
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			s.acked, ok = info.Bytes_acked, true
		}
	})
	if err != nil {
		return sendProgress{}, false
	}
	return s, ok
}
