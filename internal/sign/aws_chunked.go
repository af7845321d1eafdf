package sign

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// aws-chunked bodies.
//
// A streaming body is a series of chunks, each "hex-size;chunk-signature=
// sig\r\n" + data + "\r\n" (or "hex-size\r\n" + data + "\r\n" when
// unsigned), ended by a chunk of size zero. A trailer form follows the
// zero chunk with header lines ("x-amz-checksum-crc32c:value\r\n"), and,
// when signed, "x-amz-trailer-signature:sig\r\n", then an empty line.
//
// Chunk n's signature is the HMAC, under the request's signing key, of
// "AWS4-HMAC-SHA256-PAYLOAD\n" + timestamp + "\n" + scope + "\n" +
// signature n-1 + "\n" + hex(sha256("")) + "\n" + hex(sha256(data)), where
// signature 0 is the seed, the request's own signature. The trailer
// signature is the HMAC of "AWS4-HMAC-SHA256-TRAILER\n" + timestamp +
// "\n" + scope + "\n" + the zero chunk's signature + "\n" +
// hex(sha256(trailer lines, each "name:value\n")).

const (
	chunkSigExt     = ";chunk-signature="
	trailerSigName  = "x-amz-trailer-signature"
	awsChunkAlgo    = "AWS4-HMAC-SHA256-PAYLOAD"
	awsTrailerAlgo  = "AWS4-HMAC-SHA256-TRAILER"
	sigHexLen       = 2 * sha256.Size
	maxChunkSizeHex = 16
	maxChunkLine    = 4096
	maxTrailerBytes = 16 << 10
	maxTrailerLines = 16
)

// DefaultChunkSize is the chunk size of an aws-chunked body when
// AWSChunked.ChunkSize is zero, as the AWS SDKs use.
const DefaultChunkSize = 64 << 10

// chunkSignature is the signature of a chunk whose data hashes to sum,
// following the signature prev.
func chunkSignature(seed AWSSeed, prev string, sum []byte) string {
	var buf [256]byte
	b := append(buf[:0], awsChunkAlgo+"\n"...)
	b = append(b, seed.Timestamp...)
	b = append(b, '\n')
	b = append(b, seed.Scope...)
	b = append(b, '\n')
	b = append(b, prev...)
	b = append(b, "\n"+EmptySHA256+"\n"...)
	b = hex.AppendEncode(b, sum)
	return awsHMACHex(seed.key, b)
}

// trailerSignature is the signature of the canonical trailer lines
// canon, following the zero chunk's signature prev.
func trailerSignature(seed AWSSeed, prev string, canon []byte) string {
	sum := sha256.Sum256(canon)
	var buf [256]byte
	b := append(buf[:0], awsTrailerAlgo+"\n"...)
	b = append(b, seed.Timestamp...)
	b = append(b, '\n')
	b = append(b, seed.Scope...)
	b = append(b, '\n')
	b = append(b, prev...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, sum[:])
	return awsHMACHex(seed.key, b)
}

func streamingSigned(mode string) bool {
	return mode == StreamingSigned || mode == StreamingSignedTrailer
}

func streamingTrailer(mode string) bool {
	return mode == StreamingSignedTrailer || mode == StreamingUnsignedTrailer
}

// AWSChunked describes how a client frames a body as aws-chunked.
type AWSChunked struct {
	// Mode is the x-amz-content-sha256 value: StreamingSigned,
	// StreamingSignedTrailer or StreamingUnsignedTrailer.
	Mode string
	// ChunkSize is the size of every chunk but the last; zero means
	// DefaultChunkSize (64 KiB). S3 wants at least 8 KiB.
	ChunkSize int
	// DecodedLength is the length of the body, sent as
	// x-amz-decoded-content-length.
	DecodedLength int64
	// Trailer names the trailing header of the trailer modes, for
	// example "x-amz-checksum-crc32c", and TrailerLength is the length of
	// its value (8 for a base64 CRC32 or CRC32C, 12 for a CRC64NVME), so
	// that the encoded length is known before the body is read.
	Trailer       string
	TrailerLength int
	// TrailerValue returns the trailer's value once the whole body has
	// been read; it must be TrailerLength bytes long.
	TrailerValue func() string
}

func (c AWSChunked) chunkSize() int {
	if c.ChunkSize <= 0 {
		return DefaultChunkSize
	}
	return c.ChunkSize
}

func (c AWSChunked) check() error {
	switch c.Mode {
	case StreamingSigned:
	case StreamingSignedTrailer, StreamingUnsignedTrailer:
		if c.Trailer == "" || c.TrailerValue == nil || c.TrailerLength <= 0 {
			return errors.New("sign: a trailer mode needs Trailer, TrailerLength and TrailerValue")
		}
		if strings.ContainsAny(c.Trailer, ":\r\n ") {
			return errors.New("sign: bad trailer name")
		}
	default:
		return fmt.Errorf("sign: %q is not a streaming mode", c.Mode)
	}
	if c.DecodedLength < 0 {
		return errors.New("sign: negative decoded length")
	}
	return nil
}

// chunkFrameLen is the encoded length of a chunk of n bytes.
func chunkFrameLen(n int64, signed bool) int64 {
	l := int64(len(strconv.FormatInt(n, 16))) + 2 + n + 2
	if signed {
		l += int64(len(chunkSigExt)) + sigHexLen
	}
	return l
}

// EncodedLength is the Content-Length of the encoded body: the frames of
// every chunk, of the zero chunk, and of the trailer.
func (c AWSChunked) EncodedLength() int64 {
	size := int64(c.chunkSize())
	signed := streamingSigned(c.Mode)
	full, rest := c.DecodedLength/size, c.DecodedLength%size
	n := full * chunkFrameLen(size, signed)
	if rest > 0 {
		n += chunkFrameLen(rest, signed)
	}
	// The zero chunk: "0" [ext] "\r\n", then trailer lines, then "\r\n".
	n += chunkFrameLen(0, signed)
	if streamingTrailer(c.Mode) {
		n += int64(len(c.Trailer)) + 1 + int64(c.TrailerLength) + 2
		if signed {
			n += int64(len(trailerSigName)) + 1 + sigHexLen + 2
		}
	}
	return n
}

// Prepare sets the headers of an aws-chunked request on r before it is
// signed: X-Amz-Content-Sha256 (the mode), Content-Encoding aws-chunked,
// X-Amz-Decoded-Content-Length, X-Amz-Trailer for the trailer modes, and
// r.ContentLength to the encoded length.
func (c AWSChunked) Prepare(r *http.Request) error {
	if err := c.check(); err != nil {
		return err
	}
	r.Header.Set(AWSHeaderContentSHA256, c.Mode)
	r.Header.Set(HeaderContentEncoding, AWSChunkedEncoding)
	r.Header.Set(AWSHeaderDecodedLength, strconv.FormatInt(c.DecodedLength, 10))
	if streamingTrailer(c.Mode) {
		r.Header.Set(AWSHeaderTrailer, c.Trailer)
	} else {
		r.Header.Del(AWSHeaderTrailer)
	}
	r.ContentLength = c.EncodedLength()
	return nil
}

// Encoder returns a reader of body framed as aws-chunked, its chunks
// signed from seed in the signed modes. body must hold exactly
// DecodedLength bytes: a shorter or longer body fails the read.
func (c AWSChunked) Encoder(body io.Reader, seed AWSSeed) (io.Reader, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if streamingSigned(c.Mode) && seed.key == nil {
		return nil, errors.New("sign: signed chunks need the seed Sign returned")
	}
	size := c.chunkSize()
	return &chunkEncoder{c: c, body: body, seed: seed, prev: seed.Signature, left: c.DecodedLength,
		buf: make([]byte, chunkHeaderRoom+int(min(int64(size), c.DecodedLength))+2)}, nil
}

// chunkHeaderRoom is the room kept before a chunk's data for its header:
// 16 hex digits, the signature extension and CRLF.
const chunkHeaderRoom = maxChunkSizeHex + len(chunkSigExt) + sigHexLen + 2

type chunkEncoder struct {
	c    AWSChunked
	body io.Reader
	seed AWSSeed
	prev string
	left int64  // body bytes still expected
	buf  []byte // header room, then a chunk's data and CRLF
	out  []byte // encoded bytes not yet returned
	done bool
	err  error
}

func (e *chunkEncoder) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if e.done {
			return 0, io.EOF
		}
		e.err = e.next()
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

// next frames the next chunk, or the zero chunk and the trailer.
func (e *chunkEncoder) next() error {
	signed := streamingSigned(e.c.Mode)
	want := int(min(int64(e.c.chunkSize()), e.left))
	data := e.buf[chunkHeaderRoom : chunkHeaderRoom+want]
	n, err := io.ReadFull(e.body, data)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	if n < want {
		return fmt.Errorf("sign: body ended after %d of %d bytes", e.c.DecodedLength-e.left+int64(n), e.c.DecodedLength)
	}
	if want == 0 {
		// Everything was read: the body must end here.
		var one [1]byte
		if m, _ := io.ReadFull(e.body, one[:]); m > 0 {
			return fmt.Errorf("sign: body is longer than its decoded length %d", e.c.DecodedLength)
		}
		e.out = e.final()
		e.done = true
		return nil
	}
	e.left -= int64(n)
	var head [chunkHeaderRoom]byte
	h := strconv.AppendInt(head[:0], int64(n), 16)
	if signed {
		sum := sha256.Sum256(data)
		e.prev = chunkSignature(e.seed, e.prev, sum[:])
		h = append(h, chunkSigExt...)
		h = append(h, e.prev...)
	}
	h = append(h, '\r', '\n')
	start := chunkHeaderRoom - len(h)
	copy(e.buf[start:], h)
	end := chunkHeaderRoom + n
	e.buf[end], e.buf[end+1] = '\r', '\n'
	e.out = e.buf[start : end+2]
	return nil
}

// final returns the zero chunk and, in the trailer modes, the trailer.
func (e *chunkEncoder) final() []byte {
	signed := streamingSigned(e.c.Mode)
	b := []byte{'0'}
	if signed {
		e.prev = chunkSignature(e.seed, e.prev, emptySum[:])
		b = append(b, chunkSigExt...)
		b = append(b, e.prev...)
	}
	b = append(b, '\r', '\n')
	if streamingTrailer(e.c.Mode) {
		val := e.c.TrailerValue()
		if len(val) != e.c.TrailerLength {
			e.err = fmt.Errorf("sign: trailer value %q is not %d bytes long", val, e.c.TrailerLength)
			return nil
		}
		line := strings.ToLower(e.c.Trailer) + ":" + val
		b = append(b, line...)
		b = append(b, '\r', '\n')
		if signed {
			b = append(b, trailerSigName+":"...)
			b = append(b, trailerSignature(e.seed, e.prev, []byte(line+"\n"))...)
			b = append(b, '\r', '\n')
		}
	}
	return append(b, '\r', '\n')
}

var emptySum = sha256.Sum256(nil)

// AWSChunkedReader decodes an aws-chunked body on the server. It checks
// each chunk's signature (in the signed modes) when the chunk's data has
// been read, before it reads on, so that a bad chunk fails a read no later
// than the read that would end the body; it checks that the data amounts
// to x-amz-decoded-content-length, that the trailers are those
// x-amz-trailer announced, and, in StreamingSignedTrailer, their
// signature. Its Read returns io.EOF only when all of that holds; any
// other failure is an *Error (SignatureDoesNotMatch, IncompleteBody,
// InvalidRequest) and is returned by every later Read.
//
// It allocates at most a bounded buffer: chunk header lines longer than
// 4 KiB and trailers of more than 16 KiB or 16 lines fail the read.
type AWSChunkedReader struct {
	r        *bufio.Reader
	ak       string
	mode     string
	seed     AWSSeed
	prev     string
	left     int64 // decoded bytes still allowed
	chunk    int64 // data of the current chunk still to read
	announce []string
	h        hash.Hash
	wantSig  string // the current chunk's signature
	trailers http.Header
	err      error
}

// NewAWSChunkedReader returns a reader that decodes body, the aws-chunked
// body of a request with headers h that verified as id. id.ContentSHA256
// must be one of the Streaming* values.
func NewAWSChunkedReader(body io.Reader, h http.Header, id AWSIdentity) (*AWSChunkedReader, error) {
	mode := id.ContentSHA256
	if !streamingSigned(mode) && !streamingTrailer(mode) {
		return nil, awsErr(KindInvalidArgument, "x-amz-content-sha256", mode, "The payload is not aws-chunked.")
	}
	if streamingSigned(mode) && id.Seed.key == nil {
		return nil, awsErr(KindInvalidRequest, "Authorization", "", "A signed aws-chunked body needs a verified request.")
	}
	if err := checkStreamingHeaders(h); err != nil {
		return nil, err
	}
	left, _ := strconv.ParseInt(h.Get(AWSHeaderDecodedLength), 10, 64)
	c := &AWSChunkedReader{
		r: bufio.NewReaderSize(body, maxChunkLine), ak: id.AccessKeyID, mode: mode, seed: id.Seed, prev: id.Seed.Signature, left: left,
		h: sha256.New(), chunk: -1,
	}
	if streamingTrailer(mode) {
		for _, name := range strings.Split(h.Get(AWSHeaderTrailer), ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				c.announce = append(c.announce, name)
			}
		}
		if len(c.announce) > maxTrailerLines {
			return nil, awsErr(KindInvalidArgument, "x-amz-trailer", h.Get(AWSHeaderTrailer), "Too many trailing headers.")
		}
	}
	return c, nil
}

// Trailers returns the trailing headers (for example
// X-Amz-Checksum-Crc32c), without the trailer signature, once Read has
// returned io.EOF; nil before.
func (c *AWSChunkedReader) Trailers() http.Header {
	if c.err != io.EOF {
		return nil
	}
	return c.trailers
}

func incomplete(msg string) *Error {
	return &Error{Kind: KindIncompleteBody, Message: msg}
}

func (c *AWSChunkedReader) Read(p []byte) (int, error) {
	for c.err == nil {
		if c.chunk > 0 {
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > c.chunk {
				p = p[:c.chunk]
			}
			n, err := c.r.Read(p)
			c.chunk -= int64(n)
			if streamingSigned(c.mode) {
				c.h.Write(p[:n])
			}
			if err == io.EOF {
				err = incomplete("The body ended within a chunk.")
			}
			if err != nil {
				c.err = err
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		if c.chunk == 0 {
			c.err = c.endChunk()
			continue
		}
		c.err = c.header()
	}
	return 0, c.err
}

// endChunk reads the CRLF after a chunk's data and checks its signature.
func (c *AWSChunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.r, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
		return incomplete("A chunk's data is not followed by CRLF.")
	}
	if err := c.checkChunk(); err != nil {
		return err
	}
	c.chunk = -1
	return nil
}

func (c *AWSChunkedReader) checkChunk() error {
	if !streamingSigned(c.mode) {
		return nil
	}
	sum := c.h.Sum(nil)
	c.h.Reset()
	want := chunkSignature(c.seed, c.prev, sum)
	if !hmac.Equal([]byte(want), []byte(c.wantSig)) {
		return mismatch(c.ak, "", c.wantSig)
	}
	c.prev = want
	return nil
}

// line reads a CRLF-ended line of at most maxChunkLine bytes, without the
// CRLF.
func (c *AWSChunkedReader) line() (string, error) {
	b, err := c.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", incomplete("A chunk header or trailer line is too long.")
	}
	if err != nil {
		return "", incomplete("The body ended before its last chunk.")
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", incomplete("A chunk header or trailer line does not end with CRLF.")
	}
	return string(b[:len(b)-2]), nil
}

// header reads a chunk header line; at the zero chunk it checks the end
// of the body.
func (c *AWSChunkedReader) header() error {
	l, err := c.line()
	if err != nil {
		return err
	}
	sizeStr, ext, hasExt := strings.Cut(l, ";")
	if sizeStr == "" || len(sizeStr) > maxChunkSizeHex {
		return incomplete("A chunk size is malformed.")
	}
	size, err := strconv.ParseUint(sizeStr, 16, 64)
	if err != nil || strings.HasPrefix(sizeStr, "+") {
		return incomplete("A chunk size is malformed.")
	}
	if streamingSigned(c.mode) {
		sig, ok := strings.CutPrefix(ext, chunkSigExt[1:])
		if !hasExt || !ok || len(sig) != sigHexLen {
			return incomplete("A chunk header lacks its chunk-signature.")
		}
		c.wantSig = sig
	}
	if size > uint64(c.left) {
		return incomplete("The chunks hold more data than x-amz-decoded-content-length.")
	}
	c.left -= int64(size)
	if size > 0 {
		c.chunk = int64(size)
		return nil
	}
	// The zero chunk.
	if c.left != 0 {
		return incomplete("The chunks hold less data than x-amz-decoded-content-length.")
	}
	if err := c.checkChunk(); err != nil {
		return err
	}
	if err := c.trailer(); err != nil {
		return err
	}
	if _, err := c.r.ReadByte(); err != io.EOF {
		return incomplete("Data follows the last chunk.")
	}
	return io.EOF
}

// trailer reads what follows the zero chunk's header: the trailer lines
// of the trailer modes and the empty line that ends the body.
func (c *AWSChunkedReader) trailer() error {
	var canon []byte
	var sig string
	total := 0
	first := true
	for {
		if len(c.trailers) > 0 || sig != "" {
			// Some clients end the body after the last trailer line,
			// without the empty line.
			if _, err := c.r.Peek(1); err == io.EOF {
				break
			}
		}
		l, err := c.line()
		if err != nil {
			return err
		}
		if l == "" {
			if first && len(c.announce) > 0 {
				// Some clients end the zero chunk with its own CRLF
				// before the trailer.
				first = false
				continue
			}
			break
		}
		first = false
		total += len(l) + 2
		if !streamingTrailer(c.mode) || total > maxTrailerBytes || len(c.trailers) >= maxTrailerLines {
			return incomplete("Unexpected or oversized trailing headers.")
		}
		name, val, ok := strings.Cut(l, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if !ok || name == "" {
			return incomplete("A trailing header is malformed.")
		}
		if name == trailerSigName {
			if sig != "" || c.mode != StreamingSignedTrailer {
				return incomplete("Unexpected trailer signature.")
			}
			sig = val
			continue
		}
		if sig != "" || !slices.Contains(c.announce, name) || c.trailers.Get(name) != "" {
			return awsErr(KindInvalidRequest, "x-amz-trailer", name, "The trailing header "+name+" was not announced by x-amz-trailer, or came twice.")
		}
		if c.trailers == nil {
			c.trailers = make(http.Header, len(c.announce))
		}
		c.trailers.Set(name, val)
		canon = append(canon, name...)
		canon = append(canon, ':')
		canon = append(canon, val...)
		canon = append(canon, '\n')
	}
	if len(c.trailers) != len(c.announce) {
		return awsErr(KindInvalidRequest, "x-amz-trailer", strings.Join(c.announce, ","), "A trailing header announced by x-amz-trailer is missing.")
	}
	if c.mode == StreamingSignedTrailer {
		want := trailerSignature(c.seed, c.prev, canon)
		if !hmac.Equal([]byte(want), []byte(sig)) {
			return mismatch(c.ak, "", sig)
		}
	}
	return nil
}
