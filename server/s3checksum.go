package server

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strings"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/server/store"
)

// S3 clients send a checksum of each body they upload, in an
// x-amz-checksum-<algorithm> header (base64 of the digest's big-endian
// bytes): aws-sdk-go-v2 sends CRC-32 by default. The server computes the
// named checksum as the body streams, fails the upload with BadDigest on
// the read that ends a body that does not match, so that nothing is
// stored, and echoes the checksum in its answer as S3 does.

// s3ChecksumAlgorithms are the algorithms of x-amz-checksum-*, by the
// header's suffix.
var s3ChecksumAlgorithms = map[string]func() hash.Hash{
	"crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"crc32c":    func() hash.Hash { return crc32.New(castagnoli) },
	"sha1":      sha1.New,
	"sha256":    sha256.New,
	"crc64nvme": func() hash.Hash { return crc64.NewNVME() },
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// s3ChecksumHeaders are the x-amz-checksum-* headers that do not carry a
// checksum.
var s3ChecksumHeaders = map[string]bool{"algorithm": true, "type": true, "mode": true}

// newS3Error builds an error with an S3 code that OSS's table does not
// have.
func newS3Error(code string, status int, msg string) *apiError {
	e := newError(code, msg)
	e.status = status
	return e
}

func s3InvalidRequest(msg string) *apiError {
	return newS3Error("InvalidRequest", http.StatusBadRequest, msg)
}

// requestChecksum returns the algorithm and decoded value of the one
// x-amz-checksum-* header of r, or "" when it has none. With trailer
// set, the checksum may come in the trailers of an aws-chunked body:
// then want is nil.
func requestChecksum(r *http.Request, trailer bool) (alg string, want []byte, err error) {
	var value string
	for k, vs := range r.Header {
		suffix, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-checksum-")
		if !ok || s3ChecksumHeaders[suffix] || len(vs) == 0 {
			continue
		}
		if alg != "" || len(vs) > 1 {
			return "", nil, s3InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		alg, value = suffix, vs[0]
	}
	if alg == "" && trailer {
		for _, name := range strings.Split(r.Header.Get("x-amz-trailer"), ",") {
			suffix, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(name)), "x-amz-checksum-")
			if !ok {
				continue
			}
			if alg != "" {
				return "", nil, s3InvalidRequest("Expecting a single x-amz-checksum- trailer. Multiple checksum Types are not allowed.")
			}
			alg = suffix
		}
		if alg != "" {
			if _, ok := s3ChecksumAlgorithms[alg]; !ok {
				return "", nil, s3InvalidRequest("The algorithm of x-amz-checksum-" + alg + " is not supported.")
			}
			return alg, nil, nil
		}
	}
	if alg == "" {
		if sdk := r.Header.Get("x-amz-sdk-checksum-algorithm"); sdk != "" && r.Header.Get("x-amz-trailer") == "" {
			return "", nil, s3InvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		return "", nil, nil
	}
	newHash, ok := s3ChecksumAlgorithms[alg]
	if !ok {
		return "", nil, s3InvalidRequest("The algorithm of x-amz-checksum-" + alg + " is not supported.")
	}
	want, err = base64.StdEncoding.DecodeString(value)
	if err != nil || len(want) != newHash().Size() {
		return "", nil, s3InvalidRequest("Value for x-amz-checksum-" + alg + " header is invalid.")
	}
	if sdk := r.Header.Get("x-amz-sdk-checksum-algorithm"); sdk != "" && !strings.EqualFold(sdk, alg) {
		return "", nil, s3InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
	}
	return alg, want, nil
}

// verifyS3Checksum wraps an upload's body so that it is checked against
// its x-amz-checksum-* header, or trailer, as it is read, over length
// bytes (negative: to the end). When it matches, the checksum is set on w
// for the answer.
func verifyS3Checksum(w http.ResponseWriter, r *http.Request, rq *request, body io.Reader, length int64) (io.Reader, error) {
	alg, want, err := requestChecksum(r, rq.chunked != nil)
	if err != nil || alg == "" {
		return body, err
	}
	name := "x-amz-checksum-" + alg
	pr := &payloadReader{
		r:    body,
		h:    s3ChecksumAlgorithms[alg](),
		want: want,
		left: length,
		mismatch: func() error {
			return newS3Error("BadDigest", http.StatusBadRequest, "The "+strings.ToUpper(alg)+" you specified did not match the calculated checksum.")
		},
		matched: func() {
			v := base64.StdEncoding.EncodeToString(want)
			w.Header().Set(name, v)
			rq.checksum = alg + ":" + v
		},
	}
	if want == nil {
		// In the trailers, read once the chunked body has ended.
		pr.wantAt = func() ([]byte, error) {
			v := rq.chunked.Trailers().Get(name)
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(b) != pr.h.Size() {
				return nil, s3InvalidRequest("Value for " + name + " trailing header is invalid.")
			}
			want = b
			return b, nil
		}
	}
	if length == 0 {
		// The store does not read an empty body: check it here (an
		// empty aws-chunked body was read to its trailers by verifyS3).
		if want == nil {
			if _, err := pr.wantAt(); err != nil {
				return nil, err
			}
		}
		if !bytes.Equal(pr.h.Sum(nil), want) {
			return nil, pr.mismatch()
		}
		pr.matched()
		return body, nil
	}
	return pr, nil
}

// nvmeValue is S3's form of a CRC-64/NVME: base64 of its 8 big-endian
// bytes.
func nvmeValue(v uint64) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, v))
}

// parseNVME reads S3's form of a CRC-64/NVME; what says names the value
// in the error.
func parseNVME(v, what string) (uint64, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 8 {
		return 0, s3InvalidRequest("Value for " + what + " is invalid.")
	}
	return binary.BigEndian.Uint64(b), nil
}

// setS3Checksums writes, in an S3 answer to a GET or HEAD of a whole
// object, the checksums the server has of it: its CRC-64/NVME and the one
// it was uploaded with, if another.
func setS3Checksums(h http.Header, r *http.Request, o store.Object) {
	setS3NVME(h, r, o.CRC64NVME, o.HasNVME, true)
	if alg, v, ok := strings.Cut(o.Meta.Checksum, ":"); ok && requestDialect(r) == dialectS3 {
		h.Set("x-amz-checksum-"+alg, v)
	}
}

// setS3NVME writes, in an answer to an S3 request, the CRC-64/NVME the
// store computed: of a part, or (whole) of a whole object, which S3
// labels FULL_OBJECT.
func setS3NVME(h http.Header, r *http.Request, nvme uint64, has, whole bool) {
	if !has || requestDialect(r) != dialectS3 {
		return
	}
	h.Set("x-amz-checksum-crc64nvme", nvmeValue(nvme))
	if whole {
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
}

// s3ChecksumMode reports whether an S3 GET or HEAD asks for the object's
// checksum (x-amz-checksum-mode: ENABLED).
func s3ChecksumMode(r *http.Request) bool {
	return requestDialect(r) == dialectS3 && strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED")
}
