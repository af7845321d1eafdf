package ossxml

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestErrHeaderRoundTrip(t *testing.T) {
	tests := []*Error{
		{Code: CodeNoSuchKey, Message: "The specified key does not exist.", RequestID: "656C4DA5E2B0F93435A8****",
			HostID: "bucket.oss-cn-hangzhou.aliyuncs.com", Key: "a/b c&d.txt", EC: "0026-00000001"},
		{Code: CodeNoSuchBucket, RequestID: "R", HostID: "H", BucketName: "b"},
		{Code: CodeInvalidArgument, Message: MessageInvalidPartNumber, ArgumentName: "PartNumber", ArgumentValue: "0"},
		{Code: CodeNoSuchKey, Key: "ctl\x0c\x01 中文"},
		{},
	}
	for _, in := range tests {
		v, err := EncodeErrHeader(in)
		if err != nil {
			t.Fatalf("EncodeErrHeader(%+v): %v", in, err)
		}
		if strings.ContainsAny(v, "\r\n ") {
			t.Errorf("EncodeErrHeader(%+v) = %q is not a single header token", in, v)
		}
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || !strings.HasPrefix(string(raw), xmlProlog+"<Error>") {
			t.Errorf("EncodeErrHeader(%+v) decodes to %q, %v; want the <Error> document", in, raw, err)
		}
		got, err := DecodeErrHeader(v)
		if err != nil {
			t.Fatalf("DecodeErrHeader(%q): %v", v, err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Errorf("round trip got %+v, want %+v", got, in)
		}
		unpadded, err := DecodeErrHeader(strings.TrimRight(v, "="))
		if err != nil || !reflect.DeepEqual(unpadded, in) {
			t.Errorf("DecodeErrHeader without padding = %+v, %v; want %+v", unpadded, err, in)
		}
	}
}

func TestErrHeaderErrors(t *testing.T) {
	if _, err := EncodeErrHeader(nil); err == nil {
		t.Error("EncodeErrHeader(nil) succeeded")
	}
	b64 := base64.StdEncoding.EncodeToString
	for _, v := range []string{
		"",
		"not base64!",
		b64([]byte("<Error><Code>")),
		b64([]byte("<ListBucketResult/>")),
		b64([]byte("plain text")),
	} {
		if got, err := DecodeErrHeader(v); err == nil {
			t.Errorf("DecodeErrHeader(%q) = %+v, want error", v, got)
		}
	}
}

func TestLookupCode(t *testing.T) {
	tests := []struct {
		code   string
		status int
	}{
		{CodeAccessDenied, 403},
		{CodeAccessForbidden, 403},
		{CodeMalformedPOSTRequest, 400},
		{CodeNoSuchCORSConfig, 404},
		{CodeInvalidAccessKeyID, 403},
		{CodeSignatureDoesNotMatch, 403},
		{CodeRequestTimeTooSkewed, 403},
		{CodeInvalidArgument, 400},
		{CodeInvalidBucketName, 400},
		{CodeInvalidObjectName, 400},
		{CodeNoSuchBucket, 404},
		{CodeNoSuchKey, 404},
		{CodeNoSuchUpload, 404},
		{CodeNoSuchVersion, 404},
		{CodeNoSuchLifecycle, 404},
		{CodeBucketAlreadyExists, 409},
		{CodeBucketNotEmpty, 409},
		{CodeFileAlreadyExists, 409},
		{CodeMalformedXML, 400},
		{CodeInvalidPart, 400},
		{CodeInvalidPartOrder, 400},
		{CodeEntityTooSmall, 400},
		{CodeEntityTooLarge, 400},
		{CodeInvalidDigest, 400},
		{CodeInvalidRange, 416},
		{CodePreconditionFailed, 412},
		{CodeNotModified, 304},
		{CodeMissingContentLength, 411},
		{CodeCallbackFailed, 203},
		{CodeInsufficientStorage, 507},
		{CodeInternalError, 500},
		{CodeTooManyBuckets, 400},
		{CodeMethodNotAllowed, 405},
		{CodeNotImplemented, 501},
		{CodeRequestTimeout, 400},
		{CodeSlowDown, 503},
		{CodeServiceUnavailable, 503},
		{CodeMissingArgument, 400},
		{CodeInvalidRequest, 400},
		{CodeIncompleteBody, 400},
		{CodeInvalidTag, 400},
		{CodeInvalidTargetType, 400},
		{CodeNotSymlink, 400},
		{CodeObjectNotAppendable, 409},
		{CodePositionNotEqualToLength, 409},
		{CodeSymlinkTargetNotExist, 404},
		{CodeInvalidTargetBucket, 400},
		{CodeInventoryAlreadyExist, 409},
		{CodeNoSuchInventory, 404},
		{CodeNoSuchReplicationConfig, 404},
		{CodeNoSuchReplicationRule, 404},
		{CodeNoSuchTransferAccel, 404},
		{CodeNoSuchWebsiteConfig, 404},
		{CodeInvalidPolicyDocument, 400},
		{CodeNoSuchBucketPolicy, 404},
		{CodeInvalidObjectState, 403},
		{CodeRestoreAlreadyInProgress, 409},
		{CodeOperationNotSupported, 400},
	}
	for _, tt := range tests {
		got, ok := LookupCode(tt.code)
		if !ok {
			t.Errorf("LookupCode(%q) not found", tt.code)
			continue
		}
		if got.Code != tt.code || got.Status != tt.status {
			t.Errorf("LookupCode(%q) = %q %d, want %d", tt.code, got.Code, got.Status, tt.status)
		}
	}
	if n := len(Codes()); n != len(tests) {
		t.Errorf("table has %d codes, test lists %d: keep them in step", n, len(tests))
	}
	for _, code := range []string{"", "nosuchkey", "NoSuchKey ", "BadDigest", "KeyTooLongError"} {
		if got, ok := LookupCode(code); ok {
			t.Errorf("LookupCode(%q) = %+v, want not found", code, got)
		}
	}
}

// TestSpecMessages pins the messages and detail codes the protocol spec
// quotes from real OSS.
func TestSpecMessages(t *testing.T) {
	tests := []struct {
		code, message, ec string
	}{
		{CodeNoSuchKey, "The specified key does not exist.", "0026-00000001"},
		{CodeNoSuchBucket, "The specified bucket does not exist.", "0015-00000101"},
		{CodeNoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000002"},
		{CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema.", "0042-00000205"},
		{CodeInvalidAccessKeyID, "The OSS Access Key Id you provided does not exist in our records.", "0002-00000902"},
		{CodeRequestTimeTooSkewed, "The difference between the request time and the current time is too large.", ""},
		{CodeInvalidPart, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.", ""},
		{CodeSignatureDoesNotMatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.", "0002-00000040"},
		{CodeBucketNotEmpty, "The bucket you tried to delete is not empty.", "0015-00000301"},
		{CodeCallbackFailed, "The callback to the application server failed.", "0007-00000203"},
		{CodeRestoreAlreadyInProgress, "The restore operation is in progress.", ""},
		{CodeInvalidObjectState, "The operation is not valid for the object's state.", ""},
	}
	for _, tt := range tests {
		got, _ := LookupCode(tt.code)
		if got.Message != tt.message || got.EC != tt.ec {
			t.Errorf("LookupCode(%q) = %q EC %q, want %q EC %q", tt.code, got.Message, got.EC, tt.message, tt.ec)
		}
	}
}

func TestCodesTable(t *testing.T) {
	codes := Codes()
	if !slices.IsSortedFunc(codes, func(a, b ErrorCode) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Codes() is not sorted by Code")
	}
	for i, c := range codes {
		if i > 0 && codes[i-1].Code == c.Code {
			t.Errorf("duplicate code %q", c.Code)
		}
		if http.StatusText(c.Status) == "" || c.Status < 200 || c.Status > 599 {
			t.Errorf("%s: status %d is not a valid HTTP status", c.Code, c.Status)
		}
		if c.Message == "" || !strings.HasSuffix(c.Message, ".") {
			t.Errorf("%s: message %q is not a sentence", c.Code, c.Message)
		}
		if got, ok := LookupCode(c.Code); !ok || got != c {
			t.Errorf("LookupCode(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
		}
	}

	codes[0].Status = 999
	codes[0].Code = "Changed"
	if Codes()[0].Status == 999 || Codes()[0].Code == "Changed" {
		t.Error("Codes() returns the table itself, not a copy")
	}
}
