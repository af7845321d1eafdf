package sign

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// The vectors below are the worked examples of Amazon S3's API reference,
// computed with its example credentials, at 20130524T000000Z, in
// us-east-1:
//
//   - "Signature Calculations for the Authorization Header: Transferring
//     Payload in a Single Chunk", the "Examples: Signature Calculations"
//     section: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
//   - "Authenticating Requests: Using Query Parameters", its example:
//     https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
//   - "Signature Calculations for the Authorization Header: Transferring
//     Payload in Multiple Chunks (Chunked Upload)", its "Example: PUT
//     Object": https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
//   - "Signature calculations for trailing headers (chunked uploads)", its
//     "Example: PUT Object": https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html

var (
	awsExampleCred = Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", AccessKeySecret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	awsExampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	awsExampleSign = AWSSigner{Region: "us-east-1"}
)

func awsAuthorization(signed, sig string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=" + signed + ",Signature=" + sig
}

func TestAWSHeaderVectors(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		extra   []string
		signed  string
		sig     string
	}{
		{
			// "Example: GET Object": the first 10 bytes of test.txt.
			name: "GET object", method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
			headers: map[string]string{"Range": "bytes=0-9", "x-amz-content-sha256": EmptySHA256},
			extra:   []string{"range"},
			signed:  "host;range;x-amz-content-sha256;x-amz-date",
			sig:     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			// "Example: PUT Object": "Welcome to Amazon S3." as test$file.text.
			name: "PUT object", method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test$file.text",
			headers: map[string]string{
				"Date":                 "Fri, 24 May 2013 00:00:00 GMT",
				"x-amz-storage-class":  "REDUCED_REDUNDANCY",
				"x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			},
			extra:  []string{"date"},
			signed: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			sig:    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			// "Example: GET Bucket Lifecycle".
			name: "GET bucket lifecycle", method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
			headers: map[string]string{"x-amz-content-sha256": EmptySHA256},
			signed:  "host;x-amz-content-sha256;x-amz-date",
			sig:     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			// "Example: Get Bucket (List Objects)", the query given out of order.
			name: "GET bucket list objects", method: "GET", url: "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2",
			headers: map[string]string{"x-amz-content-sha256": EmptySHA256},
			signed:  "host;x-amz-content-sha256;x-amz-date",
			sig:     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
		{
			// "Example: PUT Object" of the chunked upload page: the seed signature.
			name: "chunked upload seed", method: "PUT", url: "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
			headers: map[string]string{
				"x-amz-storage-class":          "REDUCED_REDUNDANCY",
				"x-amz-content-sha256":         StreamingSigned,
				"Content-Encoding":             "aws-chunked",
				"x-amz-decoded-content-length": "66560",
				"Content-Length":               "66824",
			},
			extra:  []string{"content-encoding", "content-length"},
			signed: "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
			sig:    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
		},
		{
			// "Example: PUT Object" of the trailing headers page: the seed
			// signature. The Authorization header the page prints lists
			// content-length and not x-amz-trailer among the signed
			// headers, but its signature is that of the request signing
			// x-amz-trailer and not content-length, as here.
			name: "chunked upload with trailer seed", method: "PUT", url: "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
			headers: map[string]string{
				"x-amz-storage-class":          "REDUCED_REDUNDANCY",
				"x-amz-content-sha256":         StreamingSignedTrailer,
				"Content-Encoding":             "aws-chunked",
				"x-amz-decoded-content-length": "66560",
				"x-amz-trailer":                "x-amz-checksum-crc32c",
			},
			extra:  []string{"content-encoding"},
			signed: "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
			sig:    "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
		},
	}
	v := AWSVerifier{Lookup: lookup(awsExampleCred), Region: "us-east-1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.url, tt.headers)
			s := awsExampleSign
			s.SignedHeaders = tt.extra
			seed, err := s.Sign(r, awsExampleCred, awsExampleTime)
			if err != nil {
				t.Fatal(err)
			}
			if want := awsAuthorization(tt.signed, tt.sig); r.Header.Get("Authorization") != want {
				t.Errorf("Authorization\ngot  %s\nwant %s", r.Header.Get("Authorization"), want)
			}
			if seed.Signature != tt.sig || seed.Timestamp != "20130524T000000Z" || seed.Scope != "20130524/us-east-1/s3/aws4_request" {
				t.Errorf("seed %+v", seed)
			}
			// The server sees the request as Go's server parses it.
			id, err := v.Verify(serverSide(t, r), awsExampleTime.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if id.AccessKeyID != awsExampleCred.AccessKeyID || id.Presigned || id.Seed.Signature != tt.sig {
				t.Errorf("identity %+v", id)
			}
		})
	}
}

// serverSide returns r as an http.Server hands it to a handler: written to
// the wire and read back, so that Host leaves the header map and the path
// is the one sent. Its body is left out; a Content-Length header r carries
// is kept as it was signed.
func serverSide(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	c := r.Clone(r.Context())
	c.Body, c.ContentLength = nil, 0
	var wire bytes.Buffer
	if err := c.Write(&wire); err != nil {
		t.Fatal(err)
	}
	s, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Header.Get("Content-Length"); n != "" {
		s.Header.Set("Content-Length", n)
		s.ContentLength, _ = strconv.ParseInt(n, 10, 64)
	}
	return s
}

func TestAWSPresignVector(t *testing.T) {
	// The example of "Authenticating Requests: Using Query Parameters":
	// GET test.txt, valid for 86400 seconds.
	r := newRequest(t, "GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err := awsExampleSign.Presign(r, awsExampleCred, awsExampleTime, 86400*time.Second); err != nil {
		t.Fatal(err)
	}
	const want = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if r.URL.RawQuery != want {
		t.Errorf("query\ngot  %s\nwant %s", r.URL.RawQuery, want)
	}
	v := AWSVerifier{Lookup: lookup(awsExampleCred), Region: "us-east-1"}
	u, _ := url.Parse("https://examplebucket.s3.amazonaws.com/test.txt?" + want)
	got := &http.Request{Method: "GET", URL: u, Host: u.Host, Header: http.Header{}}
	id, err := v.Verify(got, awsExampleTime.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !id.Presigned || id.AccessKeyID != awsExampleCred.AccessKeyID {
		t.Errorf("identity %+v", id)
	}
	if _, err := v.Verify(got, awsExampleTime.Add(86401*time.Second)); !isKind(err, KindExpired) {
		t.Errorf("a day and a second later: %v", err)
	}
}

// isKind reports whether err is an *Error of kind k.
func isKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}
