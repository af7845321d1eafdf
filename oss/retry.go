package oss

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	backoffpkg "github.com/ossup/ossup/oss/internal/backoff"
	"github.com/ossup/ossup/oss/internal/filebody"
)

// Retry, timeout and connection defaults.
const (
	DefaultMaxConnsPerHost  = 32
	DefaultRetryMaxAttempts = 20
	DefaultRetryMaxElapsed  = time.Minute
	DefaultRetryBaseDelay   = 200 * time.Millisecond
	DefaultRetryMaxDelay    = 20 * time.Second
	DefaultStallTimeout     = 30 * time.Second
	DefaultConnectTimeout   = 10 * time.Second
)

// ErrRetryBudgetSpent is wrapped, together with the last attempt's error,
// by the error of a request that failed for longer than
// Config.RetryMaxElapsed.
var ErrRetryBudgetSpent = errors.New("retry budget spent")

// RetryEvent describes a failed attempt that is about to be retried; see
// Config.OnRetry.
type RetryEvent struct {
	// Op is the operation, e.g. "UploadPart"; Bucket and Key name its
	// resource (either may be empty).
	Op, Bucket, Key string
	// Attempt is the number of the attempt about to be made: 2 for the
	// first retry.
	Attempt int
	// Err is why the previous attempt failed.
	Err error
	// Delay is the wait before the attempt.
	Delay time.Duration
}

// retryable reports whether the failure of one attempt is worth another:
// network errors (resets, refused connections, EOF mid-response,
// timeouts, stalls, any failure on a reused keep-alive connection), 5xx, 408 and
// 429 answers, and the codes RequestTimeTooSkewed (after the clock
// correction), RequestTimeout and SlowDown. Any other answer of the
// service is final, and so are cancellation and CRC-64 mismatches. A 501
// (NotImplemented) is final too: what a service does not implement does
// not appear by asking again.
func retryable(err error) bool {
	if se, ok := errors.AsType[*ServiceError](err); ok {
		switch se.Code {
		case ossxml.CodeRequestTimeTooSkewed, ossxml.CodeRequestTimeout, ossxml.CodeSlowDown:
			return true
		case ossxml.CodeNotImplemented:
			return false
		}
		if se.StatusCode == http.StatusNotImplemented {
			return false
		}
		return se.StatusCode >= 500 || se.StatusCode == http.StatusRequestTimeout || se.StatusCode == http.StatusTooManyRequests
	}
	if _, ok := errors.AsType[*StallError](err); ok {
		return true
	}
	// A file cut short while it was sent stays short.
	if errors.Is(err, ErrCRCMismatch) || errors.Is(err, context.Canceled) || errors.Is(err, filebody.ErrChanged) {
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

// backoff is backoff.Full, the one definition of the retry waits.
func backoff(attempt int, base, max time.Duration) time.Duration {
	return backoffpkg.Full(attempt, base, max)
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
