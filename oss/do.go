package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/oss/internal/filebody"
)

// operation is one API call to send.
type operation struct {
	name   string // for errors, e.g. "PutObject"
	method string
	bucket string
	key    string
	query  url.Values
	header http.Header
	// body is the request body, nil for none; size is its length in bytes.
	// A body that is an io.Seeker is rewound for retries; any other body is
	// sent once.
	body io.Reader
	size int64
	// checkCRC compares the x-oss-hash-crc64ecma answer with the CRC-64 of
	// the body as sent.
	checkCRC bool
	// chunked, in the S3 dialect, sends the body as aws-chunked, each
	// chunk signed, for a body that cannot be hashed before it is sent
	// over plain HTTP; chunkedCRC adds its CRC-64/NVME in a signed
	// trailer.
	chunked, chunkedCRC bool
}

// wrap adds the operation and resource to an error.
func (op *operation) wrap(err error) error {
	res := op.bucket
	if op.key != "" {
		res += "/" + op.key
	}
	if res == "" {
		return fmt.Errorf("oss: %s: %w", op.name, err)
	}
	return fmt.Errorf("oss: %s %s: %w", op.name, res, err)
}

// do sends op, retrying transient failures, and returns a successful (2xx)
// response whose body the caller must close. Errors are wrapped with the
// operation's name; answers of the service are *ServiceError inside.
// Retries end when the attempts (Config.RetryMaxAttempts) or the time
// budget (Config.RetryMaxElapsed, counted from the first failure) run out,
// whichever comes first.
func (c *Client) do(ctx context.Context, op *operation) (*http.Response, error) {
	if !c.s3 {
		return c.doAttempts(ctx, op)
	}
	// In the S3 dialect: a store that refuses the checksum asked for is
	// asked again with the next (see s3Checksum), the body rewound.
	orig := op.header.Clone()
	seeker, _ := op.body.(io.Seeker)
	var start int64
	if seeker != nil {
		var err error
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			seeker = nil
		}
	}
	for {
		kind := s3Checksum(c.s3Sum.Load())
		op.header = orig.Clone()
		if err := c.prepareS3(op, kind); err != nil {
			return nil, op.wrap(err)
		}
		resp, err := c.doAttempts(ctx, op)
		if err == nil {
			c.noteS3Echo(op, kind, resp.Header)
			return resp, nil
		}
		if (op.body != nil && op.size != 0 && seeker == nil) || !c.downgradeS3(op, kind, err) {
			return nil, err
		}
		if seeker != nil {
			if _, serr := seeker.Seek(start, io.SeekStart); serr != nil {
				return nil, err
			}
		}
	}
}

// doAttempts is do without the S3 dialect's choice of checksum.
func (c *Client) doAttempts(ctx context.Context, op *operation) (*http.Response, error) {
	var failed time.Time // when the first attempt failed
	start := int64(-1)
	seeker, rewindable := op.body.(io.Seeker)
	if rewindable {
		var err error
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			rewindable = false
		}
	}
	attempts := c.cfg.RetryMaxAttempts
	// A body that cannot be rewound is sent once; an empty one is never
	// read, so it can be sent again whatever it is.
	if op.body != nil && op.size != 0 && !rewindable {
		attempts = 1
	}
	for attempt := 1; ; attempt++ {
		if rewindable {
			if _, err := seeker.Seek(start, io.SeekStart); err != nil {
				return nil, op.wrap(fmt.Errorf("rewind body: %w", err))
			}
		}
		var body *attemptBody
		if op.body != nil && op.size != 0 {
			body = newAttemptBody(op, c.crc)
		}
		resp, err := c.watchedAttempt(ctx, op, body)
		if err == nil {
			return resp, nil
		}
		if rewindable {
			// The transport may still be sending this attempt's body (when
			// the service answered before reading all of it): cut it off,
			// so that nothing reads the body once it is rewound for the
			// next attempt or do has returned it to the caller.
			body.retire()
		}
		if ctx.Err() != nil {
			return nil, op.wrap(ctxErr(ctx))
		}
		if (attempts > 0 && attempt >= attempts) || !retryable(err) {
			return nil, op.wrap(err)
		}
		if failed.IsZero() {
			failed = time.Now()
		}
		d := backoff(attempt, c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay)
		left := c.cfg.RetryMaxElapsed - time.Since(failed)
		if left <= 0 {
			return nil, op.wrap(fmt.Errorf("%w (%w: %v, attempts: %d)", err, ErrRetryBudgetSpent, c.cfg.RetryMaxElapsed, attempt))
		}
		d = min(d, left)
		c.retrying(ctx, op, attempt+1, err, d)
		if err := sleep(ctx, d); err != nil {
			return nil, op.wrap(err)
		}
	}
}

// retrying reports a retry to the log and to Config.OnRetry.
func (c *Client) retrying(ctx context.Context, op *operation, attempt int, err error, d time.Duration) {
	c.log.DebugContext(ctx, "oss: retrying", "op", op.name, "bucket", op.bucket, "key", op.key, "attempt", attempt, "after", d, "err", err)
	if c.cfg.OnRetry != nil {
		c.cfg.OnRetry(RetryEvent{Op: op.name, Bucket: op.bucket, Key: op.key, Attempt: attempt, Err: err, Delay: d})
	}
}

// watchedAttempt makes one attempt under a stall watch (see
// Config.StallTimeout). A response it returns carries the watch in its
// body, which ends the watch and the attempt's context when closed.
func (c *Client) watchedAttempt(ctx context.Context, op *operation, body *attemptBody) (*http.Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	w := newStallWatch(c.cfg.StallTimeout, c.cfg.ReadTimeout, cancel)
	if body != nil {
		body.watch = w
	}
	resp, err := c.attempt(actx, op, body, w)
	if err != nil {
		se := w.stop()
		cancel(nil)
		if se != nil && ctx.Err() == nil {
			return nil, se
		}
		return nil, err
	}
	return resp, nil
}

// ctxErr is why ctx is done: ctx.Err(), so that errors.Is finds
// context.Canceled or context.DeadlineExceeded, and the cause given to
// context.WithCancelCause and the like, when there is one.
func ctxErr(ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if cause == nil || cause == err {
		return err
	}
	return fmt.Errorf("%w: %w", err, cause)
}

// attempt sends op once, with body (nil for none) as the request body,
// and tells w of its progress.
func (c *Client) attempt(ctx context.Context, op *operation, body *attemptBody, w *stallWatch) (*http.Response, error) {
	u := c.objectURL(op.bucket, op.key, encodeQuery(op.query))
	var rb io.Reader = http.NoBody
	switch {
	case body != nil && body.file != nil:
		// Handed to the transport as it is, so that it can go by sendfile;
		// the transport closes it. The range's CRC-64, wanted only when
		// the answer comes, is computed meanwhile on another core.
		rb = body.file
		go body.sec.CRC64()
	case body != nil && body.mem != nil:
		// In memory, so that the transport sends it with the headers.
		rb = body.mem.Open()
	case body != nil:
		rb = body
	}
	// A keep-alive connection taken from the pool may have been closed by
	// the service while idle; see staleConnError.
	var reused atomic.Bool
	var written sync.Once
	trace := &httptrace.ClientTrace{
		GetConn: func(string) { w.awaitConn() },
		GotConn: func(i httptrace.GotConnInfo) {
			reused.Store(i.Reused)
			w.setConn(i.Conn)
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			if body != nil && body.mem != nil {
				// The transport is done with this attempt's bytes. Once
				// only: a redirect the client follows writes a request
				// of its own under the same trace.
				written.Do(body.mem.Written)
			}
			w.setPhase(phaseAwaiting)
		},
		GotFirstResponseByte: func() { w.setPhase(phaseReading) },
	}
	// The URL is built, not parsed: the request gets it as it is, and the
	// Host the empty URL string leaves out is set from it as
	// NewRequestWithContext sets it (an empty port dropped). A bucket name
	// that is not a plain host label still goes through the parser, which
	// refuses what a host name cannot hold.
	var raw string
	if !c.pathStyle && !plainLabel(op.bucket) {
		raw = u.String()
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), op.method, raw, rb)
	if err != nil {
		return nil, err
	}
	if raw == "" {
		req.Host = removeEmptyPort(u.Host)
	}
	req.URL = u
	if op.body != nil {
		req.ContentLength = op.size
	}
	if body != nil && body.mem != nil {
		// The transport must not send a pooled body again by itself, after
		// Written: the request layer makes its own attempts.
		req.GetBody = nil
	}
	for k, v := range op.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	creds, err := c.credentials(ctx)
	if err != nil {
		return nil, err
	}
	if c.s3 && op.chunked {
		err = c.signChunked(req, op, body, rb, creds)
	} else if c.s3 {
		_, err = c.awsSigner.Sign(req, creds, c.now())
	} else {
		err = c.signer.Sign(req, sign.Resource{Bucket: op.bucket, Key: op.key}, creds, c.now())
	}
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if reused.Load() && ctx.Err() == nil && body.readErr() == nil {
			return nil, &staleConnError{err}
		}
		return nil, err
	}
	// Transports that do not report to the trace still have an answer now.
	w.setPhase(phaseReading)
	if c.s3 {
		fromS3Header(resp.Header)
	}
	resp.Body = &watchedBody{rc: resp.Body, w: w, op: op}
	// 203 is a stored object whose callback failed: an error to report.
	if resp.StatusCode/100 != 2 || resp.StatusCode == http.StatusNonAuthoritativeInfo {
		defer resp.Body.Close()
		se := parseError(resp)
		if se.Code == ossxml.CodeRequestTimeTooSkewed {
			c.learnSkew(resp)
		}
		if se.StatusCode == http.StatusNonAuthoritativeInfo && se.Code == "" {
			se.Code = ossxml.CodeCallbackFailed
		}
		if c.s3 && op.method == http.MethodHead && op.key != "" && se.StatusCode == http.StatusNotFound && se.Code == "NotFound" {
			// S3 answers a HEAD without a body, so without a code: on an
			// object, a 404 is a missing key (or its bucket).
			se.Code = ossxml.CodeNoSuchKey
		}
		if c.s3 && se.Code == "BadDigest" {
			// The service found the body unlike the checksum it was sent
			// with: what a CRC-64 mismatch is in the OSS dialect.
			return nil, fmt.Errorf("%w: %w", ErrCRCMismatch, se)
		}
		return nil, se
	}
	if op.checkCRC && body != nil {
		want, err := body.sum()
		if err == nil {
			err = checkCRC(resp, want)
		}
		if err != nil {
			resp.Body.Close()
			return nil, err
		}
	}
	return resp, nil
}

// plainLabel reports whether s holds only ASCII letters, digits, '-',
// '.' and '_', which a URL's host keeps as they are.
func plainLabel(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// removeEmptyPort drops the ":" of a host with an empty port ("host:"),
// as net/http does for the Host of a new request.
func removeEmptyPort(host string) string {
	if strings.LastIndex(host, ":") > strings.LastIndex(host, "]") {
		return strings.TrimSuffix(host, ":")
	}
	return host
}

// staleConnError is a failure to get any answer on a keep-alive connection
// reused from the pool. The service may close an idle connection just as
// the client picks it; net/http reports that race as "http: server closed
// idle connection", an error without a type to match, and does not resend
// a request with a body by itself. It is always worth another attempt.
type staleConnError struct{ err error }

func (e *staleConnError) Error() string { return e.err.Error() }
func (e *staleConnError) Unwrap() error { return e.err }

// checkCRC compares the service's x-oss-hash-crc64ecma with want, when the
// service sent one.
func checkCRC(resp *http.Response, want uint64) error {
	h := resp.Header.Get(crcHeaderName)
	if h == "" {
		return nil
	}
	got, err := crc64.Parse(h)
	if err != nil {
		return fmt.Errorf("%w: unreadable x-oss-hash-crc64ecma %q", ErrCRCMismatch, h)
	}
	if got != want {
		return fmt.Errorf("%w: service has %d, client computed %d (request id %s)", ErrCRCMismatch, got, want, resp.Header.Get("x-oss-request-id"))
	}
	return nil
}

// attemptBody is one attempt's view of the request body. It computes the
// CRC-64 of the bytes read through it, so that each attempt is checked
// against the bytes it sent. net/http may go on reading a request body
// after the response has come (when the service answers before reading it
// all); retire waits for a Read in progress and fails later ones, so that
// the body can be rewound for the next attempt without two readers racing
// on it.
//
// A body that is a range of a file (a *filebody.Section) is not read
// through the attemptBody: each attempt sends the range through a reader
// of its own (file), which the transport may pass to sendfile, and the
// CRC-64 is the range's as the file holds it, computed while the first
// attempt sends. The bytes sent are the file's at the time of sending;
// the service's CRC-64 tells if they were not the bytes checksummed.
// A small body read into memory (a *filebody.Bytes) is likewise handed to
// the transport as a reader of its own for each attempt, with the CRC-64
// of its bytes.
type attemptBody struct {
	mu      sync.Mutex
	r       io.Reader
	v       crc64.Variant
	crc     uint64
	err     error // the first error of r other than io.EOF
	retired bool
	watch   *stallWatch       // told of the bytes read, when set
	sec     *filebody.Section // the body, when it is a range of a file
	file    io.ReadCloser     // sec's reader for this attempt
	mem     *filebody.Bytes   // the body, when it is in memory
}

// newAttemptBody returns the body of one attempt to send op.
func newAttemptBody(op *operation, v crc64.Variant) *attemptBody {
	if sec, ok := op.body.(*filebody.Section); ok {
		return &attemptBody{sec: sec, file: sec.Open(), v: v}
	}
	if mem, ok := op.body.(*filebody.Bytes); ok {
		return &attemptBody{mem: mem, v: v}
	}
	return &attemptBody{r: op.body, v: v}
}

func (b *attemptBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.retired {
		return 0, errRetiredBody
	}
	n, err := b.r.Read(p)
	b.crc = b.v.Update(b.crc, p[:n])
	if n > 0 && b.watch != nil {
		b.watch.progress()
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

var errRetiredBody = errors.New("request body retired after a failed attempt")

// retire stops b; a nil b has nothing to stop.
func (b *attemptBody) retire() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.retired = true
	b.mu.Unlock()
}

// sum is the CRC-64 of the bytes read so far, or of a file section's
// range.
func (b *attemptBody) sum() (uint64, error) {
	if b.sec != nil {
		return b.sec.CRC64()
	}
	if b.mem != nil {
		return b.mem.CRC64(), nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.crc, nil
}

// readErr is the error reading the body's source gave, if any; nil for a
// nil b.
func (b *attemptBody) readErr() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// discardClose drains a little of a response body and closes it, so that
// the connection can be reused.
// doHeaders sends op, whose answer has no body worth reading, and
// returns the answer's headers.
func (c *Client) doHeaders(ctx context.Context, op *operation) (http.Header, error) {
	resp, err := c.do(ctx, op)
	if err != nil {
		return nil, err
	}
	discardClose(resp)
	return resp.Header, nil
}

func discardClose(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}
