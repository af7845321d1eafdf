package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/dustin/go-humanize"

	"github.com/ossup/ossup/oss"
)

// The automatic choice cp makes for whichever of --part-size and
// --task-num is not given (the library's own defaults, 100 KiB one at a
// time, are the reference SDKs' and stay so for programs):
//
//	part size = max(8 MiB, size/10000 rounded up to a whole MiB)
//	tasks     = min(parts, 4×CPUs bounded to 4..16); 4 for a stream
//
// 8 MiB keeps per-request costs small next to the transfer of a part and
// the parts in memory of a stream bounded (tasks+1 of them); size/10000
// keeps a file under the 10,000-part limit. Tasks hide the round trips of
// one connection; past 16 a single host gains nothing (docs/BENCHMARKS.md).
const (
	autoMinPartSize = 8 << 20
	autoMinTasks    = 4
	autoMaxTasks    = 16
)

// autoPartSize is the part or range size for size bytes; size < 0 means
// unknown (a stream).
func autoPartSize(size int64) int64 {
	per := (size + oss.MaxPartNumber - 1) / oss.MaxPartNumber
	per = (per + 1<<20 - 1) &^ (1<<20 - 1)
	return max(autoMinPartSize, per)
}

// autoTasks is the task count for parts parts on a machine with cpus
// processors. When the size is unknown (parts < 0: a stream, which holds
// tasks+1 parts in memory) it is the minimum, 4.
func autoTasks(parts, cpus int) int {
	if parts < 0 {
		return autoMinTasks
	}
	return min(max(4*cpus, autoMinTasks), autoMaxTasks, max(parts, 1))
}

// given records which of the sizing flags the command line set, so that
// the others can be chosen for the file.
func (f *cpFlags) given(fs *flag.FlagSet) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "part-size":
			f.partGiven = true
		case "task-num":
			f.tasksGiven = true
		}
	})
}

// choose fills in the part size and task count the command line left
// out for a transfer of size bytes (-1: unknown) in parts of at least
// minPart, and with -v says what the transfer will use.
func (f *cpFlags) choose(size, minPart int64, w io.Writer) {
	if !f.partGiven {
		f.partSize.n = autoPartSize(size)
	}
	part := max(f.partSize.n, minPart)
	if size > oss.MaxPartNumber*part { // the library grows parts to fit
		part = (size + oss.MaxPartNumber - 1) / oss.MaxPartNumber
	}
	parts := -1
	if size >= 0 {
		parts = max(1, int((size+part-1)/part))
	}
	if !f.tasksGiven {
		f.taskNum = autoTasks(parts, runtime.NumCPU())
	}
	if !f.verbose {
		return
	}
	how := "chosen for the file"
	if f.partGiven && f.tasksGiven {
		how = "as given"
	}
	switch {
	case size < 0:
		fmt.Fprintf(w, "ossup: parts of %s, %d at a time (%s)\n", humanize.IBytes(uint64(part)), f.taskNum, how)
	case size < part:
		fmt.Fprintf(w, "ossup: %s in one request (%s)\n", humanize.IBytes(uint64(size)), how)
	default:
		fmt.Fprintf(w, "ossup: %s in %d parts of %s, %d at a time (%s)\n", humanize.IBytes(uint64(size)), parts, humanize.IBytes(uint64(part)), f.taskNum, how)
	}
}

// chooseForObject is choose for downloading an object, whose size a HEAD
// request tells when something is to be chosen or said. If that fails,
// nothing is said: the download itself fails and reports why.
func (f *cpFlags) chooseForObject(ctx context.Context, c *oss.Client, u ossURL, w io.Writer) {
	if f.partGiven && f.tasksGiven && !f.verbose {
		return
	}
	res, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: u.bucket, Key: u.key})
	if err != nil {
		f.choose(-1, minDownloadRange, io.Discard)
		return
	}
	f.choose(res.Object.Size, minDownloadRange, w)
}
