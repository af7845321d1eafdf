package oss_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// appServer is the application server OSS calls back: /ok answers with
// reply, anything else with 500. It keeps what it was sent.
type appServer struct {
	*httptest.Server
	reply []byte

	mu          sync.Mutex
	bodies      []string
	contentType []string
}

func newAppServer(t *testing.T) *appServer {
	a := &appServer{reply: []byte(`{"status":"ok","items":[1,2,3]}`)}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.bodies = append(a.bodies, string(body))
		a.contentType = append(a.contentType, r.Header.Get("Content-Type"))
		a.mu.Unlock()
		if r.URL.Path != "/ok" {
			http.Error(w, "application error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(a.reply)
	}))
	t.Cleanup(a.Close)
	return a
}

// last returns the last callback body and its Content-Type.
func (a *appServer) last(t *testing.T) (body, contentType string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.bodies) == 0 {
		t.Fatal("the application server was not called")
	}
	return a.bodies[len(a.bodies)-1], a.contentType[len(a.contentType)-1]
}

func TestCallbackPutObject(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		app := newAppServer(t)
		const key = "cb/a b+c.txt"
		data := pattern(5, 777)
		cb := &oss.Callback{
			URL:  app.URL + "/ok",
			Body: "bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mime=${mimeType}&v=${x:v}",
			Vars: map[string]string{"x:v": "hello world&more"},
		}
		res, err := e.Client.PutObject(t.Context(), &oss.PutObjectRequest{Bucket: e.Bucket, Key: key, Body: bytes.NewReader(data), Size: int64(len(data)),
			ObjectMetadata: oss.ObjectMetadata{ContentType: "text/plain"}, Callback: cb})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.CallbackResult, app.reply) {
			t.Errorf("CallbackResult = %s, want %s", res.CallbackResult, app.reply)
		}
		checkCRC64(t, "PutObject with callback", res.CRC64, data)
		body, ctype := app.last(t)
		got, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("callback body %q: %v", body, err)
		}
		want := url.Values{
			"bucket": {e.Bucket}, "object": {key}, "etag": {strings.Trim(res.ETag, `"`)},
			"size": {strconv.Itoa(len(data))}, "mime": {"text/plain"}, "v": {"hello world&more"},
		}
		if !reflect.DeepEqual(got, want) || ctype != "application/x-www-form-urlencoded" {
			t.Errorf("callback body %q (%s):\n got %v\nwant %v", body, ctype, got, want)
		}
		if stored, _ := e.get(key); !bytes.Equal(stored, data) {
			t.Errorf("stored object differs")
		}
	})
}

func TestCallbackComplete(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		app := newAppServer(t)
		data := pattern(6, oss.MinPartSize+10)
		id, parts := e.upload("cb/multi", data, oss.MinPartSize, oss.ObjectMetadata{ContentType: "application/x-thing"})
		cb := &oss.Callback{
			URL:      app.URL + "/ok",
			Body:     `{"bucket":${bucket},"object":${object},"size":${size},"mime":${mimeType},"v":${x:v}}`,
			BodyType: "application/json",
			Vars:     map[string]string{"x:v": `quote " and \ back`},
		}
		res, err := e.Client.CompleteMultipartUpload(t.Context(), &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "cb/multi", UploadID: id, Parts: uploaded(parts), Callback: cb})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.CallbackResult, app.reply) {
			t.Errorf("CallbackResult = %s, want %s", res.CallbackResult, app.reply)
		}
		checkCRC64(t, "Complete with callback", res.CRC64, data)
		if !strings.HasSuffix(res.ETag, `-2"`) {
			t.Errorf("ETag = %s, want a multipart ETag", res.ETag)
		}
		body, ctype := app.last(t)
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("callback body %q: %v", body, err)
		}
		want := map[string]any{"bucket": e.Bucket, "object": "cb/multi", "size": float64(len(data)), "mime": "application/x-thing", "v": `quote " and \ back`}
		if !reflect.DeepEqual(got, want) || ctype != "application/json" {
			t.Errorf("callback body (%s):\n got %v\nwant %v", ctype, got, want)
		}
	})
}

func TestCallbackFailed(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		e := c.start(t, osstest.Options{})
		app := newAppServer(t)
		ctx := t.Context()
		cb := &oss.Callback{URL: app.URL + "/fail", Body: "object=${object}"}
		check := func(op string, err error, key string, data []byte) {
			t.Helper()
			se := serviceError(t, err, oss.ErrCallbackFailed)
			if se.StatusCode != http.StatusNonAuthoritativeInfo || se.RequestID == "" || !strings.Contains(se.Message, "500") {
				t.Errorf("%s: %#v, want status 203, a request id and the application's status", op, se)
			}
			// The object is stored all the same.
			if got, _ := e.get(key); !bytes.Equal(got, data) {
				t.Errorf("%s: object not stored", op)
			}
			if body, _ := app.last(t); body != "object="+url.QueryEscape(key) {
				t.Errorf("%s: callback body %q", op, body)
			}
		}
		data := []byte("payload")
		_, err := e.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: e.Bucket, Key: "put", Body: bytes.NewReader(data), Size: int64(len(data)), Callback: cb})
		check("PutObject", err, "put", data)

		id, parts := e.upload("multi", data, 100, oss.ObjectMetadata{})
		_, err = e.Client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: e.Bucket, Key: "multi", UploadID: id, Parts: uploaded(parts), Callback: cb})
		check("CompleteMultipartUpload", err, "multi", data)
	})
}
