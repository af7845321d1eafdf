package oss

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Callback asks OSS to POST to an application server once an upload
// (PutObject or CompleteMultipartUpload) is stored; the server's reply
// becomes the upload's result body. Body is a template: ${bucket},
// ${object}, ${etag}, ${size}, ${mimeType} and the Vars are substituted.
type Callback struct {
	// URL is the callback URL; up to five, separated by ';', tried in order.
	URL string
	// Host is the Host header of the callback request; empty means the URL's.
	Host string
	// Body is the template of the callback request body.
	Body string
	// BodyType is application/x-www-form-urlencoded (the default) or
	// application/json.
	BodyType string
	// SNI sends the server name on https callbacks.
	SNI bool
	// Vars are custom variables; names must start with "x:".
	Vars map[string]string
}

// apply encodes cb into the x-oss-callback and x-oss-callback-var headers.
func (cb *Callback) apply(h http.Header) error {
	if cb == nil {
		return nil
	}
	if cb.URL == "" || cb.Body == "" {
		return fmt.Errorf("callback needs a URL and a body: %w", ErrInvalidArgument)
	}
	spec := map[string]any{"callbackUrl": cb.URL, "callbackBody": cb.Body}
	if cb.Host != "" {
		spec["callbackHost"] = cb.Host
	}
	if cb.BodyType != "" {
		spec["callbackBodyType"] = cb.BodyType
	}
	if cb.SNI {
		spec["callbackSNI"] = true
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	h.Set("x-oss-callback", base64.StdEncoding.EncodeToString(b))
	if len(cb.Vars) == 0 {
		return nil
	}
	for k := range cb.Vars {
		if !strings.HasPrefix(k, "x:") {
			return fmt.Errorf("callback variable %q must start with x: %w", k, ErrInvalidArgument)
		}
	}
	v, err := json.Marshal(cb.Vars)
	if err != nil {
		return err
	}
	h.Set("x-oss-callback-var", base64.StdEncoding.EncodeToString(v))
	return nil
}
