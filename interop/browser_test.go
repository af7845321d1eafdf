package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/chromedp/chromedp"
	"github.com/ossup/ossup/oss"
)

const chromiumPath = "/usr/bin/chromium"

// browserPage is the page the browser test serves. Its script builds the
// payload in the page, then uploads it twice, each with fetch: as a form
// POST (PostObject, the policy signed by the test) and as a PUT to a
// presigned URL. runUploads resolves to a JSON report of both answers, or
// of the errors fetch rejected with.
const browserPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>ossup browser upload</title></head>
<body><script>
const cfg = %s;
function payload(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 255;
  return b;
}
async function send(url, init) {
  try {
    const r = await fetch(url, init);
    return {status: r.status, body: await r.text(), etag: r.headers.get("ETag") || ""};
  } catch (e) {
    return {error: String(e)};
  }
}
window.runUploads = async () => {
  const data = payload(cfg.size);
  const form = new FormData();
  for (const [k, v] of cfg.fields) form.append(k, v);
  form.append("file", new File([data], "browser.bin", {type: "application/octet-stream"}));
  const post = await send(cfg.postURL, {method: "POST", body: form});
  const put = await send(cfg.putURL, {method: "PUT", body: new Blob([data]), headers: cfg.putHeaders});
  return JSON.stringify({post, put});
};
</script></body></html>`

// browserPayload is what the page's payload function builds.
func browserPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// pageConfig is what the page's script is given.
type pageConfig struct {
	Size       int               `json:"size"`
	PostURL    string            `json:"postURL"`
	Fields     [][2]string       `json:"fields"`
	PutURL     string            `json:"putURL"`
	PutHeaders map[string]string `json:"putHeaders"`
}

// fetchResult is the page's report of one fetch.
type fetchResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
	ETag   string `json:"etag"`
	Error  string `json:"error"`
}

// servePage serves browserPage with cfg on a new loopback server: a
// separate origin from the OSS server's.
func servePage(t *testing.T, cfg pageConfig) string {
	t.Helper()
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf(browserPage, js)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestBrowserUploads drives headless Chromium: a page from another origin
// uploads 3 MiB built in the page, once as a V4-signed form POST and once
// as a PUT to a presigned URL, through the bucket's CORS rules; the test
// reads both objects back. A page from an origin no rule names is refused
// by the browser and stores nothing.
func TestBrowserUploads(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium not found at /usr/bin/chromium: apt-get install chromium chromium-driver")
	}
	f := newFixture(t)
	ctx := t.Context()
	const bucket, size = "browser", 3 << 20
	data := browserPayload(size)
	sdk := newV2Client(t, f.url, 4, nil).c
	if _, err := sdk.PutBucket(ctx, &v2.PutBucketRequest{Bucket: v2.Ptr(bucket)}); err != nil {
		t.Fatal(err)
	}
	client, err := oss.New(oss.Config{Endpoint: f.url, Region: region, Credentials: oss.StaticCredentials{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret}})
	if err != nil {
		t.Fatal(err)
	}

	// The pages' origins must be known before the rules are set: start
	// their servers with a config filled in afterwards.
	pageFor := func(key string) (pageConfig, error) {
		policy := signPost(t, 4, accessKeySecret, time.Now(),
			map[string]string{"bucket": bucket}, []any{"eq", "$key", key}, []any{"content-length-range", size, size})
		put, err := client.Presign(ctx, &oss.PresignRequest{Method: http.MethodPut, Bucket: bucket, Key: key + ".put", Expires: 10 * time.Minute})
		if err != nil {
			return pageConfig{}, err
		}
		headers := map[string]string{}
		for k := range put.Header {
			headers[k] = put.Header.Get(k)
		}
		fields := append([][2]string{{"key", key}, {"success_action_status", "201"}}, policy.fields...)
		return pageConfig{Size: size, PostURL: f.url + "/" + bucket, Fields: fields, PutURL: put.URL, PutHeaders: headers}, nil
	}
	allowedCfg, err := pageFor("allowed.bin")
	if err != nil {
		t.Fatal(err)
	}
	refusedCfg, err := pageFor("refused.bin")
	if err != nil {
		t.Fatal(err)
	}
	allowedPage, refusedPage := servePage(t, allowedCfg), servePage(t, refusedCfg)
	_, err = sdk.PutBucketCors(ctx, &v2.PutBucketCorsRequest{Bucket: v2.Ptr(bucket), CORSConfiguration: &v2.CORSConfiguration{
		CORSRules: []v2.CORSRule{{
			AllowedOrigins: []string{allowedPage},
			AllowedMethods: []string{"POST", "PUT", "GET"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag", "x-oss-request-id"},
			MaxAgeSeconds:  v2.Ptr(int64(60)),
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	browser, cancelTimeout := context.WithTimeout(browser, 2*time.Minute)
	defer cancelTimeout()
	run := func(page string) (post, put fetchResult) {
		t.Helper()
		if err := chromedp.Do(browser, chromedp.Navigate(page)); err != nil {
			t.Fatalf("browser at %s: %v", page, err)
		}
		report, err := chromedp.Run(browser, chromedp.Evaluate[string](`runUploads()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("runUploads at %s: %v", page, err)
		}
		var r struct{ Post, Put fetchResult }
		if err := json.Unmarshal([]byte(report), &r); err != nil {
			t.Fatalf("page report %q: %v", report, err)
		}
		t.Logf("page %s: POST %d %q %s, PUT %d %q %s", page, r.Post.Status, r.Post.ETag, r.Post.Error, r.Put.Status, r.Put.ETag, r.Put.Error)
		return r.Post, r.Put
	}

	want := `"` + md5Hex(data) + `"`
	post, put := run(allowedPage)
	if post.Error != "" || post.Status != http.StatusCreated || post.ETag != want || !strings.Contains(post.Body, "<Key>allowed.bin</Key>") {
		t.Errorf("form POST from an allowed origin: %+v", post)
	}
	if put.Error != "" || put.Status != http.StatusOK || put.ETag != want {
		t.Errorf("presigned PUT from an allowed origin: %+v", put)
	}
	for _, key := range []string{"allowed.bin", "allowed.bin.put"} {
		res, err := sdk.GetObject(ctx, &v2.GetObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", key, err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, key+" uploaded by the browser", got, data)
		if md5Hex(got) != md5Hex(data) || v2.ToString(res.ETag) != want {
			t.Errorf("%s: ETag %s, want %s", key, v2.ToString(res.ETag), want)
		}
	}

	// An origin without a rule: fetch rejects both. The PUT needs a
	// preflight, which is answered 403, so it is never sent and stores
	// nothing. The form POST is a simple request, sent without a
	// preflight: CORS keeps the page from reading its answer (which
	// carries no Access-Control-Allow-Origin), not the server from
	// receiving it, and the form's own signature is what authorised it.
	post, put = run(refusedPage)
	if post.Error == "" || put.Error == "" {
		t.Errorf("uploads from an origin without a CORS rule were not refused: POST %+v, PUT %+v", post, put)
	}
	if _, err := sdk.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("refused.bin.put")}); err == nil {
		t.Error("the PUT refused at its preflight stored an object")
	}
	if _, err := sdk.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: v2.Ptr(bucket), Key: v2.Ptr("refused.bin")}); err != nil {
		t.Errorf("the signed form POST, a simple request, did not reach the server: %v", err)
	}
}
