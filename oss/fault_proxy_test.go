package oss_test

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// faultProxy is a TCP proxy between a client and the test server, for
// the faults an HTTP middleware cannot make: connections refused while
// the "server" is down, connections that accept and never answer, bytes
// that stop moving, or move slowly, in the middle of a body.
type faultProxy struct {
	target string // the server's address
	addr   string // the proxy's
	opts   proxyOptions
	closed chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	ln    net.Listener // nil while refusing
	n     int          // connections accepted
	conns map[net.Conn]struct{}
	done  bool
}

// proxyOptions shape what a faultProxy does.
type proxyOptions struct {
	// shape, when set, is asked what to do before each chunk forwarded on
	// connection conn (numbered from 1 in accept order) in direction dir,
	// off bytes into that direction's stream.
	shape func(conn int, dir proxyDir, off int64) proxyAction
	// blackhole accepts connections and reads them, but never forwards or
	// answers anything.
	blackhole bool
}

type proxyDir int

const (
	toServer proxyDir = iota
	toClient
)

// proxyAction is what a faultProxy does with the next chunk.
type proxyAction struct {
	pause time.Duration // wait this long first (forever: until either side closes)
	max   int           // forward at most this many bytes of the chunk; 0 for all
	reset bool          // reset both sides instead of forwarding
	down  time.Duration // with reset: refuse new connections for this long
}

// forever is a pause that lasts until the connection or the proxy closes.
const forever = time.Hour

// startProxy starts a proxy to target; it is closed when t ends, before
// any server started earlier in t.
func startProxy(t *testing.T, target string, opts proxyOptions) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{target: target, addr: ln.Addr().String(), opts: opts, closed: make(chan struct{}), ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// proxiedClient returns a client of env that goes through a proxy to env's
// server; adjust changes its Config.
func proxiedClient(t *testing.T, env *osstest.Env, opts proxyOptions, adjust func(*oss.Config)) (*oss.Client, *faultProxy) {
	t.Helper()
	p := startProxy(t, env.HTTP.Listener.Addr().String(), opts)
	cfg := env.Config
	cfg.Endpoint = "http://" + p.addr
	if adjust != nil {
		adjust(&cfg)
	}
	c, err := oss.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

// accepted is the number of connections accepted so far.
func (p *faultProxy) accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// refuse closes the listener, so that connecting fails with "connection
// refused", and listens again on the same port after d (never for d < 0).
func (p *faultProxy) refuse(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil || p.done {
		return
	}
	_ = p.ln.Close()
	p.ln = nil
	if d < 0 {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-p.closed:
			return
		case <-time.After(d):
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.done {
			return
		}
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			panic("proxy: listen again on " + p.addr + ": " + err.Error())
		}
		p.ln = ln
		p.wg.Add(1)
		go p.serve(ln)
	}()
}

func (p *faultProxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.done {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.n++
		n := p.n
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handle(n, c)
	}
}

// handle forwards connection n of a client, c, to a new connection to
// the server.
func (p *faultProxy) handle(n int, c net.Conn) {
	defer p.wg.Done()
	defer p.forget(c)
	if p.opts.blackhole {
		buf := make([]byte, 32<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(s) {
		return
	}
	defer p.forget(s)
	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done); _ = c.Close(); _ = s.Close() }) }
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(n, toServer, c, s, c, s, done); stop() })
	wg.Go(func() { p.pipe(n, toClient, s, c, c, s, done); stop() })
	wg.Wait()
}

func (p *faultProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// partition resets every open connection and refuses new ones for d: the
// network between client and server is gone until it heals.
func (p *faultProxy) partition(d time.Duration) {
	p.refuse(d)
	p.mu.Lock()
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		resetConn(c)
	}
}

func (p *faultProxy) forget(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// pipe copies src to dst as the shape says; client and server are the
// two ends, for a reset.
func (p *faultProxy) pipe(n int, dir proxyDir, src, dst, client, server net.Conn, done chan struct{}) {
	buf := make([]byte, 32<<10)
	var off int64
	for {
		k, err := src.Read(buf)
		for rem := buf[:k]; len(rem) > 0; {
			var act proxyAction
			if p.opts.shape != nil {
				act = p.opts.shape(n, dir, off)
			}
			if act.reset {
				resetConn(client)
				resetConn(server)
				if act.down != 0 {
					// A server that goes down takes every connection
					// with it, idle pooled ones included.
					p.partition(act.down)
				}
				return
			}
			if act.pause > 0 && !p.wait(done, act.pause) {
				return
			}
			m := len(rem)
			if act.max > 0 {
				m = min(m, act.max)
			}
			if _, err := dst.Write(rem[:m]); err != nil {
				return
			}
			rem, off = rem[m:], off+int64(m)
		}
		if err != nil {
			return
		}
	}
}

// wait waits d, and reports false if the connection or the proxy closed
// first.
func (p *faultProxy) wait(done chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-p.closed:
		return false
	case <-t.C:
		return true
	}
}

// resetConn closes c with a TCP reset.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func (p *faultProxy) close() {
	p.mu.Lock()
	p.done = true
	close(p.closed)
	if p.ln != nil {
		_ = p.ln.Close()
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
