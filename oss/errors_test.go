package oss_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// cannedError is an error answer served instead of the server's: status,
// headers, and a body from testdata/errors (or, with errHeader, the file
// base64-encoded in x-oss-err and no body).
type cannedError struct {
	status    int
	file      string // empty: no body
	errHeader bool
	header    map[string]string
}

func (ce cannedError) serve(t *testing.T, w http.ResponseWriter) {
	var body []byte
	if ce.file != "" {
		var err error
		if body, err = os.ReadFile(filepath.Join("testdata", "errors", ce.file)); err != nil {
			t.Error(err)
		}
	}
	for k, v := range ce.header {
		w.Header().Set(k, v)
	}
	if ce.errHeader {
		w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		body = nil
	}
	if len(body) > 0 && bytes.HasPrefix(body, []byte("<?xml")) {
		w.Header().Set("Content-Type", "application/xml")
	}
	w.WriteHeader(ce.status)
	_, _ = w.Write(body)
}

func TestServiceErrorParsing(t *testing.T) {
	const rid = "65A0B2C3D4E5F60718293A40" // the x-oss-request-id header
	const host = "examplebucket.oss-cn-hangzhou.aliyuncs.com"
	tests := []struct {
		name string
		op   string // get, head or put
		resp cannedError
		want oss.ServiceError
		is   []error // sentinels err must match
	}{
		{
			name: "NoSuchKey", op: "get",
			resp: cannedError{status: 404, file: "NoSuchKey.xml", header: map[string]string{"x-oss-request-id": rid, "x-oss-ec": "0026-00000001"}},
			want: oss.ServiceError{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "65A0B2C3D4E5F60718293A4B", HostID: host, EC: "0026-00000001"},
			is:   []error{oss.ErrNoSuchKey},
		},
		{
			name: "SignatureDoesNotMatch", op: "put",
			resp: cannedError{status: 403, file: "SignatureDoesNotMatch.xml", header: map[string]string{"x-oss-request-id": rid}},
			want: oss.ServiceError{
				StatusCode: 403, Code: "SignatureDoesNotMatch", RequestID: "65A0B2C3D4E5F60718293A4C", HostID: host, EC: "0002-00000040",
				Message:      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
				StringToSign: "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\n/examplebucket/nelson",
			},
			is: []error{oss.ErrSignatureDoesNotMatch},
		},
		{
			name: "503 with an HTML page", op: "get",
			resp: cannedError{status: 503, file: "ServiceUnavailable.html", header: map[string]string{"x-oss-request-id": rid, "Content-Type": "text/html"}},
			want: oss.ServiceError{StatusCode: 503, Code: "BadErrorResponse", RequestID: rid,
				Message: "<html> <head><title>503 Service Temporarily Unavailable</title></head> <body> <center><h1>503 Service Temporarily Unavailable</h1></center> <hr><center>Tengine</center> </body> </html>"},
		},
		{
			name: "HEAD 404 with x-oss-err", op: "head",
			resp: cannedError{status: 404, file: "HeadNoSuchKey.xml", errHeader: true, header: map[string]string{"x-oss-request-id": rid, "x-oss-ec": "0026-00000001"}},
			want: oss.ServiceError{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "65A0B2C3D4E5F60718293A4D", HostID: host, EC: "0026-00000001"},
			is:   []error{oss.ErrNoSuchKey},
		},
		{
			name: "HEAD 403 without x-oss-err", op: "head",
			resp: cannedError{status: 403, header: map[string]string{"x-oss-request-id": rid}},
			want: oss.ServiceError{StatusCode: 403, Code: "AccessDenied", Message: "Forbidden", RequestID: rid},
			is:   []error{oss.ErrAccessDenied},
		},
		{
			name: "HEAD 404 without x-oss-err", op: "head",
			resp: cannedError{status: 404, header: map[string]string{"x-oss-request-id": rid}},
			want: oss.ServiceError{StatusCode: 404, Code: "NotFound", Message: "Not Found", RequestID: rid},
		},
		{
			name: "CallbackFailed 203", op: "put",
			resp: cannedError{status: 203, file: "CallbackFailed.xml", header: map[string]string{"x-oss-request-id": rid, "ETag": `"D41D8CD98F00B204E9800998ECF8427E"`}},
			want: oss.ServiceError{StatusCode: 203, Code: "CallbackFailed", Message: "Error status : 502.", RequestID: "65A0B2C3D4E5F60718293A4E", HostID: host, EC: "0007-00000203"},
			is:   []error{oss.ErrCallbackFailed},
		},
		{
			name: "203 without a body", op: "put",
			resp: cannedError{status: 203, header: map[string]string{"x-oss-request-id": rid}},
			want: oss.ServiceError{StatusCode: 203, Code: "CallbackFailed", Message: "Non-Authoritative Information", RequestID: rid},
			is:   []error{oss.ErrCallbackFailed},
		},
		{
			name: "InvalidArgument with a namespace", op: "put",
			resp: cannedError{status: 400, file: "InvalidArgument.xml", header: map[string]string{"x-oss-request-id": rid}},
			want: oss.ServiceError{StatusCode: 400, Code: "InvalidArgument", Message: "Part number must be an integer between 1 and 10000, inclusive.", RequestID: "65A0B2C3D4E5F60718293A4F", HostID: host, EC: "0042-00000002"},
			is:   []error{&oss.ServiceError{Code: "InvalidArgument"}},
		},
		{
			name: "request id and EC from the headers", op: "get",
			resp: cannedError{status: 404, file: "NoSuchUpload.xml", header: map[string]string{"x-oss-request-id": rid, "x-oss-ec": "0042-00000104"}},
			want: oss.ServiceError{StatusCode: 404, Code: "NoSuchUpload", RequestID: rid, HostID: host, EC: "0042-00000104",
				Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
			is: []error{oss.ErrNoSuchUpload},
		},
	}
	byKey := map[string]cannedError{}
	for i, tc := range tests {
		byKey[fmt.Sprintf("case-%d", i)] = tc.resp
	}
	env := osstest.Start(t, osstest.Options{
		Client: func(cfg *oss.Config) { cfg.RetryMaxAttempts = 1 },
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for key, ce := range byKey {
					if strings.HasSuffix(r.URL.Path, "/"+key) {
						ce.serve(t, w)
						return
					}
				}
				next.ServeHTTP(w, r)
			})
		},
	})
	ctx := t.Context()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("case-%d", i)
			var err error
			switch tc.op {
			case "get":
				_, err = env.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: key})
			case "head":
				_, err = env.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: env.Bucket, Key: key})
			case "put":
				_, err = env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: strings.NewReader("data"), Size: 4})
			}
			se, ok := errors.AsType[*oss.ServiceError](err)
			if !ok {
				t.Fatalf("err = %v, want a *oss.ServiceError inside", err)
			}
			if !reflect.DeepEqual(*se, tc.want) {
				t.Errorf("ServiceError:\n got %#v\nwant %#v", *se, tc.want)
			}
			wrapped := fmt.Errorf("upload part 7: %w", err)
			for _, sentinel := range tc.is {
				if !errors.Is(err, sentinel) || !errors.Is(wrapped, sentinel) {
					t.Errorf("errors.Is(err, %v) = false", sentinel)
				}
			}
			for _, other := range []error{oss.ErrNoSuchBucket, oss.ErrInvalidArgument, oss.ErrCRCMismatch} {
				if errors.Is(err, other) {
					t.Errorf("errors.Is(err, %v) = true", other)
				}
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "oss: ") || !strings.Contains(msg, tc.want.Code) || !strings.Contains(msg, tc.want.RequestID) {
				t.Errorf("error string %q: want one line with the code and request id", msg)
			}
		})
	}
}

// A sentinel of an unset code would match nothing; every sentinel's code is
// in the error table the server renders from.
func TestServiceErrorSentinels(t *testing.T) {
	sentinels := []*oss.ServiceError{
		oss.ErrAccessDenied, oss.ErrInvalidAccessKeyID, oss.ErrSignatureDoesNotMatch, oss.ErrRequestTimeTooSkewed,
		oss.ErrNoSuchBucket, oss.ErrNoSuchKey, oss.ErrNoSuchUpload, oss.ErrBucketAlreadyExists, oss.ErrBucketNotEmpty,
		oss.ErrFileAlreadyExists, oss.ErrInvalidPart, oss.ErrInvalidPartOrder, oss.ErrEntityTooSmall,
		oss.ErrInvalidDigest, oss.ErrPreconditionFailed, oss.ErrCallbackFailed,
	}
	for _, s := range sentinels {
		row, ok := ossxml.LookupCode(s.Code)
		if !ok {
			t.Errorf("sentinel code %q is not in the ossxml table", s.Code)
			continue
		}
		se := &oss.ServiceError{StatusCode: row.Status, Code: row.Code, Message: row.Message, EC: row.EC}
		for _, other := range sentinels {
			if got, want := errors.Is(se, other), other == s; got != want {
				t.Errorf("errors.Is(%s, %s) = %v, want %v", s.Code, other.Code, got, want)
			}
		}
	}
	if errors.Is(&oss.ServiceError{}, &oss.ServiceError{}) {
		t.Error("an error without a code matches a sentinel without one")
	}
}
