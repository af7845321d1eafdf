package oss_test

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss"
)

// stuckListing describes one listing to a fake service that answers every
// request with a truncated page whose next marker comes from a script.
type stuckListing struct {
	name string
	// answer is the response body for a truncated page whose next marker
	// is next ("" for none; a part number for ListParts).
	answer func(next string) any
	// markerOf is the marker a request carries, in the form of next.
	markerOf func(q url.Values) string
	// list runs the listing and returns how many pages it yielded and the
	// error it ended with.
	list func(ctx context.Context, c *oss.Client) (pages int, err error)
}

// drain counts the pages of a listing up to its first error.
func drain[P any](seq iter.Seq2[P, error]) (int, error) {
	pages := 0
	for _, err := range seq {
		if err != nil {
			return pages, err
		}
		pages++
	}
	return pages, nil
}

var stuckListings = []stuckListing{
	{
		name: "ListBuckets",
		answer: func(next string) any {
			return &ossxml.ListAllMyBucketsResult{IsTruncated: true, NextMarker: next, Buckets: []ossxml.BucketSummary{{Name: "b" + next}}}
		},
		markerOf: func(q url.Values) string { return q.Get("marker") },
		list: func(ctx context.Context, c *oss.Client) (int, error) {
			return drain(c.ListBuckets(ctx, &oss.ListBucketsRequest{PageSize: 1}))
		},
	},
	{
		name: "ListObjectsV2",
		answer: func(next string) any {
			return &ossxml.ListBucketV2Result{Name: "bkt", IsTruncated: true, NextContinuationToken: next, Contents: []ossxml.ObjectSummary{{Key: "k" + next}}}
		},
		markerOf: func(q url.Values) string { return q.Get("continuation-token") },
		list: func(ctx context.Context, c *oss.Client) (int, error) {
			return drain(c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: "bkt", PageSize: 1}))
		},
	},
	{
		name: "ListParts",
		answer: func(next string) any {
			n := 0
			if next != "" {
				n = int(next[0] - '0')
			}
			return &ossxml.ListPartsResult{Bucket: "bkt", Key: "key", UploadID: "id", IsTruncated: true, NextPartNumberMarker: n, Parts: []ossxml.PartSummary{{PartNumber: max(n, 1)}}}
		},
		markerOf: func(q url.Values) string { return q.Get("part-number-marker") },
		list: func(ctx context.Context, c *oss.Client) (int, error) {
			return drain(c.ListParts(ctx, &oss.ListPartsRequest{Bucket: "bkt", Key: "key", UploadID: "id", PageSize: 1}))
		},
	},
	{
		name: "ListMultipartUploads",
		answer: func(next string) any {
			key, id, _ := strings.Cut(next, ",")
			return &ossxml.ListMultipartUploadsResult{Bucket: "bkt", IsTruncated: true, NextKeyMarker: key, NextUploadIDMarker: id, Uploads: []ossxml.UploadSummary{{Key: "k", UploadID: "u"}}}
		},
		markerOf: func(q url.Values) string {
			if q.Get("upload-id-marker") == "" {
				return q.Get("key-marker")
			}
			return q.Get("key-marker") + "," + q.Get("upload-id-marker")
		},
		list: func(ctx context.Context, c *oss.Client) (int, error) {
			return drain(c.ListMultipartUploads(ctx, &oss.ListMultipartUploadsRequest{Bucket: "bkt", PageSize: 1}))
		},
	},
}

// stuckService answers the n-th request (from 0) with a truncated page
// whose next marker is nexts[n], or the last of nexts after them, and
// counts the requests. A request that does not carry the marker the
// previous answer gave fails the test.
func stuckService(t *testing.T, l stuckListing, nexts []string) (*oss.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if want := ""; i > 0 {
			want = nexts[min(i-1, len(nexts)-1)]
			if got := l.markerOf(r.URL.Query()); got != want {
				t.Errorf("request %d carries marker %q, want %q", i+1, got, want)
			}
		}
		body, err := ossxml.Marshal(l.answer(nexts[min(i, len(nexts)-1)]))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := oss.New(oss.Config{Endpoint: srv.URL, Region: "cn-hangzhou", RetryMaxAttempts: 1,
		Credentials: oss.StaticCredentials{AccessKeyID: "LTAItest", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

// TestListingsRefuseStalledMarkers runs every listing against services
// whose next marker repeats, is missing or goes backwards while they
// report more pages: each listing must end with a *PaginationError after
// at most two requests instead of asking for the same page forever.
func TestListingsRefuseStalledMarkers(t *testing.T) {
	tests := []struct {
		name  string
		nexts []string // the next marker of each answer, in the answer's form
		// ordered marks a script only listings with ordered markers
		// refuse (continuation tokens are opaque).
		ordered      bool
		wantRequests int64
		wantPages    int
		wantNext     string // what PaginationError.Next must name; "" for none
	}{
		{name: "repeated marker", nexts: []string{"5"}, wantRequests: 2, wantPages: 2, wantNext: "5"},
		{name: "empty marker", nexts: []string{""}, wantRequests: 1, wantPages: 1},
		{name: "marker goes backwards", nexts: []string{"5", "3"}, ordered: true, wantRequests: 2, wantPages: 2, wantNext: "3"},
	}
	for _, l := range stuckListings {
		for _, tc := range tests {
			if tc.ordered && l.name == "ListObjectsV2" {
				continue
			}
			t.Run(l.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c, requests := stuckService(t, l, tc.nexts)
				pages, err := l.list(t.Context(), c)
				if got := requests.Load(); got != tc.wantRequests || pages != tc.wantPages {
					t.Errorf("%d requests, %d pages; want %d and %d", got, pages, tc.wantRequests, tc.wantPages)
				}
				if !errors.Is(err, oss.ErrPaginationStalled) {
					t.Fatalf("error %v, want one that wraps ErrPaginationStalled", err)
				}
				pe, ok := errors.AsType[*oss.PaginationError](err)
				if !ok || pe.Listing != l.name {
					t.Fatalf("error %v (%T), want a *PaginationError for %s", err, err, l.name)
				}
				if (tc.wantNext == "") != (pe.Next == "") || !strings.Contains(pe.Next, tc.wantNext) {
					t.Errorf("Next = %q, want one naming %q", pe.Next, tc.wantNext)
				}
				t.Log(err)
				if msg := err.Error(); !strings.Contains(msg, l.name) || strings.Contains(msg, "\n") {
					t.Errorf("error %q: want one line naming %s", msg, l.name)
				}
			})
		}
	}
}

// TestListingsFollowMovingMarkers checks that the guard lets a service
// whose markers move on be followed page after page: three moving
// markers, then the third again, which ends the listing.
func TestListingsFollowMovingMarkers(t *testing.T) {
	for _, l := range stuckListings {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			nexts := []string{"1", "2", "3"}
			if l.name == "ListMultipartUploads" {
				// Two uploads of one key (upload ids need not grow), then a
				// later key, as after a common prefix, with no upload id.
				nexts = []string{"k,u1", "k,u0", "l"}
			}
			c, requests := stuckService(t, l, nexts)
			pages, err := l.list(t.Context(), c)
			if got := requests.Load(); got != 4 || pages != 4 || !errors.Is(err, oss.ErrPaginationStalled) {
				t.Errorf("%d requests, %d pages, error %v; want 4, 4 and a stall", got, pages, err)
			}
		})
	}
}

// TestListingStopsWithItsConsumer checks that a consumer that breaks out
// of a listing, or cancels its context, causes no further request.
func TestListingStopsWithItsConsumer(t *testing.T) {
	l := stuckListings[0]
	c, requests := stuckService(t, l, []string{"1", "2", "3", "4"})
	for range c.ListBuckets(t.Context(), &oss.ListBucketsRequest{}) {
		break
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("break after the first page: %d requests, want 1", got)
	}

	requests.Store(0)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var errs []error
	for page, err := range c.ListBuckets(ctx, &oss.ListBucketsRequest{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if page != nil {
			cancel()
		}
	}
	if got := requests.Load(); got != 1 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("cancel after the first page: %d requests, errors %v; want 1 and context.Canceled", got, errs)
	}
}
