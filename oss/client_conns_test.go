package oss_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
)

// connCounter tracks the connections a server has open, and the most it
// had open at once.
type connCounter struct {
	mu        sync.Mutex
	open, max int
}

func (c *connCounter) connState(_ net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew:
		c.open++
		c.max = max(c.max, c.open)
	case http.StateClosed, http.StateHijacked:
		c.open--
	}
}

func (c *connCounter) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

// TestMaxConnsPerHost checks that Config.MaxConnsPerHost caps the
// connections open to the endpoint: eight concurrent slow requests over
// two connections all succeed, taking turns, and the requests that wait
// for a connection longer than StallTimeout are not taken for stalled.
func TestMaxConnsPerHost(t *testing.T) {
	const conns, requests, delay = 2, 8, 150 * time.Millisecond
	var counter connCounter
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.Header().Set("x-oss-request-id", "0123456789ABCDEF01234567")
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = counter.connState
	srv.Start()
	defer srv.Close()

	c, err := oss.New(oss.Config{
		Endpoint: srv.URL, Region: "cn-hangzhou",
		Credentials:     oss.StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"},
		MaxConnsPerHost: conns,
		// The last requests wait about three delays for a connection.
		StallTimeout:     delay,
		ReadTimeout:      10 * delay,
		RetryMaxAttempts: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, requests)
	for i := range requests {
		wg.Go(func() {
			_, errs[i] = c.DeleteObject(t.Context(), &oss.DeleteObjectRequest{Bucket: "bkt", Key: "obj"})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if got := counter.peak(); got > conns {
		t.Errorf("the server had %d connections open at once, want at most %d", got, conns)
	}
	// Two at a time, eight requests take four delays at least.
	if took, least := time.Since(start), requests/conns*delay; took < least {
		t.Errorf("%d requests took %v, less than %v: they did not wait for connections", requests, took, least)
	}
}
