// Package oss is a client for Alibaba Cloud Object Storage Service (OSS),
// and for any server that speaks its protocol, such as ossup's own.
//
// A [Client] is built once with [New] from a [Config] and is safe for
// concurrent use. Every operation takes a context, signs its request
// (Signature V4 by default, V1 on request), retries transient failures
// with jittered exponential backoff, and checks the CRC-64 the service
// reports against the bytes that were sent or received.
//
// Errors the service answers with are *[ServiceError] values carrying the
// OSS error code, message, request id and host id; errors.Is matches them
// against sentinels such as [ErrNoSuchKey] and [ErrNoSuchUpload] by code.
// Failures on the client side (a refused connection, a cancelled context,
// a CRC mismatch) are wrapped with the name of the operation, as in
// "oss: PutObject: ...".
package oss
