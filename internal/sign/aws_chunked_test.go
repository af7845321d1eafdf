package sign

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The published chunked uploads (sigv4-streaming.html and
// sigv4-streaming-trailers.html, see aws_vectors_test.go): 66560 bytes of
// 'a' in a chunk of 64 KiB, one of 1 KiB and the zero chunk.
const (
	awsChunkedSig1   = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	awsChunkedSig2   = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	awsChunkedSig3   = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	awsTrailerSig1   = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
	awsTrailerSig2   = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
	awsTrailerSig3   = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
	awsTrailerSig    = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
	awsTrailerCRC32C = "sOO8/Q=="
)

var awsChunkedData = bytes.Repeat([]byte("a"), 66560)

func publishedChunks(sigs ...string) string {
	return "10000;chunk-signature=" + sigs[0] + "\r\n" + string(awsChunkedData[:65536]) + "\r\n" +
		"400;chunk-signature=" + sigs[1] + "\r\n" + string(awsChunkedData[65536:]) + "\r\n" +
		"0;chunk-signature=" + sigs[2] + "\r\n"
}

// exampleIdentity verifies the published seed request of mode and returns
// its identity and the request.
func exampleIdentity(t testing.TB, mode string) (AWSIdentity, *http.Request) {
	t.Helper()
	h := map[string]string{
		"x-amz-storage-class":          "REDUCED_REDUNDANCY",
		"x-amz-content-sha256":         mode,
		"Content-Encoding":             "aws-chunked",
		"x-amz-decoded-content-length": "66560",
	}
	extra := []string{"content-encoding"}
	if mode == StreamingSigned {
		h["Content-Length"] = "66824"
		extra = append(extra, "content-length")
	} else {
		h["x-amz-trailer"] = "x-amz-checksum-crc32c"
	}
	r := newRequest(t, "PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", h)
	s := awsExampleSign
	s.SignedHeaders = extra
	if _, err := s.Sign(r, awsExampleCred, awsExampleTime); err != nil {
		t.Fatal(err)
	}
	v := AWSVerifier{Lookup: lookup(awsExampleCred), Region: "us-east-1"}
	sr := serverSide(t, r)
	id, err := v.Verify(sr, awsExampleTime)
	if err != nil {
		t.Fatal(err)
	}
	return id, sr
}

func decodeAll(t testing.TB, body string, h http.Header, id AWSIdentity) ([]byte, http.Header, error) {
	t.Helper()
	c, err := NewAWSChunkedReader(strings.NewReader(body), h, id)
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(c)
	return data, c.Trailers(), err
}

func TestAWSChunkedVector(t *testing.T) {
	id, r := exampleIdentity(t, StreamingSigned)
	body := publishedChunks(awsChunkedSig1, awsChunkedSig2, awsChunkedSig3) + "\r\n"
	if len(body) != 66824 {
		t.Fatalf("published body is %d bytes", len(body))
	}
	data, _, err := decodeAll(t, body, r.Header, id)
	if err != nil || !bytes.Equal(data, awsChunkedData) {
		t.Fatalf("decoding the published body: %d bytes, %v", len(data), err)
	}
	c := AWSChunked{Mode: StreamingSigned, DecodedLength: 66560}
	if n := c.EncodedLength(); n != 66824 {
		t.Errorf("EncodedLength = %d, want 66824", n)
	}
	enc, err := c.Encoder(bytes.NewReader(awsChunkedData), id.Seed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(enc)
	if err != nil || string(got) != body {
		t.Errorf("encoding differs from the published body (%d bytes, %v)", len(got), err)
	}
	// One byte of the 1 KiB chunk changed: SignatureDoesNotMatch.
	bad := []byte(body)
	bad[65536+200] = 'b'
	if _, _, err := decodeAll(t, string(bad), r.Header, id); !isKind(err, KindSignatureMismatch) {
		t.Errorf("tampered chunk: %v", err)
	}
}

func TestAWSChunkedTrailerVector(t *testing.T) {
	crc := crc32.Checksum(awsChunkedData, crc32.MakeTable(crc32.Castagnoli))
	if got := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc)); got != awsTrailerCRC32C {
		t.Fatalf("crc32c of the example body is %s", got)
	}
	id, r := exampleIdentity(t, StreamingSignedTrailer)
	chunks := publishedChunks(awsTrailerSig1, awsTrailerSig2, awsTrailerSig3)
	trailer := "x-amz-checksum-crc32c:" + awsTrailerCRC32C + "\r\nx-amz-trailer-signature:" + awsTrailerSig + "\r\n"
	body := chunks + trailer + "\r\n"
	for name, b := range map[string]string{
		"as encoded here": body,
		// Forms other implementations write: a CRLF after the zero chunk,
		// and no empty line at the end.
		"CRLF after the zero chunk": chunks + "\r\n" + trailer + "\r\n",
		"no closing empty line":     chunks + trailer,
	} {
		data, tr, err := decodeAll(t, b, r.Header, id)
		if err != nil || !bytes.Equal(data, awsChunkedData) || tr.Get("X-Amz-Checksum-Crc32c") != awsTrailerCRC32C || len(tr) != 1 {
			t.Errorf("%s: %d bytes, trailers %v, %v", name, len(data), tr, err)
		}
	}
	c := AWSChunked{Mode: StreamingSignedTrailer, DecodedLength: 66560, Trailer: "x-amz-checksum-crc32c", TrailerLength: 8,
		TrailerValue: func() string { return awsTrailerCRC32C }}
	enc, err := c.Encoder(bytes.NewReader(awsChunkedData), id.Seed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(enc)
	if err != nil || string(got) != body {
		t.Errorf("encoding differs from the published body (%d bytes, %v)", len(got), err)
	}
	if n := c.EncodedLength(); n != int64(len(body)) {
		t.Errorf("EncodedLength = %d, want %d", n, len(body))
	}
	bad := strings.Replace(body, awsTrailerCRC32C, "AAAAAA==", 1)
	if _, _, err := decodeAll(t, bad, r.Header, id); !isKind(err, KindSignatureMismatch) {
		t.Errorf("tampered trailer: %v", err)
	}
}

var streamingModes = []string{StreamingSigned, StreamingSignedTrailer, StreamingUnsignedTrailer}

// chunkedRequest frames data as mode with chunk size size, signs it and
// returns the server's view of the request, its encoded body and the
// identity it verifies as.
func chunkedRequest(t testing.TB, mode string, size int, data []byte) (*http.Request, []byte, AWSIdentity) {
	t.Helper()
	c := AWSChunked{Mode: mode, ChunkSize: size, DecodedLength: int64(len(data))}
	if streamingTrailer(mode) {
		c.Trailer, c.TrailerLength = "x-amz-checksum-crc32", 8
		c.TrailerValue = func() string {
			return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
		}
	}
	r := newRequest(t, "PUT", "http://127.0.0.1:9000/bucket/some%20key", nil)
	if err := c.Prepare(r); err != nil {
		t.Fatal(err)
	}
	seed, err := (AWSSigner{Region: "us-east-1", SignedHeaders: []string{"content-encoding", "content-length"}}).Sign(r, testCred, awsTestNow)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encoder(bytes.NewReader(data), seed)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(iotest.OneByteReader(enc))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(body)) != r.ContentLength {
		t.Fatalf("encoded %d bytes, EncodedLength %d", len(body), r.ContentLength)
	}
	r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	sr := serverSide(t, r)
	id, err := (&AWSVerifier{Lookup: lookup(testCred), Region: "us-east-1"}).Verify(sr, awsTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if id.ContentSHA256 != mode {
		t.Fatalf("identity %+v", id)
	}
	return sr, body, id
}

func TestAWSChunkedRoundTrip(t *testing.T) {
	for _, mode := range streamingModes {
		for _, size := range []int{1, 7, 8192} {
			for _, n := range []int{0, 1, size - 1, size, size + 1, 3 * size, 3*size + 5} {
				if n < 0 {
					continue
				}
				name := fmt.Sprintf("%s/chunk%d/len%d", mode, size, n)
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(i*7 + n)
				}
				r, body, id := chunkedRequest(t, mode, size, data)
				for _, oneByte := range []bool{false, true} {
					rd, err := id.Body(bytes.NewReader(body), r.Header)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var got []byte
					if oneByte {
						got, err = io.ReadAll(iotest.OneByteReader(rd))
					} else {
						got, err = io.ReadAll(rd)
					}
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("%s: %d bytes, %v", name, len(got), err)
					}
					if streamingTrailer(mode) {
						tr := rd.(*AWSChunkedReader).Trailers()
						want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
						if tr.Get("x-amz-checksum-crc32") != want {
							t.Fatalf("%s: trailers %v", name, tr)
						}
					}
				}
			}
		}
	}
}

func TestAWSChunkedRejects(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 2000) // 20000 bytes: two chunks of 8192 and one of 3616
	for _, mode := range streamingModes {
		r, body, id := chunkedRequest(t, mode, 8192, data)
		s := string(body)
		first := strings.Index(s, "\r\n") + 2 // the first data byte
		tests := []struct {
			name string
			body string
			h    func(http.Header)
			want Kind
		}{
			{name: "truncated in data", body: s[:first+100], want: KindIncompleteBody},
			{name: "truncated in a header", body: s[:first+8192+4], want: KindIncompleteBody},
			{name: "truncated before the end", body: s[:len(s)-3], want: KindIncompleteBody},
			{name: "data after the end", body: s + "x", want: KindIncompleteBody},
			{name: "no CRLF after data", body: s[:first+8192] + "xx" + s[first+8194:], want: KindIncompleteBody},
			{name: "decoded length larger", body: s, h: func(h http.Header) { h.Set("x-amz-decoded-content-length", "20001") }, want: KindIncompleteBody},
			{name: "decoded length smaller", body: s, h: func(h http.Header) { h.Set("x-amz-decoded-content-length", "19999") }, want: KindIncompleteBody},
			{name: "no decoded length", body: s, h: func(h http.Header) { h.Del("x-amz-decoded-content-length") }, want: KindInvalidRequest},
			{name: "long header line", body: strings.Repeat("0", 5000) + "\r\n", want: KindIncompleteBody},
			{name: "size not hex", body: "zz" + s[strings.IndexAny(s, ";\r"):], want: KindIncompleteBody},
			{name: "chunk size past the decoded length", body: "fffffffffffffff\r\n", want: KindIncompleteBody},
		}
		if streamingSigned(mode) {
			sigAt := strings.Index(s, "chunk-signature=") + len("chunk-signature=")
			flip := func(i int) string {
				b := []byte(s)
				b[i] ^= 1
				return string(b)
			}
			tests = append(tests, []struct {
				name string
				body string
				h    func(http.Header)
				want Kind
			}{
				{name: "data byte changed", body: flip(first + 5000), want: KindSignatureMismatch},
				{name: "last chunk's data changed", body: flip(first + 2*8192 + 200), want: KindSignatureMismatch},
				{name: "signature changed", body: flip(sigAt + 3), want: KindSignatureMismatch},
				{name: "chunks swapped", body: swapChunks(s), want: KindSignatureMismatch},
				{name: "no chunk signature", body: strings.Replace(s, ";chunk-signature=", ";chunk-signaturx=", 1), want: KindIncompleteBody},
			}...)
		} else {
			tests = append(tests, struct {
				name string
				body string
				h    func(http.Header)
				want Kind
			}{name: "unannounced trailer", body: s, h: func(h http.Header) { h.Set("x-amz-trailer", "x-amz-checksum-crc32c") }, want: KindInvalidRequest})
		}
		if mode == StreamingSignedTrailer {
			tests = append(tests, struct {
				name string
				body string
				h    func(http.Header)
				want Kind
			}{name: "trailer value changed", body: strings.Replace(s, "x-amz-checksum-crc32:", "x-amz-checksum-crc32: A", 1), want: KindSignatureMismatch})
		}
		for _, tt := range tests {
			h := r.Header.Clone()
			if tt.h != nil {
				tt.h(h)
			}
			_, _, err := decodeAll(t, tt.body, h, id)
			if !isKind(err, tt.want) {
				t.Errorf("%s: %s: got %v, want kind %d", mode, tt.name, err, tt.want)
			}
		}
	}
}

// swapChunks swaps the first two 8192-byte chunks of an encoded body.
func swapChunks(s string) string {
	var parts []string
	for range 2 {
		i := strings.Index(s, "\r\n") + 2 + 8192 + 2
		parts = append(parts, s[:i])
		s = s[i:]
	}
	return parts[1] + parts[0] + s
}

// TestAWSChunkedBadChunkBeforeEOF checks that a bad chunk fails a read
// before the body's end: the read that ends the body never succeeds.
func TestAWSChunkedBadChunkBeforeEOF(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 3*8192)
	r, body, id := chunkedRequest(t, StreamingSigned, 8192, data)
	body[len(body)-200] ^= 1 // in the last data chunk
	c, err := NewAWSChunkedReader(bytes.NewReader(body), r.Header, id)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8192)
	var total int
	for {
		n, err := c.Read(buf)
		total += n
		if err == io.EOF {
			t.Fatal("a body with a bad chunk ended cleanly")
		}
		if err != nil {
			if !errors.Is(err, ErrSignatureDoesNotMatch) {
				t.Fatal(err)
			}
			var e *Error
			errors.As(err, &e)
			if e.S3Code() != "SignatureDoesNotMatch" || e.S3Status() != 403 {
				t.Errorf("code %s %d", e.S3Code(), e.S3Status())
			}
			break
		}
	}
	if _, err := c.Read(buf); !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Errorf("a read after the failure: %v", err)
	}
}

func TestAWSChunkedEncoderLength(t *testing.T) {
	c := AWSChunked{Mode: StreamingSigned, ChunkSize: 8192, DecodedLength: 100}
	seed := AWSSeed{Signature: strings.Repeat("0", 64), key: make([]byte, 32)}
	for _, n := range []int{99, 101} {
		enc, _ := c.Encoder(bytes.NewReader(make([]byte, n)), seed)
		if _, err := io.ReadAll(enc); err == nil {
			t.Errorf("a body of %d bytes framed as 100", n)
		}
	}
	if _, err := (AWSChunked{Mode: "UNSIGNED-PAYLOAD"}).Encoder(nil, seed); err == nil {
		t.Error("a non-streaming mode accepted")
	}
	if _, err := (AWSChunked{Mode: StreamingUnsignedTrailer}).Encoder(nil, seed); err == nil {
		t.Error("a trailer mode without a trailer accepted")
	}
}

// FuzzAWSChunkedDecoder feeds mutations of valid encoded bodies to the
// decoder. It must never panic, and a body it accepts must decode to the
// data that was signed, with the trailer that was signed.
func FuzzAWSChunkedDecoder(f *testing.F) {
	data := []byte("fuzzing the aws-chunked decoder, with 3 chunks")
	bodies := map[string][]byte{}
	var reqs = map[string]*http.Request{}
	var ids = map[string]AWSIdentity{}
	for _, mode := range streamingModes {
		r, body, id := chunkedRequest(f, mode, 16, data)
		bodies[mode], reqs[mode], ids[mode] = body, r, id
	}
	for i, mode := range streamingModes {
		f.Add(uint8(i), bodies[mode])
		f.Add(uint8(i), bodies[mode][:len(bodies[mode])/2])
		f.Add(uint8(i), append(bytes.Clone(bodies[mode]), "\r\n"...))
	}
	f.Fuzz(func(t *testing.T, m uint8, body []byte) {
		mode := streamingModes[int(m)%len(streamingModes)]
		c, err := NewAWSChunkedReader(bytes.NewReader(body), reqs[mode].Header, ids[mode])
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error not an *Error: %v", err)
			}
			return
		}
		if !streamingSigned(mode) {
			return // nothing but the length is authenticated
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("accepted a body that decodes to %q", got)
		}
		if mode == StreamingSignedTrailer {
			want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
			if c.Trailers().Get("x-amz-checksum-crc32") != want {
				t.Fatalf("accepted trailers %v", c.Trailers())
			}
		}
	})
}

var awsTestNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
