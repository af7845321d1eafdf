package server

import (
	"net/url"
	"strings"
)

// secretParams are the query parameters of a presigned URL that never
// reach a log: the signature, which grants the request to whoever holds it
// until the URL expires, the STS security token, and the credential (the
// access key id, alone in V1 or at the head of the V4 scope), which with a
// leaked secret is all an attacker needs to know.
var secretParams = []string{
	"Signature", "x-oss-signature", "security-token", "x-oss-security-token",
	"OSSAccessKeyId", "x-oss-credential",
}

// redacted replaces the value of a secret parameter in logs.
const redacted = "REDACTED"

// redactURL renders a request URL for a log line with the values of
// secretParams replaced by REDACTED. Names are compared after decoding and
// without regard to case, so that no spelling the verifier might accept
// slips through; every other byte of the URL is kept as it came.
func redactURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.String()
	}
	pairs := strings.Split(u.RawQuery, "&")
	changed := false
	for i, pair := range pairs {
		raw, _, _ := strings.Cut(pair, "=")
		name := raw
		if n, err := url.QueryUnescape(raw); err == nil {
			name = n
		}
		if isSecretParam(name) {
			pairs[i] = raw + "=" + redacted
			changed = true
		}
	}
	if !changed {
		return u.String()
	}
	c := *u
	c.RawQuery = strings.Join(pairs, "&")
	return c.String()
}

func isSecretParam(name string) bool {
	for _, s := range secretParams {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}
