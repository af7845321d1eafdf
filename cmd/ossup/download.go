package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

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
			h := crc64.New()
			err := fetchRange(gctx, c, u, off, length, io.MultiWriter(io.NewOffsetWriter(f, off), h, &done))
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

// fetchRange copies the length bytes of u at off to w. A read that stalls
// or loses its connection mid-body is resumed from the byte it reached
// with a new ranged read, as long as reads keep bringing bytes: after
// three in a row that bring none, the last error is returned.
func fetchRange(ctx context.Context, c *oss.Client, u ossURL, off, length int64, w io.Writer) error {
	var got int64
	for barren := 0; ; {
		res, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: u.bucket, Key: u.key, Offset: off + got, Length: length - got})
		if err != nil {
			return err
		}
		n, err := io.Copy(w, res.Body)
		res.Body.Close()
		got += n
		switch {
		case got >= length:
			return nil
		case err == nil:
			return fmt.Errorf("range at %d: got %d bytes, want %d", off, got, length)
		case ctx.Err() != nil || !resumable(err):
			return err
		}
		if n > 0 {
			barren = 0
		} else if barren++; barren >= 3 {
			return err
		}
	}
}

// resumable reports whether a read that failed with err mid-body may be
// resumed where it stopped: a stall or a lost connection.
func resumable(err error) bool {
	if _, ok := errors.AsType[*oss.StallError](err); ok {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
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
