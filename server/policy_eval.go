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
	// actions are what the request needs, lower case ("oss:getobject"):
	// a Deny of any refuses it, an Allow grants it when Allows cover
	// every one.
	actions  []string
	resource string // "<bucket>" or "<bucket>/<key>"
	// batch is a request for objects its body names (DeleteMultipleObjects):
	// a Deny applies when its resources match some object of the bucket,
	// an Allow when they match every one.
	batch     bool
	account   string // the caller's account ID; empty when anonymous
	anonymous bool
	owner     bool // the caller owns the bucket
	cond      conditionContext
	// held, when not nil, remembers per statement whether its
	// conditions hold (0 not known, 1 they do, 2 not).
	held *[]int8
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
	"DeleteObjectTagging": "oss:DeleteObjectVersionTagging", "GetSymlink": "oss:GetObjectVersion",
}

// writeOps are the operations that write an object, with which
// x-oss-object-acl and x-oss-tagging set what PutObjectAcl and
// PutObjectTagging set.
var writeOps = map[string]bool{
	"PutObject": true, "CopyObject": true, "AppendObject": true, "PutSymlink": true,
	"InitiateMultipartUpload": true,
}

// policyActionsOf lists the actions rq, received as r, needs, lower case:
// its operation's; with versionId, the version action as well (OSS asks
// for both); a write that sets an ACL or tags, PutObjectAcl or
// PutObjectTagging as well.
func policyActionsOf(r *http.Request, rq *request) []string {
	out := []string{strings.ToLower(policyActions[rq.op.name])}
	if a, ok := versionActions[rq.op.name]; ok && rq.has("versionId") {
		out = append(out, strings.ToLower(a))
	}
	if writeOps[rq.op.name] {
		if r.Header.Get("x-oss-object-acl") != "" {
			out = append(out, "oss:putobjectacl")
		}
		if r.Header.Get("x-oss-tagging") != "" {
			out = append(out, "oss:putobjecttagging")
		}
	}
	return out
}

// newPolicyRequest describes rq, received as r, to the policy of its
// bucket.
func newPolicyRequest(r *http.Request, rq *request) policyRequest {
	pr := policyRequest{
		actions:   policyActionsOf(r, rq),
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
	if a := pr.actions[0]; a == "oss:listobjects" || a == "oss:listobjectversions" {
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
	var allowed uint64 // bit i: an Allow covers actions[i]
	for i := range p.statements {
		st := &p.statements[i]
		if !st.coversPrincipal(req) || !st.coversResource(req) || !req.holds(i, st) {
			continue
		}
		for j, a := range req.actions {
			if !st.coversAction(a) {
				continue
			}
			if st.deny {
				return policyDeny
			}
			allowed |= 1 << j
		}
	}
	if len(req.actions) > 0 && allowed == 1<<len(req.actions)-1 {
		return policyAllow
	}
	return policySilent
}

// holds reports whether statement i's conditions hold, computing it once
// per request: they do not depend on the object, and a batch evaluates
// the policy once per key.
func (req policyRequest) holds(i int, st *policyStatement) bool {
	if len(st.conditions) == 0 {
		return true
	}
	if req.held == nil {
		return st.holds(req.cond)
	}
	if (*req.held)[i] == 0 {
		(*req.held)[i] = 2
		if st.holds(req.cond) {
			(*req.held)[i] = 1
		}
	}
	return (*req.held)[i] == 1
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
// reading version (empty: the current object) of b/key for the caller
// of rq.
func (s *Server) sourceVerdict(ctx context.Context, r *http.Request, rq *request, b store.Bucket, key, version string) (verdict, error) {
	p, err := s.bucketPolicy(ctx, b)
	if err != nil || p == nil {
		return policySilent, err
	}
	pr := newPolicyRequest(r, rq)
	pr.actions, pr.resource, pr.batch = []string{"oss:getobject"}, b.Name+"/"+key, false
	if version != "" {
		pr.actions = append(pr.actions, "oss:getobjectversion")
	}
	pr.owner = !pr.anonymous && rq.account == b.Owner
	pr.cond.listing, pr.cond.prefix, pr.cond.delimiter = false, "", ""
	return p.evaluate(pr), nil
}

// keyDenier returns the judge of the objects a DeleteMultipleObjects
// names, as rq's caller deleting each (oss:DeleteObject, and
// oss:DeleteObjectVersion for a version too): true for those the bucket
// policy denies. It evaluates each statement's conditions once.
func (s *Server) keyDenier(ctx context.Context, r *http.Request, rq *request) (func(store.ObjectVersion) bool, error) {
	p, err := s.bucketPolicy(ctx, rq.b)
	if err != nil || p == nil {
		return func(store.ObjectVersion) bool { return false }, err
	}
	pr := newPolicyRequest(r, rq)
	pr.batch = false
	held := make([]int8, len(p.statements))
	pr.held = &held
	return func(o store.ObjectVersion) bool {
		pr.resource = rq.bucket + "/" + o.Key
		pr.actions = []string{"oss:deleteobject"}
		if o.VersionID != "" {
			pr.actions = append(pr.actions, "oss:deleteobjectversion")
		}
		return p.evaluate(pr) == policyDeny
	}, nil
}

func deniedByPolicy() error {
	return accessDenied("Access denied by bucket policy.")
}
