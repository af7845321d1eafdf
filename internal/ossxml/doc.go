// Package ossxml holds the XML bodies of the Alibaba Cloud Object Storage
// Service operations that the client (package oss) and the emulator (package
// server) speak, so that both sides read and write one set of structs.
//
// # Types
//
// Every request and response body of the protocol subset has a struct whose
// Go name is its root element, except [ListBucketV2Result], whose root is
// ListBucketResult like the V1 listing. Field names follow Go initialisms
// (UploadID for UploadId); the xml tags carry the wire names. Elements the
// protocol marks as optional are omitted when empty; counts, markers and
// flags the SDKs parse unconditionally are always written.
//
// Timestamps are [Time] values, written as 2006-01-02T15:04:05.000Z (UTC,
// milliseconds) because both official SDKs parse them with [time.Time].
//
// # Encoding and decoding
//
// Use [Marshal] and [Unmarshal] rather than encoding/xml directly.
// [Marshal] adds the XML prolog and writes characters that XML 1.0 forbids
// (control characters in object keys) as character references, the way the
// v1 SDK does. [Unmarshal] accepts such references, which encoding/xml
// rejects; it also checks the root element, ignores unknown elements and
// namespaces, and rejects malformed or trailing data. [DecodeDelete]
// decodes a DeleteMultipleObjects body the same way as it streams in, and
// stops as soon as it names more objects than allowed, so that a large body
// costs no more memory than a valid one.
//
// # encoding-type=url
//
// Listing results can carry keys that XML cannot. When a request asks for
// encoding-type=url, the server calls EncodeURL on the result, which
// percent-encodes exactly the fields OSS encodes ([EscapeURL]) and sets
// EncodingType to [EncodingURL]; the client calls DecodeURL, which reverses it
// when the response says so.
//
// # Errors
//
// [Error] is the <Error> body. [EncodeErrHeader] and [DecodeErrHeader] carry
// it in the x-oss-err header of bodiless (HEAD) responses. [LookupCode] and
// [Codes] give the one table of OSS error codes, HTTP statuses and default
// messages that both client and server use.
package ossxml
