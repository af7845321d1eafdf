// Package store keeps the server's buckets, objects and multipart uploads.
//
// [Store] is the contract; [Open] returns the on-disk implementation:
// metadata in a bbolt database (each change of state atomic in one
// transaction, which concurrent changes share) and content in blob files
// named by generated ids inside the data directory, never by user keys. A
// blob is written under its final name and fsynced, and its directory
// fsynced, before any record refers to it, and removed only after the
// record that referred to it is gone, so a crash at any instant leaves the
// old state or the new one; blobs no record references (such as one being
// written at the crash) are collected when the store opens.
//
// CompleteUpload writes a manifest that references the part blobs, so
// completing a 5 GiB object costs what completing a 5 MiB one does, and
// OpenObject streams across the manifest with seeking.
//
// # Layout
//
// A data directory holds:
//
//	meta.db               bbolt: buckets, objects, uploads, parts
//	blobs/<xx>/<id>       content; id is 32 hex digits, xx its first two
//	tmp/                  empty; cleared by Open (blobs were once written here)
//
// The last 30 hex digits of a blob id come from crypto/rand; the first two
// name its directory, which blobs made one after another share (64 in a
// row), so that concurrent writes need one directory fsync.
//
// Every record carries a version byte, and the database a layout version;
// Open refuses versions it does not know. A second process opening the
// same directory fails with [ErrLocked].
//
// # Reading while the object changes
//
// A reader from OpenObject holds one blob open at a time. On Linux an open
// blob stays readable after the object is replaced or deleted, so a Normal
// object (one blob) always reads back whole. A multipart object's later
// blobs are opened when reading reaches them; if the object was replaced
// or deleted meanwhile, Read fails with an error wrapping [io/fs.ErrNotExist]
// rather than returning bytes of another version.
package store
