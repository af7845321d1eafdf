package store

import (
	"testing"
	"time"
)

func TestLifecycleWhenDue(t *testing.T) {
	mod := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	midnight := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name     string
		w        LifecycleWhen
		mod, now time.Time
		want     bool
	}{
		{"no action", LifecycleWhen{}, mod, mod.Add(1000 * day), false},
		{"days: exactly", LifecycleWhen{Days: 3}, mod, mod.Add(3 * day), false},
		{"days: a nanosecond after", LifecycleWhen{Days: 3}, mod, mod.Add(3*day + 1), true},
		{"days beyond a Duration", LifecycleWhen{Days: int(maxWhenDays) + 1}, time.Time{}, mod, false},
		{"before: earlier", LifecycleWhen{Before: midnight}, midnight.Add(-1), mod, true},
		{"before: at", LifecycleWhen{Before: midnight}, midnight, midnight.Add(100 * day), false},
		{"date: not yet", LifecycleWhen{Date: midnight}, mod, midnight.Add(-1), false},
		{"date: come, for a newer object too", LifecycleWhen{Date: midnight}, midnight.Add(day), midnight, true},
	}
	for _, tc := range tests {
		if got := tc.w.Due(tc.mod, tc.now); got != tc.want {
			t.Errorf("%s: Due = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLifecycleRuleSelects(t *testing.T) {
	r := LifecycleRule{
		Prefix: "logs/",
		Tags:   []LifecycleTag{{"env", "dev"}, {"team", ""}},
		Not:    []LifecycleNot{{Prefix: "logs/keep/"}, {Prefix: "logs/pin", Tag: &LifecycleTag{"pin", "yes"}}},
	}
	all := map[string]string{"env": "dev", "team": ""}
	tests := []struct {
		key  string
		tags map[string]string
		want bool
	}{
		{"logs/a", all, true},
		{"logs/a", map[string]string{"env": "dev", "team": "", "more": "x"}, true},
		{"logs/a", map[string]string{"env": "dev"}, false},              // a tag missing
		{"logs/a", map[string]string{"env": "prod", "team": ""}, false}, // a value differs
		{"other/a", all, false},
		{"logs/keep/a", all, false},
		{"logs/pinned", all, true}, // the Not names a tag it does not carry
		{"logs/pinned", map[string]string{"env": "dev", "team": "", "pin": "yes"}, false},
	}
	for _, tc := range tests {
		if got := r.Selects(Object{Key: tc.key, Meta: Metadata{Tags: tc.tags}}); got != tc.want {
			t.Errorf("Selects(%s, %v) = %v, want %v", tc.key, tc.tags, got, tc.want)
		}
	}
}
