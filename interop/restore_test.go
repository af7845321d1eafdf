package interop

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossup/ossup/server"
)

// restoreVia asks c's SDK to restore bucket/key for days at tier (empty:
// no tier sent).
func restoreVia(ctx context.Context, c sdkClient, bucket, key string, days int, tier string) error {
	switch c := c.(type) {
	case *v1Client:
		b := c.bucket(bucket)
		if tier == "" {
			return b.RestoreObject(key, v1.WithContext(ctx))
		}
		return b.RestoreObjectDetail(key, v1.RestoreConfiguration{Days: int32(days), Tier: tier}, v1.WithContext(ctx))
	case *v2Client:
		req := &v2.RestoreObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key), RestoreRequest: &v2.RestoreRequest{Days: int32(days)}}
		if tier != "" {
			req.RestoreRequest.JobParameters = &v2.JobParameters{Tier: v2.Ptr(tier)}
		}
		_, err := c.c.RestoreObject(ctx, req)
		return err
	}
	panic("unknown SDK client")
}

// restoreHeader is x-oss-restore as c's SDK reports it from a HEAD.
func restoreHeader(ctx context.Context, t *testing.T, c sdkClient, bucket, key string) string {
	t.Helper()
	switch c := c.(type) {
	case *v1Client:
		h, err := c.bucket(bucket).GetObjectDetailedMeta(key, v1.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		return h.Get("X-Oss-Restore")
	case *v2Client:
		res, err := c.c.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key)})
		if err != nil {
			t.Fatal(err)
		}
		return v2.ToString(res.Restore)
	}
	panic("unknown SDK client")
}

// TestArchiveRestore puts Archive and ColdArchive objects through both
// SDKs, reads them (403 InvalidObjectState, as the SDKs' error types
// report it), restores them with the SDKs' RestoreObject (Archive without
// a body, ColdArchive with Days and a tier), sees a second restore refused
// with 409 RestoreAlreadyInProgress and HEAD report the restore under
// way, then moves the server's clock past the restore and reads them
// back. Nothing sleeps.
func TestArchiveRestore(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			var offset atomic.Int64
			f := newFixtureWith(t, func(c *server.Config) {
				c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
				c.RestoreDelay, c.ColdRestoreDelay = time.Second, 4*time.Second
			})
			c := v.client(t, f)
			ctx := t.Context()
			const bucket = "archive-restore"
			if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
				t.Fatal(err)
			}
			data := randomData(1000, 7)
			for _, class := range []string{"Archive", "ColdArchive"} {
				if _, err := c.Put(ctx, bucket, class, data, putOptions{StorageClass: class}); err != nil {
					t.Fatal(err)
				}
				if m, err := c.Head(ctx, bucket, class); err != nil || m.StorageClass != class {
					t.Fatalf("HEAD %s: %+v, %v", class, m, err)
				}
				_, err := c.Get(ctx, bucket, class)
				wantCode(t, "GET "+class+" before restore", err, http.StatusForbidden, "InvalidObjectState")
			}
			if err := restoreVia(ctx, c, bucket, "Archive", 0, ""); err != nil {
				t.Fatalf("restore Archive: %v", err)
			}
			if err := restoreVia(ctx, c, bucket, "ColdArchive", 2, "Expedited"); err != nil {
				t.Fatalf("restore ColdArchive: %v", err)
			}
			err := restoreVia(ctx, c, bucket, "Archive", 0, "")
			wantCode(t, "second restore", err, http.StatusConflict, "RestoreAlreadyInProgress")
			for _, class := range []string{"Archive", "ColdArchive"} {
				if got := restoreHeader(ctx, t, c, bucket, class); got != `ongoing-request="true"` {
					t.Errorf("%s x-oss-restore while restoring: %q", class, got)
				}
			}

			offset.Store(int64(2 * time.Second)) // Archive 1 s, ColdArchive Expedited 2 s
			for _, class := range []string{"Archive", "ColdArchive"} {
				got, err := c.Get(ctx, bucket, class)
				if err != nil {
					t.Fatalf("GET %s once restored: %v", class, err)
				}
				sameBytes(t, class, got, data)
				if h := restoreHeader(ctx, t, c, bucket, class); !strings.HasPrefix(h, `ongoing-request="false", expiry-date="`) {
					t.Errorf("%s x-oss-restore once restored: %q", class, h)
				}
			}
			// A restored object restores again: 200, which both SDKs take.
			if err := restoreVia(ctx, c, bucket, "Archive", 0, ""); err != nil {
				t.Errorf("restore of a restored object: %v", err)
			}
			// A Standard object is not restored.
			if _, err := c.Put(ctx, bucket, "plain", data, putOptions{}); err != nil {
				t.Fatal(err)
			}
			err = restoreVia(ctx, c, bucket, "plain", 0, "")
			wantCode(t, "restore of a Standard object", err, http.StatusBadRequest, "OperationNotSupported")
			v.checkSchemes(t, f)
		})
	}
}
