package main

import (
	"strings"
	"testing"
)

func TestFitLineNeverWider(t *testing.T) {
	labels := []string{"", "uploading a.bin", "uploading /very/long/path/" + strings.Repeat("directory/", 20) + "file.bin",
		"downloading oss://bucket/" + strings.Repeat("日本語", 30), "tab\there\x1b[2J"}
	stats := []string{" 42%", "126 MiB/300 MiB", "51 MiB/s", "ETA 3s"}
	for _, label := range labels {
		for _, frac := range []float64{-1, 0, 0.42, 1} {
			for cols := 0; cols <= 220; cols++ {
				got := fitLine(cols, "[3/120] ", label, frac, stats)
				if w := textWidth(got); w > cols {
					t.Fatalf("fitLine(%d, %q, %v) = %q: %d columns", cols, label, frac, got, w)
				}
				if strings.ContainsAny(got, "\t\x1b\n\r") {
					t.Fatalf("fitLine(%d) = %q keeps a control character", cols, got)
				}
			}
		}
	}
}

func TestFitLineLayout(t *testing.T) {
	long := "uploading /home/user/" + strings.Repeat("x", 100) + "/file.bin"
	stats := []string{" 42%", "126 MiB/300 MiB", "51 MiB/s", "ETA 3s"}
	tests := []struct {
		name     string
		cols     int
		label    string
		want     []string // substrings the line must hold
		dontWant []string
	}{
		{"short label, wide", 120, "uploading a.bin", []string{"[3/120] uploading a.bin [", "]  42% 126 MiB/300 MiB 51 MiB/s ETA 3s"}, []string{"…"}},
		{"long label, 79", 79, long, []string{"[3/120] uploading ", "…", "file.bin [", "ETA 3s"}, nil},
		{"long label, 39", 39, long, []string{"[3/120] upl", "…", " 42% 126 MiB/300 MiB"}, []string{"/s", " ["}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitLine(tt.cols, "[3/120] ", tt.label, 0.42, stats)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("fitLine = %q, want it to hold %q", got, w)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(got, w) {
					t.Errorf("fitLine = %q, want no %q", got, w)
				}
			}
		})
	}
}

func TestMiddle(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefgh", 5, "ab…gh"},
		{"abcdefgh", 4, "a…gh"},
		{"abcdefgh", 1, "…"},
		{"abcdefgh", 0, ""},
		{"日本語日本語", 7, "日…本語"},
	}
	for _, tt := range tests {
		if got := middle(tt.s, tt.n); got != tt.want {
			t.Errorf("middle(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
