package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// batchFlushDelay is the longest a batch's line waits in batchOutput's
// buffer before it is written.
const batchFlushDelay = 100 * time.Millisecond

// batchOutput returns the writers a batch command (cp -r, sync) prints
// through, and the function that writes out what is left; call it before
// returning. When stdout is a terminal they are stdout and stderr as
// they are. Otherwise the lines for the files, one per file, are
// gathered and written in blocks: a tree of small files would otherwise
// cost one write system call per file. A line is written within
// batchFlushDelay, or sooner when 32 KiB have gathered; and before
// anything goes to stderr (unless stderr is a terminal, whose display
// must stay one), so that the two streams keep their order when they
// share a file.
func batchOutput(stdout, stderr io.Writer) (out, errOut io.Writer, flush func()) {
	if isTerminal(stdout) {
		return stdout, stderr, func() {}
	}
	b := &lineBuffer{w: bufio.NewWriterSize(stdout, 32<<10)}
	errOut = stderr
	if !isTerminal(stderr) {
		errOut = flushFirst{b, stderr}
	}
	return b, errOut, b.flush
}

// lineBuffer is batchOutput's buffered stdout.
type lineBuffer struct {
	mu    sync.Mutex
	w     *bufio.Writer
	timer *time.Timer // armed while lines wait
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.w.Write(p)
	if b.w.Buffered() > 0 && b.timer == nil {
		b.timer = time.AfterFunc(batchFlushDelay, b.flush)
	}
	return n, err
}

// flush writes out the lines waiting.
func (b *lineBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	_ = b.w.Flush()
}

// flushFirst writes to w after writing out b's lines.
type flushFirst struct {
	b *lineBuffer
	w io.Writer
}

func (f flushFirst) Write(p []byte) (int, error) {
	f.b.flush()
	return f.w.Write(p)
}
