package interop

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPresignedURLs(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "presign"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		for i, key := range []string{"plain.txt", "with space.txt", "a+b=c&d.txt", "中文/目录/文件.txt", "a//b", "100%/done?.txt"} {
			data := randomData(64<<10+i, uint64(100+i))
			u, h, err := c.PresignPut(ctx, bucket, key, "text/x-presigned")
			if err != nil {
				t.Fatalf("presign PUT %q: %v", key, err)
			}
			status, body := fetch(t, http.MethodPut, u, h, data)
			if status != http.StatusOK {
				t.Fatalf("presigned PUT %q: status %d: %s", key, status, body)
			}
			got, err := c.Get(ctx, bucket, key)
			if err != nil {
				t.Fatalf("GetObject %q after presigned PUT: %v", key, err)
			}
			sameBytes(t, "object stored through a presigned PUT", got, data)
			meta, err := c.Head(ctx, bucket, key)
			if err != nil || meta.ContentType != "text/x-presigned" {
				t.Errorf("HeadObject %q: Content-Type %q, %v", key, meta.ContentType, err)
			}

			u, h, err = c.PresignGet(ctx, bucket, key)
			if err != nil {
				t.Fatalf("presign GET %q: %v", key, err)
			}
			status, body = fetch(t, http.MethodGet, u, h, nil)
			if status != http.StatusOK {
				t.Fatalf("presigned GET %q: status %d: %s", key, status, body)
			}
			sameBytes(t, "presigned GET", body, data)

			status, body = fetch(t, http.MethodGet, tamper(t, u), h, nil)
			if status != http.StatusForbidden || !bytes.Contains(body, []byte("<Code>SignatureDoesNotMatch</Code>")) {
				t.Errorf("tampered presigned GET %q: status %d: %s", key, status, body)
			}
		}
		u, h, err := c.PresignGet(ctx, bucket, "missing")
		if err != nil {
			t.Fatal(err)
		}
		if status, body := fetch(t, http.MethodGet, u, h, nil); status != http.StatusNotFound || !bytes.Contains(body, []byte("<Code>NoSuchKey</Code>")) {
			t.Errorf("presigned GET of a missing key: status %d: %s", status, body)
		}
	})
}

// fetch sends one request with net/http and returns the status and body.
func fetch(t *testing.T, method, u string, h http.Header, body []byte) (int, []byte) {
	t.Helper()
	return fetchVia(t, http.DefaultClient, method, u, h, body)
}

// fetchVia is fetch through hc.
func fetchVia(t *testing.T, hc *http.Client, method, u string, h http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return resp.StatusCode, b
}

// tamper changes the key of a presigned URL (an extra character on the
// path), keeping its signature.
func tamper(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if p.RawPath != "" {
		p.RawPath = strings.TrimSuffix(p.RawPath, "/") + "x"
	}
	p.Path = strings.TrimSuffix(p.Path, "/") + "x"
	return p.String()
}
