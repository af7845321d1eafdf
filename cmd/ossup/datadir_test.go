package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestServeBesideEmbedded: serve on its default data directory leaves the
// embedded store's free, so a command with no endpoint still works.
func TestServeBesideEmbedded(t *testing.T) {
	xdg := t.TempDir()
	env := []string{"XDG_DATA_HOME=" + xdg, "OSS_ENDPOINT=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET="}
	p := startServe(t, env, "--addr", "127.0.0.1:0")
	block, _ := p.readyBlock(t)
	if !strings.Contains(block, filepath.Join(xdg, "ossup", "serve")) {
		t.Errorf("ready block %q does not name the default data directory", block)
	}
	if _, errOut, code := cli(t, env, "ls"); code != 0 {
		t.Fatalf("ls on the embedded store while serve runs: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(xdg, "ossup", "local", "meta.db")); err != nil {
		t.Errorf("the embedded store is not in ossup/local: %v", err)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exit %d", code)
	}
}

// TestEmbeddedOldLocation: a store made where the embedded store lived
// before serve had its own directory ($XDG_DATA_HOME/ossup) is still the
// one the commands use.
func TestEmbeddedOldLocation(t *testing.T) {
	xdg := t.TempDir()
	env := []string{"XDG_DATA_HOME=" + xdg, "OSS_ENDPOINT=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET="}
	path, _ := writeRandomFile(t, 100)
	mustCLI(t, env, "cp", path, "oss://old/kept", "--data", filepath.Join(xdg, "ossup"))
	if out := mustCLI(t, env, "ls", "oss://old"); !strings.Contains(out, "oss://old/kept") {
		t.Fatalf("ls of the store in the old location: %q", out)
	}
	if _, err := os.Stat(filepath.Join(xdg, "ossup", "local")); err == nil {
		t.Error("a new store was made beside the old one")
	}
}

func TestDialEndpoint(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000"},
		{"[::]:9000", "http://[::1]:9000"},
		{"[::1]:80", "http://[::1]:80"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := dialEndpoint(addr); got != tc.want {
			t.Errorf("dialEndpoint(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
