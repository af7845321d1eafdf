//go:build !amd64 || purego

package crc64

import "testing"

// implementations returns every update implementation of variant v: the
// dispatching one and the portable one, which are the same code without
// assembly.
func implementations(t testing.TB, v *variant) []impl {
	t.Helper()
	m := v.m
	return []impl{
		{"dispatch", v.update},
		{"generic", func(crc uint64, p []byte) uint64 { return updateGeneric(m, crc, p) }},
	}
}
