package oss

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/oss/internal/transfer"
)

// SyncDirection says which side of a sync is the source.
type SyncDirection int

const (
	// SyncUpload makes the objects under the prefix match the folder.
	SyncUpload SyncDirection = iota
	// SyncDownload makes the folder match the objects under the prefix.
	SyncDownload
)

// SyncTreeRequest makes one side of a folder and a prefix match the
// other. Files are compared by size, then by CRC-64 (the object's as the
// service reports it, the local file's computed, or taken from
// CRCCacheFile); only those that differ are transferred.
type SyncTreeRequest struct {
	Direction SyncDirection
	Dir       string
	Bucket    string
	// Prefix maps keys to paths as in UploadTreeRequest and
	// DownloadTreeRequest: the key of a file is Prefix + its slash path.
	Prefix string
	// Jobs, TaskNum, PartSize, Threshold, Include, Exclude and
	// FollowSymlinks are those of UploadTreeRequest; Include and Exclude
	// apply to both sides, so excluded files are neither sent nor deleted.
	Jobs             int
	TaskNum          int
	PartSize         int64
	Threshold        int64
	Include, Exclude []string
	FollowSymlinks   bool
	// Dirs syncs empty folders as folder markers (keys ending in "/"), as
	// UploadTreeRequest.Dirs and DownloadTreeRequest.Dirs do: a marker is
	// made for an empty folder, a folder for a marker, and with Delete a
	// marker or empty folder the source lacks is removed. Without it
	// markers and folders are left alone.
	Dirs bool
	// Delete removes, from the destination, the files the source does not
	// have (emptied folders are left).
	Delete bool
	// DryRun compares and reports (OnFile, the result) what would be sent
	// and deleted, and changes nothing.
	DryRun bool
	// CRCCacheFile, when set, keeps the local files' CRC-64s by path, size,
	// mtime and inode, so that a sync of an unchanged tree reads no file.
	CRCCacheFile string
	// ObjectMetadata is stored with every object uploaded.
	ObjectMetadata ObjectMetadata
	Progress       func(BatchProgressEvent)
	// OnFile is called serially with each file's outcome: FileDone for a
	// file sent (or that would be, with DryRun), FileDeleted, FileSkipped
	// for a file already the same, FileFailed.
	OnFile func(FileResult)
}

// SyncTree makes the destination of req match its source: it merges the
// walk of the folder, in key order, with the listing of the prefix, one
// file at a time, so memory does not grow with the tree. Failures and
// cancellation are reported as by UploadTree; a listing that fails stops
// the sync before anything further is deleted.
func (c *Client) SyncTree(ctx context.Context, req *SyncTreeRequest) (*BatchResult, error) {
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
	local := walkSorted(dir, req.FollowSymlinks, req.Dirs)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && req.Direction == SyncDownload {
		local = func(func(localFile, error) bool) {}
	} else if err != nil {
		return nil, err
	}
	cache := crcCache{v: c.crc}
	if req.CRCCacheFile != "" {
		// The cache of one CRC-64 is not the other's.
		h := transfer.BatchHeader{Direction: "crc-cache", Dir: dir}
		if c.s3 {
			h.Direction = "crc-cache-nvme"
		}
		if cache.j, _, err = transfer.OpenBatchJournal(req.CRCCacheFile, h); err != nil {
			return nil, err
		}
		defer cache.j.Close()
	}
	s := &syncer{c: c, req: req, dir: dir, cache: cache, b: newBatch(req.Jobs, req.Progress, req.OnFile)}
	s.up = &UploadTreeRequest{Bucket: req.Bucket, Prefix: req.Prefix, TaskNum: req.TaskNum, PartSize: req.PartSize, Threshold: req.Threshold, ObjectMetadata: req.ObjectMetadata}
	s.down = &DownloadTreeRequest{Bucket: req.Bucket, Prefix: req.Prefix, TaskNum: req.TaskNum, PartSize: req.PartSize, Threshold: req.Threshold}
	err = s.merge(ctx, filter, local, c.objectsOf(ctx, req.Bucket, req.Prefix))
	return s.b.finish(ctx, err)
}

type syncer struct {
	c     *Client
	req   *SyncTreeRequest
	dir   string
	cache crcCache
	b     *batch
	up    *UploadTreeRequest
	down  *DownloadTreeRequest
}

// merge walks the two sorted sides together and hands each path to
// pair; it returns the listing's error.
func (s *syncer) merge(ctx context.Context, filter batchFilter, local iter.Seq2[localFile, error], remote iter.Seq2[ObjectSummary, error]) error {
	nextL, stopL := iter.Pull2(local)
	defer stopL()
	nextR, stopR := iter.Pull2(remote)
	defer stopR()
	l, lerr, lok := nextL()
	o, rerr, rok := nextR()
	for ctx.Err() == nil {
		for lok && (lerr == nil && !filter.take(strings.TrimSuffix(l.rel, "/"))) {
			l, lerr, lok = nextL()
		}
		for rok && rerr == nil && (s.skipMarker(o.Key) || !filter.take(strings.TrimSuffix(strings.TrimPrefix(o.Key, s.req.Prefix), "/"))) {
			o, rerr, rok = nextR()
		}
		if rok && rerr != nil {
			return rerr
		}
		if lok && lerr != nil {
			s.b.report(FileResult{Path: l.path, Key: s.req.Prefix + l.rel, Status: FileFailed, Err: lerr})
			l, lerr, lok = nextL()
			continue
		}
		if !lok && !rok {
			return nil
		}
		rel := strings.TrimPrefix(o.Key, s.req.Prefix)
		switch {
		case !rok || lok && l.rel < rel:
			// An empty local folder whose objects come next is not one the
			// source lacks when downloading: the download fills it.
			if l.info != nil || !rok || !strings.HasPrefix(rel, l.rel) || s.req.Direction == SyncUpload {
				s.pair(ctx, &l, nil)
			}
			l, lerr, lok = nextL()
		case !lok || rel < l.rel:
			s.pair(ctx, nil, &o)
			o, rerr, rok = nextR()
		default:
			s.pair(ctx, &l, &o)
			l, lerr, lok = nextL()
			o, rerr, rok = nextR()
		}
	}
	return nil
}

// skipMarker reports whether key is a folder marker to leave out: always
// without Dirs, and the prefix's own marker.
func (s *syncer) skipMarker(key string) bool {
	return strings.HasSuffix(key, "/") && (!s.req.Dirs || key == s.req.Prefix)
}

// pair schedules what one path needs: a local file l, an object o, or
// both.
func (s *syncer) pair(ctx context.Context, l *localFile, o *ObjectSummary) {
	lf, obj := localFile{}, ObjectSummary{}
	if l != nil {
		lf = *l
	}
	if o != nil {
		obj = *o
	}
	hasL, hasO := l != nil, o != nil
	s.b.run(func() {
		if r, ok := s.sync(ctx, lf, hasL, obj, hasO); ok {
			s.b.report(r)
		}
	})
}

// sync brings one path in line; ok is false when there was nothing to
// report (a file only at the destination, without Delete).
func (s *syncer) sync(ctx context.Context, l localFile, hasL bool, o ObjectSummary, hasO bool) (r FileResult, ok bool) {
	up := s.req.Direction == SyncUpload
	r = FileResult{Path: l.path, Key: o.Key, Status: FileFailed}
	if hasL && l.info == nil || hasO && strings.HasSuffix(o.Key, "/") {
		return s.syncFolder(ctx, l, hasL, o, hasO)
	}
	if hasL {
		r.Key, r.Size = s.req.Prefix+l.rel, l.info.Size()
	} else {
		r.Path, r.Size = filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(o.Key, s.req.Prefix))), o.Size
	}
	switch {
	case up && !hasL || !up && !hasO: // only at the destination
		if !s.req.Delete {
			return r, false
		}
		r.Status = FileDeleted
		if !s.req.DryRun {
			r.Err = s.remove(ctx, r, up)
		}
	case hasL && hasO:
		same, err := s.same(ctx, l, o)
		if err != nil {
			r.Err = err
			return r, true
		}
		if same {
			r.Status = FileSkipped
			return r, true
		}
		fallthrough
	default:
		r.Status = FileDone
		if s.req.DryRun {
			return r, true
		}
		if up {
			return s.c.uploadOne(ctx, s.up, s.b, l.rel, FileResult{Path: r.Path, Key: r.Key, Size: r.Size, Status: FileFailed}, transfer.BatchEntry{}), true
		}
		return s.c.downloadTreeFile(ctx, s.down, s.b, s.dir, strings.TrimPrefix(o.Key, s.req.Prefix), o), true
	}
	if r.Err != nil {
		r.Status = FileFailed
	}
	return r, true
}

// syncFolder brings one empty folder (l, its rel ending in "/") or
// folder marker o in line.
func (s *syncer) syncFolder(ctx context.Context, l localFile, hasL bool, o ObjectSummary, hasO bool) (FileResult, bool) {
	up := s.req.Direction == SyncUpload
	rel := l.rel
	if !hasL {
		rel = strings.TrimPrefix(o.Key, s.req.Prefix)
	}
	r := FileResult{Path: filepath.Join(s.dir, filepath.FromSlash(strings.TrimSuffix(rel, "/"))), Key: s.req.Prefix + rel, Status: FileDone}
	switch {
	case hasL && hasO:
		r.Status = FileSkipped
		return r, true
	case up && !hasL || !up && !hasO: // only at the destination
		if !s.req.Delete {
			return r, false
		}
		r.Status = FileDeleted
		if !s.req.DryRun {
			r.Err = s.remove(ctx, r, up)
		}
	case s.req.DryRun:
	case up:
		r = s.c.uploadTreeFolder(ctx, s.up, r.Path, strings.TrimSuffix(rel, "/"))
	default:
		r = makeTreeFolder(s.dir, rel, o.Key)
	}
	if r.Err != nil {
		r.Status = FileFailed
	}
	return r, true
}

func (s *syncer) remove(ctx context.Context, r FileResult, remote bool) error {
	if remote {
		_, err := s.c.DeleteObject(ctx, &DeleteObjectRequest{Bucket: s.req.Bucket, Key: r.Key})
		return err
	}
	return os.Remove(r.Path)
}

// same says whether a local file and an object hold the same bytes: same
// size and same CRC-64. An object with no CRC-64 counts as different.
func (s *syncer) same(ctx context.Context, l localFile, o ObjectSummary) (bool, error) {
	if l.info.Size() != o.Size {
		return false, nil
	}
	head, err := s.c.HeadObject(ctx, &HeadObjectRequest{Bucket: s.req.Bucket, Key: o.Key})
	if err != nil {
		return false, fmt.Errorf("compare: %w", err)
	}
	if !head.Object.HasCRC64 {
		return false, nil
	}
	crc, err := s.cache.crc(ctx, l)
	if err != nil {
		return false, fmt.Errorf("compare: %w", err)
	}
	return crc == head.Object.CRC64, nil
}
