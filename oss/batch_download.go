package oss

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// DownloadTreeRequest downloads the objects under a prefix into a local
// folder.
type DownloadTreeRequest struct {
	Bucket string
	// Prefix selects the objects; each is written to Dir joined with the
	// rest of its key after Prefix, "/" separating folders. Keys ending in
	// "/" (folder markers) are left out unless Dirs is set. A key whose rest is not a local
	// relative path ("..", absolute) fails, and the others go on, as does
	// one whose folder, file or partial file under Dir is a symbolic link
	// (a link planted in Dir is never written through).
	Prefix string
	// Dir is the local folder, created if missing.
	Dir string
	// Dirs makes a folder for each folder marker (a key ending in "/",
	// as UploadTreeRequest.Dirs leaves for an empty folder); without it
	// markers are left out.
	Dirs bool
	// Jobs is how many objects are downloaded at once, 1 to 1000; 0 means
	// DefaultBatchJobs.
	Jobs int
	// TaskNum and PartSize are those of DownloadFileRequest, for the
	// objects of Threshold bytes or more; smaller ones are fetched in one
	// request.
	TaskNum  int
	PartSize int64
	// Threshold is the size in bytes from which an object is fetched in
	// ranges with a per-file checkpoint (with EnableCheckpoint); 0 means
	// DefaultBatchThreshold.
	Threshold int64
	// Include and Exclude select objects by the rest of their key after
	// Prefix, as in UploadTreeRequest.
	Include, Exclude []string
	// EnableCheckpoint keeps a batch journal in CheckpointFile, as for
	// UploadTree: a rerun skips the files already downloaded (the local
	// file still has the size and modification time recorded) and resumes
	// the big one in flight.
	EnableCheckpoint bool
	// CheckpointFile is the batch journal's path; empty means Dir (cleaned)
	// + ".dbj".
	CheckpointFile string
	// Progress, when set, is called serially after each file.
	Progress func(BatchProgressEvent)
	// OnFile, when set, is called serially with each file's outcome.
	OnFile func(FileResult)
}

// DownloadTree downloads every object under req.Prefix into req.Dir, Jobs
// at a time, a listing page at a time. Each file is written beside its
// place and renamed in once its CRC-64 matches the object's, as
// DownloadFile does. Failures and cancellation are reported as by
// UploadTree.
func (c *Client) DownloadTree(ctx context.Context, req *DownloadTreeRequest) (*BatchResult, error) {
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b := newBatch(req.Jobs, req.Progress, req.OnFile)
	if req.EnableCheckpoint {
		cp := req.CheckpointFile
		if cp == "" {
			cp = dir + ".dbj"
		}
		h := transfer.BatchHeader{Direction: "download", Endpoint: c.cfg.Endpoint, Bucket: req.Bucket, Prefix: req.Prefix, Dir: dir}
		if b.journal, _, err = transfer.OpenBatchJournal(cp, h); err != nil {
			return nil, err
		}
	}
	var listErr error
	for page, err := range c.ListObjectsV2(ctx, &ListObjectsV2Request{Bucket: req.Bucket, Prefix: req.Prefix, PageSize: 1000}) {
		if err != nil {
			if ctx.Err() == nil {
				listErr = err
			}
			break
		}
		for _, o := range page.Objects {
			rel := strings.TrimPrefix(o.Key, req.Prefix)
			if strings.HasSuffix(o.Key, "/") {
				if req.Dirs && rel != "" && filter.take(strings.TrimSuffix(rel, "/")) && ctx.Err() == nil {
					b.run(func() {
						b.report(makeTreeFolder(dir, rel, o.Key))
					})
				}
				continue
			}
			if !filter.take(rel) || ctx.Err() != nil {
				continue
			}
			b.run(func() {
				b.report(c.downloadTreeFile(ctx, req, b, dir, rel, o))
			})
		}
	}
	return b.finish(ctx, listErr)
}

// makeTreeFolder makes the folder of the marker key (rel: the rest of
// it after the prefix, ending in "/") under dir.
func makeTreeFolder(dir, rel, key string) FileResult {
	r := FileResult{Key: key, Path: rel, Status: FileFailed}
	name := strings.TrimSuffix(rel, "/")
	if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(rel, `\`) || strings.Contains(name, "//") {
		r.Err = fmt.Errorf("%w: key %q does not name a folder under the folder", ErrInvalidArgument, key)
		return r
	}
	r.Path = filepath.Join(dir, filepath.FromSlash(name))
	if r.Err = prepareTreePath(dir, rel); r.Err == nil {
		r.Status = FileDone
	}
	return r
}

// downloadTreeFile downloads one object of a tree, unless the journal
// says it is done and the local file is still as recorded.
func (c *Client) downloadTreeFile(ctx context.Context, req *DownloadTreeRequest, b *batch, dir, rel string, o ObjectSummary) FileResult {
	j := b.journal
	r := FileResult{Key: o.Key, Size: o.Size, Status: FileFailed}
	local := filepath.FromSlash(rel)
	if rel == "" || !filepath.IsLocal(local) || strings.Contains(rel, `\`) {
		r.Path = rel
		r.Err = fmt.Errorf("%w: key %q does not name a file under the folder", ErrInvalidArgument, o.Key)
		return r
	}
	r.Path = filepath.Join(dir, local)
	if r.Err = prepareTreePath(dir, rel); r.Err != nil {
		return r
	}
	if e, done := j.Lookup(rel); done {
		if st, err := os.Stat(r.Path); err == nil && st.Size() == e.Size && st.ModTime().UnixNano() == e.Mtime && transfer.Inode(st) == e.Ino {
			r.Status, r.CRC64 = FileSkipped, e.CRC64
			return r
		}
	}
	if r.Err = ctx.Err(); r.Err != nil {
		return r
	}
	threshold := batchThreshold(req.Threshold)
	down := &DownloadFileRequest{Bucket: req.Bucket, Key: o.Key, DownloadFile: r.Path}
	if o.Size >= threshold {
		down.TaskNum, down.PartSize = req.TaskNum, req.PartSize
		if j != nil {
			down.EnableCheckpoint, down.CheckpointFile = true, j.StatePath(rel, ".dcp")
		}
	} else {
		down.PartSize = min(max(threshold, MinPartSize), MaxPartSize)
	}
	release, err := b.largeFile(ctx, o.Size >= threshold)
	if err != nil {
		r.Err = err
		return r
	}
	res, err := c.DownloadFile(ctx, down)
	release()
	if err != nil {
		r.Err = err
		return r
	}
	r.Status, r.Size, r.CRC64 = FileDone, res.Size, res.CRC64
	if j != nil {
		st, err := os.Stat(r.Path)
		if err == nil {
			err = j.Record(rel, transfer.BatchEntry{Size: res.Size, Mtime: st.ModTime().UnixNano(), Ino: transfer.Inode(st), CRC64: res.CRC64})
		}
		if err != nil {
			r.Status, r.Err = FileFailed, fmt.Errorf("record in the batch journal: %w", err)
		}
	}
	return r
}
