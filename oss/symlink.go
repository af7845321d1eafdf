package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// PutSymlinkRequest creates a symlink: an object whose reads (GetObject,
// HeadObject) are served by its target.
type PutSymlinkRequest struct {
	// Bucket and Key name the symlink.
	Bucket string
	Key    string
	// Target is the key the symlink points to, in the same bucket. It
	// need not exist yet.
	Target string
	// ObjectMetadata is the symlink's own metadata: its ACL, StorageClass,
	// User metadata and Content-Type are stored; Tags, when set, are sent.
	ObjectMetadata ObjectMetadata
	// ForbidOverwrite fails with ErrFileAlreadyExists if Key exists.
	ForbidOverwrite bool
}

// PutSymlinkResult is what the service answered to a PutSymlink.
type PutSymlinkResult struct {
	// VersionID is the symlink's version, in a versioned bucket.
	VersionID string
	RequestID string
}

// PutSymlink creates or replaces the symlink req.Key pointing to
// req.Target.
func (c *Client) PutSymlink(ctx context.Context, req *PutSymlinkRequest) (*PutSymlinkResult, error) {
	op := &operation{name: "PutSymlink", method: http.MethodPut, bucket: req.Bucket, key: req.Key, header: http.Header{},
		query: url.Values{"symlink": {""}}}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	if err := checkObject(req.Bucket, req.Target); err != nil {
		return nil, op.wrap(fmt.Errorf("target: %w", err))
	}
	if err := req.ObjectMetadata.apply(op.header); err != nil {
		return nil, op.wrap(err)
	}
	op.header.Set("x-oss-symlink-target", queryEscape(req.Target))
	if req.ForbidOverwrite {
		op.header.Set("x-oss-forbid-overwrite", "true")
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	return &PutSymlinkResult{VersionID: h.Get("x-oss-version-id"), RequestID: h.Get("x-oss-request-id")}, nil
}

// GetSymlinkRequest names the symlink to read.
type GetSymlinkRequest struct {
	Bucket string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// GetSymlinkResult describes a symlink.
type GetSymlinkResult struct {
	// Target is the key the symlink points to.
	Target string
	ETag   string
	// User is the symlink's user metadata, names lower-cased.
	User      map[string]string
	VersionID string
	RequestID string
}

// GetSymlink returns the target of the symlink req.Key. A Key that is not
// a symlink fails with ErrNotSymlink.
func (c *Client) GetSymlink(ctx context.Context, req *GetSymlinkRequest) (*GetSymlinkResult, error) {
	op := &operation{name: "GetSymlink", method: http.MethodGet, bucket: req.Bucket, key: req.Key, query: versionQuery("symlink", req.VersionID)}
	if err := checkObject(req.Bucket, req.Key); err != nil {
		return nil, op.wrap(err)
	}
	h, err := c.doHeaders(ctx, op)
	if err != nil {
		return nil, err
	}
	res := &GetSymlinkResult{ETag: h.Get("ETag"), VersionID: h.Get("x-oss-version-id"), RequestID: h.Get("x-oss-request-id")}
	raw := h.Get("x-oss-symlink-target")
	if raw == "" {
		return nil, op.wrap(fmt.Errorf("the service named no symlink target (request id %s)", res.RequestID))
	}
	if res.Target, err = url.QueryUnescape(raw); err != nil {
		return nil, op.wrap(fmt.Errorf("unreadable x-oss-symlink-target %q (request id %s)", raw, res.RequestID))
	}
	res.User = objectInfo(h).ObjectMetadata.User
	return res, nil
}
