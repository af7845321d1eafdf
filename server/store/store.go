package store

import (
	"context"
	"errors"
	"github.com/ossup/ossup/internal/limits"
	"io"
	"time"
)

// Errors a Store returns. The server maps each to its OSS error code.
var (
	ErrNoSuchBucket      = errors.New("store: no such bucket")
	ErrBucketExists      = errors.New("store: bucket exists with other settings")
	ErrBucketNotEmpty    = errors.New("store: bucket not empty")
	ErrTooManyBuckets    = errors.New("store: too many buckets")
	ErrNoSuchKey         = errors.New("store: no such key")
	ErrNoSuchUpload      = errors.New("store: no such upload")
	ErrFileAlreadyExists = errors.New("store: object exists and overwrite is forbidden")
	ErrBadDigest         = errors.New("store: content md5 does not match the body")
	ErrIncompleteBody    = errors.New("store: body shorter than its declared length")
	ErrInvalidPart       = errors.New("store: part missing or etag mismatch")
	ErrInvalidPartOrder  = errors.New("store: part numbers not ascending")
	ErrEntityTooSmall    = errors.New("store: part smaller than the minimum")
	ErrMalformedParts    = errors.New("store: empty part list")
	ErrEntityTooLarge    = errors.New("store: body larger than MaxBlobSize")
	ErrInvalidArgument   = errors.New("store: invalid argument")
	ErrNoSuchLifecycle   = errors.New("store: bucket has no lifecycle rules")
	ErrNoSuchConfig      = errors.New("store: bucket has no such configuration")
)

// Limits the store enforces.
const (
	// MaxBlobSize is the largest object body or part, in bytes (5 GiB).
	MaxBlobSize = limits.MaxPartSize
	// InlineMax is the largest PutObject body, in bytes, that Disk by default
	// keeps inside the object's metadata record instead of a blob file of
	// its own: a small object then costs no file creation, no write and no
	// fsync of its own, and is made durable by the commit that records
	// it, which concurrent puts share.
	InlineMax = 32 << 10
	// SizeUnknown, passed as the size of a PutObject or PutPart body, reads
	// the body to its end (at most MaxBlobSize bytes, else
	// ErrEntityTooLarge): for chunked request bodies.
	SizeUnknown = -1
	// MinPartSize is the smallest size of every part of a completed
	// multipart upload but the last, in bytes.
	MinPartSize = limits.MinPartSize
	// MaxPartNumber is the highest part number.
	MaxPartNumber = limits.MaxPartNumber
	// MaxKeyLen is the longest object key, in bytes.
	MaxKeyLen = limits.MaxKeyLength
	// MaxBuckets is how many buckets a store holds at most.
	MaxBuckets = 100
	// MaxList is the largest page a listing returns; a page size outside
	// 1..MaxList means MaxList.
	MaxList = 1000
)

// Bucket is a bucket's stored settings.
type Bucket struct {
	Name string
	// Owner is the account that created the bucket; empty is the default
	// account (and every bucket created before accounts were recorded).
	Owner              string
	ACL                string // private, public-read or public-read-write
	StorageClass       string // Standard, IA, Archive, ...
	DataRedundancyType string // LRS or ZRS
	Created            time.Time
	// Versioning is VersioningEnabled, VersioningSuspended or, for a
	// bucket never versioned, empty.
	Versioning string
}

// LifecycleRule is one rule of a bucket's lifecycle configuration: which
// objects and uploads it applies to, and what to do with them. The store
// keeps rules; the server checks and applies them. A zero action is
// absent.
type LifecycleRule struct {
	ID      string
	Prefix  string // the rule applies to keys with this prefix
	Enabled bool
	// Tags, in the order they were put, restrict the rule to objects that
	// carry every one of them.
	Tags []LifecycleTag
	// Not excludes the objects matching any of its entries.
	Not []LifecycleNot
	// Expiration deletes objects.
	Expiration LifecycleWhen
	// Transitions change the storage class of objects, in the order they
	// were put.
	Transitions []LifecycleTransition
	// AbortDays, when not zero, is how many days after their initiation
	// uploads are aborted.
	AbortDays int
	// AbortBefore, when not zero, aborts uploads initiated before it.
	AbortBefore time.Time
	// NoncurrentDays, when not zero, deletes the noncurrent versions of a
	// versioned bucket NoncurrentDays days after they became noncurrent.
	NoncurrentDays int
	// ExpireMarkers removes the delete markers left with no version
	// under them (OSS's ExpiredObjectDeleteMarker).
	ExpireMarkers bool
	// NoncurrentTransitions change the storage class of noncurrent
	// versions, When.Days days after they became noncurrent.
	NoncurrentTransitions []LifecycleTransition
}

// Metadata is what an object carries besides its bytes, as set by PutObject
// or InitiateMultipartUpload.
type Metadata struct {
	ContentType        string
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	Expires            string
	ACL                string            // default, private, public-read, public-read-write
	StorageClass       string            // empty means Standard
	User               map[string]string // x-oss-meta-* without the prefix, names lower-cased
	// Tags are the object's tags (x-oss-tagging, PutObjectTagging): at
	// most 10, keys of 1 to 128 characters, values of up to 256; the
	// server checks those limits.
	Tags map[string]string
	// Checksum is the checksum an S3 client uploaded the object with,
	// other than the CRC-64/NVME the store keeps for every object, as
	// "<algorithm>:<base64>" (for example "crc32:NQ3ACw=="); it was
	// checked as the body arrived. Empty for none.
	Checksum string
}

// Object describes a stored object.
type Object struct {
	Bucket     string
	Key        string
	Size       int64  // bytes
	ETag       string // unquoted: uppercase hex MD5, or "<hex>-<N>" for multipart
	ContentMD5 string // base64 MD5 of the whole object; empty for multipart objects
	CRC64      uint64 // CRC-64/ECMA of the whole object
	// CRC64NVME is the CRC-64/NVME of the whole object when HasNVME:
	// every object stored since it was computed has it; older ones, and
	// multipart objects with an older part, do not.
	CRC64NVME uint64
	HasNVME   bool
	Type      string    // Normal, Multipart, Appendable or Symlink
	Modified  time.Time // last modified
	Meta      Metadata
	// Target is the key a Symlink points to, in the same bucket.
	Target string
	// VersionID is the object's version id in a bucket that has been
	// versioned ("null" for the null version), empty otherwise.
	VersionID string
	// DeleteMarker reports a delete marker, which has no content.
	DeleteMarker bool
	// IsLatest reports the current version of its key; ListVersions
	// alone sets it.
	IsLatest bool
	// Restore is the restore of an archived object; zero when none was
	// requested.
	Restore Restore
}

// PutOptions modify PutObject and CompleteUpload.
type PutOptions struct {
	// ContentMD5, when not nil, is the 16-byte MD5 the body must have
	// (ErrBadDigest otherwise). PutObject only.
	ContentMD5 []byte
	// ForbidOverwrite fails with ErrFileAlreadyExists when the key exists.
	ForbidOverwrite bool
	// CRC64NVME, when not nil, is the CRC-64/NVME the completed object
	// must have (ErrBadDigest otherwise, and nothing changes).
	// CompleteUpload only.
	CRC64NVME *uint64
	// Checksum, when not nil, is called once the body has been read whole
	// and gives Metadata.Checksum, which may arrive after the body (in an
	// aws-chunked trailer). PutObject only.
	Checksum func() string
}

// ListOptions select a page of a bucket listing. Keys are returned in
// byte order.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// After is exclusive: only keys (and common prefixes) greater than it.
	// A common prefix After falls under (or equals) is not greater, so
	// none of its keys are listed: pass Next to continue a listing.
	After string
	// Max is the page size, counting objects and common prefixes
	// (1..MaxList; other values mean MaxList).
	Max int
}

// ListResult is one page of a bucket listing.
type ListResult struct {
	Objects        []Object
	CommonPrefixes []string
	Truncated      bool
	// Next is the last key or common prefix returned, set when Truncated.
	Next string
}

// Upload is an initiated multipart upload.
type Upload struct {
	Bucket    string
	Key       string
	ID        string // opaque, URL-safe
	Initiated time.Time
	Meta      Metadata
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int
	Size   int64
	ETag   string // unquoted uppercase hex MD5 of the part
	CRC64  uint64
	// CRC64NVME is the part's CRC-64/NVME when HasNVME.
	CRC64NVME uint64
	HasNVME   bool
	Modified  time.Time
}

// CompletePart names a part to assemble, as listed in a
// CompleteMultipartUpload body.
type CompletePart struct {
	Number int
	ETag   string // quotes optional, compared case-insensitively
	// CRC64NVME, when not nil, must be the part's CRC-64/NVME, if the
	// part has one (ErrInvalidPart otherwise).
	CRC64NVME *uint64
}

// ListUploadsOptions select a page of in-progress uploads, ordered by key
// then by initiation (then ID). Prefix and Delimiter work as in
// ListOptions. With KeyMarker alone, only keys greater than it are listed;
// with UploadIDMarker too, first the uploads of KeyMarker after that one,
// then greater keys. An UploadIDMarker without KeyMarker is ignored.
type ListUploadsOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	Max            int // page size, as in ListOptions
}

// ListUploadsResult is one page of in-progress uploads.
type ListUploadsResult struct {
	Uploads        []Upload
	CommonPrefixes []string
	Truncated      bool
	// NextKeyMarker and NextUploadIDMarker, set when Truncated, name the
	// last upload returned, or the last common prefix and "".
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ReadSeekCloser is an object's content.
type ReadSeekCloser interface {
	io.ReadSeeker
	io.Closer
}

// Store keeps buckets, objects and multipart uploads. Every method is safe
// for concurrent use. Every change of state is atomic and durable when the
// method returns: after a crash at any instant the store holds the old state
// or the new one.
type Store interface {
	// CreateBucket creates b, or re-applies its ACL when it exists with the
	// same owner, storage class and redundancy (ErrBucketExists otherwise). It
	// reports whether the bucket was new.
	CreateBucket(ctx context.Context, b Bucket) (created bool, err error)
	GetBucket(ctx context.Context, name string) (Bucket, error)
	SetBucketACL(ctx context.Context, name, acl string) error
	// DeleteBucket fails with ErrBucketNotEmpty while objects or uploads remain.
	DeleteBucket(ctx context.Context, name string) error
	// ListBuckets returns buckets with the prefix whose names are greater than
	// marker, in name order, at most max of them (1..MaxList; other values
	// mean MaxList).
	ListBuckets(ctx context.Context, prefix, marker string, max int) (buckets []Bucket, truncated bool, err error)
	// BucketStat counts a bucket's objects (by storage class), bytes,
	// uploads in progress and their parts, from its records alone.
	BucketStat(ctx context.Context, bucket string) (BucketStat, error)
	// PutBucketLifecycle replaces the bucket's lifecycle rules; rules must
	// not be empty. The rules go with the bucket when it is deleted.
	PutBucketLifecycle(ctx context.Context, bucket string, rules []LifecycleRule) error
	// GetBucketLifecycle returns the bucket's lifecycle rules in the order
	// they were put, or ErrNoSuchLifecycle.
	GetBucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error)
	// DeleteBucketLifecycle removes the bucket's lifecycle rules; a bucket
	// without any is not an error.
	DeleteBucketLifecycle(ctx context.Context, bucket string) error
	// ExpireObjects deletes, as one atomic change, the objects of bucket
	// named by keys for which expired, given the object as stored at that
	// change, returns true, and returns their keys: an object replaced
	// after the caller chose it is kept unless it is expired too. Missing
	// and repeated keys are skipped.
	ExpireObjects(ctx context.Context, bucket string, keys []string, expired func(Object) bool) (deleted []string, err error)
	// ExpireVersions deletes, as one atomic change, the noncurrent
	// versions and delete markers of bucket named by vs for which due,
	// given the version as stored at that change, when it became
	// noncurrent (zero for a delete marker that is its key's current
	// version), and whether it is a delete marker with no version under
	// it, returns true; it returns those it deleted. Current objects and
	// missing versions are skipped.
	ExpireVersions(ctx context.Context, bucket string, vs []ObjectVersion, due func(v Object, noncurrentSince time.Time, lone bool) bool) ([]ObjectVersion, error)
	// TransitionVersions sets, as one atomic change, the storage class of
	// the noncurrent versions of bucket named by vs to what class returns
	// for the version as stored and the time it became noncurrent (""
	// leaves it), and returns those it changed. Current objects, delete
	// markers and missing versions are skipped.
	TransitionVersions(ctx context.Context, bucket string, vs []ObjectVersion, class func(v Object, noncurrentSince time.Time) string) ([]ObjectVersion, error)
	// TransitionObjects sets, as one atomic change, the storage class of
	// the objects of bucket named by keys to what class returns for the
	// object as stored at that change ("" leaves it), without touching
	// data or modification time, and returns the keys it changed.
	TransitionObjects(ctx context.Context, bucket string, keys []string, class func(Object) string) (changed []string, err error)
	// PutBucketConfig stores doc, opaque to the store, as the bucket's
	// configuration called name (such as "cors"), replacing an earlier one.
	// It goes with the bucket when the bucket is deleted.
	PutBucketConfig(ctx context.Context, bucket, name string, doc []byte) error
	// GetBucketConfig returns the bucket's configuration called name, or
	// ErrNoSuchConfig.
	GetBucketConfig(ctx context.Context, bucket, name string) ([]byte, error)
	// DeleteBucketConfig removes the bucket's configuration called name;
	// one that is absent is not an error.
	DeleteBucketConfig(ctx context.Context, bucket, name string) error

	// PutObject stores exactly size bytes read from r as bucket/key,
	// replacing any object there.
	PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64, meta Metadata, opts PutOptions) (Object, error)
	HeadObject(ctx context.Context, bucket, key string) (Object, error)
	// OpenObject returns the object and a reader of its content; the caller
	// closes it.
	OpenObject(ctx context.Context, bucket, key string) (Object, ReadSeekCloser, error)
	// HeadVersion describes version versionID of bucket/key ("" for the
	// current object): ErrNoSuchVersion when there is none; a delete
	// marker comes described, with ErrDeleteMarker when versionID names
	// it and ErrNoSuchKey when it is the key's current version.
	HeadVersion(ctx context.Context, bucket, key, versionID string) (Object, error)
	// OpenVersion is OpenObject of a version ("" for the current object);
	// it fails as HeadVersion does.
	OpenVersion(ctx context.Context, bucket, key, versionID string) (Object, ReadSeekCloser, error)
	// SetObjectACL replaces the ACL of version versionID of bucket/key (""
	// for the current object; default, private, public-read or
	// public-read-write) without touching its data or its modification
	// time.
	SetObjectACL(ctx context.Context, bucket, key, versionID, acl string) error
	// SetObjectTags replaces the tags of version versionID of bucket/key
	// ("" for the current object; empty tags removes them) without
	// touching its data or its modification time.
	SetObjectTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) error
	// CopyObject makes dstBucket/dstKey a copy of srcBucket/srcKey that
	// shares its data (see Disk.CopyObject).
	CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (Object, error)
	// AppendObject appends size bytes of r to the Appendable object
	// bucket/key at position, creating it at position 0 (see
	// Disk.AppendObject).
	AppendObject(ctx context.Context, bucket, key string, position int64, r io.Reader, size int64, meta Metadata, opts PutOptions) (Object, error)
	// RestoreObject sets the restore of bucket/key to what fn returns for
	// the object as stored, in one atomic change (see Disk.RestoreObject).
	RestoreObject(ctx context.Context, bucket, key string, fn func(Object) (Restore, error)) (Object, error)
	// PutSymlink makes bucket/key a Symlink to target.
	PutSymlink(ctx context.Context, bucket, key, target string, meta Metadata, opts PutOptions) (Object, error)
	// DeleteObject removes bucket/key, or in a versioned bucket puts a
	// delete marker on it; a missing key is not an error.
	DeleteObject(ctx context.Context, bucket, key string) error
	// DeleteObjects removes the objects of bucket named by keys as one
	// atomic change: after a crash either all of them are gone or none.
	// Missing and repeated keys are not errors.
	DeleteObjects(ctx context.Context, bucket string, keys []string) error
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
	// SetBucketVersioning sets bucket's versioning to VersioningEnabled or
	// VersioningSuspended.
	SetBucketVersioning(ctx context.Context, bucket, state string) error
	// DeleteVersions deletes versions of bucket's keys as one atomic
	// change: a version named by id for good, a current object ("" id)
	// as DeleteObjects does. It reports what each delete did, in order.
	DeleteVersions(ctx context.Context, bucket string, objs []ObjectVersion) ([]DeleteResult, error)
	// ListVersions returns a page of bucket's versions (see
	// ListVersionsOptions); in a bucket never versioned every object is
	// its key's one, null, version.
	ListVersions(ctx context.Context, bucket string, opts ListVersionsOptions) (ListVersionsResult, error)

	CreateUpload(ctx context.Context, bucket, key string, meta Metadata) (Upload, error)
	GetUpload(ctx context.Context, bucket, key, uploadID string) (Upload, error)
	// PutPart stores exactly size bytes from r as part n (1..10000), replacing
	// an earlier part n.
	PutPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64, contentMD5 []byte) (Part, error)
	// CopyPart stores part n from length bytes at off of version
	// srcVersion ("" for the current object) of srcBucket/srcKey (length
	// -1: to its end), sharing the source blobs the range covers whole
	// (see Disk.CopyPart).
	CopyPart(ctx context.Context, bucket, key, uploadID string, n int, srcBucket, srcKey, srcVersion string, off, length int64, check func(src Object) error) (Part, error)
	// ListParts returns parts numbered above marker, in number order, at
	// most max of them (as in ListBuckets).
	ListParts(ctx context.Context, bucket, key, uploadID string, marker, max int) (parts []Part, truncated bool, err error)
	// CompleteUpload assembles the listed parts (all parts when parts is nil)
	// into bucket/key without copying data; ACL, when not empty, overrides
	// the upload's. Unlisted parts are discarded and the upload ends. Checks
	// run in this order: ErrNoSuchUpload, ErrMalformedParts,
	// ErrInvalidPartOrder, ErrInvalidPart, ErrEntityTooSmall,
	// ErrFileAlreadyExists.
	CompleteUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, acl string, opts PutOptions) (Object, error)
	AbortUpload(ctx context.Context, bucket, key, uploadID string) error
	ListUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (ListUploadsResult, error)

	Close() error
}
