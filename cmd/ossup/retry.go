package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/ossup/ossup/oss"
)

// retryNoticeInterval is the least time between two retry notices.
const retryNoticeInterval = time.Second

// retryNotice prints a line on stderr when a request is retried, so that a
// transfer riding out an outage does not look hung; at most one line a
// second however many parts retry at once.
type retryNotice struct {
	w   io.Writer
	tty bool // clear the progress bar's line first

	mu   sync.Mutex
	last time.Time
}

func newRetryNotice(w io.Writer) *retryNotice {
	return &retryNotice{w: w, tty: isTerminal(w)}
}

// event is an oss.Config.OnRetry; it is safe for concurrent use.
func (n *retryNotice) event(e oss.RetryEvent) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	if !n.last.IsZero() && now.Sub(n.last) < retryNoticeInterval {
		return
	}
	n.last = now
	if n.tty {
		fmt.Fprint(n.w, "\r\x1b[K")
	}
	fmt.Fprintf(n.w, "ossup: retrying %s after %s (attempt %d, waiting %v)\n", e.Op, failureKind(e.Err), e.Attempt, roundDelay(e.Delay))
}

// failureKind names what went wrong with an attempt in a few words.
func failureKind(err error) string {
	if se, ok := errors.AsType[*oss.StallError](err); ok {
		return fmt.Sprintf("a stall (no bytes moved for %v)", se.After)
	}
	if se, ok := errors.AsType[*oss.ServiceError](err); ok {
		return fmt.Sprintf("%s (status %d)", se.Code, se.StatusCode)
	}
	kinds := []struct {
		err  error
		kind string
	}{
		{syscall.ECONNREFUSED, "connection refused"},
		{syscall.ECONNRESET, "connection reset"},
		{syscall.ECONNABORTED, "connection aborted"},
		{syscall.EPIPE, "connection closed while sending"},
		{io.ErrUnexpectedEOF, "connection closed early"},
		{io.EOF, "connection closed early"},
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "a timeout"
	}
	return "a network error"
}

// roundDelay keeps a wait's display short: 1.2s, 350ms.
func roundDelay(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
