package server

import (
	"context"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// The canned ACLs. An object's ACL may also be aclDefault: it then
// inherits its bucket's.
const (
	aclPrivate         = "private"
	aclPublicRead      = "public-read"
	aclPublicReadWrite = "public-read-write"
	aclDefault         = "default"
)

// defaultOwnerID is the owner shown for the default account.
const defaultOwnerID = "ossup"

func ownerOf(account string) ossxml.Owner {
	if account == "" {
		account = defaultOwnerID
	}
	return ossxml.Owner{ID: account, DisplayName: account}
}

func accessDenied(msg string) error {
	return newError(ossxml.CodeAccessDenied, msg)
}

// grants reports whether a canned ACL lets callers other than the owner
// do what access names.
func grants(acl string, access accessKind) bool {
	switch access {
	case accessRead:
		return acl == aclPublicRead || acl == aclPublicReadWrite
	case accessWrite:
		return acl == aclPublicReadWrite
	}
	return false
}

// effectiveACL is the ACL that governs version (empty: the current
// object) of b/key for callers other than the owner: the version's own,
// unless it is default (or the version does not exist), then the
// bucket's.
func (s *Server) effectiveACL(ctx context.Context, b store.Bucket, key, version string) string {
	if o, err := s.store.HeadVersion(ctx, b.Name, key, version); err == nil && o.Meta.ACL != "" && o.Meta.ACL != aclDefault {
		return o.Meta.ACL
	}
	return b.ACL
}

// authorize applies OSS's access model to a verified request, received
// as r. ListBuckets and PutBucket need a signature from any account. The
// bucket policy's operations are the bucket owner's alone and are not
// subject to the policy. Every other request is checked against the
// bucket's policy first (see bucketPolicy.evaluate): a Deny that applies
// refuses it, the owner included when the statement reaches the owner.
// Then the owner may do anything; anyone else may do what an Allow that
// applies grants, or else what the ACLs grant: an object's own ACL takes
// precedence over its bucket's, public-read grants reads and
// public-read-write grants reads and object writes. Bucket administration
// and ACL operations are otherwise the owner's alone.
func (s *Server) authorize(ctx context.Context, r *http.Request, rq *request) error {
	op := rq.op
	if op.access == accessSigned {
		if rq.id.Anonymous() {
			return accessDenied("You have no right to access this resource: the request is anonymous.")
		}
		return nil
	}
	if policyOps[op.name] {
		if !rq.owner() {
			return accessDenied("You have no right to access this resource: only the bucket owner may do this.")
		}
		return nil
	}
	v, err := s.policyVerdict(ctx, r, rq)
	if err != nil {
		return err
	}
	if v == policyDeny {
		if op.name != "DeleteMultipleObjects" {
			return deniedByPolicy()
		}
		v = policySilent
	}
	// A batch's keys and versions are in its body: deleteObjects judges
	// each of them against the policy.
	rq.policyPerKey = op.name == "DeleteMultipleObjects"
	if rq.owner() {
		return nil
	}
	if v != policyAllow {
		if op.access == accessOwner {
			return accessDenied("You have no right to access this resource: only the bucket owner may do this.")
		}
		acl := rq.b.ACL
		if op.object {
			acl = s.effectiveACL(ctx, rq.b, rq.key, rq.query.Get("versionId"))
		}
		if !grants(acl, op.access) {
			return accessDenied("You have no right to access this resource: the ACL does not grant it.")
		}
	}
	if rq.id.Anonymous() && op.name == "GetObject" {
		for param := range responseOverrides {
			if rq.has(param) {
				return accessDenied("Anonymous requests cannot override response headers; sign the request.")
			}
		}
	}
	return nil
}

// putObjectACL answers PutObjectAcl: x-oss-object-acl replaces the
// object's ACL, its data untouched.
func (s *Server) putObjectACL(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	acl, err := objectACL(r)
	if err != nil {
		return err
	}
	if acl == "" && rq.s3 {
		return s3GrantsRefused()
	}
	if acl == "" {
		return invalidArgument("x-oss-object-acl", "", "The x-oss-object-acl header is required.")
	}
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	if err := s.store.SetObjectACL(ctx, rq.bucket, rq.key, version, acl); err != nil {
		return storeError(err, rq)
	}
	if version != "" {
		w.Header().Set("x-oss-version-id", version)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectACL answers GetObjectAcl: the object's own ACL, or "default"
// when it inherits the bucket's.
func (s *Server) getObjectACL(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	obj, err := s.store.HeadVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return versionedError(w, err, obj, rq)
	}
	setVersionHeaders(w.Header(), obj)
	if rq.s3 {
		return writeS3ACL(w, rq.b.Owner, obj.Meta.ACL, rq.b.ACL)
	}
	acl := obj.Meta.ACL
	if acl == "" {
		acl = aclDefault
	}
	return writeXML(w, &ossxml.AccessControlPolicy{Owner: ownerOf(rq.b.Owner), AccessControlList: ossxml.AccessControlList{Grant: acl}})
}
