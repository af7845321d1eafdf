package main

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flush timer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBatchOutputKeepsOrder: lines to stdout wait, but never behind a
// later write to stderr, and all are out after flush.
func TestBatchOutputKeepsOrder(t *testing.T) {
	var both syncBuffer // stdout and stderr sharing one file
	out, errOut, flush := batchOutput(&both, &both)
	fmt.Fprintln(out, "file 1")
	fmt.Fprintln(out, "file 2")
	if got := both.String(); got != "" {
		t.Errorf("written before any flush: %q", got)
	}
	fmt.Fprintln(errOut, "failure 3")
	fmt.Fprintln(out, "file 4")
	fmt.Fprintln(out, "summary")
	flush()
	if got, want := both.String(), "file 1\nfile 2\nfailure 3\nfile 4\nsummary\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestBatchOutputFlushesInTime: a line is out within batchFlushDelay
// even when nothing follows it.
func TestBatchOutputFlushesInTime(t *testing.T) {
	var stdout, stderr syncBuffer
	out, _, flush := batchOutput(&stdout, &stderr)
	defer flush()
	fmt.Fprintln(out, "file 1")
	deadline := time.Now().Add(10 * batchFlushDelay)
	for stdout.String() != "file 1\n" {
		if time.Now().After(deadline) {
			t.Fatalf("after %v stdout holds %q", 10*batchFlushDelay, stdout.String())
		}
		time.Sleep(batchFlushDelay / 10)
	}
	fmt.Fprintln(out, "file 2") // a second block, after the first was written
	flush()
	if got := stdout.String(); got != "file 1\nfile 2\n" {
		t.Errorf("got %q", got)
	}
}
