package oss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// UploadTreeRequest uploads the regular files under a local folder.
type UploadTreeRequest struct {
	// Dir is the local folder.
	Dir    string
	Bucket string
	// Prefix is put before each file's slash path relative to Dir to make
	// its key, as is: end it with "/" to upload into a "folder".
	Prefix string
	// Jobs is how many files are uploaded at once, 1 to 1000; 0 means
	// DefaultBatchJobs.
	Jobs int
	// TaskNum and PartSize are those of UploadFileRequest, for the files
	// of Threshold bytes or more.
	TaskNum  int
	PartSize int64
	// Threshold is the size in bytes from which a file goes through the
	// resumable engine (parts, with a per-file checkpoint when
	// EnableCheckpoint is set); smaller files go up in one PutObject each.
	// 0 means DefaultBatchThreshold.
	Threshold int64
	// Include and Exclude select files by their slash path relative to
	// Dir, with path.Match patterns: a pattern without "/" matches the
	// base name, any other the whole relative path. Empty Include means
	// every file.
	Include, Exclude []string
	// Dirs uploads each empty folder under Dir (but Dir) as a zero-byte
	// folder marker, its key ending in "/", so that a download with
	// DownloadTreeRequest.Dirs makes it again; the folder's relative path
	// must pass Include and Exclude. Without it folders leave no trace.
	Dirs bool
	// FollowSymlinks uploads the target of a symbolic link to a regular
	// file. Links to folders are never followed (no cycles); without
	// FollowSymlinks every link is left out.
	FollowSymlinks bool
	// EnableCheckpoint keeps a batch journal in CheckpointFile: every
	// finished file is recorded, so that a rerun of an interrupted batch
	// skips the files already uploaded (same size and modification time)
	// and resumes the big file that was in flight from its own checkpoint.
	// The journal is deleted when the whole batch succeeds.
	EnableCheckpoint bool
	// CheckpointFile is the batch journal's path; empty means Dir (cleaned)
	// + ".ubj". Per-file checkpoints go in the folder CheckpointFile + ".d".
	CheckpointFile string
	// ObjectMetadata is stored with every object.
	ObjectMetadata ObjectMetadata
	// Progress, when set, is called serially after each file.
	Progress func(BatchProgressEvent)
	// OnFile, when set, is called serially with each file's outcome.
	OnFile func(FileResult)
}

// UploadTree uploads every regular file under req.Dir to req.Bucket,
// Jobs at a time, walking the folder as it goes (memory does not grow
// with the tree, but for the set of finished files read from a resumed
// journal). A file that fails is reported and the others go on; the error
// is then a *BatchError listing the failures. On cancellation the error
// is ctx's, and with EnableCheckpoint a rerun resumes.
func (c *Client) UploadTree(ctx context.Context, req *UploadTreeRequest) (*BatchResult, error) {
	filter := batchFilter{req.Include, req.Exclude}
	if err := filter.validate(); err != nil {
		return nil, err
	}
	if err := checkJobs(req.Jobs, req.Threshold); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(req.Dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder", ErrInvalidArgument, req.Dir)
	}
	b := newBatch(req.Jobs, req.Progress, req.OnFile)
	ctx = b.stoppable(ctx)
	if req.EnableCheckpoint {
		cp := req.CheckpointFile
		if cp == "" {
			cp = dir + ".ubj"
		}
		h := transfer.BatchHeader{Direction: "upload", Endpoint: c.cfg.Endpoint, Bucket: req.Bucket, Prefix: req.Prefix, Dir: dir}
		if b.journal, _, err = transfer.OpenBatchJournal(cp, h); err != nil {
			return nil, err
		}
	}
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return filepath.SkipAll
		}
		rel, _ := filepath.Rel(dir, p)
		slash := filepath.ToSlash(rel)
		if err != nil {
			if p != dir {
				b.report(FileResult{Path: p, Key: req.Prefix + slash, Status: FileFailed, Err: err})
				return nil
			}
			return err
		}
		if b.journal != nil && strings.HasPrefix(p, b.journal.Path()) {
			return nil // the journal, its lock and state, kept inside Dir
		}
		if d.IsDir() && req.Dirs && p != dir && filter.take(slash) && emptyFolder(p) {
			b.run(func() {
				b.report(c.uploadTreeFolder(ctx, req, p, slash))
			})
			return nil
		}
		link := d.Type()&fs.ModeSymlink != 0 && req.FollowSymlinks
		if d.IsDir() || !(d.Type().IsRegular() || link) || !filter.take(slash) {
			return nil
		}
		b.run(func() {
			if r, ok := c.uploadTreeFile(ctx, req, b, p, slash, d); ok {
				b.report(r)
			}
		})
		return nil
	})
	return b.finish(ctx, walkErr)
}

// emptyFolder reports whether the folder p has no entries.
func emptyFolder(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	return errors.Is(err, io.EOF)
}

// uploadTreeFolder puts the zero-byte marker of the empty folder p.
func (c *Client) uploadTreeFolder(ctx context.Context, req *UploadTreeRequest, p, rel string) FileResult {
	r := FileResult{Path: p, Key: req.Prefix + rel + "/", Status: FileFailed}
	if r.Err = ctx.Err(); r.Err != nil {
		return r
	}
	_, r.Err = c.PutObject(ctx, &PutObjectRequest{Bucket: req.Bucket, Key: r.Key, Body: bytes.NewReader(nil), ObjectMetadata: req.ObjectMetadata})
	if r.Err == nil {
		r.Status = FileDone
	}
	return r
}

// uploadTreeFile uploads one file of a tree, unless the journal says it
// is done; ok is false for a link to something other than a regular file,
// which is left out.
func (c *Client) uploadTreeFile(ctx context.Context, req *UploadTreeRequest, b *batch, p, rel string, d fs.DirEntry) (r FileResult, ok bool) {
	r = FileResult{Path: p, Key: req.Prefix + rel, Status: FileFailed}
	st, err := d.Info()
	if err == nil && d.Type()&fs.ModeSymlink != 0 {
		st, err = os.Stat(p)
	}
	if err != nil {
		r.Err = err
		return r, true
	}
	if !st.Mode().IsRegular() {
		return r, false
	}
	r.Size = st.Size()
	e := transfer.BatchEntry{Size: r.Size, Mtime: st.ModTime().UnixNano(), Ino: transfer.Inode(st)}
	if d, done := b.journal.Lookup(rel); done && d.Size == e.Size && d.Mtime == e.Mtime && d.Ino == e.Ino {
		r.Status, r.CRC64 = FileSkipped, d.CRC64
		return r, true
	}
	return c.uploadOne(ctx, req, b, rel, r, e), true
}

// uploadOne uploads the file r names and records it in the batch's
// journal (when it has one) with the fingerprint e.
func (c *Client) uploadOne(ctx context.Context, req *UploadTreeRequest, b *batch, rel string, r FileResult, e transfer.BatchEntry) FileResult {
	if r.Err = ctx.Err(); r.Err != nil {
		return r
	}
	j := b.journal
	release, err := b.largeFile(ctx, r.Size >= batchThreshold(req.Threshold))
	if err != nil {
		r.Err = err
		return r
	}
	res, err := c.UploadFile(ctx, treeUploadRequest(req, j, r.Path, rel, r))
	release()
	if err != nil {
		r.Err = err
		return r
	}
	r.Status, r.CRC64 = FileDone, res.CRC64
	if j != nil {
		e.CRC64 = res.CRC64
		if err := j.Record(rel, e); err != nil {
			r.Status, r.Err = FileFailed, fmt.Errorf("record in the batch journal: %w", err)
		}
	}
	return r
}

// treeUploadRequest is the UploadFile request for one file of a tree:
// through the resumable engine from Threshold bytes, one PutObject below.
func treeUploadRequest(req *UploadTreeRequest, j *transfer.BatchJournal, p, rel string, r FileResult) *UploadFileRequest {
	threshold := batchThreshold(req.Threshold)
	up := &UploadFileRequest{Bucket: req.Bucket, Key: r.Key, UploadFile: p, ObjectMetadata: req.ObjectMetadata}
	if r.Size >= threshold {
		up.TaskNum, up.PartSize = req.TaskNum, req.PartSize
		if j != nil {
			up.EnableCheckpoint, up.CheckpointFile = true, j.StatePath(rel, ".ucp")
		}
		return up
	}
	// One part larger than the file: the engine sends one PutObject.
	up.PartSize = min(max(threshold, MinPartSize), MaxPartSize)
	return up
}
