package transfer

// Restart says why an upload or a download did not resume an existing
// checkpoint and started over. UploadResult.Restarted and
// DownloadResult.Restarted are nil when there was nothing to resume
// or everything was resumed.
type Restart struct {
	// Reason is what made the checkpoint unusable; programs decide on it.
	Reason RestartReason
	// Detail is a human-readable account naming what differed (the other
	// key, the part sizes, the part whose bytes changed, ...). Its wording
	// may change; do not parse it.
	Detail string
}

// String returns the detail, or the reason when there is none.
func (r *Restart) String() string {
	if r.Detail != "" {
		return r.Detail
	}
	return r.Reason.String()
}

// RestartReason is why a checkpoint was not resumed. Package oss
// re-exports the values as oss.RestartReason; see there.
type RestartReason int

// The reasons. Those marked (upload) or (download) occur only there.
const (
	// RestartCheckpointCorrupt: the checkpoint cannot be read or is not a
	// checkpoint of this kind.
	RestartCheckpointCorrupt RestartReason = iota + 1
	// RestartCheckpointFormat: the checkpoint was written in another
	// format version, which is not resumed (upload).
	RestartCheckpointFormat
	// RestartOtherObject: the checkpoint is for another endpoint, bucket
	// or key, or, for a download, another range of the object.
	RestartOtherObject
	// RestartOtherFile: the checkpoint is for another local file.
	RestartOtherFile
	// RestartFileChanged: the file's size, modification time, inode or
	// change time differ from those recorded (upload).
	RestartFileChanged
	// RestartContentChanged: a part kept on resume no longer has the
	// CRC-64 recorded for it, though the file's fingerprint is the same;
	// every part is sent again, under the same upload (upload).
	RestartContentChanged
	// RestartPartSizeChanged: the request's part size differs from the
	// checkpoint's.
	RestartPartSizeChanged
	// RestartMetadataChanged: the request's object metadata differs from
	// the checkpoint's (upload).
	RestartMetadataChanged
	// RestartNoUpload: the checkpoint names no upload to resume, only
	// abandoned ones to abort (upload).
	RestartNoUpload
	// RestartSinglePut: the file is now smaller than one part (it shrank,
	// or the part size grew), so it goes up in one PutObject and the
	// checkpoint's multipart upload is abandoned (upload).
	RestartSinglePut
	// RestartUploadGone: the upload the checkpoint names no longer exists
	// on the service: it was completed or aborted (upload).
	RestartUploadGone
	// RestartObjectChanged: the object's ETag or size differs from the
	// checkpoint's: it was replaced since (download).
	RestartObjectChanged
	// RestartPartialFileLost: the partial file holding the bytes fetched
	// so far is missing or has the wrong size (download).
	RestartPartialFileLost
)

var restartReasons = [...]string{
	RestartCheckpointCorrupt: "the checkpoint is corrupt",
	RestartCheckpointFormat:  "the checkpoint has another format",
	RestartOtherObject:       "the checkpoint describes another object",
	RestartOtherFile:         "the checkpoint describes another file",
	RestartFileChanged:       "the file changed",
	RestartContentChanged:    "the file's content changed",
	RestartPartSizeChanged:   "the part size changed",
	RestartMetadataChanged:   "the object metadata changed",
	RestartNoUpload:          "the checkpoint names no upload",
	RestartSinglePut:         "the file now goes up in one request",
	RestartUploadGone:        "the upload no longer exists",
	RestartObjectChanged:     "the object changed",
	RestartPartialFileLost:   "the partial file is missing or damaged",
}

// String describes the reason in a few words.
func (r RestartReason) String() string {
	if r > 0 && int(r) < len(restartReasons) {
		return restartReasons[r]
	}
	return "unknown restart reason"
}
