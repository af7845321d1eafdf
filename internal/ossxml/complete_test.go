package ossxml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeCompleteFast checks that the fast decoder of
// CompleteMultipartUpload bodies, where it accepts a document, gives what
// encoding/xml gives.
func FuzzDecodeCompleteFast(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;0A&#34;</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload xmlns=\"urn:x\">\n <Part>\n  <PartNumber> 007 </PartNumber>\n  <ETag>&quot;a&quot;</ETag>\n </Part>\n</CompleteMultipartUpload>\n"))
	f.Add([]byte(`<CompleteMultipartUpload></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a&amp;b</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><ETag>x</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>trail`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeCompleteFast(data)
		if !ok {
			return
		}
		var want CompleteMultipartUpload
		if err := unmarshal(data, &want); err != nil {
			t.Fatalf("%q: fast decoder accepted %+v, encoding/xml: %v", data, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: fast decoder %+v, encoding/xml %+v", data, got, want)
		}
	})
}

func TestDecodeCompleteFast(t *testing.T) {
	for _, doc := range []struct {
		data string
		fast bool
	}{
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;0A&#34;</ETag></Part></CompleteMultipartUpload>`, true},
		{"\uFEFF<CompleteMultipartUpload></CompleteMultipartUpload>", false},
		{`<CompleteMultipartUpload><Part><PartNumber>+1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>`, false},
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#x22;x</ETag></Part></CompleteMultipartUpload>`, false},
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><Size>3</Size></Part></CompleteMultipartUpload>`, false},
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload><x/>`, false},
		{`<?xml version="1.0" encoding="GBK"?><CompleteMultipartUpload></CompleteMultipartUpload>`, false},
	} {
		got, ok := decodeCompleteFast([]byte(doc.data))
		if ok != doc.fast {
			t.Errorf("%q: fast %v, want %v", doc.data, ok, doc.fast)
			continue
		}
		var via, want CompleteMultipartUpload
		werr := unmarshal([]byte(doc.data), &want)
		err := Unmarshal([]byte(doc.data), &via)
		if (err == nil) != (werr == nil) || !reflect.DeepEqual(via, want) || ok && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: Unmarshal %+v, %v; encoding/xml %+v, %v", doc.data, via, err, want, werr)
		}
	}
}

// BenchmarkUnmarshalComplete decodes a body of 10,000 parts, as
// encoding/xml.Marshal writes it.
func BenchmarkUnmarshalComplete(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<CompleteMultipartUpload>")
	for i := range 10000 {
		fmt.Fprintf(&sb, "<Part><PartNumber>%d</PartNumber><ETag>&#34;%032X&#34;</ETag></Part>", i+1, i)
	}
	sb.WriteString("</CompleteMultipartUpload>")
	data := []byte(sb.String())
	for _, c := range []struct {
		name string
		fn   func([]byte, any) error
	}{{"fast", Unmarshal}, {"encoding-xml", unmarshal}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var v CompleteMultipartUpload
				if err := c.fn(data, &v); err != nil || len(v.Parts) != 10000 {
					b.Fatal(err)
				}
			}
		})
	}
}
