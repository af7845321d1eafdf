package interop

import (
	"net/http"
	"reflect"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// corsRule is a CORS rule in plain types, for comparing what both SDKs
// read back.
type corsRule struct {
	Origins, Methods, Headers, Expose []string
	MaxAge                            int
}

// TestBucketCors sets, reads and deletes a bucket's CORS rules with each
// SDK's own calls, and checks that a browser's preflight is answered from
// them.
func TestBucketCors(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket = "cors"
		if err := c.CreateBucket(ctx, bucket, "private"); err != nil {
			t.Fatal(err)
		}
		want := []corsRule{
			{Origins: []string{"http://app.example"}, Methods: []string{"PUT", "POST"}, Headers: []string{"x-oss-*", "content-type"}, Expose: []string{"ETag"}, MaxAge: 300},
			{Origins: []string{"*"}, Methods: []string{"GET", "HEAD"}, Headers: []string{"*"}, Expose: []string{"x-oss-request-id"}, MaxAge: 60},
		}
		var put, del func() error
		var get func() ([]corsRule, bool, error)
		if v.sdk == 1 {
			cl := c.(*v1Client).c
			rules := make([]v1.CORSRule, len(want))
			for i, r := range want {
				rules[i] = v1.CORSRule{AllowedOrigin: r.Origins, AllowedMethod: r.Methods, AllowedHeader: r.Headers, ExposeHeader: r.Expose, MaxAgeSeconds: r.MaxAge}
			}
			vary := true
			put = func() error {
				return cl.SetBucketCORSV2(bucket, v1.PutBucketCORS{CORSRules: rules, ResponseVary: &vary}, v1.WithContext(ctx))
			}
			del = func() error { return cl.DeleteBucketCORS(bucket, v1.WithContext(ctx)) }
			get = func() ([]corsRule, bool, error) {
				res, err := cl.GetBucketCORS(bucket, v1.WithContext(ctx))
				var got []corsRule
				for _, r := range res.CORSRules {
					got = append(got, corsRule{r.AllowedOrigin, r.AllowedMethod, r.AllowedHeader, r.ExposeHeader, r.MaxAgeSeconds})
				}
				return got, res.ResponseVary != nil && *res.ResponseVary, err
			}
		} else {
			cl := c.(*v2Client).c
			conf := &v2.CORSConfiguration{ResponseVary: v2.Ptr(true)}
			for _, r := range want {
				conf.CORSRules = append(conf.CORSRules, v2.CORSRule{AllowedOrigins: r.Origins, AllowedMethods: r.Methods, AllowedHeaders: r.Headers, ExposeHeaders: r.Expose, MaxAgeSeconds: v2.Ptr(int64(r.MaxAge))})
			}
			put = func() error {
				_, err := cl.PutBucketCors(ctx, &v2.PutBucketCorsRequest{Bucket: v2.Ptr(bucket), CORSConfiguration: conf})
				return err
			}
			del = func() error {
				_, err := cl.DeleteBucketCors(ctx, &v2.DeleteBucketCorsRequest{Bucket: v2.Ptr(bucket)})
				return err
			}
			get = func() ([]corsRule, bool, error) {
				res, err := cl.GetBucketCors(ctx, &v2.GetBucketCorsRequest{Bucket: v2.Ptr(bucket)})
				if err != nil {
					return nil, false, err
				}
				var got []corsRule
				for _, r := range res.CORSConfiguration.CORSRules {
					got = append(got, corsRule{r.AllowedOrigins, r.AllowedMethods, r.AllowedHeaders, r.ExposeHeaders, int(v2.ToInt64(r.MaxAgeSeconds))})
				}
				return got, v2.ToBool(res.CORSConfiguration.ResponseVary), nil
			}
		}
		_, _, err := get()
		wantCode(t, "GetBucketCors before any rules", err, http.StatusNotFound, "NoSuchCORSConfiguration")
		preflight := func(origin, method string) (int, http.Header) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, http.MethodOptions, f.url+"/"+bucket+"/any/key", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(probeHeader, "preflight")
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", method)
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-oss-date")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, resp.Header
		}
		if status, _ := preflight("http://app.example", "PUT"); status != http.StatusForbidden {
			t.Errorf("preflight without rules: %d, want 403", status)
		}

		if err := put(); err != nil {
			t.Fatalf("PutBucketCors: %v", err)
		}
		got, vary, err := get()
		if err != nil || !reflect.DeepEqual(got, want) || !vary {
			t.Fatalf("GetBucketCors = %+v, vary %v, %v; want %+v, vary true", got, vary, err, want)
		}
		status, h := preflight("http://app.example", "PUT")
		if status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "http://app.example" || h.Get("Access-Control-Max-Age") != "300" || h.Get("Vary") != "Origin" {
			t.Errorf("preflight of the first rule: %d %v", status, h)
		}
		status, h = preflight("http://other.example", "GET")
		if status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Expose-Headers") != "x-oss-request-id" {
			t.Errorf("preflight of the wildcard rule: %d %v", status, h)
		}
		if status, _ = preflight("http://other.example", "DELETE"); status != http.StatusForbidden {
			t.Errorf("preflight no rule allows: %d, want 403", status)
		}

		for range 2 {
			if err := del(); err != nil {
				t.Fatalf("DeleteBucketCors: %v", err)
			}
		}
		_, _, err = get()
		wantCode(t, "GetBucketCors after delete", err, http.StatusNotFound, "NoSuchCORSConfiguration")
		if status, _ := preflight("http://app.example", "PUT"); status != http.StatusForbidden {
			t.Errorf("preflight after delete: %d, want 403", status)
		}
		if ok, err := c.BucketExists(ctx, bucket); !ok || err != nil {
			t.Errorf("bucket after DeleteBucketCors: %v, %v", ok, err)
		}
	})
}
