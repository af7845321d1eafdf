package oss

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// Retry defaults.
const (
	DefaultRetryMaxAttempts = 3
	DefaultRetryBaseDelay   = 200 * time.Millisecond
	DefaultRetryMaxDelay    = 20 * time.Second
)

// retryable reports whether the failure of one attempt is worth another:
// network errors (resets, refused connections, EOF mid-response,
// timeouts, any failure on a reused keep-alive connection), 5xx, 408 and
// 429 answers, and the codes RequestTimeTooSkewed (after the clock
// correction), RequestTimeout and SlowDown. Any other answer of the
// service is final, and so are cancellation and CRC-64 mismatches.
func retryable(err error) bool {
	if se, ok := errors.AsType[*ServiceError](err); ok {
		switch se.Code {
		case ossxml.CodeRequestTimeTooSkewed, ossxml.CodeRequestTimeout, ossxml.CodeSlowDown:
			return true
		}
		return se.StatusCode >= 500 || se.StatusCode == http.StatusRequestTimeout || se.StatusCode == http.StatusTooManyRequests
	}
	if errors.Is(err, ErrCRCMismatch) || errors.Is(err, context.Canceled) {
		return false
	}
	if _, ok := errors.AsType[*staleConnError](err); ok {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	for _, target := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	_, isOp := errors.AsType[*net.OpError](err)
	return isOp
}

// backoff is the wait before retry number attempt (1 for the first
// retry): exponential from base, capped at max, with "equal jitter" (a
// uniformly random point in its upper half) so that many clients failing
// together do not retry in lockstep.
func backoff(attempt int, base, max time.Duration) time.Duration {
	d := min(base, max)
	for i := 1; i < attempt && d < max; i++ {
		if d > max/2 { // doubling would pass max, or overflow
			d = max
		} else {
			d *= 2
		}
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// sleep waits for d or until ctx is done, whichever comes first; then it
// returns ctxErr(ctx).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctxErr(ctx)
	case <-t.C:
		return nil
	}
}
