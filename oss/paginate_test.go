package oss

import (
	"errors"
	"testing"
)

// TestMarkerOrder checks which next markers each kind of marker accepts
// after the one just sent.
func TestMarkerOrder(t *testing.T) {
	tests := []struct {
		name   string
		step   markerStep
		wantOK bool
	}{
		{"key forward", pair(keyMarker("a"), keyMarker("b")), true},
		{"key from the start", pair(keyMarker(""), keyMarker("a")), true},
		{"key repeated", pair(keyMarker("b"), keyMarker("b")), false},
		{"key backwards", pair(keyMarker("b"), keyMarker("a")), false},
		{"key in byte order", pair(keyMarker("z"), keyMarker("ü")), true},
		{"key empty", pair(keyMarker("b"), keyMarker("")), false},
		{"token changed", pair(tokenMarker("x"), tokenMarker("a")), true},
		{"token repeated", pair(tokenMarker("x"), tokenMarker("x")), false},
		{"token empty", pair(tokenMarker("x"), tokenMarker("")), false},
		{"part forward", pair(partMarker(2), partMarker(4)), true},
		{"part repeated", pair(partMarker(4), partMarker(4)), false},
		{"part backwards", pair(partMarker(4), partMarker(3)), false},
		{"part none", pair(partMarker(4), partMarker(0)), false},
		{"upload next key", pair(uploadMarker{"a", "9"}, uploadMarker{"b", "1"}), true},
		{"upload same key, other id", pair(uploadMarker{"a", "9"}, uploadMarker{"a", "1"}), true},
		{"upload same key, same id", pair(uploadMarker{"a", "9"}, uploadMarker{"a", "9"}), false},
		{"upload past the key's uploads", pair(uploadMarker{"a", "9"}, uploadMarker{"a", ""}), true},
		{"upload back into a finished key", pair(uploadMarker{"a", ""}, uploadMarker{"a", "1"}), false},
		{"upload key backwards", pair(uploadMarker{"b", "1"}, uploadMarker{"a", "9"}), false},
		{"upload id without key", pair(uploadMarker{}, uploadMarker{"", "1"}), false},
		{"upload none", pair(uploadMarker{"a", "1"}, uploadMarker{}), false},
	}
	for _, tc := range tests {
		err := tc.step()
		if gotOK := err == nil; gotOK != tc.wantOK {
			t.Errorf("%s: error %v, want ok %v", tc.name, err, tc.wantOK)
		}
		if err != nil && !errors.Is(err, ErrPaginationStalled) {
			t.Errorf("%s: error %v does not wrap ErrPaginationStalled", tc.name, err)
		}
	}
}

// markerStep checks one step from a marker to the next.
type markerStep func() error

func pair[M pageMarker[M]](prev, next M) markerStep {
	return func() error { return advances("Test", prev, next) }
}
