// Package sign implements the two request-signing schemes of Alibaba Cloud
// Object Storage Service: Signature V1 (HMAC-SHA1, "OSS ak:sig") and
// Signature V4 (OSS4-HMAC-SHA256), each in its header form and its presigned
// query form, with optional STS security tokens.
//
// One package serves both sides of the wire. The client calls
// [Signer.Sign] or [Signer.Presign]; the server calls [Verifier.Verify].
// Both build the string to sign with the same canonicalisation code, so a
// request signed here verifies here by construction, and the test vectors of
// the official SDKs pin that code to what real OSS computes.
//
// Canonicalisation needs the bucket and the decoded object key, which only
// the router knows (path-style and virtual-hosted requests spell them
// differently), so every call takes a [Resource] alongside the request.
//
// Verification failures are *[Error] values whose [Kind] maps to an OSS error
// code ([Error.Code]): SignatureDoesNotMatch (with the string to sign, as OSS
// returns it), InvalidAccessKeyId, RequestTimeTooSkewed, AccessDenied for an
// expired presigned URL or a missing date, and InvalidArgument for a
// malformed Authorization header or presign parameters, a repeated
// authentication header or parameter, a malformed x-oss-content-sha256, and
// a V4 credential scope whose region (see [Verifier.Region]), product or
// date is not the one expected.
//
// A hex x-oss-content-sha256 is signed like any header, but only the body
// can prove it: [PayloadHash] returns the digest, and the server compares it
// with the body it reads.
//
// The package also implements AWS Signature Version 4 as S3 speaks it
// (AWS4-HMAC-SHA256, service "s3"), for S3-compatible stores and S3
// clients: [AWSSigner] signs, [AWSVerifier] verifies, and [AWSChunked] and
// [AWSChunkedReader] encode and decode aws-chunked streaming bodies with
// their chunk signatures and trailing checksums. Its failures are *[Error]
// values too; [Error.S3Code] and [Error.S3Status] give the S3 error code
// and HTTP status of each.
package sign
