package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run the stall watch and the retry budget on synctest's fake
// clock through stub RoundTrippers: the times they check are exact.

// slowBody yields n bytes, one every gap, and fails when ctx ends.
type slowBody struct {
	ctx context.Context
	gap time.Duration
	n   int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, io.EOF
	}
	t := time.NewTimer(b.gap)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-t.C:
	}
	b.n--
	p[0] = 'x'
	return 1, nil
}

func (b *slowBody) Close() error { return nil }

// slowServer answers every request with 200 and a slowBody.
func slowServer(gap time.Duration, n int) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req, ContentLength: int64(n),
			Body: &slowBody{ctx: req.Context(), gap: gap, n: n}}, nil
	})
}

func TestStallWatchResponseBody(t *testing.T) {
	const stall = 4 * time.Second
	tests := []struct {
		name      string
		gap       time.Duration // between the body's bytes
		pause     time.Duration // the caller's, between its Reads
		wantStall bool
		wantAt    time.Duration // when the Read fails, for a stall
	}{
		// Polled every stall/4: seen at the first poll at or after 4 s.
		{name: "no bytes", gap: time.Hour, wantStall: true, wantAt: stall},
		{name: "a byte every 3 s", gap: 3 * time.Second},
		{name: "a caller that pauses 10 s between Reads", gap: time.Second, pause: 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := stubClient(t, Config{StallTimeout: stall}, slowServer(tt.gap, 5))
				res, err := c.GetObject(t.Context(), &GetObjectRequest{Bucket: "bkt", Key: "obj"})
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				start := time.Now()
				var got []byte
				buf := make([]byte, 1)
				for {
					n, err := res.Body.Read(buf)
					got = append(got, buf[:n]...)
					if err == io.EOF {
						break
					}
					if err != nil {
						se, ok := errors.AsType[*StallError](err)
						switch {
						case !tt.wantStall || !ok:
							t.Fatalf("Read after %d bytes: %v", len(got), err)
						case time.Since(start) != tt.wantAt:
							t.Errorf("stalled at %v, want %v", time.Since(start), tt.wantAt)
						case se.Phase != "reading the response body" || !strings.HasPrefix(err.Error(), "oss: GetObject bkt/obj: stalled"):
							t.Errorf("error %q", err)
						}
						return
					}
					time.Sleep(tt.pause)
				}
				if tt.wantStall || string(got) != "xxxxx" {
					t.Errorf("read %q to the end, want %v", got, map[bool]string{true: "a stall", false: "xxxxx"}[tt.wantStall])
				}
			})
		})
	}
}

func TestStallWatchAwaitingAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var at []time.Duration
		start := time.Now()
		// The request is written, as a transport tells the trace, and no
		// answer comes.
		rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			at = append(at, time.Since(start))
			mu.Unlock()
			if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.WroteRequest != nil {
				trace.WroteRequest(httptrace.WroteRequestInfo{})
			}
			<-req.Context().Done()
			return nil, req.Context().Err()
		})
		c := stubClient(t, Config{StallTimeout: time.Minute, ReadTimeout: 8 * time.Second, RetryMaxAttempts: 2, RetryBaseDelay: time.Second, RetryMaxDelay: time.Second}, rt)
		wait := 8 * time.Second
		_, err := c.HeadObject(t.Context(), &HeadObjectRequest{Bucket: "bkt", Key: "obj"})
		if se, ok := errors.AsType[*StallError](err); !ok || se.Phase != "awaiting the response" || se.After != wait {
			t.Fatalf("HeadObject: %v, want a *StallError awaiting the response for %v", err, wait)
		}
		// ReadTimeout, not the stall limit, bounds the wait once the
		// request is written: polled every 2 s, the stall is seen at 8 s.
		if len(at) != 2 || at[0] != 0 || at[1] <= wait || at[1] > wait+time.Second {
			t.Errorf("attempts at %v, want at 0 and %v and a wait later; error %v", at, wait, err)
		}
	})
}

func TestRetryBudget(t *testing.T) {
	// The budget is counted from the first failure: a first attempt that
	// ran for five minutes before it failed still gets its retries.
	for _, first := range []time.Duration{0, 5 * time.Minute} {
		t.Run(fmt.Sprint("first attempt ", first), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testRetryBudget(t, first) })
		})
	}
}

func testRetryBudget(t *testing.T, first time.Duration) {
	const budget = 10 * time.Second
	refused := opError("dial", syscall.ECONNREFUSED)
	var mu sync.Mutex
	var at []time.Duration
	start := time.Now()
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		at = append(at, time.Since(start))
		n := len(at)
		mu.Unlock()
		if n == 1 {
			time.Sleep(first)
		}
		return nil, refused
	})
	var events []RetryEvent
	c := stubClient(t, Config{StallTimeout: time.Hour, RetryMaxAttempts: -1, RetryMaxElapsed: budget, RetryBaseDelay: time.Second, RetryMaxDelay: 4 * time.Second,
		OnRetry: func(e RetryEvent) { events = append(events, e) }}, rt)
	_, err := c.PutBucket(t.Context(), &PutBucketRequest{Bucket: "bkt"})
	if got, want := time.Since(start), first+budget; got != want {
		t.Errorf("gave up after %v, want %v (the last wait cut short to the budget's end)", got, want)
	}
	if !errors.Is(err, ErrRetryBudgetSpent) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v, want ErrRetryBudgetSpent and ECONNREFUSED", err)
	}
	if len(at) < 3 || at[len(at)-1] != first+budget {
		t.Errorf("attempts at %v, want several, the last at %v", at, first+budget)
	}
	if len(events) != len(at)-1 {
		t.Fatalf("%d retry events for %d attempts", len(events), len(at))
	}
	var waited time.Duration
	for i, e := range events {
		if e.Op != "PutBucket" || e.Bucket != "bkt" || e.Attempt != i+2 || !errors.Is(e.Err, syscall.ECONNREFUSED) {
			t.Errorf("event %d: %+v", i, e)
		}
		waited += e.Delay
	}
	if waited != budget {
		t.Errorf("the announced waits add up to %v, want %v", waited, budget)
	}
}
