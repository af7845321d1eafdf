package server

import (
	"context"
	"github.com/ossup/ossup/internal/limits"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The range OSS accepts for x-oss-traffic-limit, in bits per second.
const (
	minTrafficLimit = limits.MinTrafficLimit
	maxTrafficLimit = limits.MaxTrafficLimit
)

// trafficLimit reads x-oss-traffic-limit: 0 when absent, InvalidArgument
// when outside what OSS accepts.
func trafficLimit(r *http.Request) (int64, error) {
	v := r.Header.Get("x-oss-traffic-limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < minTrafficLimit || n > maxTrafficLimit {
		return 0, invalidArgument("x-oss-traffic-limit", v, "The traffic limit must be between 819200 and 838860800 bits per second.")
	}
	return n, nil
}

// throttle paces reads or writes to a rate in bits per second, as OSS does
// for requests with x-oss-traffic-limit. It lets bytes through in slices of
// a tenth of a second's worth and waits until the clock catches up with
// the bytes already passed.
type throttle struct {
	ctx   context.Context
	bps   float64 // bytes per second
	start time.Time
	n     int64
}

func newThrottle(ctx context.Context, bitsPerSecond int64) *throttle {
	return &throttle{ctx: ctx, bps: float64(bitsPerSecond) / 8, start: time.Now()}
}

// slice is the most bytes to pass at once.
func (t *throttle) slice(n int) int { return max(1, min(n, int(t.bps/10))) }

// pass records n bytes and waits until the rate allows them.
func (t *throttle) pass(n int) error {
	t.n += int64(n)
	due := t.start.Add(time.Duration(float64(t.n) / t.bps * float64(time.Second)))
	d := time.Until(due)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.ctx.Done():
		return t.ctx.Err()
	case <-timer.C:
		return nil
	}
}

// throttledReader is a request body read at a limited rate.
type throttledReader struct {
	r io.Reader
	t *throttle
}

func (tr *throttledReader) Read(p []byte) (int, error) {
	n, err := tr.r.Read(p[:tr.t.slice(len(p))])
	if werr := tr.t.pass(n); werr != nil && err == nil {
		err = werr
	}
	return n, err
}

// throttledWriter is a response body written at a limited rate.
type throttledWriter struct {
	w io.Writer
	t *throttle
}

func (tw *throttledWriter) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := tw.w.Write(p[done : done+tw.t.slice(len(p)-done)])
		done += n
		if err != nil {
			return done, err
		}
		if err := tw.t.pass(n); err != nil {
			return done, err
		}
	}
	return done, nil
}

// limitBody wraps a request body in the rate the request asks for.
func limitBody(r *http.Request, body io.Reader) (io.Reader, error) {
	limit, err := trafficLimit(r)
	if err != nil || limit == 0 {
		return body, err
	}
	return &throttledReader{r: body, t: newThrottle(r.Context(), limit)}, nil
}
