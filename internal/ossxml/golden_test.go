package ossxml

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.xml from the current Marshal output")

var (
	created  = Time{time.Date(2014, 2, 17, 18, 12, 43, 0, time.UTC)}
	modified = Time{time.Date(2012, 2, 24, 8, 43, 7, 123e6, time.UTC)}
	owner    = Owner{ID: "1234567890123456", DisplayName: "1234567890123456"}
	days     = 3
	thirty   = 30
	ninety   = 90
)

// samples returns one populated value of every body type, keyed by the
// golden file name.
func samples() []struct {
	name string
	v    any
} {
	return []struct {
		name string
		v    any
	}{
		{"Error", &Error{
			Code: CodeNoSuchKey, Message: "The specified key does not exist.",
			RequestID: "5C3D9175B6FC201293AD****", HostID: "examplebucket.oss-cn-hangzhou.aliyuncs.com",
			Key: "dir/a b&c.txt", EC: "0026-00000001",
			RecommendDoc: "https://api.aliyun.com/troubleshoot?q=0026-00000001",
		}},
		{"ListAllMyBucketsResult", &ListAllMyBucketsResult{
			Prefix: "my", MaxKeys: 1, IsTruncated: true, NextMarker: "mybucket", Owner: owner,
			Buckets: []BucketSummary{{
				CreationDate: created, ExtranetEndpoint: "oss-cn-hangzhou.aliyuncs.com",
				IntranetEndpoint: "oss-cn-hangzhou-internal.aliyuncs.com", Location: "oss-cn-hangzhou",
				Name: "mybucket", Region: "cn-hangzhou", StorageClass: "Standard",
			}},
		}},
		{"CreateBucketConfiguration", &CreateBucketConfiguration{StorageClass: "Standard", DataRedundancyType: "LRS"}},
		{"BucketInfo", &BucketInfo{Bucket: BucketDetail{
			Name: "mybucket", CreationDate: created, Location: "oss-cn-hangzhou",
			ExtranetEndpoint: "oss-cn-hangzhou.aliyuncs.com", IntranetEndpoint: "oss-cn-hangzhou-internal.aliyuncs.com",
			StorageClass: "Standard", DataRedundancyType: "LRS", Owner: owner,
			AccessControlList: AccessControlList{Grant: "private"},
			AccessMonitor:     "Disabled", TransferAcceleration: "Disabled", CrossRegionReplication: "Disabled",
			ResourceGroupID:          "rg-aek27tc",
			ServerSideEncryptionRule: ServerSideEncryptionRule{SSEAlgorithm: "None"},
		}}},
		{"AccessControlPolicy", &AccessControlPolicy{Owner: owner, AccessControlList: AccessControlList{Grant: "public-read"}}},
		{"LocationConstraint", &LocationConstraint{Location: "oss-cn-hangzhou"}},
		{"ListBucketResult", &ListBucketResult{
			Name: "mybucket", Prefix: "fun/", Marker: "", MaxKeys: 100, Delimiter: "/",
			IsTruncated: true, NextMarker: "fun/test.jpg",
			Contents: []ObjectSummary{{
				Key: "fun/test.jpg", LastModified: modified, ETag: `"5B3C1A2E053D763E1B002CC607C5A0FE"`,
				Type: "Normal", Size: 344606, StorageClass: "Standard", Owner: &owner,
			}},
			CommonPrefixes: []CommonPrefix{{Prefix: "fun/movie/"}, {Prefix: "fun/music/"}},
		}},
		{"ListBucketV2Result", &ListBucketV2Result{
			Name: "mybucket", Prefix: "a", StartAfter: "a0", ContinuationToken: "YTE", MaxKeys: 2,
			Delimiter: "/", IsTruncated: true, NextContinuationToken: "YTM", KeyCount: 2,
			Contents: []ObjectSummary{{
				Key: "a1", LastModified: modified, ETag: `"D41D8CD98F00B204E9800998ECF8427E"`,
				Type: "Multipart", Size: 0, StorageClass: "IA", RestoreInfo: `ongoing-request="true"`,
			}},
			CommonPrefixes: []CommonPrefix{{Prefix: "a2/"}},
		}},
		{"Delete", &Delete{Quiet: true, Objects: []DeleteObject{{Key: "a.txt"}, {Key: "b/c.txt", VersionID: "CAEQNRiBgICEoPiC0BYiIGMxZWJmYmMzYjE0OTQ0ZmZhYjgzNzkzYjc2NjZk****"}}}},
		{"DeleteResult", &DeleteResult{Deleted: []DeletedObject{
			{Key: "a.txt"},
			{Key: "b.txt", VersionID: "v1", DeleteMarker: true, DeleteMarkerVersionID: "v2"},
		}}},
		{"LifecycleConfiguration", &LifecycleConfiguration{Rules: []LifecycleRule{
			{ID: "tmp", Prefix: "tmp/", Status: "Enabled", AbortMultipartUpload: &LifecycleAbortMultipartUpload{Days: &days}},
			{Prefix: "", Status: "Disabled", AbortMultipartUpload: &LifecycleAbortMultipartUpload{CreatedBeforeDate: "2002-10-11T00:00:00.000Z"}},
			{ID: "logs", Prefix: "logs/", Status: "Enabled",
				Tags:       []Tag{{Key: "env", Value: "dev"}},
				Filter:     &LifecycleFilter{Not: []LifecycleNot{{Prefix: "logs/keep/"}, {Prefix: "logs/pin", Tag: &Tag{Key: "pin", Value: "yes"}}}},
				Expiration: &LifecycleExpiration{Days: &ninety},
				Transitions: []LifecycleTransition{
					{Days: &thirty, StorageClass: "IA"},
					{CreatedBeforeDate: "2002-10-11T00:00:00.000Z", StorageClass: "Archive"},
				}},
			{ID: "dated", Prefix: "d/", Status: "Enabled", Expiration: &LifecycleExpiration{Date: "2002-10-11T00:00:00.000Z"}},
		}}},
		{"InitiateMultipartUploadResult", &InitiateMultipartUploadResult{Bucket: "mybucket", Key: "big/file.bin", UploadID: "0004B9894A22E5B1888A1E29F823****"}},
		{"CompleteMultipartUpload", &CompleteMultipartUpload{Parts: []CompletePart{
			{PartNumber: 1, ETag: `"3349DC700140D7F86A0784842780****"`},
			{PartNumber: 5, ETag: `"8EFDA8BE206636A695359836FE0A****"`},
		}}},
		{"CompleteMultipartUploadResult", &CompleteMultipartUploadResult{
			Location: "http://mybucket.oss-cn-hangzhou.aliyuncs.com/big/file.bin", Bucket: "mybucket",
			Key: "big/file.bin", ETag: `"D61C888EBCF511ED359C889EA667B677-2"`,
		}},
		{"ListPartsResult", &ListPartsResult{
			Bucket: "mybucket", Key: "big/file.bin", UploadID: "0004B999EF5A239BB9138C6227D6****",
			StorageClass: "Standard", PartNumberMarker: 0, NextPartNumberMarker: 2, MaxParts: 1000,
			Parts: []PartSummary{
				{PartNumber: 1, LastModified: modified, ETag: `"302D3A0C8E319EAA95B059B346DE1D1D"`, HashCRC64: 12696911168479852064, Size: 102400},
				{PartNumber: 2, LastModified: modified, ETag: `"92EB5FFEE6AE2FEC3AD71C777531578F"`, HashCRC64: 8406248661285262385, Size: 1},
			},
		}},
		{"ListMultipartUploadsResult", &ListMultipartUploadsResult{
			Bucket: "mybucket", NextKeyMarker: "obj2", NextUploadIDMarker: "0004B99B8E707874FC2D692FA5D7****",
			Delimiter: "/", MaxUploads: 2, IsTruncated: true,
			Uploads: []UploadSummary{
				{Key: "obj1", UploadID: "0004B999EF518A1FE585B0C9360D****", Initiated: created},
				{Key: "obj2", UploadID: "0004B99B8E707874FC2D692FA5D7****", Initiated: modified, StorageClass: "Standard"},
			},
			CommonPrefixes: []CommonPrefix{{Prefix: "dir/"}},
		}},
		{"CopyPartResult", &CopyPartResult{LastModified: modified, ETag: `"5B3C1A2E053D763E1B002CC607C5A0FE"`}},
	}
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".xml") }

func TestGolden(t *testing.T) {
	for _, tt := range samples() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			path := goldenPath(tt.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal mismatch with %s\ngot:  %s\nwant: %s", path, got, want)
			}

			decoded := reflect.New(reflect.TypeOf(tt.v).Elem())
			if err := Unmarshal(want, decoded.Interface()); err != nil {
				t.Fatalf("Unmarshal(%s): %v", path, err)
			}
			if !reflect.DeepEqual(decoded.Interface(), tt.v) {
				t.Errorf("Unmarshal(%s) round trip\ngot:  %+v\nwant: %+v", path, decoded.Interface(), tt.v)
			}
		})
	}
}

// TestGoldenRootNames pins the root element of every golden file to the one
// the protocol requires (v1 SDK structs fail on a mismatch).
func TestGoldenRootNames(t *testing.T) {
	wantRoot := map[string]string{"ListBucketV2Result": "ListBucketResult"}
	for _, tt := range samples() {
		want := tt.name
		if r, ok := wantRoot[tt.name]; ok {
			want = r
		}
		got, err := Marshal(tt.v)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		prefix := xmlProlog + "<" + want + ">"
		if !bytes.HasPrefix(got, []byte(prefix)) {
			t.Errorf("%s: output starts %.80q, want prefix %q", tt.name, got, prefix)
		}
		if r, ok := tt.v.(rooted); !ok || r.rootName() != want {
			t.Errorf("%s: rootName() = %v, want %q", tt.name, r, want)
		}
	}
}

const xmlProlog = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
