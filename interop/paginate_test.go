package interop

import (
	"slices"
	"strconv"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestV2Paginators walks listings with the v2 SDK's own paginators, which
// follow the markers and tokens the server returns.
func TestV2Paginators(t *testing.T) {
	forVariants(t, ofSDK(2), func(t *testing.T, f *fixture, client sdkClient, v variant) {
		ctx := t.Context()
		c := client.(*v2Client)
		bucket := "paginate"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		for i, key := range listKeys {
			if _, err := c.Put(ctx, bucket, key, []byte(strconv.Itoa(i)), putOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		wantObj, wantPre := wantListing(listKeys, "", "/")

		var gotObj, gotPre []string
		p1 := c.c.NewListObjectsPaginator(&v2.ListObjectsRequest{Bucket: &bucket, Delimiter: v2.Ptr("/")}, func(o *v2.PaginatorOptions) { o.Limit = 2 })
		for p1.HasNext() {
			page, err := p1.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListObjects paginator: %v", err)
			}
			gotObj = append(gotObj, keysOf(v2Objects(page.Contents))...)
			gotPre = append(gotPre, v2Prefixes(page.CommonPrefixes)...)
		}
		if !slices.Equal(gotObj, wantObj) || !slices.Equal(gotPre, wantPre) {
			t.Errorf("ListObjects paginator: %q %q, want %q %q", gotObj, gotPre, wantObj, wantPre)
		}

		gotObj, gotPre = nil, nil
		p2 := c.c.NewListObjectsV2Paginator(&v2.ListObjectsV2Request{Bucket: &bucket, Delimiter: v2.Ptr("/")}, func(o *v2.PaginatorOptions) { o.Limit = 2 })
		for p2.HasNext() {
			page, err := p2.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListObjectsV2 paginator: %v", err)
			}
			gotObj = append(gotObj, keysOf(v2Objects(page.Contents))...)
			gotPre = append(gotPre, v2Prefixes(page.CommonPrefixes)...)
		}
		if !slices.Equal(gotObj, wantObj) || !slices.Equal(gotPre, wantPre) {
			t.Errorf("ListObjectsV2 paginator: %q %q, want %q %q", gotObj, gotPre, wantObj, wantPre)
		}

		const key = "paged/parts"
		id, err := c.Initiate(ctx, bucket, key, putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		for n := 1; n <= 7; n++ {
			if _, err := c.UploadPart(ctx, bucket, key, id, n*3, []byte(strconv.Itoa(n))); err != nil {
				t.Fatal(err)
			}
			want = append(want, int32(n*3))
		}
		var got []int32
		p3 := c.c.NewListPartsPaginator(&v2.ListPartsRequest{Bucket: &bucket, Key: v2.Ptr(key), UploadId: &id}, func(o *v2.PaginatorOptions) { o.Limit = 3 })
		for p3.HasNext() {
			page, err := p3.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListParts paginator: %v", err)
			}
			for _, p := range page.Parts {
				got = append(got, p.PartNumber)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListParts paginator: parts %v, want %v", got, want)
		}

		ids := []string{id}
		for range 4 {
			id, err := c.Initiate(ctx, bucket, key, putOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		var gotIDs []string
		p4 := c.c.NewListMultipartUploadsPaginator(&v2.ListMultipartUploadsRequest{Bucket: &bucket}, func(o *v2.PaginatorOptions) { o.Limit = 2 })
		for p4.HasNext() {
			page, err := p4.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListMultipartUploads paginator: %v", err)
			}
			for _, u := range page.Uploads {
				gotIDs = append(gotIDs, v2.ToString(u.UploadId))
			}
		}
		if slices.Sort(gotIDs); !slices.Equal(gotIDs, slices.Sorted(slices.Values(ids))) {
			t.Errorf("ListMultipartUploads paginator: %q, want %q", gotIDs, ids)
		}
	})
}
