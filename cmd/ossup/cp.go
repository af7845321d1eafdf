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

const cpUsage = `Usage:
  ossup cp FILE oss://BUCKET/KEY          upload, resumable with --checkpoint
  ossup cp oss://BUCKET/KEY FILE          download, parallel ranges, resumable
  ossup cp - oss://BUCKET/KEY             upload standard input (TaskNum+1
                                          parts in memory)
  ossup cp oss://BUCKET/KEY -             write an object to standard output,
                                          ranges fetched ahead
  ossup cp oss://BUCKET/KEY oss://B2/K2   copy inside the service: no byte
                                          passes through this machine
  ossup cp -r DIR oss://BUCKET/PREFIX/    upload a folder, --jobs files at once
  ossup cp -r oss://BUCKET/PREFIX/ DIR    download a prefix into a folder

Every oss:// URL may be an s3:// URL instead: the command then speaks S3
(AWS S3, MinIO, R2, ...; see AWS_* below), with CRC-64/NVME checksums and
parts of at least 5MiB.

Sizes take binary units: 100KiB, 1MiB, 5GiB (KB means KiB, 1024 bytes).
With --checkpoint, an interrupted upload or download (Ctrl-C, a crash, a
lost network) resumes when the same command runs again. Downloads fetch
ranges of at least 8MiB.

Without --part-size, parts (and download ranges) are max(8MiB, size/10000
rounded up to a MiB); without --task-num, min(parts, 4 per CPU, at least 4
and at most 16) go at once, 4 for standard input. -v says what a transfer
uses.

Flags:
`

// cpFlags are cp's own flags, bound to the UploadFileRequest fields.
type cpFlags struct {
	taskNum        int
	partSize       sizeFlag
	checkpoint     bool
	checkpointFile string
	verify         bool
	contentType    string
	acl            string
	storageClass   string
	meta           kvFlag
	callbackURL    string
	callbackBody   string
	callbackType   string
	callbackVars   kvFlag
	trafficLimit   sizeFlag
	verbose        bool
	// partGiven and tasksGiven say whether --part-size and --task-num
	// were given; what was not is chosen for the file (auto.go).
	partGiven, tasksGiven bool
	treeFlags
}

func runCp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), cpUsage); printFlags(fs) }
	var g globalFlags
	g.register(fs)
	f := cpFlags{meta: kvFlag{}, callbackVars: kvFlag{}}
	fs.IntVar(&f.taskNum, "task-num", 0, "parts uploaded or ranges downloaded at once, 1 to 1000 (default: chosen for the file, see above)")
	fs.Var(&f.partSize, "part-size", "part `size`, 100KiB to 5GiB (default: chosen for the file, see above)")
	fs.BoolVar(&f.verbose, "v", false, "say the part size and task count the transfer uses")
	fs.BoolVar(&f.checkpoint, "checkpoint", false, "journal progress so that a rerun resumes an interrupted upload or download")
	fs.BoolVar(&f.verify, "verify", false, "on resume, re-read every part already uploaded and compare its CRC-64 with the one recorded (default: the first and last)")
	fs.StringVar(&f.checkpointFile, "checkpoint-file", "", "checkpoint `path` (default FILE.ucp for uploads, FILE.dcp for downloads)")
	fs.StringVar(&f.contentType, "content-type", "", "Content-Type of the object (default: from the key's extension, else application/octet-stream)")
	fs.StringVar(&f.acl, "acl", "", "object `ACL`: default, private, public-read or public-read-write")
	fs.StringVar(&f.storageClass, "storage-class", "", "storage `class`: Standard, IA, Archive, ColdArchive, DeepColdArchive")
	fs.Var(f.meta, "meta", "user metadata `key=value` (repeatable), stored as x-oss-meta-key")
	fs.StringVar(&f.callbackURL, "callback-url", "", "upload callback `URL` the service posts to once the object is stored")
	fs.StringVar(&f.callbackBody, "callback-body", "", "callback body `template`, e.g. 'bucket=${bucket}&object=${object}&size=${size}'")
	fs.StringVar(&f.callbackType, "callback-body-type", "", "callback body `type`: application/x-www-form-urlencoded (default) or application/json")
	fs.Var(f.callbackVars, "callback-var", "custom callback variable `x:name=value` (repeatable)")
	fs.Var(&f.trafficLimit, "traffic-limit", "speed limit per connection in `bits` per second (e.g. 8MiB = 64 Mbit/s), 800KiB to 800MiB")
	f.treeFlags.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := g.noteURLs(pos); err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{"cp takes a source and a destination"}
	}
	f.given(fs)
	if err := f.checkGiven(fs); err != nil {
		return err
	}
	if f.recursive {
		// A tree's big files get the sizes a big file would: 8 MiB parts,
		// 4 at a time, unless given.
		if !f.partGiven {
			f.partSize.n = autoMinPartSize
		}
		if !f.tasksGiven {
			f.taskNum = 4
		}
		return copyTree(ctx, &g, &f, pos[0], pos[1], stdout, stderr)
	}
	g.conns = f.taskNum
	if !f.tasksGiven {
		g.conns = autoMaxTasks
	}
	switch src, dst := pos[0], pos[1]; {
	case src == "-" && isOSSURL(dst):
		u, err := parseOSSURL(dst, true)
		if err != nil {
			return err
		}
		return uploadStdin(ctx, &g, &f, stdin, u, stdout, stderr)
	case isOSSURL(src) && dst == "-":
		u, err := parseOSSURL(src, true)
		if err != nil {
			return err
		}
		return downloadStdout(ctx, &g, &f, u, stdout, stderr)
	case isOSSURL(src) && isOSSURL(dst):
		from, err := parseOSSURL(src, true)
		if err != nil {
			return err
		}
		to, err := parseOSSURL(dst, false)
		if err != nil {
			return err
		}
		if to.key == "" || strings.HasSuffix(to.key, "/") {
			to.key += baseName(from.key)
		}
		return copyRemote(ctx, &g, &f, from, to, stdout, stderr)
	case !isOSSURL(src) && isOSSURL(dst):
		u, err := parseOSSURL(dst, false)
		if err != nil {
			return err
		}
		if u.key == "" || strings.HasSuffix(u.key, "/") {
			u.key += baseName(src)
		}
		return upload(ctx, &g, &f, src, u, stdout, stderr)
	case isOSSURL(src) && !isOSSURL(dst):
		u, err := parseOSSURL(src, true)
		if err != nil {
			return err
		}
		return download(ctx, &g, &f, u, dst, stdout, stderr)
	default:
		return &usageError{"cp copies between a local file and an oss:// (or s3://) URL, or between two such URLs"}
	}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (f *cpFlags) request(file string, u ossURL) *oss.UploadFileRequest {
	req := &oss.UploadFileRequest{
		Bucket: u.bucket, Key: u.key, UploadFile: file, TaskNum: f.taskNum, PartSize: f.partSize.n,
		EnableCheckpoint: f.checkpoint || f.checkpointFile != "", CheckpointFile: f.checkpointFile,
		ObjectMetadata: oss.ObjectMetadata{ContentType: f.contentType, ACL: f.acl, StorageClass: f.storageClass},
		TrafficLimit:   f.trafficLimit.n, VerifyResume: f.verify,
	}
	if len(f.meta) > 0 {
		req.ObjectMetadata.User = f.meta
	}
	if f.callbackURL != "" || f.callbackBody != "" {
		req.Callback = &oss.Callback{URL: f.callbackURL, Body: f.callbackBody, BodyType: f.callbackType, Vars: f.callbackVars}
	}
	return req
}

func upload(ctx context.Context, g *globalFlags, f *cpFlags, file string, u ossURL, stdout, stderr io.Writer) error {
	st, err := os.Stat(file)
	if err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	f.choose(st.Size(), 0, stderr)
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.ensureBucket(ctx, u.bucket); err != nil {
		return err
	}
	req := f.request(file, u)
	if req.ObjectMetadata.ContentType == "" {
		req.ObjectMetadata.ContentType = contentTypeFor(u.key)
	}
	bar := newProgress(stderr, g.quiet, "uploading "+file)
	req.Progress = bar.update
	res, err := s.client.UploadFile(ctx, req)
	bar.finish(err)
	if err != nil {
		if ue, ok := errors.AsType[*oss.UploadError](err); ok && ue.CheckpointFile != "" && !g.quiet {
			fmt.Fprintf(stderr, "ossup: progress is kept in %s; run the same command again to resume\n", ue.CheckpointFile)
		}
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted")
		}
		return err
	}
	if !g.quiet {
		if res.Restarted != nil {
			fmt.Fprintf(stderr, "ossup: started over: %s\n", res.Restarted)
		}
		if res.PartsResumed > 0 {
			fmt.Fprintf(stderr, "ossup: resumed: %d parts were already uploaded, sent %s now\n", res.PartsResumed, humanize.IBytes(uint64(res.BytesSent)))
		}
		for _, id := range res.AbortedUploads {
			fmt.Fprintf(stderr, "ossup: aborted an abandoned upload %s\n", id)
		}
	}
	reportUnsure(stderr, req, res)
	fmt.Fprintf(stdout, "%s\tetag %s\t%s %d\n", u, strings.Trim(res.ETag, `"`), s.crcName, res.CRC64)
	printCallbackReply(stdout, res.CallbackResult)
	return nil
}

// reportUnsure warns, even with -q, of what the upload could not make
// sure of: an object the service confirmed no checksum for, and abandoned
// uploads whose abort failed.
func reportUnsure(stderr io.Writer, req *oss.UploadFileRequest, res *oss.UploadFileResult) {
	if !res.Verified {
		fmt.Fprintln(stderr, "ossup: warning: the service confirmed no checksum; the object was not verified end to end")
	}
	cp := req.CheckpointFile
	if cp == "" {
		cp = req.UploadFile + ".ucp"
	}
	for _, id := range res.AbortsPending {
		fmt.Fprintf(stderr, "ossup: warning: could not abort the abandoned upload %s; %s keeps it, and the next run of this command will retry\n", id, cp)
	}
}
