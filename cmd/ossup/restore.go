package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/ossup/ossup/oss"
)

// restoreCommand asks for a readable copy of an archived object and says
// whether a restore started or the object was restored already.
func restoreCommand() command {
	var days int
	var tier string
	return simpleCommand{name: "restore", usage: "restore oss://BUCKET/KEY [--days N] [--tier TIER]", minArgs: 1, maxArgs: 1,
		check: func(args []string) error {
			if days < 0 {
				return &usageError{"--days must not be negative"}
			}
			switch tier {
			case "", oss.RestoreTierExpedited, oss.RestoreTierStandard, oss.RestoreTierBulk:
			default:
				return &usageError{"--tier must be Expedited, Standard or Bulk"}
			}
			return ossURLs(true)(args)
		},
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&days, "days", 0, "keep the restored copy readable `N` days: 1-7 for Archive, 1-365 for ColdArchive and DeepColdArchive (0: the service's default, 1)")
			fs.StringVar(&tier, "tier", "", "priority of a ColdArchive or DeepColdArchive restore: Expedited, Standard (the default) or Bulk")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], true)
			if err != nil {
				return err
			}
			res, err := s.client.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: u.bucket, Key: u.key, Days: days, Tier: tier})
			if err != nil {
				return err
			}
			if res.AlreadyRestored {
				fmt.Fprintf(stdout, "%s: restored already; its copy now lasts longer\n", u)
			} else {
				fmt.Fprintf(stdout, "%s: restore started; 'ossup stat' shows when it is readable\n", u)
			}
			return nil
		}}.command("restore an archived object so that it can be read")
}

// printRestore adds an archived object's restore to stat's output.
func printRestore(w io.Writer, r oss.RestoreStatus) {
	switch {
	case r.Ongoing:
		fmt.Fprintf(w, "restore:       in progress\n")
	case r.Restored():
		fmt.Fprintf(w, "restore:       readable until %s\n", r.Expiry.UTC().Format(http.TimeFormat))
	}
}
