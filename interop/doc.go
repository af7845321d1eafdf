// Package interop checks that the official Alibaba Cloud OSS Go SDKs work,
// unchanged, against the ossup server.
//
// It lives in its own module so that the SDKs never become dependencies of
// the product: github.com/aliyun/aliyun-oss-go-sdk ("v1 SDK") and
// github.com/aliyun/alibabacloud-oss-go-sdk-v2 ("v2 SDK") are required here
// and nowhere else.
//
// The package has no non-test code. Its tests start the server on loopback
// with httptest.NewServer and a fresh data directory, and drive both SDKs
// against it, each with Signature V1 and with Signature V4: buckets, objects,
// listings, presigned URLs, every multipart call, the SDKs' error types, and
// each SDK's own resumable uploader and downloader with checkpoints,
// interrupted by a fault-injecting middleware and then resumed. Copies
// (CopyObject, UploadPartCopy, the v1 SDK's CopyFile, the v2 SDK's Copier),
// appends, symlinks and object tags go through both SDKs too. Every object
// is compared byte for byte (MD5 and CRC-64) with what was sent.
//
// Run them with
//
//	cd interop && go test -race ./...
//
// TestOssutil also drives Alibaba Cloud's ossutil command-line tool
// (1.7.19) when the environment variable OSSUP_OSSUTIL names its binary;
// .ci/run builds one.
package interop
