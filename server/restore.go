package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Archived objects (Archive, ColdArchive, DeepColdArchive) are frozen, as
// OSS keeps them: HEAD, listings, metadata, tags and deletion work, but
// reading their content (GetObject, and CopyObject or UploadPartCopy from
// them) is refused with 403 InvalidObjectState until RestoreObject has
// made a readable copy. A restore takes a while (Config.RestoreDelay,
// Config.ColdRestoreDelay) and its copy stays readable for the Days asked
// (a day being Config.RestoreDay). The store keeps a restore as times, so
// whether one is under way, done or expired follows from the clock.

// Defaults of the restore settings of Config.
const (
	// DefaultRestoreDelay is how long restoring an Archive object takes
	// unless Config.RestoreDelay says otherwise.
	DefaultRestoreDelay = time.Second
	// DefaultColdRestoreDelay is how long restoring a ColdArchive object
	// at the Standard priority takes unless Config.ColdRestoreDelay says
	// otherwise.
	DefaultColdRestoreDelay = 4 * time.Second
	// DefaultRestoreDay is the length of a restore's day unless
	// Config.RestoreDay says otherwise.
	DefaultRestoreDay = 24 * time.Hour
)

// archived reports whether objects of class are frozen until restored.
func archived(class string) bool {
	return class == "Archive" || class == "ColdArchive" || class == "DeepColdArchive"
}

// maxRestoreDays is the most days a restored copy of an object of an
// archived class stays readable: 7 for Archive, 365 for the cold classes.
func maxRestoreDays(class string) int {
	if class == "Archive" {
		return 7
	}
	return 365
}

// restoreTiers ranks the priorities of a cold archive restore.
var restoreTiers = map[string]int{"Bulk": 1, "Standard": 2, "Expedited": 3}

// restoreSettings resolves the restore settings of cfg: zero delays and
// day mean the defaults, negative delays none.
func restoreSettings(cfg *Config) {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&cfg.RestoreDelay, DefaultRestoreDelay}, {&cfg.ColdRestoreDelay, DefaultColdRestoreDelay}, {&cfg.RestoreDay, DefaultRestoreDay}} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			*d.v = 0
		}
	}
}

// restoreDelay is how long restoring an object of class at tier takes: an
// Archive object RestoreDelay; a ColdArchive one ColdRestoreDelay at the
// Standard priority, half that Expedited and twice that Bulk; a
// DeepColdArchive one twice as long as a ColdArchive one.
func (s *Server) restoreDelay(class, tier string) time.Duration {
	if class == "Archive" {
		return s.cfg.RestoreDelay
	}
	d := s.cfg.ColdRestoreDelay
	switch tier {
	case "Expedited":
		d /= 2
	case "Bulk":
		d *= 2
	}
	if class == "DeepColdArchive" {
		d *= 2
	}
	return d
}

// checkReadable refuses to read the content of an archived object that
// is not restored: 403 InvalidObjectState. A symlink has no content of
// its own; reads through it judge its target.
func (s *Server) checkReadable(o store.Object) error {
	if o.Type == store.TypeSymlink || !archived(storageClass(o.Meta)) || o.Restore.Restored(s.cfg.Now()) {
		return nil
	}
	return newError(ossxml.CodeInvalidObjectState, "")
}

// restoreInfo is an object's x-oss-restore header (and a listing's
// RestoreInfo): `ongoing-request="true"` while a restore is under way,
// `ongoing-request="false", expiry-date="<HTTP date>"` while the restored
// copy is readable, and empty otherwise.
func restoreInfo(r store.Restore, now time.Time) string {
	switch {
	case r.Ongoing(now):
		return `ongoing-request="true"`
	case r.Restored(now):
		return `ongoing-request="false", expiry-date="` + r.Expiry.UTC().Format(http.TimeFormat) + `"`
	}
	return ""
}

// setRestoreHeader writes x-oss-restore when the object has a restore.
func (s *Server) setRestoreHeader(h http.Header, o store.Object) {
	if v := restoreInfo(o.Restore, s.cfg.Now()); v != "" {
		h.Set("x-oss-restore", v)
	}
}

// restoreAsk is what a RestoreObject request asks for.
type restoreAsk struct {
	days int    // 0: one day
	tier string // of a cold archive restore
}

// parseRestore reads RestoreObject's optional body. Without one, or
// without Days (or with Days 0, which the v2 SDK sends when only a tier
// is set), the copy stays readable for one day; without a Tier the
// priority is Standard. Days are checked against the object's class.
func (s *Server) parseRestore(w http.ResponseWriter, r *http.Request) (restoreAsk, error) {
	var doc ossxml.RestoreRequest
	if _, err := s.readXML(w, r, &doc); err != nil {
		return restoreAsk{}, err
	}
	ask := restoreAsk{days: doc.Days, tier: "Standard"}
	if doc.JobParameters != nil && doc.JobParameters.Tier != "" {
		ask.tier = doc.JobParameters.Tier
	}
	if restoreTiers[ask.tier] == 0 {
		e := invalidArgument("Tier", ask.tier, "The restore priority must be Expedited, Standard or Bulk.")
		e.body.EC = ossxml.ECInvalidRestoreTier
		return restoreAsk{}, e
	}
	if ask.days == 0 {
		ask.days = 1
	}
	return ask, nil
}

// restoreObject answers RestoreObject (POST ?restore) on an Archive,
// ColdArchive or DeepColdArchive object:
//   - with no restore, or an expired one, it starts one: 202 Accepted;
//   - while one is under way, 409 RestoreAlreadyInProgress, unless a cold
//     archive restore is asked a higher priority, which brings its end
//     forward (never later): 202 Accepted;
//   - once restored, 200 OK, and the copy stays readable Days longer, up
//     to the class's maximum from now.
//
// An object of another class is 400 OperationNotSupported.
func (s *Server) restoreObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.currentOnly(ctx, rq); err != nil {
		return err
	}
	ask, err := s.parseRestore(w, r)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	status := http.StatusAccepted
	version, _ := versionParam(rq)
	obj, err := s.store.RestoreObject(ctx, rq.bucket, rq.key, func(o store.Object) (store.Restore, error) {
		// The version named must still be the current one.
		if err := notCurrent(o, version); err != nil {
			return store.Restore{}, err
		}
		var next store.Restore
		var err error
		next, status, err = s.nextRestore(o, ask, now)
		return next, err
	})
	if err != nil {
		if _, ok := errors.AsType[*apiError](err); ok {
			return err
		}
		return storeError(err, rq)
	}
	if obj.Restore.Tier != "" {
		w.Header().Set("x-oss-object-restore-priority", obj.Restore.Tier)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
	return nil
}

// nextRestore is the restore of o once a RestoreObject asking ask has
// run at now, and the status it answers (see restoreObject).
func (s *Server) nextRestore(o store.Object, ask restoreAsk, now time.Time) (store.Restore, int, error) {
	class := storageClass(o.Meta)
	if !archived(class) || o.Type == store.TypeSymlink {
		return store.Restore{}, 0, newError(ossxml.CodeOperationNotSupported,
			"The object's storage class is "+class+": only Archive, ColdArchive and DeepColdArchive objects are restored.")
	}
	maxDays := maxRestoreDays(class)
	if ask.days < 1 || ask.days > maxDays {
		e := invalidArgument("Days", strconv.Itoa(ask.days), "The restored days must be between 1 and "+strconv.Itoa(maxDays)+" for a "+class+" object.")
		e.body.EC = ossxml.ECInvalidRestoreDaysCold
		if class == "Archive" {
			e.body.EC = ossxml.ECInvalidRestoreDaysArchive
		}
		return store.Restore{}, 0, e
	}
	tier := ask.tier
	if class == "Archive" {
		tier = "" // Archive restores have no priority
	}
	days := time.Duration(ask.days) * s.cfg.RestoreDay
	cur := o.Restore
	switch {
	case cur.Ongoing(now):
		if tier == "" || restoreTiers[tier] <= restoreTiers[cur.Tier] {
			return store.Restore{}, 0, newError(ossxml.CodeRestoreAlreadyInProgress, "")
		}
		next := cur
		next.Tier = tier
		if ready := now.Add(s.restoreDelay(class, tier)); ready.Before(cur.Ready) {
			next.Ready, next.Expiry = ready, ready.Add(cur.Expiry.Sub(cur.Ready))
		}
		return next, http.StatusAccepted, nil
	case cur.Restored(now):
		next := cur
		next.Expiry = cur.Expiry.Add(days)
		if limit := now.Add(time.Duration(maxDays) * s.cfg.RestoreDay); next.Expiry.After(limit) {
			next.Expiry = limit
		}
		if next.Expiry.Before(cur.Expiry) {
			next.Expiry = cur.Expiry // never shortened
		}
		return next, http.StatusOK, nil
	}
	ready := now.Add(s.restoreDelay(class, tier))
	return store.Restore{Tier: tier, Requested: now, Ready: ready, Expiry: ready.Add(days)}, http.StatusAccepted, nil
}
