// Package transfer is the transfer engine of package oss: resumable
// multipart uploads of a file or an io.ReaderAt (plan, checkpoint
// journal, resume and reconcile, the part loop, the abandoned uploads
// still to abort) and parallel, resumable downloads. It reaches the
// service only through the small API interface, which oss.Client
// satisfies through an adapter in package oss and tests satisfy with
// fakes. Package oss owns the public API and converts to and from this
// package's types.
//
// Files: api.go (the interface and its types), plan.go (upload requests,
// normalize, file fingerprints), upload.go (the run of one upload),
// resume.go (all of an upload's resume logic: stale checkpoints, restart,
// reconcile with ListParts, keep and verify parts), parts.go (the part
// loop), abandon.go (uploads still to abort), checkpoint.go (the journal
// format), stream.go (uploads from an io.Reader of unknown size),
// download.go and download_fetch.go (downloads), download_journal.go (the
// download's journal and its resume), download_stream.go (downloads to an
// io.Writer).
package transfer
