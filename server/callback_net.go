package server

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// defaultCallbackTimeout bounds one upload callback, all its URLs
// together, as OSS does.
const defaultCallbackTimeout = 5 * time.Second

// nonPublic lists the ranges that are not globally reachable beyond those
// netip's predicates (loopback, link-local, private, multicast,
// unspecified) already name. Callbacks may not reach them unless
// Config.CallbackAllow says so.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"; 0.0.0.0 dials the local host
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast, deprecated
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible, deprecated
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo included
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // SRv6 segment identifiers
	netip.MustParsePrefix("fec0::/10"),       // site-local, deprecated
}

// nat64 is the well-known NAT64 prefix: its addresses reach the IPv4
// address in their last four bytes.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// isPublic reports whether a is a globally reachable unicast address. An
// IPv4-mapped or NAT64 address is judged by the IPv4 address it reaches.
func isPublic(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	if nat64.Contains(a) {
		b := a.As16()
		return isPublic(netip.AddrFrom4([4]byte(b[12:])))
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// callbackPolicy decides which addresses upload callbacks may connect to:
// public ones, and those in allow.
type callbackPolicy struct {
	allow []netip.Prefix
}

func (p callbackPolicy) allowed(a netip.Addr) bool {
	a = a.WithZone("")
	for _, pre := range p.allow {
		if pre.Contains(a) || pre.Contains(a.Unmap()) {
			return true
		}
	}
	return isPublic(a)
}

// errCallbackRefused marks a callback connection the policy refused.
var errCallbackRefused = errors.New("callback target address is not allowed")

// control runs after each callback connection's address is resolved and
// before it connects, so it judges the address actually dialled: a name
// that resolves to a public address for a check and to an internal one for
// the connection cannot slip through.
func (p callbackPolicy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !p.allowed(ap.Addr()) {
		return errCallbackRefused
	}
	return nil
}

// callbackClient returns the client that posts cfg's upload callbacks:
// cfg.CallbackClient made to refuse redirects, else the default client
// with the address policy of cfg.CallbackAllow.
func callbackClient(cfg Config) (*http.Client, error) {
	if cfg.CallbackClient != nil {
		c := *cfg.CallbackClient
		c.CheckRedirect = refuseRedirect
		return &c, nil
	}
	allow := make([]netip.Prefix, len(cfg.CallbackAllow))
	for i, p := range cfg.CallbackAllow {
		if !p.IsValid() {
			return nil, errors.New("server: Config.CallbackAllow holds an invalid prefix")
		}
		allow[i] = p.Masked()
	}
	return newCallbackClient(callbackPolicy{allow: allow}), nil
}

// newCallbackClient returns the client that posts upload callbacks: it
// connects only where p allows, never through a proxy, and never follows
// redirects. Its time is bounded by the caller's context.
func newCallbackClient(p callbackPolicy) *http.Client {
	d := &net.Dialer{Control: p.control}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.DialContext,
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           16,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: refuseRedirect,
	}
}

// refuseRedirect makes a client return a redirect as the response, which
// the callback then reports as a failure with its status.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
