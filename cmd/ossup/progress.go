package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ossup/ossup/oss"
)

// progress renders transfer progress on stderr: a live bar (bytes, rate,
// ETA) on a terminal, a plain line every few seconds otherwise, nothing
// with -q. Bytes an earlier run already uploaded (resumed parts) are
// named in the description, not counted as transferred now.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	quiet    bool
	desc     string
	bar      *progressbar.ProgressBar
	started  bool
	base     int64 // bytes already done when the transfer started
	total    int64
	done     int64
	start    time.Time
	lastLine time.Time
}

// plainInterval is how often the non-terminal form prints a line.
const plainInterval = 2 * time.Second

func newProgress(w io.Writer, quiet bool, desc string) *progress {
	return &progress{w: w, quiet: quiet, desc: desc}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// update takes one progress event; it is safe for concurrent use.
func (p *progress) update(e oss.ProgressEvent) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		p.started, p.base, p.total, p.start = true, e.Done, e.Total, time.Now()
		p.lastLine = p.start
		desc := p.desc
		tty := isTerminal(p.w)
		if p.base > 0 {
			desc += fmt.Sprintf(" (resuming: %s of %s already uploaded)", humanize.IBytes(uint64(p.base)), humanize.IBytes(uint64(p.total)))
			if !tty {
				fmt.Fprintf(p.w, "ossup: %s\n", desc)
			}
		}
		if tty {
			p.bar = progressbar.NewOptions64(p.total-p.base,
				progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(desc),
				progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionShowTotalBytes(true), progressbar.OptionUseIECUnits(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(), progressbar.OptionSetRenderBlankState(true))
		}
	}
	p.done = e.Done
	if p.bar != nil {
		_ = p.bar.Set64(max(0, e.Done-p.base))
		return
	}
	if now := time.Now(); now.Sub(p.lastLine) >= plainInterval {
		p.lastLine = now
		p.line(now)
	}
}

// line prints the plain form: done, total, percentage and rate.
func (p *progress) line(now time.Time) {
	pct := 100.0
	if p.total > 0 {
		pct = float64(p.done) * 100 / float64(p.total)
	}
	rate := ""
	if secs := now.Sub(p.start).Seconds(); secs > 0 {
		rate = fmt.Sprintf(" %s/s", humanize.IBytes(uint64(float64(p.done-p.base)/secs)))
	}
	fmt.Fprintf(p.w, "ossup: %s: %s / %s (%.0f%%)%s\n", p.desc, humanize.IBytes(uint64(p.done)), humanize.IBytes(uint64(p.total)), pct, rate)
}

// finish ends the display.
func (p *progress) finish() {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return
	}
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
		return
	}
	p.line(time.Now())
}
