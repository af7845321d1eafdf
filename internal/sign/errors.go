package sign

import "time"

// Kind classifies a verification failure.
type Kind int

// The kinds of verification failure.
const (
	// KindSignatureMismatch: the signature does not match the request.
	KindSignatureMismatch Kind = iota + 1
	// KindInvalidAccessKeyID: the access key id is unknown.
	KindInvalidAccessKeyID
	// KindTimeSkewed: the request time is more than the allowed skew away
	// from the server's clock.
	KindTimeSkewed
	// KindExpired: a presigned URL is past its expiry.
	KindExpired
	// KindMissingDate: a header-signed request carries no usable date.
	KindMissingDate
	// KindInvalidToken: the STS security token does not belong to the key.
	KindInvalidToken
	// KindMalformed: the Authorization header or presign parameters cannot
	// be parsed or are out of range.
	KindMalformed
	// KindUnsupported: a signature scheme this package does not verify
	// (Signature V2, "OSS2").
	KindUnsupported
	// KindInvalidRegion: a V4 credential scope names a region other than
	// the Verifier's.
	KindInvalidRegion
	// KindInvalidProduct: a V4 credential scope names a product other than
	// DefaultProduct.
	KindInvalidProduct
	// KindInvalidDate: the date of a V4 credential scope is not the UTC
	// date of the request's timestamp.
	KindInvalidDate
)

// Error is a verification failure. Its Code is the OSS error code the server
// answers with; SignatureDoesNotMatch errors also carry the string to sign,
// which OSS returns so that clients can debug their canonicalisation.
type Error struct {
	Kind              Kind
	Message           string
	AccessKeyID       string
	StringToSign      string
	SignatureProvided string
	// ArgumentName and ArgumentValue name the bad input of an
	// InvalidArgument error, when there is one.
	ArgumentName  string
	ArgumentValue string
	// RequestTime, ServerTime and MaxSkew describe a KindTimeSkewed
	// failure: the request's time, the verifier's clock and the skew
	// allowed.
	RequestTime, ServerTime time.Time
	MaxSkew                 time.Duration
}

// Sentinels for errors.Is: an *Error matches the sentinel of its Kind.
var (
	ErrSignatureDoesNotMatch = &Error{Kind: KindSignatureMismatch}
	ErrInvalidAccessKeyID    = &Error{Kind: KindInvalidAccessKeyID}
	ErrRequestTimeTooSkewed  = &Error{Kind: KindTimeSkewed}
	ErrExpired               = &Error{Kind: KindExpired}
	ErrMissingDate           = &Error{Kind: KindMissingDate}
	ErrInvalidSecurityToken  = &Error{Kind: KindInvalidToken}
	ErrMalformed             = &Error{Kind: KindMalformed}
	ErrUnsupported           = &Error{Kind: KindUnsupported}
	ErrInvalidSigningRegion  = &Error{Kind: KindInvalidRegion}
	ErrInvalidSigningProduct = &Error{Kind: KindInvalidProduct}
	ErrInvalidSigningDate    = &Error{Kind: KindInvalidDate}
)

// Code returns the OSS error code for e: SignatureDoesNotMatch,
// InvalidAccessKeyId, RequestTimeTooSkewed, InvalidArgument or AccessDenied.
//
// A credential scope with the wrong region, product or date is
// InvalidArgument, as on OSS, which answers "Invalid signing region in
// Authorization header." (EC 0002-00000226), "Invalid signing product …"
// (0002-00000227) and "Invalid signing date …" with that code and 400.
func (e *Error) Code() string {
	switch e.Kind {
	case KindSignatureMismatch:
		return "SignatureDoesNotMatch"
	case KindInvalidAccessKeyID:
		return "InvalidAccessKeyId"
	case KindTimeSkewed:
		return "RequestTimeTooSkewed"
	case KindMalformed, KindInvalidRegion, KindInvalidProduct, KindInvalidDate:
		return "InvalidArgument"
	}
	return "AccessDenied"
}

// Error returns "sign: <code>: <message>".
func (e *Error) Error() string {
	if e.Message == "" {
		return "sign: " + e.Code()
	}
	return "sign: " + e.Code() + ": " + e.Message
}

// Is reports whether target is an *Error of the same Kind, so that
// errors.Is(err, sign.ErrExpired) works on wrapped errors.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}
