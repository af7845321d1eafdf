// Package server is an object storage server that speaks the Alibaba Cloud
// OSS protocol well enough that the official OSS SDKs work against it
// unchanged: buckets, objects, listings, the whole multipart API, upload
// callbacks, Signature V1 and V4 (header and presigned), path-style and
// virtual-hosted addressing, lifecycle rules that expire objects, move
// them to colder storage classes and abort incomplete multipart uploads,
// which a background sweep applies until [Server.Close], and uploads from
// web pages: bucket CORS rules (answered preflights and Access-Control
// headers) and PostObject, the browser form upload signed by a V1 or V4
// policy. Access is governed by bucket ACLs, object ACLs and bucket
// policies (PutBucketPolicy): a policy's Deny refuses a request whatever
// the ACLs grant, its Allow grants what they do not.
//
// Some bucket configurations are stored, validated and returned but not
// enforced, since on a single node they have nothing to act on: logging,
// website, inventory, replication, transfer acceleration, request
// payment, resource group, access monitor and HTTPS (TLS versions).
//
// It is a real store, not a mock: [Open] keeps metadata in bbolt and content
// in fsynced blob files under the data directory (see package store), so it
// survives restarts and crashes. It is meant for development, CI and small
// single-node use.
//
// A [Server] is an [http.Handler]. It routes requests itself rather than
// through http.ServeMux, which would clean paths and so corrupt keys such as
// "a//b" or "dir/". Every response carries x-oss-request-id and Date; errors
// are OSS <Error> XML bodies, or an x-oss-err header on bodiless HEAD
// responses, with the code and status of the shared error table.
package server
