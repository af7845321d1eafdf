package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ossup/ossup/oss"
)

// stdin is what "ossup cp - oss://..." uploads; tests replace it.
var stdin io.Reader = os.Stdin

// uploadStdin uploads standard input with UploadFrom: its size is unknown,
// so parts are read into TaskNum+1 buffers as they come.
func uploadStdin(ctx context.Context, g *globalFlags, f *cpFlags, in io.Reader, u ossURL, stdout, stderr io.Writer) error {
	if f.checkpoint || f.checkpointFile != "" {
		return &usageError{"standard input cannot be resumed: drop --checkpoint"}
	}
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.ensureBucket(ctx, u.bucket); err != nil {
		return err
	}
	f.choose(-1, 0, stderr)
	file := f.request("-", u)
	req := &oss.UploadFromRequest{
		Bucket: u.bucket, Key: u.key, Reader: in, TaskNum: f.taskNum, PartSize: f.partSize.n,
		ObjectMetadata: file.ObjectMetadata, Callback: file.Callback, TrafficLimit: f.trafficLimit.n,
	}
	if req.ObjectMetadata.ContentType == "" {
		req.ObjectMetadata.ContentType = contentTypeFor(u.key)
	}
	bar := newProgress(stderr, g.quiet, "uploading standard input")
	req.Progress = bar.update
	res, err := s.client.UploadFrom(ctx, req)
	bar.finish(err)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted")
		}
		return err
	}
	if !res.Verified {
		fmt.Fprintf(stderr, "ossup: warning: the service confirmed no checksum; %s was not verified end to end\n", u)
	}
	fmt.Fprintf(stdout, "%s\t%d bytes\tetag %s\t%s %d\n", u, res.Size, strings.Trim(res.ETag, `"`), s.crcName, res.CRC64)
	printCallbackReply(stdout, res.CallbackResult)
	return nil
}

// downloadStdout writes an object to standard output with DownloadTo.
// The CRC-64 is checked once every byte is out: a mismatch exits 1 and
// says so, and what was written must be thrown away.
func downloadStdout(ctx context.Context, g *globalFlags, f *cpFlags, u ossURL, stdout, stderr io.Writer) error {
	if f.checkpoint || f.checkpointFile != "" {
		return &usageError{"standard output cannot be resumed: drop --checkpoint"}
	}
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	f.chooseForObject(ctx, s.client, u, stderr)
	bar := newProgress(stderr, g.quiet, "downloading "+u.String())
	res, err := s.client.DownloadTo(ctx, &oss.DownloadToRequest{
		Bucket: u.bucket, Key: u.key, Writer: stdout, TaskNum: f.taskNum,
		PartSize: max(f.partSize.n, minDownloadRange), TrafficLimit: f.trafficLimit.n,
		Progress: bar.update,
	})
	bar.finish(err)
	if err != nil {
		if errors.Is(err, oss.ErrCRCMismatch) {
			return fmt.Errorf("%w; the bytes written to standard output are corrupt", err)
		}
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted")
		}
		return err
	}
	if !res.Verified && !g.quiet {
		fmt.Fprintf(stderr, "ossup: warning: the service reported no checksum for %s; the bytes were not verified end to end\n", u)
	}
	return nil
}
