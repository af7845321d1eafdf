package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// PayloadHash reads the x-oss-content-sha256 header of h. It returns nil
// when the header is absent or UnsignedPayload, which leave the body
// unchecked; the SHA-256 the body must have (32 bytes) when the header is
// 64 hex digits; and a KindMalformed *Error for any other value.
//
// OSS itself accepts only UnsignedPayload. A hex digest is accepted here
// because the signature covers it: a server that takes it must hash the
// body and refuse it when the digests differ, which [Verifier.Verify]
// cannot do, since it does not read bodies.
func PayloadHash(h http.Header) ([]byte, error) {
	v := h.Get(HeaderContentSHA256)
	if v == "" || v == UnsignedPayload {
		return nil, nil
	}
	sum, err := hex.DecodeString(v)
	if err != nil || len(sum) != sha256.Size {
		return nil, malformed("x-oss-content-sha256", v, "x-oss-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body.")
	}
	return sum, nil
}
