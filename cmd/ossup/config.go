package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/server"
)

// globalFlags are the connection flags every command that talks to a
// service takes; each falls back to its environment variable.
type globalFlags struct {
	endpoint, region, akID, akSecret, token string
	v1                                      bool
	data                                    string
	quiet                                   bool
	retryFor                                time.Duration
	// conns is how many requests the command sends at once (cp's
	// --task-num); the client may open that many connections.
	conns int
}

func (g *globalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.endpoint, "endpoint", "", "OSS `endpoint` URL (default $OSS_ENDPOINT; none: the embedded local store)")
	fs.StringVar(&g.region, "region", "", "signing `region`, e.g. cn-hangzhou (default $OSS_REGION)")
	fs.StringVar(&g.akID, "access-key-id", "", "access key `id` (default $OSS_ACCESS_KEY_ID)")
	fs.StringVar(&g.akSecret, "access-key-secret", "", "access key `secret` (default $OSS_ACCESS_KEY_SECRET)")
	fs.StringVar(&g.token, "session-token", "", "STS security `token` (default $OSS_SESSION_TOKEN)")
	fs.BoolVar(&g.v1, "sign-v1", false, "sign with Signature V1 instead of V4")
	fs.StringVar(&g.data, "data", defaultDataDir(), "data `directory` of the embedded local store (used when no endpoint is set)")
	fs.BoolVar(&g.quiet, "q", false, "print no progress or notices")
	fs.BoolVar(&g.quiet, "quiet", false, "same as -q")
	fs.DurationVar(&g.retryFor, "retry-for", oss.DefaultRetryMaxElapsed, "keep retrying a request that fails for a transient reason (refused or reset connection, stall, 5xx) for up to `duration`; 0 disables retries")
}

// setRetries applies --retry-for to cfg, and prints retries on stderr
// unless -q: the time budget alone ends the retries.
func (g *globalFlags) setRetries(cfg *oss.Config, stderr io.Writer) error {
	switch {
	case g.retryFor < 0:
		return &usageError{fmt.Sprintf("--retry-for %v: want a duration of 0 or more", g.retryFor)}
	case g.retryFor == 0:
		cfg.RetryMaxAttempts = 1
	default:
		cfg.RetryMaxAttempts = -1
		cfg.RetryMaxElapsed = g.retryFor
	}
	if !g.quiet {
		cfg.OnRetry = newRetryNotice(stderr).event
	}
	return nil
}

// maxConns is the client's connection cap: the library's default, or
// more when the command sends more requests at once.
func (g *globalFlags) maxConns() int {
	return max(g.conns, oss.DefaultMaxConnsPerHost)
}

// session is a client and, when no endpoint is configured, the embedded
// server it talks to.
type session struct {
	client   *oss.Client
	embedded bool
	close    func()
}

// connect builds a client from flags and environment. With no endpoint it
// starts the server in-process on 127.0.0.1 over the local data directory,
// with fresh credentials, and says so on stderr: the embedded path is the
// real path, over HTTP with signatures.
func (g *globalFlags) connect(stderr io.Writer) (*session, error) {
	endpoint := firstNonEmpty(g.endpoint, os.Getenv("OSS_ENDPOINT"))
	if endpoint == "" {
		return g.embedded(stderr)
	}
	region := firstNonEmpty(g.region, os.Getenv("OSS_REGION"))
	if region == "" {
		region = regionFromEndpoint(endpoint)
	}
	creds := oss.StaticCredentials{
		AccessKeyID:     firstNonEmpty(g.akID, os.Getenv("OSS_ACCESS_KEY_ID")),
		AccessKeySecret: firstNonEmpty(g.akSecret, os.Getenv("OSS_ACCESS_KEY_SECRET")),
		SecurityToken:   firstNonEmpty(g.token, os.Getenv("OSS_SESSION_TOKEN")),
	}
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
		return nil, &usageError{"no credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET or pass --access-key-id and --access-key-secret"}
	}
	cfg := oss.Config{Endpoint: endpoint, Region: region, Credentials: creds, MaxConnsPerHost: g.maxConns()}
	if err := g.setRetries(&cfg, stderr); err != nil {
		return nil, err
	}
	if g.v1 {
		cfg.SignatureVersion = oss.SignatureV1
	}
	if cfg.SignatureVersion == oss.SignatureV4 && region == "" {
		return nil, &usageError{"signature v4 needs a region: set OSS_REGION or --region (or use --sign-v1)"}
	}
	c, err := oss.New(cfg)
	if err != nil {
		return nil, err
	}
	return &session{client: c, close: func() {}}, nil
}

// regionFromEndpoint reads the region out of an Alibaba Cloud endpoint
// such as oss-cn-hangzhou.aliyuncs.com.
func regionFromEndpoint(ep string) string {
	host := ep
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	label, _, _ := strings.Cut(host, ".")
	r, ok := strings.CutPrefix(label, "oss-")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(r, "-internal")
}

func (g *globalFlags) embedded(stderr io.Writer) (*session, error) {
	cfg := oss.Config{Region: "cn-hangzhou",
		// The port changes every run; checkpoints must still resume.
		ServiceID:       "ossup-local:" + absDir(g.data),
		MaxConnsPerHost: g.maxConns()}
	if err := g.setRetries(&cfg, stderr); err != nil {
		return nil, err
	}
	cred := server.Credential{AccessKeyID: "LTAIlocal" + randomHex(8), AccessKeySecret: randomHex(16)}
	srv, err := server.Open(server.Config{
		Dir:         g.data,
		Credentials: []server.Credential{cred},
		Logger:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// The user is calling back their own machine.
		CallbackAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	})
	if err != nil {
		return nil, fmt.Errorf("embedded local store in %s: %w", g.data, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	hs := server.NewHTTPServer("", srv)
	go func() { _ = hs.Serve(ln) }()
	endpoint := "http://" + ln.Addr().String()
	if !g.quiet {
		fmt.Fprintf(stderr, "ossup: no endpoint configured: using the local store in %s (embedded server at %s)\n", g.data, endpoint)
	}
	cfg.Endpoint = endpoint
	cfg.Credentials = oss.StaticCredentials{AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret}
	c, err := oss.New(cfg)
	if err != nil {
		hs.Close()
		srv.Close()
		return nil, err
	}
	return &session{client: c, embedded: true, close: func() {
		_ = hs.Shutdown(context.Background())
		_ = srv.Close()
	}}, nil
}

// ensureBucket creates a bucket on first use in the embedded store.
func (s *session) ensureBucket(ctx context.Context, bucket string) error {
	if !s.embedded {
		return nil
	}
	_, err := s.client.PutBucket(ctx, &oss.PutBucketRequest{Bucket: bucket})
	if errors.Is(err, oss.ErrBucketAlreadyExists) {
		return nil
	}
	return err
}

// ossURL is a parsed oss://bucket/key.
type ossURL struct {
	bucket, key string
}

func (u ossURL) String() string { return "oss://" + u.bucket + "/" + u.key }

func isOSSURL(s string) bool { return strings.HasPrefix(s, "oss://") }

// parseOSSURL parses oss://bucket[/key]; needKey requires a key.
func parseOSSURL(s string, needKey bool) (ossURL, error) {
	rest, ok := strings.CutPrefix(s, "oss://")
	if !ok {
		return ossURL{}, &usageError{fmt.Sprintf("%q is not an oss://bucket/key URL", s)}
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return ossURL{}, &usageError{fmt.Sprintf("%q names no bucket", s)}
	}
	if needKey && key == "" {
		return ossURL{}, &usageError{fmt.Sprintf("%q names no object key", s)}
	}
	return ossURL{bucket: bucket, key: key}, nil
}

// sizeFlag is a byte count with binary units: 102400, 100K, 100KB, 100KiB,
// 1M, 1MiB, 5GiB. KB means KiB (1024), as OSS's limits are binary.
type sizeFlag struct{ n int64 }

func (s *sizeFlag) String() string { return strconv.FormatInt(s.n, 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	s.n = n
	return nil
}

func parseSize(v string) (int64, error) {
	i := strings.IndexFunc(v, func(r rune) bool { return !unicode.IsDigit(r) })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.ToLower(strings.TrimSpace(v[i:]))
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q: want a whole number of bytes with an optional unit (KiB, MiB, GiB)", v)
	}
	shift := map[string]uint{"": 0, "b": 0, "k": 10, "kb": 10, "kib": 10, "m": 20, "mb": 20, "mib": 20, "g": 30, "gb": 30, "gib": 30, "t": 40, "tb": 40, "tib": 40}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (use KiB, MiB, GiB or TiB; KB means KiB)", v, unit)
	}
	if n > (1<<62)>>sh {
		return 0, fmt.Errorf("size %q is too large", v)
	}
	return n << sh, nil
}

// kvFlag collects repeated k=v flags.
type kvFlag map[string]string

func (kv kvFlag) String() string { return "" }

func (kv kvFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want key=value", v)
	}
	kv[k] = val
	return nil
}

func absDir(d string) string {
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return d
}
