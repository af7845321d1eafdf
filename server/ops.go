package server

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/ossup/ossup/internal/ossxml"
)

// level is what a request addresses: the service, a bucket or an object.
type level int

const (
	levelService level = iota
	levelBucket
	levelObject
)

func levelOf(rq *request) level {
	switch {
	case rq.bucket == "":
		return levelService
	case rq.key == "":
		return levelBucket
	}
	return levelObject
}

// accessKind is what an operation needs from a caller who does not own
// the bucket.
type accessKind int

const (
	// accessRead is granted by public-read and public-read-write.
	accessRead accessKind = iota
	// accessWrite is granted by public-read-write.
	accessWrite
	// accessOwner is for the bucket's owner alone.
	accessOwner
	// accessSigned is for any account, never for anonymous callers
	// (ListBuckets, PutBucket).
	accessSigned
)

// operation is one OSS API operation the server implements, recognised by
// its method, the level it addresses, the sub-resources it needs (all of
// them present) and may take (nothing else present), and the header that
// selects it.
type operation struct {
	name     string
	level    level
	method   string
	sub      []string // required sub-resources
	optional []string // further sub-resources it accepts
	header   string   // selecting header that must be present; see selectingHeaders
	// comp, when set, is the value the comp sub-resource must have: it
	// tells apart operations that share their sub-resources
	// (PutBucketReplication and DeleteBucketReplication).
	comp   string
	access accessKind
	// object reports that access is decided by the object's ACL (when it
	// has one other than default) before the bucket's.
	object bool
	// form reports that the operation is authenticated by its form fields
	// (PostObject): its handler verifies and authorises the request once it
	// has read them, and dispatch does not.
	form bool
	run  func(*Server) handler
}

// selectingHeaders turn a request into a different operation than its
// method and sub-resources alone name: a PUT with x-oss-copy-source is
// CopyObject, not PutObject. An operation whose header is empty requires
// every one of them to be absent.
var selectingHeaders = []string{"x-oss-copy-source"}

// operations is the allowlist: a request that matches none of them is
// refused without touching any state.
var operations = []operation{
	{name: "ListBuckets", level: levelService, method: http.MethodGet, access: accessSigned, run: func(s *Server) handler { return s.listBuckets }},

	{name: "PutBucket", level: levelBucket, method: http.MethodPut, access: accessSigned, run: func(s *Server) handler { return s.putBucket }},
	{name: "PutBucketAcl", level: levelBucket, method: http.MethodPut, sub: []string{"acl"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketACL }},
	{name: "GetBucketAcl", level: levelBucket, method: http.MethodGet, sub: []string{"acl"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketACL }},
	{name: "GetBucketInfo", level: levelBucket, method: http.MethodGet, sub: []string{"bucketInfo"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketInfo }},
	{name: "GetBucketLocation", level: levelBucket, method: http.MethodGet, sub: []string{"location"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketLocation }},
	{name: "ListMultipartUploads", level: levelBucket, method: http.MethodGet, sub: []string{"uploads"}, access: accessRead, run: func(s *Server) handler { return s.listUploads }},
	{name: "ListObjects", level: levelBucket, method: http.MethodGet, access: accessRead, run: func(s *Server) handler { return s.listObjectsAny }},
	{name: "HeadBucket", level: levelBucket, method: http.MethodHead, access: accessRead, run: func(s *Server) handler { return s.headBucket }},
	{name: "DeleteBucket", level: levelBucket, method: http.MethodDelete, access: accessOwner, run: func(s *Server) handler { return s.deleteBucket }},
	{name: "PutBucketLifecycle", level: levelBucket, method: http.MethodPut, sub: []string{"lifecycle"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketLifecycle }},
	{name: "GetBucketLifecycle", level: levelBucket, method: http.MethodGet, sub: []string{"lifecycle"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketLifecycle }},
	{name: "DeleteBucketLifecycle", level: levelBucket, method: http.MethodDelete, sub: []string{"lifecycle"}, access: accessOwner, run: func(s *Server) handler { return s.deleteBucketLifecycle }},
	{name: "PutBucketCors", level: levelBucket, method: http.MethodPut, sub: []string{"cors"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketCors }},
	{name: "GetBucketCors", level: levelBucket, method: http.MethodGet, sub: []string{"cors"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketCors }},
	{name: "DeleteBucketCors", level: levelBucket, method: http.MethodDelete, sub: []string{"cors"}, access: accessOwner, run: func(s *Server) handler { return s.deleteBucketCors }},
	{name: "ListObjectVersions", level: levelBucket, method: http.MethodGet, sub: []string{"versions"}, access: accessRead, run: func(s *Server) handler { return s.listObjectVersions }},
	{name: "PutBucketVersioning", level: levelBucket, method: http.MethodPut, sub: []string{"versioning"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketVersioning }},
	{name: "GetBucketVersioning", level: levelBucket, method: http.MethodGet, sub: []string{"versioning"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketVersioning }},
	{name: "PutBucketReferer", level: levelBucket, method: http.MethodPut, sub: []string{"referer"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketReferer }},
	{name: "GetBucketReferer", level: levelBucket, method: http.MethodGet, sub: []string{"referer"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketReferer }},
	{name: "GetBucketStat", level: levelBucket, method: http.MethodGet, sub: []string{"stat"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketStat }},
	{name: "PutBucketTags", level: levelBucket, method: http.MethodPut, sub: []string{"tagging"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketTags }},
	{name: "GetBucketTags", level: levelBucket, method: http.MethodGet, sub: []string{"tagging"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketTags }},
	{name: "DeleteBucketTags", level: levelBucket, method: http.MethodDelete, sub: []string{"tagging"}, access: accessOwner, run: func(s *Server) handler { return s.deleteBucketTags }},
	{name: "PutBucketLogging", level: levelBucket, method: http.MethodPut, sub: []string{"logging"}, access: accessOwner, run: loggingConf.put},
	{name: "GetBucketLogging", level: levelBucket, method: http.MethodGet, sub: []string{"logging"}, access: accessOwner, run: loggingConf.get},
	{name: "DeleteBucketLogging", level: levelBucket, method: http.MethodDelete, sub: []string{"logging"}, access: accessOwner, run: loggingConf.del},
	{name: "PutBucketWebsite", level: levelBucket, method: http.MethodPut, sub: []string{"website"}, access: accessOwner, run: websiteConf.put},
	{name: "GetBucketWebsite", level: levelBucket, method: http.MethodGet, sub: []string{"website"}, access: accessOwner, run: websiteConf.get},
	{name: "DeleteBucketWebsite", level: levelBucket, method: http.MethodDelete, sub: []string{"website"}, access: accessOwner, run: websiteConf.del},
	{name: "PutBucketInventory", level: levelBucket, method: http.MethodPut, sub: []string{"inventory", "inventoryId"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketInventory }},
	{name: "GetBucketInventory", level: levelBucket, method: http.MethodGet, sub: []string{"inventory", "inventoryId"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketInventory }},
	{name: "ListBucketInventory", level: levelBucket, method: http.MethodGet, sub: []string{"inventory"}, access: accessOwner, run: func(s *Server) handler { return s.listBucketInventory }},
	{name: "DeleteBucketInventory", level: levelBucket, method: http.MethodDelete, sub: []string{"inventory", "inventoryId"}, access: accessOwner, run: func(s *Server) handler { return s.deleteBucketInventory }},
	{name: "PutBucketReplication", level: levelBucket, method: http.MethodPost, sub: []string{"replication", "comp"}, comp: "add", access: accessOwner, run: func(s *Server) handler { return s.putBucketReplication }},
	{name: "DeleteBucketReplication", level: levelBucket, method: http.MethodPost, sub: []string{"replication", "comp"}, comp: "delete", access: accessOwner, run: func(s *Server) handler { return s.deleteBucketReplication }},
	{name: "GetBucketReplication", level: levelBucket, method: http.MethodGet, sub: []string{"replication"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketReplication }},
	{name: "GetBucketReplicationLocation", level: levelBucket, method: http.MethodGet, sub: []string{"replicationLocation"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketReplicationLocation }},
	{name: "GetBucketReplicationProgress", level: levelBucket, method: http.MethodGet, sub: []string{"replicationProgress"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketReplicationProgress }},
	{name: "PutBucketTransferAcceleration", level: levelBucket, method: http.MethodPut, sub: []string{"transferAcceleration"}, access: accessOwner, run: transferAccelerationConf.put},
	{name: "GetBucketTransferAcceleration", level: levelBucket, method: http.MethodGet, sub: []string{"transferAcceleration"}, access: accessOwner, run: transferAccelerationConf.get},
	{name: "PutBucketRequestPayment", level: levelBucket, method: http.MethodPut, sub: []string{"requestPayment"}, access: accessOwner, run: requestPaymentConf.put},
	{name: "GetBucketRequestPayment", level: levelBucket, method: http.MethodGet, sub: []string{"requestPayment"}, access: accessOwner, run: requestPaymentConf.get},
	{name: "PutBucketResourceGroup", level: levelBucket, method: http.MethodPut, sub: []string{"resourceGroup"}, access: accessOwner, run: resourceGroupConf.put},
	{name: "GetBucketResourceGroup", level: levelBucket, method: http.MethodGet, sub: []string{"resourceGroup"}, access: accessOwner, run: resourceGroupConf.get},
	{name: "PutBucketAccessMonitor", level: levelBucket, method: http.MethodPut, sub: []string{"accessmonitor"}, access: accessOwner, run: accessMonitorConf.put},
	{name: "GetBucketAccessMonitor", level: levelBucket, method: http.MethodGet, sub: []string{"accessmonitor"}, access: accessOwner, run: accessMonitorConf.get},
	{name: "PutBucketHttpsConfig", level: levelBucket, method: http.MethodPut, sub: []string{"httpsConfig"}, access: accessOwner, run: httpsConf.put},
	{name: "GetBucketHttpsConfig", level: levelBucket, method: http.MethodGet, sub: []string{"httpsConfig"}, access: accessOwner, run: httpsConf.get},
	{name: "PutBucketPolicy", level: levelBucket, method: http.MethodPut, sub: []string{"policy"}, access: accessOwner, run: func(s *Server) handler { return s.putBucketPolicy }},
	{name: "GetBucketPolicy", level: levelBucket, method: http.MethodGet, sub: []string{"policy"}, access: accessOwner, run: func(s *Server) handler { return s.getBucketPolicy }},
	{name: "DeleteBucketPolicy", level: levelBucket, method: http.MethodDelete, sub: []string{"policy"}, access: accessOwner, run: func(s *Server) handler { return s.deleteBucketPolicy }},
	{name: "PostObject", level: levelBucket, method: http.MethodPost, access: accessWrite, object: true, form: true, run: func(s *Server) handler { return s.postObject }},
	{name: "DeleteMultipleObjects", level: levelBucket, method: http.MethodPost, sub: []string{"delete"}, access: accessWrite, run: func(s *Server) handler { return s.deleteObjects }},

	{name: "PutObject", level: levelObject, method: http.MethodPut, access: accessWrite, object: true, run: func(s *Server) handler { return s.putObject }},
	{name: "UploadPart", level: levelObject, method: http.MethodPut, sub: []string{"uploadId"}, optional: []string{"partNumber"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.uploadPart }},
	{name: "UploadPart", level: levelObject, method: http.MethodPut, sub: []string{"partNumber"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.uploadPart }},
	{name: "CopyObject", level: levelObject, method: http.MethodPut, header: "x-oss-copy-source", access: accessWrite, object: true, run: func(s *Server) handler { return s.copyObject }},
	{name: "UploadPartCopy", level: levelObject, method: http.MethodPut, sub: []string{"uploadId"}, optional: []string{"partNumber"}, header: "x-oss-copy-source", access: accessWrite, object: true, run: func(s *Server) handler { return s.uploadPartCopy }},
	{name: "UploadPartCopy", level: levelObject, method: http.MethodPut, sub: []string{"partNumber"}, header: "x-oss-copy-source", access: accessWrite, object: true, run: func(s *Server) handler { return s.uploadPartCopy }},
	{name: "AppendObject", level: levelObject, method: http.MethodPost, sub: []string{"append"}, optional: []string{"position"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.appendObject }},
	{name: "RestoreObject", level: levelObject, method: http.MethodPost, sub: []string{"restore"}, optional: []string{"versionId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.restoreObject }},
	{name: "PutSymlink", level: levelObject, method: http.MethodPut, sub: []string{"symlink"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.putSymlink }},
	{name: "GetSymlink", level: levelObject, method: http.MethodGet, sub: []string{"symlink"}, optional: []string{"versionId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.getSymlink }},
	{name: "PutObjectTagging", level: levelObject, method: http.MethodPut, sub: []string{"tagging"}, optional: []string{"versionId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.putObjectTagging }},
	{name: "GetObjectTagging", level: levelObject, method: http.MethodGet, sub: []string{"tagging"}, optional: []string{"versionId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.getObjectTagging }},
	{name: "DeleteObjectTagging", level: levelObject, method: http.MethodDelete, sub: []string{"tagging"}, optional: []string{"versionId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.deleteObjectTagging }},
	{name: "PutObjectAcl", level: levelObject, method: http.MethodPut, sub: []string{"acl"}, optional: []string{"versionId"}, access: accessOwner, run: func(s *Server) handler { return s.putObjectACL }},
	{name: "GetObjectAcl", level: levelObject, method: http.MethodGet, sub: []string{"acl"}, optional: []string{"versionId"}, access: accessOwner, run: func(s *Server) handler { return s.getObjectACL }},
	{name: "GetObject", level: levelObject, method: http.MethodGet, optional: []string{"versionId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.getObject }},
	{name: "HeadObject", level: levelObject, method: http.MethodHead, optional: []string{"versionId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.headObject }},
	{name: "GetObjectMeta", level: levelObject, method: http.MethodHead, sub: []string{"objectMeta"}, optional: []string{"versionId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.getObjectMeta }},
	{name: "DeleteObject", level: levelObject, method: http.MethodDelete, optional: []string{"versionId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.deleteObject }},
	{name: "InitiateMultipartUpload", level: levelObject, method: http.MethodPost, sub: []string{"uploads"}, optional: []string{"sequential"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.initiateUpload }},
	{name: "CompleteMultipartUpload", level: levelObject, method: http.MethodPost, sub: []string{"uploadId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.completeUpload }},
	{name: "AbortMultipartUpload", level: levelObject, method: http.MethodDelete, sub: []string{"uploadId"}, access: accessWrite, object: true, run: func(s *Server) handler { return s.abortUpload }},
	{name: "ListParts", level: levelObject, method: http.MethodGet, sub: []string{"uploadId"}, access: accessRead, object: true, run: func(s *Server) handler { return s.listParts }},
}

// plainParameters are query parameters that modify an operation without
// selecting one: listing options, response header overrides, the
// signature of a presigned URL, callbacks. Every other parameter that OSS
// names as a sub-resource, and every unknown parameter without a value,
// selects an operation.
var plainParameters = map[string]bool{
	"prefix": true, "marker": true, "max-keys": true, "delimiter": true, "encoding-type": true,
	"list-type": true, "continuation-token": true, "tag-key": true, "tag-value": true, "start-after": true, "fetch-owner": true,
	"key-marker": true, "upload-id-marker": true, "version-id-marker": true, "max-uploads": true,
	"max-parts": true, "part-number-marker": true,
	"response-content-type": true, "response-content-language": true, "response-expires": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
	"OSSAccessKeyId": true, "Expires": true, "Signature": true, "security-token": true,
	"x-oss-signature-version": true, "x-oss-credential": true, "x-oss-date": true, "x-oss-expires": true,
	"x-oss-signature": true, "x-oss-additional-headers": true, "x-oss-security-token": true,
	"callback": true, "callback-var": true, "x-oss-traffic-limit": true, "x-oss-request-payer": true,
	"rule-id": true,
	// S3: the operation name aws-sdk-go-v2 adds, and presigned URLs.
	"x-id": true, "X-Amz-Algorithm": true, "X-Amz-Credential": true, "X-Amz-Date": true,
	"X-Amz-Expires": true, "X-Amz-SignedHeaders": true, "X-Amz-Signature": true,
	"X-Amz-Security-Token": true, "X-Amz-Content-Sha256": true,
}

// subResources are the sub-resources of the OSS API reference, implemented
// here or not. A request naming one the server does not implement for its
// method is refused with NotImplemented; it never runs as another
// operation.
var subResources = []string{
	"acl", "uploads", "uploadId", "partNumber", "location", "bucketInfo", "stat", "delete",
	"objectMeta", "sequential", "append", "position", "symlink", "restore", "cleanRestoredObject",
	"tagging", "cors", "logging", "website", "referer", "lifecycle", "policy", "policyStatus",
	"encryption", "versioning", "versions", "versionId", "replication", "replicationProgress",
	"replicationLocation", "rtc", "inventory", "inventoryId", "worm", "wormId", "wormExtend",
	"cname", "comp", "qos", "qosInfo", "requesterQosInfo", "resourcePool", "resourcePoolInfo",
	"resourcePoolBuckets", "live", "status", "vod", "startTime", "endTime", "requestPayment",
	"transferAcceleration", "resourceGroup", "style", "styleName", "img", "x-oss-process",
	"x-oss-async-process", "select", "asyncFetch", "metaQuery", "accessPoint", "accessPointPolicy",
	"accessPointForObjectProcess", "publicAccessBlock", "overwriteConfig", "responseHeader",
	"accessmonitor", "regions", "regionList", "retention", "legalHold", "httpsConfig",
	"redundancyTransition", "dataRedundancyTransition", "objectInfo", "udf", "udfName", "udfImage",
	"udfApplication", "udfApplicationLog", "cloudboxes", "archiveDirectRead", "bucketArchiveDirectRead",
	"userDefinedLogFieldsConfig", "notification", "eventNotification", "mirror", "x-oss-rename",
	"withHashContext", "x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256",
	"x-oss-hash-ctx", "x-oss-md5-ctx", "link", "group", "vpcip", "dataAccelerator",
}

var knownSubResources = func() map[string]bool {
	m := make(map[string]bool, len(subResources))
	for _, s := range subResources {
		m[s] = true
	}
	return m
}()

// selectors returns the query parameters of q that select an operation, in
// sorted order.
func selectors(q url.Values) []string {
	var out []string
	for name, vs := range q {
		if plainParameters[name] {
			continue
		}
		if knownSubResources[name] || len(vs) == 0 || vs[0] == "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// route recognises the operation a request asks for. It is a pure function
// of the method, the level, the query and the headers. A request naming a
// sub-resource or selecting header that no implemented operation takes
// answers NotImplemented; a plain request with a method the resource does
// not support answers MethodNotAllowed.
func route(method string, lvl level, q url.Values, h http.Header) (*operation, error) {
	sel := selectors(q)
	header := ""
	for _, name := range selectingHeaders {
		if h.Get(name) != "" {
			header = name
			break
		}
	}
	for i := range operations {
		op := &operations[i]
		if op.level != lvl || op.method != method || op.header != header || (op.comp != "" && q.Get("comp") != op.comp) {
			continue
		}
		if matches(op, sel) {
			return op, nil
		}
	}
	if len(sel) > 0 || header != "" {
		return nil, newError(ossxml.CodeNotImplemented, "This operation is not implemented by this server.")
	}
	return nil, newError(ossxml.CodeMethodNotAllowed, "The specified method is not allowed against this resource.")
}

// matches reports whether sel holds every sub-resource op needs and no
// other than those it takes.
func matches(op *operation, sel []string) bool {
	for _, need := range op.sub {
		if !slices.Contains(sel, need) {
			return false
		}
	}
	for _, s := range sel {
		if !slices.Contains(op.sub, s) && !slices.Contains(op.optional, s) {
			return false
		}
	}
	return true
}
