package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sync/errgroup"
)

// floorClient is the least an uploader can do against the null service,
// the ceiling of any client's throughput on this machine: it initiates a
// multipart upload, sends each part as a PUT whose body is the file
// itself at the part's offset (net/http hands it to sendfile), tasks at
// a time, and completes. It signs nothing, checksums nothing and keeps no
// checkpoint; the null service still checks the object's size and
// CRC-64. It is a reference row, not a peer: what it leaves out is what
// every real client must do.
type floorClient struct {
	http   *http.Client
	url    string // the service's endpoint
	bucket string
}

func (c floorClient) UploadFile(ctx context.Context, key, path string, j job) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	base := c.url + "/" + c.bucket + "/" + key
	var init struct {
		UploadID string `xml:"UploadId"`
	}
	if err := c.call(ctx, http.MethodPost, base+"?uploads", nil, 0, &init); err != nil {
		return err
	}
	size := fi.Size()
	n := int((size + j.partSize - 1) / j.partSize)
	etags := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.tasks)
	for i := range n {
		g.Go(func() error {
			off := int64(i) * j.partSize
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := f.Seek(off, io.SeekStart); err != nil {
				return err
			}
			url := fmt.Sprintf("%s?partNumber=%d&uploadId=%s", base, i+1, init.UploadID)
			psize := min(j.partSize, size-off)
			h, err := c.send(gctx, http.MethodPut, url, &partFile{f, off + psize}, psize)
			if err != nil {
				return err
			}
			etags[i] = h.Get("ETag")
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var body bytes.Buffer
	body.WriteString("<CompleteMultipartUpload>")
	for i, e := range etags {
		fmt.Fprintf(&body, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, e)
	}
	body.WriteString("</CompleteMultipartUpload>")
	return c.call(ctx, http.MethodPost, base+"?uploadId="+init.UploadID, &body, int64(body.Len()), nil)
}

func (c floorClient) PutFile(ctx context.Context, key, path string) error {
	return errors.New("floor: PutFile is not measured")
}

// call sends a request and decodes its XML answer into out, when given.
func (c floorClient) call(ctx context.Context, method, url string, body io.Reader, size int64, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(string(msg)))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return xml.NewDecoder(resp.Body).Decode(out)
}

// send is call for a body of size bytes, which net/http sends with
// sendfile; it returns the answer's headers.
func (c floorClient) send(ctx context.Context, method, url string, body *partFile, size int64) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return resp.Header, nil
}

// partFile is a file read from its offset up to end. Its SyscallConn
// lets net/http's copy of the body to the connection use sendfile(2),
// which starts at the file's offset; Read, which net/http calls after
// to see that nothing is left, stops at end.
type partFile struct {
	f   *os.File
	end int64
}

func (p *partFile) Read(b []byte) (int, error) {
	pos, err := p.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if pos >= p.end {
		return 0, io.EOF
	}
	if int64(len(b)) > p.end-pos {
		b = b[:p.end-pos]
	}
	return p.f.Read(b)
}

// Close closes the file, as the transport does when the request is
// sent; net/http unwraps no other reader for its copy to the connection.
func (p *partFile) Close() error { return p.f.Close() }

func (p *partFile) SyscallConn() (syscall.RawConn, error) { return p.f.SyscallConn() }
