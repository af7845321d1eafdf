package ossxml

import (
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestUnmarshalSamples decodes bodies shaped like those real OSS and the
// SDKs send.
func TestUnmarshalSamples(t *testing.T) {
	tests := []struct {
		name string
		data string
		got  any // pointer to a zero value of the target type
		want any
	}{
		{
			name: "namespace and unknown elements ignored",
			data: `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Name>oss-example</Name>
  <Prefix></Prefix>
  <Marker></Marker>
  <MaxKeys>100</MaxKeys>
  <Delimiter></Delimiter>
  <IsTruncated>false</IsTruncated>
  <Unknown a="b"><Nested>x</Nested></Unknown>
  <Contents>
    <Key>fun/movie/001.avi</Key>
    <LastModified>2012-02-24T08:43:07.000Z</LastModified>
    <ETag>&quot;5B3C1A2E053D763E1B002CC607C5A0FE&quot;</ETag>
    <Type>Normal</Type>
    <Size>344606</Size>
    <StorageClass>Standard</StorageClass>
    <TransitionTime>2023-12-08T08:12:20.000Z</TransitionTime>
    <Owner><ID>0022012****</ID><DisplayName>user-example</DisplayName></Owner>
  </Contents>
</ListBucketResult>`,
			got: &ListBucketResult{},
			want: &ListBucketResult{
				Name: "oss-example", MaxKeys: 100,
				Contents: []ObjectSummary{{
					Key: "fun/movie/001.avi", LastModified: Time{time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)},
					ETag: `"5B3C1A2E053D763E1B002CC607C5A0FE"`, Type: "Normal", Size: 344606,
					StorageClass: "Standard", Owner: &Owner{ID: "0022012****", DisplayName: "user-example"},
				}},
			},
		},
		{
			name: "v1 SDK style ETag references",
			data: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;ABC&#34;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&#x22;DEF&#x22;</ETag></Part></CompleteMultipartUpload>`,
			got:  &CompleteMultipartUpload{},
			want: &CompleteMultipartUpload{Parts: []CompletePart{{PartNumber: 1, ETag: `"ABC"`}, {PartNumber: 2, ETag: `"DEF"`}}},
		},
		{
			name: "control characters as hex and decimal references",
			data: `<Delete><Quiet>false</Quiet><Object><Key>a&#x0C;b&#x1;c</Key></Object><Object><Key>d&#12;e&#0;f&#x1F;</Key></Object><Object><Key>&#xFFFE;&#65535;</Key></Object></Delete>`,
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "a\x0Cb\x01c"}, {Key: "d\x0Ce\x00f\x1F"}, {Key: "\uFFFE\uFFFF"}}},
		},
		{
			name: "allowed references decode natively",
			data: `<Delete><Object><Key>&#x9;&#10;&#xD;&#x41;&#x10FFFF;&lt;&amp;</Key></Object></Delete>`,
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "\t\n\rA\U0010FFFF<&"}}},
		},
		{
			name: "marker rune literal and as reference survives",
			data: "<Delete><Object><Key>x\U0010FFFD;0C;y&#x10FFFD;0C;&#1114109;&#x0C;\U0010FFFD</Key></Object></Delete>",
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "x\U0010FFFD;0C;y\U0010FFFD0C;\U0010FFFD\x0C\U0010FFFD"}}},
		},
		{
			name: "marker without references survives",
			data: "<Delete><Object><Key>\U0010FFFD</Key></Object></Delete>",
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "\U0010FFFD"}}},
		},
		{
			name: "references inside CDATA stay literal",
			data: "<Delete><Object><Key><![CDATA[a&#x0C;b\U0010FFFD]]>&#x0C;</Key></Object></Delete>",
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "a&#x0C;b\U0010FFFD\x0C"}}},
		},
		{
			name: "comments and processing instructions are not scanned",
			data: "<Delete><!-- <![CDATA[ &#x0C; \U0010FFFD --><?pi <![CDATA[ ?><Object><Key>&#x0C;\U0010FFFD</Key></Object></Delete>",
			got:  &Delete{},
			want: &Delete{Objects: []DeleteObject{{Key: "\x0C\U0010FFFD"}}},
		},
		{
			name: "empty int elements decode as zero",
			data: `<ListPartsResult><Bucket>b</Bucket><PartNumberMarker></PartNumberMarker><NextPartNumberMarker/><MaxParts> 1000 </MaxParts><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><LastModified>2012-02-24T08:43:07Z</LastModified><HashCrc64ecma></HashCrc64ecma><Size/></Part></ListPartsResult>`,
			got:  &ListPartsResult{},
			want: &ListPartsResult{Bucket: "b", MaxParts: 1000, Parts: []PartSummary{
				{PartNumber: 1, LastModified: Time{time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)}},
			}},
		},
		{
			name: "location chardata with BOM and trailing comment",
			data: "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>oss-cn-hangzhou</LocationConstraint>\n<!-- done -->\n",
			got:  &LocationConstraint{},
			want: &LocationConstraint{Location: "oss-cn-hangzhou"},
		},
		{
			name: "error body with extras",
			data: `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match the signature you provided.</Message>
  <RequestId>65467C42E001B4333337****</RequestId>
  <HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <OSSAccessKeyId>LTAI****</OSSAccessKeyId>
  <SignatureProvided>RizTbeKC/QlwxINq8xEdUP****</SignatureProvided>
  <StringToSign>GET&#xA;&#xA;&#xA;Fri, 01 Mar 2024 06:38:23 GMT&#xA;/bucket/</StringToSign>
  <StringToSignBytes>47 45 54</StringToSignBytes>
  <EC>0002-00000040</EC>
</Error>`,
			got: &Error{},
			want: &Error{
				Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided.",
				RequestID: "65467C42E001B4333337****", HostID: "bucket.oss-cn-hangzhou.aliyuncs.com",
				OSSAccessKeyID: "LTAI****", SignatureProvided: "RizTbeKC/QlwxINq8xEdUP****",
				StringToSign: "GET\n\n\nFri, 01 Mar 2024 06:38:23 GMT\n/bucket/", EC: "0002-00000040",
			},
		},
		{
			name: "prefixed namespaces",
			data: `<d:Delete xmlns:d="urn:x"><d:Quiet>1</d:Quiet><Object><Key>k</Key></Object></d:Delete>`,
			got:  &Delete{},
			want: &Delete{Quiet: true, Objects: []DeleteObject{{Key: "k"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Unmarshal([]byte(tt.data), tt.got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("Unmarshal\ngot:  %#v\nwant: %#v", tt.got, tt.want)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantRoot bool // error wraps ErrUnexpectedRoot
	}{
		{"empty", "", false},
		{"whitespace only", " \n\t", false},
		{"prolog only", `<?xml version="1.0" encoding="UTF-8"?>`, false},
		{"unclosed root", "<Delete><Quiet>true</Quiet>", false},
		{"mismatched tags", "<Delete><Quiet>true</Object></Delete>", false},
		{"bad entity", "<Delete><Object><Key>&nbsp;</Key></Object></Delete>", false},
		{"raw control character", "<Delete><Object><Key>a\x0Cb</Key></Object></Delete>", false},
		{"reference beyond Unicode", "<Delete><Object><Key>&#x110000;</Key></Object></Delete>", false},
		{"uppercase X reference", "<Delete><Object><Key>&#X0C;</Key></Object></Delete>", false},
		{"unterminated reference", "<Delete><Object><Key>&#x0C</Key></Object></Delete>", false},
		{"invalid UTF-8", "<Delete><Object><Key>\xff</Key></Object></Delete>", false},
		{"bad bool", "<Delete><Quiet>maybe</Quiet></Delete>", false},
		{"text before root", "junk<Delete/>", false},
		{"trailing element", "<Delete/><Delete/>", false},
		{"trailing text", "<Delete/>junk", false},
		{"trailing garbage", "<Delete/><", false},
		{"unsupported charset", `<?xml version="1.0" encoding="GBK"?><Delete/>`, false},
		{"error body where result expected", "<Error><Code>NoSuchKey</Code></Error>", true},
		{"V2 root name is ListBucketResult", "<ListBucketV2Result/>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Delete
			var target any = &got
			if strings.Contains(tt.name, "V2") {
				target = &ListBucketV2Result{}
			}
			err := Unmarshal([]byte(tt.data), target)
			if err == nil {
				t.Fatalf("Unmarshal(%q) = nil error, want error", tt.data)
			}
			if gotRoot := errors.Is(err, ErrUnexpectedRoot); gotRoot != tt.wantRoot {
				t.Errorf("errors.Is(%v, ErrUnexpectedRoot) = %v, want %v", err, gotRoot, tt.wantRoot)
			}
			if !strings.HasPrefix(err.Error(), "ossxml: ") {
				t.Errorf("error %q lacks the ossxml: prefix", err)
			}
		})
	}
}

func TestUnmarshalReplacesAndKeepsOnError(t *testing.T) {
	got := Delete{Quiet: true, Objects: []DeleteObject{{Key: "old"}}}
	if err := Unmarshal([]byte("<Delete><Object><Key>new</Key></Object></Delete>"), &got); err != nil {
		t.Fatal(err)
	}
	if want := (Delete{Objects: []DeleteObject{{Key: "new"}}}); !reflect.DeepEqual(got, want) {
		t.Errorf("after Unmarshal got %+v, want %+v (replaced, not merged)", got, want)
	}
	before := got
	if err := Unmarshal([]byte("<Delete><Object><Key>x</Key>"), &got); err == nil {
		t.Fatal("Unmarshal of truncated XML succeeded")
	}
	if !reflect.DeepEqual(got, before) {
		t.Errorf("failed Unmarshal changed v to %+v", got)
	}
}

func TestUnmarshalNeedsPointer(t *testing.T) {
	for _, v := range []any{nil, Delete{}, (*Delete)(nil)} {
		if err := Unmarshal([]byte("<Delete/>"), v); err == nil {
			t.Errorf("Unmarshal into %T succeeded, want error", v)
		}
	}
}

// TestUnmarshalForeignType checks that types without a known root decode
// whatever the root is called.
func TestUnmarshalForeignType(t *testing.T) {
	var got struct {
		Key string `xml:"Key"`
	}
	if err := Unmarshal([]byte("<Anything><Key>a&#x0C;</Key></Anything>"), &got); err != nil {
		t.Fatal(err)
	}
	if got.Key != "a\x0C" {
		t.Errorf("Key = %q, want %q", got.Key, "a\x0C")
	}
}

func TestMarshalForbiddenCharacters(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want string // the <Key> element as written
	}{
		{"plain", "a/b c", "<Key>a/b c</Key>"},
		{"control characters", "a\x0Cb\x01\x00", "<Key>a&#x0C;b&#x01;&#x00;</Key>"},
		{"tab newline return", "\t\n\r", "<Key>&#x9;&#xA;&#xD;</Key>"},
		{"noncharacters", "\uFFFE\uFFFF", "<Key>&#xFFFE;&#xFFFF;</Key>"},
		{"marker alone", "\U0010FFFD;0C;", "<Key>\U0010FFFD;0C;</Key>"},
		{"marker with control", "\U0010FFFD;0C;\x0C", "<Key>\U0010FFFD;0C;&#x0C;</Key>"},
		{"markup", `<&>"'`, "<Key>&lt;&amp;&gt;&#34;&#39;</Key>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Delete{Objects: []DeleteObject{{Key: tt.key, VersionID: tt.key}}}
			orig := *in
			orig.Objects = append([]DeleteObject(nil), in.Objects...)
			out, err := Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("Marshal = %q, want it to contain %q", out, tt.want)
			}
			if !reflect.DeepEqual(*in, orig) {
				t.Errorf("Marshal modified its argument: %+v", *in)
			}
			var got Delete
			if err := Unmarshal(out, &got); err != nil {
				t.Fatalf("Unmarshal(%q): %v", out, err)
			}
			if !reflect.DeepEqual(&got, in) {
				t.Errorf("round trip got %+v, want %+v", got, *in)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, v := range []any{nil, (*Delete)(nil), map[string]string{"a": "b"}, &CopyPartResult{LastModified: Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}} {
		if out, err := Marshal(v); err == nil {
			t.Errorf("Marshal(%T) = %q, want error", v, out)
		}
	}
}

// TestListBucketV2ResultEncodingXML checks that plain encoding/xml also
// writes the V2 listing under its protocol root name.
func TestListBucketV2ResultEncodingXML(t *testing.T) {
	for _, v := range []any{ListBucketV2Result{Name: "b"}, &ListBucketV2Result{Name: "b"}} {
		out, err := xml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := "<ListBucketResult><Name>b</Name>"; !strings.HasPrefix(string(out), want) {
			t.Errorf("xml.Marshal(%T) = %q, want prefix %q", v, out, want)
		}
	}
}
