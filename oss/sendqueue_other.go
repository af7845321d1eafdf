//go:build !linux

package oss

import "net"

// sendState cannot tell a socket's send queue on this platform: the wait
// for response headers is timed from the moment the transport has
// written the request.
func sendState(net.Conn) (sendProgress, bool) { return sendProgress{}, false }
