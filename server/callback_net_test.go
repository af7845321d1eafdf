package server

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

func TestCallbackPolicyAllowed(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		addr  string
		allow []netip.Prefix
		want  bool
	}{
		{"8.8.8.8", nil, true},
		{"93.184.216.34", nil, true},
		{"2001:4860:4860::8888", nil, true},
		{"::ffff:8.8.8.8", nil, true},
		{"64:ff9b::808:808", nil, true}, // NAT64 to a public address
		{"127.0.0.1", nil, false},
		{"127.1.2.3", nil, false},
		{"::1", nil, false},
		{"0.0.0.0", nil, false},
		{"0.1.2.3", nil, false},
		{"::", nil, false},
		{"10.0.0.1", nil, false},
		{"172.16.5.4", nil, false},
		{"192.168.1.1", nil, false},
		{"169.254.169.254", nil, false},
		{"100.64.0.1", nil, false},
		{"100.127.255.254", nil, false},
		{"192.0.0.170", nil, false},
		{"198.18.0.1", nil, false},
		{"224.0.0.1", nil, false},
		{"255.255.255.255", nil, false},
		{"240.0.0.1", nil, false},
		{"fc00::1", nil, false},
		{"fd12:3456::1", nil, false},
		{"fe80::1", nil, false},
		{"fe80::1%eth0", nil, false},
		{"fec0::1", nil, false},
		{"ff02::1", nil, false},
		{"::ffff:127.0.0.1", nil, false},
		{"::ffff:169.254.169.254", nil, false},
		{"::ffff:10.0.0.1", nil, false},
		{"::127.0.0.1", nil, false},          // IPv4-compatible
		{"64:ff9b::7f00:1", nil, false},      // NAT64 to loopback
		{"64:ff9b::a9fe:a9fe", nil, false},   // NAT64 to the metadata service
		{"2002:7f00:1::1", nil, false},       // 6to4 of 127.0.0.1
		{"2001:0:4136:e378::1", nil, false},  // Teredo
		{"2001:db8::1", nil, false},          // documentation
		{"127.0.0.1", loopback, true},        // allowed by the list
		{"::1", loopback, true},              // allowed by the list
		{"::ffff:127.0.0.1", loopback, true}, // mapped form of an allowed address
		{"10.0.0.1", loopback, false},        // the list allows what it names only
		{"10.1.2.3", []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}, true},
		{"10.2.0.1", []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}, false},
	}
	for _, tt := range tests {
		p := callbackPolicy{allow: tt.allow}
		if got := p.allowed(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("allowed(%s) with %v = %v, want %v", tt.addr, tt.allow, got, tt.want)
		}
	}
}

// TestCallbackRefusesInternalTargets: a callback to an address that is not
// public fails as CallbackFailed, the object stays stored, and nothing
// reaches the listener on loopback.
func TestCallbackRefusesInternalTargets(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read-write"}}, 200)
	app := newAppServer(t, 200, `{"secret":"internal"}`)
	_, port, err := net.SplitHostPort(app.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, host string
		anon       bool
	}{
		{"loopback", "127.0.0.1", false},
		{"loopback anonymous", "127.0.0.1", true},
		{"loopback v6", "[::1]", false},
		{"localhost", "localhost", false},
		{"unspecified", "0.0.0.0", false},
		{"unspecified v6", "[::]", false},
		{"mapped loopback", "[::ffff:127.0.0.1]", false},
		{"private 10", "10.0.0.1", false},
		{"private 192.168", "192.168.1.1", false},
		{"private v6", "[fd00::1]", false},
		{"metadata", "169.254.169.254", false},
		{"mapped metadata", "[::ffff:169.254.169.254]", false},
		{"cgnat", "100.64.0.1", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			key := fmt.Sprint("k", i)
			hdr := callbackHeaders(map[string]any{"callbackUrl": "http://" + tt.host + ":" + port + "/cb", "callbackBody": "o=${object}"}, nil)
			e := h.fails(call{method: "PUT", bucket: "pub", key: key, body: []byte("stored"), header: hdr, anon: tt.anon}, ossxml.CodeCallbackFailed)
			if !strings.Contains(e.Message, "is not allowed") || strings.Contains(e.Message, "internal") {
				t.Errorf("message %q", e.Message)
			}
			if got := h.get("pub", key); string(got) != "stored" {
				t.Errorf("object %q", got)
			}
		})
	}
	t.Run("complete", func(t *testing.T) {
		h.t = t
		id := h.initiate("pub", "multi", nil)
		e1 := h.uploadPart("pub", "multi", id, 1, []byte("part"))
		hdr := callbackHeaders(map[string]any{"callbackUrl": app.URL, "callbackBody": "o=${object}"}, nil)
		h.fails(call{method: "POST", bucket: "pub", key: "multi", query: "uploadId=" + id, body: completeBody([]int{1}, []string{e1}), header: hdr}, ossxml.CodeCallbackFailed)
		if got := h.get("pub", "multi"); string(got) != "part" {
			t.Errorf("object %q", got)
		}
	})
	if n := app.calls(); n != 0 {
		t.Errorf("the loopback listener received %d callbacks, want 0", n)
	}
}

// TestCallbackAllow: addresses in Config.CallbackAllow are reached; others
// still are not.
func TestCallbackAllow(t *testing.T) {
	tests := []struct {
		name  string
		allow []string
		host  string
		ok    bool
	}{
		{"loopback allowed", []string{"127.0.0.0/8"}, "127.0.0.1", true},
		{"single address", []string{"127.0.0.1/32"}, "127.0.0.1", true},
		{"mapped form", []string{"127.0.0.0/8"}, "[::ffff:127.0.0.1]", true},
		{"unmasked prefix", []string{"127.0.0.1/8"}, "127.0.0.1", true},
		{"other range", []string{"10.0.0.0/8"}, "127.0.0.1", false},
		{"none", nil, "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				for _, s := range tt.allow {
					c.CallbackAllow = append(c.CallbackAllow, netip.MustParsePrefix(s))
				}
			})
			h.mkbucket("bkt")
			app := newAppServer(t, 200, `{"from":"app"}`)
			_, port, _ := net.SplitHostPort(app.Listener.Addr().String())
			hdr := callbackHeaders(map[string]any{"callbackUrl": "http://" + tt.host + ":" + port, "callbackBody": "o=${object}"}, nil)
			c := call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: hdr}
			if !tt.ok {
				h.fails(c, ossxml.CodeCallbackFailed)
				if n := app.calls(); n != 0 {
					t.Errorf("%d callbacks arrived, want 0", n)
				}
				return
			}
			if r := h.ok(c, 200); string(r.body) != `{"from":"app"}` {
				t.Errorf("uploader got %q, want the application's reply", r.body)
			}
			if n := app.calls(); n != 1 {
				t.Errorf("%d callbacks arrived, want 1", n)
			}
		})
	}
	t.Run("invalid prefix", func(t *testing.T) {
		_, err := Open(Config{Dir: t.TempDir(), Credentials: []Credential{testCred}, CallbackAllow: []netip.Prefix{{}}})
		if err == nil {
			t.Error("Open accepted an invalid prefix")
		}
	})
}

// TestCallbackRedirectNotFollowed: a redirect is a failed callback, with
// the default client and with Config.CallbackClient alike.
func TestCallbackRedirectNotFollowed(t *testing.T) {
	for _, custom := range []bool{false, true} {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprint("custom=", custom, "/", status), func(t *testing.T) {
				h := newHarness(t, func(c *Config) {
					allowLoopback(c)
					if custom {
						c.CallbackClient = &http.Client{}
					}
				})
				h.mkbucket("bkt")
				target := newAppServer(t, 200, `{"redirected":true}`)
				redirect := httptest.NewServer(http.RedirectHandler(target.URL, status))
				t.Cleanup(redirect.Close)
				hdr := callbackHeaders(map[string]any{"callbackUrl": redirect.URL, "callbackBody": "o=${object}"}, nil)
				e := h.fails(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: hdr}, ossxml.CodeCallbackFailed)
				if want := fmt.Sprintf("Error status : %d.", status); e.Message != want {
					t.Errorf("message %q, want %q", e.Message, want)
				}
				if n := target.calls(); n != 0 {
					t.Errorf("the redirect target received %d callbacks, want 0", n)
				}
			})
		}
	}
}

// TestCallbackOneTimeout: five URLs that never answer share one timeout;
// the first one uses it all and the others are not tried.
func TestCallbackOneTimeout(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		allowLoopback(c)
		c.callbackTimeout = 300 * time.Millisecond
	})
	h.mkbucket("bkt")
	var arrived atomic.Int32
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	var urls []string
	for i := range maxCallbackURLs {
		urls = append(urls, fmt.Sprint(slow.URL, "/", i))
	}
	hdr := callbackHeaders(map[string]any{"callbackUrl": strings.Join(urls, ";"), "callbackBody": "o=${object}"}, nil)
	start := time.Now()
	e := h.fails(call{method: "PUT", bucket: "bkt", key: "k", body: []byte("x"), header: hdr}, ossxml.CodeCallbackFailed)
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("the callback took %v", elapsed)
	}
	if !strings.Contains(e.Message, "did not complete within 300ms") {
		t.Errorf("message %q", e.Message)
	}
	if n := arrived.Load(); n != 1 {
		t.Errorf("%d of the %d URLs were tried, want 1", n, maxCallbackURLs)
	}
}

// TestCallbackClientIgnoresProxy: the default client never goes through a
// proxy, whatever the environment says.
func TestCallbackClientIgnoresProxy(t *testing.T) {
	c, err := callbackClient(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", c.Transport)
	}
	if tr.Proxy != nil {
		t.Error("the callback transport has a proxy function")
	}
	if c.CheckRedirect == nil {
		t.Error("the callback client follows redirects")
	}
}
