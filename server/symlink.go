package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// escapeTarget percent-encodes a symlink target for
// x-oss-symlink-target: everything but unreserved characters and /, so
// that query and path unescaping (the two official SDKs differ) both
// read it back unchanged.
func escapeTarget(key string) string {
	return strings.ReplaceAll(url.PathEscape(key), "+", "%2B")
}

// putSymlink answers PutSymlink: x-oss-symlink-target (URL-encoded) names
// a key of the same bucket, which need not exist. The link carries the
// request's metadata, tags and ACL.
func (s *Server) putSymlink(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	raw := r.Header.Get("x-oss-symlink-target")
	if raw == "" {
		e := newError(ossxml.CodeMissingArgument, ossxml.MessageMissingArguments)
		e.body.ArgumentName = "x-oss-symlink-target"
		return e
	}
	target, err := url.QueryUnescape(raw)
	if err != nil {
		return invalidArgument("x-oss-symlink-target", raw, "The symlink target is not URL-encoded correctly.")
	}
	if err := validKey(target); err != nil {
		return err
	}
	meta, err := s.objectMetadata(ctx, r, rq)
	if err != nil {
		return err
	}
	obj, err := s.store.PutSymlink(ctx, rq.bucket, rq.key, target, meta, store.PutOptions{ForbidOverwrite: forbidOverwrite(r)})
	if err != nil {
		return storeError(err, rq)
	}
	w.Header().Set("ETag", quoteETag(obj.ETag))
	setVersionHeaders(w.Header(), obj)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getSymlink answers GetSymlink: the link's target, ETag, time and user
// metadata.
func (s *Server) getSymlink(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	version, err := versionParam(rq)
	if err != nil {
		return err
	}
	obj, err := s.store.HeadVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return versionedError(w, err, obj, rq)
	}
	if obj.Type != store.TypeSymlink {
		return newError(ossxml.CodeNotSymlink, "")
	}
	h := w.Header()
	h.Set("x-oss-symlink-target", escapeTarget(obj.Target))
	setUserMeta(h, obj)
	h.Set("ETag", quoteETag(obj.ETag))
	h.Set("Last-Modified", obj.Modified.UTC().Format(http.TimeFormat))
	setVersionHeaders(h, obj)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// throughLink is what GET and HEAD report for a symlink: the target's
// size, ETag, Content-MD5 and CRC-64, the later of the two modification
// times, and the link's own type and metadata.
func throughLink(link, target store.Object) store.Object {
	o := link
	o.Size, o.ETag, o.ContentMD5, o.CRC64 = target.Size, target.ETag, target.ContentMD5, target.CRC64
	if target.Modified.After(o.Modified) {
		o.Modified = target.Modified
	}
	return o
}

// symlinkTarget checks the target of link: 404 SymlinkTargetNotExist when
// it is missing, 400 InvalidTargetType when it is itself a symlink.
func symlinkTarget(err error, target store.Object) error {
	switch {
	case errors.Is(err, store.ErrNoSuchKey):
		return newError(ossxml.CodeSymlinkTargetNotExist, "")
	case err != nil:
		return err
	case target.Type == store.TypeSymlink:
		return newError(ossxml.CodeInvalidTargetType, "")
	}
	return nil
}

// openObject opens bucket/key for GET, following a symlink to its target.
// The version the request names is read; a symlink's target is read as
// its current object.
func (s *Server) openObject(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) (store.Object, store.ReadSeekCloser, error) {
	version, err := versionParam(rq)
	if err != nil {
		return store.Object{}, nil, err
	}
	obj, rd, err := s.store.OpenVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return store.Object{}, nil, versionedError(w, err, obj, rq)
	}
	if obj.Type != store.TypeSymlink {
		if err := s.checkReadable(obj); err != nil {
			_ = rd.Close()
			return store.Object{}, nil, err
		}
		return obj, rd, nil
	}
	_ = rd.Close() // a link has no content
	if err := s.readable(ctx, r, rq, copySource{bucket: rq.bucket, key: obj.Target}, "the symlink's target"); err != nil {
		return store.Object{}, nil, err
	}
	target, rd, err := s.store.OpenObject(ctx, rq.bucket, obj.Target)
	if err := symlinkTarget(err, target); err != nil {
		if rd != nil {
			_ = rd.Close()
		}
		return store.Object{}, nil, err
	}
	if err := s.checkReadable(target); err != nil {
		_ = rd.Close()
		return store.Object{}, nil, err
	}
	return throughLink(obj, target), rd, nil
}

// headObjectThrough is HeadObject following a symlink to its target.
func (s *Server) headObjectThrough(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) (store.Object, error) {
	version, err := versionParam(rq)
	if err != nil {
		return store.Object{}, err
	}
	obj, err := s.store.HeadVersion(ctx, rq.bucket, rq.key, version)
	if err != nil {
		return store.Object{}, versionedError(w, err, obj, rq)
	}
	if obj.Type != store.TypeSymlink {
		return obj, nil
	}
	if err := s.readable(ctx, r, rq, copySource{bucket: rq.bucket, key: obj.Target}, "the symlink's target"); err != nil {
		return store.Object{}, err
	}
	target, err := s.store.HeadObject(ctx, rq.bucket, obj.Target)
	if err := symlinkTarget(err, target); err != nil {
		return store.Object{}, err
	}
	return throughLink(obj, target), nil
}
