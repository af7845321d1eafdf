package server

import (
	"bytes"
	"context"
	"io"
	"testing"
	"testing/synctest"
	"time"
)

// TestThrottle paces 1 MiB at 100 KiB/s (819200 bit/s, the smallest
// traffic limit OSS accepts) on the fake clock: reading or writing it must
// take 10.24 seconds, give or take one slice.
func TestThrottle(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1<<20)
	want := 10240 * time.Millisecond // 1,048,576 bytes at 102,400 bytes a second
	for _, dir := range []string{"read", "write"} {
		t.Run(dir, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var out bytes.Buffer
				var err error
				if dir == "read" {
					_, err = io.Copy(&out, &throttledReader{r: bytes.NewReader(data), t: newThrottle(t.Context(), minTrafficLimit)})
				} else {
					_, err = io.Copy(&throttledWriter{w: &out, t: newThrottle(t.Context(), minTrafficLimit)}, bytes.NewReader(data))
				}
				took := time.Since(start)
				if err != nil || !bytes.Equal(out.Bytes(), data) {
					t.Fatalf("err %v, %d bytes", err, out.Len())
				}
				if took < want-100*time.Millisecond || took > want+100*time.Millisecond {
					t.Errorf("1 MiB at 100 KiB/s took %v, want %v", took, want)
				}
			})
		})
	}
}

// TestThrottleCancel: a cancelled request stops waiting at once.
func TestThrottleCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		tr := &throttledReader{r: bytes.NewReader(make([]byte, 1<<20)), t: newThrottle(ctx, minTrafficLimit)}
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		start := time.Now()
		_, err := io.Copy(io.Discard, tr)
		if err != context.Canceled || time.Since(start) != time.Second {
			t.Errorf("got %v after %v, want context.Canceled after 1s", err, time.Since(start))
		}
	})
}

func TestTrafficLimitHeader(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	for _, v := range []string{"1", "819199", "838860801", "fast"} {
		h.fails(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"x-oss-traffic-limit": v}}, "InvalidArgument")
	}
	h.ok(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("paced"), header: map[string]string{"x-oss-traffic-limit": "838860800"}}, 200)
	r := h.ok(call{method: "GET", bucket: "bkt", key: "k", header: map[string]string{"x-oss-traffic-limit": "838860800"}}, 200)
	if string(r.body) != "paced" {
		t.Errorf("GET with a traffic limit: %q", r.body)
	}
}
