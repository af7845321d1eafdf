// Package oss is a client for Alibaba Cloud Object Storage Service (OSS),
// and for any server that speaks its protocol, such as ossup's own.
//
// A [Client] is built once with [New] from a [Config] and is safe for
// concurrent use. Every operation takes a context, signs its request
// (Signature V4 by default, V1 on request), retries transient failures
// (refused or reset connections, stalls, 5xx answers) with jittered
// exponential backoff within a time budget, and checks the CRC-64 the
// service reports against the bytes that were sent or received. An
// attempt on which no bytes move for Config.StallTimeout is cut off and
// retried; a slow one whose bytes move is never cut off. Copies, tagging,
// ACL and bucket configuration calls are idempotent and retried alike;
// [Client.AppendObject] is not, and recognises its own append when a retry
// follows a lost answer.
//
// Errors the service answers with are *[ServiceError] values carrying the
// OSS error code, message, request id and host id; errors.Is matches them
// against sentinels such as [ErrNoSuchKey] and [ErrNoSuchUpload] by code.
// Failures on the client side (a refused connection, a stall
// (*[StallError]), a spent retry budget ([ErrRetryBudgetSpent]), a
// cancelled context, a CRC mismatch) are wrapped with the name of the operation, as in
// "oss: PutObject: ...".
package oss
