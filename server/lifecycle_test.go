package server

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// lifecycleBody wraps rules in a LifecycleConfiguration document.
func lifecycleBody(rules ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration>` + strings.Join(rules, "") + `</LifecycleConfiguration>`)
}

// abortRule is a <Rule> with an AbortMultipartUpload action of the given
// body (a Days or CreatedBeforeDate element).
func abortRule(id, prefix, status, action string) string {
	return fmt.Sprintf("<Rule><ID>%s</ID><Prefix>%s</Prefix><Status>%s</Status><AbortMultipartUpload>%s</AbortMultipartUpload></Rule>", id, prefix, status, action)
}

// rule is a <Rule> with the given filter elements (Tag, Filter) and
// actions.
func rule(id, prefix, filter, actions string) string {
	return fmt.Sprintf("<Rule><ID>%s</ID><Prefix>%s</Prefix><Status>Enabled</Status>%s%s</Rule>", id, prefix, filter, actions)
}

func exp(body string) string   { return "<Expiration>" + body + "</Expiration>" }
func trans(body string) string { return "<Transition>" + body + "</Transition>" }

const abort1 = "<AbortMultipartUpload><Days>1</Days></AbortMultipartUpload>"

func (h *harness) putLifecycle(bucket string, body []byte) {
	h.t.Helper()
	h.ok(call{method: "PUT", bucket: bucket, query: "lifecycle", body: body, md5: true}, http.StatusOK)
}

func (h *harness) getLifecycle(bucket string) ossxml.LifecycleConfiguration {
	h.t.Helper()
	var conf ossxml.LifecycleConfiguration
	h.xml(call{method: "GET", bucket: bucket, query: "lifecycle"}, &conf)
	return conf
}

func TestBucketLifecycle(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	e := h.fails(call{method: "GET", bucket: "bkt", query: "lifecycle"}, ossxml.CodeNoSuchLifecycle)
	if e.BucketName != "bkt" {
		t.Errorf("NoSuchLifecycle names bucket %q", e.BucketName)
	}

	h.putLifecycle("bkt", lifecycleBody(
		abortRule("tmp", "tmp/", "Enabled", "<Days>1</Days>"),
		abortRule("old", "old/", "Disabled", "<CreatedBeforeDate>2020-02-29T00:00:00.000Z</CreatedBeforeDate>"),
		"<Rule><Prefix>logs/</Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>30</Days></AbortMultipartUpload></Rule>",
	))
	got := h.getLifecycle("bkt")
	one, thirty := 1, 30
	want := ossxml.LifecycleConfiguration{Rules: []ossxml.LifecycleRule{
		{ID: "tmp", Prefix: "tmp/", Status: "Enabled", AbortMultipartUpload: &ossxml.LifecycleAbortMultipartUpload{Days: &one}},
		{ID: "old", Prefix: "old/", Status: "Disabled", AbortMultipartUpload: &ossxml.LifecycleAbortMultipartUpload{CreatedBeforeDate: "2020-02-29T00:00:00.000Z"}},
		{ID: got.Rules[2].ID, Prefix: "logs/", Status: "Enabled", AbortMultipartUpload: &ossxml.LifecycleAbortMultipartUpload{Days: &thirty}},
	}}
	if !reflect.DeepEqual(got, want) || got.Rules[2].ID == "" {
		t.Errorf("GetBucketLifecycle = %s, want %s", show(got), show(want))
	}

	// Put replaces; overlapping prefixes pass when the request allows them.
	h.ok(call{method: "PUT", bucket: "bkt", query: "lifecycle", md5: true,
		header: map[string]string{"x-oss-allow-same-action-overlap": "true"},
		body:   lifecycleBody(abortRule("all", "", "Enabled", "<Days>7</Days>"), abortRule("a", "a", "Enabled", "<Days>2</Days>")),
	}, http.StatusOK)
	if got := h.getLifecycle("bkt"); len(got.Rules) != 2 || got.Rules[0].ID != "all" {
		t.Errorf("after the second put: %s", show(got))
	}

	for range 2 {
		h.ok(call{method: "DELETE", bucket: "bkt", query: "lifecycle"}, http.StatusNoContent)
		h.fails(call{method: "GET", bucket: "bkt", query: "lifecycle"}, ossxml.CodeNoSuchLifecycle)
	}
	h.get("bkt", "") // DELETE ?lifecycle did not delete the bucket

	body := lifecycleBody(abortRule("r", "", "Enabled", "<Days>1</Days>"))
	for _, c := range []call{
		{method: "PUT", bucket: "nobkt", query: "lifecycle", body: body, md5: true},
		{method: "GET", bucket: "nobkt", query: "lifecycle"},
		{method: "DELETE", bucket: "nobkt", query: "lifecycle"},
	} {
		h.fails(c, ossxml.CodeNoSuchBucket)
	}
}

// TestBucketLifecycleAccess checks that only owners reach the lifecycle,
// even of a public-read-write bucket, and that ?lifecycle on an object is
// refused rather than taken for the plain operation.
func TestBucketLifecycleAccess(t *testing.T) {
	h := newHarness(t, nil)
	h.ok(call{method: "PUT", bucket: "pub", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	body := lifecycleBody(abortRule("r", "", "Enabled", "<Days>1</Days>"))
	for _, c := range []call{
		{method: "PUT", bucket: "pub", query: "lifecycle", body: body, md5: true, anon: true},
		{method: "GET", bucket: "pub", query: "lifecycle", anon: true},
		{method: "DELETE", bucket: "pub", query: "lifecycle", anon: true},
	} {
		h.fails(c, ossxml.CodeAccessDenied)
	}
	h.put("pub", "k", []byte("keep"))
	h.fails(call{method: "PUT", bucket: "pub", key: "k", query: "lifecycle", body: body}, ossxml.CodeNotImplemented)
	h.fails(call{method: "DELETE", bucket: "pub", key: "k", query: "lifecycle"}, ossxml.CodeNotImplemented)
	if got := h.get("pub", "k"); string(got) != "keep" {
		t.Errorf("object after ?lifecycle requests: %q", got)
	}
}

func TestBucketLifecycleErrors(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	days := func(d string) string { return abortRule("r", "", "Enabled", "<Days>"+d+"</Days>") }
	many := make([]string, maxLifecycleRules+1)
	for i := range many {
		many[i] = abortRule(fmt.Sprint("r", i), fmt.Sprintf("p%04d/", i), "Enabled", "<Days>1</Days>")
	}
	tests := []struct {
		name string
		body []byte
		code string
	}{
		{"empty body", nil, ossxml.CodeMalformedXML},
		{"not XML", []byte("<LifecycleConfiguration><Rule>"), ossxml.CodeMalformedXML},
		{"other root", []byte("<Delete/>"), ossxml.CodeMalformedXML},
		{"no rule", lifecycleBody(), ossxml.CodeMalformedXML},
		{"no status", lifecycleBody("<Rule><ID>r</ID><AbortMultipartUpload><Days>1</Days></AbortMultipartUpload></Rule>"), ossxml.CodeMalformedXML},
		{"bad status", lifecycleBody(abortRule("r", "", "enabled", "<Days>1</Days>")), ossxml.CodeMalformedXML},
		{"no action", lifecycleBody("<Rule><ID>r</ID><Prefix/><Status>Enabled</Status></Rule>"), ossxml.CodeMalformedXML},
		{"days not a number", lifecycleBody(days("x")), ossxml.CodeMalformedXML},
		{"days zero", lifecycleBody(days("0")), ossxml.CodeInvalidArgument},
		{"days negative", lifecycleBody(days("-3")), ossxml.CodeInvalidArgument},
		{"days and date", lifecycleBody(abortRule("r", "", "Enabled", "<Days>1</Days><CreatedBeforeDate>2020-01-01T00:00:00.000Z</CreatedBeforeDate>")), ossxml.CodeInvalidArgument},
		{"neither", lifecycleBody(abortRule("r", "", "Enabled", "")), ossxml.CodeInvalidArgument},
		{"date not midnight", lifecycleBody(abortRule("r", "", "Enabled", "<CreatedBeforeDate>2020-01-01T08:00:00.000Z</CreatedBeforeDate>")), ossxml.CodeInvalidArgument},
		{"date layout", lifecycleBody(abortRule("r", "", "Enabled", "<CreatedBeforeDate>2020-01-01</CreatedBeforeDate>")), ossxml.CodeInvalidArgument},
		{"long id", lifecycleBody(abortRule(strings.Repeat("i", maxRuleID+1), "", "Enabled", "<Days>1</Days>")), ossxml.CodeInvalidArgument},
		{"same id", lifecycleBody(abortRule("r", "a/", "Enabled", "<Days>1</Days>"), abortRule("r", "b/", "Enabled", "<Days>1</Days>")), ossxml.CodeInvalidArgument},
		{"overlap", lifecycleBody(abortRule("a", "logs/", "Enabled", "<Days>1</Days>"), abortRule("b", "logs/2024/", "Disabled", "<Days>9</Days>")), ossxml.CodeInvalidArgument},
		{"overlap everything", lifecycleBody(abortRule("a", "x/", "Enabled", "<Days>1</Days>"), abortRule("b", "", "Enabled", "<Days>9</Days>")), ossxml.CodeInvalidArgument},
		{"too many rules", lifecycleBody(many...), ossxml.CodeInvalidArgument},
		{"tag and abort", lifecycleBody(rule("r", "", "<Tag><Key>k</Key><Value>v</Value></Tag>", abort1)), ossxml.CodeInvalidArgument},
		{"not tag and abort", lifecycleBody(rule("r", "a/", "<Filter><Not><Prefix>a/b</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Not></Filter>", abort1)), ossxml.CodeInvalidArgument},
		{"tag key twice", lifecycleBody(rule("r", "", "<Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag>", exp("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"tag without key", lifecycleBody(rule("r", "", "<Tag><Key></Key><Value>1</Value></Tag>", exp("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"tag key long", lifecycleBody(rule("r", "", "<Tag><Key>"+strings.Repeat("k", maxTagKey+1)+"</Key><Value>1</Value></Tag>", exp("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"not outside prefix", lifecycleBody(rule("r", "a/", "<Filter><Not><Prefix>b/</Prefix></Not></Filter>", exp("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"not the whole rule", lifecycleBody(rule("r", "a/", "<Filter><Not><Prefix>a/</Prefix></Not></Filter>", exp("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"expiration days zero", lifecycleBody(rule("r", "", "", exp("<Days>0</Days>"))), ossxml.CodeInvalidArgument},
		{"expiration neither", lifecycleBody(rule("r", "", "", exp(""))), ossxml.CodeInvalidArgument},
		{"expiration days and date", lifecycleBody(rule("r", "", "", exp("<Days>3</Days><Date>2020-01-01T00:00:00.000Z</Date>"))), ossxml.CodeInvalidArgument},
		{"expiration date not midnight", lifecycleBody(rule("r", "", "", exp("<CreatedBeforeDate>2020-01-01T00:00:01.000Z</CreatedBeforeDate>"))), ossxml.CodeInvalidArgument},
		{"expiration Date not midnight", lifecycleBody(rule("r", "", "", exp("<Date>2020-01-01T12:00:00.000Z</Date>"))), ossxml.CodeInvalidArgument},
		{"delete marker and days", lifecycleBody(rule("r", "", "", exp("<Days>3</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"))), ossxml.CodeInvalidArgument},
		{"delete marker false", lifecycleBody(rule("r", "", "", exp("<ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker>"))), ossxml.CodeInvalidArgument},
		{"transition class", lifecycleBody(rule("r", "", "", trans("<Days>1</Days><StorageClass>Standard</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"transition no class", lifecycleBody(rule("r", "", "", trans("<Days>1</Days>"))), ossxml.CodeInvalidArgument},
		{"transition days zero", lifecycleBody(rule("r", "", "", trans("<Days>0</Days><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"transition days and date", lifecycleBody(rule("r", "", "", trans("<Days>1</Days><CreatedBeforeDate>2020-01-01T00:00:00.000Z</CreatedBeforeDate><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"transition not before expiration", lifecycleBody(rule("r", "", "", exp("<Days>30</Days>")+trans("<Days>30</Days><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"transition date not before expiration", lifecycleBody(rule("r", "", "", exp("<CreatedBeforeDate>2020-01-01T00:00:00.000Z</CreatedBeforeDate>")+trans("<CreatedBeforeDate>2020-02-01T00:00:00.000Z</CreatedBeforeDate><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"colder not later", lifecycleBody(rule("r", "", "", trans("<Days>60</Days><StorageClass>IA</StorageClass>")+trans("<Days>30</Days><StorageClass>Archive</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"class twice", lifecycleBody(rule("r", "", "", trans("<Days>10</Days><StorageClass>IA</StorageClass>")+trans("<Days>30</Days><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"return to standard without access time", lifecycleBody(rule("r", "", "", trans("<Days>10</Days><StorageClass>IA</StorageClass><ReturnToStdWhenVisit>true</ReturnToStdWhenVisit>"))), ossxml.CodeInvalidArgument},
		{"access time", lifecycleBody(rule("r", "", "", trans("<Days>10</Days><StorageClass>IA</StorageClass><IsAccessTime>true</IsAccessTime><ReturnToStdWhenVisit>false</ReturnToStdWhenVisit>"))), ossxml.CodeNotImplemented},
		{"expiration overlap", lifecycleBody(rule("a", "logs/", "", exp("<Days>1</Days>")), rule("b", "logs/x", "", exp("<Days>2</Days>"))), ossxml.CodeInvalidArgument},
		{"transition overlap", lifecycleBody(rule("a", "", "", trans("<Days>1</Days><StorageClass>IA</StorageClass>")), rule("b", "x", "", trans("<Days>2</Days><StorageClass>IA</StorageClass>"))), ossxml.CodeInvalidArgument},
		{"noncurrent days 0", lifecycleBody(rule("r", "", "", "<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>")), ossxml.CodeInvalidArgument},
		{"noncurrent without days", lifecycleBody(rule("r", "", "", "<NoncurrentVersionExpiration></NoncurrentVersionExpiration>")), ossxml.CodeInvalidArgument},
		{"noncurrent transition by access", lifecycleBody(rule("r", "", "", "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>IA</StorageClass><IsAccessTime>true</IsAccessTime></NoncurrentVersionTransition>")), ossxml.CodeNotImplemented},
		{"noncurrent transition without days", lifecycleBody(rule("r", "", "", "<NoncurrentVersionTransition><StorageClass>IA</StorageClass></NoncurrentVersionTransition>")), ossxml.CodeInvalidArgument},
		{"noncurrent transition to Standard", lifecycleBody(rule("r", "", "", "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>Standard</StorageClass></NoncurrentVersionTransition>")), ossxml.CodeInvalidArgument},
		{"noncurrent transition after its expiration", lifecycleBody(rule("r", "", "", "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration><NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition>")), ossxml.CodeInvalidArgument},
		{"filter by size", lifecycleBody(rule("r", "", "<Filter><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan></Filter>", exp("<Days>1</Days>"))), ossxml.CodeNotImplemented},
	}
	defer func() { h.t = t }()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			e := h.fails(call{method: "PUT", bucket: "bkt", query: "lifecycle", body: tc.body, md5: true}, tc.code)
			if tc.code == ossxml.CodeNotImplemented && !strings.Contains(e.Message, "it implements Expiration") {
				t.Errorf("NotImplemented message %q does not say what is implemented", e.Message)
			}
			h.fails(call{method: "GET", bucket: "bkt", query: "lifecycle"}, ossxml.CodeNoSuchLifecycle)
		})
	}
}

func show(conf ossxml.LifecycleConfiguration) string {
	b, _ := ossxml.Marshal(&conf)
	return string(b)
}

// TestBucketLifecycleRoundTrip: every element the server applies comes
// back from GetBucketLifecycle as it was put.
func TestBucketLifecycleRoundTrip(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("bkt")
	body := lifecycleBody(
		rule("logs", "logs/",
			"<Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag>"+
				"<Filter><Not><Prefix>logs/keep/</Prefix></Not><Not><Prefix>logs/x</Prefix><Tag><Key>pin</Key><Value>yes</Value></Tag></Not></Filter>",
			exp("<Days>90</Days>")+
				trans("<Days>30</Days><StorageClass>IA</StorageClass>")+
				trans("<Days>60</Days><StorageClass>Archive</StorageClass>")),
		"<Rule><ID>dated</ID><Prefix>d/</Prefix><Status>Disabled</Status>"+
			exp("<CreatedBeforeDate>2024-03-01T00:00:00.000Z</CreatedBeforeDate>")+
			trans("<CreatedBeforeDate>2024-01-01T00:00:00.000Z</CreatedBeforeDate><StorageClass>ColdArchive</StorageClass>")+"</Rule>",
		rule("old", "o/", "", exp("<Date>2031-12-31T00:00:00.000Z</Date>")+trans("<Days>10</Days><StorageClass>DeepColdArchive</StorageClass>")),
		rule("tmp", "tmp/", "", exp("<Days>3</Days>")+abort1),
	)
	h.putLifecycle("bkt", body)
	var want ossxml.LifecycleConfiguration
	if err := ossxml.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if got := h.getLifecycle("bkt"); !reflect.DeepEqual(got, want) {
		t.Errorf("GetBucketLifecycle =\n%s\nwant\n%s", show(got), show(want))
	}
	// Rules with different actions may share a prefix.
	h.putLifecycle("bkt", lifecycleBody(rule("e", "", "", exp("<Days>9</Days>")), rule("a", "tmp/", "", abort1)))
}
