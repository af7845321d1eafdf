package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/sign"
)

// s3Request builds a request in the S3 dialect, path style, with body.
func (h *harness) s3Request(method, path string, body []byte) *http.Request {
	h.t.Helper()
	r, err := http.NewRequest(method, h.http.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	r.ContentLength = int64(len(body))
	if body == nil {
		r.Body = http.NoBody
	}
	return r
}

// wantS3Code checks an S3 answer's status and, for bodies, its code.
func wantS3Code(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.StatusCode != status || (len(r.body) > 0 && !bytes.Contains(r.body, []byte("<Code>"+code+"</Code>"))) {
		t.Errorf("status %d, body %s; want %d %s", r.StatusCode, r.body, status, code)
	}
}

var s3Cred = sign.Credentials{AccessKeyID: testCred.AccessKeyID, AccessKeySecret: testCred.AccessKeySecret}

// TestS3Signed checks requests signed with AWS Signature V4: header and
// presigned forms accepted; a wrong secret, an unknown key, another
// region, a stale date and an expired URL refused with S3's codes.
func TestS3Signed(t *testing.T) {
	h := newHarness(t, nil)
	signer := sign.AWSSigner{Region: "cn-hangzhou"}
	now := time.Now()
	r := h.s3Request("PUT", "/s3b", nil)
	if _, err := signer.Sign(r, s3Cred, now); err != nil {
		t.Fatal(err)
	}
	if resp := h.send(r); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed CreateBucket: %d %s", resp.StatusCode, resp.body)
	}
	data := []byte("signed body")
	r = h.s3Request("PUT", "/s3b/k", data)
	r.Header.Set("x-amz-content-sha256", sha256Hex(data))
	if _, err := signer.Sign(r, s3Cred, now); err != nil {
		t.Fatal(err)
	}
	if resp := h.send(r); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed PutObject: %d %s", resp.StatusCode, resp.body)
	}
	r = h.s3Request("GET", "/s3b/k", nil)
	if err := signer.Presign(r, s3Cred, now, time.Hour); err != nil {
		t.Fatal(err)
	}
	if resp := h.send(r); resp.StatusCode != http.StatusOK || !bytes.Equal(resp.body, data) {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, resp.body)
	}

	for _, tc := range []struct {
		name   string
		cred   sign.Credentials
		signer sign.AWSSigner
		at     time.Time
		status int
		code   string
	}{
		{"wrong secret", sign.Credentials{AccessKeyID: s3Cred.AccessKeyID, AccessKeySecret: "nope"}, signer, now, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"unknown key", sign.Credentials{AccessKeyID: "AKIDUNKNOWN", AccessKeySecret: "x"}, signer, now, http.StatusForbidden, "InvalidAccessKeyId"},
		{"other region", s3Cred, sign.AWSSigner{Region: "us-east-1"}, now, http.StatusBadRequest, "AuthorizationHeaderMalformed"},
		{"stale date", s3Cred, signer, now.Add(-time.Hour), http.StatusForbidden, "RequestTimeTooSkewed"},
	} {
		t.Log(tc.name)
		r := h.s3Request("GET", "/s3b/k", nil)
		if _, err := tc.signer.Sign(r, tc.cred, tc.at); err != nil {
			t.Fatal(err)
		}
		wantS3Code(t, h.send(r), tc.status, tc.code)
	}
	r = h.s3Request("GET", "/s3b/k", nil)
	if err := signer.Presign(r, s3Cred, now.Add(-2*time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	wantS3Code(t, h.send(r), http.StatusForbidden, "AccessDenied")
	// An unsigned x-amz-* header added to a signed request is refused.
	r = h.s3Request("PUT", "/s3b/k2", data)
	if _, err := signer.Sign(r, s3Cred, now); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("x-amz-acl", "public-read-write")
	wantS3Code(t, h.send(r), http.StatusForbidden, "AccessDenied")
	h.fails(call{method: "HEAD", bucket: "s3b", key: "k2"}, "NoSuchKey")
	// An anonymous S3 request to a private bucket is refused.
	wantS3Code(t, h.send(h.s3Request("GET", "/s3b/k?x-id=GetObject", nil)), http.StatusForbidden, "AccessDenied")
}

func sha256Hex(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

// crc32b64 is S3's form of a CRC-32: base64 of its big-endian bytes.
func crc32b64(p []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(p)))
}

// chunkedPut sends body to /s3b/key as an aws-chunked PutObject in mode,
// with tamper applied to the encoded bytes.
func (h *harness) chunkedPut(key string, body []byte, mode string, trailer string, trailerValue string, tamper func([]byte) []byte) response {
	h.t.Helper()
	c := sign.AWSChunked{Mode: mode, ChunkSize: 8 << 10, DecodedLength: int64(len(body))}
	if trailer != "" {
		c.Trailer, c.TrailerLength = trailer, len(trailerValue)
		c.TrailerValue = func() string { return trailerValue }
	}
	r := h.s3Request("PUT", "/s3b/"+key, nil)
	if err := c.Prepare(r); err != nil {
		h.t.Fatal(err)
	}
	seed, err := (sign.AWSSigner{Region: "cn-hangzhou"}).Sign(r, s3Cred, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	enc, err := c.Encoder(bytes.NewReader(body), seed)
	if err != nil {
		h.t.Fatal(err)
	}
	framed, err := io.ReadAll(enc)
	if err != nil {
		h.t.Fatal(err)
	}
	if tamper != nil {
		framed = tamper(framed)
	}
	r.Body = io.NopCloser(bytes.NewReader(framed))
	r.ContentLength = int64(len(framed))
	return h.send(r)
}

// TestS3Chunked checks aws-chunked uploads: signed chunks, signed and
// unsigned trailers with their checksum, an empty body, and each way a
// body can be wrong, which must store nothing.
func TestS3Chunked(t *testing.T) {
	h := newHarness(t, nil)
	r := h.s3Request("PUT", "/s3b", nil)
	if _, err := (sign.AWSSigner{Region: "cn-hangzhou"}).Sign(r, s3Cred, time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp := h.send(r); resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateBucket: %d %s", resp.StatusCode, resp.body)
	}
	crc := crc32b64
	for _, n := range []int{0, 1, 8 << 10, 20_000, 100_000} {
		body := randBytes(uint64(n), n)
		for _, mode := range []string{sign.StreamingSigned, sign.StreamingSignedTrailer, sign.StreamingUnsignedTrailer} {
			trailer, value := "", ""
			if mode != sign.StreamingSigned {
				trailer, value = "x-amz-checksum-crc32", crc(body)
			}
			key := mode + "-" + strings.Repeat("x", n%7)
			resp := h.chunkedPut(key, body, mode, trailer, value, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s, %d bytes: %d %s", mode, n, resp.StatusCode, resp.body)
			}
			if trailer != "" && resp.Header.Get("x-amz-checksum-crc32") != value {
				t.Errorf("%s, %d bytes: answer %v", mode, n, resp.Header)
			}
			if got := h.get("s3b", key); !bytes.Equal(got, body) {
				t.Errorf("%s, %d bytes: stored %d bytes", mode, n, len(got))
			}
			if trailer != "" {
				r := h.s3Request("HEAD", "/s3b/"+key, nil)
				r.Header.Set("x-amz-checksum-mode", "ENABLED")
				if _, err := (sign.AWSSigner{Region: "cn-hangzhou"}).Sign(r, s3Cred, time.Now()); err != nil {
					t.Fatal(err)
				}
				if got := h.send(r).Header.Get("x-amz-checksum-crc32"); got != value {
					t.Errorf("%s, %d bytes: the trailer's checksum kept as %q", mode, n, got)
				}
			}
		}
	}
	body := randBytes(9, 20_000)
	flip := func(at int) func([]byte) []byte {
		return func(b []byte) []byte { b = bytes.Clone(b); b[at] ^= 1; return b }
	}
	// A flipped byte of the first chunk's data (after its header line).
	resp := h.chunkedPut("bad-data", body, sign.StreamingSigned, "", "", flip(100))
	wantS3Code(t, resp, http.StatusForbidden, "SignatureDoesNotMatch")
	h.fails(call{method: "HEAD", bucket: "s3b", key: "bad-data"}, "NoSuchKey")
	// The last byte of data, in the final data chunk.
	resp = h.chunkedPut("bad-last", body, sign.StreamingSigned, "", "", func(b []byte) []byte {
		i := bytes.LastIndex(b, []byte("\r\n0;chunk-signature="))
		return flip(i - 1)(b)
	})
	wantS3Code(t, resp, http.StatusForbidden, "SignatureDoesNotMatch")
	h.fails(call{method: "HEAD", bucket: "s3b", key: "bad-last"}, "NoSuchKey")
	// A trailer checksum that is not the data's.
	resp = h.chunkedPut("bad-crc", body, sign.StreamingUnsignedTrailer, "x-amz-checksum-crc32", crc([]byte("other")), nil)
	wantS3Code(t, resp, http.StatusBadRequest, "BadDigest")
	h.fails(call{method: "HEAD", bucket: "s3b", key: "bad-crc"}, "NoSuchKey")
	// A signed trailer altered in transit.
	resp = h.chunkedPut("bad-trailer", body, sign.StreamingSignedTrailer, "x-amz-checksum-crc32", crc(body), func(b []byte) []byte {
		return bytes.Replace(b, []byte("x-amz-checksum-crc32:"+crc(body)), []byte("x-amz-checksum-crc32:"+crc([]byte("x"))), 1)
	})
	if resp.StatusCode == http.StatusOK {
		t.Errorf("an altered signed trailer was accepted")
	}
	h.fails(call{method: "HEAD", bucket: "s3b", key: "bad-trailer"}, "NoSuchKey")
	// Data past the declared length.
	resp = h.chunkedPut("cut", body, sign.StreamingUnsignedTrailer, "x-amz-checksum-crc32", crc(body), func(b []byte) []byte {
		return b[:len(b)/2]
	})
	if resp.StatusCode == http.StatusOK {
		t.Errorf("a truncated chunked body was accepted")
	}
	h.fails(call{method: "HEAD", bucket: "s3b", key: "cut"}, "NoSuchKey")
}
