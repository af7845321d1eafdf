package oss

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/sign"
)

// SignatureVersion selects how requests are signed.
type SignatureVersion int

const (
	// SignatureV4 is OSS4-HMAC-SHA256, the default; it needs Config.Region.
	SignatureV4 SignatureVersion = iota
	// SignatureV1 is the older HMAC-SHA1 scheme.
	SignatureV1
)

// Config configures a Client. Endpoint and, for Signature V4, Region are
// required; every other zero value means the documented default.
type Config struct {
	// Endpoint is the service's base URL: "https://oss-cn-hangzhou.aliyuncs.com",
	// "http://127.0.0.1:9000", or a bare host (https is assumed).
	Endpoint string
	// Region is the signing region, e.g. "cn-hangzhou".
	Region string
	// Credentials supplies the access key; nil means EnvCredentials.
	Credentials CredentialsProvider
	// SignatureVersion is V4 unless set to SignatureV1. The S3 dialect
	// always signs with AWS Signature V4.
	SignatureVersion SignatureVersion
	// Dialect is the API spoken: DialectOSS (the default) or DialectS3.
	// In the S3 dialect Region defaults to DefaultS3Region, Credentials to
	// AWSEnvCredentials, and every CRC-64 the client reports or checks
	// (results, checkpoints, HasCRC64) is CRC-64/NVME.
	Dialect Dialect
	// UsePathStyle addresses buckets as "/bucket/key" on the endpoint host
	// instead of "bucket.host/key". Endpoints that are IP addresses or
	// "localhost" always use path style.
	UsePathStyle bool
	// HTTPClient sends the requests; nil means a client whose transport is
	// tuned for throughput (see MaxConnsPerHost). MaxConnsPerHost and
	// ConnectTimeout configure that default transport only: when
	// HTTPClient is set, its own settings apply. StallTimeout and
	// ReadTimeout apply to every client.
	HTTPClient *http.Client
	// MaxConnsPerHost caps the connections open to one host at once,
	// dialing, in use and idle together (default
	// DefaultMaxConnsPerHost, 32); it also sizes the pool of idle
	// connections kept for reuse. A request that finds every connection
	// busy waits for one, and that wait counts neither as a stall nor
	// toward ReadTimeout (ctx still ends it). UploadFile, DownloadFile and
	// the other transfers use up to TaskNum connections at once: set
	// MaxConnsPerHost to at least the largest TaskNum in use, or parts
	// queue for connections. With virtual-host addressing each bucket is
	// a host of its own.
	MaxConnsPerHost int
	// ConnectTimeout bounds dialing a connection and the TLS handshake
	// (default 10 s).
	ConnectTimeout time.Duration
	// StallTimeout ends an attempt on which no bytes have moved for that
	// long (default 30 s): while the request body is sent, bytes taken
	// from the body or leaving the socket's send queue; while a response
	// body is read, bytes arriving for a Read that waits for them. A
	// stalled attempt is retried as a network error is. A stall while the
	// caller reads a returned body (GetObject) fails that Read with a
	// *StallError; the caller may resume with a Range. A slow transfer is
	// never cut off while its bytes move.
	StallTimeout time.Duration
	// ReadTimeout bounds the wait for response headers once the request
	// has been sent, measured like StallTimeout: the clock restarts while
	// bytes of the request are still draining from the socket's send
	// queue, so it starts in earnest when the service has the whole
	// request (default StallTimeout).
	ReadTimeout time.Duration
	// UserAgent is sent on every request; empty means "ossup".
	UserAgent string
	// ServiceID names the service in UploadFile checkpoints, which are only
	// resumed against the service that wrote them; empty means the endpoint
	// URL. Set it when one service is reached at changing addresses, such
	// as an embedded server on a random loopback port.
	ServiceID string
	// Logger receives a debug line per retry; nil discards.
	Logger *slog.Logger
	// RetryMaxAttempts is how many times a request is tried in all,
	// including the first (default 20; 1 disables retries; a negative
	// value sets no limit, leaving RetryMaxElapsed to end the retries).
	RetryMaxAttempts int
	// RetryMaxElapsed is the time budget of a request's retries (default
	// one minute), counted from the end of its first failed attempt, so
	// that a part that uploaded for ten minutes before its connection was
	// reset still gets its retries: no retry starts later than that, and
	// the last wait is cut short to start one at the end of the budget.
	// The error of a request that ran out of budget wraps
	// ErrRetryBudgetSpent and the last attempt's error. Whichever of
	// RetryMaxAttempts and RetryMaxElapsed runs out first ends the retries.
	RetryMaxElapsed time.Duration
	// RetryBaseDelay and RetryMaxDelay bound the backoff between attempts
	// (defaults 200 ms and 20 s): exponential from RetryBaseDelay, capped
	// at RetryMaxDelay, each wait a uniformly random part of that.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// OnRetry, when set, is called before each retry, with what failed
	// and how long the client will wait. It may be called from several
	// goroutines at once (UploadFile sends parts in parallel) and must
	// return promptly.
	OnRetry func(RetryEvent)
}

// Client sends requests to OSS. It is safe for concurrent use.
type Client struct {
	cfg       Config
	scheme    string
	host      string
	pathStyle bool
	signer    sign.Signer
	awsSigner sign.AWSSigner // the S3 dialect's
	s3        bool           // cfg.Dialect == DialectS3
	// s3Sum is the s3Checksum the service is asked to check bodies with;
	// it only ever moves down the list, as the service turns out to lack
	// one (see prepareS3).
	s3Sum atomic.Int32
	crc   crc64.Variant // the dialect's CRC-64
	http  *http.Client
	creds CredentialsProvider
	log   *slog.Logger
	// skew is the server's clock minus ours, in nanoseconds, learned from
	// RequestTimeTooSkewed answers.
	skew atomic.Int64
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, fmt.Errorf("oss: Config.Endpoint is required: %w", ErrInvalidArgument)
	}
	ep := cfg.Endpoint
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("oss: endpoint %q is not an http or https URL: %w", cfg.Endpoint, ErrInvalidArgument)
	}
	switch {
	case cfg.Dialect != DialectOSS && cfg.Dialect != DialectS3:
		return nil, fmt.Errorf("oss: unknown Config.Dialect %d: %w", cfg.Dialect, ErrInvalidArgument)
	case cfg.Dialect == DialectS3 && cfg.Region == "":
		cfg.Region = DefaultS3Region
	case cfg.SignatureVersion == SignatureV4 && cfg.Region == "":
		return nil, fmt.Errorf("oss: Config.Region is required for signature v4: %w", ErrInvalidArgument)
	}
	c := &Client{cfg: cfg, scheme: u.Scheme, host: u.Host, creds: cfg.Credentials, log: cfg.Logger}
	c.pathStyle = cfg.UsePathStyle || isIPOrLocal(u.Hostname())
	c.signer = sign.Signer{Version: sign.V4, Region: cfg.Region}
	if cfg.SignatureVersion == SignatureV1 {
		c.signer.Version = sign.V1
	}
	c.s3, c.crc = cfg.Dialect == DialectS3, cfg.Dialect.crcVariant()
	c.awsSigner = sign.AWSSigner{Region: cfg.Region}
	if c.creds == nil {
		c.creds = EnvCredentials{}
		if c.s3 {
			c.creds = AWSEnvCredentials{}
		}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.http = cfg.HTTPClient
	if c.http == nil {
		c.http = &http.Client{Transport: newTransport(cfg)}
	}
	if c.cfg.RetryMaxAttempts == 0 {
		c.cfg.RetryMaxAttempts = DefaultRetryMaxAttempts
	}
	if c.cfg.RetryMaxElapsed <= 0 {
		c.cfg.RetryMaxElapsed = DefaultRetryMaxElapsed
	}
	if c.cfg.StallTimeout <= 0 {
		c.cfg.StallTimeout = DefaultStallTimeout
	}
	if c.cfg.ReadTimeout <= 0 {
		c.cfg.ReadTimeout = c.cfg.StallTimeout
	}
	if c.cfg.RetryBaseDelay <= 0 {
		c.cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if c.cfg.RetryMaxDelay <= 0 {
		c.cfg.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if c.cfg.UserAgent == "" {
		c.cfg.UserAgent = "ossup"
	}
	return c, nil
}

func isIPOrLocal(host string) bool {
	return net.ParseIP(host) != nil || strings.EqualFold(host, "localhost")
}

// newTransport is tuned for bulk transfer: at most Config.MaxConnsPerHost
// connections per host, all of which may stay idle for reuse, 256 KiB
// socket buffers, no transparent
// compression (it would hide the bytes the CRC is computed over), and
// HTTP/1.1, where parallel parts travel over parallel connections. It has
// no ResponseHeaderTimeout: that clock starts once the request is written
// to the socket, while a slow link may still be carrying megabytes of it;
// the send loop's stall watch bounds the wait instead (see
// Config.ReadTimeout).
func newTransport(cfg Config) *http.Transport {
	conns := cfg.MaxConnsPerHost
	if conns <= 0 {
		conns = DefaultMaxConnsPerHost
	}
	dial := cfg.ConnectTimeout
	if dial <= 0 {
		dial = DefaultConnectTimeout
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   dial,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       256 << 10,
		ReadBufferSize:        256 << 10,
	}
}

// now is the local time corrected by the skew the server reported.
func (c *Client) now() time.Time {
	return time.Now().Add(time.Duration(c.skew.Load()))
}

// objectURL returns the URL of bucket/key (either may be empty).
func (c *Client) objectURL(bucket, key string, query string) *url.URL {
	u := &url.URL{Scheme: c.scheme, Host: c.host, RawQuery: query}
	path := "/"
	switch {
	case bucket == "":
	case c.pathStyle:
		path = "/" + bucket + "/" + key
	default:
		u.Host = bucket + "." + c.host
		path = "/" + key
	}
	u.Path = path
	u.RawPath = escapePath(path)
	return u
}

// escapePath percent-encodes every byte but A-Z a-z 0-9 - _ . ~ and '/'.
func escapePath(p string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
			'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdigits[ch>>4])
		b.WriteByte(hexdigits[ch&15])
	}
	return b.String()
}

// encodeQuery renders params sorted by name, RFC 3986-encoded (%20 for
// space), with bare names for empty values ("uploads", "acl").
func encodeQuery(params url.Values) string {
	if len(params) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(params)) {
		for _, v := range params[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(queryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(queryEscape(v))
			}
		}
	}
	return b.String()
}

func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (c *Client) credentials(ctx context.Context) (sign.Credentials, error) {
	cr, err := c.creds.Credentials(ctx)
	if err != nil {
		return sign.Credentials{}, err
	}
	if cr.AccessKeyID == "" || cr.AccessKeySecret == "" {
		return sign.Credentials{}, ErrNoCredentials
	}
	return sign.Credentials{AccessKeyID: cr.AccessKeyID, AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken}, nil
}

// learnSkew records the server's clock from a RequestTimeTooSkewed answer.
func (c *Client) learnSkew(resp *http.Response) {
	t, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	c.skew.Store(int64(time.Until(t)))
}
