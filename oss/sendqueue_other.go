//go:build !linux

package oss

import "net"

// unsentBytes cannot tell the size of a socket's send queue on this
// platform: the wait for response headers is timed from the moment the
// transport has written the request.
func unsentBytes(net.Conn) (int, bool) { return 0, false }
