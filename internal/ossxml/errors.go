package ossxml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Error is the <Error> body OSS sends with every error status except 304,
// and base64-encoded in the x-oss-err header of bodiless (HEAD) responses.
// It is a wire struct, not a Go error.
//
// Code, Message, RequestID and HostID are always written. The rest are
// written only when set: EC is the detail code (also sent in the x-oss-ec
// header), RecommendDoc a troubleshooting URL, and the others name what the
// error is about, informationally.
type Error struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestID string `xml:"RequestId"` // same as the x-oss-request-id header
	HostID    string `xml:"HostId"`    // the host the client addressed

	Key               string `xml:"Key,omitempty"`               // NoSuchKey
	BucketName        string `xml:"BucketName,omitempty"`        // NoSuchBucket, BucketNotEmpty
	UploadID          string `xml:"UploadId,omitempty"`          // NoSuchUpload
	ArgumentName      string `xml:"ArgumentName,omitempty"`      // InvalidArgument
	ArgumentValue     string `xml:"ArgumentValue,omitempty"`     // InvalidArgument
	SignatureProvided string `xml:"SignatureProvided,omitempty"` // SignatureDoesNotMatch
	StringToSign      string `xml:"StringToSign,omitempty"`      // SignatureDoesNotMatch
	OSSAccessKeyID    string `xml:"OSSAccessKeyId,omitempty"`    // SignatureDoesNotMatch
	Endpoint          string `xml:"Endpoint,omitempty"`          // AccessDenied: wrong endpoint for the bucket

	// RequestTimeTooSkewed: the request's time and the server's, RFC 3339
	// UTC with milliseconds, and the skew allowed.
	RequestTime                string `xml:"RequestTime,omitempty"`
	ServerTime                 string `xml:"ServerTime,omitempty"`
	MaxAllowedSkewMilliseconds int64  `xml:"MaxAllowedSkewMilliseconds,omitempty"`

	EC           string `xml:"EC,omitempty"`
	RecommendDoc string `xml:"RecommendDoc,omitempty"`
}

func (Error) rootName() string { return "Error" }

// EncodeErrHeader returns the value of the x-oss-err header for a bodiless
// error response: the standard base64 encoding of [Marshal](e), prolog
// included, which both SDKs decode when the body is empty.
func EncodeErrHeader(e *Error) (string, error) {
	if e == nil {
		return "", errors.New("ossxml: encode x-oss-err: nil error body")
	}
	b, err := Marshal(e)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeErrHeader decodes an x-oss-err header value into the <Error> body it
// carries. It accepts standard base64 with or without padding.
func DecodeErrHeader(v string) (*Error, error) {
	v = strings.TrimSpace(v)
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		var rawErr error
		if b, rawErr = base64.RawStdEncoding.DecodeString(v); rawErr != nil {
			return nil, fmt.Errorf("ossxml: decode x-oss-err: %w", err)
		}
	}
	var e Error
	if err := Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("ossxml: decode x-oss-err: %w", err)
	}
	return &e, nil
}
