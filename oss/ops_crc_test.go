package oss_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// fakeCRC is what the corrupting middleware reports as the CRC-64.
const fakeCRC = 1234567890

// corruptWriter rewrites the answer on its way to the client: it replaces
// a reported x-oss-hash-crc64ecma with fakeCRC, or flips the first byte of
// the body.
type corruptWriter struct {
	http.ResponseWriter
	crc, body bool
	flipped   bool
}

func (w *corruptWriter) WriteHeader(status int) {
	if w.crc && w.Header().Get("x-oss-hash-crc64ecma") != "" {
		w.Header().Set("x-oss-hash-crc64ecma", strconv.Itoa(fakeCRC))
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *corruptWriter) Write(p []byte) (int, error) {
	if w.body && !w.flipped && len(p) > 0 {
		w.flipped = true
		q := bytes.Clone(p)
		q[0] ^= 0xFF
		return w.ResponseWriter.Write(q)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets the server's http.ResponseController reach the connection.
func (w *corruptWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// corrupt returns a Middleware that corrupts the answers to requests with
// the given method.
func corrupt(method string, crc, body bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == method {
				w = &corruptWriter{ResponseWriter: w, crc: crc, body: body}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestGetObjectCRCMismatch(t *testing.T) {
	data := pattern(7, 5000)
	want := crc64.Checksum(data)
	tests := []struct {
		name      string
		crc, body bool
		gotCRC    uint64 // what the client computes
		reported  uint64 // what the service reports
	}{
		{"reported CRC rewritten", true, false, want, fakeCRC},
		{"body corrupted", false, true, crc64.Checksum(append([]byte{data[0] ^ 0xFF}, data[1:]...)), want},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachCombo(t, func(t *testing.T, c combo) {
				e := c.start(t, osstest.Options{Middleware: corrupt(http.MethodGet, tc.crc, tc.body)})
				e.put("k", data, oss.ObjectMetadata{})
				res, err := e.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: e.Bucket, Key: "k"})
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				got, err := io.ReadAll(res.Body)
				if !errors.Is(err, oss.ErrCRCMismatch) {
					t.Fatalf("read to the end: %v, want ErrCRCMismatch", err)
				}
				if len(got) != len(data) {
					t.Errorf("read %d bytes before the error, want %d", len(got), len(data))
				}
				msg := err.Error()
				for _, v := range []uint64{tc.gotCRC, tc.reported} {
					if !strings.Contains(msg, strconv.FormatUint(v, 10)) {
						t.Errorf("error %q does not name %d", msg, v)
					}
				}
				// A ranged read is not checked: the CRC is the whole object's.
				res, err = e.Client.GetObject(t.Context(), &oss.GetObjectRequest{Bucket: e.Bucket, Key: "k", Range: &oss.ByteRange{Offset: 1, Length: 10}})
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if _, err := io.ReadAll(res.Body); err != nil {
					t.Errorf("ranged read: %v", err)
				}
			})
		})
	}
}

func TestUploadCRCMismatch(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{Middleware: corrupt(http.MethodPut, true, false)})
		ctx := t.Context()
		data := pattern(8, 3000)
		want := strconv.FormatUint(crc64.Checksum(data), 10)
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, oss.ErrCRCMismatch) {
				t.Fatalf("%s: %v, want ErrCRCMismatch", op, err)
			}
			if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, strconv.Itoa(fakeCRC)) || !strings.HasPrefix(msg, "oss: "+op) {
				t.Errorf("%s: error %q: want the operation, %s and %d", op, msg, want, fakeCRC)
			}
		}
		_, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: "k", Body: bytes.NewReader(data), Size: int64(len(data))})
		check("PutObject", err)

		init, err := e.Client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: e.Bucket, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		id := init.UploadID
		_, err = e.Client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: e.Bucket, Key: "k", UploadID: id, PartNumber: 1,
			Body: io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data))), Size: int64(len(data))})
		check("UploadPart", err)
	})
}
