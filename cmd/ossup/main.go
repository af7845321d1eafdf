// Command ossup uploads big files to Alibaba Cloud OSS and serves an
// OSS-compatible object store.
//
// Usage:
//
//	ossup cp FILE oss://BUCKET/KEY [--task-num N] [--part-size SIZE] [--checkpoint]
//	ossup cp oss://BUCKET/KEY FILE
//	ossup ls | mb | rb | stat | cat | rm | uploads | presign ...
//	ossup serve [--addr 127.0.0.1:9000] [--data DIR] [--virtual-host-base HOST]
//
// With no endpoint configured (OSS_ENDPOINT or --endpoint), every command
// works against the embedded local store: the server runs in-process on a
// loopback port over a local data directory.
//
// Run "ossup help COMMAND" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
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
		{"cp", "upload a file (resumable) or download an object", runCp},
		{"sync", "make a prefix match a folder, or a folder a prefix", runSync},
		lsCommand(), mbCommand(), rbCommand(), statCommand(), catCommand(), rmCommand(),
		uploadsCommand(), presignCommand(),
		{"serve", "run an OSS-compatible object storage server", runServe},
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 success,
// 1 failure, 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) == 0 {
			usage(stdout)
			return 0
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
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case isUsage(err):
			fmt.Fprintf(stderr, "ossup %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "ossup %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "ossup: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func isUsage(err error) bool {
	_, ok := errors.AsType[*usageError](err)
	return ok
}

// parseFlags parses args with fs, letting flags come before or after the
// positional arguments, and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
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
