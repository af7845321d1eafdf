package oss

import (
	"context"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss/internal/transfer"
)

// localFile is one regular file of a walk.
type localFile struct {
	rel  string // slash path relative to the tree
	path string
	info fs.FileInfo
}

// walkSorted yields the regular files under dir in the byte order of
// their slash paths, the order of a listing's keys: a folder's entries
// are sorted with folder names compared as name + "/". Only the folders
// on the current path are held in memory. Links are followed to regular
// files when follow is set and left out otherwise; errors reading an
// entry are yielded with its localFile and the walk goes on. With dirs,
// an empty folder is yielded too, its rel ending in "/" (the key of its
// marker, in the same place among the keys).
func walkSorted(dir string, follow, dirs bool) iter.Seq2[localFile, error] {
	return func(yield func(localFile, error) bool) {
		walkFolder(dir, "", follow, dirs, yield)
	}
}

func walkFolder(dir, rel string, follow, dirs bool, yield func(localFile, error) bool) bool {
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return yield(localFile{rel: rel, path: filepath.Join(dir, filepath.FromSlash(rel))}, err)
	}
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	if len(entries) == 0 && dirs && rel != "" {
		return yield(localFile{rel: rel, path: filepath.Join(dir, filepath.FromSlash(rel))}, nil)
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		r := rel + e.Name()
		f := localFile{rel: r, path: filepath.Join(dir, filepath.FromSlash(r))}
		if e.IsDir() {
			if !walkFolder(dir, r+"/", follow, dirs, yield) {
				return false
			}
			continue
		}
		if !e.Type().IsRegular() && !(follow && e.Type()&fs.ModeSymlink != 0) {
			continue
		}
		var err error
		if f.info, err = os.Stat(f.path); err == nil && !f.info.Mode().IsRegular() {
			continue
		}
		if !yield(f, err) {
			return false
		}
	}
	return true
}

// objectsOf flattens a listing into its objects.
func (c *Client) objectsOf(ctx context.Context, bucket, prefix string) iter.Seq2[ObjectSummary, error] {
	return func(yield func(ObjectSummary, error) bool) {
		for page, err := range c.ListObjectsV2(ctx, &ListObjectsV2Request{Bucket: bucket, Prefix: prefix, PageSize: 1000}) {
			if err != nil {
				yield(ObjectSummary{}, err)
				return
			}
			for _, o := range page.Objects {
				if !yield(o, nil) {
					return
				}
			}
		}
	}
}

// crcCache remembers local files' CRC-64s by relative path, size, mtime
// and inode, in a batch journal (nil: no cache).
type crcCache struct {
	j *transfer.BatchJournal
	v crc64.Variant // the client's
}

// crc returns the CRC-64 of f, from the cache when its size, mtime and
// inode are those recorded, else by reading the file (and recording it).
func (c crcCache) crc(ctx context.Context, f localFile) (uint64, error) {
	e := transfer.BatchEntry{Size: f.info.Size(), Mtime: f.info.ModTime().UnixNano(), Ino: transfer.Inode(f.info)}
	if d, ok := c.j.Lookup(f.rel); ok && d.Size == e.Size && d.Mtime == e.Mtime && d.Ino == e.Ino {
		return d.CRC64, nil
	}
	file, err := os.Open(f.path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	h := c.v.New()
	if _, err := io.Copy(h, ctxReader{ctx, file}); err != nil {
		return 0, err
	}
	e.CRC64 = h.Sum64()
	if c.j != nil {
		err = c.j.Record(f.rel, e)
	}
	return e.CRC64, err
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
