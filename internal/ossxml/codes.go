package ossxml

import (
	"net/http"
	"slices"
	"strings"
)

// ErrorCode is one row of the OSS error table: the code, the HTTP status it
// is sent with, a default message, and the default detail code (EC), which
// is empty when OSS uses no single one for the code.
type ErrorCode struct {
	Code    string
	Status  int
	Message string
	EC      string
}

// OSS error codes. The server answers with these; the client matches on
// them.
const (
	CodeAccessDenied             = "AccessDenied"
	CodeAccessForbidden          = "AccessForbidden"
	CodeBucketAlreadyExists      = "BucketAlreadyExists"
	CodeBucketNotEmpty           = "BucketNotEmpty"
	CodeCallbackFailed           = "CallbackFailed"
	CodeEntityTooLarge           = "EntityTooLarge"
	CodeEntityTooSmall           = "EntityTooSmall"
	CodeFileAlreadyExists        = "FileAlreadyExists"
	CodeIncompleteBody           = "IncompleteBody"
	CodeInsufficientStorage      = "InsufficientStorage"
	CodeInternalError            = "InternalError"
	CodeInvalidAccessKeyID       = "InvalidAccessKeyId"
	CodeInvalidArgument          = "InvalidArgument"
	CodeInvalidBucketName        = "InvalidBucketName"
	CodeInvalidDigest            = "InvalidDigest"
	CodeInvalidObjectName        = "InvalidObjectName"
	CodeInvalidObjectState       = "InvalidObjectState"
	CodeInvalidPart              = "InvalidPart"
	CodeInvalidPartOrder         = "InvalidPartOrder"
	CodeInvalidPolicyDocument    = "InvalidPolicyDocument"
	CodeInvalidRange             = "InvalidRange"
	CodeInvalidRequest           = "InvalidRequest"
	CodeInvalidTag               = "InvalidTag"
	CodeInvalidTargetType        = "InvalidTargetType"
	CodeInvalidTargetBucket      = "InvalidTargetBucketForLogging"
	CodeInventoryAlreadyExist    = "InventoryAlreadyExist"
	CodeMalformedPOSTRequest     = "MalformedPOSTRequest"
	CodeMalformedXML             = "MalformedXML"
	CodeMethodNotAllowed         = "MethodNotAllowed"
	CodeMissingArgument          = "MissingArgument"
	CodeMissingContentLength     = "MissingContentLength"
	CodeNoSuchBucket             = "NoSuchBucket"
	CodeNoSuchBucketPolicy       = "NoSuchBucketPolicy"
	CodeNoSuchCORSConfig         = "NoSuchCORSConfiguration"
	CodeNoSuchInventory          = "NoSuchInventory"
	CodeNoSuchKey                = "NoSuchKey"
	CodeNoSuchLifecycle          = "NoSuchLifecycle"
	CodeNoSuchReplicationConfig  = "NoSuchReplicationConfiguration"
	CodeNoSuchReplicationRule    = "NoSuchReplicationRule"
	CodeNoSuchTransferAccel      = "NoSuchTransferAccelerationConfiguration"
	CodeNoSuchUpload             = "NoSuchUpload"
	CodeNoSuchVersion            = "NoSuchVersion"
	CodeNoSuchWebsiteConfig      = "NoSuchWebsiteConfiguration"
	CodeNotImplemented           = "NotImplemented"
	CodeNotModified              = "NotModified"
	CodeNotSymlink               = "NotSymlink"
	CodeObjectNotAppendable      = "ObjectNotAppendable"
	CodeOperationNotSupported    = "OperationNotSupported"
	CodePositionNotEqualToLength = "PositionNotEqualToLength"
	CodePreconditionFailed       = "PreconditionFailed"
	CodeRequestTimeTooSkewed     = "RequestTimeTooSkewed"
	CodeRequestTimeout           = "RequestTimeout"
	CodeRestoreAlreadyInProgress = "RestoreAlreadyInProgress"
	CodeServiceUnavailable       = "ServiceUnavailable"
	CodeSignatureDoesNotMatch    = "SignatureDoesNotMatch"
	CodeSlowDown                 = "SlowDown"
	CodeSymlinkTargetNotExist    = "SymlinkTargetNotExist"
	CodeTooManyBuckets           = "TooManyBuckets"
)

// Detail codes (EC) for situations whose code is shared with others, where
// the table's default EC does not apply.
const (
	// ECNoSuchUploadCopy is NoSuchUpload from UploadPartCopy.
	ECNoSuchUploadCopy = "0042-00000311"
	// ECCompleteAllWithBody is InvalidArgument for a CompleteMultipartUpload
	// that sends both x-oss-complete-all and a body.
	ECCompleteAllWithBody = "0042-00000216"
	// ECFileAlreadyExistsComplete is FileAlreadyExists from
	// CompleteMultipartUpload with x-oss-forbid-overwrite.
	ECFileAlreadyExistsComplete = "0042-00000214"
	// ECInvalidDigestMalformed is InvalidDigest for a Content-MD5 header
	// that is not base64 of 16 bytes (the default EC is for a mismatch).
	ECInvalidDigestMalformed = "0017-00000502"
	// ECInvalidEncodingType is InvalidArgument for an encoding-type other
	// than url, sent with MessageInvalidEncodingType and ArgumentName
	// encoding-type.
	ECInvalidEncodingType = "0017-00000235"
	// ECInvalidContentSHA256 is InvalidArgument for an x-oss-content-sha256
	// OSS does not take (it takes only UNSIGNED-PAYLOAD). This server also
	// sends it when a hex value does not match the body.
	ECInvalidContentSHA256 = "0002-00000214"
	// ECRefererDenied is AccessDenied by a bucket's hotlink protection.
	ECRefererDenied = "0003-00000503"
	// ECInvalidSigningRegion is InvalidArgument for a V4 credential scope
	// naming another region.
	ECInvalidSigningRegion = "0002-00000226"
	// ECInvalidSigningProduct is InvalidArgument for a V4 credential scope
	// naming a product other than oss.
	ECInvalidSigningProduct = "0002-00000227"
	// ECMissingContentMD5 is MissingArgument for a DeleteMultipleObjects
	// request without the Content-MD5 header it requires, sent with
	// MessageMissingArguments.
	ECMissingContentMD5 = "0016-00000606"
	// ECPolicyTooLarge is InvalidPolicyDocument for a bucket policy over
	// limits.MaxBucketPolicySize bytes.
	ECPolicyTooLarge = "0030-00000001"
	// ECPolicyVersion is InvalidPolicyDocument for a bucket policy whose
	// Version is not "1".
	ECPolicyVersion = "0030-00000002"
	// ECPolicyNotUTF8 is InvalidPolicyDocument for a bucket policy that
	// is not UTF-8.
	ECPolicyNotUTF8 = "0030-00000004"
	// ECInvalidRestoreTier is InvalidArgument for a RestoreObject Tier
	// other than Expedited, Standard and Bulk.
	ECInvalidRestoreTier = "0016-00000703"
	// ECInvalidRestoreDaysCold is InvalidArgument for RestoreObject Days
	// outside 1–365, for a ColdArchive or DeepColdArchive object.
	ECInvalidRestoreDaysCold = "0016-00000704"
	// ECInvalidRestoreDaysArchive is InvalidArgument for RestoreObject Days
	// outside 1–7, for an Archive object.
	ECInvalidRestoreDaysArchive = "0016-00000708"
)

// Messages for situations whose code is shared with others.
const (
	// MessageInvalidPartNumber is InvalidArgument for a partNumber outside
	// 1–10000 (ArgumentName PartNumber).
	MessageInvalidPartNumber = "Part number must be an integer between 1 and 10000, inclusive."
	// MessageCompleteAllWithBody goes with ECCompleteAllWithBody (the
	// misspelling is OSS's).
	MessageCompleteAllWithBody = "Should not speficy both complete all header and http body."
	// MessageCallbackNotJSON is InvalidArgument for a malformed x-oss-callback.
	MessageCallbackNotJSON = "The callback configuration is not json format."
	// MessageInvalidEncodingType goes with ECInvalidEncodingType.
	MessageInvalidEncodingType = "Invalid Encoding Method specified in Request"
	// MessageMissingDate is AccessDenied for a request without a valid Date.
	MessageMissingDate = "OSS authentication requires a valid Date."
	// MessageMissingArguments is MissingArgument as OSS words it for a
	// missing required header, such as Content-MD5 on
	// DeleteMultipleObjects.
	MessageMissingArguments = "Missing Some Required Arguments."
	// MessageObjectNameTooLong is InvalidObjectName for a key over 1023 bytes.
	MessageObjectNameTooLong = "The Length of Object name must be less than 1024"
)

// codeTable is the error table, sorted by Code. It is never modified.
var codeTable = []ErrorCode{
	{CodeAccessDenied, http.StatusForbidden, "You have no right to access this resource.", ""},
	{CodeAccessForbidden, http.StatusForbidden, "CORSResponse: This CORS request is not allowed.", ""},
	{CodeBucketAlreadyExists, http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", ""},
	{CodeBucketNotEmpty, http.StatusConflict, "The bucket you tried to delete is not empty.", "0015-00000301"},
	{CodeCallbackFailed, http.StatusNonAuthoritativeInfo, "The callback to the application server failed.", "0007-00000203"},
	{CodeEntityTooLarge, http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size.", ""},
	{CodeEntityTooSmall, http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size.", "0042-00000213"},
	{CodeFileAlreadyExists, http.StatusConflict, "The object you specified already exists and can not be overwritten.", ""},
	{CodeIncompleteBody, http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header.", ""},
	{CodeInsufficientStorage, http.StatusInsufficientStorage, "The server has no space left to store the request.", ""},
	{CodeInternalError, http.StatusInternalServerError, "We encountered an internal error. Please try again.", ""},
	{CodeInvalidAccessKeyID, http.StatusForbidden, "The OSS Access Key Id you provided does not exist in our records.", "0002-00000902"},
	{CodeInvalidArgument, http.StatusBadRequest, "An argument you provided is not valid.", ""},
	{CodeInvalidBucketName, http.StatusBadRequest, "The specified bucket is not valid.", ""},
	{CodeInvalidDigest, http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.", "0017-00000503"},
	{CodeInvalidObjectName, http.StatusBadRequest, "The specified object is not valid.", ""},
	{CodeInvalidObjectState, http.StatusForbidden, "The operation is not valid for the object's state.", ""},
	{CodeInvalidPart, http.StatusBadRequest, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.", ""},
	{CodeInvalidPartOrder, http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number.", "0042-00000209"},
	{CodeInvalidPolicyDocument, http.StatusBadRequest, "The policy document is not valid.", "0030-00000005"},
	{CodeInvalidRange, http.StatusRequestedRangeNotSatisfiable, "The requested range cannot be satisfied.", ""},
	{CodeInvalidRequest, http.StatusBadRequest, "The request is not valid.", ""},
	{CodeInvalidTag, http.StatusBadRequest, "The tag provided was not a valid tag.", ""},
	{CodeInvalidTargetBucket, http.StatusBadRequest, "The target bucket for logging does not exist, or is not owned by you.", ""},
	{CodeInvalidTargetType, http.StatusBadRequest, "The symlink target object type is not supported.", ""},
	{CodeInventoryAlreadyExist, http.StatusConflict, "The inventory configuration already exists.", ""},
	{CodeMalformedPOSTRequest, http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data.", ""},
	{CodeMalformedXML, http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema.", "0042-00000205"},
	{CodeMethodNotAllowed, http.StatusMethodNotAllowed, "The specified method is not allowed against this resource.", ""},
	{CodeMissingArgument, http.StatusBadRequest, "A required argument is missing.", ""},
	{CodeMissingContentLength, http.StatusLengthRequired, "You must provide the Content-Length HTTP header.", ""},
	{CodeNoSuchBucket, http.StatusNotFound, "The specified bucket does not exist.", "0015-00000101"},
	{CodeNoSuchBucketPolicy, http.StatusNotFound, "The bucket policy does not exist.", ""},
	{CodeNoSuchCORSConfig, http.StatusNotFound, "The CORS configuration does not exist.", ""},
	{CodeNoSuchInventory, http.StatusNotFound, "The specified inventory configuration does not exist.", ""},
	{CodeNoSuchKey, http.StatusNotFound, "The specified key does not exist.", "0026-00000001"},
	{CodeNoSuchLifecycle, http.StatusNotFound, "The specified bucket does not have a lifecycle configuration.", ""},
	{CodeNoSuchReplicationConfig, http.StatusNotFound, "The specified bucket does not have a replication configuration.", ""},
	{CodeNoSuchReplicationRule, http.StatusNotFound, "The specified replication rule does not exist.", ""},
	{CodeNoSuchTransferAccel, http.StatusNotFound, "The specified bucket does not have a transfer acceleration configuration.", ""},
	{CodeNoSuchUpload, http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000002"},
	{CodeNoSuchVersion, http.StatusNotFound, "The specified version does not exist.", ""},
	{CodeNoSuchWebsiteConfig, http.StatusNotFound, "The specified bucket does not have a website configuration.", ""},
	{CodeNotImplemented, http.StatusNotImplemented, "A header you provided implies functionality that is not implemented.", ""},
	{CodeNotModified, http.StatusNotModified, "The object has not been modified.", ""},
	{CodeNotSymlink, http.StatusBadRequest, "The specified object is not a symlink.", ""},
	{CodeObjectNotAppendable, http.StatusConflict, "The object is not appendable.", ""},
	{CodeOperationNotSupported, http.StatusBadRequest, "The operation is not supported for this resource.", ""},
	{CodePositionNotEqualToLength, http.StatusConflict, "Position is not equal to file length.", ""},
	{CodePreconditionFailed, http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold.", ""},
	{CodeRequestTimeTooSkewed, http.StatusForbidden, "The difference between the request time and the current time is too large.", ""},
	{CodeRequestTimeout, http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period.", ""},
	{CodeRestoreAlreadyInProgress, http.StatusConflict, "The restore operation is in progress.", ""},
	{CodeServiceUnavailable, http.StatusServiceUnavailable, "The service is unavailable. Please try again later.", ""},
	{CodeSignatureDoesNotMatch, http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method.", "0002-00000040"},
	{CodeSlowDown, http.StatusServiceUnavailable, "Please reduce your request rate.", ""},
	{CodeSymlinkTargetNotExist, http.StatusNotFound, "The symlink target object does not exist.", "0026-00000012"},
	{CodeTooManyBuckets, http.StatusBadRequest, "You have attempted to create more buckets than allowed.", ""},
}

// LookupCode returns the table row for an OSS error code. Codes are
// case-sensitive, as on the wire.
func LookupCode(code string) (ErrorCode, bool) {
	i, ok := slices.BinarySearchFunc(codeTable, code, func(c ErrorCode, code string) int {
		return strings.Compare(c.Code, code)
	})
	if !ok {
		return ErrorCode{}, false
	}
	return codeTable[i], true
}

// Codes returns a copy of the whole error table, sorted by Code.
func Codes() []ErrorCode {
	return slices.Clone(codeTable)
}
