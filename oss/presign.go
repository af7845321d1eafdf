package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ossup/ossup/internal/sign"
)

// DefaultPresignExpiry is how long a presigned URL stays valid when
// PresignRequest.Expires is zero.
const DefaultPresignExpiry = 15 * time.Minute

// PresignRequest describes a request to authorize ahead of time.
type PresignRequest struct {
	// Method is the HTTP method; empty means GET.
	Method string
	Bucket string
	Key    string
	// Expires is how long the URL stays valid: at least one second, at most
	// 7 days with Signature V4; zero means DefaultPresignExpiry.
	Expires time.Duration
	// Header holds headers the request will be sent with that are part of
	// the signature (Content-Type, Content-MD5, x-oss-*); the caller must
	// send exactly these.
	Header http.Header
	// Query holds extra query parameters, e.g. response-content-type.
	Query url.Values
}

// PresignResult is a presigned request.
type PresignResult struct {
	Method     string
	URL        string
	Header     http.Header // to send with the URL
	Expiration time.Time
}

// Presign returns a URL that anyone can use, without credentials, to make
// the described request until it expires. It signs with the client's
// signature version; nothing is sent.
func (c *Client) Presign(ctx context.Context, req *PresignRequest) (*PresignResult, error) {
	op := &operation{name: "Presign", bucket: req.Bucket, key: req.Key}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	expires := req.Expires
	if expires == 0 {
		expires = DefaultPresignExpiry
	}
	if expires < time.Second || ((c.s3 || c.signer.Version == sign.V4) && expires > sign.MaxPresignExpiry) {
		return nil, op.wrap(fmt.Errorf("expiry %v is outside 1s..7 days: %w", expires, ErrInvalidArgument))
	}
	if req.Bucket == "" && req.Key != "" {
		return nil, op.wrap(fmt.Errorf("a key needs a bucket: %w", ErrInvalidArgument))
	}
	u := c.objectURL(req.Bucket, req.Key, encodeQuery(req.Query))
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, op.wrap(err)
	}
	hr.URL = u
	hr.Header = req.Header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	creds, err := c.credentials(ctx)
	if err != nil {
		return nil, op.wrap(err)
	}
	now := c.now()
	if c.s3 {
		if err := toS3Header(hr.Header); err != nil {
			return nil, op.wrap(err)
		}
		err = c.awsSigner.Presign(hr, creds, now, expires)
	} else {
		err = c.signer.Presign(hr, sign.Resource{Bucket: req.Bucket, Key: req.Key}, creds, now, expires)
	}
	if err != nil {
		return nil, op.wrap(err)
	}
	return &PresignResult{Method: method, URL: hr.URL.String(), Header: hr.Header, Expiration: now.Add(expires)}, nil
}
