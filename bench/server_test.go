package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// serverNames are the servers compared, in the order they run.
var serverNames = []string{"ossup", "minio"}

// BenchmarkServerUploadPart8MiB times one multipart upload of 64 parts of
// 8 MiB, 4 at a time (Initiate and the parts; Complete is timed apart and
// reported as complete-ms).
func BenchmarkServerUploadPart8MiB(b *testing.B) {
	benchServerIngest(b, 8<<20, 64, 4, true)
}

// BenchmarkServerUploadPart100KiB times one multipart upload of 2,000
// parts of 100 KiB, 5 at a time (Initiate and the parts). S3 refuses to
// complete parts under 5 MiB, so the parts are checked by listing them
// and the upload is aborted.
func BenchmarkServerUploadPart100KiB(b *testing.B) {
	benchServerIngest(b, 100<<10, 2000, 5, false)
}

// BenchmarkServerGetObject times one GetObject of a 256 MiB object
// (written with one PutObject) as one stream, the body read into a
// 256 KiB buffer and discarded. The object is read once before the timer,
// and checked then, so the timed reads come from the page cache.
func BenchmarkServerGetObject(b *testing.B) {
	const size = 256 << 20
	data := benchData(size)
	for _, name := range serverNames {
		b.Run(name, func(b *testing.B) {
			t := startTarget(b, name)
			ctx := b.Context()
			if _, err := t.call(ctx, http.MethodPut, "get", nil, data[:size]); err != nil {
				b.Fatal(err)
			}
			if err := t.sameObject(ctx, "get", data[:size]); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 256<<10)
			m := &cpuMeter{pid: t.pid}
			b.SetBytes(size)
			for b.Loop() {
				m.start()
				n, err := t.readObject(ctx, "get", buf)
				m.stop(n)
				if err != nil {
					b.Fatal(err)
				}
				if n != size {
					b.Fatalf("read %d bytes, want %d", n, size)
				}
			}
			m.reportPerGiB(b)
		})
	}
}

// BenchmarkServerComplete10000 times CompleteMultipartUpload of 10,000
// parts of 100 KiB, uploaded 5 at a time before the timer; the object is
// read back and checked after. MinIO, as S3, refuses parts under 5 MiB,
// so it is skipped.
func BenchmarkServerComplete10000(b *testing.B) {
	const partSize, parts = 100 << 10, 10000
	data := benchData(partSize * parts)
	for _, name := range serverNames {
		b.Run(name, func(b *testing.B) {
			if name == "minio" {
				b.Skip("MinIO side skipped: S3 completes only parts of at least 5 MiB (but the last)")
			}
			t := startTarget(b, name)
			ctx := b.Context()
			m := &cpuMeter{pid: t.pid}
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				key := "complete-" + strconv.Itoa(i)
				id, etags, err := t.uploadParts(ctx, key, data, partSize, parts, 5)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				m.start()
				err = t.complete(ctx, key, id, etags)
				m.stop(0)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if err := t.checkObject(ctx, key, data[:partSize*parts]); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(m.server.Seconds()*1000/float64(b.N), "server-cpu-ms/op")
		})
	}
}

// benchServerIngest times, on each server, a multipart upload of parts
// parts of partSize bytes, tasks at a time. With complete, the upload is
// then completed (timed alone, reported as complete-ms) and read back;
// without, its parts are listed and checked, and it is aborted.
func benchServerIngest(b *testing.B, partSize, parts, tasks int, complete bool) {
	size := partSize * parts
	data := benchData(size)
	for _, name := range serverNames {
		b.Run(name, func(b *testing.B) {
			t := startTarget(b, name)
			ctx := b.Context()
			m := &cpuMeter{pid: t.pid}
			var completeTime time.Duration
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				key := "ingest-" + strconv.Itoa(i)
				m.start()
				id, etags, err := t.uploadParts(ctx, key, data, partSize, parts, tasks)
				m.stop(int64(size))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if complete {
					start := time.Now()
					err = t.complete(ctx, key, id, etags)
					completeTime += time.Since(start)
					if err == nil {
						err = t.checkObject(ctx, key, data[:size])
					}
				} else {
					err = t.checkParts(ctx, key, id, data, partSize, parts)
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			m.reportPerGiB(b)
			if complete {
				b.ReportMetric(float64(completeTime.Microseconds())/1000/float64(b.N), "complete-ms")
			}
		})
	}
}

// benchData returns n pseudo-random bytes, the same for every call.
func benchData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	return data[:n]
}

// uploadParts initiates a multipart upload of key and uploads part i
// (from 1) as data[(i-1)*partSize:i*partSize], tasks at a time. It
// returns the upload id and the parts' ETags, indexed by part number - 1.
func (t *target) uploadParts(ctx context.Context, key string, data []byte, partSize, parts, tasks int) (string, []string, error) {
	res, err := t.do(ctx, http.MethodPost, key, url.Values{"uploads": {""}}, nil)
	if err != nil {
		return "", nil, err
	}
	var ini struct {
		UploadID string `xml:"UploadId"`
	}
	err = xml.NewDecoder(res.Body).Decode(&ini)
	res.Body.Close()
	if err != nil {
		return "", nil, fmt.Errorf("initiate %s: %w", key, err)
	}
	etags := make([]string, parts)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(tasks)
	for i := range parts {
		g.Go(func() error {
			q := url.Values{"partNumber": {strconv.Itoa(i + 1)}, "uploadId": {ini.UploadID}}
			h, err := t.call(gctx, http.MethodPut, key, q, data[i*partSize:(i+1)*partSize])
			if err != nil {
				return fmt.Errorf("part %d: %w", i+1, err)
			}
			etags[i] = h.Get("ETag")
			return nil
		})
	}
	return ini.UploadID, etags, g.Wait()
}

type completePart struct {
	PartNumber int
	ETag       string
}

// complete completes the upload id of key from etags.
func (t *target) complete(ctx context.Context, key, id string, etags []string) error {
	body := struct {
		XMLName xml.Name       `xml:"CompleteMultipartUpload"`
		Parts   []completePart `xml:"Part"`
	}{}
	for i, e := range etags {
		body.Parts = append(body.Parts, completePart{i + 1, e})
	}
	x, err := xml.Marshal(body)
	if err != nil {
		return err
	}
	_, err = t.call(ctx, http.MethodPost, key, url.Values{"uploadId": {id}}, x)
	return err
}

// readObject reads key into buf, over and over, and returns its length.
func (t *target) readObject(ctx context.Context, key string, buf []byte) (int64, error) {
	res, err := t.do(ctx, http.MethodGet, key, nil, nil)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var n int64
	for {
		k, err := res.Body.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// checkObject reads key back, compares it with want, and deletes it.
func (t *target) checkObject(ctx context.Context, key string, want []byte) error {
	if err := t.sameObject(ctx, key, want); err != nil {
		return err
	}
	_, err := t.call(ctx, http.MethodDelete, key, nil, nil)
	return err
}

// sameObject reads key back and compares its length and MD5 with want's.
func (t *target) sameObject(ctx context.Context, key string, want []byte) error {
	res, err := t.do(ctx, http.MethodGet, key, nil, nil)
	if err != nil {
		return err
	}
	h := md5.New()
	n, err := io.CopyBuffer(struct{ io.Writer }{h}, res.Body, make([]byte, 1<<20))
	res.Body.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if got, sum := h.Sum(nil), md5.Sum(want); n != int64(len(want)) || !bytes.Equal(got, sum[:]) {
		return fmt.Errorf("%s %s: got %d bytes with MD5 %x, want %d bytes with MD5 %x", t.name, key, n, got, len(want), sum)
	}
	return nil
}

// checkParts lists the parts of upload id, a page at a time, and checks
// that there are parts of them, each of partSize bytes with an ETag that
// is the MD5 of its bytes in data; then it aborts the upload.
func (t *target) checkParts(ctx context.Context, key, id string, data []byte, partSize, parts int) error {
	seen, marker := 0, "0"
	for {
		q := url.Values{"uploadId": {id}, "part-number-marker": {marker}, "max-parts": {"1000"}}
		res, err := t.do(ctx, http.MethodGet, key, q, nil)
		if err != nil {
			return err
		}
		var page struct {
			IsTruncated          bool
			NextPartNumberMarker string
			Parts                []struct {
				PartNumber int
				ETag       string
				Size       int
			} `xml:"Part"`
		}
		err = xml.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("list parts of %s: %w", key, err)
		}
		for _, p := range page.Parts {
			if p.PartNumber != seen+1 || p.Size != partSize {
				return fmt.Errorf("%s %s: part %d of %d bytes after part %d", t.name, key, p.PartNumber, p.Size, seen)
			}
			sum := md5.Sum(data[seen*partSize : (seen+1)*partSize])
			if got := strings.Trim(p.ETag, `"`); !strings.EqualFold(got, hex.EncodeToString(sum[:])) {
				return fmt.Errorf("%s %s: part %d has ETag %s, want MD5 %x", t.name, key, p.PartNumber, got, sum)
			}
			seen++
		}
		if !page.IsTruncated || page.NextPartNumberMarker == marker {
			break
		}
		marker = page.NextPartNumberMarker
	}
	if seen != parts {
		return fmt.Errorf("%s %s: listed %d parts, want %d", t.name, key, seen, parts)
	}
	_, err := t.call(ctx, http.MethodDelete, key, url.Values{"uploadId": {id}}, nil)
	return err
}
