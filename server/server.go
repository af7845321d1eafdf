package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// Config configures a Server. Only Dir and Credentials are required.
type Config struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// Credentials are the accounts allowed to sign requests. Every account
	// owns every bucket: the server is single-tenant.
	Credentials []Credential
	// VirtualHostBases are the host names under which virtual-hosted style
	// addressing works: a request to "<bucket>.<base>" addresses <bucket>.
	// Requests to any other host (an IP address, for example) use path
	// style: "/<bucket>/<key>".
	VirtualHostBases []string
	// Region is reported in bucket locations (as "oss-<Region>"); empty
	// means "cn-hangzhou".
	Region string
	// Logger receives one line per internal error and the store's start-up
	// report; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time, for signature checks, the times the
	// store records and the lifecycle sweep; nil means time.Now. Tests
	// set it to check clock skew and to age multipart uploads.
	Now func() time.Time
	// CallbackClient posts upload callbacks; nil means a client with the
	// 5-second timeout OSS uses.
	CallbackClient *http.Client
	// IdleTimeout is how long a request body or response may stall before
	// the connection is cut; zero means one minute.
	IdleTimeout time.Duration
	// AbortIncompleteAfter, when positive, is how long a multipart upload
	// of any bucket may stay in progress before the lifecycle sweep aborts
	// it, in addition to the buckets' own lifecycle rules; zero leaves
	// uploads to those rules.
	AbortIncompleteAfter time.Duration
	// LifecycleInterval is how often the lifecycle sweep runs, after a
	// first sweep when the server opens; zero means
	// DefaultLifecycleInterval, and a negative value runs no sweeps.
	LifecycleInterval time.Duration
}

// Server is an OSS-compatible http.Handler backed by an on-disk store.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store
	verifier sign.Verifier
	callback *http.Client

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
	for _, c := range cfg.Credentials {
		if c.AccessKeyID == "" || c.AccessKeySecret == "" {
			return nil, errors.New("server: credentials need an access key id and secret")
		}
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
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := store.Open(cfg.Dir, store.Options{Logger: log, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cb := cfg.CallbackClient
	if cb == nil {
		cb = &http.Client{Timeout: 5 * time.Second}
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		store:    st,
		verifier: sign.Verifier{Lookup: func(ak string) (sign.Credentials, bool) { c, ok := creds[ak]; return c, ok }},
		callback: cb,
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
	return s.store.Close()
}

// NewHTTPServer returns an http.Server for h with timeouts that protect
// against slow clients: headers must arrive within 10 seconds and idle
// keep-alive connections close after 2 minutes. Slow bodies are cut by the
// Server's own per-read deadline (Config.IdleTimeout), so large uploads are
// not bounded by a total read timeout.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// ServeHTTP answers one OSS request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	h := w.Header()
	h.Set("x-oss-request-id", rid)
	h.Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	h.Set("Server", "AliyunOSS")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic serving request", "method", r.Method, "url", r.URL.String(), "request_id", rid, "panic", p, "stack", string(debug.Stack()))
			s.writeError(w, r, rid, newError("InternalError", ""))
		}
	}()
	rq, err := s.parse(w, r)
	if err == nil {
		err = s.dispatch(w, r, rq)
	}
	if err != nil {
		s.writeError(w, r, rid, err)
	}
}
