package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"golang.org/x/term"

	"github.com/ossup/ossup/oss"
)

// progress renders one transfer's progress on stderr. On a terminal it
// is a single line, redrawn in place and never wider than the terminal
// (the width is asked for at every redraw, so a resize takes effect at
// the next one); elsewhere it is a plain line every plainInterval and a
// final one; with -q nothing.
//
// The figures are the whole file's: bytes an earlier run uploaded count
// as done. They never move backwards (a part that failed and is sent
// again is not subtracted), and 100% is shown only once the transfer has
// returned successfully: the engine counts an upload's bytes as they are
// read into the connection, before the service has acknowledged them.
//
// A batch (many files in one command) makes one progress per file and
// calls setPrefix with something like "[3/120] ", which is drawn before
// the label and kept when the label must be shortened.
type progress struct {
	w     io.Writer
	quiet bool
	fd    int  // w's descriptor when it is a terminal
	tty   bool // w is a terminal

	mu      sync.Mutex
	prefix  string
	label   string
	started bool
	base    int64 // bytes already done when the transfer started
	total   int64 // bytes; -1 when unknown
	done    int64 // the most bytes reported so far
	ok      bool  // the transfer returned successfully
	ended   bool  // finish has run
	start   time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

const (
	// plainInterval is how often the non-terminal form prints a line.
	plainInterval = 3 * time.Second
	// ttyInterval is how often the terminal line is redrawn.
	ttyInterval = 150 * time.Millisecond
)

func newProgress(w io.Writer, quiet bool, label string) *progress {
	p := &progress{w: w, quiet: quiet, label: label, stop: make(chan struct{})}
	if isTerminal(w) {
		p.fd, p.tty = int(w.(*os.File).Fd()), true
	}
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// setPrefix sets text drawn before the label, such as "[3/120] " for the
// third file of a batch of 120; it shows from the next redraw.
func (p *progress) setPrefix(prefix string) {
	p.mu.Lock()
	p.prefix = prefix
	p.mu.Unlock()
}

// setLabel replaces the label, such as a batch's current file; it shows
// from the next redraw.
func (p *progress) setLabel(label string) {
	p.mu.Lock()
	p.label = label
	p.mu.Unlock()
}

// around returns a writer for lines printed while the display runs
// (a batch's per-file lines and failures): on a terminal each write
// clears the progress line first and redraws it after, so the lines
// scroll above it instead of breaking it.
func (p *progress) around(w io.Writer) io.Writer { return aroundWriter{p, w} }

type aroundWriter struct {
	p *progress
	w io.Writer
}

func (a aroundWriter) Write(b []byte) (int, error) {
	p := a.p
	p.mu.Lock()
	defer p.mu.Unlock()
	live := p.tty && !p.quiet && p.started && !p.ended
	if live {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	n, err := a.w.Write(b)
	if live {
		p.draw(time.Now())
	}
	return n, err
}

// update takes one progress event; it is safe for concurrent use. The
// first event starts the display.
func (p *progress) update(e oss.ProgressEvent) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		p.started, p.base, p.total, p.done, p.start = true, e.Done, e.Total, e.Done, time.Now()
		if p.tty || p.base > 0 {
			p.draw(time.Now())
		}
		interval := plainInterval
		if p.tty {
			interval = ttyInterval
		}
		p.wg.Go(func() { p.tick(interval) })
		return
	}
	p.done = max(p.done, e.Done)
}

// tick redraws every interval until finish.
func (p *progress) tick(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			p.draw(now)
			p.mu.Unlock()
		}
	}
}

// finish ends the display: with err nil at 100%, otherwise where it
// stood, so that the error printed next starts on a line of its own.
func (p *progress) finish(err error) {
	if p.quiet {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return
	}
	p.ended = true
	if err == nil {
		p.ok = true
		if p.total >= 0 {
			p.done = p.total
		}
	}
	p.draw(time.Now())
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// draw prints the current state once; p.mu is held.
func (p *progress) draw(now time.Time) {
	if !p.tty {
		p.plainLine(now)
		return
	}
	width := 80
	if w, _, err := term.GetSize(p.fd); err == nil && w > 0 {
		width = w
	}
	fmt.Fprint(p.w, "\r"+fitLine(width-1, p.prefix, p.label, p.fraction(), p.stats(now))+"\x1b[K")
}

// plainLine prints the form for logs: "ossup: LABEL: DONE / TOTAL (PCT%) RATE".
func (p *progress) plainLine(now time.Time) {
	var b strings.Builder
	fmt.Fprintf(&b, "ossup: %s%s: %s", p.prefix, p.label, humanize.IBytes(uint64(p.done)))
	if f := p.fraction(); f >= 0 {
		fmt.Fprintf(&b, " / %s (%d%%)", humanize.IBytes(uint64(p.total)), int(f*100))
	}
	if secs := now.Sub(p.start).Seconds(); secs > 0 && p.done > p.base {
		fmt.Fprintf(&b, " %s/s", humanize.IBytes(uint64(float64(p.done-p.base)/secs)))
	}
	fmt.Fprintln(p.w, b.String())
}

// fraction is the share done, 0 to 1, below 1 until the transfer has
// succeeded; -1 when the total is unknown.
func (p *progress) fraction() float64 {
	if p.total < 0 {
		return -1
	}
	if p.total == 0 || p.ok {
		return 1
	}
	return min(float64(p.done)/float64(p.total), 0.999)
}

// stats are the figures after the label: percentage, bytes, rate and ETA,
// most important first.
func (p *progress) stats(now time.Time) []string {
	var s []string
	if f := p.fraction(); f >= 0 {
		s = append(s, fmt.Sprintf("%3d%%", int(f*100)))
	}
	bytes := humanize.IBytes(uint64(p.done))
	if p.total >= 0 { // padded to the total's width, so that the line holds still
		total := humanize.IBytes(uint64(p.total))
		bytes = fmt.Sprintf("%*s/%s", len(total), bytes, total)
	}
	s = append(s, bytes)
	secs := now.Sub(p.start).Seconds()
	if secs <= 0 || p.done <= p.base {
		return s
	}
	rate := float64(p.done-p.base) / secs
	s = append(s, fmt.Sprintf("%8s/s", humanize.IBytes(uint64(rate))))
	if p.total >= 0 && !p.ok && rate > 0 {
		eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
		s = append(s, "ETA "+eta.Round(time.Second).String())
	}
	return s
}
