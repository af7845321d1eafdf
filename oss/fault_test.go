package oss_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The fault tests put a real client and a real server on loopback and a
// faultRecorder between them: an osstest Middleware that counts the
// attempts of the request under test, keeps the bytes of each attempt's
// body the server side read, and may answer or break an attempt instead of
// the server. Backoff timing is tested with a fake clock in retry_test.go;
// here the delays are cut to a millisecond.

// faultRecorder is an osstest Middleware. Requests for which match is true
// are attempts: numbered from 1, recorded, and first offered to fault,
// which returns true when it answered (or broke) the request itself.
type faultRecorder struct {
	match func(r *http.Request) bool
	fault func(n int, w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	attempts []faultAttempt
}

// faultAttempt is what the server side saw of one attempt.
type faultAttempt struct {
	header        http.Header
	contentLength int64
	body          []byte // the bytes of the body read by the fault or the server
}

func (f *faultRecorder) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.match == nil || !f.match(r) {
			next.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		f.attempts = append(f.attempts, faultAttempt{header: r.Header.Clone(), contentLength: r.ContentLength})
		n := len(f.attempts)
		f.mu.Unlock()
		var body bytes.Buffer
		r.Body = teeBody{io.TeeReader(r.Body, &body), r.Body}
		defer func() {
			f.mu.Lock()
			f.attempts[n-1].body = body.Bytes()
			f.mu.Unlock()
		}()
		if f.fault != nil && f.fault(n, w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// seen returns the attempts so far.
func (f *faultRecorder) seen() []faultAttempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]faultAttempt(nil), f.attempts...)
}

type teeBody struct {
	io.Reader
	io.Closer
}

// putsTo matches the PUTs of an object key (PutObject and UploadPart).
func putsTo(key string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/"+key)
	}
}

// getsOf matches the GETs of an object key.
func getsOf(key string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/"+key)
	}
}

// answerError answers with an OSS error body, having read the request
// body when drain is set.
func answerError(w http.ResponseWriter, r *http.Request, drain bool, status int, code string) {
	if drain {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-oss-request-id", "FA0170000000000000000000")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>Injected fault.</Message><RequestId>FA0170000000000000000000</RequestId><HostId>127.0.0.1</HostId></Error>`, code)
}

// resetAfter reads n bytes of the request body, then drops the connection
// with a TCP reset (SO_LINGER 0), as a crashing server or a middlebox would.
func resetAfter(t *testing.T, n int64, w http.ResponseWriter, r *http.Request) {
	if _, err := io.CopyN(io.Discard, r.Body, n); err != nil {
		t.Errorf("fault: read %d bytes of the body: %v", n, err)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("fault: hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// quickRetries shortens the backoff to a millisecond.
func quickRetries(cfg *oss.Config) {
	cfg.RetryBaseDelay = time.Millisecond
	cfg.RetryMaxDelay = time.Millisecond
}

// faultData returns n pseudo-random bytes.
func faultData(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// faultRead reads bucket/key whole (the client checks its CRC-64).
func faultRead(t *testing.T, c *oss.Client, bucket, key string) []byte {
	t.Helper()
	res, err := c.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GetObject: read: %v", err)
	}
	return got
}

// checkFaultAttempts fails the test unless the server saw want attempts and
// each announced the full Content-Length.
func checkFaultAttempts(t *testing.T, got []faultAttempt, want int, size int64) {
	t.Helper()
	if len(got) != want {
		t.Fatalf("server saw %d attempts, want %d", len(got), want)
	}
	for i, a := range got {
		if a.contentLength != size {
			t.Errorf("attempt %d: Content-Length %d, want %d", i+1, a.contentLength, size)
		}
	}
}

// checkFaultResent fails the test unless the last attempt carried want exactly.
func checkFaultResent(t *testing.T, got []faultAttempt, want []byte) {
	t.Helper()
	if last := got[len(got)-1].body; !bytes.Equal(last, want) {
		t.Errorf("the last attempt carried %d bytes that differ from the %d of the body", len(last), len(want))
	}
}

func TestRetry503ThenSuccess(t *testing.T) {
	tests := []struct {
		name string
		size int
		// drain reads the first attempt's body before the 503; without it
		// the answer comes while the client is still sending, and a large
		// body is still being read by the transport when the retry starts.
		drain bool
	}{
		{name: "after the body", size: 300 << 10, drain: true},
		{name: "before a small body", size: 100},
		{name: "before a large body", size: 8 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := faultData(tt.size, 1)
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				answerError(w, r, tt.drain, http.StatusServiceUnavailable, "ServiceUnavailable")
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
			res, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: int64(len(data))})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			seen := f.seen()
			checkFaultAttempts(t, seen, 2, int64(len(data)))
			checkFaultResent(t, seen, data)
			if got, want := res.CRC64, crc64.Checksum(data); got != want {
				t.Errorf("CRC64 = %d, want %d", got, want)
			}
			if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) {
				t.Errorf("the stored object has %d bytes that differ from the %d sent", len(got), len(data))
			}
		})
	}
}

func TestRetryGet503ThenSuccess(t *testing.T) {
	data := faultData(64<<10, 2)
	f := &faultRecorder{match: getsOf("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n > 1 {
			return false
		}
		answerError(w, r, false, http.StatusServiceUnavailable, "ServiceUnavailable")
		return true
	}}
	env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
	if _, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: int64(len(data))}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) {
		t.Errorf("GetObject returned %d bytes that differ from the %d stored", len(got), len(data))
	}
	if got := len(f.seen()); got != 2 {
		t.Errorf("server saw %d GETs, want 2", got)
	}
}

func TestRetryNoRetryOn4xx(t *testing.T) {
	tests := []struct {
		status int
		code   string
		is     error // a sentinel errors.Is must find, if any
	}{
		{http.StatusBadRequest, "InvalidArgument", nil},
		{http.StatusBadRequest, "MalformedXML", nil},
		{http.StatusForbidden, "AccessDenied", oss.ErrAccessDenied},
		{http.StatusForbidden, "SignatureDoesNotMatch", oss.ErrSignatureDoesNotMatch},
		{http.StatusNotFound, "NoSuchBucket", oss.ErrNoSuchBucket},
		{http.StatusConflict, "FileAlreadyExists", oss.ErrFileAlreadyExists},
		{http.StatusPreconditionFailed, "PreconditionFailed", oss.ErrPreconditionFailed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.code), func(t *testing.T) {
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				answerError(w, r, true, tt.status, tt.code)
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
			data := faultData(1000, 3)
			_, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: int64(len(data))})
			checkFaultAttempts(t, f.seen(), 1, int64(len(data)))
			se := wantServiceError(t, err, tt.status, tt.code)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if se.RequestID != "FA0170000000000000000000" {
				t.Errorf("RequestID = %q, want the injected one", se.RequestID)
			}
		})
	}
	t.Run("NoSuchKey from the server", func(t *testing.T) {
		f := &faultRecorder{match: getsOf("missing")}
		env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
		_, err := env.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: env.Bucket, Key: "missing"})
		if !errors.Is(err, oss.ErrNoSuchKey) {
			t.Fatalf("GetObject of a missing key: %v, want ErrNoSuchKey", err)
		}
		if got := len(f.seen()); got != 1 {
			t.Errorf("server saw %d GETs, want 1", got)
		}
	})
}

// wantServiceError fails the test unless err holds a *oss.ServiceError
// with the given status and code, and returns it.
func wantServiceError(t *testing.T, err error, status int, code string) *oss.ServiceError {
	t.Helper()
	se, ok := errors.AsType[*oss.ServiceError](err)
	if !ok {
		t.Fatalf("error %v holds no *oss.ServiceError", err)
	}
	if se.StatusCode != status || se.Code != code {
		t.Errorf("ServiceError status %d code %q, want %d %q", se.StatusCode, se.Code, status, code)
	}
	return se
}

func TestRetryMaxAttempts(t *testing.T) {
	tests := []struct {
		maxAttempts int
		want        int
	}{
		{maxAttempts: 1, want: 1},
		{maxAttempts: 5, want: 5},
		{maxAttempts: 0, want: oss.DefaultRetryMaxAttempts},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.maxAttempts), func(t *testing.T) {
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				answerError(w, r, true, http.StatusServiceUnavailable, "ServiceUnavailable")
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: func(cfg *oss.Config) {
				quickRetries(cfg)
				cfg.RetryMaxAttempts = tt.maxAttempts
			}})
			data := faultData(10<<10, 4)
			_, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: "obj", Body: bytes.NewReader(data), Size: int64(len(data))})
			wantServiceError(t, err, http.StatusServiceUnavailable, "ServiceUnavailable")
			seen := f.seen()
			checkFaultAttempts(t, seen, tt.want, int64(len(data)))
			for i, a := range seen {
				if !bytes.Equal(a.body, data) {
					t.Errorf("attempt %d carried %d bytes that differ from the %d of the body", i+1, len(a.body), len(data))
				}
			}
		})
	}
}
