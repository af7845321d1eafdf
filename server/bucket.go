package server

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

var cannedACLs = map[string]bool{"private": true, "public-read": true, "public-read-write": true}

var storageClasses = map[string]bool{"Standard": true, "IA": true, "Archive": true, "ColdArchive": true, "DeepColdArchive": true}

// parseMax reads a page-size parameter: def when absent, at most 1000
// (larger values are capped, as OSS does), InvalidArgument when not a
// non-negative integer.
func parseMax(rq *request, name string, def int) (int, error) {
	v := rq.query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument(name, v, "The "+name+" parameter must be an integer between 0 and 1000.")
	}
	return min(n, 1000), nil
}

// encodingURL reports whether encoding-type=url was asked for; any other
// value is InvalidArgument.
func encodingURL(rq *request) (bool, error) {
	switch v := rq.query.Get("encoding-type"); v {
	case "":
		return false, nil
	case ossxml.EncodingURL:
		return true, nil
	default:
		e := invalidArgument("encoding-type", v, ossxml.MessageInvalidEncodingType)
		e.body.EC = ossxml.ECInvalidEncodingType
		return false, e
	}
}

// defaultResourceGroup is the ID OSS gives the default resource group,
// which every bucket is in until PutBucketResourceGroup moves it.
const defaultResourceGroup = "rg-default-id"

func (s *Server) location() string { return "oss-" + s.cfg.Region }

func (s *Server) listBuckets(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	max, err := parseMax(rq, "max-keys", 100)
	if err != nil {
		return err
	}
	prefix, marker := rq.query.Get("prefix"), rq.query.Get("marker")
	// A store holds at most store.MaxBuckets buckets, so one page of
	// store.MaxList holds them all; the caller sees its own.
	all, _, err := s.store.ListBuckets(ctx, prefix, marker, store.MaxList)
	if err != nil {
		return err
	}
	keep, err := s.tagFilter(ctx, rq)
	if err != nil {
		return err
	}
	var buckets []store.Bucket
	truncated := false
	for _, b := range all {
		if b.Owner != rq.account {
			continue
		}
		if ok, err := keep(b); err != nil {
			return err
		} else if !ok {
			continue
		}
		if len(buckets) == max {
			truncated = true
			break
		}
		buckets = append(buckets, b)
	}
	res := ossxml.ListAllMyBucketsResult{Owner: ownerOf(rq.account), Prefix: prefix, Marker: marker, IsTruncated: truncated}
	if rq.has("max-keys") {
		res.MaxKeys = max
	}
	for _, b := range buckets {
		res.Buckets = append(res.Buckets, ossxml.BucketSummary{
			CreationDate: ossxml.Time{Time: b.Created}, Name: b.Name, Location: s.location(), Region: s.cfg.Region,
			ExtranetEndpoint: r.Host, IntranetEndpoint: r.Host, StorageClass: b.StorageClass,
		})
	}
	if truncated && len(buckets) > 0 {
		res.NextMarker = buckets[len(buckets)-1].Name
	}
	return writeXML(w, &res)
}

func aclHeader(r *http.Request, name string) (string, error) {
	acl := r.Header.Get(name)
	if acl != "" && !cannedACLs[acl] {
		return "", invalidArgument(name, acl, "The ACL must be private, public-read or public-read-write.")
	}
	return acl, nil
}

func (s *Server) putBucket(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	acl, err := aclHeader(r, "x-oss-acl")
	if err != nil {
		return err
	}
	var conf ossxml.CreateBucketConfiguration
	if _, err := s.readXML(w, r, &conf); err != nil {
		return err
	}
	b := store.Bucket{Name: rq.bucket, Owner: rq.account, ACL: acl, StorageClass: conf.StorageClass, DataRedundancyType: conf.DataRedundancyType}
	// Re-creating an existing bucket keeps what the request leaves unsaid.
	if old, err := s.store.GetBucket(ctx, rq.bucket); err == nil {
		if old.Owner != rq.account {
			e := newError(ossxml.CodeBucketAlreadyExists, "The requested bucket name is not available: another account owns it.")
			e.body.BucketName = rq.bucket
			return e
		}
		b.ACL = cmp.Or(b.ACL, old.ACL)
		b.StorageClass = cmp.Or(b.StorageClass, old.StorageClass)
		b.DataRedundancyType = cmp.Or(b.DataRedundancyType, old.DataRedundancyType)
	}
	b.StorageClass = cmp.Or(b.StorageClass, "Standard")
	if !storageClasses[b.StorageClass] {
		return invalidArgument("StorageClass", b.StorageClass, "The storage class is not valid.")
	}
	switch b.DataRedundancyType {
	case "":
		b.DataRedundancyType = "LRS"
	case "LRS", "ZRS":
	default:
		return invalidArgument("DataRedundancyType", b.DataRedundancyType, "The data redundancy type must be LRS or ZRS.")
	}
	b.ACL = cmp.Or(b.ACL, "private")
	if _, err := s.store.CreateBucket(ctx, b); err != nil {
		return storeError(err, rq)
	}
	w.Header().Set("Location", "/"+rq.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) putBucketACL(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	acl, err := aclHeader(r, "x-oss-acl")
	if err != nil {
		return err
	}
	if acl == "" && rq.s3 {
		return s3GrantsRefused()
	}
	if acl == "" {
		return invalidArgument("x-oss-acl", "", "The x-oss-acl header is required.")
	}
	if err := s.store.SetBucketACL(ctx, rq.bucket, acl); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getBucketACL(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	b, err := s.store.GetBucket(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	if rq.s3 {
		return writeS3ACL(w, b.Owner, b.ACL, b.ACL)
	}
	return writeXML(w, &ossxml.AccessControlPolicy{Owner: ownerOf(b.Owner), AccessControlList: ossxml.AccessControlList{Grant: b.ACL}})
}

func (s *Server) getBucketInfo(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	b, err := s.store.GetBucket(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	st, err := s.confStates(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	return writeXML(w, &ossxml.BucketInfo{Bucket: ossxml.BucketDetail{
		Name: b.Name, CreationDate: ossxml.Time{Time: b.Created}, Location: s.location(),
		ExtranetEndpoint: r.Host, IntranetEndpoint: r.Host,
		StorageClass: b.StorageClass, DataRedundancyType: b.DataRedundancyType,
		Owner: ownerOf(b.Owner), AccessControlList: ossxml.AccessControlList{Grant: b.ACL},
		AccessMonitor: st.accessMonitor, TransferAcceleration: st.acceleration, CrossRegionReplication: st.replication,
		ResourceGroupID:          st.resourceGroup,
		ServerSideEncryptionRule: ossxml.ServerSideEncryptionRule{SSEAlgorithm: "None"},
	}})
}

func (s *Server) getBucketLocation(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if _, err := s.store.GetBucket(ctx, rq.bucket); err != nil {
		return storeError(err, rq)
	}
	loc := s.location()
	if requestDialect(r) == dialectS3 {
		// S3 clients sign with the region the location names.
		loc = s.cfg.Region
	}
	return writeXML(w, &ossxml.LocationConstraint{Location: loc})
}

func (s *Server) headBucket(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if _, err := s.store.GetBucket(ctx, rq.bucket); err != nil {
		return storeError(err, rq)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteBucket(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.store.DeleteBucket(ctx, rq.bucket); err != nil {
		return storeError(err, rq)
	}
	s.policies.forget(rq.bucket)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func summaries(objs []store.Object, withOwner bool, account string, now time.Time) []ossxml.ObjectSummary {
	out := make([]ossxml.ObjectSummary, 0, len(objs))
	for _, o := range objs {
		sum := ossxml.ObjectSummary{
			Key: o.Key, LastModified: ossxml.Time{Time: o.Modified}, ETag: quoteETag(o.ETag),
			Type: o.Type, Size: o.Size, StorageClass: storageClass(o.Meta), RestoreInfo: restoreInfo(o.Restore, now),
		}
		if withOwner {
			o := ownerOf(account)
			sum.Owner = &o
		}
		out = append(out, sum)
	}
	return out
}

func prefixes(ps []string) []ossxml.CommonPrefix {
	out := make([]ossxml.CommonPrefix, 0, len(ps))
	for _, p := range ps {
		out = append(out, ossxml.CommonPrefix{Prefix: p})
	}
	return out
}

func storageClass(m store.Metadata) string {
	if m.StorageClass == "" {
		return "Standard"
	}
	return m.StorageClass
}

// listParams reads what both object listings take: max-keys,
// encoding-type, prefix, delimiter and the start marker, which the
// parameter named after holds.
func listParams(rq *request, after string) (store.ListOptions, bool, error) {
	max, err := parseMax(rq, "max-keys", 100)
	if err != nil {
		return store.ListOptions{}, false, err
	}
	enc, err := encodingURL(rq)
	if err != nil {
		return store.ListOptions{}, false, err
	}
	q := rq.query
	return store.ListOptions{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), After: q.Get(after), Max: max}, enc, nil
}

// listObjectsAny answers GetBucket: ListObjectsV2 with list-type=2, else
// ListObjects.
func (s *Server) listObjectsAny(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.query.Get("list-type") == "2" {
		return s.listObjectsV2(ctx, w, r, rq)
	}
	return s.listObjects(ctx, w, r, rq)
}

func (s *Server) listObjects(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	opts, enc, err := listParams(rq, "marker")
	if err != nil {
		return err
	}
	max := opts.Max
	page, err := s.store.ListObjects(ctx, rq.bucket, opts)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListBucketResult{
		Name: rq.bucket, Prefix: opts.Prefix, Marker: opts.After, MaxKeys: max, Delimiter: opts.Delimiter,
		IsTruncated: page.Truncated, Contents: summaries(page.Objects, true, rq.b.Owner, s.cfg.Now()), CommonPrefixes: prefixes(page.CommonPrefixes),
	}
	if page.Truncated {
		res.NextMarker = page.Next
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

func (s *Server) listObjectsV2(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	opts, enc, err := listParams(rq, "start-after")
	if err != nil {
		return err
	}
	q, max := rq.query, opts.Max
	token := q.Get("continuation-token")
	if token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return invalidArgument("continuation-token", token, "The continuation token is not valid.")
		}
		opts.After = string(after)
	}
	page, err := s.store.ListObjects(ctx, rq.bucket, opts)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListBucketV2Result{
		Name: rq.bucket, Prefix: opts.Prefix, StartAfter: q.Get("start-after"), ContinuationToken: token,
		MaxKeys: max, Delimiter: opts.Delimiter, IsTruncated: page.Truncated,
		KeyCount: len(page.Objects) + len(page.CommonPrefixes),
		Contents: summaries(page.Objects, q.Get("fetch-owner") == "true", rq.b.Owner, s.cfg.Now()), CommonPrefixes: prefixes(page.CommonPrefixes),
	}
	if page.Truncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.Next))
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}
