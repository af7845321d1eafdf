package ossxml

import (
	"os"
	"reflect"
	"testing"
)

// FuzzUnmarshal decodes arbitrary bytes as the request bodies the server
// parses. Decoding must never panic, and whatever decodes must
// survive Marshal and Unmarshal unchanged.
func FuzzUnmarshal(f *testing.F) {
	for _, name := range []string{"Delete", "CompleteMultipartUpload", "LifecycleConfiguration"} {
		b, err := os.ReadFile(goldenPath(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"<Delete><Quiet>false</Quiet><Object><Key>a&#x0C;b&#1;c</Key><VersionId>v</VersionId></Object></Delete>",
		"<Delete><Object><Key>\U0010FFFD;0C;&#x10FFFD;<![CDATA[&#x0C;\U0010FFFD]]></Key></Object></Delete>",
		`<CompleteMultipartUpload xmlns="urn:x"><Part><PartNumber> 7 </PartNumber><ETag>&#34;E&#34;</ETag><X/></Part></CompleteMultipartUpload>`,
		"<Delete><!-- <![CDATA[ --><?x &#1; ?><Object><Key>&#x1;</Key></Object></Delete><!-- &#x2; -->",
		"<CompleteMultipartUpload><Part><PartNumber></PartNumber><ETag>&#xFFFE;\r\n</ETag></Part></CompleteMultipartUpload>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, data, &Delete{})
		roundTrip(t, data, &CompleteMultipartUpload{})
		roundTrip(t, data, &LifecycleConfiguration{})
	})
}

// roundTrip decodes data into v and, if that works, checks that the value
// survives Marshal and Unmarshal.
func roundTrip(t *testing.T, data []byte, v any) {
	if err := Unmarshal(data, v); err != nil {
		return
	}
	out, err := Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%+v) after decoding %q: %v", v, data, err)
	}
	again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := Unmarshal(out, again); err != nil {
		t.Fatalf("Unmarshal(%q) of Marshal output (from %q): %v", out, data, err)
	}
	if !reflect.DeepEqual(again, v) {
		t.Fatalf("round trip of %q\nfirst:  %#v\nsecond: %#v\nvia %q", data, v, again, out)
	}
}
