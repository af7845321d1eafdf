package server

import (
	"context"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Versioning. PutBucketVersioning turns it on (Enabled) or pauses it
// (Suspended); a bucket once versioned never returns to unversioned. In
// a versioned bucket every write makes a new version, answered with its
// x-oss-version-id, a delete without versionId puts a delete marker on
// the key, and versionId names a version in GET, HEAD, DELETE, copies
// (x-oss-copy-source: ...?versionId=), ACL, tagging and symlink reads.
// The store keeps the versions (see store/versioning.go); a bucket never
// versioned has one version per key, the "null" one.

// nullVersion is the version id of a key's null version.
const nullVersion = store.NullVersion

// versionParam returns the version the request's versionId names; ""
// for none (the current object).
func versionParam(rq *request) (string, error) {
	v, ok := rq.query["versionId"]
	if !ok {
		return "", nil
	}
	if len(v) != 1 || v[0] == "" {
		return "", invalidArgument("versionId", "", "The versionId must be given once and not be empty.")
	}
	return v[0], nil
}

// setVersionHeaders writes the version headers of an answer about obj:
// its x-oss-version-id when its bucket has been versioned, and
// x-oss-delete-marker for a delete marker.
func setVersionHeaders(h http.Header, obj store.Object) {
	if obj.VersionID != "" {
		h.Set("x-oss-version-id", obj.VersionID)
	}
	if obj.DeleteMarker {
		h.Set("x-oss-delete-marker", "true")
	}
}

// versionedError maps a store error of a versioned read, after writing
// the delete marker's headers when the store met one.
func versionedError(w http.ResponseWriter, err error, obj store.Object, rq *request) error {
	if obj.DeleteMarker {
		setVersionHeaders(w.Header(), obj)
	}
	return storeError(err, rq)
}

// putBucketVersioning answers PutBucketVersioning: Status Enabled or
// Suspended.
func (s *Server) putBucketVersioning(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	var conf ossxml.VersioningConfiguration
	ok, err := s.readXML(w, r, &conf)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ossxml.CodeMalformedXML, "The request body is empty.")
	}
	if conf.Status != store.VersioningEnabled && conf.Status != store.VersioningSuspended {
		return invalidArgument("Status", conf.Status, "The versioning status must be Enabled or Suspended.")
	}
	if err := s.store.SetBucketVersioning(ctx, rq.bucket, conf.Status); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketVersioning answers GetBucketVersioning: Enabled, Suspended,
// or no status for a bucket never versioned.
func (s *Server) getBucketVersioning(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	return writeXML(w, &ossxml.VersioningConfiguration{Status: rq.b.Versioning})
}

// listObjectVersions answers ListObjectVersions: a page of versions and
// delete markers, keys in byte order and each key's versions newest
// first, with key-marker, version-id-marker, prefix, delimiter, max-keys
// and encoding-type.
func (s *Server) listObjectVersions(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	opts, enc, err := listParams(rq, "key-marker")
	if err != nil {
		return err
	}
	vm := rq.query.Get("version-id-marker")
	if vm != "" && opts.After == "" {
		return invalidArgument("version-id-marker", vm, "A version-id-marker needs a key-marker.")
	}
	page, err := s.store.ListVersions(ctx, rq.bucket, store.ListVersionsOptions{
		Prefix: opts.Prefix, Delimiter: opts.Delimiter, KeyMarker: opts.After, VersionIDMarker: vm, Max: opts.Max,
	})
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListVersionsResult{
		Name: rq.bucket, Prefix: opts.Prefix, KeyMarker: opts.After, VersionIDMarker: vm, MaxKeys: opts.Max,
		Delimiter: opts.Delimiter, IsTruncated: page.Truncated, CommonPrefixes: prefixes(page.CommonPrefixes),
		NextKeyMarker: page.NextKeyMarker, NextVersionIDMarker: page.NextVersionIDMarker,
		Versions: make([]ossxml.ObjectVersion, 0, len(page.Versions)),
	}
	owner := ownerOf(rq.b.Owner)
	now := s.cfg.Now()
	for _, o := range page.Versions {
		if o.DeleteMarker {
			res.DeleteMarkers = append(res.DeleteMarkers, ossxml.DeleteMarkerEntry{
				Key: o.Key, VersionID: o.VersionID, IsLatest: o.IsLatest, LastModified: ossxml.Time{Time: o.Modified}, Owner: &owner,
			})
			continue
		}
		res.Versions = append(res.Versions, ossxml.ObjectVersion{
			Key: o.Key, VersionID: o.VersionID, IsLatest: o.IsLatest, LastModified: ossxml.Time{Time: o.Modified},
			ETag: quoteETag(o.ETag), Type: o.Type, Size: o.Size, StorageClass: storageClass(o.Meta), Owner: &owner,
			RestoreInfo: restoreInfo(o.Restore, now),
		})
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

// currentOnly refuses a versionId other than the current version's, for
// the operations that act on a key's current object alone.
func (s *Server) currentOnly(ctx context.Context, rq *request) error {
	version, err := versionParam(rq)
	if err != nil || version == "" {
		return err
	}
	obj, err := s.store.HeadObject(ctx, rq.bucket, rq.key)
	if err != nil {
		return storeError(err, rq)
	}
	return notCurrent(obj, version)
}

// notCurrent refuses version (empty: whatever is current) when obj, the
// current object, is not that version.
func notCurrent(obj store.Object, version string) error {
	if version == "" || obj.VersionID == version || version == nullVersion && obj.VersionID == "" {
		return nil
	}
	return invalidArgument("versionId", version, "This operation applies to the current version of the object only.")
}
