package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/ossup/ossup/oss"
)

// treeFlags are cp's flags for folders (-r).
type treeFlags struct {
	recursive      bool
	jobs           int
	jobsGiven      bool // --jobs was on the command line
	followSymlinks bool
	dirs           bool
}

func (t *treeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&t.recursive, "r", false, "copy a folder to a prefix, or a prefix to a folder")
	fs.IntVar(&t.jobs, "jobs", oss.DefaultBatchJobs, "with -r: files transferred at once (1 to 1000)")
	fs.BoolVar(&t.followSymlinks, "follow-symlinks", false, "with -r: upload the files symbolic links point to (links to folders are never followed)")
	fs.BoolVar(&t.dirs, "dirs", false, "with -r: keep empty folders: upload them as DIR/ markers, make a folder for each DIR/ marker downloaded")
}

// noteJobs records whether --jobs was on the command line.
func (t *treeFlags) noteJobs(fs *flag.FlagSet) {
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "jobs" {
			t.jobsGiven = true
		}
	})
}

// batchJobs is the Jobs of a batch request and the connections it needs.
// Without --jobs it is 0, the library's default: DefaultBatchJobs files
// at once, of which at most DefaultBatchLargeJobs are large files sending
// taskNum parts each. With --jobs, every file counts alike.
func (t *treeFlags) batchJobs(taskNum int) (jobs, conns int) {
	taskNum = max(taskNum, 1)
	if t.jobsGiven {
		return t.jobs, t.jobs * taskNum
	}
	return 0, oss.DefaultBatchJobs - oss.DefaultBatchLargeJobs + oss.DefaultBatchLargeJobs*taskNum
}

// checkGiven refuses the folder flags on the command line without -r,
// where they would mean nothing.
func (t *treeFlags) checkGiven(fs *flag.FlagSet) error {
	var err error
	t.noteJobs(fs)
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "jobs", "follow-symlinks", "dirs":
			if !t.recursive && err == nil {
				err = &usageError{"--" + fl.Name + " needs -r (it applies to folders)"}
			}
		}
	})
	return err
}

// copyTree runs cp -r: UploadTree or DownloadTree, one line per file
// transferred on stdout, failures on stderr, and a summary.
func copyTree(ctx context.Context, g *globalFlags, f *cpFlags, src, dst string, stdout, stderr io.Writer) error {
	if f.jobs < 1 || f.jobs > 1000 {
		return &usageError{fmt.Sprintf("--jobs %d is outside 1..1000", f.jobs)}
	}
	if isOSSURL(src) == isOSSURL(dst) {
		return &usageError{"cp -r copies between a local folder and an oss:// prefix"}
	}
	_, g.conns = f.batchJobs(f.taskNum)
	stdout, stderr, flush := batchOutput(stdout, stderr)
	defer flush()
	bar := newTreeProgress(stderr, g.quiet, "cp -r")
	out, errOut := bar.around(stdout), bar.around(stderr)
	onFile := bar.onFile(func(r oss.FileResult) {
		switch r.Status {
		case oss.FileDone:
			fmt.Fprintf(out, "%s\t%s\t%d bytes\n", r.Path, r.Key, r.Size)
		case oss.FileFailed:
			fmt.Fprintf(errOut, "ossup: %s: %v\n", r.Path, r.Err)
		}
	})
	res, err := copyTreeRun(ctx, g, f, src, dst, onFile, bar, stderr)
	bar.finish(err)
	verb := "uploaded"
	if isOSSURL(src) {
		verb = "downloaded"
	}
	return treeSummary(stdout, stderr, g.quiet, verb, res, err)
}

// copyTreeRun runs the UploadTree or DownloadTree of cp -r.
func copyTreeRun(ctx context.Context, g *globalFlags, f *cpFlags, src, dst string, onFile func(oss.FileResult), bar *treeProgress, stderr io.Writer) (*oss.BatchResult, error) {
	jobs, _ := f.batchJobs(f.taskNum)
	checkpoint := f.checkpoint || f.checkpointFile != ""
	if isOSSURL(dst) {
		u, err := parseOSSURL(dst, false)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(src); err != nil {
			return nil, err
		} else if !st.IsDir() {
			return nil, &usageError{src + " is not a folder; cp without -r copies a file"}
		}
		s, err := g.connect(stderr)
		if err != nil {
			return nil, err
		}
		defer s.close()
		if err := s.ensureBucket(ctx, u.bucket); err != nil {
			return nil, err
		}
		bar.start()
		return s.client.UploadTree(ctx, &oss.UploadTreeRequest{
			Dir: src, Bucket: u.bucket, Prefix: folderPrefix(u.key), Jobs: jobs,
			TaskNum: f.taskNum, PartSize: f.partSize.n, Threshold: max(f.partSize.n, oss.DefaultBatchThreshold),
			EnableCheckpoint: checkpoint, CheckpointFile: f.checkpointFile, FollowSymlinks: f.followSymlinks,
			Dirs: f.dirs, ObjectMetadata: oss.ObjectMetadata{ContentType: f.contentType, ACL: f.acl, StorageClass: f.storageClass},
			OnFile: onFile, Progress: bar.progress,
		})
	}
	u, err := parseOSSURL(src, false)
	if err != nil {
		return nil, err
	}
	s, err := g.connect(stderr)
	if err != nil {
		return nil, err
	}
	defer s.close()
	bar.start()
	return s.client.DownloadTree(ctx, &oss.DownloadTreeRequest{
		Bucket: u.bucket, Prefix: folderPrefix(u.key), Dir: dst, Jobs: jobs,
		TaskNum: f.taskNum, PartSize: max(f.partSize.n, minDownloadRange), Threshold: max(f.partSize.n, oss.DefaultBatchThreshold),
		EnableCheckpoint: checkpoint, CheckpointFile: f.checkpointFile, Dirs: f.dirs,
		OnFile: onFile, Progress: bar.progress,
	})
}

// folderPrefix makes a URL's key a folder prefix: "" or ending in "/".
func folderPrefix(key string) string {
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return key
}

// treeSummary prints what a batch did and turns its error into the
// command's: the count of failed files (each already named), or a hint to
// resume after an interruption.
func treeSummary(stdout, stderr io.Writer, quiet bool, verb string, res *oss.BatchResult, err error) error {
	if res == nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %d files (%s), skipped %d already done, %d failed\n",
		verb, res.Done, humanize.IBytes(uint64(res.Bytes)), res.Skipped, len(res.Failed))
	if res.Journal != "" && !quiet {
		fmt.Fprintf(stderr, "ossup: progress is kept in %s; run the same command again to resume\n", res.Journal)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	}
	if _, ok := errors.AsType[*oss.BatchError](err); ok {
		return fmt.Errorf("%d of %d files failed", len(res.Failed), res.Done+res.Skipped+int64(len(res.Failed)))
	}
	return err
}
