package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// DefaultMaxUnauthenticatedConns is how many connections may be open at
// once before any request on them has been authorised.
const DefaultMaxUnauthenticatedConns = 512

// connTracker bounds the connections that have not yet carried an
// authorised request: a client that opens connections and sends nothing
// useful cannot take every file descriptor. At the cap, a new connection
// closes the oldest untrusted one, so that a real client still gets in
// while hostile ones cycle. A connection leaves the count once a request
// on it is authorised (signed, or allowed anonymously by an ACL) and when
// it closes.
type connTracker struct {
	max int

	mu     sync.Mutex
	unauth int
	seq    uint64
	conns  map[net.Conn]*connInfo
}

type connInfo struct {
	t       *connTracker
	c       net.Conn
	seq     uint64 // accept order
	counted bool   // counts toward unauth
}

type connKey struct{}

func newConnTracker(max int) *connTracker {
	return &connTracker{max: max, conns: make(map[net.Conn]*connInfo)}
}

// context attaches the connection's record to the contexts of its requests.
func (t *connTracker) context(ctx context.Context, c net.Conn) context.Context {
	ci := &connInfo{t: t, c: c}
	t.mu.Lock()
	t.seq++
	ci.seq = t.seq
	t.conns[c] = ci
	t.mu.Unlock()
	return context.WithValue(ctx, connKey{}, ci)
}

// state counts new connections, makes room for them at the cap, and
// forgets closed ones.
func (t *connTracker) state(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ci := t.conns[c]
	if ci == nil {
		return
	}
	switch st {
	case http.StateNew:
		if t.unauth >= t.max {
			t.evictOldest()
		}
		t.unauth++
		ci.counted = true
	case http.StateClosed, http.StateHijacked:
		if ci.counted {
			t.unauth--
			ci.counted = false
		}
		delete(t.conns, c)
	}
}

// evictOldest closes the oldest untrusted connection and stops counting
// it; its goroutine reports it closed later. t.mu is held.
func (t *connTracker) evictOldest() {
	var oldest *connInfo
	for _, ci := range t.conns {
		if ci.counted && (oldest == nil || ci.seq < oldest.seq) {
			oldest = ci
		}
	}
	if oldest == nil {
		return
	}
	oldest.counted = false
	t.unauth--
	_ = oldest.c.Close()
}

// trusted takes the connection of ctx out of the unauthenticated count.
func trusted(ctx context.Context) {
	ci, _ := ctx.Value(connKey{}).(*connInfo)
	if ci == nil {
		return
	}
	t := ci.t
	t.mu.Lock()
	if ci.counted {
		t.unauth--
		ci.counted = false
	}
	t.mu.Unlock()
}

// unauthenticated reports how many connections are open and not yet
// trusted.
func (t *connTracker) unauthenticated() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unauth
}

// watchedBody records whether a request body was read to its end, so that
// a connection whose body was left unread is closed after the answer
// instead of being drained without bound. At the end of the body it lifts
// the read deadline: Go's server keeps reading the connection in the
// background while the handler works (to notice a client that hangs up),
// and a deadline expiring there would cancel a request that is merely
// slow to finish (a commit waiting for the disk).
type watchedBody struct {
	io.ReadCloser
	rc  *http.ResponseController
	eof bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.eof {
		b.eof = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// consumed reports whether nothing of the body is left unread.
func (b *watchedBody) consumed(r *http.Request) bool {
	return b.eof || r.ContentLength == 0 || r.Body == http.NoBody
}

// isTimeout reports whether err is a read or write deadline expiring: a
// client that stalled.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// isDisconnect reports whether err is the client going away mid-request.
func isDisconnect(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.Canceled) || errors.Is(err, http.ErrBodyReadAfterClose)
}

// drainGrace bounds how long the rest of an unread request body may take
// to arrive after the request has been refused.
const drainGrace = 5 * time.Second

// now is time.Now, for deadlines (never the configurable clock, which
// tests move).
var now = time.Now
