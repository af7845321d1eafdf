package oss

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// Storage classes. Objects of the archived ones (Archive, ColdArchive,
// DeepColdArchive) are frozen: their content cannot be read, nor copied,
// until RestoreObject has made a readable copy of it; reading a frozen
// object fails with ErrInvalidObjectState.
const (
	StorageClassStandard        = "Standard"
	StorageClassIA              = "IA"
	StorageClassArchive         = "Archive"
	StorageClassColdArchive     = "ColdArchive"
	StorageClassDeepColdArchive = "DeepColdArchive"
)

// Restore priorities of a ColdArchive or DeepColdArchive object, from the
// fastest (and dearest) to the slowest.
const (
	RestoreTierExpedited = "Expedited"
	RestoreTierStandard  = "Standard"
	RestoreTierBulk      = "Bulk"
)

// Sentinels for the errors of archived objects.
var (
	// ErrInvalidObjectState matches the 403 answer to reading (GetObject,
	// CopyObject, UploadPartCopy) an archived object that is not restored.
	ErrInvalidObjectState = &ServiceError{Code: ossxml.CodeInvalidObjectState}
	// ErrRestoreAlreadyInProgress matches the 409 answer to RestoreObject
	// while a restore of the object is under way.
	ErrRestoreAlreadyInProgress = &ServiceError{Code: ossxml.CodeRestoreAlreadyInProgress}
	// ErrOperationNotSupported matches, among others, the 400 answer to
	// RestoreObject of an object that is not archived.
	ErrOperationNotSupported = &ServiceError{Code: ossxml.CodeOperationNotSupported}
)

// RestoreStatus is the restore of an archived object, as HEAD, GET and
// listings report it (x-oss-restore). The zero RestoreStatus means no
// restore was requested, or its copy expired.
type RestoreStatus struct {
	// Ongoing reports a restore under way: the object is not readable yet.
	Ongoing bool
	// Expiry, once the object is restored, is when its restored copy
	// stops being readable; zero otherwise.
	Expiry time.Time
}

// Restored reports whether the object's restored copy is readable.
func (s RestoreStatus) Restored() bool { return !s.Ongoing && !s.Expiry.IsZero() }

// parseRestore reads x-oss-restore: `ongoing-request="true"`, or
// `ongoing-request="false", expiry-date="<HTTP date>"` (the date holds a
// comma of its own). Anything else is the zero RestoreStatus.
func parseRestore(v string) RestoreStatus {
	quoted := func(name string) string {
		_, rest, ok := strings.Cut(v, name+`="`)
		if !ok {
			return ""
		}
		value, _, _ := strings.Cut(rest, `"`)
		return value
	}
	if quoted("ongoing-request") == "true" {
		return RestoreStatus{Ongoing: true}
	}
	var s RestoreStatus
	s.Expiry, _ = http.ParseTime(quoted("expiry-date"))
	return s
}

// RestoreObjectRequest asks for a readable copy of an archived object.
type RestoreObjectRequest struct {
	Bucket string
	Key    string
	// Days is how many days the restored copy stays readable: 1 to 7 for
	// an Archive object, 1 to 365 for a ColdArchive or DeepColdArchive
	// one. 0 means the service's default, one day. Restoring an object
	// already restored extends its copy by Days.
	Days int
	// Tier is the priority of a ColdArchive or DeepColdArchive restore:
	// RestoreTierExpedited, RestoreTierStandard or RestoreTierBulk; empty
	// means Standard. Archive restores have no priority.
	Tier string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// RestoreObjectResult is what the service answered to a RestoreObject.
type RestoreObjectResult struct {
	// AlreadyRestored reports that the object was restored already (200
	// OK) and its copy now lasts Days longer; otherwise a restore started
	// or was hurried (202 Accepted), and HeadObject reports when it ends.
	AlreadyRestored bool
	// Priority is the restore's priority, for a cold archive object.
	Priority  string
	RequestID string
}

// RestoreObject asks the service to restore an archived object: to make
// a copy of it readable for a number of days. While the restore is under
// way another RestoreObject fails with ErrRestoreAlreadyInProgress
// (unless it asks a higher Tier); an object that is not archived fails
// with ErrOperationNotSupported.
func (c *Client) RestoreObject(ctx context.Context, req *RestoreObjectRequest) (*RestoreObjectResult, error) {
	op := &operation{name: "RestoreObject", method: http.MethodPost, bucket: req.Bucket, key: req.Key, query: versionQuery("restore", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if req.Days < 0 {
		return nil, op.wrap(fmt.Errorf("days %d is negative: %w", req.Days, ErrInvalidArgument))
	}
	var resp *http.Response
	var err error
	if req.Days == 0 && req.Tier == "" {
		resp, err = c.do(ctx, op) // no body: the service's defaults
	} else {
		body := &ossxml.RestoreRequest{Days: req.Days}
		if req.Tier != "" {
			body.JobParameters = &ossxml.JobParameters{Tier: req.Tier}
		}
		resp, err = c.doXMLResponse(ctx, op, body)
	}
	if err != nil {
		return nil, err
	}
	discardClose(resp)
	return &RestoreObjectResult{
		AlreadyRestored: resp.StatusCode == http.StatusOK,
		Priority:        resp.Header.Get("x-oss-object-restore-priority"),
		RequestID:       resp.Header.Get("x-oss-request-id"),
	}, nil
}
