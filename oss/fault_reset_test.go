package oss_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// faultUploadFunc sends body (size bytes) to bucket/key, as one object or as
// the only part of a multipart upload, and returns the CRC-64 the client
// checked.
type faultUploadFunc func(t *testing.T, env *osstest.Env, key string, body io.Reader, size int64) (uint64, error)

func faultPut(t *testing.T, env *osstest.Env, key string, body io.Reader, size int64) (uint64, error) {
	res, err := env.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: body, Size: size})
	if err != nil {
		return 0, err
	}
	return res.CRC64, nil
}

// faultUploadPart uploads body as part 1, checks ListParts against it and
// completes the upload.
func faultUploadPart(t *testing.T, env *osstest.Env, key string, body io.Reader, size int64) (uint64, error) {
	ctx := t.Context()
	init, err := env.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: env.Bucket, Key: key})
	if err != nil {
		t.Fatalf("InitiateMultipartUpload: %v", err)
	}
	id := init.UploadID
	res, err := env.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: env.Bucket, Key: key, UploadID: id, PartNumber: 1, Body: body, Size: size})
	if err != nil {
		return 0, err
	}
	for page, err := range env.Client.ListParts(ctx, &oss.ListPartsRequest{Bucket: env.Bucket, Key: key, UploadID: id}) {
		if err != nil {
			t.Fatalf("ListParts: %v", err)
		}
		parts := page.Parts
		if len(parts) != 1 || parts[0].Size != size || parts[0].CRC64 != res.CRC64 || parts[0].ETag != res.ETag {
			t.Errorf("ListParts = %+v, want one part of %d bytes, CRC-64 %d, ETag %s", parts, size, res.CRC64, res.ETag)
		}
	}
	if _, err := env.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: env.Bucket, Key: key, UploadID: id, Parts: []oss.UploadedPart{{PartNumber: 1, ETag: res.ETag}}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	return res.CRC64, nil
}

// faultFileSection writes data to a file and returns a section of it, as
// UploadFile reads parts.
func faultFileSection(t *testing.T, data []byte, off, n int64) *io.SectionReader {
	path := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return io.NewSectionReader(f, off, n)
}

func TestRetryResetMidBody(t *testing.T) {
	data := faultData(1<<20, 5)
	tests := []struct {
		name    string
		upload  faultUploadFunc
		body    func(t *testing.T) io.Reader
		want    []byte
		resetAt int64 // bytes of the first attempt's body read before the reset
	}{
		{
			name: "PutObject bytes.Reader", upload: faultPut, resetAt: 64 << 10,
			body: func(*testing.T) io.Reader { return bytes.NewReader(data) }, want: data,
		},
		{
			name: "PutObject before the body", upload: faultPut, resetAt: 0,
			body: func(*testing.T) io.Reader { return bytes.NewReader(data) }, want: data,
		},
		{
			name: "UploadPart io.SectionReader", upload: faultUploadPart, resetAt: 64 << 10,
			body: func(t *testing.T) io.Reader { return faultFileSection(t, data, 100<<10, 600<<10) }, want: data[100<<10 : 700<<10],
		},
		{
			name: "UploadPart before the body", upload: faultUploadPart, resetAt: 0,
			body: func(t *testing.T) io.Reader { return faultFileSection(t, data, 100<<10, 600<<10) }, want: data[100<<10 : 700<<10],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				resetAfter(t, tt.resetAt, w, r)
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
			crc, err := tt.upload(t, env, "obj", tt.body(t), int64(len(tt.want)))
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			seen := f.seen()
			checkFaultAttempts(t, seen, 2, int64(len(tt.want)))
			if first := seen[0].body; int64(len(first)) != tt.resetAt || !bytes.HasPrefix(tt.want, first) {
				t.Errorf("the first attempt carried %d bytes, want the first %d of the body", len(first), tt.resetAt)
			}
			checkFaultResent(t, seen, tt.want)
			if want := crc64.Checksum(tt.want); crc != want {
				t.Errorf("CRC-64 %d, want %d: the CRC must cover the resent bytes only", crc, want)
			}
			if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, tt.want) {
				t.Errorf("the stored object has %d bytes that differ from the %d sent", len(got), len(tt.want))
			}
		})
	}
}

func TestRetryNonSeekableBodyIsSentOnce(t *testing.T) {
	data := faultData(256<<10, 6)
	// pipe streams data through an io.Pipe or an *os.File pipe (a Seeker
	// whose Seek fails); the writer ends when the test does.
	pipe := func(t *testing.T, osPipe bool) io.Reader {
		var (
			r  io.Reader
			w  io.WriteCloser
			wg sync.WaitGroup
		)
		t.Cleanup(wg.Wait) // cleanups run last-in first-out: after the reader is closed
		if osPipe {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pr.Close() })
			r, w = pr, pw
		} else {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pr.CloseWithError(errors.New("test over")) })
			r, w = pr, pw
		}
		wg.Go(func() {
			_, _ = w.Write(data)
			w.Close()
		})
		return r
	}
	tests := []struct {
		name  string
		body  func(t *testing.T) io.Reader
		fault func(t *testing.T, w http.ResponseWriter, r *http.Request)
		// status is the answer the error holds, 0 for a network error.
		status int
	}{
		{
			name: "io.MultiReader answered 503",
			body: func(*testing.T) io.Reader { return io.MultiReader(bytes.NewReader(data)) },
			fault: func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
				answerError(w, r, true, 503, "ServiceUnavailable")
			},
			status: http.StatusServiceUnavailable,
		},
		{
			name:  "io.Pipe reset mid-body",
			body:  func(t *testing.T) io.Reader { return pipe(t, false) },
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request) { resetAfter(t, 16<<10, w, r) },
		},
		{
			name: "os.Pipe answered 500",
			body: func(t *testing.T) io.Reader { return pipe(t, true) },
			fault: func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
				answerError(w, r, true, 500, "InternalError")
			},
			status: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				tt.fault(t, w, r)
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries})
			_, err := faultPut(t, env, "obj", tt.body(t), int64(len(data)))
			if err == nil {
				t.Fatal("PutObject succeeded through a fault on every attempt")
			}
			if want := "oss: PutObject " + env.Bucket + "/obj: "; !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), "oss: ") != 1 {
				t.Errorf("error %q, want it wrapped once, as %q", err, want+"…")
			}
			if tt.status != 0 {
				if se, ok := errors.AsType[*oss.ServiceError](err); !ok || se.StatusCode != tt.status {
					t.Errorf("error %v, want the %d answer", err, tt.status)
				}
			}
			checkFaultAttempts(t, f.seen(), 1, int64(len(data)))
		})
	}
}

// faultSignedAt is the time an attempt was signed at: x-oss-date for V4,
// Date for V1 (V4 requests carry both, and they must agree).
func faultSignedAt(t *testing.T, a faultAttempt) time.Time {
	t.Helper()
	date, err := http.ParseTime(a.header.Get("Date"))
	if err != nil {
		t.Fatalf("Date header %q: %v", a.header.Get("Date"), err)
	}
	if v := a.header.Get("x-oss-date"); v != "" {
		ossDate, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			t.Fatalf("x-oss-date %q: %v", v, err)
		}
		if !ossDate.Equal(date) {
			t.Errorf("x-oss-date %s and Date %s differ", ossDate, date)
		}
	}
	return date
}

func TestRetryClockSkew(t *testing.T) {
	const skew = time.Hour
	for _, v := range []struct {
		name    string
		version oss.SignatureVersion
	}{{"V4", oss.SignatureV4}, {"V1", oss.SignatureV1}} {
		t.Run(v.name, func(t *testing.T) {
			// The first attempt meets a service whose clock is an hour
			// ahead; the second, signed an hour ahead, meets the real
			// server, whose clock is ours and who refuses it in turn; the
			// third is signed by our clock again and succeeds.
			f := &faultRecorder{match: putsTo("obj"), fault: func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
				answerError(w, r, true, http.StatusForbidden, "RequestTimeTooSkewed")
				return true
			}}
			env := osstest.Start(t, osstest.Options{Middleware: f.middleware, Client: quickRetries, SignatureVersion: v.version})
			data := faultData(10<<10, 7)
			if _, err := faultPut(t, env, "obj", bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			seen := f.seen()
			checkFaultAttempts(t, seen, 3, int64(len(data)))
			checkFaultResent(t, seen, data)
			const tolerance = 30 * time.Second
			for i, want := range []time.Duration{0, skew, 0} {
				if d := time.Until(faultSignedAt(t, seen[i])); d < want-tolerance || d > want+tolerance {
					t.Errorf("attempt %d was signed %v from now, want %v", i+1, d.Round(time.Second), want)
				}
			}
			if got := faultRead(t, env.Client, env.Bucket, "obj"); !bytes.Equal(got, data) {
				t.Errorf("the stored object differs from the bytes sent")
			}
		})
	}
}
