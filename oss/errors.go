package oss

import (
	"io"
	"net/http"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// ServiceError is an error answer from the service: the HTTP status and
// the fields of its <Error> body (or, for bodiless HEAD answers, of the
// x-oss-err header). Its fields are StatusCode, Code (the OSS error code,
// e.g. NoSuchKey), Message, RequestID, HostID, EC (the detail code, e.g.
// 0026-00000001), StringToSign (what the service signed, for
// SignatureDoesNotMatch), and DeleteMarker and VersionID (for an answer
// about a delete marker). Its Is method compares Code, so
// errors.Is(err, oss.ErrNoSuchKey) matches any NoSuchKey answer. It is
// defined in an internal package so that the transfer engine can
// recognise it too.
type ServiceError = apierr.ServiceError

// Sentinels for errors.Is, one per error code callers commonly handle.
var (
	ErrAccessDenied          = apierr.ErrAccessDenied
	ErrInvalidAccessKeyID    = apierr.ErrInvalidAccessKeyID
	ErrSignatureDoesNotMatch = apierr.ErrSignatureDoesNotMatch
	ErrRequestTimeTooSkewed  = apierr.ErrRequestTimeTooSkewed
	ErrNoSuchBucket          = apierr.ErrNoSuchBucket
	ErrNoSuchKey             = apierr.ErrNoSuchKey
	ErrNoSuchUpload          = apierr.ErrNoSuchUpload
	ErrBucketAlreadyExists   = apierr.ErrBucketAlreadyExists
	ErrBucketNotEmpty        = apierr.ErrBucketNotEmpty
	ErrFileAlreadyExists     = apierr.ErrFileAlreadyExists
	ErrInvalidPart           = apierr.ErrInvalidPart
	ErrInvalidPartOrder      = apierr.ErrInvalidPartOrder
	ErrEntityTooSmall        = apierr.ErrEntityTooSmall
	ErrInvalidDigest         = apierr.ErrInvalidDigest
	ErrPreconditionFailed    = apierr.ErrPreconditionFailed
	ErrCallbackFailed        = apierr.ErrCallbackFailed
)

// Sentinels for the error codes of appends, symlinks and bucket
// configurations.
var (
	// ErrPositionNotEqualToLength matches the answer to an AppendObject
	// whose Position is not the object's length.
	ErrPositionNotEqualToLength = &ServiceError{Code: ossxml.CodePositionNotEqualToLength}
	// ErrObjectNotAppendable matches the answer to an AppendObject to an
	// object that AppendObject did not make.
	ErrObjectNotAppendable = &ServiceError{Code: ossxml.CodeObjectNotAppendable}
	// ErrNoSuchLifecycle matches GetBucketLifecycle's answer for a bucket
	// without lifecycle rules.
	ErrNoSuchLifecycle = &ServiceError{Code: ossxml.CodeNoSuchLifecycle}
	// ErrNoSuchCORSConfiguration matches GetBucketCors's answer for a
	// bucket without CORS rules.
	ErrNoSuchCORSConfiguration = &ServiceError{Code: ossxml.CodeNoSuchCORSConfig}
	// ErrNoSuchBucketPolicy matches GetBucketPolicy's answer for a bucket
	// without a policy.
	ErrNoSuchBucketPolicy = &ServiceError{Code: ossxml.CodeNoSuchBucketPolicy}
	// ErrInvalidPolicyDocument matches PutBucketPolicy's answer for a
	// policy document the service refuses.
	ErrInvalidPolicyDocument = &ServiceError{Code: ossxml.CodeInvalidPolicyDocument}
	// ErrSymlinkTargetNotExist matches the answer to a read through a
	// symlink whose target does not exist.
	ErrSymlinkTargetNotExist = &ServiceError{Code: ossxml.CodeSymlinkTargetNotExist}
	// ErrNotModified matches the bodiless 304 answer to a request whose
	// If-None-Match or If-Modified-Since condition (or copy-source
	// condition) did not hold.
	ErrNotModified = &ServiceError{Code: ossxml.CodeNotModified}
	// ErrNotSymlink matches GetSymlink's answer for an object that is not
	// a symlink.
	ErrNotSymlink = &ServiceError{Code: ossxml.CodeNotSymlink}
	// ErrNoSuchVersion matches the answer to a request whose VersionID
	// names no version of the key.
	ErrNoSuchVersion = &ServiceError{Code: ossxml.CodeNoSuchVersion}
)

// Client-side sentinels.
var (
	// ErrInvalidArgument is wrapped by errors about a request's own fields.
	ErrInvalidArgument = apierr.ErrInvalidArgument
	// ErrCRCMismatch is wrapped when the CRC-64 the service reports differs
	// from the bytes that were sent or received.
	ErrCRCMismatch = apierr.ErrCRCMismatch
	// ErrNoCredentials is returned when no access key is configured.
	ErrNoCredentials = apierr.ErrNoCredentials
)

// maxErrorBody caps how much of an error body is read.
const maxErrorBody = 1 << 20

// parseError builds the *ServiceError of a response whose status is not a
// success. It reads (and the caller closes) the body. A body that is not
// OSS error XML still gives an error with the status and the start of the
// body as its message.
func parseError(resp *http.Response) *ServiceError {
	e := &ServiceError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("x-oss-request-id"), EC: resp.Header.Get("x-oss-ec"),
		DeleteMarker: strings.EqualFold(resp.Header.Get("x-oss-delete-marker"), "true"), VersionID: resp.Header.Get("x-oss-version-id")}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var x *ossxml.Error
	if len(body) > 0 {
		var parsed ossxml.Error
		if ossxml.Unmarshal(body, &parsed) == nil {
			x = &parsed
		}
	} else if h := resp.Header.Get("x-oss-err"); h != "" {
		x, _ = ossxml.DecodeErrHeader(h)
	}
	if x == nil {
		e.Code = statusCode(resp.StatusCode)
		e.Message = oneLine(string(body))
		if len(e.Message) > 200 {
			e.Message = strings.ToValidUTF8(e.Message[:200], "") + "..."
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return e
	}
	e.Code, e.Message, e.HostID, e.StringToSign = x.Code, x.Message, x.HostID, x.StringToSign
	if x.RequestID != "" {
		e.RequestID = x.RequestID
	}
	if x.EC != "" {
		e.EC = x.EC
	}
	return e
}

// oneLine collapses every run of white space, line breaks included, into
// one space: a message from an HTML error page or a multi-line XML element
// must not break an error string over lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// statusCode names an error that came without an OSS code: a HEAD 404 is
// almost always a missing object, a 203 is always a failed callback, a
// 304 (which has no body) is a condition that did not hold, anything else
// is described by status.
func statusCode(status int) string {
	switch status {
	case http.StatusNonAuthoritativeInfo:
		return ossxml.CodeCallbackFailed
	case http.StatusNotModified:
		return ossxml.CodeNotModified
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusForbidden:
		return ossxml.CodeAccessDenied
	}
	return "BadErrorResponse"
}
