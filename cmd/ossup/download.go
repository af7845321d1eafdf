package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
)

// minDownloadRange is the smallest range a parallel download fetches.
const minDownloadRange = 8 << 20

// download fetches an object in ranges, TaskNum at a time, into a
// temporary file next to dst, checks the whole file's CRC-64 (combined
// from the ranges) against the object's, then renames it into place.
func download(ctx context.Context, g *globalFlags, f *cpFlags, u ossURL, dst string, stdout, stderr io.Writer) error {
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		dst = filepath.Join(dst, baseName(u.key))
	}
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	info, err := s.client.HeadObject(ctx, u.bucket, u.key)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".ossup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bar := newProgress(stderr, g.quiet, "downloading "+u.String())
	crc, err := fetchRanges(ctx, s.client, u, info.Size, max(f.partSize.n, minDownloadRange), max(f.taskNum, 1), tmp, bar)
	bar.finish()
	if err != nil {
		return err
	}
	if info.HasCRC64 && crc != info.CRC64 {
		return fmt.Errorf("%w: the object has %d, the downloaded bytes %d", oss.ErrCRCMismatch, info.CRC64, crc)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\t%d bytes\tcrc64 %d\n", dst, info.Size, crc)
	return nil
}

// fetchRanges downloads size bytes into f and returns their CRC-64.
func fetchRanges(ctx context.Context, c *oss.Client, u ossURL, size, rangeSize int64, tasks int, f *os.File, bar *progress) (uint64, error) {
	n := int((size + rangeSize - 1) / rangeSize)
	crcs := make([]uint64, n)
	var done progressCounter
	done.bar, done.total = bar, size
	bar.update(oss.ProgressEvent{Total: size})
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(tasks)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		grp.Go(func() error {
			off := int64(i) * rangeSize
			length := min(rangeSize, size-off)
			res, err := c.GetObject(gctx, &oss.GetObjectRequest{Bucket: u.bucket, Key: u.key, Offset: off, Length: length})
			if err != nil {
				return err
			}
			defer res.Body.Close()
			h := crc64.New()
			w := io.MultiWriter(io.NewOffsetWriter(f, off), h, &done)
			got, err := io.Copy(w, res.Body)
			if err == nil && got != length {
				err = fmt.Errorf("range at %d: got %d bytes, want %d", off, got, length)
			}
			crcs[i] = h.Sum64()
			return err
		})
	}
	if err := grp.Wait(); err != nil {
		return 0, err
	}
	if err := context.Cause(ctx); err != nil {
		return 0, errors.New("interrupted")
	}
	var crc uint64
	for i, c := range crcs {
		crc = crc64.Combine(crc, c, min(rangeSize, size-int64(i)*rangeSize))
	}
	return crc, nil
}

// progressCounter turns written bytes into progress events.
type progressCounter struct {
	bar   *progress
	total int64
	mu    sync.Mutex
	done  int64
}

func (p *progressCounter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(len(b))
	p.bar.update(oss.ProgressEvent{Done: p.done, Total: p.total})
	return len(b), nil
}
