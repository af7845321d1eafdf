package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dustin/go-humanize"

	"github.com/ossup/ossup/oss"
)

// minDownloadRange is the smallest range the command line fetches: below
// it, per-request costs dominate a download.
const minDownloadRange = 8 << 20

// download fetches an object with DownloadFile: in ranges, TaskNum at a
// time, into a partial file beside dst that is renamed into place once the
// whole file's CRC-64 matches the object's; with --checkpoint, resumably.
func download(ctx context.Context, g *globalFlags, f *cpFlags, u ossURL, dst string, stdout, stderr io.Writer) error {
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		dst = filepath.Join(dst, baseName(u.key))
	}
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	f.chooseForObject(ctx, s.client, u, stderr)
	req := &oss.DownloadFileRequest{
		Bucket: u.bucket, Key: u.key, DownloadFile: dst, TaskNum: f.taskNum,
		PartSize:         max(f.partSize.n, minDownloadRange),
		EnableCheckpoint: f.checkpoint || f.checkpointFile != "", CheckpointFile: f.checkpointFile,
		TrafficLimit: f.trafficLimit.n,
	}
	bar := newProgress(stderr, g.quiet, "downloading "+u.String())
	req.Progress = bar.update
	res, err := s.client.DownloadFile(ctx, req)
	bar.finish(err)
	if err != nil {
		if de, ok := errors.AsType[*oss.DownloadError](err); ok && de.CheckpointFile != "" && !g.quiet {
			fmt.Fprintf(stderr, "ossup: progress is kept in %s; run the same command again to resume\n", de.CheckpointFile)
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
			fmt.Fprintf(stderr, "ossup: resumed: %d ranges were already downloaded, fetched %s now\n", res.PartsResumed, humanize.IBytes(uint64(res.BytesFetched)))
		}
	}
	if !res.Verified {
		fmt.Fprintf(stderr, "ossup: warning: the service reported no checksum for %s; the download was not verified end to end\n", u)
	}
	fmt.Fprintf(stdout, "%s\t%d bytes\t%s %d\n", dst, res.Size, s.crcName, res.CRC64)
	return nil
}
