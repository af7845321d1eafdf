package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
)

// TestProgressPlain drives the plain form: the count never moves back,
// stays below 100% until success, and a failure's line ends where the
// transfer stood.
func TestProgressPlain(t *testing.T) {
	tests := []struct {
		name   string
		events []int64
		err    error
		want   string // the last line
	}{
		{"success", []int64{0, 60, 100}, nil, "ossup: [2/9] f: 100 B / 100 B (100%)"},
		{"read to the end, then failed", []int64{0, 60, 100}, errors.New("x"), "ossup: [2/9] f: 100 B / 100 B (99%)"},
		{"a part taken back", []int64{0, 60, 20}, errors.New("x"), "ossup: [2/9] f: 60 B / 100 B (60%)"},
		{"resumed", []int64{40}, errors.New("x"), "ossup: [2/9] f: 40 B / 100 B (40%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newProgress(&b, false, "f")
			p.setPrefix("[2/9] ")
			for _, d := range tt.events {
				p.update(oss.ProgressEvent{Done: d, Total: 100})
			}
			p.finish(tt.err)
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if got := lines[len(lines)-1]; !strings.HasPrefix(got, tt.want) {
				t.Errorf("last line %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProgressQuiet(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true, "f")
	p.update(oss.ProgressEvent{Done: 5, Total: 10})
	p.finish(nil)
	if b.Len() != 0 {
		t.Errorf("-q printed %q", b.String())
	}
}

func TestProgressNeverStarted(t *testing.T) {
	var b bytes.Buffer
	newProgress(&b, false, "f").finish(errors.New("x"))
	if b.Len() != 0 {
		t.Errorf("a transfer that never started printed %q", b.String())
	}
}

// TestProgressAround: on a terminal a line printed during the display
// clears the progress line first and has it redrawn after.
func TestProgressAround(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, false, "f")
	p.tty, p.fd = true, -1 // no size: 80 columns
	p.update(oss.ProgressEvent{Done: 1, Total: 10})
	fmt.Fprintln(p.around(&b), "a file")
	p.finish(nil)
	got := b.String()
	i := strings.Index(got, "\r\x1b[Ka file\n")
	if i <= 0 || !strings.Contains(got[i+len("\r\x1b[Ka file\n"):], "\r") {
		t.Errorf("got %q, want the line cleared, the text, then a redraw", got)
	}
	b.Reset()
	fmt.Fprintln(p.around(&b), "after")
	if b.String() != "after\n" {
		t.Errorf("after finish: %q, want the line alone", b.String())
	}
}
