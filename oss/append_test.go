package oss_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
)

// appendObject is one Appendable object kept by a wire server's reply
// function: it applies appends, answers HEAD and ranged GET, and can drop
// the answer to an append it applied by closing the connection.
type appendObject struct {
	mu   sync.Mutex
	data []byte
	// drop is the number of applied appends whose answer is lost.
	drop int
	// afterDrop, when set, runs after an answer is dropped: someone else
	// changing the object, say.
	afterDrop func(o *appendObject)
	// badCRC makes append answers report a wrong CRC-64.
	badCRC bool
}

func (o *appendObject) headers(w http.ResponseWriter) {
	w.Header().Set("x-oss-object-type", oss.ObjectTypeAppendable)
	w.Header().Set("x-oss-next-append-position", strconv.Itoa(len(o.data)))
	w.Header().Set("x-oss-hash-crc64ecma", crc64.Format(crc64.Checksum(o.data)))
	w.Header().Set("ETag", fmt.Sprintf(`"%016X"`, crc64.Checksum(o.data)))
}

func (o *appendObject) reply(w http.ResponseWriter, c wireCall) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch c.Method {
	case http.MethodHead, http.MethodGet:
		o.headers(w)
		http.ServeContent(w, &http.Request{Method: c.Method, Header: c.Header}, "", time.Time{}, bytes.NewReader(o.data))
		return
	case http.MethodPost:
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	pos, err := strconv.Atoi(queryValue(c.RawQuery, "position"))
	if err != nil || !strings.HasPrefix(c.RawQuery, "append&") {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if pos != len(o.data) {
		w.Header().Set("x-oss-next-append-position", strconv.Itoa(len(o.data)))
		replyError(http.StatusConflict, "PositionNotEqualToLength")(w, c)
		return
	}
	o.data = append(o.data, c.Body...)
	if o.drop > 0 {
		o.drop--
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		if o.afterDrop != nil {
			o.afterDrop(o)
		}
		return
	}
	o.headers(w)
	if o.badCRC {
		w.Header().Set("x-oss-hash-crc64ecma", "1")
	}
}

func (o *appendObject) bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.data)
}

func queryValue(raw, name string) string {
	for _, kv := range strings.Split(raw, "&") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// methods lists the methods of the calls a wire server received.
func (ws *wireServer) methods() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var m []string
	for _, c := range ws.calls {
		m = append(m, c.Method)
	}
	return strings.Join(m, " ")
}

func TestAppendObjectWire(t *testing.T) {
	obj := &appendObject{}
	c, ws := newWire(t, obj.reply)
	chunks := []string{"first chunk,", " second", " and the third"}
	var pos int64
	var crc *uint64
	for i, chunk := range chunks {
		req := &oss.AppendObjectRequest{Bucket: "b", Key: "log", Position: pos, Body: strings.NewReader(chunk), Size: int64(len(chunk)), InitCRC64: crc}
		if i == 0 {
			req.ObjectMetadata = oss.ObjectMetadata{ContentType: "text/plain", User: map[string]string{"k": "v"}}
		}
		res, err := c.AppendObject(t.Context(), req)
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		pos += int64(len(chunk))
		if res.NextPosition != pos || !res.HasCRC64 || res.Recovered {
			t.Fatalf("append %d: result %+v, want NextPosition %d with a CRC-64", i, *res, pos)
		}
		crc = &res.CRC64
	}
	if got, want := string(obj.bytes()), strings.Join(chunks, ""); got != want {
		t.Errorf("object %q, want %q", got, want)
	}
	if *crc != crc64.Checksum(obj.bytes()) {
		t.Errorf("last CRC-64 %d, want the whole object's", *crc)
	}
	ws.mu.Lock()
	first, second := ws.calls[0], ws.calls[1]
	ws.mu.Unlock()
	if first.Method != http.MethodPost || first.Path != "/b/log" || first.RawQuery != "append&position=0" {
		t.Errorf("first append sent %s %s?%s, want POST /b/log?append&position=0", first.Method, first.Path, first.RawQuery)
	}
	wantHeaders(t, first, map[string]string{"Content-Type": "text/plain", "x-oss-meta-k": "v", "Content-Length": strconv.Itoa(len(chunks[0]))})
	if second.RawQuery != "append&position="+strconv.Itoa(len(chunks[0])) {
		t.Errorf("second append query %q", second.RawQuery)
	}
}

func TestAppendObjectCRC(t *testing.T) {
	t.Run("service reports another CRC-64", func(t *testing.T) {
		c, _ := newWire(t, (&appendObject{badCRC: true}).reply)
		_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Body: strings.NewReader("abc"), Size: 3})
		if !errors.Is(err, oss.ErrCRCMismatch) {
			t.Fatalf("err = %v, want ErrCRCMismatch", err)
		}
	})
	t.Run("wrong InitCRC64", func(t *testing.T) {
		obj := &appendObject{data: []byte("abc")}
		c, _ := newWire(t, obj.reply)
		wrong := crc64.Checksum([]byte("abd"))
		_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Position: 3, Body: strings.NewReader("def"), Size: 3, InitCRC64: &wrong})
		if !errors.Is(err, oss.ErrCRCMismatch) {
			t.Fatalf("err = %v, want ErrCRCMismatch", err)
		}
	})
	t.Run("unknown InitCRC64 is not checked", func(t *testing.T) {
		obj := &appendObject{data: []byte("abc")}
		c, _ := newWire(t, obj.reply)
		res, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Position: 3, Body: strings.NewReader("def"), Size: 3})
		if err != nil || res.CRC64 != crc64.Checksum([]byte("abcdef")) {
			t.Fatalf("result %+v, err %v", res, err)
		}
	})
}

// TestAppendObjectLostAnswer drops the answer to an append the service
// applied: the retry meets PositionNotEqualToLength, and AppendObject
// must recognise its own bytes, and only its own, at the end of the
// object.
func TestAppendObjectLostAnswer(t *testing.T) {
	const before, chunk = "0123456789", "appended bytes"
	tests := []struct {
		name        string
		initKnown   bool
		afterDrop   func(o *appendObject)
		wantMethods string
		wantErr     error
	}{
		{name: "initial CRC-64 known", initKnown: true, wantMethods: "POST POST HEAD"},
		{name: "initial CRC-64 unknown", wantMethods: "POST POST HEAD GET"},
		{
			name: "another writer's bytes of the same length, CRC-64 known", initKnown: true,
			afterDrop:   func(o *appendObject) { copy(o.data[len(before):], strings.ToUpper(chunk)) },
			wantMethods: "POST POST HEAD", wantErr: oss.ErrPositionNotEqualToLength,
		},
		{
			name:        "another writer's bytes of the same length, CRC-64 unknown",
			afterDrop:   func(o *appendObject) { copy(o.data[len(before):], strings.ToUpper(chunk)) },
			wantMethods: "POST POST HEAD GET", wantErr: oss.ErrPositionNotEqualToLength,
		},
		{
			name:        "another writer appended more",
			afterDrop:   func(o *appendObject) { o.data = append(o.data, 'x') },
			wantMethods: "POST POST HEAD", wantErr: oss.ErrPositionNotEqualToLength,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj := &appendObject{data: []byte(before), drop: 1, afterDrop: tc.afterDrop}
			c, ws := newWire(t, obj.reply)
			req := &oss.AppendObjectRequest{Bucket: "b", Key: "k", Position: int64(len(before)), Body: strings.NewReader(chunk), Size: int64(len(chunk))}
			if tc.initKnown {
				init := crc64.Checksum([]byte(before))
				req.InitCRC64 = &init
			}
			res, err := c.AppendObject(t.Context(), req)
			if got := ws.methods(); got != tc.wantMethods {
				t.Errorf("requests %q, want %q", got, tc.wantMethods)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := before + chunk
			if !res.Recovered || res.NextPosition != int64(len(want)) || !res.HasCRC64 || res.CRC64 != crc64.Checksum([]byte(want)) {
				t.Errorf("result %+v, want a recovered append to %d bytes", *res, len(want))
			}
			if got := string(obj.bytes()); got != want {
				t.Errorf("object %q, want %q (appended once)", got, want)
			}
		})
	}
}

// TestAppendObjectRetryRefusedUnread: the service may refuse the retry
// of a lost append before reading its body, so the client must check the
// object against the bytes of the attempt that sent them all, not the
// partial bytes of the refused one.
func TestAppendObjectRetryRefusedUnread(t *testing.T) {
	data := pattern(5, 8<<20) // far more than the socket buffers hold
	obj := &appendObject{drop: 1}
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := wireCall{Method: r.Method, RawQuery: r.URL.RawQuery, Header: r.Header}
		if r.Method == http.MethodPost {
			if posts.Add(1) == 2 {
				w.Header().Set("Connection", "close")
				replyError(http.StatusConflict, "PositionNotEqualToLength")(w, call) // body unread
				return
			}
			call.Body, _ = io.ReadAll(r.Body)
		}
		obj.reply(w, call)
	}))
	t.Cleanup(srv.Close)
	c, err := oss.New(oss.Config{Endpoint: srv.URL, Region: "cn-hangzhou", RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond,
		Credentials: oss.StaticCredentials{AccessKeyID: "LTAItest", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Body: bytes.NewReader(data), Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Recovered || res.NextPosition != int64(len(data)) || posts.Load() != 2 {
		t.Errorf("result %+v after %d appends, want a recovered append after 2", *res, posts.Load())
	}
	if !bytes.Equal(obj.bytes(), data) {
		t.Error("object differs from the bytes appended")
	}
}

// TestAppendObjectLostAnswerUnchecked: when the object cannot be read
// after a lost answer, AppendObject reports both the conflict and why it
// could not tell whether its append landed.
func TestAppendObjectLostAnswerUnchecked(t *testing.T) {
	obj := &appendObject{drop: 1}
	c, ws := newWire(t, func(w http.ResponseWriter, call wireCall) {
		if call.Method == http.MethodHead {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		obj.reply(w, call)
	})
	_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Body: strings.NewReader("abc"), Size: 3})
	if !errors.Is(err, oss.ErrPositionNotEqualToLength) || !errors.Is(err, oss.ErrAccessDenied) {
		t.Fatalf("err = %v, want one that wraps PositionNotEqualToLength and AccessDenied", err)
	}
	if got := ws.methods(); got != "POST POST HEAD" {
		t.Errorf("requests %q, want POST POST HEAD", got)
	}
	t.Log(err)
}

func TestAppendObjectNotRetried(t *testing.T) {
	t.Run("body that cannot be rewound", func(t *testing.T) {
		obj := &appendObject{drop: 1}
		c, ws := newWire(t, obj.reply)
		body := io.MultiReader(strings.NewReader("abc")) // no Seek
		_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Body: body, Size: 3})
		if err == nil {
			t.Fatal("no error for a lost answer to a body sent once")
		}
		if got := ws.methods(); got != "POST" {
			t.Errorf("requests %q, want one POST", got)
		}
	})
	t.Run("position conflict on the first attempt", func(t *testing.T) {
		obj := &appendObject{data: []byte("abc")}
		c, ws := newWire(t, obj.reply)
		_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Position: 1, Body: strings.NewReader("d"), Size: 1})
		serviceError(t, err, oss.ErrPositionNotEqualToLength)
		if got := ws.methods(); got != "POST" {
			t.Errorf("requests %q, want one POST and no check", got)
		}
	})
	t.Run("not appendable", func(t *testing.T) {
		c, _ := newWire(t, replyError(http.StatusConflict, "ObjectNotAppendable"))
		_, err := c.AppendObject(t.Context(), &oss.AppendObjectRequest{Bucket: "b", Key: "k", Body: strings.NewReader("d"), Size: 1})
		serviceError(t, err, oss.ErrObjectNotAppendable)
	})
}

func TestAppendObjectInvalid(t *testing.T) {
	c, ws := newWire(t, replyOK)
	for _, req := range []oss.AppendObjectRequest{
		{Bucket: "b", Key: "k", Position: -1},
		{Bucket: "b", Key: "k", Size: 3},
		{Bucket: "b", Key: "k", Body: strings.NewReader("x"), Size: -1},
		{Bucket: "b", Body: strings.NewReader("x"), Size: 1},
		{Bucket: "b", Key: "k", ObjectMetadata: oss.ObjectMetadata{Tags: []oss.Tag{{}}}},
	} {
		if _, err := c.AppendObject(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("%+v: err = %v, want ErrInvalidArgument", req, err)
		}
	}
	if n := ws.count(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
