package server

import (
	"context"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
)

// Buckets here have never been versioned, so every object is its own one
// version, the "null" version: ListObjectVersions lists each as that
// version (the latest), GetBucketVersioning reports no status, and
// versionId=null names the object in GET, HEAD and DELETE. SDK test
// harnesses list versions to clean up; this answers them.

// nullVersion is the version id of an object of an unversioned bucket.
const nullVersion = "null"

// checkVersionID accepts a request without versionId or with the null
// version's.
func checkVersionID(rq *request) error {
	if v, ok := rq.query["versionId"]; ok && (len(v) != 1 || v[0] != nullVersion) {
		e := newError(ossxml.CodeNoSuchVersion, "")
		e.body.Key = rq.key
		return e
	}
	return nil
}

// listObjectVersions answers ListObjectVersions: every object as its
// null version, with key-marker, prefix, delimiter, max-keys and
// encoding-type as ListObjects takes them. A version-id-marker can only
// name the null version, so the listing goes on after key-marker.
func (s *Server) listObjectVersions(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	opts, enc, err := listParams(rq, "key-marker")
	if err != nil {
		return err
	}
	vm := rq.query.Get("version-id-marker")
	if vm != "" && opts.After == "" {
		return invalidArgument("version-id-marker", vm, "A version-id-marker needs a key-marker.")
	}
	page, err := s.store.ListObjects(ctx, rq.bucket, opts)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListVersionsResult{
		Name: rq.bucket, Prefix: opts.Prefix, KeyMarker: opts.After, VersionIDMarker: vm, MaxKeys: opts.Max,
		Delimiter: opts.Delimiter, IsTruncated: page.Truncated, CommonPrefixes: prefixes(page.CommonPrefixes),
		Versions: make([]ossxml.ObjectVersion, 0, len(page.Objects)),
	}
	owner := ownerOf(rq.b.Owner)
	now := s.cfg.Now()
	for _, o := range page.Objects {
		res.Versions = append(res.Versions, ossxml.ObjectVersion{
			Key: o.Key, VersionID: nullVersion, IsLatest: true, LastModified: ossxml.Time{Time: o.Modified},
			ETag: quoteETag(o.ETag), Type: o.Type, Size: o.Size, StorageClass: storageClass(o.Meta), Owner: &owner,
			RestoreInfo: restoreInfo(o.Restore, now),
		})
	}
	if page.Truncated {
		res.NextKeyMarker = page.Next
		if len(page.Objects) > 0 && page.Objects[len(page.Objects)-1].Key == page.Next {
			res.NextVersionIDMarker = nullVersion
		}
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

// getBucketVersioning answers GetBucketVersioning: no status, as for a
// bucket whose versioning was never enabled.
func (s *Server) getBucketVersioning(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	return writeXML(w, &ossxml.VersioningConfiguration{})
}
