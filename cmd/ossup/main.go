// Command ossup uploads big files to Alibaba Cloud OSS and serves an
// OSS-compatible object store.
//
// Usage:
//
//	ossup cp FILE oss://BUCKET/KEY [--task-num N] [--part-size SIZE] [--checkpoint]
//	ossup cp oss://BUCKET/KEY FILE
//	ossup ls | mb | rb | stat | cat | rm | uploads | presign ...
//	ossup serve [--addr 127.0.0.1:9000] [--data DIR] [--virtual-host-base HOST]
//	ossup version | completion bash|zsh|fish
//
// With no endpoint configured (OSS_ENDPOINT or --endpoint), every command
// works against the embedded local store: the server runs in-process on a
// loopback port over a local data directory.
//
// Run "ossup help COMMAND" for a command's flags, environment and examples.
//
// Exit status: 0 success, 1 failure, 2 a usage error, 3 an upload whose
// object was stored but whose callback failed, 130 and 143 a command
// stopped by SIGINT and SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/ossup/ossup/oss"
)

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"cp", "upload a file, download an object (resumable), or copy an object", runCp},
		{"sync", "make a prefix match a folder, or a folder a prefix", runSync},
		lsCommand(), mbCommand(), rbCommand(), statCommand(), catCommand(), rmCommand(),
		uploadsCommand(), presignCommand(), restoreCommand(), versioningCommand(),
		{"serve", "run an OSS-compatible object storage server", runServe},
		{"version", "print the version and the commit it was built from", runVersion},
		{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
	}
}

const topUsage = `ossup: fast, resumable uploads to Alibaba Cloud OSS.

Usage:
  ossup <command> [flags] [arguments]

Commands:
`

func usage(w io.Writer) {
	fmt.Fprint(w, topUsage)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"ossup help <command>\" for its flags.\n")
}

// Exit statuses. A command stopped by a signal exits 128 plus the signal's
// number, as shells report it: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.
const (
	exitOK             = 0
	exitFailure        = 1
	exitUsage          = 2
	exitCallbackFailed = 3 // the object was stored; its upload callback failed
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Int32 // the signal's number, once one arrives
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		if n, isSys := sig.(syscall.Signal); isSys {
			got.Store(int32(n))
		}
		cancel()
	}()
	stopProfile := startCPUProfile(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	signal.Stop(sigs)
	close(sigs)
	// A command that stopped cleanly on a signal (serve shutting down)
	// succeeded; one that failed because of it reports the signal.
	if n := got.Load(); n != 0 && code != exitOK {
		code = 128 + int(n)
	}
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 success,
// 1 failure, 2 usage error, 3 a stored object whose callback failed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "--version", "-version", "-v":
		name = "version"
	case "help", "-h", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		// Help that was asked for goes to standard output.
		name, rest, stderr = rest[0], []string{"-h"}, stdout
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, rest, stdout, stderr)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			helpExtra(stderr, name)
			return exitOK
		case isUsage(err):
			fmt.Fprintf(stderr, "ossup %s: %v\nsee 'ossup help %s'\n", name, err, name)
			return exitUsage
		case errors.Is(err, oss.ErrCallbackFailed):
			fmt.Fprintf(stderr, "ossup: the object was stored, but the callback failed: %v\n", err)
			return exitCallbackFailed
		default:
			fmt.Fprintf(stderr, "ossup %s: %v\n", name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "ossup: unknown command %q\nsee 'ossup help'\n", name)
	return exitUsage
}

func isUsage(err error) bool {
	_, ok := errors.AsType[*usageError](err)
	return ok
}

// parseFlags parses args with fs, letting flags come before or after the
// positional arguments, and returns the positionals. A bad flag is
// reported once, as a usage error; the flag list is printed only for -h.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
