package interop

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// v1Tagging is tags as the v1 SDK takes them, in key order.
func v1Tagging(tags map[string]string) v1.Tagging {
	var t v1.Tagging
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		t.Tags = append(t.Tags, v1.Tag{Key: k, Value: tags[k]})
	}
	return t
}

// taggingHeader is tags in the form x-oss-tagging takes, k1=v1&k2=v2,
// each part URL-encoded: the v2 SDK sends its Tagging field as given.
func taggingHeader(tags map[string]string) *string {
	if len(tags) == 0 {
		return nil
	}
	q := url.Values{}
	for k, v := range tags {
		q.Set(k, v)
	}
	return v2.Ptr(q.Encode())
}

// putTagged uploads data with PutObject and x-oss-tagging.
func putTagged(ctx context.Context, c sdkClient, bucket, key string, data []byte, tags map[string]string) error {
	switch c := c.(type) {
	case *v1Client:
		return c.bucket(bucket).PutObject(key, bytes.NewReader(data), v1.SetTagging(v1Tagging(tags)), v1.WithContext(ctx))
	case *v2Client:
		_, err := c.c.PutObject(ctx, &v2.PutObjectRequest{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data), Tagging: taggingHeader(tags)})
		return err
	}
	panic("unknown SDK client")
}

// setTags is PutObjectTagging.
func setTags(ctx context.Context, c sdkClient, bucket, key string, tags map[string]string) error {
	switch c := c.(type) {
	case *v1Client:
		return c.bucket(bucket).PutObjectTagging(key, v1Tagging(tags), v1.WithContext(ctx))
	case *v2Client:
		set := &v2.TagSet{}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			set.Tags = append(set.Tags, v2.Tag{Key: v2.Ptr(k), Value: v2.Ptr(tags[k])})
		}
		_, err := c.c.PutObjectTagging(ctx, &v2.PutObjectTaggingRequest{Bucket: &bucket, Key: &key, Tagging: &v2.Tagging{TagSet: set}})
		return err
	}
	panic("unknown SDK client")
}

// getTags is GetObjectTagging.
func getTags(ctx context.Context, c sdkClient, bucket, key string) (map[string]string, error) {
	tags := map[string]string{}
	switch c := c.(type) {
	case *v1Client:
		res, err := c.bucket(bucket).GetObjectTagging(key, v1.WithContext(ctx))
		for _, t := range res.Tags {
			tags[t.Key] = t.Value
		}
		return tags, err
	case *v2Client:
		res, err := c.c.GetObjectTagging(ctx, &v2.GetObjectTaggingRequest{Bucket: &bucket, Key: &key})
		if err != nil {
			return nil, err
		}
		for _, t := range res.Tags {
			tags[v2.ToString(t.Key)] = v2.ToString(t.Value)
		}
		return tags, nil
	}
	panic("unknown SDK client")
}

// deleteTags is DeleteObjectTagging.
func deleteTags(ctx context.Context, c sdkClient, bucket, key string) error {
	switch c := c.(type) {
	case *v1Client:
		return c.bucket(bucket).DeleteObjectTagging(key, v1.WithContext(ctx))
	case *v2Client:
		_, err := c.c.DeleteObjectTagging(ctx, &v2.DeleteObjectTaggingRequest{Bucket: &bucket, Key: &key})
		return err
	}
	panic("unknown SDK client")
}

// tagCount is the x-oss-tagging-count a HEAD reports (0 when absent).
func tagCount(ctx context.Context, c sdkClient, bucket, key string) (int, error) {
	switch c := c.(type) {
	case *v1Client:
		h, err := c.bucket(bucket).GetObjectDetailedMeta(key, v1.WithContext(ctx))
		if err != nil || h.Get("x-oss-tagging-count") == "" {
			return 0, err
		}
		return strconv.Atoi(h.Get("x-oss-tagging-count"))
	case *v2Client:
		res, err := c.c.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: &bucket, Key: &key})
		if err != nil {
			return 0, err
		}
		return int(res.TaggingCount), nil
	}
	panic("unknown SDK client")
}

// wantTags fails the test unless bucket/key has exactly tags, by
// GetObjectTagging and by the count HEAD reports.
func wantTags(t *testing.T, c sdkClient, bucket, key string, want map[string]string) {
	t.Helper()
	got, err := getTags(t.Context(), c, bucket, key)
	if err != nil {
		t.Fatalf("GetObjectTagging %s: %v", key, err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("GetObjectTagging %s: got %q, want %q", key, got, want)
	}
	n, err := tagCount(t.Context(), c, bucket, key)
	if err != nil {
		t.Fatalf("HeadObject %s: %v", key, err)
	}
	if n != len(want) {
		t.Errorf("HeadObject %s: x-oss-tagging-count %d, want %d", key, n, len(want))
	}
}

func TestObjectTagging(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "tags", "tagged/объект 1+1.txt"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := randomData(64<<10, 11)
		first := map[string]string{"project": "ossup interop", "owner": "Zoë & co=1", "标签": "值 +%", "empty": ""}
		if err := putTagged(ctx, c, bucket, key, data, first); err != nil {
			t.Fatalf("PutObject with x-oss-tagging: %v", err)
		}
		wantTags(t, c, bucket, key, first)
		before, err := c.Head(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}

		second := map[string]string{"stage": "two"}
		if err := setTags(ctx, c, bucket, key, second); err != nil {
			t.Fatalf("PutObjectTagging: %v", err)
		}
		wantTags(t, c, bucket, key, second)
		after, err := c.Head(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		if after.ETag != before.ETag || after.CRC64 != before.CRC64 {
			t.Errorf("PutObjectTagging changed the object: ETag %s → %s, CRC-64 %s → %s", before.ETag, after.ETag, before.CRC64, after.CRC64)
		}

		if err := deleteTags(ctx, c, bucket, key); err != nil {
			t.Fatalf("DeleteObjectTagging: %v", err)
		}
		wantTags(t, c, bucket, key, map[string]string{})
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "object after tagging calls", got, data)

		_, err = getTags(ctx, c, bucket, "no such key")
		wantCode(t, "GetObjectTagging of a missing key", err, http.StatusNotFound, "NoSuchKey")
		err = setTags(ctx, c, bucket, "no such key", second)
		wantCode(t, "PutObjectTagging of a missing key", err, http.StatusNotFound, "NoSuchKey")
	})
}

// tagsN returns n distinct tags.
func tagsN(n int) map[string]string {
	tags := map[string]string{}
	for i := range n {
		tags["k"+strconv.Itoa(i)] = "v"
	}
	return tags
}

// TestObjectTaggingLimits checks OSS's limits on a tag set: at most 10
// tags, keys of 1 to 128 characters, values of at most 256 (characters,
// not bytes), through PutObjectTagging and through x-oss-tagging.
func TestObjectTaggingLimits(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "taglimits", "limited"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		data := []byte("limited data")
		if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
			t.Fatal(err)
		}
		largest := map[string]string{strings.Repeat("é", 128): strings.Repeat("界", 256)}
		accepted := []struct {
			name string
			tags map[string]string
		}{{"10 tags", tagsN(10)}, {"128-character key, 256-character value", largest}}
		for _, a := range accepted {
			name, tags := a.name, a.tags
			if err := setTags(ctx, c, bucket, key, tags); err != nil {
				t.Fatalf("PutObjectTagging with %s: %v", name, err)
			}
			wantTags(t, c, bucket, key, tags)
			if err := putTagged(ctx, c, bucket, key+" "+name, data, tags); err != nil {
				t.Fatalf("PutObject with %s: %v", name, err)
			}
			wantTags(t, c, bucket, key+" "+name, tags)
		}

		kept := largest // the last accepted
		tooMany := map[string]map[string]string{
			"11 tags":                 tagsN(11),
			"a 129-character key":     {strings.Repeat("é", 129): "v"},
			"a 257-character value":   {"k": strings.Repeat("界", 257)},
			"a tag with an empty key": {"": "v"},
		}
		for name, tags := range tooMany {
			err := setTags(ctx, c, bucket, key, tags)
			wantCode(t, "PutObjectTagging with "+name, err, http.StatusBadRequest, "InvalidTag")
			wantTags(t, c, bucket, key, kept)
			if name == "a tag with an empty key" {
				continue // x-oss-tagging cannot carry it: "=v" would not name a key
			}
			err = putTagged(ctx, c, bucket, "refused "+name, data, tags)
			wantCode(t, "PutObject with "+name, err, http.StatusBadRequest, "InvalidTag")
			if ok, err := c.ObjectExists(ctx, bucket, "refused "+name); ok || err != nil {
				t.Errorf("PutObject with %s: object exists = %v, %v", name, ok, err)
			}
		}
	})
}

// TestMultipartTagging gives a multipart upload its tags at
// InitiateMultipartUpload; the completed object carries them.
func TestMultipartTagging(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, key = "mptags", "multi/part tagged"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		tags := map[string]string{"kind": "multi part", "n": "2"}
		var id string
		switch c := c.(type) {
		case *v1Client:
			res, err := c.bucket(bucket).InitiateMultipartUpload(key, v1.SetTagging(v1Tagging(tags)), v1.WithContext(ctx))
			if err != nil {
				t.Fatalf("InitiateMultipartUpload: %v", err)
			}
			id = res.UploadID
		case *v2Client:
			res, err := c.c.InitiateMultipartUpload(ctx, &v2.InitiateMultipartUploadRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), Tagging: taggingHeader(tags)})
			if err != nil {
				t.Fatalf("InitiateMultipartUpload: %v", err)
			}
			id = v2.ToString(res.UploadId)
		}
		data := randomData(2*minPart+17, 12)
		parts := uploadParts(t, c, bucket, key, id, split(data, minPart))
		if _, err := c.Complete(ctx, bucket, key, id, parts); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		wantTags(t, c, bucket, key, tags)
		got, err := c.Get(ctx, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "tagged multipart object", got, data)
	})
}

// TestTaggingOnAppendAndSymlink gives tags with x-oss-tagging to the first
// AppendObject and to PutSymlink. The v2 SDK's PutSymlinkRequest has no
// Tagging field: the header goes in RequestCommon.Headers.
func TestTaggingOnAppendAndSymlink(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "moretags"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		appendTags, linkTags := map[string]string{"made by": "append"}, map[string]string{"made by": "symlink", "x": "1"}
		first, second := []byte("first append "), []byte("second append")
		switch c := c.(type) {
		case *v1Client:
			b := c.bucket(bucket)
			next, err := b.AppendObject("appended", bytes.NewReader(first), 0, v1.SetTagging(v1Tagging(appendTags)), v1.WithContext(ctx))
			if err != nil {
				t.Fatalf("AppendObject with x-oss-tagging: %v", err)
			}
			if _, err := b.AppendObject("appended", bytes.NewReader(second), next, v1.WithContext(ctx)); err != nil {
				t.Fatal(err)
			}
			if err := b.PutSymlink("link", "appended", v1.SetTagging(v1Tagging(linkTags)), v1.WithContext(ctx)); err != nil {
				t.Fatalf("PutSymlink with x-oss-tagging: %v", err)
			}
		case *v2Client:
			res, err := c.c.AppendObject(ctx, &v2.AppendObjectRequest{
				Bucket: v2.Ptr(bucket), Key: v2.Ptr("appended"), Position: v2.Ptr(int64(0)), Body: bytes.NewReader(first), Tagging: taggingHeader(appendTags),
			})
			if err != nil {
				t.Fatalf("AppendObject with x-oss-tagging: %v", err)
			}
			if _, err := c.c.AppendObject(ctx, &v2.AppendObjectRequest{
				Bucket: v2.Ptr(bucket), Key: v2.Ptr("appended"), Position: &res.NextPosition, Body: bytes.NewReader(second),
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.c.PutSymlink(ctx, &v2.PutSymlinkRequest{
				Bucket: v2.Ptr(bucket), Key: v2.Ptr("link"), Target: v2.Ptr("appended"),
				RequestCommon: v2.RequestCommon{Headers: map[string]string{"x-oss-tagging": *taggingHeader(linkTags)}},
			}); err != nil {
				t.Fatalf("PutSymlink with x-oss-tagging: %v", err)
			}
		}
		wantTags(t, c, bucket, "appended", appendTags)
		// GetObjectTagging of a link reads the link's own tags.
		got, err := getTags(ctx, c, bucket, "link")
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, linkTags) {
			t.Errorf("GetObjectTagging of the link: %q, want %q", got, linkTags)
		}
		body, err := c.Get(ctx, bucket, "link")
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "appended object through the link", body, append(first, second...))
	})
}
