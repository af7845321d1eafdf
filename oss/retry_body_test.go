package oss

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

func TestRetryRewindsBody(t *testing.T) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	tests := []struct {
		name string
		// body returns the request body and the bytes it must send.
		body     func(t *testing.T) (io.Reader, []byte)
		attempts int // 1: sent once; 3: rewound twice
	}{
		{"bytes.Reader", func(*testing.T) (io.Reader, []byte) { return bytes.NewReader(data), data }, 3},
		{"bytes.Reader partly read", func(*testing.T) (io.Reader, []byte) {
			r := bytes.NewReader(data)
			_, _ = r.Seek(10, io.SeekStart)
			return r, data[10:]
		}, 3},
		{"io.SectionReader", func(*testing.T) (io.Reader, []byte) {
			return io.NewSectionReader(bytes.NewReader(data), 5, 20), data[5:25]
		}, 3},
		{"*os.File at an offset", func(t *testing.T) (io.Reader, []byte) {
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			_, _ = f.Seek(7, io.SeekStart)
			return f, data[7:]
		}, 3},
		{"io.MultiReader", func(*testing.T) (io.Reader, []byte) { return io.MultiReader(bytes.NewReader(data)), data }, 1},
		// Nothing is read from an empty body, so it is resent whatever it is.
		{"empty io.MultiReader", func(*testing.T) (io.Reader, []byte) { return io.MultiReader(), nil }, 3},
		{"nil", func(*testing.T) (io.Reader, []byte) { return nil, nil }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				body, want := tt.body(t)
				// The first attempt dies after 7 bytes, the second is
				// answered 503 after the whole body, the third succeeds.
				s := &stubScript{answers: []stubAnswer{stubNetError(connReset("write"), 7), stubError(503, "ServiceUnavailable"), stubOK()}}
				c := stubClient(t, Config{}, s)
				res, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: body, Size: int64(len(want))})
				seen := s.seen()
				if len(seen) != tt.attempts {
					t.Fatalf("%d attempts, want %d (error %v)", len(seen), tt.attempts, err)
				}
				for i, a := range seen {
					if a.contentLength != int64(len(want)) {
						t.Errorf("attempt %d: Content-Length %d, want %d", i+1, a.contentLength, len(want))
					}
				}
				if tt.attempts == 1 {
					if !errors.Is(err, syscall.ECONNRESET) {
						t.Errorf("PutObject: %v, want the reset of the only attempt", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				if got := seen[1].body; !bytes.Equal(got, want) {
					t.Errorf("second attempt sent %q, want %q", got, want)
				}
				if got := seen[2].body; !bytes.Equal(got, want) {
					t.Errorf("third attempt sent %q, want %q", got, want)
				}
				// The first attempt read 7 bytes into the CRC; the check
				// passing shows each attempt's CRC covers its own bytes.
				if want := crc64.Checksum(want); res.CRC64 != want {
					t.Errorf("CRC64 %d, want %d", res.CRC64, want)
				}
				if n := s.unclosed(); n != 0 {
					t.Errorf("%d response bodies left open", n)
				}
			})
		})
	}
}

func TestRetryCRCMismatchIsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &stubScript{answers: []stubAnswer{stubOK().with("x-oss-hash-crc64ecma", "12345")}}
		c := stubClient(t, Config{}, s)
		_, err := c.UploadPart(t.Context(), &UploadPartRequest{Bucket: "bkt", Key: "obj", UploadID: "U", PartNumber: 3, Body: strings.NewReader("part"), Size: 4})
		if !errors.Is(err, ErrCRCMismatch) {
			t.Fatalf("UploadPart: %v, want ErrCRCMismatch", err)
		}
		if n := len(s.seen()); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
		if n := s.unclosed(); n != 0 {
			t.Errorf("the response of the mismatched part was left open")
		}
	})
}

// The service may answer before it has read the whole body, and net/http
// then goes on sending it from another goroutine. Once the attempt has
// failed, that goroutine must not read the body again: not after the next
// attempt has rewound it, nor after the call has returned it to the
// caller, who may reuse it or close it.
func TestRetryRetiresAbandonedBody(t *testing.T) {
	tests := []struct {
		name   string
		status int // the early answer of the first attempt
	}{
		{"during the retry", 503},
		{"after a final answer", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				data := bytes.Repeat([]byte("0123456789"), 1000)
				var (
					wg       sync.WaitGroup
					readNow  = make(chan struct{})
					lateRead = make(chan error, 1)
					attempts int
					resent   []byte
				)
				rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					attempts++
					if attempts == 1 {
						abandoned := req.Body
						wg.Go(func() {
							<-readNow
							lateRead <- readNothing(abandoned)
						})
						return stubResponse(req, tt.status, ""), nil
					}
					close(readNow)
					if err := <-lateRead; err != nil {
						t.Errorf("the abandoned attempt read the body during the retry: %v", err)
					}
					resent, _ = io.ReadAll(req.Body)
					resp := stubResponse(req, 200, "")
					resp.Header.Set("x-oss-hash-crc64ecma", crc64.Format(crc64.Checksum(resent)))
					return resp, nil
				})
				c := stubClient(t, Config{}, rt)
				_, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: bytes.NewReader(data), Size: int64(len(data))})
				if tt.status/100 == 4 {
					if err == nil {
						t.Fatal("PutObject succeeded through a 4xx answer")
					}
					close(readNow)
					if err := <-lateRead; err != nil {
						t.Errorf("the abandoned attempt read the body after the call returned: %v", err)
					}
				} else {
					if err != nil {
						t.Fatalf("PutObject: %v", err)
					}
					if !bytes.Equal(resent, data) {
						t.Errorf("the retry sent %d bytes that differ from the %d of the body", len(resent), len(data))
					}
				}
				wg.Wait()
			})
		})
	}
}

// readNothing reads from r and returns nil if that fails without a byte.
func readNothing(r io.Reader) error {
	n, err := r.Read(make([]byte, 100))
	switch {
	case n > 0:
		return fmt.Errorf("read %d bytes", n)
	case err == nil:
		return errors.New("read nothing, and no error")
	}
	return nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func stubResponse(req *http.Request, status int, code string) *http.Response {
	body := ""
	if code != "" {
		body = "<Error><Code>" + code + "</Code></Error>"
	}
	return &http.Response{StatusCode: status, Header: http.Header{}, Request: req, Body: io.NopCloser(strings.NewReader(body))}
}

// failingReader is a body whose source breaks.
type failingReader struct{ io.ReadSeeker }

func (failingReader) Read([]byte) (int, error) { return 0, syscall.EIO }

func TestRetryStaleConnection(t *testing.T) {
	// net/http's error when the service closed a pooled connection just
	// as the client took it; no exported value or type names it.
	errClosedIdle := errors.New("http: server closed idle connection")
	tests := []struct {
		name   string
		reused bool
		body   io.Reader
		want   int // attempts
	}{
		{"reused connection", true, strings.NewReader("data"), 2},
		{"new connection", false, strings.NewReader("data"), 1},
		{"reused connection, body read error", true, failingReader{strings.NewReader("data")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				attempts := 0
				rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					attempts++
					if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.GotConn != nil {
						trace.GotConn(httptrace.GotConnInfo{Reused: tt.reused && attempts == 1})
					}
					if _, err := io.ReadAll(req.Body); err != nil {
						return nil, err
					}
					if attempts == 1 {
						return nil, errClosedIdle
					}
					return stubResponse(req, 200, ""), nil
				})
				c := stubClient(t, Config{}, rt)
				_, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: tt.body, Size: 4})
				if attempts != tt.want {
					t.Errorf("%d attempts, want %d", attempts, tt.want)
				}
				if (err == nil) != (tt.want > 1) {
					t.Errorf("PutObject: %v", err)
				}
			})
		})
	}
}

func TestRetryLearnsClockSkew(t *testing.T) {
	for name, v := range map[string]SignatureVersion{"V4": SignatureV4, "V1": SignatureV1} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// The fake clock starts on a whole second, so the skew the
				// Date header tells is exactly an hour.
				serverClock := func() time.Time { return time.Now().Add(time.Hour) }
				s := &stubScript{answers: []stubAnswer{stubError(403, "RequestTimeTooSkewed"), stubOK()}}
				s.answers[0].header = http.Header{"Date": {serverClock().Format(http.TimeFormat)}}
				c := stubClient(t, Config{SignatureVersion: v}, s)
				if _, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "obj", Body: strings.NewReader("x"), Size: 1}); err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				if _, err := c.HeadObject(t.Context(), &HeadObjectRequest{Bucket: "bkt", Key: "obj"}); err != nil {
					t.Fatalf("HeadObject: %v", err)
				}
				seen := s.seen()
				if len(seen) != 3 {
					t.Fatalf("%d requests, want 3", len(seen))
				}
				for i, a := range seen {
					want := a.at
					if i > 0 { // the retry and every later request
						want = want.Add(time.Hour)
					}
					if got, w := a.header.Get("Date"), want.UTC().Format(http.TimeFormat); got != w {
						t.Errorf("request %d: Date %q, want %q", i+1, got, w)
					}
					if v != SignatureV4 {
						continue
					}
					if got, w := a.header.Get("x-oss-date"), want.UTC().Format("20060102T150405Z"); got != w {
						t.Errorf("request %d: x-oss-date %q, want %q", i+1, got, w)
					}
				}
			})
		})
	}
}

func TestRetryErrorsWrappedOnce(t *testing.T) {
	tests := []struct {
		name   string
		answer stubAnswer
		call   func(t *testing.T, c *Client) error
		want   string // the prefix
	}{
		{"object, service error", stubError(404, "NoSuchKey"), func(t *testing.T, c *Client) error {
			_, err := c.GetObject(t.Context(), &GetObjectRequest{Bucket: "bkt", Key: "a/b"})
			return err
		}, "oss: GetObject bkt/a/b: NoSuchKey (status 404)"},
		{"object, network error", stubNetError(connReset("read"), 0), func(t *testing.T, c *Client) error {
			_, err := c.PutObject(t.Context(), &PutObjectRequest{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), Size: 1})
			return err
		}, "oss: PutObject bkt/k: Put "},
		{"bucket", stubError(503, "ServiceUnavailable"), func(t *testing.T, c *Client) error {
			_, err := c.PutBucket(t.Context(), &PutBucketRequest{Bucket: "bkt"})
			return err
		}, "oss: PutBucket bkt: ServiceUnavailable (status 503)"},
		{"service", stubError(500, "InternalError"), func(t *testing.T, c *Client) error {
			for _, err := range c.ListBuckets(t.Context(), &ListBucketsRequest{}) {
				return err
			}
			return nil
		}, "oss: ListBuckets: InternalError (status 500)"},
		{"multipart XML", stubError(404, "NoSuchUpload"), func(t *testing.T, c *Client) error {
			_, err := c.CompleteMultipartUpload(t.Context(), &CompleteMultipartUploadRequest{Bucket: "bkt", Key: "k", UploadID: "U", Parts: []UploadedPart{{PartNumber: 1, ETag: `"E"`}}})
			return err
		}, "oss: CompleteMultipartUpload bkt/k: NoSuchUpload (status 404)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := stubClient(t, Config{}, &stubScript{answers: []stubAnswer{tt.answer}})
				err := tt.call(t, c)
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, tt.want) || strings.Count(msg, "oss: ") != 1 || strings.Contains(msg, "\n") {
					t.Errorf("error %q, want one line starting %q, wrapped once", msg, tt.want)
				}
			})
		})
	}
}
