package interop

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"
)

// sdkClient is what the tests ask of an SDK. Each method makes the SDK's
// own call for the operation (never a hand-built request) and translates
// the result into the plain types below, so one table-driven test checks
// both SDKs. Errors are returned as the SDK made them.
type sdkClient interface {
	CreateBucket(ctx context.Context, bucket, acl string) error
	BucketExists(ctx context.Context, bucket string) (bool, error)
	BucketInfo(ctx context.Context, bucket string) (bucketInfo, error)
	BucketACL(ctx context.Context, bucket string) (string, error)
	BucketLocation(ctx context.Context, bucket string) (string, error)
	ListBuckets(ctx context.Context, prefix string) ([]string, error)
	DeleteBucket(ctx context.Context, bucket string) error

	// Put uploads data with PutObject; the SDK checks the CRC-64 reply.
	Put(ctx context.Context, bucket, key string, data []byte, o putOptions) (etag string, err error)
	// Get reads a whole object with the SDK's CRC-64 check on, and fails
	// unless the check actually ran and passed.
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// GetRange reads bytes first..last (inclusive).
	GetRange(ctx context.Context, bucket, key string, first, last int64) ([]byte, error)
	Head(ctx context.Context, bucket, key string) (objectMeta, error)
	// ObjectMeta is GetObjectMeta (HEAD ?objectMeta).
	ObjectMeta(ctx context.Context, bucket, key string) (objectMeta, error)
	ObjectExists(ctx context.Context, bucket, key string) (bool, error)
	// ObjectACL is GetObjectAcl.
	ObjectACL(ctx context.Context, bucket, key string) (string, error)
	Delete(ctx context.Context, bucket, key string) error
	// DeleteMany is DeleteMultipleObjects; it returns the keys reported
	// deleted (none in quiet mode).
	DeleteMany(ctx context.Context, bucket string, keys []string, quiet bool) ([]string, error)
	// List returns one page of ListObjects; page.next is the marker.
	List(ctx context.Context, bucket string, q listQuery) (listPage, error)
	// ListV2 returns one page of ListObjectsV2; page.next is the token.
	ListV2(ctx context.Context, bucket string, q listQuery) (listPage, error)
	// PresignGet and PresignPut return a URL (and the headers the request
	// must carry) made by the SDK's presigner.
	PresignGet(ctx context.Context, bucket, key string) (string, http.Header, error)
	PresignPut(ctx context.Context, bucket, key, contentType string) (string, http.Header, error)

	Initiate(ctx context.Context, bucket, key string, o putOptions) (uploadID string, err error)
	UploadPart(ctx context.Context, bucket, key, uploadID string, n int, data []byte) (etag string, err error)
	ListParts(ctx context.Context, bucket, key, uploadID string, marker, max int) (partsPage, error)
	ListUploads(ctx context.Context, bucket string, q uploadsQuery) (uploadsPage, error)
	Complete(ctx context.Context, bucket, key, uploadID string, parts []part) (etag string, err error)
	Abort(ctx context.Context, bucket, key, uploadID string) error

	// UploadFile is the SDK's resumable uploader with checkpoint and CRC
	// checks on.
	UploadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error
	// DownloadFile is the SDK's resumable downloader with checkpoint and
	// CRC checks on.
	DownloadFile(ctx context.Context, bucket, key, path string, partSize int64, cpDir string) error
}

type bucketInfo struct {
	Name, Location, ACL, StorageClass, Redundancy string
	Created                                       time.Time
}

type putOptions struct {
	ContentType  string
	Meta         map[string]string // names without x-oss-meta-
	ACL          string            // object ACL
	StorageClass string
	// ForbidOverwrite sends x-oss-forbid-overwrite: true.
	ForbidOverwrite bool
}

type objectMeta struct {
	Size                                         int64
	ETag, ContentType, CRC64, Type, StorageClass string
	Meta                                         map[string]string
}

type object struct {
	Key, ETag, Type, StorageClass string
	Size                          int64
}

type listQuery struct {
	Prefix, Delimiter, Marker string // Marker: marker (v1 API) or continuation token (v2 API)
	StartAfter                string // ListObjectsV2 only
	Max                       int
}

type listPage struct {
	Objects   []object
	Prefixes  []string
	Truncated bool
	Next      string
}

type part struct {
	Number int
	ETag   string
	Size   int64
	CRC64  string // empty when the SDK does not expose it
}

type partsPage struct {
	Parts     []part
	Truncated bool
	Next      int
}

type uploadsQuery struct {
	Prefix, KeyMarker, UploadIDMarker string
	Max                               int
}

type upload struct{ Key, UploadID string }

type uploadsPage struct {
	Uploads             []upload
	Truncated           bool
	NextKey, NextUpload string
}

// variant is one SDK with one signature version.
type variant struct {
	name      string
	sdk       int // 1 or 2
	signature int // 1 or 4
}

// variants is the matrix every test runs: both SDKs, each with Signature V1
// and V4.
var variants = []variant{
	{"sdk-v1/sig-v1", 1, 1},
	{"sdk-v1/sig-v4", 1, 4},
	{"sdk-v2/sig-v1", 2, 1},
	{"sdk-v2/sig-v4", 2, 4},
}

// client makes v's SDK client for the fixture's server, addressed by IP:
// both SDKs then use path-style URLs.
func (v variant) client(t *testing.T, f *fixture) sdkClient {
	t.Helper()
	return v.clientFor(t, f.url, nil)
}

// clientFor makes v's SDK client for endpoint, sending requests through hc
// (nil: the SDK's own client).
func (v variant) clientFor(t *testing.T, endpoint string, hc *http.Client) sdkClient {
	t.Helper()
	if v.sdk == 1 {
		return newV1Client(t, endpoint, v.signature, hc)
	}
	return newV2Client(t, endpoint, v.signature, hc)
}

// forEach runs test as a subtest for every variant, each against its own
// fresh server.
func forEach(t *testing.T, test func(t *testing.T, f *fixture, c sdkClient, v variant)) {
	t.Helper()
	forVariants(t, variants, test)
}

// forVariants is forEach over some variants.
func forVariants(t *testing.T, vs []variant, test func(t *testing.T, f *fixture, c sdkClient, v variant)) {
	t.Helper()
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			test(t, f, v.client(t, f), v)
			v.checkSchemes(t, f)
		})
	}
}

// checkSchemes fails the test if any request the fixture served was signed
// with another signature version than v's.
func (v variant) checkSchemes(t *testing.T, f *fixture) {
	t.Helper()
	allowed := map[string]bool{"OSS": true, "query-v1": true, "probe": true}
	if v.signature == 4 {
		allowed = map[string]bool{"OSS4-HMAC-SHA256": true, "query-v4": true, "probe": true}
	}
	for scheme, n := range f.faults.authSchemes() {
		if !allowed[scheme] {
			t.Errorf("%d requests authenticated with %s, want only %v", n, scheme, slices.Sorted(maps.Keys(allowed)))
		}
	}
}

// ofSDK returns the variants of one SDK (1 or 2).
func ofSDK(sdk int) []variant {
	return slices.DeleteFunc(slices.Clone(variants), func(v variant) bool { return v.sdk != sdk })
}
