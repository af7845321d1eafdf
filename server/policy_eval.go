package server

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/ossup/ossup/server/store"
)

// policyActions maps each operation of the operations table to the OSS
// action a policy names it by. Several operations share one: every way of
// writing an object (parts, appends, copies, symlinks and form uploads
// included) is oss:PutObject, every way of reading one oss:GetObject.
var policyActions = map[string]string{
	"ListBuckets": "oss:ListBuckets", "PutBucket": "oss:PutBucket",
	"PutBucketAcl": "oss:PutBucketAcl", "GetBucketAcl": "oss:GetBucketAcl",
	"GetBucketInfo": "oss:GetBucketInfo", "GetBucketLocation": "oss:GetBucketLocation",
	"ListMultipartUploads": "oss:ListMultipartUploads", "ListObjects": "oss:ListObjects",
	"HeadBucket": "oss:ListObjects", "DeleteBucket": "oss:DeleteBucket",
	"PutBucketLifecycle": "oss:PutBucketLifecycle", "GetBucketLifecycle": "oss:GetBucketLifecycle",
	"DeleteBucketLifecycle": "oss:DeleteBucketLifecycle",
	"PutBucketCors":         "oss:PutBucketCors", "GetBucketCors": "oss:GetBucketCors", "DeleteBucketCors": "oss:DeleteBucketCors",
	"ListObjectVersions": "oss:ListObjectVersions", "GetBucketVersioning": "oss:GetBucketVersioning",
	"PutBucketVersioning": "oss:PutBucketVersioning",
	"PutBucketReferer":    "oss:PutBucketReferer", "GetBucketReferer": "oss:GetBucketReferer",
	"GetBucketStat": "oss:GetBucketStat",
	"PutBucketTags": "oss:PutBucketTagging", "GetBucketTags": "oss:GetBucketTagging", "DeleteBucketTags": "oss:DeleteBucketTagging",
	"RestoreObject":    "oss:RestoreObject",
	"PutBucketLogging": "oss:PutBucketLogging", "GetBucketLogging": "oss:GetBucketLogging", "DeleteBucketLogging": "oss:DeleteBucketLogging",
	"PutBucketWebsite": "oss:PutBucketWebsite", "GetBucketWebsite": "oss:GetBucketWebsite", "DeleteBucketWebsite": "oss:DeleteBucketWebsite",
	"PutBucketInventory": "oss:PutBucketInventory", "GetBucketInventory": "oss:GetBucketInventory",
	"ListBucketInventory": "oss:GetBucketInventory", "DeleteBucketInventory": "oss:DeleteBucketInventory",
	"PutBucketReplication": "oss:PutBucketReplication", "DeleteBucketReplication": "oss:DeleteBucketReplication",
	"GetBucketReplication": "oss:GetBucketReplication", "GetBucketReplicationLocation": "oss:GetBucketReplicationLocation",
	"GetBucketReplicationProgress":  "oss:GetBucketReplicationProgress",
	"PutBucketTransferAcceleration": "oss:PutBucketTransferAcceleration", "GetBucketTransferAcceleration": "oss:GetBucketTransferAcceleration",
	"PutBucketRequestPayment": "oss:PutBucketRequestPayment", "GetBucketRequestPayment": "oss:GetBucketRequestPayment",
	"PutBucketResourceGroup": "oss:PutBucketResourceGroup", "GetBucketResourceGroup": "oss:GetBucketResourceGroup",
	"PutBucketAccessMonitor": "oss:PutBucketAccessMonitor", "GetBucketAccessMonitor": "oss:GetBucketAccessMonitor",
	"PutBucketHttpsConfig": "oss:PutBucketHttpsConfig", "GetBucketHttpsConfig": "oss:GetBucketHttpsConfig",
	"PutBucketPolicy": "oss:PutBucketPolicy", "GetBucketPolicy": "oss:GetBucketPolicy", "DeleteBucketPolicy": "oss:DeleteBucketPolicy",
	"PostObject": "oss:PutObject", "DeleteMultipleObjects": "oss:DeleteObject",
	"PutObject": "oss:PutObject", "UploadPart": "oss:PutObject", "CopyObject": "oss:PutObject",
	"UploadPartCopy": "oss:PutObject", "AppendObject": "oss:PutObject", "PutSymlink": "oss:PutObject",
	"GetSymlink": "oss:GetObject", "PutObjectTagging": "oss:PutObjectTagging",
	"GetObjectTagging": "oss:GetObjectTagging", "DeleteObjectTagging": "oss:DeleteObjectTagging",
	"PutObjectAcl": "oss:PutObjectAcl", "GetObjectAcl": "oss:GetObjectAcl",
	"GetObject": "oss:GetObject", "HeadObject": "oss:GetObject", "GetObjectMeta": "oss:GetObject",
	"DeleteObject": "oss:DeleteObject", "InitiateMultipartUpload": "oss:PutObject",
	"CompleteMultipartUpload": "oss:PutObject", "AbortMultipartUpload": "oss:AbortMultipartUpload",
	"ListParts": "oss:ListParts",
}

// verdict is what a policy says of a request.
type verdict int

const (
	// policySilent: no statement applies; the ACLs decide.
	policySilent verdict = iota
	// policyAllow: an Allow statement applies and no Deny does.
	policyAllow
	// policyDeny: a Deny statement applies.
	policyDeny
)

// policyRequest is what a policy is evaluated against.
type policyRequest struct {
	action   string // lower case: "oss:getobject"
	resource string // "<bucket>" or "<bucket>/<key>"
	// batch is a request for objects its body names (DeleteMultipleObjects):
	// a Deny applies when its resources match some object of the bucket,
	// an Allow when they match every one.
	batch     bool
	account   string // the caller's account ID; empty when anonymous
	anonymous bool
	owner     bool // the caller owns the bucket
	cond      conditionContext
}

// conditionContext holds the values condition keys are read from.
type conditionContext struct {
	sourceIP  netip.Addr
	hasIP     bool
	secure    bool
	userAgent string
	referer   string
	// listing is ListObjects or ListObjectVersions, which alone have
	// oss:Prefix and oss:Delimiter (empty when the request sends none).
	listing           bool
	prefix, delimiter string
}

// versionActions are the actions of the operations that name a version
// with versionId, which a policy names apart from the same operation on
// the current object.
var versionActions = map[string]string{
	"GetObject": "oss:GetObjectVersion", "HeadObject": "oss:GetObjectVersion",
	"GetObjectMeta": "oss:GetObjectVersion", "DeleteObject": "oss:DeleteObjectVersion",
	"PutObjectAcl": "oss:PutObjectVersionAcl", "GetObjectAcl": "oss:GetObjectVersionAcl",
	"PutObjectTagging": "oss:PutObjectVersionTagging", "GetObjectTagging": "oss:GetObjectVersionTagging",
	"DeleteObjectTagging": "oss:DeleteObjectVersionTagging",
}

// policyAction is the action rq asks for.
func policyAction(rq *request) string {
	if a, ok := versionActions[rq.op.name]; ok && rq.has("versionId") {
		return a
	}
	return policyActions[rq.op.name]
}

// newPolicyRequest describes rq, received as r, to the policy of its
// bucket.
func newPolicyRequest(r *http.Request, rq *request) policyRequest {
	pr := policyRequest{
		action:    strings.ToLower(policyAction(rq)),
		resource:  rq.bucket,
		batch:     rq.op.name == "DeleteMultipleObjects",
		anonymous: rq.id.Anonymous(),
		owner:     rq.owner(),
	}
	if rq.key != "" {
		pr.resource += "/" + rq.key
	}
	if !pr.anonymous {
		pr.account = ownerOf(rq.account).ID
	}
	pr.cond = conditionContext{secure: r.TLS != nil, userAgent: r.UserAgent(), referer: r.Referer()}
	pr.cond.sourceIP, pr.cond.hasIP = sourceAddr(r)
	if pr.action == "oss:listobjects" || pr.action == "oss:listobjectversions" {
		pr.cond.listing = true
		pr.cond.prefix, pr.cond.delimiter = rq.query.Get("prefix"), rq.query.Get("delimiter")
	}
	return pr
}

// evaluate applies the policy to a request: any Deny that applies
// denies, else any Allow that applies allows. The bucket owner is subject
// only to statements that name its account, and to statements for "*"
// that carry a condition, as on OSS: a bare "*" means everyone else.
func (p *bucketPolicy) evaluate(req policyRequest) verdict {
	if p == nil {
		return policySilent
	}
	v := policySilent
	for i := range p.statements {
		st := &p.statements[i]
		if !st.appliesTo(req) {
			continue
		}
		if st.deny {
			return policyDeny
		}
		v = policyAllow
	}
	return v
}

func (st *policyStatement) appliesTo(req policyRequest) bool {
	return st.coversPrincipal(req) && st.coversAction(req.action) && st.coversResource(req) && st.holds(req.cond)
}

func (st *policyStatement) coversPrincipal(req policyRequest) bool {
	switch {
	case req.anonymous:
		return st.anyone
	case st.anyone && (!req.owner || len(st.conditions) > 0):
		return true
	}
	for _, a := range st.accounts {
		if a == req.account {
			return true
		}
	}
	return false
}

func (st *policyStatement) coversAction(action string) bool {
	for _, a := range st.actions {
		if glob(a, action) {
			return true
		}
	}
	return false
}

func (st *policyStatement) coversResource(req policyRequest) bool {
	for _, r := range st.resources {
		switch {
		case !req.batch:
			if glob(r.pattern, req.resource) {
				return true
			}
		case st.deny && r.someObject, !st.deny && r.allObjects:
			return true
		}
	}
	return false
}

// policyVerdict evaluates the policy of rq's bucket against rq.
func (s *Server) policyVerdict(ctx context.Context, r *http.Request, rq *request) (verdict, error) {
	p, err := s.bucketPolicy(ctx, rq.b)
	if err != nil || p == nil {
		return policySilent, err
	}
	return p.evaluate(newPolicyRequest(r, rq)), nil
}

// sourceVerdict evaluates the policy of a copy source's bucket b against
// reading src/key for the caller of rq.
func (s *Server) sourceVerdict(ctx context.Context, r *http.Request, rq *request, b store.Bucket, key string) (verdict, error) {
	p, err := s.bucketPolicy(ctx, b)
	if err != nil || p == nil {
		return policySilent, err
	}
	pr := newPolicyRequest(r, rq)
	pr.action, pr.resource, pr.batch = "oss:getobject", b.Name+"/"+key, false
	pr.owner = !pr.anonymous && rq.account == b.Owner
	pr.cond.listing, pr.cond.prefix, pr.cond.delimiter = false, "", ""
	return p.evaluate(pr), nil
}

// keyDenied reports whether the bucket policy denies the caller of rq
// deleting o, one object of a DeleteMultipleObjects.
func (s *Server) keyDenied(ctx context.Context, r *http.Request, rq *request, o store.ObjectVersion) (bool, error) {
	p, err := s.bucketPolicy(ctx, rq.b)
	if err != nil || p == nil {
		return false, err
	}
	pr := newPolicyRequest(r, rq)
	pr.action, pr.resource, pr.batch = "oss:deleteobject", rq.bucket+"/"+o.Key, false
	if o.VersionID != "" {
		pr.action = "oss:deleteobjectversion"
	}
	return p.evaluate(pr) == policyDeny, nil
}

func deniedByPolicy() error {
	return accessDenied("Access denied by bucket policy.")
}
