package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// copyCrashTrialsEnv sets how many trials TestCopyCrashRecovery runs.
const copyCrashTrialsEnv = "OSSUP_COPY_CRASH_TRIALS"

// TestCopyCrashRecovery drives a server process with puts, copies (which
// share blobs), multipart uploads whose first part is copied from another
// object, appends and deletes over a few keys, and kills it with SIGKILL
// during a random request. A new server on the same directory must hold
// every acknowledged object byte-exact (the object of the request in
// flight old or new), so no shared blob was freed early; then, with every
// object deleted and every upload aborted, no blob file may remain, so
// none leaked.
func TestCopyCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns server processes")
	}
	trials := 8
	if v, err := strconv.Atoi(os.Getenv(copyCrashTrialsEnv)); err == nil && v > 0 {
		trials = v
	}
	for seed := range uint64(trials) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { copyCrashTrial(t, seed) })
	}
}

// copyCrashModel is what the acknowledged requests made of the keys.
type copyCrashModel struct {
	objects    map[string][]byte
	appendable map[string]bool
}

func copyCrashTrial(t *testing.T, seed uint64) {
	dir := t.TempDir()
	h, cmd := startCrashChild(t, dir)
	h.mkbucket("bkt")
	rng := rand.New(rand.NewPCG(seed, 7))
	m := copyCrashModel{objects: map[string][]byte{}, appendable: map[string]bool{}}
	client := &http.Client{Timeout: 10 * time.Second}
	send := func(c call) (*http.Response, []byte, error) {
		resp, err := client.Do(h.request(c))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, err = b.ReadFrom(resp.Body)
		return resp, b.Bytes(), err
	}
	key := func() string { return fmt.Sprint("k", rng.IntN(6)) }
	content := func(n int) []byte { return randBytes(rng.Uint64(), n) }
	killAt := 20 + rng.IntN(120)
	var inflight string
	var newValue []byte // what inflight holds if its request took effect; nil: deleted
	for i := 0; ; i++ {
		k, src := key(), key()
		var steps []call            // requests of this operation, in order
		var apply func(last []byte) // applies the acknowledged operation
		switch r := rng.IntN(10); {
		case r < 3:
			body := content(1 + rng.IntN(300_000))
			steps = []call{{method: "PUT", bucket: "bkt", key: k, body: body}}
			apply = func([]byte) { m.objects[k], m.appendable[k] = body, false }
		case r < 6:
			steps = []call{{method: "PUT", bucket: "bkt", key: k, header: copyHeader("bkt", src, "x-oss-metadata-directive", "REPLACE")}}
			apply = func([]byte) {
				if v, ok := m.objects[src]; ok {
					m.objects[k], m.appendable[k] = v, m.appendable[src]
				}
			}
		case r < 7:
			steps = []call{{method: "DELETE", bucket: "bkt", key: k}}
			apply = func([]byte) { delete(m.objects, k) }
		case r < 8 && (m.objects[k] == nil || m.appendable[k]):
			chunk := content(1 + rng.IntN(50_000))
			pos := strconv.Itoa(len(m.objects[k]))
			steps = []call{{method: "POST", bucket: "bkt", key: k, query: "append&position=" + pos, body: chunk}}
			apply = func([]byte) {
				m.objects[k] = append(bytes.Clone(m.objects[k]), chunk...)
				m.appendable[k] = true
			}
		default:
			// A multipart object: part 1 copied from src when it is big
			// enough, part 2 uploaded.
			if i+4 > killAt && i < killAt {
				continue // keep the kill on a single request
			}
			id := h.initiate("bkt", k, nil)
			first, tail := content(100<<10), content(1+rng.IntN(1000))
			if v := m.objects[src]; len(v) >= 100<<10 {
				off := rng.IntN(len(v) - 100<<10 + 1)
				hdr := copyHeader("bkt", src, "x-oss-copy-source-range", fmt.Sprintf("bytes=%d-%d", off, off+len(v[off:])-1))
				if rng.IntN(2) == 0 {
					hdr = copyHeader("bkt", src)
					off = 0
				}
				var res ossxml.CopyPartResult
				h.xml(call{method: "PUT", bucket: "bkt", key: k, query: "partNumber=1&uploadId=" + id, header: hdr}, &res)
				first = v[off:]
			} else {
				h.uploadPart("bkt", k, id, 1, first)
			}
			e1 := quoteETag(md5hex(first))
			e2 := h.uploadPart("bkt", k, id, 2, tail)
			whole := append(bytes.Clone(first), tail...)
			steps = []call{{method: "POST", bucket: "bkt", key: k, query: "uploadId=" + id, body: completeBody([]int{1, 2}, []string{e1, e2})}}
			apply = func([]byte) { m.objects[k], m.appendable[k] = whole, false }
		}
		if i >= killAt {
			// Send the operation's request and kill the server under it.
			before := copyCrashModel{objects: map[string][]byte{}, appendable: map[string]bool{}}
			for kk, v := range m.objects {
				before.objects[kk] = v
			}
			apply(nil)
			inflight, newValue = k, m.objects[k]
			m.objects = before.objects
			done := make(chan struct{})
			go func() {
				_, _, _ = send(steps[0])
				close(done)
			}()
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // a random instant, not a wait
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			<-done
			break
		}
		resp, body, err := send(steps[0])
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		switch {
		case resp.StatusCode/100 == 2:
			apply(body)
		case resp.StatusCode == http.StatusNotFound && steps[0].header != nil:
			// A copy of a missing source changes nothing.
		default:
			t.Fatalf("op %d %s %s?%s: %d %s", i, steps[0].method, steps[0].key, steps[0].query, resp.StatusCode, body)
		}
	}

	h2 := &harness{t: t, dir: dir, signer: h.signer, cred: h.cred}
	h2.start(nil)
	defer h2.stop()
	var list ossxml.ListBucketResult
	h2.xml(call{method: "GET", bucket: "bkt"}, &list)
	listed := map[string]bool{}
	for _, o := range list.Contents {
		listed[o.Key] = true
	}
	for i := range 6 {
		k := fmt.Sprint("k", i)
		want, ok := m.objects[k]
		r := h2.do(call{method: "GET", bucket: "bkt", key: k})
		switch {
		case k == inflight && r.StatusCode == http.StatusOK && newValue != nil && bytes.Equal(r.body, newValue):
		case k == inflight && r.StatusCode == http.StatusNotFound && newValue == nil:
		case ok && r.StatusCode == http.StatusOK && bytes.Equal(r.body, want):
		case !ok && r.StatusCode == http.StatusNotFound:
		default:
			t.Fatalf("%s after the crash: status %d, %d bytes; acknowledged %v (%d bytes), in flight %q", k, r.StatusCode, len(r.body), ok, len(want), inflight)
		}
		if listed[k] != (r.StatusCode == http.StatusOK) {
			t.Errorf("%s listed %v, readable %v", k, listed[k], r.StatusCode == http.StatusOK)
		}
	}

	// Delete everything: every blob must go with the last reference.
	for k := range listed {
		h2.ok(call{method: "DELETE", bucket: "bkt", key: k}, http.StatusNoContent)
	}
	var ups ossxml.ListMultipartUploadsResult
	h2.xml(call{method: "GET", bucket: "bkt", query: "uploads"}, &ups)
	for _, u := range ups.Uploads {
		h2.ok(call{method: "DELETE", bucket: "bkt", key: u.Key, query: "uploadId=" + u.UploadID}, http.StatusNoContent)
	}
	if n := countFiles(t, filepath.Join(dir, "blobs")); n != 0 {
		t.Errorf("%d blob files left with no object or upload", n)
	}
	if n := countFiles(t, filepath.Join(dir, "tmp")); n != 0 {
		t.Errorf("%d in-flight files left", n)
	}
}
