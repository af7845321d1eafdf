package ossxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its data in pieces of pseudo-random sizes (1..7
// bytes), so that every construct gets split somewhere.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(7))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// FuzzProtectReader checks that protecting a document as it streams in,
// however it is split, gives what protecting it whole gives.
func FuzzProtectReader(f *testing.F) {
	for _, s := range []string{
		"<Delete><Object><Key>a&#x0C;b&#1;c</Key></Object></Delete>",
		"<a>\U0010FFFD;0C;&#x10FFFD;<![CDATA[&#x0C;\U0010FFFD]]></a>",
		"<!-->&#1;<?>&#2;<!-- &#3; --><?pi &#4; ?><![CDATA[]]]>&#5;",
		"&#", "&#x", "<![CDA", "\xf4\x8f\xbf", "<![CDATA[\xf4\x8f\xbf",
	} {
		f.Add([]byte(s), uint64(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		want, _ := protectRefs(data)
		for _, r := range []io.Reader{
			iotest.OneByteReader(bytes.NewReader(data)),
			&chunkReader{data: data, rng: rand.New(rand.NewPCG(seed, 1))},
			bytes.NewReader(data),
		} {
			got, err := io.ReadAll(newProtectReader(r))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%q streamed: %q, %v; whole: %q", data, got, err, want)
			}
		}
	})
}

// FuzzDecodeDelete checks that DecodeDelete agrees with Unmarshal, and
// stops at the limit.
func FuzzDecodeDelete(f *testing.F) {
	f.Add([]byte("<Delete><Quiet>true</Quiet><Object><Key>a&#x0C;b</Key><VersionId>v</VersionId></Object><Object><Key>c</Key></Object></Delete>"), uint8(1))
	f.Add([]byte("\uFEFF<?xml version=\"1.0\"?><Delete xmlns=\"urn:x\"><X><Object/></X><Object><Key><![CDATA[\U0010FFFD]]></Key></Object></Delete><!-- -->"), uint8(5))
	f.Add([]byte("<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>trailing"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		var want Delete
		werr := Unmarshal(data, &want)
		got, err := DecodeDelete(bytes.NewReader(data), 1<<20)
		if (err == nil) != (werr == nil) || err == nil && !reflect.DeepEqual(*got, want) {
			t.Fatalf("%q: DecodeDelete = %+v, %v; Unmarshal = %+v, %v", data, got, err, want, werr)
		}
		_, err = DecodeDelete(bytes.NewReader(data), int(max))
		if werr == nil && len(want.Objects) > int(max) && !errors.Is(err, ErrTooManyObjects) {
			t.Fatalf("%q with %d objects, limit %d: err = %v", data, len(want.Objects), max, err)
		}
	})
}

func TestDecodeDelete(t *testing.T) {
	body := "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete xmlns=\"urn:x\">" +
		"<Quiet>true</Quiet><Object><Key>a&#x0C;b</Key></Object><Other><Object><Key>no</Key></Object></Other>" +
		"<Object><Key><![CDATA[&#x0C;]]></Key><VersionId>v1</VersionId></Object></Delete>\n<!-- end -->"
	r := &countingReader{r: iotest.HalfReader(strings.NewReader(body))}
	got, err := DecodeDelete(r, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &Delete{Quiet: true, Objects: []DeleteObject{{Key: "a\x0cb"}, {Key: "&#x0C;", VersionID: "v1"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if r.n != len(body) || !r.eof {
		t.Errorf("read %d of %d bytes (eof %v): a document is returned only once read to its end", r.n, len(body), r.eof)
	}

	long := "<Delete><Object><Key>&#x" + strings.Repeat("0", maxCharRef-5) + "C;</Key></Object></Delete>"
	if got, err := DecodeDelete(iotest.OneByteReader(strings.NewReader(long)), 1); err != nil || got.Objects[0].Key != "\x0c" {
		t.Errorf("reference of %d bytes: %+v, %v", maxCharRef, got, err)
	}
	for name, data := range map[string]string{
		"empty":          "",
		"other root":     "<CompleteMultipartUpload/>",
		"unclosed":       "<Delete><Object><Key>a</Key></Object>",
		"trailing":       "<Delete/><Delete/>",
		"bad quiet":      "<Delete><Quiet>maybe</Quiet></Delete>",
		"forbidden char": "<Delete><Object><Key>&#x0000000000000000000000000000000000000000000000000000000000000000C;</Key></Object></Delete>",
	} {
		if _, err := DecodeDelete(strings.NewReader(data), 10); err == nil || errors.Is(err, ErrTooManyObjects) {
			t.Errorf("%s: err = %v, want a decoding error", name, err)
		}
	}
	if _, err := DecodeDelete(iotest.ErrReader(iotest.ErrTimeout), 10); !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("read error: err = %v, want it wrapped", err)
	}
}

// countingReader counts the bytes read through it and notes io.EOF.
type countingReader struct {
	r   io.Reader
	n   int
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	c.eof = c.eof || err == io.EOF
	return n, err
}

// endless repeats one <Object> element forever.
type endless struct{ off int }

func (e *endless) Read(p []byte) (int, error) {
	const obj = "<Object><Key>k</Key></Object>"
	for i := range p {
		p[i] = obj[e.off%len(obj)]
		e.off++
	}
	return len(p), nil
}

// TestDecodeDeleteStops shows that DecodeDelete stops at the object past
// the limit: it returns from an endless body, and never reaches a read
// error that lies well beyond that object.
func TestDecodeDeleteStops(t *testing.T) {
	r := &countingReader{r: io.MultiReader(strings.NewReader("<Delete>"), &endless{})}
	if _, err := DecodeDelete(r, 1000); !errors.Is(err, ErrTooManyObjects) {
		t.Fatalf("endless body: err = %v, want ErrTooManyObjects", err)
	}
	const perObject = len("<Object><Key>k</Key></Object>")
	if limit := 1001*perObject + 64<<10; r.n > limit {
		t.Errorf("read %d bytes to find object 1001, want at most %d", r.n, limit)
	}

	objects := func(n int) string {
		var b strings.Builder
		b.WriteString("<Delete>")
		for i := range n {
			fmt.Fprintf(&b, "<Object><Key>%0100d</Key></Object>", i)
		}
		return b.String()
	}
	body := io.MultiReader(strings.NewReader(objects(1001)), iotest.ErrReader(errors.New("read past the limit")))
	if _, err := DecodeDelete(body, 1000); !errors.Is(err, ErrTooManyObjects) {
		t.Errorf("1,001 objects then a read error: err = %v, want ErrTooManyObjects", err)
	}
	if d, err := DecodeDelete(strings.NewReader(objects(1000)+"</Delete>"), 1000); err != nil || len(d.Objects) != 1000 {
		t.Errorf("1,000 objects: %v", err)
	}
}
