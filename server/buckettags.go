package server

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Bucket tags (PutBucketTags, GetBucketTags, DeleteBucketTags, and
// ListBuckets filtered by tag-key and tag-value) are kept as the bucket's
// configuration document bucketTagsConfig: the tags as a JSON object.

const bucketTagsConfig = "tags"

// OSS's limits on bucket tags: 20 tags, keys of 1 to 64 bytes that do not
// start with http://, https:// or Aliyun, values of up to 128 bytes, all
// UTF-8.
const (
	maxBucketTags        = 20
	maxBucketTagKeyLen   = 64
	maxBucketTagValueLen = 128
)

// checkBucketTags applies OSS's limits to a bucket's tag set.
func checkBucketTags(tags map[string]string) error {
	if len(tags) > maxBucketTags {
		return invalidTag("A bucket cannot have more than 20 tags.")
	}
	for k, v := range tags {
		lower := strings.ToLower(k)
		switch {
		case k == "" || len(k) > maxBucketTagKeyLen || !utf8.ValidString(k):
			return invalidTag("The tag key must be 1 to 64 bytes of UTF-8.")
		case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "aliyun"):
			return invalidTag("The tag key must not start with http://, https:// or Aliyun.")
		case len(v) > maxBucketTagValueLen || !utf8.ValidString(v):
			return invalidTag("The tag value must be at most 128 bytes of UTF-8.")
		}
	}
	return nil
}

// bucketTags returns bucket's tags, none when it has none.
func (s *Server) bucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	doc, err := s.store.GetBucketConfig(ctx, bucket, bucketTagsConfig)
	if errors.Is(err, store.ErrNoSuchConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if err := json.Unmarshal(doc, &tags); err != nil {
		return nil, err
	}
	return tags, nil
}

// putBucketTags answers PutBucketTags: the body's tag set replaces the
// bucket's.
func (s *Server) putBucketTags(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	tags, err := s.readTagSet(w, r)
	if err != nil {
		return err
	}
	if err := checkBucketTags(tags); err != nil {
		return err
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	if err := s.store.PutBucketConfig(ctx, rq.bucket, bucketTagsConfig, b); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketTags answers GetBucketTags: the tags in key order, an empty
// TagSet for a bucket without tags.
func (s *Server) getBucketTags(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	tags, err := s.bucketTags(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	var doc ossxml.Tagging
	doc.TagSet.Tags = []ossxml.Tag{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		doc.TagSet.Tags = append(doc.TagSet.Tags, ossxml.Tag{Key: k, Value: tags[k]})
	}
	return writeXML(w, &doc)
}

// deleteBucketTags answers DeleteBucketTags: every tag, or with
// ?tagging=k1,k2 those keys; a bucket without them answers 204 too.
func (s *Server) deleteBucketTags(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	keys := rq.query.Get("tagging")
	if keys == "" {
		if err := s.store.DeleteBucketConfig(ctx, rq.bucket, bucketTagsConfig); err != nil && !errors.Is(err, store.ErrNoSuchConfig) {
			return storeError(err, rq)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	tags, err := s.bucketTags(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	for k := range strings.SplitSeq(keys, ",") {
		delete(tags, k)
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	if err := s.store.PutBucketConfig(ctx, rq.bucket, bucketTagsConfig, b); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tagFilter is ListBuckets' tag-key and tag-value: a bucket is listed
// when it has the key (with the value, when one is given).
func (s *Server) tagFilter(ctx context.Context, rq *request) (func(store.Bucket) (bool, error), error) {
	key, value := rq.query.Get("tag-key"), rq.query.Get("tag-value")
	if key == "" && value != "" {
		return nil, invalidArgument("tag-value", value, "tag-value needs tag-key.")
	}
	if key == "" {
		return func(store.Bucket) (bool, error) { return true, nil }, nil
	}
	return func(b store.Bucket) (bool, error) {
		tags, err := s.bucketTags(ctx, b.Name)
		if err != nil {
			return false, err
		}
		v, ok := tags[key]
		return ok && (value == "" || v == value), nil
	}, nil
}
