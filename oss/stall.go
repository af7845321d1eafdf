package oss

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// StallError is the failure of an attempt on which no bytes moved for
// Config.StallTimeout (or, awaiting the response headers, for
// Config.ReadTimeout). The send loop retries it as a network error; a
// Read of a response body returned to the caller fails with it, and the
// caller may resume with a Range from the bytes it has.
type StallError struct {
	// Phase is what the attempt was doing: "sending the request",
	// "awaiting the response" or "reading the response body".
	Phase string
	// After is how long no bytes moved.
	After time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("stalled: no bytes moved for %v while %s", e.After, e.Phase)
}

// Timeout reports true: a stall is a timeout, as net.Error means it.
func (e *StallError) Timeout() bool { return true }

// Temporary reports true, for net.Error.
func (e *StallError) Temporary() bool { return true }

// The phases of an attempt the stall watch tells apart.
const (
	phaseSending  = iota // until the request is written
	phaseAwaiting        // until the response headers come
	phaseReading         // the response body
)

var phaseNames = [...]string{"sending the request", "awaiting the response", "reading the response body"}

// stallWatch watches one attempt for progress and cancels it (with a
// *StallError as the cause) when there is none for too long. Progress is
// bytes moving: request body bytes taken by the transport, the socket's
// send queue draining or the peer acknowledging bytes (where the platform
// tells, see sendState), response
// body bytes delivered. While the response body is read, only time spent
// inside a Read counts: a caller that pauses is not a stalled network.
// Nor does the wait for a connection (at Config.MaxConnsPerHost every
// connection may be busy with other requests): the clock starts when the
// attempt has one.
// A timer polls every quarter of the limit, so a stall is seen between one
// and one and a quarter limits after the last progress.
type stallWatch struct {
	stall, await time.Duration // the limits: sending and reading, awaiting the headers
	cancel       context.CancelCauseFunc

	mu      sync.Mutex
	phase   int
	last    time.Time    // of the last progress, or the start of a wait
	reads   int          // Reads of the response body in progress
	waiting bool         // for a connection, from the pool or dialed
	conn    net.Conn     // the attempt's connection, once it has one
	sent    sendProgress // the last state seen of conn's socket
	timer   *time.Timer
	stopped bool
	err     *StallError // set when the watch fired
}

// newStallWatch starts watching an attempt that cancel ends.
func newStallWatch(stall, await time.Duration, cancel context.CancelCauseFunc) *stallWatch {
	w := &stallWatch{stall: stall, await: await, cancel: cancel, last: time.Now(), sent: unseen}
	w.timer = time.AfterFunc(w.period(), w.check)
	return w
}

func (w *stallWatch) period() time.Duration {
	return max(min(w.stall, w.await)/4, time.Millisecond)
}

// sendProgress is the state of a socket's sending side (see sendState).
type sendProgress struct {
	unsent int    // bytes in the send queue
	acked  uint64 // bytes the peer acknowledged, 0 where not told
}

// unseen is no state seen yet: any first probe differs from it.
var unseen = sendProgress{unsent: -1}

// check runs on the timer: it probes the send queue, fires when the limit
// of the phase has passed without progress, and otherwise waits again.
func (w *stallWatch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	now := time.Now()
	if w.phase != phaseReading && w.conn != nil {
		if st, ok := sendState(w.conn); ok && st != w.sent {
			w.sent, w.last = st, now
		}
	}
	limit := w.stall
	if w.phase == phaseAwaiting {
		limit = w.await
	}
	idle := w.waiting || w.phase == phaseReading && w.reads == 0
	if !idle && now.Sub(w.last) >= limit {
		w.err = &StallError{Phase: phaseNames[w.phase], After: limit}
		w.stopped = true
		w.cancel(w.err)
		return
	}
	w.timer.Reset(w.period())
}

// progress records that bytes moved.
func (w *stallWatch) progress() {
	w.mu.Lock()
	w.last = time.Now()
	w.mu.Unlock()
}

// setPhase records a new phase; its clock starts now.
func (w *stallWatch) setPhase(p int) {
	w.mu.Lock()
	w.phase, w.last = p, time.Now()
	w.mu.Unlock()
}

// awaitConn records that the attempt waits for a connection; the watch
// does not count the wait.
func (w *stallWatch) awaitConn() {
	w.mu.Lock()
	w.waiting = true
	w.mu.Unlock()
}

// setConn gives the watch the attempt's connection, whose send queue it
// then probes; the clock of the phase starts again.
func (w *stallWatch) setConn(c net.Conn) {
	w.mu.Lock()
	w.conn, w.sent, w.waiting, w.last = c, unseen, false, time.Now()
	w.mu.Unlock()
}

// beginRead and endRead bracket a Read of the response body; endRead
// returns the *StallError when the watch has fired.
func (w *stallWatch) beginRead() {
	w.mu.Lock()
	if w.reads == 0 {
		w.last = time.Now()
	}
	w.reads++
	w.mu.Unlock()
}

func (w *stallWatch) endRead(n int) *StallError {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reads--
	if n > 0 {
		w.last = time.Now()
	}
	return w.err
}

// stop ends the watch and returns the *StallError if it fired first.
func (w *stallWatch) stop() *StallError {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.timer.Stop()
	w.conn = nil
	return w.err
}

// watchedBody is a response body under a stall watch. Its Reads fail with
// the *StallError once the watch fires; Close ends the watch and the
// attempt's context.
type watchedBody struct {
	rc   io.ReadCloser
	w    *stallWatch
	op   *operation // names the request in the error
	once sync.Once
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.w.beginRead()
	n, err := b.rc.Read(p)
	if se := b.w.endRead(n); se != nil && err != nil && err != io.EOF {
		return n, b.op.wrap(se)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		b.w.stop()
		b.w.cancel(nil)
	})
	return err
}
