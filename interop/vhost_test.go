package interop

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestVirtualHostedStyle addresses the server by host name, so both SDKs
// put the bucket in the host ("<bucket>.oss-test.localhost") instead of the
// path. Every connection goes to the loopback server whatever the name.
func TestVirtualHostedStyle(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, _ sdkClient, v variant) {
		ctx := t.Context()
		_, port, err := net.SplitHostPort(f.addr)
		if err != nil {
			t.Fatal(err)
		}
		hc := &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, f.addr)
			},
		}}
		t.Cleanup(hc.CloseIdleConnections)
		c := v.clientFor(t, "http://"+virtualBase+":"+port, hc)

		const bucket = "vhost"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatalf("CreateBucket: %v", err)
		}
		if names, err := c.ListBuckets(ctx, ""); err != nil || !slices.Equal(names, []string{bucket}) {
			t.Fatalf("ListBuckets = %q, %v", names, err)
		}
		if info, err := c.BucketInfo(ctx, bucket); err != nil || info.Name != bucket {
			t.Fatalf("GetBucketInfo = %+v, %v", info, err)
		}
		keys := []string{"a//b", "dir/", "dir/x y+z", "中文.txt", "vhost/inner"}
		for i, key := range keys {
			data := randomData(1000*i, uint64(i))
			if _, err := c.Put(ctx, bucket, key, data, putOptions{}); err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
			got, err := c.Get(ctx, bucket, key)
			if err != nil {
				t.Fatalf("GetObject %q: %v", key, err)
			}
			sameBytes(t, "GetObject "+key, got, data)
		}
		page, err := c.ListV2(ctx, bucket, listQuery{Delimiter: "/", Max: 100})
		if err != nil || !slices.Equal(keysOf(page.Objects), []string{"中文.txt"}) || !slices.Equal(page.Prefixes, []string{"a/", "dir/", "vhost/"}) {
			t.Errorf("ListObjectsV2 delimiter / = %q %q, %v", keysOf(page.Objects), page.Prefixes, err)
		}

		id, err := c.Initiate(ctx, bucket, "multi/part", putOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data := randomData(minPart+5, 9)
		parts := uploadParts(t, c, bucket, "multi/part", id, split(data, minPart))
		if _, err := c.Complete(ctx, bucket, "multi/part", id, parts); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		u, h, err := c.PresignGet(ctx, bucket, "multi/part")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(u, "://"+bucket+"."+virtualBase) {
			t.Errorf("presigned URL %s is not virtual-hosted", u)
		}
		status, body := fetchVia(t, hc, http.MethodGet, u, h, nil)
		if status != http.StatusOK {
			t.Fatalf("presigned GET: status %d: %s", status, body)
		}
		sameBytes(t, "presigned GET", body, data)

		if _, err := c.DeleteMany(ctx, bucket, append(keys, "multi/part"), true); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteBucket(ctx, bucket); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		for host := range f.faults.hostsSeen() {
			if h, _, _ := net.SplitHostPort(host); h != virtualBase && h != bucket+"."+virtualBase {
				t.Errorf("request to host %s", host)
			}
		}
		if f.faults.hostsSeen()[bucket+"."+virtualBase+":"+port] == 0 {
			t.Errorf("no request used the virtual host; hosts seen: %v", f.faults.hostsSeen())
		}
	})
}
