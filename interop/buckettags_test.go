package interop

import (
	"context"
	"fmt"
	"maps"
	"net/http"
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

// TestBucketReferer sets hotlink protection through both SDKs (V1 and
// V4) and checks that the server applies it to anonymous GETs.
func TestBucketReferer(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "hotlink"
		if err := c.CreateBucket(ctx, bucket, "public-read"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, bucket, "pic", []byte("picture"), putOptions{}); err != nil {
			t.Fatal(err)
		}
		allow, deny := []string{"https://ok.example.com"}, []string{"https://ok.example.com/private"}
		var gotAllow, gotDeny []string
		var gotEmpty bool
		switch c := c.(type) {
		case *v1Client:
			if err := c.c.SetBucketRefererV2(bucket, v1.RefererXML{AllowEmptyReferer: false, RefererList: allow, RefererBlacklist: &v1.RefererBlacklist{Referer: deny}}, v1.WithContext(ctx)); err != nil {
				t.Fatal(err)
			}
			res, err := c.c.GetBucketReferer(bucket, v1.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			gotAllow, gotEmpty = res.RefererList, res.AllowEmptyReferer
			if res.RefererBlacklist != nil {
				gotDeny = res.RefererBlacklist.Referer
			}
		case *v2Client:
			_, err := c.c.PutBucketReferer(ctx, &v2.PutBucketRefererRequest{Bucket: v2.Ptr(bucket), RefererConfiguration: &v2.RefererConfiguration{
				AllowEmptyReferer: v2.Ptr(false), RefererList: &v2.RefererList{Referers: allow}, RefererBlacklist: &v2.RefererBlacklist{Referers: deny}}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.c.GetBucketReferer(ctx, &v2.GetBucketRefererRequest{Bucket: v2.Ptr(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			rc := res.RefererConfiguration
			gotEmpty = v2.ToBool(rc.AllowEmptyReferer)
			if rc.RefererList != nil {
				gotAllow = rc.RefererList.Referers
			}
			if rc.RefererBlacklist != nil {
				gotDeny = rc.RefererBlacklist.Referers
			}
		}
		if gotEmpty || !slices.Equal(gotAllow, allow) || !slices.Equal(gotDeny, deny) {
			t.Errorf("read back: empty %v, allow %v, deny %v", gotEmpty, gotAllow, gotDeny)
		}
		for ref, want := range map[string]int{"https://ok.example.com/page": 200, "https://other.example.com/": 403, "https://ok.example.com/private/x": 403, "": 403} {
			req, _ := http.NewRequestWithContext(ctx, "GET", f.url+"/"+bucket+"/pic", nil)
			req.Header.Set(probeHeader, "referer")
			if ref != "" {
				req.Header.Set("Referer", ref)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("anonymous GET with Referer %q: %d, want %d", ref, resp.StatusCode, want)
			}
		}
	})
}
