package oss_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ossup/ossup/oss"
)

// ossLifecycle is a lifecycle configuration as OSS documents its answer,
// with every kind of element the client models, in OSS's order.
const ossLifecycle = `<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration>
  <Rule>
    <ID>delete after one day</ID>
    <Prefix>logs1/</Prefix>
    <Status>Enabled</Status>
    <Expiration><Days>1</Days></Expiration>
    <AbortMultipartUpload><Days>2</Days></AbortMultipartUpload>
  </Rule>
  <Rule>
    <ID>mtime transition</ID>
    <Prefix>logs2/</Prefix>
    <Status>Disabled</Status>
    <Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>
    <Transition><CreatedBeforeDate>2024-01-01T00:00:00.000Z</CreatedBeforeDate><StorageClass>Archive</StorageClass></Transition>
    <Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>
    <Tag><Key>k1</Key><Value>v1</Value></Tag>
    <Tag><Key>k2</Key><Value></Value></Tag>
  </Rule>
  <Rule>
    <ID>atime transition</ID>
    <Prefix>logs3/</Prefix>
    <Status>Enabled</Status>
    <Transition><Days>30</Days><StorageClass>IA</StorageClass><IsAccessTime>true</IsAccessTime><ReturnToStdWhenVisit>false</ReturnToStdWhenVisit><AllowSmallFile>true</AllowSmallFile></Transition>
    <Filter>
      <Not><Prefix>logs3/keep/</Prefix><Tag><Key>keep</Key><Value>yes</Value></Tag></Not>
      <ObjectSizeGreaterThan>500</ObjectSizeGreaterThan>
      <ObjectSizeLessThan>64000</ObjectSizeLessThan>
    </Filter>
    <AtimeBase>1631698332</AtimeBase>
  </Rule>
  <Rule>
    <ID>versions</ID>
    <Prefix></Prefix>
    <Status>Enabled</Status>
    <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>
    <NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>
    <NoncurrentVersionTransition><NoncurrentDays>3</NoncurrentDays><StorageClass>ColdArchive</StorageClass></NoncurrentVersionTransition>
    <AbortMultipartUpload><CreatedBeforeDate>2024-06-01T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>
  </Rule>
</LifecycleConfiguration>`

// xmlNode is an element for canonicalXML.
type xmlNode struct {
	name     string
	text     string
	children []*xmlNode
}

// canonicalXML renders an XML document with the children of each element
// in a stable order by name (elements of one name keep their order) and
// the white space between elements dropped: sibling order is not
// significant in OSS configurations, repetition order is.
func canonicalXML(t *testing.T, doc []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	root := &xmlNode{}
	stack := []*xmlNode{root}
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tok.Name.Local}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += strings.TrimSpace(string(tok))
		}
	}
	var b strings.Builder
	var render func(n *xmlNode)
	render = func(n *xmlNode) {
		slices.SortStableFunc(n.children, func(a, b *xmlNode) int { return strings.Compare(a.name, b.name) })
		b.WriteString("<" + n.name + ">" + n.text)
		for _, c := range n.children {
			render(c)
		}
		b.WriteString("</" + n.name + ">")
	}
	for _, c := range root.children {
		render(c)
	}
	return b.String()
}

// TestBucketLifecycleRoundTrip reads a configuration as OSS answers it and
// puts it back: the body sent must say what the answer said.
func TestBucketLifecycleRoundTrip(t *testing.T) {
	c, ws := newWire(t, func(w http.ResponseWriter, call wireCall) {
		if call.Method == http.MethodGet {
			replyXML(ossLifecycle)(w, call)
		}
	})
	got, err := c.GetBucketLifecycle(t.Context(), &oss.GetBucketLifecycleRequest{Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 4 || got.Rules[2].Filter == nil || len(got.Rules[2].Filter.Not) != 1 || *got.Rules[2].Filter.ObjectSizeLessThan != 64000 ||
		*got.Rules[0].Expiration.Days != 1 || got.Rules[1].Transitions[1].StorageClass != "Archive" || got.Rules[1].Tags[1] != (oss.Tag{Key: "k2"}) {
		t.Fatalf("decoded %+v", got.Rules)
	}
	if _, err := c.PutBucketLifecycle(t.Context(), &oss.PutBucketLifecycleRequest{Bucket: "b", Rules: got.Rules, AllowSameActionOverlap: true}); err != nil {
		t.Fatal(err)
	}
	ws.mu.Lock()
	get, put := ws.calls[0], ws.calls[1]
	ws.mu.Unlock()
	if get.Method != http.MethodGet || get.Path != "/b/" || get.RawQuery != "lifecycle" || put.Method != http.MethodPut || put.RawQuery != "lifecycle" {
		t.Errorf("sent %s ?%s and %s ?%s, want GET and PUT ?lifecycle", get.Method, get.RawQuery, put.Method, put.RawQuery)
	}
	wantHeaders(t, put, map[string]string{"x-oss-allow-same-action-overlap": "true", "Content-Type": "application/xml"})
	wantXMLBody(t, put, string(put.Body)) // checks Content-MD5
	if sent, want := canonicalXML(t, put.Body), canonicalXML(t, []byte(ossLifecycle)); sent != want {
		t.Errorf("sent\n%s\nwant\n%s", sent, want)
	}
}

func TestBucketLifecycleWire(t *testing.T) {
	days := 3
	t.Run("abort only, nothing else written", func(t *testing.T) {
		c, ws := newWire(t, replyOK)
		_, err := c.PutBucketLifecycle(t.Context(), &oss.PutBucketLifecycleRequest{Bucket: "b", Rules: []oss.LifecycleRule{
			{ID: "r1", Prefix: "tmp/", Status: oss.LifecycleRuleEnabled, AbortMultipartUpload: &oss.LifecycleAbortMultipartUpload{Days: &days}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		call := ws.only()
		wantXMLBody(t, call, `<LifecycleConfiguration><Rule><ID>r1</ID><Prefix>tmp/</Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>3</Days></AbortMultipartUpload></Rule></LifecycleConfiguration>`)
		wantHeaders(t, call, map[string]string{"x-oss-allow-same-action-overlap": ""})
	})
	t.Run("none", func(t *testing.T) {
		c, _ := newWire(t, replyError(http.StatusNotFound, "NoSuchLifecycle"))
		_, err := c.GetBucketLifecycle(t.Context(), &oss.GetBucketLifecycleRequest{Bucket: "b"})
		serviceError(t, err, oss.ErrNoSuchLifecycle)
	})
	t.Run("delete", func(t *testing.T) {
		c, ws := newWire(t, func(w http.ResponseWriter, _ wireCall) { w.WriteHeader(http.StatusNoContent) })
		if _, err := c.DeleteBucketLifecycle(t.Context(), &oss.DeleteBucketLifecycleRequest{Bucket: "b"}); err != nil {
			t.Fatal(err)
		}
		if call := ws.only(); call.Method != http.MethodDelete || call.RawQuery != "lifecycle" {
			t.Errorf("sent %s ?%s, want DELETE ?lifecycle", call.Method, call.RawQuery)
		}
	})
}

func TestBucketLifecycleInvalid(t *testing.T) {
	days := 1
	abort := &oss.LifecycleAbortMultipartUpload{Days: &days}
	rule := func(f func(r *oss.LifecycleRule)) []oss.LifecycleRule {
		r := oss.LifecycleRule{Status: oss.LifecycleRuleEnabled, AbortMultipartUpload: abort}
		f(&r)
		return []oss.LifecycleRule{r}
	}
	tests := map[string][]oss.LifecycleRule{
		"no rules":       nil,
		"too many rules": slices.Repeat(rule(func(*oss.LifecycleRule) {}), 1001),
		"bad status":     rule(func(r *oss.LifecycleRule) { r.Status = "enabled" }),
		"long id":        rule(func(r *oss.LifecycleRule) { r.ID = strings.Repeat("i", 256) }),
		"no action":      rule(func(r *oss.LifecycleRule) { r.AbortMultipartUpload = nil }),
		"abort with both": rule(func(r *oss.LifecycleRule) {
			r.AbortMultipartUpload = &oss.LifecycleAbortMultipartUpload{Days: &days, CreatedBeforeDate: "x"}
		}),
		"abort with none":   rule(func(r *oss.LifecycleRule) { r.AbortMultipartUpload = &oss.LifecycleAbortMultipartUpload{} }),
		"expiration empty":  rule(func(r *oss.LifecycleRule) { r.Expiration = &oss.LifecycleExpiration{} }),
		"transition class":  rule(func(r *oss.LifecycleRule) { r.Transitions = []oss.LifecycleTransition{{Days: &days}} }),
		"transition timing": rule(func(r *oss.LifecycleRule) { r.Transitions = []oss.LifecycleTransition{{StorageClass: "IA"}} }),
		"duplicate tag":     rule(func(r *oss.LifecycleRule) { r.Tags = []oss.Tag{{Key: "a"}, {Key: "a"}} }),
	}
	c, ws := newWire(t, replyOK)
	for name, rules := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := c.PutBucketLifecycle(t.Context(), &oss.PutBucketLifecycleRequest{Bucket: "b", Rules: rules})
			if !errors.Is(err, oss.ErrInvalidArgument) {
				t.Fatalf("err = %v, want ErrInvalidArgument", err)
			}
		})
	}
	if n := ws.count(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
