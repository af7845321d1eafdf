//go:build !linux

package filebody

import "testing"

func hasMap() bool                          { return false }
func setWindow(*testing.T, int64)           {}
func setMappedHook(t *testing.T, fn func()) {}
