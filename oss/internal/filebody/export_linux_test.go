package filebody

import "testing"

func hasMap() bool { return true }

func setWindow(t *testing.T, n int64) {
	old := mapWindow
	mapWindow = n
	t.Cleanup(func() { mapWindow = old })
}

func setMappedHook(t *testing.T, fn func()) {
	testHookMapped = fn
	t.Cleanup(func() { testHookMapped = nil })
}
