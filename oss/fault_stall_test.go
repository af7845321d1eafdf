package oss_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// These tests put a faultProxy between the client and the server and
// check that stalls are detected, outages ridden out within the retry
// budget, and slow transfers left alone while their bytes move. Timeouts
// are cut to a few hundred milliseconds; bounds on elapsed time are loose
// upper limits that only decide failure.

// onceAt is a proxy shape that does act to the first connection whose
// stream in direction dir reaches at bytes, from then on.
func onceAt(dir proxyDir, at int64, act proxyAction) func(int, proxyDir, int64) proxyAction {
	var mu sync.Mutex
	chosen := 0
	return func(conn int, d proxyDir, off int64) proxyAction {
		if d != dir {
			return proxyAction{}
		}
		mu.Lock()
		defer mu.Unlock()
		if chosen == 0 && off >= at {
			chosen = conn
		}
		if conn == chosen {
			return act
		}
		return proxyAction{}
	}
}

// trickle is a proxy shape that forwards direction dir at about rate
// bytes a second.
func trickle(dir proxyDir, rate int) func(int, proxyDir, int64) proxyAction {
	const chunk = 8 << 10
	return func(_ int, d proxyDir, _ int64) proxyAction {
		if d != dir {
			return proxyAction{}
		}
		return proxyAction{max: chunk, pause: time.Duration(chunk) * time.Second / time.Duration(rate)}
	}
}

// retryLog records Config.OnRetry events and when they came.
type retryLog struct {
	start time.Time

	mu     sync.Mutex
	events []oss.RetryEvent
	at     []time.Duration
}

func newRetryLog() *retryLog { return &retryLog{start: time.Now()} }

func (l *retryLog) record(e oss.RetryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	l.at = append(l.at, time.Since(l.start))
}

func (l *retryLog) seen() ([]oss.RetryEvent, []time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]oss.RetryEvent(nil), l.events...), append([]time.Duration(nil), l.at...)
}

// stallUploads are the uploads the proxy tests interrupt: one object, and
// one part of a multipart upload.
var stallUploads = []struct {
	name   string
	upload faultUploadFunc
}{
	{"PutObject", faultPut},
	{"UploadPart", faultUploadPart},
}

// viaClient is env with its client replaced, for the helpers that take an
// env.
func viaClient(env *osstest.Env, c *oss.Client) *osstest.Env {
	e := *env
	e.Client = c
	return &e
}

func TestStallInUploadBodyIsRetried(t *testing.T) {
	// Long enough that a retry slowed by -race on two loaded cores is not
	// taken for a stall; the windows below scale with it.
	const stall = time.Second
	sizes := []struct {
		name string
		size int
	}{
		// Fits in the socket buffers: the stall is seen awaiting the answer.
		{"small", 1 << 20},
		// Does not: the stall is seen while the transport is still sending.
		{"large", 32 << 20},
	}
	for _, up := range stallUploads {
		for _, sz := range sizes {
			t.Run(up.name+"/"+sz.name, func(t *testing.T) {
				data := faultData(sz.size, 11)
				f := &faultRecorder{match: putsTo("obj")}
				env := osstest.Start(t, osstest.Options{Middleware: f.middleware})
				log := newRetryLog()
				c, _ := proxiedClient(t, env, proxyOptions{shape: onceAt(toServer, 64<<10, proxyAction{pause: forever})}, func(cfg *oss.Config) {
					quickRetries(cfg)
					cfg.StallTimeout = stall
					if sz.size > 1<<20 {
						// The stall is seen while sending; the server's answer
						// to the retry may take longer than the stall timeout
						// under -race (it fsyncs 32 MiB) without being one.
						cfg.ReadTimeout = 20 * stall
					}
					cfg.OnRetry = log.record
				})
				crc, err := up.upload(t, viaClient(env, c), "obj", bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatalf("upload: %v", err)
				}
				events, at := log.seen()
				if len(events) != 1 {
					t.Fatalf("%d retries (%v), want 1", len(events), events)
				}
				if se, ok := errors.AsType[*oss.StallError](events[0].Err); !ok {
					t.Errorf("retried after %v, want a *oss.StallError", events[0].Err)
				} else if se.After != stall {
					t.Errorf("StallError.After = %v, want %v", se.After, stall)
				}
				if at[0] < stall || at[0] > 5*stall {
					t.Errorf("stall detected %v after the start, want within [%v, %v]", at[0], stall, 5*stall)
				}
				seen := f.seen()
				checkFaultAttempts(t, seen, 2, int64(len(data)))
				checkFaultResent(t, seen, data)
				if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) || crc == 0 {
					t.Errorf("the stored object differs from the bytes sent")
				}
			})
		}
	}
}

func TestStallInGetObjectBody(t *testing.T) {
	const stall = time.Second
	data := faultData(1<<20, 12)
	env := osstest.Start(t, osstest.Options{})
	if _, err := faultPut(t, env, "obj", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	c, p := proxiedClient(t, env, proxyOptions{shape: onceAt(toClient, 256<<10, proxyAction{pause: forever})}, func(cfg *oss.Config) {
		cfg.StallTimeout = stall
	})
	ctx := t.Context()
	res, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: "obj"})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	start := time.Now()
	got, err := io.ReadAll(res.Body)
	elapsed := time.Since(start)
	res.Body.Close()
	se, ok := errors.AsType[*oss.StallError](err)
	if !ok {
		t.Fatalf("reading the body: %v, want a *oss.StallError", err)
	}
	if se.Phase != "reading the response body" || !strings.Contains(err.Error(), "stalled") {
		t.Errorf("error %q (phase %q), want a stall while reading the response body", err, se.Phase)
	}
	if elapsed < stall || elapsed > 10*stall {
		t.Errorf("the stall surfaced after %v, want within [%v, %v]", elapsed, stall, 10*stall)
	}
	if len(got) == 0 || !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("read %d bytes before the stall, not a prefix of the object", len(got))
	}
	// The caller resumes from where the stall left it.
	res, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: "obj", Range: &oss.ByteRange{Offset: int64(len(got))}})
	if err != nil {
		t.Fatalf("GetObject of the rest: %v", err)
	}
	defer res.Body.Close()
	rest, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if !bytes.Equal(append(got, rest...), data) {
		t.Errorf("the two reads give %d bytes that differ from the %d stored", len(got)+len(rest), len(data))
	}
	if n := p.accepted(); n != 2 {
		t.Errorf("%d connections, want 2 (the stalled read, the resumed one)", n)
	}
}

func TestRetryRidesOutServerRestart(t *testing.T) {
	const down = 2 * time.Second
	for _, up := range stallUploads {
		t.Run(up.name, func(t *testing.T) {
			t.Parallel()
			data := faultData(1<<20, 13)
			f := &faultRecorder{match: putsTo("obj")}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware})
			log := newRetryLog()
			// The "server" resets the upload 64 KiB into the body and is
			// down for two seconds.
			c, _ := proxiedClient(t, env, proxyOptions{shape: onceAt(toServer, 64<<10, proxyAction{reset: true, down: down})}, func(cfg *oss.Config) {
				cfg.RetryBaseDelay = 20 * time.Millisecond
				cfg.RetryMaxDelay = 400 * time.Millisecond
				cfg.RetryMaxAttempts = -1
				cfg.RetryMaxElapsed = 20 * time.Second
				cfg.OnRetry = log.record
			})
			start := time.Now()
			if _, err := up.upload(t, viaClient(env, c), "obj", bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatalf("upload: %v", err)
			}
			if elapsed := time.Since(start); elapsed < down {
				t.Errorf("the upload took %v, less than the %v the server was down", elapsed, down)
			}
			events, _ := log.seen()
			refused := 0
			for _, e := range events {
				if e.Op != up.name || e.Key != "obj" {
					t.Errorf("retry event for %s %s, want %s obj", e.Op, e.Key, up.name)
				}
				if errors.Is(e.Err, syscall.ECONNREFUSED) {
					refused++
				}
			}
			if refused < 2 {
				t.Errorf("%d retries after a refused connection (%d in all), want several", refused, len(events))
			}
			for i, e := range events {
				if e.Attempt != i+2 {
					t.Errorf("retry %d announced attempt %d, want %d", i+1, e.Attempt, i+2)
				}
			}
			seen := f.seen()
			checkFaultAttempts(t, seen, 2, int64(len(data)))
			checkFaultResent(t, seen, data)
			if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) {
				t.Errorf("the stored object differs from the bytes sent")
			}
		})
	}
}

func TestRetryEndsWithBudgetOrCount(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		maxElapsed  time.Duration
		wantBudget  bool
		wantRetries int // exactly, when the count ends the retries
	}{
		{name: "budget", maxAttempts: -1, maxElapsed: 300 * time.Millisecond, wantBudget: true},
		{name: "count", maxAttempts: 3, maxElapsed: time.Minute, wantRetries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := osstest.Start(t, osstest.Options{})
			log := newRetryLog()
			c, p := proxiedClient(t, env, proxyOptions{}, func(cfg *oss.Config) {
				cfg.RetryBaseDelay = 10 * time.Millisecond
				cfg.RetryMaxDelay = 50 * time.Millisecond
				cfg.RetryMaxAttempts = tt.maxAttempts
				cfg.RetryMaxElapsed = tt.maxElapsed
				cfg.OnRetry = log.record
			})
			p.refuse(-1) // down for good
			data := faultData(10<<10, 14)
			start := time.Now()
			_, err := faultPut(t, viaClient(env, c), "obj", bytes.NewReader(data), int64(len(data)))
			elapsed := time.Since(start)
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("PutObject: %v, want it to wrap ECONNREFUSED", err)
			}
			events, _ := log.seen()
			if got := errors.Is(err, oss.ErrRetryBudgetSpent); got != tt.wantBudget {
				t.Errorf("errors.Is(%v, ErrRetryBudgetSpent) = %v, want %v", err, got, tt.wantBudget)
			}
			if tt.wantBudget {
				if !strings.Contains(err.Error(), "retry budget spent") {
					t.Errorf("error %q does not say the budget was spent", err)
				}
				if elapsed < tt.maxElapsed || elapsed > tt.maxElapsed+3*time.Second {
					t.Errorf("gave up after %v, want soon after the budget of %v", elapsed, tt.maxElapsed)
				}
				if len(events) < 3 {
					t.Errorf("%d retries in %v, want more", len(events), tt.maxElapsed)
				}
			} else if len(events) != tt.wantRetries {
				t.Errorf("%d retries, want %d", len(events), tt.wantRetries)
			}
		})
	}
}

func TestStallNoAnswer(t *testing.T) {
	const stall = 200 * time.Millisecond
	env := osstest.Start(t, osstest.Options{})
	c, p := proxiedClient(t, env, proxyOptions{blackhole: true}, func(cfg *oss.Config) {
		quickRetries(cfg)
		cfg.StallTimeout = stall
		cfg.RetryMaxAttempts = 2
	})
	start := time.Now()
	_, err := c.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: env.Bucket, Key: "obj"})
	elapsed := time.Since(start)
	se, ok := errors.AsType[*oss.StallError](err)
	if !ok {
		t.Fatalf("HeadObject of a server that never answers: %v, want a *oss.StallError", err)
	}
	if se.Phase != "awaiting the response" {
		t.Errorf("stalled %s, want awaiting the response", se.Phase)
	}
	if elapsed < 2*stall || elapsed > 10*stall {
		t.Errorf("two stalled attempts took %v, want within [%v, %v]", elapsed, 2*stall, 10*stall)
	}
	if n := p.accepted(); n != 2 {
		t.Errorf("%d connections, want 2 (one per attempt)", n)
	}
}

func TestTrickleIsNotAStall(t *testing.T) {
	if runtime.GOOS != "linux" {
		// Elsewhere the client cannot see bytes leave the socket's send
		// queue, and a body that fits in it is timed as a wait for the
		// answer.
		t.Skip("the send queue is probed on Linux only")
	}
	const (
		stall = 500 * time.Millisecond
		rate  = 256 << 10 // bytes a second
		size  = 512 << 10 // two seconds at that rate, four stall timeouts
	)
	data := faultData(size, 15)
	t.Run("upload", func(t *testing.T) {
		t.Parallel()
		f := &faultRecorder{match: putsTo("obj")}
		env := osstest.Start(t, osstest.Options{Middleware: f.middleware})
		c, _ := proxiedClient(t, env, proxyOptions{shape: trickle(toServer, rate)}, func(cfg *oss.Config) {
			cfg.StallTimeout = stall
			cfg.RetryMaxAttempts = 1
		})
		start := time.Now()
		if _, err := faultUploadPart(t, viaClient(env, c), "obj", bytes.NewReader(data), size); err != nil {
			t.Fatalf("UploadPart at %d KiB/s: %v", rate>>10, err)
		}
		if elapsed := time.Since(start); elapsed < 2*stall {
			t.Errorf("the upload took %v: too fast to tell a trickle from a stall", elapsed)
		}
		checkFaultAttempts(t, f.seen(), 1, size)
	})
	t.Run("download", func(t *testing.T) {
		t.Parallel()
		env := osstest.Start(t, osstest.Options{})
		if _, err := faultPut(t, env, "obj", bytes.NewReader(data), size); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		c, _ := proxiedClient(t, env, proxyOptions{shape: trickle(toClient, rate)}, func(cfg *oss.Config) {
			cfg.StallTimeout = stall
			cfg.RetryMaxAttempts = 1
		})
		start := time.Now()
		if got := faultRead(t, c, env.Bucket, "obj"); !bytes.Equal(got, data) {
			t.Errorf("read %d bytes that differ from the %d stored", len(got), len(data))
		}
		if elapsed := time.Since(start); elapsed < 2*stall {
			t.Errorf("the download took %v: too fast to tell a trickle from a stall", elapsed)
		}
	})
}
