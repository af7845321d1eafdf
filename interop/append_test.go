package interop

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"net/http"
	"strconv"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// appendResult is what an AppendObject reply carries.
type appendResult struct {
	next int64  // x-oss-next-append-position
	crc  string // x-oss-hash-crc64ecma: of the whole object
}

// appendObject is AppendObject of chunk at position, with the SDK's CRC-64
// check on: the SDK continues initCRC (the CRC-64 of the object's first
// position bytes) over chunk and compares the result with the reply's.
// o applies to the first append only. On an error the result holds the
// x-oss-next-append-position of the reply, if any.
func appendObject(ctx context.Context, c sdkClient, bucket, key string, position int64, chunk []byte, initCRC uint64, o putOptions) (appendResult, error) {
	switch c := c.(type) {
	case *v1Client:
		var h http.Header
		opts := append(v1PutOptions(o), v1.InitCRC(initCRC), v1.GetResponseHeader(&h), v1.WithContext(ctx))
		next, err := c.bucket(bucket).AppendObject(key, bytes.NewReader(chunk), position, opts...)
		if err != nil {
			next, _ = strconv.ParseInt(h.Get("x-oss-next-append-position"), 10, 64)
		}
		return appendResult{next: next, crc: h.Get("x-oss-hash-crc64ecma")}, err
	case *v2Client:
		res, err := c.c.AppendObject(ctx, &v2.AppendObjectRequest{
			Bucket: &bucket, Key: &key, Position: &position, Body: bytes.NewReader(chunk),
			ContentType: optional(o.ContentType), Metadata: o.Meta,
			InitHashCRC64: v2.Ptr(strconv.FormatUint(initCRC, 10)),
		})
		if se, ok := errors.AsType[*v2.ServiceError](err); ok {
			next, _ := strconv.ParseInt(se.Headers.Get("x-oss-next-append-position"), 10, 64)
			return appendResult{next: next}, err
		}
		if err != nil {
			return appendResult{}, err
		}
		return appendResult{next: res.NextPosition, crc: v2.ToString(res.HashCRC64)}, nil
	}
	panic("unknown SDK client")
}

func crcOf(b []byte) uint64 { return crc64.Checksum(b, ecmaTable) }

func TestAppendObject(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "append", "logs/日志 1+1.log"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		chunks := [][]byte{randomData(1000, 41), randomData(150<<10, 42), randomData(7, 43)}
		meta := map[string]string{"appended": "three times"}
		var data []byte
		for i, chunk := range chunks {
			o := putOptions{}
			if i == 0 {
				o = putOptions{ContentType: "text/x-log", Meta: meta}
			}
			res, err := appendObject(ctx, c, bucket, key, int64(len(data)), chunk, crcOf(data), o)
			if err != nil {
				t.Fatalf("AppendObject %d at %d: %v", i+1, len(data), err)
			}
			data = append(data, chunk...)
			if res.next != int64(len(data)) {
				t.Errorf("AppendObject %d: next position %d, want %d", i+1, res.next, len(data))
			}
			// The SDK's check passed; make sure the header it checks was there.
			if res.crc != crc64Of(data) {
				t.Errorf("AppendObject %d: x-oss-hash-crc64ecma %q, want %q", i+1, res.crc, crc64Of(data))
			}
		}
		wantObject(t, c, bucket, key, data, "text/x-log", meta, map[string]string{})
		h, err := c.Head(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		if h.Type != "Appendable" {
			t.Errorf("HeadObject: x-oss-object-type %q, want Appendable", h.Type)
		}

		for _, pos := range []int64{0, int64(len(data)) - 1, int64(len(data)) + 1} {
			res, err := appendObject(ctx, c, bucket, key, pos, []byte("misplaced"), 0, putOptions{})
			wantCode(t, "AppendObject at "+strconv.FormatInt(pos, 10), err, http.StatusConflict, "PositionNotEqualToLength")
			if res.next != int64(len(data)) {
				t.Errorf("AppendObject at %d: x-oss-next-append-position %d, want %d", pos, res.next, len(data))
			}
		}
		wantObject(t, c, bucket, key, data, "text/x-log", meta, map[string]string{})

		// A wrong initial CRC-64: the server appends, the SDK's check fails.
		tail := []byte("checked tail")
		_, err = appendObject(ctx, c, bucket, key, int64(len(data)), tail, crcOf(data)+1, putOptions{})
		if err == nil {
			t.Fatal("AppendObject with a wrong initial CRC-64: no error, the SDK's CRC-64 check did not run")
		}
		if v.sdk == 1 {
			if _, ok := errors.AsType[v1.CRCCheckError](err); !ok {
				t.Errorf("AppendObject with a wrong initial CRC-64: %v (%T), want a CRCCheckError", err, err)
			}
		} else if _, _, ok := serviceErr(err); ok {
			t.Errorf("AppendObject with a wrong initial CRC-64: %v, want the SDK's CRC-64 mismatch", err)
		}
		data = append(data, tail...)
		wantObject(t, c, bucket, key, data, "text/x-log", meta, map[string]string{})

		const normal = "normal object"
		if _, err := c.Put(ctx, bucket, normal, []byte("not appendable"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = appendObject(ctx, c, bucket, normal, int64(len("not appendable")), []byte("more"), crcOf([]byte("not appendable")), putOptions{})
		wantCode(t, "AppendObject to a Normal object", err, http.StatusConflict, "ObjectNotAppendable")
	})
}

// TestAppendOnlyFile writes an appendable object through the v2 SDK's
// AppendOnlyFile, which continues the CRC-64 the last reply reported,
// then reopens it and writes on.
func TestAppendOnlyFile(t *testing.T) {
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "appendfile", "files/追加 file+1.txt"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		cl := c.(*v2Client).c
		meta := map[string]string{"writer": "AppendOnlyFile"}
		af, err := cl.AppendFile(ctx, bucket, key, func(o *v2.AppendOptions) {
			o.CreateParameter = &v2.AppendObjectRequest{ContentType: v2.Ptr("text/plain"), Metadata: meta}
		})
		if err != nil {
			t.Fatalf("AppendFile: %v", err)
		}
		var data []byte
		for i, chunk := range [][]byte{randomData(333, 44), randomData(200<<10, 45), randomData(1, 46)} {
			n, err := af.Write(chunk)
			if err != nil || n != len(chunk) {
				t.Fatalf("AppendOnlyFile.Write %d: %d, %v; want %d", i+1, n, err, len(chunk))
			}
			data = append(data, chunk...)
		}
		if err := af.Close(); err != nil {
			t.Fatal(err)
		}
		wantObject(t, c, bucket, key, data, "text/plain", meta, map[string]string{})

		af, err = cl.AppendFile(ctx, bucket, key)
		if err != nil {
			t.Fatalf("AppendFile on the existing object: %v", err)
		}
		more := randomData(4096, 47)
		if n, err := af.Write(more); err != nil || n != len(more) {
			t.Fatalf("AppendOnlyFile.Write after reopening: %d, %v", n, err)
		}
		info, err := af.Stat()
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, more...)
		if info.Size() != int64(len(data)) {
			t.Errorf("AppendOnlyFile.Stat: size %d, want %d", info.Size(), len(data))
		}
		wantObject(t, c, bucket, key, data, "text/plain", meta, map[string]string{})

		if _, err := c.Put(ctx, bucket, "normal", []byte("normal"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.AppendFile(ctx, bucket, "normal"); err == nil {
			t.Error("AppendFile on a Normal object: no error")
		}
	})
}
