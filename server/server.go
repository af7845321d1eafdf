package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/server/store"
)

// Credential is an account the server accepts: an access key pair and,
// for STS-style credentials, the security token requests must carry.
type Credential struct {
	// Account names the account the key belongs to: keys with the same
	// Account are one account, which owns the buckets any of them
	// created. Empty is the default account, which owns every bucket
	// created before accounts were recorded.
	Account         string
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// Config configures a Server. Only Dir and Credentials are required.
type Config struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// Credentials are the keys allowed to sign requests. A bucket belongs
	// to the account that created it; other accounts and anonymous callers
	// reach it only as its ACLs (and its objects' ACLs) allow.
	Credentials []Credential
	// VirtualHostBases are the host names under which virtual-hosted style
	// addressing works: a request to "<bucket>.<base>" addresses <bucket>.
	// Requests to any other host (an IP address, for example) use path
	// style: "/<bucket>/<key>".
	VirtualHostBases []string
	// Region is reported in bucket locations (as "oss-<Region>") and is the
	// only region a Signature V4 credential scope may name; empty means
	// "cn-hangzhou".
	Region string
	// Logger receives one line per internal error and the store's start-up
	// report; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time, for signature checks, the times the
	// store records and the lifecycle sweep; nil means time.Now. Tests
	// set it to check clock skew and to age multipart uploads.
	Now func() time.Time
	// CallbackAllow lists address ranges that upload callbacks may reach
	// although they are not public. By default a callback may connect only
	// to globally reachable unicast addresses: loopback, private, link-local
	// (the cloud metadata service included), CGNAT, multicast, unspecified
	// and reserved addresses are refused, so that an uploader cannot make
	// the server call, and report back, services on its own network. The
	// check is made on the address each connection dials, after name
	// resolution. An embedding program that calls back its own machine
	// allows 127.0.0.0/8 and ::1/128 here.
	CallbackAllow []netip.Prefix
	// CallbackClient, when set, posts upload callbacks in place of the
	// default client, and with it replaces the address policy: its
	// Transport connects wherever it is told, so CallbackAllow does not
	// apply. Redirects are still never followed, and one upload's callback
	// is still bounded by one 5-second timeout. Nil means the default client.
	CallbackClient *http.Client
	// IdleTimeout is how long a request body or response may stall before
	// the connection is cut, before and after authentication; zero means
	// one minute.
	IdleTimeout time.Duration
	// MaxUnauthenticatedConns caps the connections open at once on which
	// no request has yet been authorised; at the cap, each new connection
	// closes the oldest such one. Zero means
	// DefaultMaxUnauthenticatedConns. It applies to servers built by
	// NewHTTPServer.
	MaxUnauthenticatedConns int

	// callbackTimeout bounds one upload callback, all its URLs together;
	// zero means defaultCallbackTimeout. Tests shorten it.
	callbackTimeout time.Duration

	// AbortIncompleteAfter, when positive, is how long a multipart upload
	// of any bucket may stay in progress before the lifecycle sweep aborts
	// it, in addition to the buckets' own lifecycle rules; zero leaves
	// uploads to those rules.
	AbortIncompleteAfter time.Duration
	// LifecycleInterval is how often the lifecycle sweep runs, after a
	// first sweep when the server opens; zero means
	// DefaultLifecycleInterval, and a negative value runs no sweeps.
	LifecycleInterval time.Duration

	// RestoreDelay is how long RestoreObject takes to make an Archive
	// object readable; zero means DefaultRestoreDelay (1 s), a negative
	// value makes it readable at once. OSS takes about a minute.
	RestoreDelay time.Duration
	// ColdRestoreDelay is how long RestoreObject takes to make a
	// ColdArchive object readable at the Standard priority; Expedited
	// takes half as long, Bulk twice as long, and a DeepColdArchive
	// object twice as long as a ColdArchive one. Zero means
	// DefaultColdRestoreDelay (4 s), a negative value no delay. OSS
	// takes hours.
	ColdRestoreDelay time.Duration
	// RestoreDay is the length of the days a RestoreObject asks its copy
	// to stay readable for; zero means DefaultRestoreDay (24 hours).
	// Tests shorten it.
	RestoreDay time.Duration
}

// Server is an OSS-compatible http.Handler backed by an on-disk store.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store
	verifier sign.Verifier
	// awsVerifier checks the requests of the S3 dialect.
	awsVerifier sign.AWSVerifier
	accounts    map[string]string // access key id -> account
	callback    *http.Client
	conns       *connTracker
	// confMu serialises the read-modify-write of configurations that hold
	// several rules (inventory, replication).
	confMu   sync.Mutex
	policies policyCache // parsed bucket policies

	stopSweeps context.CancelFunc // ends the lifecycle sweeps
	sweeps     sync.WaitGroup     // the goroutine running them
}

// Open opens (or creates) the store in cfg.Dir and returns a Server ready
// to serve. Close it to release the store.
func Open(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("server: Config.Dir is required")
	}
	if len(cfg.Credentials) == 0 {
		return nil, errors.New("server: at least one credential is required")
	}
	creds := make(map[string]sign.Credentials, len(cfg.Credentials))
	accounts := make(map[string]string, len(cfg.Credentials))
	for _, c := range cfg.Credentials {
		if c.AccessKeyID == "" || c.AccessKeySecret == "" {
			return nil, errors.New("server: credentials need an access key id and secret")
		}
		accounts[c.AccessKeyID] = c.Account
		creds[c.AccessKeyID] = sign.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
	}
	if cfg.Region == "" {
		cfg.Region = "cn-hangzhou"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = time.Minute
	}
	if cfg.MaxUnauthenticatedConns <= 0 {
		cfg.MaxUnauthenticatedConns = DefaultMaxUnauthenticatedConns
	}
	restoreSettings(&cfg)
	if cfg.callbackTimeout <= 0 {
		cfg.callbackTimeout = defaultCallbackTimeout
	}
	cb, err := callbackClient(cfg)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := store.Open(cfg.Dir, store.Options{Logger: log, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	verifier := sign.Verifier{
		Lookup: func(ak string) (sign.Credentials, bool) { c, ok := creds[ak]; return c, ok },
		Region: cfg.Region,
	}
	s := &Server{
		cfg:         cfg,
		log:         log,
		store:       st,
		accounts:    accounts,
		verifier:    verifier,
		awsVerifier: sign.AWSVerifier{Lookup: verifier.Lookup, Region: cfg.Region},
		callback:    cb,
		conns:       newConnTracker(cfg.MaxUnauthenticatedConns),
	}
	s.startSweeps(cfg.LifecycleInterval)
	return s, nil
}

// Close stops the lifecycle sweeps, waits for one in progress to end, and
// closes the store. Requests still in flight fail; shut the http.Server
// down first.
func (s *Server) Close() error {
	s.stopSweeps()
	s.sweeps.Wait()
	if s.cfg.CallbackClient == nil {
		s.callback.CloseIdleConnections()
	}
	return s.store.Close()
}

// NewHTTPServer returns an http.Server for h with timeouts that protect
// against slow clients: headers must arrive within 10 seconds and idle
// keep-alive connections close after 2 minutes. Slow bodies are cut by the
// Server's own per-read deadline (Config.IdleTimeout), so large uploads are
// not bounded by a total read timeout. When h is a *Server, connections
// on which no request has been authorised are capped
// (Config.MaxUnauthenticatedConns).
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	hs := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if s, ok := h.(*Server); ok {
		hs.ConnContext = s.conns.context
		hs.ConnState = s.conns.state
	}
	return hs
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// ServeHTTP answers one OSS request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	if requestDialect(r) == dialectS3 {
		w = &s3Writer{ResponseWriter: w}
	}
	h := w.Header()
	h.Set("x-oss-request-id", rid)
	h.Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	h.Set("Server", "AliyunOSS")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic serving request", "method", r.Method, "url", redactURL(r.URL), "request_id", rid, "panic", p, "stack", string(debug.Stack()))
			s.writeError(w, r, rid, newError("InternalError", ""))
		}
	}()
	// Bound the body before anything else: Go's server reads it without a
	// deadline unless one is set, and a client that declares a body and
	// never sends it would otherwise hold the connection forever. Every
	// read of the body pushes the deadline forward; its end lifts it.
	rc := http.NewResponseController(w)
	body := &watchedBody{ReadCloser: r.Body, rc: rc}
	if !body.consumed(r) {
		_ = rc.SetReadDeadline(now().Add(s.cfg.IdleTimeout))
	}
	r.Body = body
	// Go's server inspects r.Body after the handler (to linger before
	// closing a connection whose body it gave up on, so that the client
	// reads the answer instead of a reset): give it back its own.
	defer func() { r.Body = body.ReadCloser }()
	var rq *request
	var err error
	if r.Method == http.MethodOptions {
		// A CORS preflight: answered from the bucket's CORS rules alone,
		// without a signature.
		err = s.preflight(w, r)
	} else {
		s.corsHeaders(w, r)
		rq, err = s.parse(w, r)
		if err == nil {
			err = s.dispatch(w, r, rq)
		}
	}
	if err != nil {
		if !body.consumed(r) {
			// Go's server reads what is left of an unread body (up to
			// 256 KiB) before it answers, so that the connection can be
			// reused and clients that write their whole body before
			// reading see the answer, not a reset. A client that sends
			// it promptly loses nothing; one that stalls is cut after a
			// short grace and the connection closed. Larger bodies are
			// not read: Go answers with Connection: close.
			_ = rc.SetReadDeadline(now().Add(min(s.cfg.IdleTimeout, drainGrace)))
		}
		s.writeError(w, r, rid, err)
	}
}
