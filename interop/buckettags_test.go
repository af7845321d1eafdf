package interop

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// bucketTags returns a bucket's tags through c.
func bucketTags(ctx context.Context, c sdkClient, bucket string) (map[string]string, error) {
	out := map[string]string{}
	switch c := c.(type) {
	case *v1Client:
		res, err := c.c.GetBucketTagging(bucket, v1.WithContext(ctx))
		for _, tg := range res.Tags {
			out[tg.Key] = tg.Value
		}
		return out, err
	case *v2Client:
		res, err := c.c.GetBucketTags(ctx, &v2.GetBucketTagsRequest{Bucket: &bucket})
		if err != nil {
			return nil, err
		}
		if res.Tagging != nil && res.Tagging.TagSet != nil {
			for _, tg := range res.Tagging.TagSet.Tags {
				out[v2.ToString(tg.Key)] = v2.ToString(tg.Value)
			}
		}
		return out, nil
	}
	panic("unknown SDK client")
}

// TestBucketTags puts, reads and deletes bucket tags (all, and by key)
// through both SDKs, each signing with V1 and with V4.
func TestBucketTags(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "bucket-tags"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		tags := map[string]string{"env": "prod", "team": "storage", "empty": ""}
		var err error
		switch c := c.(type) {
		case *v1Client:
			err = c.c.SetBucketTagging(bucket, v1Tagging(tags), v1.WithContext(ctx))
		case *v2Client:
			set := &v2.TagSet{}
			for _, k := range slices.Sorted(maps.Keys(tags)) {
				set.Tags = append(set.Tags, v2.Tag{Key: v2.Ptr(k), Value: v2.Ptr(tags[k])})
			}
			_, err = c.c.PutBucketTags(ctx, &v2.PutBucketTagsRequest{Bucket: v2.Ptr(bucket), Tagging: &v2.Tagging{TagSet: set}})
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, err := bucketTags(ctx, c, bucket); err != nil || !maps.Equal(got, tags) {
			t.Fatalf("tags = %v, %v; want %v", got, err, tags)
		}
		switch c := c.(type) {
		case *v1Client:
			err = c.c.DeleteBucketTagging(bucket, v1.AddParam("tagging", "team,absent"), v1.WithContext(ctx))
		case *v2Client:
			_, err = c.c.DeleteBucketTags(ctx, &v2.DeleteBucketTagsRequest{Bucket: v2.Ptr(bucket), Tagging: v2.Ptr("team,absent")})
		}
		if err != nil {
			t.Fatal(err)
		}
		delete(tags, "team")
		if got, err := bucketTags(ctx, c, bucket); err != nil || !maps.Equal(got, tags) {
			t.Fatalf("tags after deleting team = %v, %v; want %v", got, err, tags)
		}
		switch c := c.(type) {
		case *v1Client:
			err = c.c.DeleteBucketTagging(bucket, v1.WithContext(ctx))
		case *v2Client:
			_, err = c.c.DeleteBucketTags(ctx, &v2.DeleteBucketTagsRequest{Bucket: v2.Ptr(bucket)})
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, err := bucketTags(ctx, c, bucket); err != nil || len(got) != 0 {
			t.Errorf("tags after deleting all = %v, %v", got, err)
		}
	})
}

// TestBucketStat reads a bucket's counts through both SDKs, each signing
// with V1 and with V4.
func TestBucketStat(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "bucket-stat"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		for i, n := range []int{10, 2000, 300} {
			if _, err := c.Put(ctx, bucket, fmt.Sprint("obj-", i), randomData(n, uint64(i)), putOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var storage, objects int64
		switch c := c.(type) {
		case *v1Client:
			st, err := c.c.GetBucketStat(bucket, v1.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			storage, objects = st.Storage, st.ObjectCount
		case *v2Client:
			st, err := c.c.GetBucketStat(ctx, &v2.GetBucketStatRequest{Bucket: v2.Ptr(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			storage, objects = st.Storage, st.ObjectCount
		}
		if storage != 2310 || objects != 3 {
			t.Errorf("GetBucketStat: %d bytes in %d objects, want 2310 in 3", storage, objects)
		}
	})
}
