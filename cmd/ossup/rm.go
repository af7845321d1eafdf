package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/ossup/ossup/oss"
)

// rmFlags are rm's flags.
type rmFlags struct {
	recursive, prefix, force, dryRun bool
	versionID                        string
}

func rmCommand() command {
	var f rmFlags
	return simpleCommand{name: "rm", usage: "rm oss://BUCKET/KEY... | rm -r oss://BUCKET/DIR | rm --prefix oss://BUCKET/PREFIX", minArgs: 1, maxArgs: -1,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&f.recursive, "r", false, "remove the object DIR and every object under DIR/ (not DIRx: see --prefix)")
			fs.BoolVar(&f.prefix, "prefix", false, "remove every object whose key starts with the raw prefix (a/b takes a/bc too)")
			fs.BoolVar(&f.force, "force", false, "remove more than one object without asking")
			fs.BoolVar(&f.dryRun, "dry-run", false, "list what would be removed and remove nothing")
			fs.StringVar(&f.versionID, "version-id", "", "remove this `version` of the one object named, for good (a delete marker too), in a versioned bucket")
		},
		check: func(args []string) error {
			_, err := f.targets(args)
			return err
		},
		run: func(ctx context.Context, s *session, args []string, stdout, stderr io.Writer) error {
			return f.run(ctx, s.client, args, stdout, stderr)
		}}.command("remove objects (more than one only with confirmation or --force)")
}

// rmTarget is what one argument of rm names: one object, or a set listed
// under prefixes.
type rmTarget struct {
	u        ossURL
	single   bool     // the object u.key alone
	prefixes []string // listed, every key under them
	exact    bool     // with prefixes: u.key itself too, if it exists
}

func (f *rmFlags) targets(args []string) ([]rmTarget, error) {
	if f.recursive && f.prefix {
		return nil, &usageError{"-r and --prefix exclude each other"}
	}
	if f.versionID != "" && (f.recursive || f.prefix || len(args) != 1) {
		return nil, &usageError{"--version-id names a version of one object: no -r, no --prefix, one URL"}
	}
	var ts []rmTarget
	for _, a := range args {
		u, err := parseOSSURL(a, !f.recursive && !f.prefix)
		if err != nil {
			return nil, err
		}
		switch {
		case f.prefix || u.key == "" || strings.HasSuffix(u.key, "/"):
			if !f.recursive && !f.prefix {
				return nil, &usageError{fmt.Sprintf("%s names no object; use -r to remove what lies under it", a)}
			}
			ts = append(ts, rmTarget{u: u, prefixes: []string{u.key}})
		case f.recursive:
			ts = append(ts, rmTarget{u: u, prefixes: []string{u.key + "/"}, exact: true})
		default:
			ts = append(ts, rmTarget{u: u, single: true})
		}
	}
	return ts, nil
}

func (f *rmFlags) run(ctx context.Context, c *oss.Client, args []string, stdout, stderr io.Writer) error {
	ts, err := f.targets(args)
	if err != nil {
		return err
	}
	if f.versionID != "" {
		return f.removeVersion(ctx, c, ts[0].u, stdout)
	}
	// A named object must exist: a typo says so rather than succeeding.
	for _, t := range ts {
		if t.single {
			if err := mustExist(ctx, c, t.u); err != nil {
				return err
			}
		}
	}
	if f.dryRun {
		return eachTarget(ctx, c, ts, func(u ossURL, page []string) error {
			if page == nil {
				fmt.Fprintf(stdout, "would remove %s\n", u)
			}
			for _, k := range page {
				fmt.Fprintf(stdout, "would remove %s\n", u.obj(k))
			}
			return nil
		})
	}
	if !f.force {
		n := 0
		if err := eachTarget(ctx, c, ts, func(_ ossURL, page []string) error {
			n += max(len(page), 1)
			return nil
		}); err != nil {
			return err
		}
		if n > 1 {
			if err := confirm(stderr, n); err != nil {
				return err
			}
		}
	}
	return eachTarget(ctx, c, ts, func(u ossURL, page []string) error {
		if page == nil {
			res, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: u.bucket, Key: u.key})
			if err != nil {
				return err
			}
			if res.DeleteMarker {
				// A versioned bucket keeps the object's versions.
				fmt.Fprintf(stdout, "removed %s (delete marker %s)\n", u, res.VersionID)
				return nil
			}
			fmt.Fprintf(stdout, "removed %s\n", u)
			return nil
		}
		if _, err := c.DeleteObjects(ctx, &oss.DeleteObjectsRequest{Bucket: u.bucket, Keys: page, Quiet: true}); err != nil {
			return err
		}
		for _, k := range page {
			fmt.Fprintf(stdout, "removed %s\n", u.obj(k))
		}
		return nil
	})
}

// mustExist reports a missing object as "no such object".
func mustExist(ctx context.Context, c *oss.Client, u ossURL) error {
	_, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: u.bucket, Key: u.key})
	if errors.Is(err, oss.ErrNoSuchKey) {
		return fmt.Errorf("no such object %s", u)
	}
	return err
}

// eachTarget calls fn for what the targets name: for one object, with
// u the object and a nil page; for a page of a listing, with u the bucket
// and page the keys (never empty). Listings go page by page, so memory
// does not grow with the number of objects.
func eachTarget(ctx context.Context, c *oss.Client, ts []rmTarget, fn func(u ossURL, page []string) error) error {
	for _, t := range ts {
		if t.single {
			if err := fn(t.u, nil); err != nil {
				return err
			}
			continue
		}
		if t.exact {
			_, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: t.u.bucket, Key: t.u.key})
			switch {
			case err == nil:
				if err := fn(t.u, nil); err != nil {
					return err
				}
			case !errors.Is(err, oss.ErrNoSuchKey):
				return err
			}
		}
		for _, p := range t.prefixes {
			req := &oss.ListObjectsV2Request{Bucket: t.u.bucket, Prefix: p, PageSize: oss.MaxDeleteObjects}
			for page, err := range c.ListObjectsV2(ctx, req) {
				if err != nil {
					return err
				}
				keys := make([]string, len(page.Objects))
				for i, o := range page.Objects {
					keys[i] = o.Key
				}
				if len(keys) > 0 {
					if err := fn(ossURL{bucket: t.u.bucket, scheme: t.u.scheme}, keys); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// confirm asks on the terminal before n objects go; without a terminal
// to ask on, it refuses.
func confirm(stderr io.Writer, n int) error {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return &usageError{fmt.Sprintf("this would remove %d objects: pass --force to remove them, or --dry-run to list them", n)}
	}
	fmt.Fprintf(stderr, "ossup: remove %d objects? [y/N] ", n)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("nothing removed")
	}
	return nil
}

// removeVersion deletes version f.versionID of u for good; the version
// must exist (a delete marker does).
func (f *rmFlags) removeVersion(ctx context.Context, c *oss.Client, u ossURL, stdout io.Writer) error {
	_, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: u.bucket, Key: u.key, VersionID: f.versionID})
	if se, ok := errors.AsType[*oss.ServiceError](err); ok && se.DeleteMarker {
		err = nil // a delete marker: there, though it has no content
	}
	if err != nil {
		return err
	}
	if f.dryRun {
		fmt.Fprintf(stdout, "would remove version %s of %s\n", f.versionID, u)
		return nil
	}
	res, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: u.bucket, Key: u.key, VersionID: f.versionID})
	if err != nil {
		return err
	}
	what := "version"
	if res.DeleteMarker {
		what = "delete marker"
	}
	fmt.Fprintf(stdout, "removed %s %s of %s for good\n", what, f.versionID, u)
	return nil
}
