//go:build !amd64 || purego

package crc64

import "testing"

// implementations returns every update implementation: the dispatching one
// and the portable one, which are the same code without assembly.
func implementations(t testing.TB) []impl {
	t.Helper()
	return []impl{{"dispatch", Update}, {"generic", updateGeneric}}
}
