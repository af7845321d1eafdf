package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ossup/ossup/server"
)

const serveUsage = `Usage: ossup serve [--addr ADDR] [--data DIR] [flags]

Runs an OSS-compatible object storage server; the same port answers S3
clients (AWS Signature V4) over the same buckets, with the same keys and
region. The account comes from --access-key-id/--access-key-secret, else
from OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET; with neither, one is
generated on the first start, kept in DIR/credentials (mode 0600) and
reused on every later start.
Once listening, it prints on standard output the endpoint, the region and
an export line to paste into another shell (the other lines are shell
comments, so the whole block can be sourced). It stops cleanly on SIGINT
or SIGTERM: requests in flight finish first.

Upload callbacks are posted to public addresses only; loopback, private,
link-local and other internal addresses are refused, so that an uploader
cannot make the server call services on its network. --allow-callback-to
opens ranges where a trusted application server lives.

Archive, ColdArchive and DeepColdArchive objects cannot be read until they
are restored ('ossup restore'), as on OSS; restores here take seconds, not
minutes or hours (--restore-delay, --cold-restore-delay), and a restored
copy stays readable for its days (--restore-day shortens them for tests).

Flags:
`

// dataHome is $XDG_DATA_HOME/ossup, else ~/.local/share/ossup: the
// parent of the embedded store's and serve's data directories.
func dataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ossup")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "ossup")
	}
	return "ossup-data"
}

// defaultDataDir is where the embedded local store lives when --data is
// not given: dataHome/local; or dataHome itself when a store is already
// there, where versions before serve had its own directory kept it.
func defaultDataDir() string {
	home := dataHome()
	if _, err := os.Stat(filepath.Join(home, "meta.db")); err == nil {
		return home
	}
	return filepath.Join(home, "local")
}

// defaultServeDir is serve's data directory when --data is not given,
// distinct from the embedded store's so that both can run at once.
func defaultServeDir() string { return filepath.Join(dataHome(), "serve") }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), serveUsage); printFlags(fs) }
	addr := fs.String("addr", "127.0.0.1:9000", "listen `address` (host:port; port 0 picks a free one)")
	data := fs.String("data", defaultServeDir(), "data `directory` of the store")
	akID := fs.String("access-key-id", "", "access key `id` of the account (default $OSS_ACCESS_KEY_ID)")
	akSecret := fs.String("access-key-secret", "", "access key `secret` of the account (default $OSS_ACCESS_KEY_SECRET)")
	vhost := fs.String("virtual-host-base", "", "enable virtual-hosted style for `HOST`: <bucket>.HOST addresses <bucket>")
	region := fs.String("region", "cn-hangzhou", "`region` reported in bucket locations and required in V4 signatures")
	var allow prefixFlag
	fs.Var(&allow, "allow-callback-to", "let upload callbacks reach these internal address `ranges`: CIDR[,CIDR] or bare addresses, repeatable (e.g. 127.0.0.0/8,::1/128 for this machine)")
	abortAfter := fs.Duration("abort-incomplete-after", 0, "abort multipart uploads of every bucket still incomplete `DURATION` after they began (e.g. 72h), checked hourly (a tenth as often as DURATION when that is shorter); 0 leaves them to the buckets' lifecycle rules")
	restoreDelay := fs.Duration("restore-delay", server.DefaultRestoreDelay, "how long restoring an Archive object takes (`DURATION`; 0: at once)")
	coldDelay := fs.Duration("cold-restore-delay", server.DefaultColdRestoreDelay, "how long restoring a ColdArchive object at the Standard priority takes (`DURATION`; 0: at once); Expedited takes half, Bulk twice, DeepColdArchive twice as long")
	restoreDay := fs.Duration("restore-day", server.DefaultRestoreDay, "length of a day of a restore's Days: how long a copy restored for 1 day stays readable (`DURATION`)")
	quiet := fs.Bool("q", false, "log only warnings and errors")
	fs.BoolVar(quiet, "quiet", false, "same as -q")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{"serve takes no arguments, got " + strings.Join(pos, " ")}
	}
	if *abortAfter < 0 {
		return &usageError{"--abort-incomplete-after must not be negative"}
	}
	if *restoreDelay < 0 || *coldDelay < 0 || *restoreDay <= 0 {
		return &usageError{"--restore-delay and --cold-restore-delay must not be negative, --restore-day must be positive"}
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	id, secret := firstNonEmpty(*akID, os.Getenv("OSS_ACCESS_KEY_ID")), firstNonEmpty(*akSecret, os.Getenv("OSS_ACCESS_KEY_SECRET"))
	if (id == "") != (secret == "") {
		return &usageError{"give both an access key id and a secret, or neither"}
	}
	if id == "" {
		if id, secret, err = storedCredentials(*data); err != nil {
			return err
		}
	}
	cfg := server.Config{
		Dir:           *data,
		Credentials:   []server.Credential{{AccessKeyID: id, AccessKeySecret: secret}},
		Region:        *region,
		Logger:        log,
		CallbackAllow: allow,

		AbortIncompleteAfter: *abortAfter,
		LifecycleInterval:    sweepInterval(*abortAfter),

		RestoreDelay:     atOnce(*restoreDelay),
		ColdRestoreDelay: atOnce(*coldDelay),
		RestoreDay:       *restoreDay,
	}
	if *vhost != "" {
		cfg.VirtualHostBases = []string{*vhost}
	}
	if len(allow) > 0 {
		log.Info("upload callbacks may reach internal addresses", "ranges", allow.String())
	}
	return serve(ctx, cfg, *addr, log, stdout)
}

// prefixFlag collects address ranges: CIDR prefixes, or bare addresses
// meaning themselves alone, separated by commas, from repeated flags.
type prefixFlag []netip.Prefix

func (p *prefixFlag) String() string {
	s := make([]string, len(*p))
	for i, pre := range *p {
		s[i] = pre.String()
	}
	return strings.Join(s, ",")
}

func (p *prefixFlag) Set(v string) error {
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		pre, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil || a.Zone() != "" {
				return fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or an IP address", f)
			}
			pre = netip.PrefixFrom(a, a.BitLen())
		}
		*p = append(*p, pre.Masked())
	}
	return nil
}

func firstNonEmpty(vs ...string) string { return cmp.Or(vs...) }

// atOnce maps a delay flag to server.Config's: there zero means the
// default and a negative delay none.
func atOnce(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// serve runs the server until ctx is done, then shuts it down gracefully.
func serve(ctx context.Context, cfg server.Config, addr string, log *slog.Logger, stdout io.Writer) error {
	srv, err := server.Open(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := server.NewHTTPServer(addr, srv)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	attrs := []any{"addr", ln.Addr().String(), "data", cfg.Dir, "endpoint", "http://" + ln.Addr().String()}
	if cfg.AbortIncompleteAfter > 0 {
		attrs = append(attrs, "abort_incomplete_after", cfg.AbortIncompleteAfter)
	}
	log.Info("ossup serve ready", attrs...)
	printReady(stdout, dialEndpoint(ln.Addr()), cfg)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepInterval is how often the lifecycle sweep runs for a server-wide
// abort-after: hourly, or a tenth of it when that is shorter (at least a
// second), so that a short limit is kept within a tenth of itself.
func sweepInterval(after time.Duration) time.Duration {
	if after <= 0 || after/10 >= time.Hour {
		return 0 // the server's default, hourly
	}
	return max(after/10, time.Second)
}
