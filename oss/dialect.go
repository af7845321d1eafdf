package oss

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/sign"
	"github.com/ossup/ossup/oss/internal/filebody"
)

// Dialect is the API a Client speaks.
type Dialect int

const (
	// DialectOSS is Alibaba Cloud OSS's API, the default.
	DialectOSS Dialect = iota
	// DialectS3 is the S3 API, for AWS S3 and the stores that speak it
	// (MinIO, Ceph RGW, Cloudflare R2, OSS itself): requests are signed
	// with AWS Signature V4, and the CRC-64 that every transfer checks end
	// to end is CRC-64/NVME (x-amz-checksum-crc64nvme) instead of
	// CRC-64/ECMA.
	DialectS3
)

// String names the dialect as the command line does: "oss" or "s3".
func (d Dialect) String() string {
	if d == DialectS3 {
		return "s3"
	}
	return "oss"
}

// ParseDialect reads "oss" or "s3".
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(s) {
	case "oss":
		return DialectOSS, nil
	case "s3":
		return DialectS3, nil
	}
	return 0, errors.New(`oss: dialect must be "oss" or "s3"`)
}

// S3MinPartSize is S3's smallest part but the last: 5 MiB. Uploads in the
// S3 dialect use no smaller parts.
const S3MinPartSize = 5 << 20

// DefaultS3Region is the region an S3 client signs with when
// Config.Region is empty, as the AWS tools default to it.
const DefaultS3Region = "us-east-1"

// AWSEnvCredentials reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN from the environment at every call, as the AWS tools
// name them. It is the default provider of the S3 dialect.
type AWSEnvCredentials struct{}

// Credentials returns the credentials in the environment.
func (AWSEnvCredentials) Credentials(context.Context) (Credentials, error) {
	c := Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		AccessKeySecret: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SecurityToken:   os.Getenv("AWS_SESSION_TOKEN"),
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return Credentials{}, errors.New("oss: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return c, nil
}

// The request layer speaks OSS: operations name OSS's headers, and
// answers are read by OSS's names. In the S3 dialect the headers are
// renamed as a request goes out (toS3Header) and as its answer comes in
// (fromS3Header). The service's CRC-64 of what it stored is then its
// x-amz-checksum-crc64nvme, carried inside the client under the header
// name crcHeaderName, in decimal, so that every check reads it alike.

// crcHeaderName is the header the request layer reads the service's CRC-64
// from: CRC-64/ECMA as OSS sends it, or in the S3 dialect the
// CRC-64/NVME of x-amz-checksum-crc64nvme, translated on receipt.
const crcHeaderName = "x-oss-hash-crc64ecma"

// s3ChecksumHeader carries a body's, part's or object's CRC-64/NVME in S3.
const s3ChecksumHeader = "x-amz-checksum-crc64nvme"

// crcVariant is the CRC-64 a dialect checks transfers with.
func (d Dialect) crcVariant() crc64.Variant {
	if d == DialectS3 {
		return crc64.NVME
	}
	return crc64.ECMA
}

// nvmeValue is S3's form of a CRC-64/NVME: base64 of its 8 big-endian
// bytes.
func nvmeValue(v uint64) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, v))
}

// parseNVME reads S3's form of a CRC-64/NVME.
func parseNVME(s string) (uint64, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// ossToS3Classes and s3ToOSSClasses map storage classes between the
// dialects' names.
var (
	ossToS3Classes = map[string]string{
		"Standard": "STANDARD", "IA": "STANDARD_IA", "Archive": "GLACIER",
		"ColdArchive": "DEEP_ARCHIVE", "DeepColdArchive": "DEEP_ARCHIVE",
	}
	s3ToOSSClasses = map[string]string{
		"STANDARD": "Standard", "REDUCED_REDUNDANCY": "Standard", "INTELLIGENT_TIERING": "Standard",
		"EXPRESS_ONEZONE": "Standard", "STANDARD_IA": "IA", "ONEZONE_IA": "IA", "GLACIER_IR": "IA",
		"GLACIER": "Archive", "DEEP_ARCHIVE": "ColdArchive",
	}
)

// errNotInS3 is the failure of an OSS feature the S3 dialect has no
// counterpart for.
func errNotInS3(what string) error {
	return errors.New("oss: " + what + " is not available in the S3 dialect: " + ErrInvalidArgument.Error())
}

// toS3Header renames the OSS headers of a request for S3. It fails on
// those S3 has no counterpart for: a callback, a traffic limit, and the
// OSS-only controls of multipart uploads.
func toS3Header(h http.Header) error {
	out := make(http.Header, len(h))
	for k, vs := range h {
		lower := strings.ToLower(k)
		suffix, ok := strings.CutPrefix(lower, "x-oss-")
		if !ok || len(vs) == 0 {
			out[k] = vs
			continue
		}
		v := vs[0]
		switch {
		case strings.HasPrefix(suffix, "meta-"):
			out[http.CanonicalHeaderKey("x-amz-"+suffix)] = vs
		case suffix == "object-acl" || suffix == "acl":
			if v != "default" {
				out.Set("x-amz-acl", v)
			}
		case suffix == "storage-class":
			if c, ok := ossToS3Classes[v]; ok {
				v = c
			}
			out.Set("x-amz-storage-class", v)
		case suffix == "forbid-overwrite":
			if strings.EqualFold(v, "true") {
				out.Set("If-None-Match", "*")
			}
		case suffix == "copy-source", strings.HasPrefix(suffix, "copy-source-"),
			suffix == "metadata-directive", suffix == "tagging", suffix == "tagging-directive",
			suffix == "server-side-encryption", suffix == "security-token":
			out.Set("x-amz-"+suffix, v)
		case suffix == "callback" || suffix == "callback-var":
			return errNotInS3("an upload callback")
		case suffix == "traffic-limit":
			return errNotInS3("a traffic limit")
		case suffix == "range-behavior":
			// S3 answers an unsatisfiable range as OSS's standard
			// behaviour does.
		default:
			return errNotInS3("the header x-oss-" + suffix)
		}
	}
	clear(h)
	for k, vs := range out {
		h[k] = vs
	}
	return nil
}

// fromS3Header renames an S3 answer's headers to OSS's names, in place.
func fromS3Header(h http.Header) {
	type pair struct{ name, value string }
	var add []pair
	for k, vs := range h {
		suffix, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-")
		if !ok || len(vs) == 0 {
			continue
		}
		v := vs[0]
		switch {
		case suffix == "request-id":
			add = append(add, pair{"x-oss-request-id", v})
		case strings.HasPrefix(suffix, "meta-"):
			add = append(add, pair{"x-oss-" + suffix, v})
		case suffix == "storage-class":
			if c, ok := s3ToOSSClasses[v]; ok {
				v = c
			}
			add = append(add, pair{"x-oss-storage-class", v})
		case suffix == "version-id", suffix == "tagging-count", suffix == "server-side-encryption",
			suffix == "delete-marker", suffix == "restore":
			add = append(add, pair{"x-oss-" + suffix, v})
		case suffix == "checksum-crc64nvme":
			// A composite checksum ("<base64>-<parts>") is not the whole
			// object's, and is left out.
			if crc, ok := parseNVME(v); ok && h.Get("x-amz-checksum-type") != "COMPOSITE" {
				add = append(add, pair{crcHeaderName, strconv.FormatUint(crc, 10)})
			}
		}
	}
	for _, p := range add {
		h[http.CanonicalHeaderKey(p.name)] = []string{p.value}
	}
}

// s3Checksum is the checksum the S3 dialect has the service check each
// upload body with, in order of preference.
type s3Checksum int32

const (
	// s3CRC64NVME: each body's and each multipart object's CRC-64/NVME
	// (x-amz-checksum-crc64nvme, FULL_OBJECT), checked end to end.
	s3CRC64NVME s3Checksum = iota
	// s3CRC32C, for a store that refuses CRC-64/NVME: each body's CRC-32C;
	// a multipart object gets S3's checksum of its parts' (COMPOSITE).
	s3CRC32C
	// s3MD5, for a store that refuses both or ignores checksums: each
	// body's Content-MD5, which every S3 store checks.
	s3MD5
)

func (k s3Checksum) String() string {
	return [...]string{"CRC-64/NVME", "CRC-32C", "Content-MD5"}[k]
}

// checksumOps are the operations whose request carries a checksum the
// service may refuse: the first of a transfer to reach the service with
// one, and so where a store that lacks the algorithm says so.
var checksumOps = map[string]bool{"InitiateMultipartUpload": true, "PutObject": true}

// downgradeS3 moves the client to the next checksum after from, once, and
// reports whether it did: after a refusal (err) of a request that carried
// from, by a store that lacks it.
func (c *Client) downgradeS3(op *operation, from s3Checksum, err error) bool {
	se, ok := errors.AsType[*ServiceError](err)
	if !ok || !checksumOps[op.name] || from >= s3MD5 || se.StatusCode != http.StatusBadRequest && se.StatusCode != http.StatusNotImplemented {
		return false
	}
	switch se.Code {
	case "InvalidRequest", "InvalidArgument", "NotImplemented", "InvalidChecksum":
	default:
		return false
	}
	if c.s3Sum.CompareAndSwap(int32(from), int32(from+1)) {
		c.log.Warn("oss: the service refused a checksum; using the next", "refused", from.String(), "now", (from + 1).String(), "err", err)
	}
	return true
}

// noteS3Echo moves the client to Content-MD5 when the service answered a
// body sent with a checksum header without that checksum: it ignores
// them, and only Content-MD5 will be checked from then on.
func (c *Client) noteS3Echo(op *operation, sent s3Checksum, h http.Header) {
	if !op.checkCRC || sent >= s3MD5 || op.header.Get(sentChecksumHeader[sent]) == "" || h.Get(sentChecksumHeader[sent]) != "" {
		return
	}
	if c.s3Sum.CompareAndSwap(int32(sent), int32(s3MD5)) {
		c.log.Warn("oss: the service does not check body checksums; sending Content-MD5", "op", op.name)
	}
}

// sentChecksumHeader is the header a body's checksum travels in.
var sentChecksumHeader = map[s3Checksum]string{s3CRC64NVME: s3ChecksumHeader, s3CRC32C: "x-amz-checksum-crc32c"}

// prepareS3 readies op for the S3 dialect, once for all its attempts: its
// headers renamed, the x-amz-content-sha256 it is signed with (the body's
// SHA-256 over plain HTTP, UNSIGNED-PAYLOAD over TLS, where the
// connection protects the body), an upload body's checksum for the
// service to check before it stores anything (kind, see s3Checksum), the
// checksum an object's GET or HEAD should report, and the checksum a
// multipart upload keeps.
func (c *Client) prepareS3(op *operation, kind s3Checksum) error {
	if op.header == nil {
		op.header = http.Header{}
	}
	if err := toS3Header(op.header); err != nil {
		return err
	}
	h := op.header
	switch {
	case op.name == "InitiateMultipartUpload" && kind == s3CRC64NVME:
		h.Set("x-amz-checksum-algorithm", "CRC64NVME")
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	case op.name == "InitiateMultipartUpload" && kind == s3CRC32C:
		h.Set("x-amz-checksum-algorithm", "CRC32C")
	case (op.method == http.MethodGet || op.method == http.MethodHead) && op.key != "" && len(op.query) == 0 && h.Get("Range") == "":
		h.Set("x-amz-checksum-mode", "ENABLED")
	}
	wantSHA := c.scheme == "http"
	var (
		crc    uint64
		sha    []byte
		hashed bool
		err    error
	)
	switch b := op.body.(type) {
	case nil:
		hashed, sha = true, emptySHA256[:]
	case *filebody.Section:
		if wantSHA {
			sha, err = b.SHA256()
		}
		if err == nil {
			crc, err = b.CRC64()
		}
		hashed = err == nil
	case *filebody.Bytes:
		crc, hashed = b.CRC64(), true
		if wantSHA {
			sha = b.Sum(sha256.New())
		}
	case io.ReadSeeker:
		crc, sha, err = digestSeeker(b, c.crc, wantSHA)
		hashed = err == nil
	}
	if err != nil {
		return err
	}
	if op.size == 0 {
		hashed, crc, sha = true, 0, emptySHA256[:]
	}
	if hashed && op.checkCRC {
		switch kind {
		case s3CRC64NVME:
			h.Set(s3ChecksumHeader, nvmeValue(crc))
		case s3CRC32C:
			sum, err := bodySum(op.body, crc32.New(crc32.MakeTable(crc32.Castagnoli)))
			if err != nil {
				return err
			}
			h.Set("x-amz-checksum-crc32c", base64.StdEncoding.EncodeToString(sum))
		case s3MD5:
			sum, err := bodySum(op.body, md5.New())
			if err != nil {
				return err
			}
			h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum))
		}
	}
	op.chunked, op.chunkedCRC = false, false
	switch {
	case wantSHA && hashed:
		h.Set("x-amz-content-sha256", hex.EncodeToString(sha))
	case wantSHA:
		// A body that can be read only once, over plain HTTP: signed a
		// chunk at a time as it is sent (see signChunked), with its
		// CRC-64/NVME in a trailer for the service to check.
		op.chunked, op.chunkedCRC = true, op.checkCRC && kind == s3CRC64NVME
	default:
		// Over TLS the connection protects the body.
		h.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	}
	return nil
}

// signChunked signs req, whose body rb cannot be hashed before it is
// sent, with a signature per chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// with a signed trailer carrying the body's CRC-64/NVME as read through
// body when op.chunkedCRC), and puts the framing reader in place.
func (c *Client) signChunked(req *http.Request, op *operation, body *attemptBody, rb io.Reader, creds sign.Credentials) error {
	ch := sign.AWSChunked{Mode: sign.StreamingSigned, DecodedLength: op.size}
	if op.chunkedCRC && body != nil {
		ch.Mode, ch.Trailer, ch.TrailerLength = sign.StreamingSignedTrailer, s3ChecksumHeader, len(nvmeValue(0))
		ch.TrailerValue = func() string {
			crc, _ := body.sum()
			return nvmeValue(crc)
		}
	}
	ce := req.Header.Get("Content-Encoding")
	if err := ch.Prepare(req); err != nil {
		return err
	}
	if ce != "" {
		req.Header.Set("Content-Encoding", sign.AWSChunkedEncoding+","+ce)
	}
	seed, err := c.awsSigner.Sign(req, creds, c.now())
	if err != nil {
		return err
	}
	enc, err := ch.Encoder(rb, seed)
	if err != nil {
		return err
	}
	req.Body, req.GetBody = io.NopCloser(enc), nil
	return nil
}

// bodySum is the digest by h of a body prepareS3 could hash: a file
// section or a seekable reader (from where it is, rewound after).
func bodySum(body io.Reader, h hash.Hash) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return h.Sum(nil), nil
	case *filebody.Section:
		return b.Sum(h)
	case io.ReadSeeker:
		start, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(h, b); err != nil {
			return nil, err
		}
		if _, err := b.Seek(start, io.SeekStart); err != nil {
			return nil, err
		}
		return h.Sum(nil), nil
	}
	return nil, errors.New("oss: a body that cannot be read twice has no checksum")
}

var emptySHA256 = sha256.Sum256(nil)

// digestSeeker reads r from where it is to its end for its CRC-64 and,
// with withSHA, its SHA-256, then seeks it back.
func digestSeeker(r io.ReadSeeker, v crc64.Variant, withSHA bool) (crc uint64, sha []byte, err error) {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, nil, err
	}
	h := v.New()
	w := io.Writer(h)
	var s hash.Hash
	if withSHA {
		s = sha256.New()
		w = io.MultiWriter(h, s)
	}
	if _, err := io.Copy(w, r); err != nil {
		return 0, nil, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return 0, nil, err
	}
	if s != nil {
		sha = s.Sum(nil)
	}
	return h.Sum64(), sha, nil
}

// minPartSize is the service's smallest part but the last, for the
// transfer engine: 0 (OSS's) or S3MinPartSize.
func (c *Client) minPartSize() int64 {
	if c.s3 {
		return S3MinPartSize
	}
	return 0
}

// Dialect is the dialect the client speaks.
func (c *Client) Dialect() Dialect { return c.cfg.Dialect }
