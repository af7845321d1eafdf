package oss_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// promptly bounds how long a call may take to return once its context is
// done. It only decides failure: the tests never wait for it to pass.
const promptly = 10 * time.Second

// stall makes a handler hang: it returns when the client goes away or
// the test ends, whichever comes first.
type stall struct {
	arrived chan struct{} // receives once per stalled request
	release chan struct{} // closed when the test ends
}

func newStall() *stall {
	return &stall{arrived: make(chan struct{}, 8), release: make(chan struct{})}
}

// start must be called after osstest.Start: cleanups run last-in
// first-out, and the handlers must return before the server can close.
func (s *stall) start(t *testing.T) {
	t.Cleanup(func() { close(s.release) })
}

// hang reads n bytes of the request body, signals that the request
// arrived, and waits. Then it drops the connection, so that the server
// does not linger over the unread rest of the body.
func (s *stall) hang(n int64, w http.ResponseWriter, r *http.Request) {
	_, _ = io.CopyN(io.Discard, r.Body, n)
	s.arrived <- struct{}{}
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// zeroReaderAt is an endless io.ReaderAt of zero bytes.
type zeroReaderAt struct{}

func (zeroReaderAt) ReadAt(p []byte, _ int64) (int, error) {
	clear(p)
	return len(p), nil
}

func TestRetrySlowServer(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	s := newStall()
	data := faultData(100<<10, 8)
	f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n > 1 {
			return false
		}
		s.hang(int64(len(data)), w, r) // the whole body, then no answer
		return true
	}}
	env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: func(cfg *oss.Config) {
		quickRetries(cfg)
		cfg.ReadTimeout = readTimeout
	}})
	s.start(t)
	start := time.Now()
	if _, err := faultPut(t, env, "obj", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if elapsed := time.Since(start); elapsed < readTimeout {
		t.Errorf("PutObject returned after %v, before the read timeout of %v", elapsed, readTimeout)
	}
	seen := f.seen()
	checkFaultAttempts(t, seen, 2, int64(len(data)))
	checkFaultResent(t, seen, data)
	if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) {
		t.Errorf("the stored object differs from the bytes sent")
	}
}

var errFaultStop = errors.New("stopped by the test")

func TestCancelInFlight(t *testing.T) {
	calls := []struct {
		name  string
		match func(*http.Request) bool
		read  int64 // bytes of the body the stalled server reads
		call  func(ctx context.Context, env *osstest.Env) error
	}{
		{
			name: "awaiting the answer", match: getsOf("obj"),
			call: func(ctx context.Context, env *osstest.Env) error {
				res, err := env.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: "obj"})
				if err == nil {
					res.Body.Close()
				}
				return err
			},
		},
		{
			// 1 GiB cannot fit in the socket buffers: the client is still
			// sending when the context ends.
			name: "sending the body", match: putsTo("obj"), read: 1,
			call: func(ctx context.Context, env *osstest.Env) error {
				_, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: io.NewSectionReader(zeroReaderAt{}, 0, 1<<30), Size: 1 << 30})
				return err
			},
		},
	}
	ends := []struct {
		name string
		// end makes ctx done once the request has arrived (a deadline
		// ends it by itself) and returns the errors err must match.
		ctx func(parent context.Context) (ctx context.Context, end func(), want []error)
	}{
		{"cancel", func(parent context.Context) (context.Context, func(), []error) {
			ctx, cancel := context.WithCancel(parent)
			return ctx, cancel, []error{context.Canceled}
		}},
		{"cancel with a cause", func(parent context.Context) (context.Context, func(), []error) {
			ctx, cancel := context.WithCancelCause(parent)
			return ctx, func() { cancel(errFaultStop) }, []error{context.Canceled, errFaultStop}
		}},
		{"deadline", func(parent context.Context) (context.Context, func(), []error) {
			ctx, cancel := context.WithTimeout(parent, 300*time.Millisecond)
			context.AfterFunc(parent, cancel)
			return ctx, func() {}, []error{context.DeadlineExceeded}
		}},
	}
	for _, c := range calls {
		for _, e := range ends {
			t.Run(c.name+"/"+e.name, func(t *testing.T) {
				s := newStall()
				f := &faultRecorder{match: c.match, fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
					s.hang(c.read, w, r)
					return true
				}}
				env := osstest.Start(t, osstest.Options{Middleware: f.middleware})
				s.start(t)
				ctx, end, want := e.ctx(t.Context())
				done := make(chan error, 1)
				go func() { done <- c.call(ctx, env) }()
				select {
				case <-s.arrived:
				case err := <-done:
					t.Fatalf("the call returned %v before the server answered", err)
				}
				end()
				var err error
				select {
				case err = <-done:
				case <-time.After(promptly):
					t.Fatalf("the call did not return within %v of its context ending", promptly)
				}
				for _, w := range want {
					if !errors.Is(err, w) {
						t.Errorf("errors.Is(%v, %v) = false", err, w)
					}
				}
				if got := len(f.seen()); got != 1 {
					t.Errorf("server saw %d attempts, want 1: nothing is retried once the context is done", got)
				}
			})
		}
	}
}
