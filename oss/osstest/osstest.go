// Package osstest runs an ossup server in-process on loopback and returns
// a ready oss.Client for it, for tests of code that uses package oss.
//
//	env := osstest.Start(t, osstest.Options{})
//	env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, ...})
//
// The server keeps its data in t.TempDir(), speaks real HTTP with real
// signatures, and is closed when the test ends. Its upload callbacks may
// reach loopback, where a test's application server (an httptest.Server)
// listens; other internal addresses are refused as by any server. Outside a test (in an
// Example, say) use [New] and close the Env yourself.
package osstest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/server"
)

// Options adjust the environment; the zero value is a path-style server
// signing with V4 and a bucket called "test-bucket".
type Options struct {
	// SignatureVersion the client signs with.
	SignatureVersion oss.SignatureVersion
	// Dialect the client speaks; the server answers both.
	Dialect oss.Dialect
	// VirtualHosted makes the client address buckets as
	// "<bucket>.oss.test:<port>"; the client's dialer sends every such host
	// to the loopback server.
	VirtualHosted bool
	// Bucket is created before Start returns; empty means "test-bucket",
	// "-" means none.
	Bucket string
	// Middleware wraps the server's handler, to inject faults or observe
	// requests.
	Middleware func(http.Handler) http.Handler
	// Client adjusts the client's Config before the client is made.
	Client func(*oss.Config)
	// Dir is the server's data directory; empty means t.TempDir() (Start)
	// or a temporary directory removed by Env.Close (New).
	Dir string
	// Now is the server's clock, against which signatures and presigned
	// URLs are checked; nil means time.Now.
	Now func() time.Time
}

// Env is a running server and a client for it.
type Env struct {
	Client      *oss.Client
	Server      *server.Server
	HTTP        *httptest.Server
	Config      oss.Config // the client's configuration
	Credentials oss.Credentials
	Bucket      string
	Dir         string

	removeDir bool // Dir was made by New and goes with Close
}

// VirtualHostBase is the host name virtual-hosted environments use.
const VirtualHostBase = "oss.test"

// Start starts a server and returns a client for it; both are closed when
// t ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("osstest: %v", err)
		}
	})
	return e
}

// New starts a server and returns a client for it, as Start does, for
// callers without a testing.TB. The caller must call Close.
func New(opts Options) (env *Env, err error) {
	e := &Env{Dir: opts.Dir, Bucket: opts.Bucket, Credentials: oss.Credentials{AccessKeyID: "LTAIosstest", AccessKeySecret: "osstest-secret"}}
	if e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "osstest-"); err != nil {
			return nil, fmt.Errorf("osstest: %w", err)
		}
		e.removeDir = true
	}
	srv, err := server.Open(server.Config{
		Dir:              e.Dir,
		Credentials:      []server.Credential{{AccessKeyID: e.Credentials.AccessKeyID, AccessKeySecret: e.Credentials.AccessKeySecret}},
		VirtualHostBases: []string{VirtualHostBase},
		Logger:           slog.New(slog.DiscardHandler),
		Now:              opts.Now,
		CallbackAllow:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	})
	if err != nil {
		if e.removeDir {
			_ = os.RemoveAll(e.Dir)
		}
		return nil, fmt.Errorf("osstest: %w", err)
	}
	var h http.Handler = srv
	if opts.Middleware != nil {
		h = opts.Middleware(h)
	}
	e.Server, e.HTTP = srv, httptest.NewServer(h)
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()
	e.Config = oss.Config{
		Endpoint:         e.HTTP.URL,
		Region:           "cn-hangzhou",
		Credentials:      oss.StaticCredentials(e.Credentials),
		SignatureVersion: opts.SignatureVersion,
		Dialect:          opts.Dialect,
	}
	if opts.VirtualHosted {
		addr := e.HTTP.Listener.Addr().String()
		_, port, _ := net.SplitHostPort(addr)
		e.Config.Endpoint = "http://" + VirtualHostBase + ":" + port
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		// As in oss's own transport: transparent gzip would hide the bytes
		// the CRC-64 is computed over, and break objects stored with
		// Content-Encoding: gzip.
		tr.DisableCompression = true
		e.Config.HTTPClient = &http.Client{Transport: tr}
	}
	if opts.Client != nil {
		opts.Client(&e.Config)
	}
	if e.Client, err = oss.New(e.Config); err != nil {
		return nil, fmt.Errorf("osstest: %w", err)
	}
	switch e.Bucket {
	case "-":
		e.Bucket = ""
	case "":
		e.Bucket = "test-bucket"
		fallthrough
	default:
		if _, err := e.Client.PutBucket(context.Background(), &oss.PutBucketRequest{Bucket: e.Bucket}); err != nil {
			return nil, fmt.Errorf("osstest: create bucket: %w", err)
		}
	}
	return e, nil
}

// HTTPClient returns an http.Client that reaches the server the way the
// Env's oss.Client does (virtual-hosted names included), for requests made
// without package oss, such as fetching a presigned URL.
func (e *Env) HTTPClient() *http.Client {
	if e.Config.HTTPClient != nil {
		return e.Config.HTTPClient
	}
	return e.HTTP.Client()
}

// Close stops the HTTP server, closes the store and, when New made the
// data directory, removes it.
func (e *Env) Close() error {
	e.HTTP.Close()
	err := e.Server.Close()
	if err != nil {
		err = fmt.Errorf("osstest: close server: %w", err)
	}
	if e.removeDir {
		err = errors.Join(err, os.RemoveAll(e.Dir))
	}
	return err
}
