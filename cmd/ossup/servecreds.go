package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/server"
)

// credentialsFile is where serve keeps the account it generated, inside
// its data directory, so that a restart accepts the keys already handed out.
const credentialsFile = "credentials"

// storedCredentials returns the account kept in dir, generating and
// storing one (mode 0600, written atomically) the first time.
func storedCredentials(dir string) (id, secret string, err error) {
	path := filepath.Join(dir, credentialsFile)
	id, secret, err = readCredentials(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, secret, err
	}
	id, secret = "LTAI"+randomHex(10), randomHex(16)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", err
	}
	body := fmt.Sprintf("OSS_ACCESS_KEY_ID=%s\nOSS_ACCESS_KEY_SECRET=%s\n", id, secret)
	if err := writeFileAtomic(path, []byte(body), 0o600); err != nil {
		return "", "", fmt.Errorf("keep the generated credentials: %w", err)
	}
	return id, secret, nil
}

func readCredentials(path string) (id, secret string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k {
		case "OSS_ACCESS_KEY_ID":
			id = v
		case "OSS_ACCESS_KEY_SECRET":
			secret = v
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", err
	}
	if id == "" || secret == "" {
		return "", "", fmt.Errorf("%s: want OSS_ACCESS_KEY_ID= and OSS_ACCESS_KEY_SECRET= lines; remove the file to generate a new account", path)
	}
	return id, secret, nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory: write, fsync, close, rename, fsync the directory.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, there is nothing to remove
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// printReady writes serve's ready block: comment lines a shell ignores,
// and one export line that points ossup (and the official SDKs) at it.
func printReady(w io.Writer, endpoint string, cfg server.Config) {
	c := cfg.Credentials[0]
	fmt.Fprintf(w, "# ossup serve is ready\n# endpoint: %s\n# region:   %s\n# data:     %s\n# paste into another shell to use it:\n", endpoint, cfg.Region, cfg.Dir)
	fmt.Fprintf(w, "export OSS_ENDPOINT=%s OSS_REGION=%s OSS_ACCESS_KEY_ID=%s OSS_ACCESS_KEY_SECRET=%s\n",
		shellQuote(endpoint), shellQuote(cfg.Region), shellQuote(c.AccessKeyID), shellQuote(c.AccessKeySecret))
}

// dialEndpoint is the URL a client on this machine reaches addr by: a
// listener on every address (0.0.0.0, ::) is reached on loopback.
func dialEndpoint(addr net.Addr) string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ap.Addr().IsUnspecified() {
		lo := netip.IPv6Loopback()
		if ap.Addr().Unmap().Is4() {
			lo = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		ap = netip.AddrPortFrom(lo, ap.Port())
	}
	return "http://" + ap.String()
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
