package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ossup/ossup/internal/ossxml"
)

// The canned ACLs. ACLDefault is for objects only: such an object follows
// its bucket's ACL.
const (
	ACLPrivate         = "private"
	ACLPublicRead      = "public-read"
	ACLPublicReadWrite = "public-read-write"
	ACLDefault         = "default"
)

// checkACL rejects an ACL that is not a canned one (ACLDefault only when
// object says so).
func checkACL(acl string, object bool) error {
	switch acl {
	case ACLPrivate, ACLPublicRead, ACLPublicReadWrite:
		return nil
	case ACLDefault:
		if object {
			return nil
		}
	}
	want := "private, public-read or public-read-write"
	if object {
		want = "private, public-read, public-read-write or default"
	}
	return fmt.Errorf("acl %q is not %s: %w", acl, want, ErrInvalidArgument)
}

// Owner identifies the account that owns a bucket or object.
type Owner struct {
	ID          string
	DisplayName string
}

// PutObjectACLRequest sets an object's ACL.
type PutObjectACLRequest struct {
	Bucket string
	Key    string
	// ACL is ACLPrivate, ACLPublicRead, ACLPublicReadWrite or ACLDefault.
	ACL string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// PutObjectACLResult is what the service answered to a PutObjectAcl.
type PutObjectACLResult struct {
	RequestID string
}

// PutObjectACL replaces the ACL of an object, its bytes and metadata
// untouched.
func (c *Client) PutObjectACL(ctx context.Context, req *PutObjectACLRequest) (*PutObjectACLResult, error) {
	op := &operation{name: "PutObjectAcl", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: versionQuery("acl", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := checkACL(req.ACL, true); err != nil {
		return nil, op.wrap(err)
	}
	op.header.Set("x-oss-object-acl", req.ACL)
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &PutObjectACLResult{RequestID: id}, nil
}

// GetObjectACLRequest names the object whose ACL to read.
type GetObjectACLRequest struct {
	Bucket string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// GetObjectACLResult is an object's ACL.
type GetObjectACLResult struct {
	// ACL is the object's own ACL: ACLDefault when it follows its
	// bucket's.
	ACL       string
	Owner     Owner
	RequestID string
}

// GetObjectACL returns the ACL of an object.
func (c *Client) GetObjectACL(ctx context.Context, req *GetObjectACLRequest) (*GetObjectACLResult, error) {
	op := &operation{name: "GetObjectAcl", method: http.MethodGet, bucket: req.Bucket, key: req.Key, query: versionQuery("acl", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	var res ossxml.AccessControlPolicy
	id, err := c.doXML(ctx, op, nil, &res)
	if err != nil {
		return nil, err
	}
	return &GetObjectACLResult{ACL: res.AccessControlList.Grant, Owner: Owner(res.Owner), RequestID: id}, nil
}

// PutBucketACLRequest sets a bucket's ACL.
type PutBucketACLRequest struct {
	Bucket string
	// ACL is ACLPrivate, ACLPublicRead or ACLPublicReadWrite.
	ACL string
}

// PutBucketACLResult is what the service answered to a PutBucketAcl.
type PutBucketACLResult struct {
	RequestID string
}

// PutBucketACL replaces the ACL of a bucket.
func (c *Client) PutBucketACL(ctx context.Context, req *PutBucketACLRequest) (*PutBucketACLResult, error) {
	op := &operation{name: "PutBucketAcl", method: http.MethodPut, bucket: req.Bucket, header: http.Header{}, query: url.Values{"acl": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if err := checkACL(req.ACL, false); err != nil {
		return nil, op.wrap(err)
	}
	op.header.Set("x-oss-acl", req.ACL)
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketACLResult{RequestID: id}, nil
}

// GetBucketACLRequest names the bucket whose ACL to read.
type GetBucketACLRequest struct {
	Bucket string
}

// GetBucketACLResult is a bucket's ACL.
type GetBucketACLResult struct {
	ACL       string
	Owner     Owner
	RequestID string
}

// GetBucketACL returns the ACL of a bucket.
func (c *Client) GetBucketACL(ctx context.Context, req *GetBucketACLRequest) (*GetBucketACLResult, error) {
	op := &operation{name: "GetBucketAcl", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"acl": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var res ossxml.AccessControlPolicy
	id, err := c.doXML(ctx, op, nil, &res)
	if err != nil {
		return nil, err
	}
	return &GetBucketACLResult{ACL: res.AccessControlList.Grant, Owner: Owner(res.Owner), RequestID: id}, nil
}
