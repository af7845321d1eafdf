package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// versionEntry is one entry of a version listing, version or delete
// marker.
type versionEntry struct {
	key, version   string
	latest, marker bool
}

// deletedEntry is one entry of a DeleteMultipleObjects answer.
type deletedEntry struct {
	key, version  string
	marker        bool
	markerVersion string
}

// versioner is what the versioning test asks of each SDK, done the way
// that SDK's users do it.
type versioner interface {
	setVersioning(ctx context.Context, bucket, status string) error
	versioning(ctx context.Context, bucket string) (string, error)
	putVersion(ctx context.Context, bucket, key string, data []byte) (string, error)
	getVersion(ctx context.Context, bucket, key, version string) ([]byte, error)
	// deleteKey deletes key without a version and reports the marker.
	deleteKey(ctx context.Context, bucket, key string) (marker bool, version string, err error)
	// listVersions lists every version and marker, maxKeys a page, in
	// the order a listing gives them.
	listVersions(ctx context.Context, bucket string, maxKeys int) ([]versionEntry, error)
	deleteVersions(ctx context.Context, bucket string, objs []versionEntry) ([]deletedEntry, error)
	// deleteAllVersions is the SDK's own "empty a versioned bucket"
	// pattern.
	deleteAllVersions(ctx context.Context, bucket string) error
}

func (c *v1Client) setVersioning(ctx context.Context, bucket, status string) error {
	return c.c.SetBucketVersioning(bucket, v1.VersioningConfig{Status: status}, v1.WithContext(ctx))
}

func (c *v1Client) versioning(ctx context.Context, bucket string) (string, error) {
	res, err := c.c.GetBucketVersioning(bucket, v1.WithContext(ctx))
	return res.Status, err
}

func (c *v1Client) putVersion(ctx context.Context, bucket, key string, data []byte) (string, error) {
	var h http.Header
	err := c.bucket(bucket).PutObject(key, bytes.NewReader(data), v1.GetResponseHeader(&h), v1.WithContext(ctx))
	return v1.GetVersionId(h), err
}

func (c *v1Client) getVersion(ctx context.Context, bucket, key, version string) ([]byte, error) {
	body, err := c.bucket(bucket).GetObject(key, v1.VersionId(version), v1.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

func (c *v1Client) deleteKey(ctx context.Context, bucket, key string) (bool, string, error) {
	var h http.Header
	err := c.bucket(bucket).DeleteObject(key, v1.GetResponseHeader(&h), v1.WithContext(ctx))
	return v1.GetDeleteMark(h), v1.GetVersionId(h), err
}

// listVersions follows NextKeyMarker and NextVersionIdMarker by hand, as
// v1 users must.
func (c *v1Client) listVersions(ctx context.Context, bucket string, maxKeys int) ([]versionEntry, error) {
	var out []versionEntry
	opts := []v1.Option{v1.MaxKeys(maxKeys), v1.WithContext(ctx)}
	for range 1000 {
		res, err := c.bucket(bucket).ListObjectVersions(opts...)
		if err != nil {
			return nil, err
		}
		for _, v := range res.ObjectVersions {
			out = append(out, versionEntry{v.Key, v.VersionId, v.IsLatest, false})
		}
		for _, m := range res.ObjectDeleteMarkers {
			out = append(out, versionEntry{m.Key, m.VersionId, m.IsLatest, true})
		}
		if !res.IsTruncated {
			return out, nil
		}
		opts = []v1.Option{v1.MaxKeys(maxKeys), v1.KeyMarker(res.NextKeyMarker), v1.VersionIdMarker(res.NextVersionIdMarker), v1.WithContext(ctx)}
	}
	return nil, fmt.Errorf("listing does not end")
}

func (c *v1Client) deleteVersions(ctx context.Context, bucket string, objs []versionEntry) ([]deletedEntry, error) {
	var del []v1.DeleteObject
	for _, o := range objs {
		del = append(del, v1.DeleteObject{Key: o.key, VersionId: o.version})
	}
	res, err := c.bucket(bucket).DeleteObjectVersions(del, v1.WithContext(ctx))
	var out []deletedEntry
	for _, d := range res.DeletedObjectsDetail {
		out = append(out, deletedEntry{key: d.Key, version: d.VersionId, marker: d.DeleteMarker, markerVersion: d.DeleteMarkerVersionId})
	}
	return out, err
}

// deleteAllVersions is the v1 SDK's ForceDeleteBucket (its
// client_test.go): list a page of versions, delete each marker and
// each version by id, follow the markers.
func (c *v1Client) deleteAllVersions(ctx context.Context, bucket string) error {
	b := c.bucket(bucket)
	opts := []v1.Option{v1.KeyMarker(""), v1.VersionIdMarker(""), v1.WithContext(ctx)}
	for {
		lor, err := b.ListObjectVersions(opts...)
		if err != nil {
			return err
		}
		for _, o := range lor.ObjectDeleteMarkers {
			if err := b.DeleteObject(o.Key, v1.VersionId(o.VersionId), v1.WithContext(ctx)); err != nil {
				return err
			}
		}
		for _, o := range lor.ObjectVersions {
			if err := b.DeleteObject(o.Key, v1.VersionId(o.VersionId), v1.WithContext(ctx)); err != nil {
				return err
			}
		}
		if !lor.IsTruncated {
			return nil
		}
		opts = []v1.Option{v1.KeyMarker(lor.NextKeyMarker), v1.VersionIdMarker(lor.NextVersionIdMarker), v1.WithContext(ctx)}
	}
}

func (c *v2Client) setVersioning(ctx context.Context, bucket, status string) error {
	_, err := c.c.PutBucketVersioning(ctx, &v2.PutBucketVersioningRequest{Bucket: v2.Ptr(bucket),
		VersioningConfiguration: &v2.VersioningConfiguration{Status: v2.VersioningStatusType(status)}})
	return err
}

func (c *v2Client) versioning(ctx context.Context, bucket string) (string, error) {
	res, err := c.c.GetBucketVersioning(ctx, &v2.GetBucketVersioningRequest{Bucket: v2.Ptr(bucket)})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.VersionStatus), nil
}

func (c *v2Client) putVersion(ctx context.Context, bucket, key string, data []byte) (string, error) {
	res, err := c.c.PutObject(ctx, &v2.PutObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), Body: bytes.NewReader(data)})
	if err != nil {
		return "", err
	}
	return v2.ToString(res.VersionId), nil
}

func (c *v2Client) getVersion(ctx context.Context, bucket, key, version string) ([]byte, error) {
	res, err := c.c.GetObject(ctx, &v2.GetObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), VersionId: v2.Ptr(version)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if got := v2.ToString(res.VersionId); got != version {
		return nil, fmt.Errorf("GetObject answered version %q, asked for %q", got, version)
	}
	return io.ReadAll(res.Body)
}

func (c *v2Client) deleteKey(ctx context.Context, bucket, key string) (bool, string, error) {
	res, err := c.c.DeleteObject(ctx, &v2.DeleteObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key)})
	if err != nil {
		return false, "", err
	}
	return res.DeleteMarker, v2.ToString(res.VersionId), nil
}

// listVersions uses the paginator with IsMix, which keeps versions and
// markers in the order the service sent them.
func (c *v2Client) listVersions(ctx context.Context, bucket string, maxKeys int) ([]versionEntry, error) {
	var out []versionEntry
	p := c.c.NewListObjectVersionsPaginator(&v2.ListObjectVersionsRequest{Bucket: v2.Ptr(bucket), MaxKeys: int32(maxKeys), IsMix: true})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		if len(page.ObjectVersions)+len(page.ObjectDeleteMarkers) != 0 {
			return nil, fmt.Errorf("IsMix page with %d versions and %d markers apart", len(page.ObjectVersions), len(page.ObjectDeleteMarkers))
		}
		for _, o := range page.ObjectVersionsDeleteMarkers {
			out = append(out, versionEntry{v2.ToString(o.Key), v2.ToString(o.VersionId), o.IsLatest, o.IsDeleteMarker()})
		}
	}
	return out, nil
}

func (c *v2Client) deleteVersions(ctx context.Context, bucket string, objs []versionEntry) ([]deletedEntry, error) {
	del := &v2.Delete{}
	for _, o := range objs {
		d := v2.ObjectIdentifier{Key: v2.Ptr(o.key)}
		if o.version != "" {
			d.VersionId = v2.Ptr(o.version)
		}
		del.Objects = append(del.Objects, d)
	}
	res, err := c.c.DeleteMultipleObjects(ctx, &v2.DeleteMultipleObjectsRequest{Bucket: v2.Ptr(bucket), Delete: del})
	if err != nil {
		return nil, err
	}
	var out []deletedEntry
	for _, d := range res.DeletedObjects {
		out = append(out, deletedEntry{key: v2.ToString(d.Key), version: v2.ToString(d.VersionId), marker: d.DeleteMarker, markerVersion: v2.ToString(d.DeleteMarkerVersionId)})
	}
	return out, nil
}

// deleteAllVersions is the v2 SDK's cleanup in its integration tests:
// each page of the version paginator, versions and markers, deleted by
// key and version id in one DeleteMultipleObjects.
func (c *v2Client) deleteAllVersions(ctx context.Context, bucket string) error {
	p := c.c.NewListObjectVersionsPaginator(&v2.ListObjectVersionsRequest{Bucket: v2.Ptr(bucket)})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		var objs []v2.DeleteObject
		for _, o := range page.ObjectVersions {
			objs = append(objs, v2.DeleteObject{Key: o.Key, VersionId: o.VersionId})
		}
		for _, o := range page.ObjectDeleteMarkers {
			objs = append(objs, v2.DeleteObject{Key: o.Key, VersionId: o.VersionId})
		}
		if len(objs) == 0 {
			continue
		}
		if _, err := c.c.DeleteMultipleObjects(ctx, &v2.DeleteMultipleObjectsRequest{Bucket: v2.Ptr(bucket), Objects: objs}); err != nil {
			return err
		}
	}
	return nil
}

// TestVersioningSDK drives a versioned bucket through both SDKs, each
// signing with V1 and with V4: versions by id, delete markers, the
// version listing page by page, version deletes in a batch, and the
// SDK's own cleanup, after which the bucket can be deleted.
func TestVersioningSDK(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		vc := c.(versioner)
		const bucket = "versioned"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		if err := vc.setVersioning(ctx, bucket, "Enabled"); err != nil {
			t.Fatal(err)
		}
		if got, err := vc.versioning(ctx, bucket); err != nil || got != "Enabled" {
			t.Fatalf("versioning = %q, %v", got, err)
		}
		one, two := randomData(1000, 1), randomData(3000, 2)
		v1ID, err1 := vc.putVersion(ctx, bucket, "k", one)
		v2ID, err2 := vc.putVersion(ctx, bucket, "k", two)
		if err1 != nil || err2 != nil || v1ID == "" || v2ID == "" || v1ID == v2ID {
			t.Fatalf("two puts: versions %q %q, %v %v", v1ID, v2ID, err1, err2)
		}
		for _, tt := range []struct {
			id   string
			want []byte
		}{{v1ID, one}, {v2ID, two}} {
			got, err := vc.getVersion(ctx, bucket, "k", tt.id)
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "version "+tt.id, got, tt.want)
		}
		marker, markerID, err := vc.deleteKey(ctx, bucket, "k")
		if err != nil || !marker || markerID == "" {
			t.Fatalf("delete = marker %v version %q, %v; want a delete marker", marker, markerID, err)
		}
		if _, err := c.Head(ctx, bucket, "k"); err == nil {
			t.Error("the deleted key still answers HEAD")
		}
		if _, err := vc.putVersion(ctx, bucket, "other", []byte("o")); err != nil {
			t.Fatal(err)
		}

		got, err := vc.listVersions(ctx, bucket, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := []versionEntry{{"k", markerID, true, true}, {"k", v2ID, false, false}, {"k", v1ID, false, false}, {"other", "", true, false}}
		if len(got) == len(want) {
			want[3].version = got[3].version
		}
		if !slices.Equal(got, want) {
			t.Errorf("versions, one a page:\ngot  %v\nwant %v", got, want)
		}

		res, err := vc.deleteVersions(ctx, bucket, []versionEntry{{key: "k", version: v1ID}, {key: "k", version: markerID}, {key: "other"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 {
			t.Fatalf("DeleteMultipleObjects answered %+v", res)
		}
		for _, d := range res {
			switch {
			case d.key == "other" && (!d.marker || d.markerVersion == ""):
				t.Errorf("other, no version: %+v, want a new delete marker", d)
			case d.key == "k" && d.version == markerID && (!d.marker || d.markerVersion != markerID):
				t.Errorf("k's marker: %+v, want it reported as a marker", d)
			case d.key == "k" && d.version == v1ID && d.marker:
				t.Errorf("k's first version: %+v, not a marker", d)
			case d.key == "k" && d.version != v1ID && d.version != markerID:
				t.Errorf("k: %+v names a version not asked for", d)
			}
		}
		// The marker gone, k's current version is v2 again.
		if got, err := c.Get(ctx, bucket, "k"); err != nil {
			t.Errorf("k after removing its marker: %v", err)
		} else {
			sameBytes(t, "k after removing its marker", got, two)
		}

		if err := vc.deleteAllVersions(ctx, bucket); err != nil {
			t.Fatal(err)
		}
		if left, err := vc.listVersions(ctx, bucket, 100); err != nil || len(left) != 0 {
			t.Fatalf("after the cleanup: %v, %v", left, err)
		}
		if err := c.DeleteBucket(ctx, bucket); err != nil {
			t.Errorf("DeleteBucket after the cleanup: %v", err)
		}
	})
}

// TestAWSSDKVersioning drives versioning through the S3 dialect with
// aws-sdk-go-v2: PutBucketVersioning, the VersionId PutObject answers,
// GetObject and HeadObject by VersionId, the delete marker DeleteObject
// reports, and ListObjectVersions with its paginator, versions and
// DeleteMarkers apart.
func TestAWSSDKVersioning(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := awsClient(f, accessKeySecret)
	bucket := aws.String("aws-versions")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket}); err != nil || got.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning = %+v, %v", got, err)
	}
	key := aws.String("k")
	data := [][]byte{randomData(1000, 1), randomData(2000, 2)}
	var ids []string
	for _, d := range data {
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(d)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(put.VersionId))
	}
	if ids[0] == "" || ids[0] == ids[1] {
		t.Fatalf("PutObject version ids %q", ids)
	}
	for i, id := range ids {
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(get.Body)
		get.Body.Close()
		if err != nil || aws.ToString(get.VersionId) != id {
			t.Fatalf("GetObject %s: version %q, %v", id, aws.ToString(get.VersionId), err)
		}
		sameBytes(t, "version "+id, got, data[i])
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(id)})
		if err != nil || aws.ToString(head.VersionId) != id || aws.ToInt64(head.ContentLength) != int64(len(data[i])) {
			t.Errorf("HeadObject %s = %+v, %v", id, head, err)
		}
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key})
	if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
		t.Fatalf("DeleteObject = %+v, %v; want a delete marker", del, err)
	}
	marker := aws.ToString(del.VersionId)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key}); err == nil {
		t.Error("HEAD of the deleted key succeeded")
	}

	type entry struct {
		version        string
		latest, marker bool
	}
	var got []entry
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: bucket, MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			got = append(got, entry{aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), false})
		}
		for _, m := range page.DeleteMarkers {
			got = append(got, entry{aws.ToString(m.VersionId), aws.ToBool(m.IsLatest), true})
		}
	}
	if want := []entry{{marker, true, true}, {ids[1], false, false}, {ids[0], false, false}}; !slices.Equal(got, want) {
		t.Errorf("ListObjectVersions, one a page:\ngot  %v\nwant %v", got, want)
	}

	objs := []types.ObjectIdentifier{{Key: key, VersionId: aws.String(marker)}, {Key: key, VersionId: aws.String(ids[0])}, {Key: key, VersionId: aws.String(ids[1])}}
	res, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: objs}})
	if err != nil || len(res.Deleted) != 3 || len(res.Errors) != 0 {
		t.Fatalf("DeleteObjects by version = %+v, %v", res, err)
	}
	for _, d := range res.Deleted {
		if isMarker := aws.ToString(d.VersionId) == marker; aws.ToBool(d.DeleteMarker) != isMarker {
			t.Errorf("deleted %s: DeleteMarker %v", aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker))
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket}); err != nil {
		t.Errorf("DeleteBucket with every version gone: %v", err)
	}
}
