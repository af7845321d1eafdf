package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dustin/go-humanize"

	"github.com/ossup/ossup/oss"
)

const syncUsage = `Usage:
  ossup sync DIR oss://BUCKET/PREFIX/ [flags]  make the prefix match the folder
  ossup sync oss://BUCKET/PREFIX/ DIR [flags]  make the folder match the prefix

Files are compared by size and CRC-64; only those that differ are sent.
The local files' CRC-64s are cached (by path, size, mtime and inode) under
the user cache folder, so an unchanged tree is not read again.
--include and --exclude take path.Match patterns: one without "/" matches
a file's name, any other its path relative to the folder.

Flags:
`

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), syncUsage); printFlags(fs) }
	var g globalFlags
	g.register(fs)
	var t treeFlags
	var taskNum int
	var partSize sizeFlag
	var del, dry bool
	var include, exclude listFlag
	fs.IntVar(&t.jobs, "jobs", oss.DefaultBatchJobs, "files transferred at once (1 to 1000)")
	fs.BoolVar(&t.followSymlinks, "follow-symlinks", false, "upload the files symbolic links point to (links to folders are never followed)")
	fs.BoolVar(&t.dirs, "dirs", false, "sync empty folders as DIR/ marker objects (without it markers and folders are left alone)")
	fs.IntVar(&taskNum, "task-num", 1, "parts or ranges of one big file transferred at once (1 to 1000)")
	partSize.n = oss.DefaultPartSize
	fs.Var(&partSize, "part-size", "part `size` of big files, 100KiB to 5GiB")
	fs.BoolVar(&del, "delete", false, "remove from the destination the files the source does not have")
	fs.BoolVar(&dry, "dry-run", false, "print what would be sent and deleted, and change nothing")
	fs.Var(&include, "include", "only files matching the `glob` (repeatable)")
	fs.Var(&exclude, "exclude", "leave out files matching the `glob` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := g.noteURLs(pos); err != nil {
		return err
	}
	if len(pos) != 2 || isOSSURL(pos[0]) == isOSSURL(pos[1]) {
		fs.Usage()
		return &usageError{"sync takes a folder and an oss:// prefix, in either order"}
	}
	if t.jobs < 1 || t.jobs > 1000 {
		return &usageError{fmt.Sprintf("--jobs %d is outside 1..1000", t.jobs)}
	}
	t.noteJobs(fs)
	jobs, conns := t.batchJobs(taskNum)
	req := &oss.SyncTreeRequest{
		Jobs: jobs, TaskNum: taskNum, PartSize: partSize.n, Threshold: max(partSize.n, oss.DefaultBatchThreshold),
		Include: include, Exclude: exclude, FollowSymlinks: t.followSymlinks, Dirs: t.dirs, Delete: del, DryRun: dry,
	}
	url := pos[1]
	req.Dir = pos[0]
	if isOSSURL(pos[0]) {
		req.Direction, url, req.Dir = oss.SyncDownload, pos[0], pos[1]
		req.PartSize = max(req.PartSize, minDownloadRange)
	}
	u, err := parseOSSURL(url, false)
	if err != nil {
		return err
	}
	req.Bucket, req.Prefix = u.bucket, folderPrefix(u.key)
	req.CRCCacheFile = crcCachePath(req.Dir)
	if g.dialect == "s3" {
		// The S3 dialect's CRC-64s are another variant's.
		req.CRCCacheFile += ".nvme"
	}
	stdout, stderr, flush := batchOutput(stdout, stderr)
	defer flush()
	bar := newTreeProgress(stderr, g.quiet, "sync")
	req.OnFile, req.Progress = bar.onFile(syncLine(bar.around(stdout), bar.around(stderr), req, u.scheme)), bar.progress
	g.conns = conns
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	if req.Direction == oss.SyncUpload && !dry {
		if err := s.ensureBucket(ctx, u.bucket); err != nil {
			return err
		}
	}
	bar.start()
	res, err := s.client.SyncTree(ctx, req)
	bar.finish(err)
	if res != nil {
		head := "sent"
		if dry {
			head = "dry run: would have sent"
		}
		fmt.Fprintf(stdout, "%s %d files (%s), deleted %d, %d unchanged, %d failed\n",
			head, res.Done, humanize.IBytes(uint64(res.Bytes)), res.Deleted, res.Skipped, len(res.Failed))
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted; run the same command again to go on")
	}
	if _, ok := errors.AsType[*oss.BatchError](err); ok {
		return fmt.Errorf("%d files failed", len(res.Failed))
	}
	return err
}

// syncLine prints one line per file sent or deleted, and failures.
func syncLine(stdout, stderr io.Writer, req *oss.SyncTreeRequest, scheme string) func(oss.FileResult) {
	verb := map[oss.FileStatus]string{oss.FileDone: "upload", oss.FileDeleted: "delete"}
	if req.Direction == oss.SyncDownload {
		verb[oss.FileDone] = "download"
	}
	if req.DryRun {
		verb[oss.FileDone], verb[oss.FileDeleted] = "would "+verb[oss.FileDone], "would "+verb[oss.FileDeleted]
	}
	return func(r oss.FileResult) {
		switch {
		case r.Status == oss.FileFailed:
			fmt.Fprintf(stderr, "ossup: %s: %v\n", r.Path, r.Err)
		case r.Status == oss.FileDeleted && req.Direction == oss.SyncUpload:
			fmt.Fprintf(stdout, "%s\t%s://%s/%s\n", verb[r.Status], scheme, req.Bucket, r.Key)
		case r.Status == oss.FileDeleted:
			fmt.Fprintf(stdout, "%s\t%s\n", verb[r.Status], r.Path)
		case r.Status == oss.FileDone:
			fmt.Fprintf(stdout, "%s\t%s\t%s://%s/%s\n", verb[r.Status], r.Path, scheme, req.Bucket, r.Key)
		}
	}
}

// crcCachePath is where sync keeps the CRC-64s of dir's files: in the
// user cache folder, named by a hash of dir's absolute path; empty (no
// cache) when there is no cache folder.
func crcCachePath(dir string) string {
	base, err := os.UserCacheDir()
	abs, aerr := filepath.Abs(dir)
	if err != nil || aerr != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(base, "ossup", "crc", hex.EncodeToString(sum[:12])+".crc")
}
