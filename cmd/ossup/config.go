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
	// dialect is --dialect: "oss", "s3" or "" (by the URLs' scheme).
	dialect   string
	pathStyle bool
	data      string
	quiet     bool
	retryFor  time.Duration
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
	fs.StringVar(&g.dialect, "dialect", "", "API `dialect`: oss or s3 (default: s3 for s3:// URLs, else oss); s3 takes AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
	fs.BoolVar(&g.pathStyle, "path-style", false, "address buckets as host/bucket/key instead of bucket.host/key (always for IP addresses and localhost)")
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
	// scheme is the URL scheme of the dialect spoken: "oss" or "s3";
	// crcName names its CRC-64 in output: "crc64" or "crc64nvme".
	scheme, crcName string
}

// connect builds a client from flags and environment. With no endpoint it
// starts the server in-process on 127.0.0.1 over the local data directory,
// with fresh credentials, and says so on stderr: the embedded path is the
// real path, over HTTP with signatures.
func (g *globalFlags) connect(stderr io.Writer) (*session, error) {
	if g.dialect == "s3" {
		return g.connectS3(stderr)
	}
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
	cfg := oss.Config{Endpoint: endpoint, Region: region, Credentials: creds, MaxConnsPerHost: g.maxConns(), UsePathStyle: g.pathStyle}
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
	return newSession(c, false, func() {}), nil
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

// s3Endpoint is the S3 dialect's endpoint from flags and environment:
// --endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS S3 itself
// when AWS credentials are set, else "" (the embedded local store).
func (g *globalFlags) s3Endpoint(region string) string {
	ep := firstNonEmpty(g.endpoint, os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"))
	if ep == "" && firstNonEmpty(g.akID, os.Getenv("AWS_ACCESS_KEY_ID")) != "" {
		ep = "https://s3." + region + ".amazonaws.com"
	}
	return ep
}

// s3Region is the S3 dialect's region: --region, AWS_REGION,
// AWS_DEFAULT_REGION, else us-east-1.
func (g *globalFlags) s3Region() string {
	return firstNonEmpty(g.region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), oss.DefaultS3Region)
}

// connectS3 builds a client of the S3 dialect, as connect does for OSS;
// with no endpoint and no AWS credentials it uses the embedded local
// store, which answers S3 too.
func (g *globalFlags) connectS3(stderr io.Writer) (*session, error) {
	region := g.s3Region()
	endpoint := g.s3Endpoint(region)
	if endpoint == "" {
		return g.embedded(stderr)
	}
	creds := oss.StaticCredentials{
		AccessKeyID:     firstNonEmpty(g.akID, os.Getenv("AWS_ACCESS_KEY_ID")),
		AccessKeySecret: firstNonEmpty(g.akSecret, os.Getenv("AWS_SECRET_ACCESS_KEY")),
		SecurityToken:   firstNonEmpty(g.token, os.Getenv("AWS_SESSION_TOKEN")),
	}
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
		return nil, &usageError{"no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or pass --access-key-id and --access-key-secret"}
	}
	cfg := oss.Config{Endpoint: endpoint, Region: region, Credentials: creds, Dialect: oss.DialectS3,
		MaxConnsPerHost: g.maxConns(), UsePathStyle: g.pathStyle}
	if err := g.setRetries(&cfg, stderr); err != nil {
		return nil, err
	}
	c, err := oss.New(cfg)
	if err != nil {
		return nil, err
	}
	return newSession(c, false, func() {}), nil
}

// hasEndpoint reports whether a service is configured, so that the
// embedded store is not used.
func (g *globalFlags) hasEndpoint() bool {
	if g.dialect == "s3" {
		return g.s3Endpoint(g.s3Region()) != ""
	}
	return firstNonEmpty(g.endpoint, os.Getenv("OSS_ENDPOINT")) != ""
}

// noteURLs settles the dialect from the schemes of the command's
// arguments: s3:// URLs speak S3, oss:// URLs OSS, unless --dialect says
// otherwise; one command does not mix them.
func (g *globalFlags) noteURLs(args []string) error {
	switch g.dialect {
	case "", "oss", "s3":
	default:
		return &usageError{fmt.Sprintf("--dialect %q: want oss or s3", g.dialect)}
	}
	seen := ""
	for _, a := range args {
		scheme, _, ok := strings.Cut(a, "://")
		if !ok || (scheme != "oss" && scheme != "s3") {
			continue
		}
		if seen != "" && scheme != seen {
			return &usageError{"one command takes either oss:// or s3:// URLs, not both"}
		}
		seen = scheme
	}
	if g.dialect == "" {
		g.dialect = seen
	}
	return nil
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
	if g.dialect == "s3" {
		cfg.Dialect = oss.DialectS3
	}
	c, err := oss.New(cfg)
	if err != nil {
		hs.Close()
		srv.Close()
		return nil, err
	}
	return newSession(c, true, func() {
		_ = hs.Shutdown(context.Background())
		_ = srv.Close()
	}), nil
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

// ossURL is a parsed oss://bucket/key or s3://bucket/key.
type ossURL struct {
	bucket, key string
	scheme      string // "oss" or "s3"
}

func (u ossURL) String() string { return u.obj(u.key) }

// obj is the URL of key in u's bucket.
func (u ossURL) obj(key string) string { return u.scheme + "://" + u.bucket + "/" + key }

// bucketURL is the URL of u's bucket.
func (u ossURL) bucketURL() string { return u.scheme + "://" + u.bucket }

// isOSSURL reports whether s names a bucket or object: oss:// or s3://.
func isOSSURL(s string) bool { return strings.HasPrefix(s, "oss://") || strings.HasPrefix(s, "s3://") }

// parseOSSURL parses oss://bucket[/key] or s3://bucket[/key]; needKey
// requires a key.
func parseOSSURL(s string, needKey bool) (ossURL, error) {
	scheme := "oss"
	rest, ok := strings.CutPrefix(s, "oss://")
	if !ok {
		scheme = "s3"
		rest, ok = strings.CutPrefix(s, "s3://")
	}
	if !ok {
		return ossURL{}, &usageError{fmt.Sprintf("%q is not an oss://bucket/key or s3://bucket/key URL", s)}
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return ossURL{}, &usageError{fmt.Sprintf("%q names no bucket", s)}
	}
	if needKey && key == "" {
		return ossURL{}, &usageError{fmt.Sprintf("%q names no object key", s)}
	}
	return ossURL{bucket: bucket, key: key, scheme: scheme}, nil
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

// newSession is a session of c.
func newSession(c *oss.Client, embedded bool, close func()) *session {
	s := &session{client: c, embedded: embedded, close: close, scheme: "oss", crcName: "crc64"}
	if c.Dialect() == oss.DialectS3 {
		s.scheme, s.crcName = "s3", "crc64nvme"
	}
	return s
}
