package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/ossup/ossup/oss"
)

// simpleCommand parses the global flags plus extra ones and connects.
type simpleCommand struct {
	name, usage string
	minArgs     int
	maxArgs     int // -1: any
	flags       func(fs *flag.FlagSet)
	// needEndpoint refuses to run against the embedded store.
	needEndpoint string
	// check validates the arguments before connecting, so that a usage
	// error comes alone, before any notice about the embedded store.
	check func(args []string) error
	run   func(ctx context.Context, s *session, args []string, stdout, stderr io.Writer) error
}

func (c simpleCommand) command(summary string) command {
	return command{c.name, summary, func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() {
			// One form a line in help; errors quote the forms on one line.
			forms := strings.ReplaceAll(c.usage, " | ", "\n       ossup ")
			fmt.Fprintf(fs.Output(), "Usage: ossup %s\n\n%s.\n\nFlags:\n", forms, summary)
			printFlags(fs)
		}
		var g globalFlags
		g.register(fs)
		if c.flags != nil {
			c.flags(fs)
		}
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if err := g.noteURLs(pos); err != nil {
			return err
		}
		if len(pos) < c.minArgs || (c.maxArgs >= 0 && len(pos) > c.maxArgs) {
			return &usageError{"wrong number of arguments: ossup " + c.usage}
		}
		if c.check != nil {
			if err := c.check(pos); err != nil {
				return err
			}
		}
		if c.needEndpoint != "" && !g.hasEndpoint() {
			return &usageError{c.needEndpoint}
		}
		s, err := g.connect(stderr)
		if err != nil {
			return err
		}
		defer s.close()
		return c.run(ctx, s, pos, stdout, stderr)
	}}
}

// ossURLs checks that every argument is an oss:// URL, naming a key when
// needKey.
func ossURLs(needKey bool) func(args []string) error {
	return func(args []string) error {
		for _, a := range args {
			if _, err := parseOSSURL(a, needKey); err != nil {
				return err
			}
		}
		return nil
	}
}

func mbCommand() command {
	var acl, class string
	return simpleCommand{name: "mb", usage: "mb oss://BUCKET [--acl ACL] [--storage-class CLASS]", minArgs: 1, maxArgs: 1,
		check: ossURLs(false),
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&acl, "acl", "", "bucket `ACL`: private (default), public-read or public-read-write")
			fs.StringVar(&class, "storage-class", "", "storage `class` (default Standard)")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], false)
			if err != nil {
				return err
			}
			if _, err := s.client.PutBucket(ctx, &oss.PutBucketRequest{Bucket: u.bucket, ACL: acl, StorageClass: class}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "made %s\n", u.bucketURL())
			return nil
		}}.command("make a bucket")
}

func rbCommand() command {
	var dryRun bool
	return simpleCommand{name: "rb", usage: "rb oss://BUCKET [--dry-run]", minArgs: 1, maxArgs: 1,
		check: ossURLs(false),
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "check that the bucket exists and say what would be removed; remove nothing")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], false)
			if err != nil {
				return err
			}
			if dryRun {
				for page, err := range s.client.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: u.bucket, PageSize: 1}) {
					if err != nil {
						return err
					}
					if len(page.Objects) > 0 {
						return fmt.Errorf("%s is not empty, so rb would fail; ossup rm -r --dry-run %s lists what is in it", u.bucketURL(), u.bucketURL())
					}
					break
				}
				fmt.Fprintf(stdout, "would remove %s\n", u.bucketURL())
				return nil
			}
			if _, err := s.client.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: u.bucket}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed %s\n", u.bucketURL())
			return nil
		}}.command("remove an empty bucket")
}

func lsCommand() command {
	var recursive, allVersions bool
	return simpleCommand{name: "ls", usage: "ls [oss://BUCKET[/PREFIX]] [-r] [--all-versions]", minArgs: 0, maxArgs: 1,
		check: ossURLs(false),
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&recursive, "r", false, "list every object under the prefix, not one level")
			fs.BoolVar(&allVersions, "all-versions", false, "list every version and delete marker of a versioned bucket, newest first within a key")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			if len(args) == 0 {
				for page, err := range s.client.ListBuckets(ctx, &oss.ListBucketsRequest{}) {
					if err != nil {
						return err
					}
					for _, b := range page.Buckets {
						fmt.Fprintf(stdout, "%s  %s://%s\n", b.CreationDate.UTC().Format(time.DateTime), s.scheme, b.Name)
					}
				}
				return nil
			}
			u, err := parseOSSURL(args[0], false)
			if err != nil {
				return err
			}
			if allVersions {
				return listVersions(ctx, s.client, u, recursive, stdout)
			}
			req := &oss.ListObjectsV2Request{Bucket: u.bucket, Prefix: u.key, PageSize: 1000}
			if !recursive {
				req.Delimiter = "/"
			}
			for page, err := range s.client.ListObjectsV2(ctx, req) {
				if err != nil {
					return err
				}
				for _, p := range page.CommonPrefixes {
					fmt.Fprintf(stdout, "%19s  %10s  %s\n", "", "DIR", u.obj(p))
				}
				for _, o := range page.Objects {
					fmt.Fprintf(stdout, "%s  %10d  %s\n", o.LastModified.UTC().Format(time.DateTime), o.Size, u.obj(o.Key))
				}
			}
			return nil
		}}.command("list buckets, or the objects under a prefix")
}

func statCommand() command {
	var versionID string
	return simpleCommand{name: "stat", usage: "stat oss://BUCKET/KEY [--version-id ID]", minArgs: 1, maxArgs: 1,
		check: ossURLs(true),
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&versionID, "version-id", "", "describe this `version` of the object (see ls --all-versions)")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], true)
			if err != nil {
				return err
			}
			head, err := s.client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: u.bucket, Key: u.key, VersionID: versionID})
			if err != nil {
				return err
			}
			info := head.Object
			fmt.Fprintf(stdout, "object:        %s\nsize:          %d (%s)\netag:          %s\n", u, info.Size, humanize.IBytes(uint64(info.Size)), strings.Trim(info.ETag, `"`))
			if info.HasCRC64 {
				fmt.Fprintf(stdout, "%-15s%d\n", s.crcName+":", info.CRC64)
			}
			if info.ObjectType != "" {
				fmt.Fprintf(stdout, "type:          %s\n", info.ObjectType)
			}
			if info.VersionID != "" {
				fmt.Fprintf(stdout, "version id:    %s\n", info.VersionID)
			}
			fmt.Fprintf(stdout, "storage class: %s\ncontent type:  %s\nlast modified: %s\n",
				info.ObjectMetadata.StorageClass, info.ObjectMetadata.ContentType, info.LastModified.UTC().Format(time.RFC3339))
			printRestore(stdout, info.Restore)
			for k, v := range info.ObjectMetadata.User {
				fmt.Fprintf(stdout, "meta %s: %s\n", k, v)
			}
			return nil
		}}.command("show an object's metadata")
}

func catCommand() command {
	var versionID string
	return simpleCommand{name: "cat", usage: "cat oss://BUCKET/KEY [--version-id ID]", minArgs: 1, maxArgs: 1,
		check: ossURLs(true),
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&versionID, "version-id", "", "write this `version` of the object (see ls --all-versions)")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], true)
			if err != nil {
				return err
			}
			if versionID == "" {
				// In ranges, the next fetched while one is written: a
				// connection that breaks is asked again from the byte it
				// reached, and a change of the object in between is
				// refused (If-Match).
				_, err := s.client.DownloadTo(ctx, &oss.DownloadToRequest{Bucket: u.bucket, Key: u.key, Writer: stdout, TaskNum: 2, PartSize: minDownloadRange})
				if errors.Is(err, oss.ErrCRCMismatch) {
					return fmt.Errorf("%w; the bytes written to standard output are corrupt", err)
				}
				return err
			}
			res, err := s.client.GetObject(ctx, &oss.GetObjectRequest{Bucket: u.bucket, Key: u.key, VersionID: versionID})
			if err != nil {
				return err
			}
			defer res.Body.Close()
			_, err = io.Copy(stdout, res.Body)
			return err
		}}.command("write an object to standard output (CRC-64 checked, rides out resets)")
}

func presignCommand() command {
	var method string
	var expires time.Duration
	return simpleCommand{name: "presign", usage: "presign oss://BUCKET/KEY [--expires 1h] [--method GET]", minArgs: 1, maxArgs: 1,
		check:        ossURLs(true),
		needEndpoint: "presign needs an endpoint (OSS_ENDPOINT or --endpoint): the embedded store stops with the command, so a URL to it could never work; run 'ossup serve' and point OSS_ENDPOINT at it",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&method, "method", http.MethodGet, "HTTP `method` the URL allows (GET, PUT, HEAD, DELETE)")
			fs.DurationVar(&expires, "expires", time.Hour, "how long the URL stays valid (at most 168h with signature v4)")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[0], true)
			if err != nil {
				return err
			}
			res, err := s.client.Presign(ctx, &oss.PresignRequest{Method: strings.ToUpper(method), Bucket: u.bucket, Key: u.key, Expires: expires})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, res.URL)
			return nil
		}}.command("print a presigned URL")
}

func uploadsCommand() command {
	var all, dryRun bool
	var pageSize int
	return simpleCommand{name: "uploads", usage: "uploads ls oss://BUCKET[/PREFIX] | uploads abort oss://BUCKET/KEY UPLOAD_ID | uploads abort --all oss://BUCKET[/PREFIX]", minArgs: 2, maxArgs: 3,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&all, "all", false, "with abort: abort every incomplete upload under the prefix")
			fs.BoolVar(&dryRun, "dry-run", false, "with abort --all: list what would be aborted and abort nothing")
			fs.IntVar(&pageSize, "page-size", 1000, "uploads asked for per listing request, 1 to 1000")
		},
		run: func(ctx context.Context, s *session, args []string, stdout, _ io.Writer) error {
			u, err := parseOSSURL(args[1], false)
			if err != nil {
				return err
			}
			if pageSize < 1 || pageSize > 1000 {
				return &usageError{fmt.Sprintf("--page-size %d is outside 1..1000", pageSize)}
			}
			req := &oss.ListMultipartUploadsRequest{Bucket: u.bucket, Prefix: u.key, PageSize: pageSize}
			switch {
			case args[0] == "ls" && len(args) == 2:
				return eachUpload(ctx, s.client, req, func(up oss.MultipartUpload) error {
					fmt.Fprintf(stdout, "%s  %s  %s\n", up.Initiated.UTC().Format(time.DateTime), up.UploadID, u.obj(up.Key))
					return nil
				})
			case args[0] == "abort" && all && len(args) == 2:
				return eachUpload(ctx, s.client, req, func(up oss.MultipartUpload) error {
					if dryRun {
						fmt.Fprintf(stdout, "would abort %s  %s\n", up.UploadID, u.obj(up.Key))
						return nil
					}
					if _, err := s.client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: u.bucket, Key: up.Key, UploadID: up.UploadID}); err != nil {
						return err
					}
					fmt.Fprintf(stdout, "aborted %s  %s\n", up.UploadID, u.obj(up.Key))
					return nil
				})
			case args[0] == "abort" && !all && len(args) == 3 && u.key != "":
				if _, err := s.client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: u.bucket, Key: u.key, UploadID: args[2]}); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "aborted %s  %s\n", args[2], u)
				return nil
			}
			return &usageError{"ossup uploads ls oss://BUCKET[/PREFIX] | uploads abort oss://BUCKET/KEY UPLOAD_ID | uploads abort --all oss://BUCKET[/PREFIX]"}
		}}.command("list or abort incomplete multipart uploads (their parts take space)")
}

// eachUpload calls fn for every upload req lists, a page at a time as the
// pages arrive, so memory does not grow with the number of uploads. fn
// may abort the upload it is given: the next page starts after the last
// upload listed, by name, so removing listed uploads skips none.
func eachUpload(ctx context.Context, c *oss.Client, req *oss.ListMultipartUploadsRequest, fn func(oss.MultipartUpload) error) error {
	for page, err := range c.ListMultipartUploads(ctx, req) {
		if err != nil {
			return err
		}
		for _, up := range page.Uploads {
			if err := fn(up); err != nil {
				return err
			}
		}
	}
	return nil
}
