// Package limits holds the numeric limits of the OSS protocol, defined
// once for the client (package oss) and the server (package server and
// its store) alike.
package limits

const (
	// MinPartSize is the smallest size, in bytes, of every part of a
	// multipart upload but the last.
	MinPartSize = 100 << 10
	// MaxPartSize is the largest part, and the largest PutObject body, in
	// bytes (5 GiB).
	MaxPartSize = 5 << 30
	// MaxPartNumber is the highest part number, and so the most parts an
	// object can have.
	MaxPartNumber = 10000
	// MaxKeyLength is the longest object key, in bytes.
	MaxKeyLength = 1023
	// MinTrafficLimit and MaxTrafficLimit bound x-oss-traffic-limit, in
	// bits per second (100 KiB/s to 100 MiB/s).
	MinTrafficLimit = 819200
	MaxTrafficLimit = 838860800
	// MaxDeleteObjects is the most keys one DeleteMultipleObjects request
	// may name.
	MaxDeleteObjects = 1000
	// MaxObjectTags is the most tags an object may carry.
	MaxObjectTags = 10
	// MaxTagKeyLength and MaxTagValueLength bound an object tag's key
	// (at least one character) and value, in characters.
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
	// MaxBucketPolicySize is the largest bucket policy document, in bytes
	// (16 KiB).
	MaxBucketPolicySize = 16 << 10
)
