package server

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// OSS's limits on object tags; key and value lengths count characters.
const (
	maxTags        = limits.MaxObjectTags
	maxTagKeyLen   = limits.MaxTagKeyLength
	maxTagValueLen = limits.MaxTagValueLength
)

func invalidTag(msg string) error { return newError(ossxml.CodeInvalidTag, msg) }

// checkTags applies OSS's limits to a tag set.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidTag("Object tags cannot be greater than 10.")
	}
	for k, v := range tags {
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyLen || !utf8.ValidString(k):
			return invalidTag("The TagKey you have provided is invalid: it must have 1 to 128 characters.")
		case utf8.RuneCountInString(v) > maxTagValueLen || !utf8.ValidString(v):
			return invalidTag("The TagValue you have provided is invalid: it must have at most 256 characters.")
		}
	}
	return nil
}

// taggingHeader reads x-oss-tagging (URL query form, k1=v1&k2=v2): nil
// when absent.
func taggingHeader(r *http.Request) (map[string]string, error) {
	v := r.Header.Get("x-oss-tagging")
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, invalidTag("The x-oss-tagging header is not in the form k1=v1&k2=v2.")
	}
	tags := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, invalidTag("Cannot provide multiple Tags with the same key.")
		}
		tags[k] = vs[0]
	}
	return tags, checkTags(tags)
}

// readTagSet reads a Tagging body, as PutObjectTagging and PutBucketTags
// send it, into a map; a key given twice is refused.
func (s *Server) readTagSet(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	var doc ossxml.Tagging
	ok, err := s.readXML(w, r, &doc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, newError(ossxml.CodeMalformedXML, "")
	}
	tags := make(map[string]string, len(doc.TagSet.Tags))
	for _, t := range doc.TagSet.Tags {
		if _, dup := tags[t.Key]; dup {
			return nil, invalidTag("Cannot provide multiple Tags with the same key.")
		}
		tags[t.Key] = t.Value
	}
	return tags, nil
}

// putObjectTagging answers PutObjectTagging: the body's tag set replaces
// the object's, its data and modification time untouched.
func (s *Server) putObjectTagging(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	tags, err := s.readTagSet(w, r)
	if err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	if err := s.store.SetObjectTags(ctx, rq.bucket, rq.key, version, tags); err != nil {
		return storeError(err, rq)
	}
	if version != "" {
		w.Header().Set("x-oss-version-id", version)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectTagging answers GetObjectTagging: the tags in key order (an
// empty TagSet for an object without tags).
func (s *Server) getObjectTagging(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	obj, err := s.store.HeadVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return versionedError(w, err, obj, rq)
	}
	setVersionHeaders(w.Header(), obj)
	var doc ossxml.Tagging
	doc.TagSet.Tags = []ossxml.Tag{}
	for _, k := range slices.Sorted(maps.Keys(obj.Meta.Tags)) {
		doc.TagSet.Tags = append(doc.TagSet.Tags, ossxml.Tag{Key: k, Value: obj.Meta.Tags[k]})
	}
	return writeXML(w, &doc)
}

// deleteObjectTagging answers DeleteObjectTagging.
func (s *Server) deleteObjectTagging(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	if err := s.store.SetObjectTags(ctx, rq.bucket, rq.key, version, nil); err != nil {
		return storeError(err, rq)
	}
	if version != "" {
		w.Header().Set("x-oss-version-id", version)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setTagCount sets x-oss-tagging-count, which GET and HEAD send for a tagged
// object.
func setTagCount(h http.Header, o store.Object) {
	if n := len(o.Meta.Tags); n > 0 {
		h.Set("x-oss-tagging-count", strconv.Itoa(n))
	}
}
