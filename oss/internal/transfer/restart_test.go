package transfer

import (
	"testing"
)

// TestRestartReasonString: every reason has its own description, and a
// value outside the list says it is unknown.
func TestRestartReasonString(t *testing.T) {
	seen := map[string]RestartReason{}
	for r := RestartCheckpointCorrupt; int(r) < len(restartReasons); r++ {
		s := r.String()
		if s == "" || s == RestartReason(0).String() {
			t.Errorf("reason %d: description %q", r, s)
		}
		if o, ok := seen[s]; ok {
			t.Errorf("reasons %d and %d share the description %q", o, r, s)
		}
		seen[s] = r
	}
	if got, want := RestartReason(len(restartReasons)).String(), "unknown restart reason"; got != want {
		t.Errorf("reason past the list = %q, want %q", got, want)
	}
	if got := (&Restart{Reason: RestartUploadGone}).String(); got != RestartUploadGone.String() {
		t.Errorf("a restart without detail reads %q, want its reason", got)
	}
}
