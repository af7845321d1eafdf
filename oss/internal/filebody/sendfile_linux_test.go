package filebody

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

// TestSendfile checks that a reader from Open is sent by sendfile: a
// TCP connection's ReadFrom takes it whole, without a Read.
func TestSendfile(t *testing.T) {
	f, data := writeRandom(t, 2<<20)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	recv := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			recv <- nil
			return
		}
		b, _ := io.ReadAll(c)
		c.Close()
		recv <- b
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := New(f, 1000, 1<<20, crc64.ECMA).Open().(*fileReader)
	counted := &countingReads{fileReader: r}
	if _, err := c.(*net.TCPConn).ReadFrom(&io.LimitedReader{R: counted, N: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	r.Close()
	if !bytes.Equal(<-recv, data[1000:1000+1<<20]) {
		t.Fatal("received other bytes than the range")
	}
	if counted.reads != 0 {
		t.Fatalf("%d Reads: the range was copied, not sent by sendfile", counted.reads)
	}
}

// TestHTTPSendfile sends a range as an HTTP request body, as the request
// layer does, and checks that net/http read almost none of it: one Read
// fills its write buffer behind the headers and one more finds the end,
// and sendfile moves the rest.
func TestHTTPSendfile(t *testing.T) {
	f, data := writeRandom(t, 3<<20)
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	r := New(f, 777, 2<<20, crc64.ECMA).Open().(*fileReader)
	req, err := http.NewRequest(http.MethodPut, srv.URL, r)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 2 << 20
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !bytes.Equal(got, data[777:777+2<<20]) {
		t.Fatal("the server received other bytes than the range")
	}
	if r.reads > 2 {
		t.Fatalf("%d Reads of the body: net/http copied it instead of using sendfile", r.reads)
	}
}

type countingReads struct {
	*fileReader
	reads int
}

func (c *countingReads) Read(p []byte) (int, error) { c.reads++; return c.fileReader.Read(p) }
