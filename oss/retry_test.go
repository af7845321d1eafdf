package oss

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

// These tests drive the retry loop through a stub http.RoundTripper (no
// sockets) inside a synctest bubble, whose fake clock moves only when
// every goroutine waits: a backoff takes no real time and its length can
// be read off the clock exactly. fault_*_test.go repeat the important
// cases over loopback against the real server.

// stubAnswer is what the stub does with one attempt: read the request body
// (all of it, or only the first cut bytes when cut > 0), then fail with
// err or answer status (with an OSS error body for code). A 2xx answer
// carries the CRC-64 of the bytes read unless header sets one.
type stubAnswer struct {
	cut    int
	err    error
	status int
	code   string
	header http.Header
}

func stubOK() stubAnswer                           { return stubAnswer{status: http.StatusOK} }
func stubError(status int, code string) stubAnswer { return stubAnswer{status: status, code: code} }
func stubNetError(err error, cut int) stubAnswer   { return stubAnswer{err: err, cut: cut} }
func (a stubAnswer) with(k, v string) stubAnswer {
	a.header = http.Header{}
	a.header.Set(k, v)
	return a
}
func connReset(op string) *net.OpError { return opError(op, syscall.ECONNRESET) }
func opError(op string, e error) *net.OpError {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, e)}
}

// stubAttempt is what the stub saw of one attempt.
type stubAttempt struct {
	at            time.Time
	header        http.Header
	contentLength int64
	body          []byte
}

// stubScript is a stub RoundTripper that gives attempt n answers[n-1], the
// last answer repeating, and counts the response bodies left open.
type stubScript struct {
	answers []stubAnswer

	mu       sync.Mutex
	attempts []stubAttempt
	open     int
}

func (s *stubScript) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	a := s.answers[min(len(s.attempts), len(s.answers)-1)]
	s.mu.Unlock()
	var body []byte
	if req.Body != nil {
		var r io.Reader = req.Body
		if a.cut > 0 {
			r = io.LimitReader(r, int64(a.cut))
		}
		body, _ = io.ReadAll(r)
		req.Body.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, stubAttempt{at: time.Now(), header: req.Header.Clone(), contentLength: req.ContentLength, body: body})
	if a.err != nil {
		return nil, a.err
	}
	resp := &http.Response{StatusCode: a.status, Header: http.Header{}, Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	resp.Header.Set("x-oss-request-id", fmt.Sprintf("STUB%020d", len(s.attempts)))
	var rb string
	if a.status/100 == 2 {
		resp.Header.Set("x-oss-hash-crc64ecma", crc64.Format(crc64.Checksum(body)))
	} else {
		resp.Header.Set("Content-Type", "application/xml")
		rb = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + a.code + `</Code><Message>Stub.</Message></Error>`
	}
	for k, v := range a.header {
		resp.Header[k] = v
	}
	s.open++
	resp.Body = &stubBody{Reader: strings.NewReader(rb), s: s}
	return resp, nil
}

// seen returns the attempts so far.
func (s *stubScript) seen() []stubAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubAttempt(nil), s.attempts...)
}

// unclosed is the number of response bodies not closed.
func (s *stubScript) unclosed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

type stubBody struct {
	io.Reader
	s      *stubScript
	closed bool
}

func (b *stubBody) Close() error {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.s.open--
	}
	return nil
}

// stubClient returns a Client that sends through rt; cfg supplies the
// retry settings.
func stubClient(t *testing.T, cfg Config, rt http.RoundTripper) *Client {
	t.Helper()
	cfg.Endpoint = "http://127.0.0.1:9" // never dialled
	cfg.Region = "cn-hangzhou"
	cfg.Credentials = StaticCredentials{AccessKeyID: "LTAIstub", AccessKeySecret: "stub-secret"}
	cfg.HTTPClient = &http.Client{Transport: rt}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// timeoutError is a net.Error that timed out, as a dial or read deadline
// gives.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestRetryable(t *testing.T) {
	se := func(status int, code string) error { return &ServiceError{StatusCode: status, Code: code} }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"500 InternalError", se(500, "InternalError"), true},
		{"502 without a code", se(502, "BadErrorResponse"), true},
		{"503 ServiceUnavailable", se(503, "ServiceUnavailable"), true},
		{"504 without a code", se(504, "BadErrorResponse"), true},
		{"501 NotImplemented", se(501, "NotImplemented"), false},
		{"501 without a code", se(501, "BadErrorResponse"), false},
		{"408 RequestTimeout", se(408, "RequestTimeout"), true},
		{"429 TooManyRequests", se(429, "TooManyRequests"), true},
		{"503 SlowDown", se(503, "SlowDown"), true},
		{"403 RequestTimeTooSkewed", se(403, "RequestTimeTooSkewed"), true},
		{"400 RequestTimeout (S3 style)", se(400, "RequestTimeout"), true},
		{"400 SlowDown", se(400, "SlowDown"), true},
		{"400 InvalidArgument", se(400, "InvalidArgument"), false},
		{"403 AccessDenied", se(403, "AccessDenied"), false},
		{"403 SignatureDoesNotMatch", se(403, "SignatureDoesNotMatch"), false},
		{"404 NoSuchKey", se(404, "NoSuchKey"), false},
		{"404 NoSuchUpload", se(404, "NoSuchUpload"), false},
		{"409 FileAlreadyExists", se(409, "FileAlreadyExists"), false},
		{"203 CallbackFailed", se(203, "CallbackFailed"), false},
		{"wrapped 503", fmt.Errorf("upload part 7: %w", se(503, "ServiceUnavailable")), true},
		{"wrapped 404", fmt.Errorf("upload part 7: %w", se(404, "NoSuchUpload")), false},
		{"io.EOF", io.EOF, true},
		{"io.ErrUnexpectedEOF", io.ErrUnexpectedEOF, true},
		{"ECONNRESET", syscall.ECONNRESET, true},
		{"read: ECONNRESET", connReset("read"), true},
		{"write: EPIPE", opError("write", syscall.EPIPE), true},
		{"ECONNABORTED", syscall.ECONNABORTED, true},
		{"dial: ECONNREFUSED", opError("dial", syscall.ECONNREFUSED), true},
		{"ECONNREFUSED", syscall.ECONNREFUSED, true},
		{"net timeout", timeoutError{}, true},
		{"read: i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true},
		// The caller's own deadline is caught before the classifier; a
		// deadline the classifier sees is one attempt's (Client.Timeout).
		{"per-attempt deadline", context.DeadlineExceeded, true},
		{"stale keep-alive connection", &staleConnError{errors.New("http: server closed idle connection")}, true},
		{"context.Canceled", context.Canceled, false},
		{"ErrCRCMismatch", fmt.Errorf("%w: service has 1, client computed 2", ErrCRCMismatch), false},
		{"ErrInvalidArgument", ErrInvalidArgument, false},
		{"ErrNoCredentials", ErrNoCredentials, false},
		{"unknown authority", x509.UnknownAuthorityError{}, false},
		{"other error", errors.New("http: ContentLength=5 with Body length 4"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.want {
				t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
			// http.Client.Do returns every transport error as a *url.Error.
			ue := &url.Error{Op: "Put", URL: "http://127.0.0.1/b/k", Err: tt.err}
			if got := retryable(ue); got != tt.want {
				t.Errorf("retryable(%v) = %v, want %v", ue, got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		base, max time.Duration
		attempt   int
		full      time.Duration // the capped exponential; the wait is at most that
	}{
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 1, full: 200 * time.Millisecond},
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 2, full: 400 * time.Millisecond},
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 3, full: 800 * time.Millisecond},
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 7, full: 12800 * time.Millisecond},
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 8, full: 20 * time.Second},
		{base: 200 * time.Millisecond, max: 20 * time.Second, attempt: 1000, full: 20 * time.Second},
		{base: time.Second, max: 3 * time.Second, attempt: 3, full: 3 * time.Second},
		{base: time.Second, max: 500 * time.Millisecond, attempt: 1, full: 500 * time.Millisecond},
		{base: time.Nanosecond, max: time.Nanosecond, attempt: 5, full: time.Nanosecond},
		// No overflow on the way to a huge cap.
		{base: time.Second, max: math.MaxInt64, attempt: 100, full: math.MaxInt64},
		{base: time.Second, max: math.MaxInt64, attempt: 34, full: time.Second << 33},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.base, tt.max, tt.attempt), func(t *testing.T) {
			lo, hi := min(time.Nanosecond, tt.full), tt.full
			gotMin, gotMax := time.Duration(math.MaxInt64), time.Duration(0)
			for range 2000 {
				d := backoff(tt.attempt, tt.base, tt.max)
				if d < lo || d > hi {
					t.Fatalf("backoff(%d, %v, %v) = %v, want within [%v, %v]", tt.attempt, tt.base, tt.max, d, lo, hi)
				}
				gotMin, gotMax = min(gotMin, d), max(gotMax, d)
			}
			// Jitter: the waits spread over the window (for 2000 uniform
			// draws, not reaching a tenth from each end has odds 2×0.9^2000).
			if span := hi - lo; span >= 10 && (gotMin-lo > span/10 || hi-gotMax > span/10) {
				t.Errorf("2000 waits spread over [%v, %v] only, of [%v, %v]", gotMin, gotMax, lo, hi)
			}
		})
	}
}

func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := sleep(t.Context(), 3*time.Second); err != nil {
			t.Fatalf("sleep: %v", err)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("sleep(3s) took %v", got)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		if err := sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("sleep past the deadline: %v, want DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("sleep returned %v after the start, want at the deadline (1s)", got)
		}
	})
}

func TestRetryBackoffTiming(t *testing.T) {
	const base, maxDelay = 100 * time.Millisecond, time.Second
	tests := []struct {
		name     string
		failures []stubAnswer
	}{
		{"one 503", []stubAnswer{stubError(503, "ServiceUnavailable")}},
		{"reset, EOF, timeout", []stubAnswer{stubNetError(connReset("write"), 10), stubNetError(io.EOF, 0), stubNetError(timeoutError{}, 0)}},
		{"500, 429, 408, SlowDown, skew", []stubAnswer{stubError(500, "InternalError"), stubError(429, "TooManyRequests"), stubError(408, "RequestTimeout"), stubError(503, "SlowDown"), stubError(403, "RequestTimeTooSkewed")}},
		{"to the cap", []stubAnswer{stubError(503, ""), stubError(503, ""), stubError(503, ""), stubError(503, ""), stubError(503, ""), stubError(503, ""), stubError(503, "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &stubScript{answers: append(tt.failures, stubOK())}
				c := stubClient(t, Config{RetryBaseDelay: base, RetryMaxDelay: maxDelay, RetryMaxAttempts: len(s.answers)}, s)
				data := []byte("the body, resent on every attempt")
				start := time.Now()
				if _, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: strings.NewReader(string(data)), Size: int64(len(data))}); err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				seen := s.seen()
				if len(seen) != len(s.answers) {
					t.Fatalf("%d attempts, want %d", len(seen), len(s.answers))
				}
				full := base
				for i := 1; i < len(seen); i++ {
					if gap := seen[i].at.Sub(seen[i-1].at); gap <= 0 || gap > full {
						t.Errorf("wait before attempt %d: %v, want within (0, %v]", i+1, gap, full)
					}
					full = min(2*full, maxDelay)
				}
				if elapsed, last := time.Since(start), seen[len(seen)-1].at.Sub(start); elapsed != last {
					t.Errorf("the call took %v, %v more than its waits", elapsed, elapsed-last)
				}
				if got := seen[len(seen)-1]; got.contentLength != int64(len(data)) || string(got.body) != string(data) {
					t.Errorf("last attempt: Content-Length %d, body %q; want %d, %q", got.contentLength, got.body, len(data), data)
				}
				if n := s.unclosed(); n != 0 {
					t.Errorf("%d response bodies left open", n)
				}
			})
		})
	}
}

var errStubStop = errors.New("stopped by the test")

func TestRetryContextEndsDuringBackoff(t *testing.T) {
	tests := []struct {
		name string
		// ctx returns the context of the call and a func that ends it
		// (nil when a deadline does), and when, on the fake clock, the
		// call must return.
		ctx  func(parent context.Context) (context.Context, func(), time.Duration)
		want []error
	}{
		{"cancel", func(p context.Context) (context.Context, func(), time.Duration) {
			ctx, cancel := context.WithCancel(p)
			return ctx, cancel, 0
		}, []error{context.Canceled}},
		{"cancel with a cause", func(p context.Context) (context.Context, func(), time.Duration) {
			ctx, cancel := context.WithCancelCause(p)
			return ctx, func() { cancel(errStubStop) }, 0
		}, []error{context.Canceled, errStubStop}},
		{"deadline", func(p context.Context) (context.Context, func(), time.Duration) {
			ctx, cancel := context.WithTimeout(p, 3*time.Second)
			context.AfterFunc(p, cancel)
			return ctx, nil, 3 * time.Second
		}, []error{context.DeadlineExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &stubScript{answers: []stubAnswer{stubError(503, "ServiceUnavailable")}}
				c := stubClient(t, Config{RetryBaseDelay: time.Minute, RetryMaxDelay: time.Minute, RetryMaxAttempts: 5}, s)
				ctx, end, at := tt.ctx(t.Context())
				start := time.Now()
				done := make(chan error)
				go func() {
					_, err := c.PutObject(ctx, &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: strings.NewReader("x"), Size: 1})
					done <- err
				}()
				synctest.Wait() // the call is asleep in its first backoff
				if n := len(s.seen()); n != 1 {
					t.Fatalf("%d attempts before the backoff, want 1", n)
				}
				if end != nil {
					end()
				}
				err := <-done
				if got := time.Since(start); got != at {
					t.Errorf("the call returned at %v on the fake clock, want %v", got, at)
				}
				for _, w := range tt.want {
					if !errors.Is(err, w) {
						t.Errorf("errors.Is(%v, %v) = false", err, w)
					}
				}
				if want := "oss: PutObject bkt/obj: "; !strings.HasPrefix(fmt.Sprint(err), want) {
					t.Errorf("error %q, want it to start %q", err, want)
				}
				// Cancelled, the call stops in the backoff it was in. A
				// deadline may pass later: a fully jittered backoff can be
				// shorter than it, and then attempts go on until the deadline
				// falls in one (the call still returns at the deadline).
				if n := len(s.seen()); n != 1 && (end != nil || n > 5) {
					t.Errorf("%d attempts, want 1 (cancelled) or at most 5", n)
				}
			})
		})
	}
}
