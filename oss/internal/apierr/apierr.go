// Package apierr holds the errors of the OSS request layer that the
// transfer engine recognises and wraps as well: the service's error
// answer and the client's own sentinels. Package oss re-exports every one
// of them, so callers never import this package.
package apierr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// ServiceError is an error answer from the service: the HTTP status and
// the fields of its <Error> body (or, for bodiless HEAD answers, of the
// x-oss-err header).
type ServiceError struct {
	StatusCode int
	Code       string // OSS error code, e.g. NoSuchKey
	Message    string
	RequestID  string
	HostID     string
	EC         string // detail code, e.g. 0026-00000001
	// StringToSign is what the service signed, for SignatureDoesNotMatch.
	StringToSign string
	// DeleteMarker is set (from x-oss-delete-marker) when the answer is
	// about a delete marker: a NoSuchKey for a key whose current version
	// is one, or a MethodNotAllowed for a read of a marker by its version
	// id. VersionID is then the marker's version id, when the service
	// names it (x-oss-version-id).
	DeleteMarker bool
	VersionID    string
}

// Error returns one line: code, status, message and request id.
func (e *ServiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (status %d)", e.Code, e.StatusCode)
	if msg := oneLine(e.Message); msg != "" {
		b.WriteString(": " + strings.TrimSuffix(msg, "."))
	}
	if e.RequestID != "" {
		b.WriteString(", request id " + e.RequestID)
	}
	if e.EC != "" {
		b.WriteString(", ec " + e.EC)
	}
	return b.String()
}

// Is reports whether target is a *ServiceError with the same Code, so
// errors.Is(err, oss.ErrNoSuchKey) matches any NoSuchKey answer.
func (e *ServiceError) Is(target error) bool {
	t, ok := target.(*ServiceError)
	return ok && t.Code != "" && t.Code == e.Code
}

// Sentinels for errors.Is, one per error code callers commonly handle.
var (
	ErrAccessDenied          = &ServiceError{Code: ossxml.CodeAccessDenied}
	ErrInvalidAccessKeyID    = &ServiceError{Code: ossxml.CodeInvalidAccessKeyID}
	ErrSignatureDoesNotMatch = &ServiceError{Code: ossxml.CodeSignatureDoesNotMatch}
	ErrRequestTimeTooSkewed  = &ServiceError{Code: ossxml.CodeRequestTimeTooSkewed}
	ErrNoSuchBucket          = &ServiceError{Code: ossxml.CodeNoSuchBucket}
	ErrNoSuchKey             = &ServiceError{Code: ossxml.CodeNoSuchKey}
	ErrNoSuchUpload          = &ServiceError{Code: ossxml.CodeNoSuchUpload}
	ErrBucketAlreadyExists   = &ServiceError{Code: ossxml.CodeBucketAlreadyExists}
	ErrBucketNotEmpty        = &ServiceError{Code: ossxml.CodeBucketNotEmpty}
	ErrFileAlreadyExists     = &ServiceError{Code: ossxml.CodeFileAlreadyExists}
	ErrInvalidPart           = &ServiceError{Code: ossxml.CodeInvalidPart}
	ErrInvalidPartOrder      = &ServiceError{Code: ossxml.CodeInvalidPartOrder}
	ErrEntityTooSmall        = &ServiceError{Code: ossxml.CodeEntityTooSmall}
	ErrInvalidDigest         = &ServiceError{Code: ossxml.CodeInvalidDigest}
	ErrPreconditionFailed    = &ServiceError{Code: ossxml.CodePreconditionFailed}
	ErrCallbackFailed        = &ServiceError{Code: ossxml.CodeCallbackFailed}
)

// Client-side sentinels.
var (
	// ErrInvalidArgument is wrapped by errors about a request's own fields.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrCRCMismatch is wrapped when the CRC-64 the service reports differs
	// from the bytes that were sent or received.
	ErrCRCMismatch = errors.New("crc-64 mismatch")
	// ErrNoCredentials is returned when no access key is configured.
	ErrNoCredentials = errors.New("oss: no credentials: set an access key id and secret")
)

// oneLine collapses every run of white space, line breaks included, into
// one space: a message from an HTML error page or a multi-line XML element
// must not break an error string over lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
