package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// restoreAt is a restore requested at t, ready a second later and
// expiring a day after that.
func restoreAt(t time.Time) Restore {
	t = t.UTC().Truncate(time.Microsecond)
	return Restore{Tier: "Bulk", Requested: t, Ready: t.Add(time.Second), Expiry: t.Add(time.Second + 24*time.Hour)}
}

func wantRestore(t *testing.T, what string, got, want Restore) {
	t.Helper()
	if got.Tier != want.Tier || !got.Requested.Equal(want.Requested) || !got.Ready.Equal(want.Ready) || !got.Expiry.Equal(want.Expiry) {
		t.Errorf("%s: restore\n got %+v\nwant %+v", what, got, want)
	}
}

func testRestore(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	meta := Metadata{StorageClass: "ColdArchive", ContentType: "text/plain"}
	put, err := e.s.PutObject(ctx, "b", "cold", strings.NewReader("frozen"), 6, meta, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRestore(t, "put", put.Restore, Restore{})
	r := restoreAt(time.Now())
	got, err := e.s.RestoreObject(ctx, "b", "cold", func(o Object) (Restore, error) {
		if o.Meta.StorageClass != "ColdArchive" || !o.Restore.Requested.IsZero() {
			t.Errorf("fn given %+v", o)
		}
		return r, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantRestore(t, "RestoreObject", got.Restore, r)
	head, _ := e.s.HeadObject(ctx, "b", "cold")
	wantRestore(t, "HeadObject", head.Restore, r)
	if head.ETag != put.ETag || !head.Modified.Equal(put.Modified) || head.Meta.ContentType != "text/plain" {
		t.Errorf("RestoreObject changed the object: %+v", head)
	}
	wantSame(t, "read", e.read("cold"), []byte("frozen"))
	list, _ := e.s.ListObjects(ctx, "b", ListOptions{})
	wantRestore(t, "ListObjects", list.Objects[0].Restore, r)

	// Metadata changes keep the restore; an error from fn changes nothing.
	if err := e.s.SetObjectACL(ctx, "b", "cold", "", "private"); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	_, err = e.s.RestoreObject(ctx, "b", "cold", func(Object) (Restore, error) { return Restore{}, refused })
	wantErr(t, "RestoreObject refused by fn", err, refused)
	head, _ = e.s.HeadObject(ctx, "b", "cold")
	wantRestore(t, "after SetObjectACL and a refusal", head.Restore, r)

	// A copy, even onto itself, is not restored; the source stays so.
	cp, err := e.s.CopyObject(ctx, "b", "cold", "b", "copy", CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRestore(t, "copy", cp.Restore, Restore{})
	head, _ = e.s.HeadObject(ctx, "b", "cold")
	wantRestore(t, "copy source", head.Restore, r)
	self, err := e.s.CopyObject(ctx, "b", "cold", "b", "cold", CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRestore(t, "copy onto itself", self.Restore, Restore{})

	// The zero Restore removes it; a put replaces the object and its restore.
	if _, err := e.s.RestoreObject(ctx, "b", "copy", func(Object) (Restore, error) { return r, nil }); err != nil {
		t.Fatal(err)
	}
	got, err = e.s.RestoreObject(ctx, "b", "copy", func(Object) (Restore, error) { return Restore{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	wantRestore(t, "cleared", got.Restore, Restore{})
	if _, err := e.s.RestoreObject(ctx, "b", "cold", func(Object) (Restore, error) { return r, nil }); err != nil {
		t.Fatal(err)
	}
	e.put("cold", []byte("new"))
	head, _ = e.s.HeadObject(ctx, "b", "cold")
	wantRestore(t, "after a put", head.Restore, Restore{})

	_, err = e.s.RestoreObject(ctx, "b", "nope", func(Object) (Restore, error) { return r, nil })
	wantErr(t, "RestoreObject of a missing key", err, ErrNoSuchKey)
	_, err = e.s.RestoreObject(ctx, "nob", "cold", func(Object) (Restore, error) { return r, nil })
	wantErr(t, "RestoreObject in a missing bucket", err, ErrNoSuchBucket)
}

func TestRestoreStates(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	r := restoreAt(t0)
	tests := []struct {
		name                      string
		r                         Restore
		at                        time.Time
		active, ongoing, restored bool
	}{
		{"never requested", Restore{}, t0, false, false, false},
		{"requested", r, t0, true, true, false},
		{"just before ready", r, r.Ready.Add(-time.Nanosecond), true, true, false},
		{"ready", r, r.Ready, true, false, true},
		{"just before expiry", r, r.Expiry.Add(-time.Nanosecond), true, false, true},
		{"expired", r, r.Expiry, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Active(tt.at); got != tt.active {
				t.Errorf("Active = %v, want %v", got, tt.active)
			}
			if got := tt.r.Ongoing(tt.at); got != tt.ongoing {
				t.Errorf("Ongoing = %v, want %v", got, tt.ongoing)
			}
			if got := tt.r.Restored(tt.at); got != tt.restored {
				t.Errorf("Restored = %v, want %v", got, tt.restored)
			}
		})
	}
}
