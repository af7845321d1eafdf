package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ossup/ossup/oss"
)

// copyRemote copies one object to another inside the service with
// oss.Client.CopyFile: one CopyObject up to 1 GiB, parts copied
// --task-num at a time beyond. Metadata flags (--content-type, --meta)
// replace the source's metadata; without them the copy keeps it.
func copyRemote(ctx context.Context, g *globalFlags, f *cpFlags, from, to ossURL, stdout, stderr io.Writer) error {
	if f.checkpoint || f.checkpointFile != "" || f.callbackURL != "" || f.callbackBody != "" {
		return &usageError{"a copy between two oss:// URLs takes no --checkpoint or --callback"}
	}
	s, err := g.connect(stderr)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.ensureBucket(ctx, to.bucket); err != nil {
		return err
	}
	req := &oss.CopyFileRequest{
		Bucket: to.bucket, Key: to.key, SourceBucket: from.bucket, SourceKey: from.key,
		TaskNum: f.taskNum, ObjectMetadata: oss.ObjectMetadata{ACL: f.acl, StorageClass: f.storageClass},
	}
	if f.partGiven {
		req.PartSize = f.partSize.n
	}
	if !f.tasksGiven {
		req.TaskNum = 8 // a part copy moves no bytes through here
	}
	if f.contentType != "" || len(f.meta) > 0 {
		req.ReplaceMetadata = true
		req.ObjectMetadata.ContentType = f.contentType
		if req.ObjectMetadata.ContentType == "" {
			req.ObjectMetadata.ContentType = contentTypeFor(to.key)
		}
		if len(f.meta) > 0 {
			req.ObjectMetadata.User = f.meta
		}
	}
	bar := newProgress(stderr, g.quiet, "copying "+from.String())
	req.Progress = bar.update
	res, err := s.client.CopyFile(ctx, req)
	bar.finish(err)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted; the copy was abandoned and its parts removed")
		}
		return err
	}
	if !res.Verified {
		fmt.Fprintln(stderr, "ossup: warning: the service confirmed no checksum; the copy was not verified end to end")
	}
	fmt.Fprintf(stdout, "%s\tetag %s\t%s %d\n", to, strings.Trim(res.ETag, `"`), s.crcName, res.CRC64)
	return nil
}
