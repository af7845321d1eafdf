package oss

import "github.com/ossup/ossup/oss/internal/transfer"

// Restart says why UploadFile or DownloadFile did not resume an existing
// checkpoint and started over. UploadFileResult.Restarted and
// DownloadFileResult.Restarted are nil when there was nothing to resume
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

// RestartReason is why a checkpoint was not resumed.
type RestartReason int

// The reasons. Those marked (upload) or (download) occur only there.
const (
	// RestartCheckpointCorrupt: the checkpoint cannot be read or is not a
	// checkpoint of this kind.
	RestartCheckpointCorrupt = RestartReason(transfer.RestartCheckpointCorrupt)
	// RestartCheckpointFormat: the checkpoint was written in another
	// format version, which is not resumed (upload).
	RestartCheckpointFormat = RestartReason(transfer.RestartCheckpointFormat)
	// RestartOtherObject: the checkpoint is for another endpoint, bucket
	// or key, or, for a download, another range of the object.
	RestartOtherObject = RestartReason(transfer.RestartOtherObject)
	// RestartOtherFile: the checkpoint is for another local file.
	RestartOtherFile = RestartReason(transfer.RestartOtherFile)
	// RestartFileChanged: the file's size, modification time, inode or
	// change time differ from those recorded (upload).
	RestartFileChanged = RestartReason(transfer.RestartFileChanged)
	// RestartContentChanged: a part kept on resume no longer has the
	// CRC-64 recorded for it, though the file's fingerprint is the same;
	// every part is sent again, under the same upload (upload).
	RestartContentChanged = RestartReason(transfer.RestartContentChanged)
	// RestartPartSizeChanged: the request's part size differs from the
	// checkpoint's.
	RestartPartSizeChanged = RestartReason(transfer.RestartPartSizeChanged)
	// RestartMetadataChanged: the request's object metadata differs from
	// the checkpoint's (upload).
	RestartMetadataChanged = RestartReason(transfer.RestartMetadataChanged)
	// RestartNoUpload: the checkpoint names no upload to resume, only
	// abandoned ones to abort (upload).
	RestartNoUpload = RestartReason(transfer.RestartNoUpload)
	// RestartSinglePut: the file is now smaller than one part (it shrank,
	// or the part size grew), so it goes up in one PutObject and the
	// checkpoint's multipart upload is abandoned (upload).
	RestartSinglePut = RestartReason(transfer.RestartSinglePut)
	// RestartUploadGone: the upload the checkpoint names no longer exists
	// on the service: it was completed or aborted (upload).
	RestartUploadGone = RestartReason(transfer.RestartUploadGone)
	// RestartObjectChanged: the object's ETag or size differs from the
	// checkpoint's: it was replaced since (download).
	RestartObjectChanged = RestartReason(transfer.RestartObjectChanged)
	// RestartPartialFileLost: the partial file holding the bytes fetched
	// so far is missing or has the wrong size (download).
	RestartPartialFileLost = RestartReason(transfer.RestartPartialFileLost)
)

// String describes the reason in a few words.
func (r RestartReason) String() string { return transfer.RestartReason(r).String() }
