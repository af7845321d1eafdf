package oss_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func TestRestoreObjectWire(t *testing.T) {
	tests := []struct {
		name     string
		req      oss.RestoreObjectRequest
		query    string
		body     string // empty: none sent
		status   int
		restored bool
	}{
		{"defaults", oss.RestoreObjectRequest{Bucket: "b", Key: "k"}, "restore", "", http.StatusAccepted, false},
		{"days", oss.RestoreObjectRequest{Bucket: "b", Key: "k", Days: 3}, "restore", "<RestoreRequest><Days>3</Days></RestoreRequest>", http.StatusOK, true},
		{"tier", oss.RestoreObjectRequest{Bucket: "b", Key: "k", Days: 2, Tier: oss.RestoreTierBulk, VersionID: "v1"}, "restore&versionId=v1",
			"<RestoreRequest><Days>2</Days><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>", http.StatusAccepted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) {
				w.Header().Set("x-oss-object-restore-priority", "Bulk")
				w.WriteHeader(tt.status)
			})
			res, err := c.RestoreObject(t.Context(), &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			call := ws.only()
			if call.Method != http.MethodPost || call.Path != "/b/k" || call.RawQuery != tt.query {
				t.Errorf("sent %s %s?%s, want POST /b/k?%s", call.Method, call.Path, call.RawQuery, tt.query)
			}
			if tt.body == "" && len(call.Body) != 0 {
				t.Errorf("sent body %q, want none", call.Body)
			}
			if tt.body != "" {
				wantXMLBody(t, call, tt.body)
			}
			if res.AlreadyRestored != tt.restored || res.Priority != "Bulk" || res.RequestID != "REQ1" {
				t.Errorf("result %+v", *res)
			}
		})
	}
	c, ws := newWire(t, replyOK)
	if _, err := c.RestoreObject(t.Context(), &oss.RestoreObjectRequest{Bucket: "b", Key: "k", Days: -1}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("negative days: %v", err)
	}
	if n := len(ws.calls); n != 0 {
		t.Errorf("negative days sent %d requests", n)
	}
}

func TestRestoreStatusWire(t *testing.T) {
	expiry := time.Date(2017, 4, 16, 8, 12, 33, 0, time.UTC)
	tests := []struct {
		header string
		want   oss.RestoreStatus
	}{
		{"", oss.RestoreStatus{}},
		{`ongoing-request="true"`, oss.RestoreStatus{Ongoing: true}},
		{`ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"`, oss.RestoreStatus{Expiry: expiry}},
		{`ongoing-request="false", expiry-date="not a date"`, oss.RestoreStatus{}},
	}
	for _, tt := range tests {
		c, _ := newWire(t, func(w http.ResponseWriter, _ wireCall) {
			if tt.header != "" {
				w.Header().Set("x-oss-restore", tt.header)
			}
		})
		res, err := c.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: "b", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Object.Restore
		if got.Ongoing != tt.want.Ongoing || !got.Expiry.Equal(tt.want.Expiry) {
			t.Errorf("x-oss-restore %q: %+v, want %+v", tt.header, got, tt.want)
		}
		if got.Restored() != (!tt.want.Expiry.IsZero()) {
			t.Errorf("x-oss-restore %q: Restored() = %v", tt.header, got.Restored())
		}
	}
}

// TestRestoreObject restores an Archive object on the emulator, whose
// clock the test moves past the restore's second instead of sleeping.
func TestRestoreObject(t *testing.T) {
	var offset atomic.Int64
	env := osstest.Start(t, osstest.Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	ctx, c, b := t.Context(), env.Client, env.Bucket
	_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "a", Body: strings.NewReader("archived"), Size: 8,
		ObjectMetadata: oss.ObjectMetadata{StorageClass: oss.StorageClassArchive}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: "a"}); !errors.Is(err, oss.ErrInvalidObjectState) {
		t.Fatalf("GET of a frozen object: %v, want ErrInvalidObjectState", err)
	}
	if _, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: b, Key: "a", Days: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: b, Key: "a"}); !errors.Is(err, oss.ErrRestoreAlreadyInProgress) {
		t.Errorf("second restore: %v, want ErrRestoreAlreadyInProgress", err)
	}
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: "a"})
	if err != nil || !head.Object.Restore.Ongoing || head.Object.ObjectMetadata.StorageClass != oss.StorageClassArchive {
		t.Fatalf("HEAD while restoring: %+v, %v", head, err)
	}
	offset.Store(int64(time.Second))
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: "a"})
	if err != nil || !head.Object.Restore.Restored() || head.Object.Restore.Expiry.Before(time.Now().Add(47*time.Hour)) {
		t.Fatalf("HEAD once restored: %+v, %v", head, err)
	}
	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: "a"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || string(body) != "archived" {
		t.Errorf("restored object reads %q", body)
	}
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: b, Key: "a"})
	if err != nil || !res.AlreadyRestored {
		t.Errorf("restore of a restored object: %+v, %v", res, err)
	}
	for page, err := range c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: b}) {
		if err != nil {
			t.Fatal(err)
		}
		if o := page.Objects[0]; !o.Restore.Restored() || o.StorageClass != oss.StorageClassArchive {
			t.Errorf("listed %+v", o)
		}
	}
	if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: "s", Body: strings.NewReader("x"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: b, Key: "s"}); !errors.Is(err, oss.ErrOperationNotSupported) {
		t.Errorf("restore of a Standard object: %v, want ErrOperationNotSupported", err)
	}
}
