package oss_test

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The S3 dialect's tests run the client against the in-process server
// answering in S3 (every request signed with AWS Signature V4, every
// header S3's), and check that CRC-64s are CRC-64/NVME end to end.

// s3Counter counts the S3 requests that reach the server, by what they
// are, and fails those fail says to fail.
type s3Counter struct {
	mu    sync.Mutex
	parts map[string]int // partNumber -> UploadParts received
	auth  map[string]int // Authorization scheme -> requests
	fail  func(r *http.Request) bool
}

func (c *s3Counter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		c.auth[scheme]++
		if n := r.URL.Query().Get("partNumber"); n != "" && r.Method == http.MethodPut {
			c.parts[n]++
		}
		fail := c.fail != nil && c.fail(r)
		c.mu.Unlock()
		if fail {
			http.Error(w, "injected", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *s3Counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parts, c.auth = map[string]int{}, map[string]int{}
}

// s3EndpointEnv names a variable that, when set, runs these tests
// against that S3 endpoint (a MinIO cluster, say) instead of the
// in-process server, with the credentials and region of AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_REGION, each test in a bucket of its own.
// The requests still go through a proxy here, which counts and fails them
// as the tests need.
const s3EndpointEnv = "OSSUP_S3_ENDPOINT"

// startS3 starts a server (or a proxy to OSSUP_S3_ENDPOINT) and an
// S3-dialect client for it. mw, when not nil, stands between the client
// and the service.
func startS3(t *testing.T, cfg func(*oss.Config), mw ...func(http.Handler) http.Handler) (*osstest.Env, *s3Counter) {
	t.Helper()
	cnt := &s3Counter{}
	cnt.reset()
	wrap := func(h http.Handler) http.Handler {
		for _, m := range mw {
			h = m(h)
		}
		return cnt.middleware(h)
	}
	ep := os.Getenv(s3EndpointEnv)
	if ep == "" {
		return osstest.Start(t, osstest.Options{Dialect: oss.DialectS3, Middleware: wrap, Client: cfg}), cnt
	}
	target, err := url.Parse(ep)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // the host the client signed
	}}
	front := httptest.NewServer(wrap(proxy))
	t.Cleanup(front.Close)
	conf := oss.Config{Endpoint: front.URL, Dialect: oss.DialectS3, Region: os.Getenv("AWS_REGION"), Credentials: oss.AWSEnvCredentials{}}
	if cfg != nil {
		cfg(&conf)
	}
	c, err := oss.New(conf)
	if err != nil {
		t.Fatal(err)
	}
	bucket := fmt.Sprintf("ossup-%s-%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), time.Now().UnixNano()%1e9)
	bucket = bucket[:min(len(bucket), 63)]
	if _, err := c.PutBucket(t.Context(), &oss.PutBucketRequest{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	return &osstest.Env{Client: c, Config: conf, Bucket: bucket, HTTP: front}, cnt
}

func TestS3DialectObjects(t *testing.T) {
	env, cnt := startS3(t, nil)
	ctx := t.Context()
	c := env.Client
	data := pattern(11, 300<<10)
	class := "IA"
	if os.Getenv(s3EndpointEnv) != "" {
		class = "" // stores differ in the classes they take
	}
	put, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "dir/a b+c", Body: bytes.NewReader(data), Size: int64(len(data)),
		ObjectMetadata: oss.ObjectMetadata{ContentType: "text/x-s3", StorageClass: class, User: map[string]string{"color": "blue"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !put.HasCRC64 || put.CRC64 != crc64.ChecksumNVME(data) {
		t.Errorf("PutObject CRC-64 %d (%v), want the CRC-64/NVME %d", put.CRC64, put.HasCRC64, crc64.ChecksumNVME(data))
	}
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: env.Bucket, Key: "dir/a b+c"})
	if err != nil {
		t.Fatal(err)
	}
	o := head.Object
	if m := o.ObjectMetadata; !o.HasCRC64 || o.CRC64 != crc64.ChecksumNVME(data) || o.Size != int64(len(data)) || m.ContentType != "text/x-s3" ||
		class != "" && m.StorageClass != class || m.User["color"] != "blue" || head.RequestID == "" {
		t.Errorf("HeadObject = %+v (request id %q)", o, head.RequestID)
	}
	g, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: "dir/a b+c"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(g.Body) // checks the CRC-64/NVME
	g.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject: %d bytes, %v", len(got), err)
	}
	if _, err := c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: env.Bucket, Key: "copy", SourceBucket: env.Bucket, SourceKey: "dir/a b+c"}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for page, err := range c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: env.Bucket}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
	}
	if strings.Join(keys, ",") != "copy,dir/a b+c" {
		t.Errorf("ListObjects = %v", keys)
	}
	ps, err := c.Presign(ctx, &oss.PresignRequest{Bucket: env.Bucket, Key: "copy"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ps.URL, "X-Amz-Signature=") {
		t.Errorf("presigned URL %s", ps.URL)
	}
	resp, err := http.Get(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("presigned GET: %s, %d bytes", resp.Status, len(body))
	}
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: "missing"})
	if se, ok := errors.AsType[*oss.ServiceError](err); !ok || se.Code != "NoSuchKey" || se.RequestID == "" || !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("GetObject of a missing key: %v", err)
	}
	if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "k", Body: strings.NewReader("x"), Size: 1, Callback: &oss.Callback{URL: "http://127.0.0.1:1/"}}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("a callback in the S3 dialect: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: env.Bucket, Key: "copy"}); err != nil {
		t.Fatal(err)
	}
	cnt.mu.Lock()
	defer cnt.mu.Unlock()
	for scheme, n := range cnt.auth {
		if scheme != "AWS4-HMAC-SHA256" && !(scheme == "" && n == 1) { // the presigned GET
			t.Errorf("%d requests signed %q", n, scheme)
		}
	}
}

// TestS3DialectUploadFile uploads a file in parts with a checkpoint, fails
// a part on the first run, and resumes: only the missing parts are sent
// again, and the object, its CRC-64/NVME and the download are exact.
func TestS3DialectUploadFile(t *testing.T) {
	env, cnt := startS3(t, func(c *oss.Config) { c.RetryMaxAttempts = 1 })
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "big.bin")
	data := pattern(12, 4*oss.S3MinPartSize+12345)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	req := &oss.UploadFileRequest{Bucket: env.Bucket, Key: "big", UploadFile: path, PartSize: oss.S3MinPartSize, TaskNum: 1, EnableCheckpoint: true}
	small := *req
	small.PartSize = 1 << 20
	if _, err := env.Client.UploadFile(ctx, &small); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("a part size under S3's minimum: %v", err)
	}
	cnt.fail = func(r *http.Request) bool { return r.URL.Query().Get("partNumber") == "3" }
	if _, err := env.Client.UploadFile(ctx, req); err == nil {
		t.Fatal("the first run succeeded despite the failed part")
	}
	cnt.fail = nil
	cnt.reset()
	res, err := env.Client.UploadFile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.PartsResumed != 2 || cnt.parts["1"]+cnt.parts["2"] != 0 || cnt.parts["3"] != 1 || cnt.parts["5"] != 1 {
		t.Errorf("resume: %d parts resumed, parts sent %v", res.PartsResumed, cnt.parts)
	}
	if !res.Verified || res.CRC64 != crc64.ChecksumNVME(data) {
		t.Errorf("UploadFile CRC-64 %d (verified %v), want %d", res.CRC64, res.Verified, crc64.ChecksumNVME(data))
	}
	if _, err := os.Stat(path + ".ucp"); !os.IsNotExist(err) {
		t.Errorf("checkpoint left: %v", err)
	}
	out := filepath.Join(dir, "down.bin")
	dres, err := env.Client.DownloadFile(ctx, &oss.DownloadFileRequest{Bucket: env.Bucket, Key: "big", DownloadFile: out, PartSize: 3 << 20, TaskNum: 3, EnableCheckpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if md5.Sum(got) != md5.Sum(data) || dres.CRC64 != crc64.ChecksumNVME(data) {
		t.Errorf("download: %d bytes, CRC-64 %d", len(got), dres.CRC64)
	}
}

// TestS3DialectStreamAndTree uploads from a pipe, then a folder up, in
// sync and back down.
func TestS3DialectStreamAndTree(t *testing.T) {
	env, _ := startS3(t, nil)
	ctx := t.Context()
	data := pattern(13, 2*oss.S3MinPartSize+1000)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeAll(pw, data)) }()
	sres, err := env.Client.UploadFrom(ctx, &oss.UploadFromRequest{Bucket: env.Bucket, Key: "stream", Reader: pr, TaskNum: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sres.CRC64 != crc64.ChecksumNVME(data) || sres.Size != int64(len(data)) {
		t.Errorf("UploadFrom: %+v", sres)
	}

	src := t.TempDir()
	files := map[string][]byte{"a.txt": []byte("alpha"), "sub/b.bin": pattern(14, 70_000), "sub/deep/c": nil, "big": pattern(15, oss.S3MinPartSize+7)}
	for name, b := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Client.UploadTree(ctx, &oss.UploadTreeRequest{Dir: src, Bucket: env.Bucket, Prefix: "t/", Threshold: oss.S3MinPartSize}); err != nil {
		t.Fatal(err)
	}
	sync, err := env.Client.SyncTree(ctx, &oss.SyncTreeRequest{Direction: oss.SyncUpload, Dir: src, Bucket: env.Bucket, Prefix: "t/", CRCCacheFile: filepath.Join(t.TempDir(), "cache")})
	if err != nil {
		t.Fatal(err)
	}
	if sync.Done != 0 || sync.Skipped != int64(len(files)) {
		t.Errorf("a sync of an uploaded tree sent %d files and skipped %d", sync.Done, sync.Skipped)
	}
	dst := t.TempDir()
	if _, err := env.Client.DownloadTree(ctx, &oss.DownloadTreeRequest{Dir: dst, Bucket: env.Bucket, Prefix: "t/"}); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s came back as %d bytes, %v", name, len(got), err)
		}
	}
}

func writeAll(w io.Writer, b []byte) error {
	for len(b) > 0 {
		n := min(len(b), 100_000)
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// refusingStore answers 400 InvalidRequest, as a store lacking them
// would, to any request that asks for one of the checksums in refuse
// (by algorithm name, e.g. "crc64nvme"), and counts the checksums the
// uploads it lets through carry.
type refusingStore struct {
	refuse []string
	mu     sync.Mutex
	sent   map[string]int // checksum header (or Content-Md5) -> requests
}

func (s *refusingStore) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, alg := range s.refuse {
			if r.Header.Get("x-amz-checksum-"+alg) != "" || strings.EqualFold(r.Header.Get("x-amz-checksum-algorithm"), alg) {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `<Error><Code>InvalidRequest</Code><Message>The checksum algorithm is not supported.</Message><RequestId>REFUSED</RequestId></Error>`)
				return
			}
		}
		s.mu.Lock()
		for k := range r.Header {
			if r.Method != http.MethodPut {
				break // uploads only: XML bodies carry a Content-MD5 anyway
			}
			if l := strings.ToLower(k); (strings.HasPrefix(l, "x-amz-checksum-") && l != "x-amz-checksum-mode") || l == "content-md5" {
				s.sent[l]++
			}
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// TestS3DialectChecksumFallback runs uploads against stores that lack
// CRC-64/NVME, or it and CRC-32C: the client falls back to CRC-32C, then
// to Content-MD5, and the objects still arrive exact.
func TestS3DialectChecksumFallback(t *testing.T) {
	for _, tc := range []struct {
		refuse []string
		want   string
	}{
		{[]string{"crc64nvme"}, "x-amz-checksum-crc32c"},
		{[]string{"crc64nvme", "crc32c"}, "content-md5"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			store := &refusingStore{refuse: tc.refuse, sent: map[string]int{}}
			env, _ := startS3(t, nil, store.middleware)
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "f.bin")
			data := pattern(21, 2*oss.S3MinPartSize+999)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := env.Client.UploadFile(ctx, &oss.UploadFileRequest{Bucket: env.Bucket, Key: "big", UploadFile: path, TaskNum: 2})
			if err != nil {
				t.Fatal(err)
			}
			small := []byte("a small object")
			if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "small", Body: bytes.NewReader(small), Size: int64(len(small))}); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string][]byte{"big": data, "small": small} {
				g, err := env.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: key})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(g.Body)
				g.Body.Close()
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes, %v", key, len(got), err)
				}
			}
			store.mu.Lock()
			defer store.mu.Unlock()
			// 3 parts and the small object carry the fallback checksum.
			if store.sent[tc.want] != 4 {
				t.Errorf("requests with %s: %d, want 4 (all checksums sent: %v)", tc.want, store.sent[tc.want], store.sent)
			}
			if res.CRC64 != crc64.ChecksumNVME(data) {
				t.Errorf("the client's own CRC-64/NVME of the upload: %d", res.CRC64)
			}
		})
	}
}

// TestS3DialectIgnoredChecksums runs uploads against a store that takes
// checksum headers without checking them (it never answers with one): the
// client moves to Content-MD5, which every store checks.
func TestS3DialectIgnoredChecksums(t *testing.T) {
	store := &refusingStore{sent: map[string]int{}}
	strip := func(next http.Handler) http.Handler {
		return store.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(noChecksumWriter{w}, r)
		}))
	}
	env, _ := startS3(t, nil, strip)
	ctx := t.Context()
	for i, n := range []int{100, 200, 300} {
		b := pattern(30+i, n)
		if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: fmt.Sprint("k", i), Body: bytes.NewReader(b), Size: int64(n)}); err != nil {
			t.Fatal(err)
		}
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.sent["x-amz-checksum-crc64nvme"] != 1 || store.sent["content-md5"] != 2 {
		t.Errorf("checksums sent: %v; want CRC-64/NVME once, then Content-MD5", store.sent)
	}
}

// noChecksumWriter drops the checksums from an answer.
type noChecksumWriter struct{ http.ResponseWriter }

func (w noChecksumWriter) WriteHeader(status int) {
	for k := range w.Header() {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			w.Header().Del(k)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w noChecksumWriter) Write(p []byte) (int, error) {
	for k := range w.Header() {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			w.Header().Del(k)
		}
	}
	return w.ResponseWriter.Write(p)
}

// TestS3DialectUnseekableBody sends bodies that can be read only once
// over plain HTTP: each goes aws-chunked, every chunk signed, with its
// CRC-64/NVME in a signed trailer, and arrives exact; one shorter than its
// declared size fails without storing anything.
func TestS3DialectUnseekableBody(t *testing.T) {
	var mu sync.Mutex
	modes := map[string]int{}
	see := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				mu.Lock()
				modes[r.Header.Get("x-amz-content-sha256")+" "+r.Header.Get("x-amz-trailer")]++
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	env, _ := startS3(t, nil, see)
	ctx := t.Context()
	for _, n := range []int{0, 1, 100_000, 300_000} {
		data := pattern(40+n%7, n)
		key := fmt.Sprint("once-", n)
		res, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: key, Body: struct{ io.Reader }{bytes.NewReader(data)}, Size: int64(n)})
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !res.HasCRC64 || res.CRC64 != crc64.ChecksumNVME(data) {
			t.Errorf("%d bytes: CRC-64 %d (%v)", n, res.CRC64, res.HasCRC64)
		}
		g, err := env.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: env.Bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(g.Body)
		g.Body.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: read back %d, %v", n, len(got), err)
		}
	}
	short := pattern(50, 1000)
	if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: env.Bucket, Key: "short", Body: struct{ io.Reader }{bytes.NewReader(short)}, Size: 2000}); err == nil {
		t.Error("a body shorter than its size was stored")
	}
	if _, err := env.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: env.Bucket, Key: "short"}); !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("HEAD of the short body: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if modes["STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER x-amz-checksum-crc64nvme"] < 3 {
		t.Errorf("bodies sent as %v; want the signed aws-chunked form with a CRC-64/NVME trailer", modes)
	}
}

// TestS3DialectVirtualHosted runs an upload, a listing and a download in
// the S3 dialect with buckets addressed as hosts ("<bucket>.oss.test"),
// as AWS S3 addresses them by default.
func TestS3DialectVirtualHosted(t *testing.T) {
	env := osstest.Start(t, osstest.Options{Dialect: oss.DialectS3, VirtualHosted: true})
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v.bin")
	data := pattern(61, oss.S3MinPartSize+4321)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := env.Client.UploadFile(ctx, &oss.UploadFileRequest{Bucket: env.Bucket, Key: "dir/v a.bin", UploadFile: path, TaskNum: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified || res.CRC64 != crc64.ChecksumNVME(data) {
		t.Errorf("UploadFile: %+v", res)
	}
	for page, err := range env.Client.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: env.Bucket, Prefix: "dir/"}) {
		if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "dir/v a.bin" {
			t.Fatalf("listing %+v, %v", page, err)
		}
	}
	out := filepath.Join(t.TempDir(), "back.bin")
	if _, err := env.Client.DownloadFile(ctx, &oss.DownloadFileRequest{Bucket: env.Bucket, Key: "dir/v a.bin", DownloadFile: out}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Error("the download differs")
	}
}
