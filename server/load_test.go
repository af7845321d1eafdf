package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// loadDuration is how long TestLoadWithHostileConnections runs: 3 s, or
// OSSUP_LOAD_SECONDS.
func loadDuration(t *testing.T) time.Duration {
	if v := os.Getenv("OSSUP_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("OSSUP_LOAD_SECONDS=%q", v)
		}
		return time.Duration(n) * time.Second
	}
	return 3 * time.Second
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestLoadWithHostileConnections runs 64 real clients (put, read back and
// compare, list, delete) against 200 hostile connections: idle ones, ones
// that trickle their headers, ones that declare a body and never send it,
// and ones that stall mid-body. No real request may fail, and once
// everything is closed the server holds no extra goroutine or file.
func TestLoadWithHostileConnections(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = 500 * time.Millisecond })
	h.mkbucket("load")
	addr := liveServer(t, h)
	fds0, gor0 := openFDs(t), runtime.NumGoroutine()

	stop := make(chan struct{})
	var hostile sync.WaitGroup
	var hostileConns atomic.Int64
	for i := range 200 {
		hostile.Add(1)
		go func() {
			defer hostile.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				hostileConns.Add(1)
				switch i % 4 {
				case 0: // idle
				case 1: // headers a byte at a time
					for _, b := range []byte("GET /load/ HTTP/1.1\r\nHost: x\r\n") {
						if _, err := c.Write([]byte{b}); err != nil {
							break
						}
						time.Sleep(50 * time.Millisecond)
					}
				case 2: // a body declared and never sent
					_, _ = io.WriteString(c, "PUT /load/hostile HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
				case 3: // a body that stalls
					_, _ = io.WriteString(c, "PUT /load/hostile HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc")
				}
				// Hold the connection until the server drops it or the test ends.
				done := make(chan struct{})
				go func() { _, _ = io.Copy(io.Discard, c); close(done) }()
				select {
				case <-done:
				case <-stop:
				}
				c.Close()
				<-done
			}
		}()
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	deadline := time.Now().Add(loadDuration(t))
	var real sync.WaitGroup
	var ops atomic.Int64
	errs := make(chan error, 64)
	for w := range 64 {
		real.Add(1)
		go func() {
			defer real.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 1))
			do := func(c call, want int) ([]byte, error) {
				req := h.request(c)
				req.URL.Host = addr
				resp, err := client.Do(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					return nil, err
				}
				if resp.StatusCode != want {
					return nil, fmt.Errorf("%s %s?%s: %d %s", c.method, c.key, c.query, resp.StatusCode, body)
				}
				ops.Add(1)
				return body, nil
			}
			for n := 0; time.Now().Before(deadline); n++ {
				key := fmt.Sprintf("w%02d/%d", w, n)
				data := make([]byte, rnd.IntN(256<<10))
				for i := range data {
					data[i] = byte(rnd.Uint32())
				}
				if _, err := do(call{method: "PUT", bucket: "load", key: key, body: data, md5: true}, 200); err != nil {
					errs <- err
					return
				}
				got, err := do(call{method: "GET", bucket: "load", key: key}, 200)
				if err == nil && !bytes.Equal(got, data) {
					err = fmt.Errorf("%s read back %d bytes, put %d", key, len(got), len(data))
				}
				if err != nil {
					errs <- err
					return
				}
				list, err := do(call{method: "GET", bucket: "load", query: "prefix=" + fmt.Sprintf("w%02d/", w)}, 200)
				if err == nil {
					var res ossxml.ListBucketResult
					if err = ossxml.Unmarshal(list, &res); err == nil && len(res.Contents) != 1 {
						err = fmt.Errorf("listing %d objects, want 1", len(res.Contents))
					}
				}
				if err != nil {
					errs <- err
					return
				}
				if _, err := do(call{method: "DELETE", bucket: "load", key: key}, 204); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	real.Wait()
	close(stop)
	hostile.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	client.CloseIdleConnections()
	t.Logf("%d real requests, %d hostile connections", ops.Load(), hostileConns.Load())
	if ops.Load() < 64*4 {
		t.Errorf("only %d real requests completed", ops.Load())
	}
	// Everything closed: the server lets go of every connection's
	// goroutine and file.
	waitFor(t, func() bool {
		return runtime.NumGoroutine() <= gor0+2 && openFDs(t) <= fds0+2 && h.srv.conns.unauthenticated() == 0
	})
}
