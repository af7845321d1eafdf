package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/ossup/ossup/oss"
)

// versionLine is one line of ls --all-versions: a version or a delete
// marker.
type versionLine struct {
	key, versionID string
	modified       time.Time
	size           int64
	latest, marker bool
}

// listVersions prints every version and delete marker under u, one
// directory level unless recursive. A line reads: time, size (or
// "DELETED" for a delete marker), version id, "*" on the key's current
// version, URL.
func listVersions(ctx context.Context, c *oss.Client, u ossURL, recursive bool, stdout io.Writer) error {
	req := &oss.ListObjectVersionsRequest{Bucket: u.bucket, Prefix: u.key, PageSize: 1000}
	if !recursive {
		req.Delimiter = "/"
	}
	for page, err := range c.ListObjectVersions(ctx, req) {
		if err != nil {
			return err
		}
		for _, p := range page.CommonPrefixes {
			fmt.Fprintf(stdout, "%19s  %10s  %s\n", "", "DIR", u.obj(p))
		}
		var lines []versionLine
		for _, v := range page.Versions {
			lines = append(lines, versionLine{v.Key, v.VersionID, v.LastModified, v.Size, v.IsLatest, false})
		}
		for _, m := range page.DeleteMarkers {
			lines = append(lines, versionLine{m.Key, m.VersionID, m.LastModified, 0, m.IsLatest, true})
		}
		// The service lists versions and markers apart; each key's are
		// put back together, current first, then newest first.
		slices.SortStableFunc(lines, func(a, b versionLine) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			if a.latest != b.latest {
				if a.latest {
					return -1
				}
				return 1
			}
			return b.modified.Compare(a.modified)
		})
		for _, l := range lines {
			size, latest := fmt.Sprint(l.size), " "
			if l.marker {
				size = "DELETED"
			}
			if l.latest {
				latest = "*"
			}
			fmt.Fprintf(stdout, "%s  %10s  %s %s  %s\n", l.modified.UTC().Format(time.DateTime), size, l.versionID, latest, u.obj(l.key))
		}
	}
	return nil
}

// versioningCommand shows a bucket's versioning, or turns it on (enable)
// or pauses it (suspend).
func versioningCommand() command {
	return simpleCommand{name: "versioning", usage: "versioning oss://BUCKET [enable|suspend]", minArgs: 1, maxArgs: 2,
		check: func(args []string) error {
			if len(args) == 2 && args[1] != "enable" && args[1] != "suspend" {
				return &usageError{"the second argument is enable or suspend, not " + strconv.Quote(args[1])}
			}
			return ossURLs(false)(args[:1])
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], false)
			if err != nil {
				return err
			}
			if len(args) == 2 {
				status := oss.VersioningEnabled
				if args[1] == "suspend" {
					status = oss.VersioningSuspended
				}
				if _, err := s.client.PutBucketVersioning(ctx, &oss.PutBucketVersioningRequest{Bucket: u.bucket, Status: status}); err != nil {
					return err
				}
			}
			res, err := s.client.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: u.bucket})
			if err != nil {
				return err
			}
			status := res.Status
			if status == "" {
				status = "never enabled"
			}
			fmt.Fprintf(stdout, "%s: versioning %s\n", u.bucketURL(), status)
			return nil
		}}.command("show a bucket's versioning, or enable or suspend it")
}
