package main

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/sign"
)

// TestServeShutdownUnderLoad stops "ossup serve" with SIGTERM while
// clients are writing: every write the server acknowledged must read back
// byte-exact after a restart, and the server must exit cleanly.
func TestServeShutdownUnderLoad(t *testing.T) {
	data := t.TempDir()
	env := []string{"OSS_ACCESS_KEY_ID=LTAIload", "OSS_ACCESS_KEY_SECRET=load-secret"}
	cred := sign.Credentials{AccessKeyID: "LTAIload", AccessKeySecret: "load-secret"}
	p := startServe(t, env, "--addr", "127.0.0.1:0", "--data", data)
	if st, body := signedDo(t, p.url, cred, "PUT", "load", "", nil); st != 200 {
		t.Fatalf("PutBucket: %d %s", st, body)
	}
	content := func(w, i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("w%d-i%d;", w, i)), 20000) }
	var mu sync.Mutex
	acked := map[string][]byte{}
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; i < 500; i++ {
				key := fmt.Sprintf("w%d/obj%d", w, i)
				body := content(w, i)
				st, err := tryPut(p.url, cred, "load", key, body)
				if err != nil || st != 200 {
					return // the server is going away
				}
				mu.Lock()
				acked[key] = body
				if len(acked) >= 20 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatal("the server acknowledged too few writes")
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exited %d after SIGTERM under load", code)
	}
	wg.Wait()
	p = startServe(t, env, "--addr", "127.0.0.1:0", "--data", data)
	for key, want := range acked {
		st, got := signedDo(t, p.url, cred, "GET", "load", key, nil)
		if st != 200 || !bytes.Equal(got, want) {
			t.Fatalf("acknowledged %s reads back %d, %d bytes (want %d)", key, st, len(got), len(want))
		}
	}
	t.Logf("%d acknowledged writes survived the shutdown", len(acked))
}

// tryPut is signedDo without test failures, for use from goroutines.
func tryPut(base string, cred sign.Credentials, bucket, key string, body []byte) (int, error) {
	r, err := http.NewRequest("PUT", base+"/"+bucket+"/"+key, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if err := (sign.Signer{Region: "cn-hangzhou"}).Sign(r, sign.Resource{Bucket: bucket, Key: key}, cred, time.Now()); err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
