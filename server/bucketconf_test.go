package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

// TestBucketConfRoundTrip puts each stored-only configuration, reads it
// back as put, deletes it where OSS can, and checks what a bucket without
// one answers: OSS's default or its error.
func TestBucketConfRoundTrip(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("conf")
	h.mkbucket("logs")
	cases := []struct {
		query  string
		body   string
		want   string // the Get body after the Put, from the root element on
		absent string // the Get body of a bucket without one, or its error code
		del    bool   // OSS has a Delete
	}{
		{"logging", `<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>access/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
			`<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>access/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
			`<BucketLoggingStatus></BucketLoggingStatus>`, true},
		{"website", `<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>0</Type></IndexDocument><ErrorDocument><Key>404.html</Key><HttpStatus>404</HttpStatus></ErrorDocument>` +
			`<RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>https://example.com/</MirrorURL><MirrorHeaders></MirrorHeaders></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
			`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>0</Type></IndexDocument><ErrorDocument><Key>404.html</Key><HttpStatus>404</HttpStatus></ErrorDocument>` +
				`<RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>https://example.com/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
			ossxml.CodeNoSuchWebsiteConfig, true},
		{"transferAcceleration", `<TransferAccelerationConfiguration><Enabled>true</Enabled></TransferAccelerationConfiguration>`,
			`<TransferAccelerationConfiguration><Enabled>true</Enabled></TransferAccelerationConfiguration>`, ossxml.CodeNoSuchTransferAccel, false},
		{"requestPayment", `<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>`,
			`<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>`,
			`<RequestPaymentConfiguration><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`, false},
		{"resourceGroup", `<BucketResourceGroupConfiguration><ResourceGroupId>rg-aek27tc</ResourceGroupId></BucketResourceGroupConfiguration>`,
			`<BucketResourceGroupConfiguration><ResourceGroupId>rg-aek27tc</ResourceGroupId></BucketResourceGroupConfiguration>`,
			`<BucketResourceGroupConfiguration><ResourceGroupId>rg-default-id</ResourceGroupId></BucketResourceGroupConfiguration>`, false},
		{"accessmonitor", `<AccessMonitorConfiguration><Status>Enabled</Status></AccessMonitorConfiguration>`,
			`<AccessMonitorConfiguration><Status>Enabled</Status></AccessMonitorConfiguration>`,
			`<AccessMonitorConfiguration><Status>Disabled</Status></AccessMonitorConfiguration>`, false},
		{"httpsConfig", `<HttpsConfiguration><TLS><Enable>true</Enable><TLSVersion>TLSv1.2</TLSVersion><TLSVersion>TLSv1.3</TLSVersion></TLS></HttpsConfiguration>`,
			`<HttpsConfiguration><TLS><Enable>true</Enable><TLSVersion>TLSv1.2</TLSVersion><TLSVersion>TLSv1.3</TLSVersion></TLS></HttpsConfiguration>`,
			`<HttpsConfiguration><TLS><Enable>false</Enable></TLS></HttpsConfiguration>`, false},
	}
	getBody := func(query string) string {
		t.Helper()
		r := h.ok(call{method: "GET", bucket: "conf", query: query}, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("?%s: Content-Type %q", query, ct)
		}
		return strings.TrimPrefix(string(r.body), xmlHeader)
	}
	absent := func(query, want string) {
		t.Helper()
		if strings.HasPrefix(want, "<") {
			if got := getBody(query); got != want {
				t.Errorf("?%s of a bucket without one = %s, want %s", query, got, want)
			}
			return
		}
		if e := h.fails(call{method: "GET", bucket: "conf", query: query}, want); e.BucketName != "conf" {
			t.Errorf("?%s: error names bucket %q", query, e.BucketName)
		}
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			absent(tc.query, tc.absent)
			h.ok(call{method: "PUT", bucket: "conf", query: tc.query, body: []byte(tc.body), md5: true}, http.StatusOK)
			if got := getBody(tc.query); got != tc.want {
				t.Errorf("Get after Put = %s\nwant %s", got, tc.want)
			}
			if !tc.del {
				h.fails(call{method: "DELETE", bucket: "conf", query: tc.query}, ossxml.CodeNotImplemented)
				return
			}
			h.ok(call{method: "DELETE", bucket: "conf", query: tc.query}, http.StatusNoContent)
			h.ok(call{method: "DELETE", bucket: "conf", query: tc.query}, http.StatusNoContent)
			absent(tc.query, tc.absent)
		})
	}
	var info ossxml.BucketInfo
	h.xml(call{method: "GET", bucket: "conf", query: "bucketInfo"}, &info)
	if d := info.Bucket; d.AccessMonitor != "Enabled" || d.TransferAcceleration != "Enabled" || d.ResourceGroupID != "rg-aek27tc" || d.CrossRegionReplication != "Disabled" {
		t.Errorf("GetBucketInfo reports %+v", d)
	}
	// The configurations outlive a restart.
	h.restart()
	if got := getBody("accessmonitor"); !strings.Contains(got, "Enabled") {
		t.Errorf("after a restart: %s", got)
	}
}

const xmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

// TestBucketConfInvalid sends malformed and invalid bodies and checks
// each is refused with OSS's code and leaves nothing stored.
func TestBucketConfInvalid(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.mkbucket("conf")
	h.as(otherCred, call{method: "PUT", bucket: "theirs"})
	big := []byte("<WebsiteConfiguration><IndexDocument><Suffix>a</Suffix></IndexDocument>" + strings.Repeat(" ", maxConfBody) + "</WebsiteConfiguration>")
	cases := []struct {
		name, query, body, code string
	}{
		{"logging not XML", "logging", "<BucketLoggingStatus>", ossxml.CodeMalformedXML},
		{"logging empty body", "logging", "", ossxml.CodeMalformedXML},
		{"logging wrong root", "logging", "<Logging/>", ossxml.CodeMalformedXML},
		{"logging without TargetBucket", "logging", "<BucketLoggingStatus><LoggingEnabled><TargetPrefix>x</TargetPrefix></LoggingEnabled></BucketLoggingStatus>", ossxml.CodeMalformedXML},
		{"logging to a missing bucket", "logging", "<BucketLoggingStatus><LoggingEnabled><TargetBucket>nowhere</TargetBucket></LoggingEnabled></BucketLoggingStatus>", ossxml.CodeInvalidTargetBucket},
		{"logging to another owner's bucket", "logging", "<BucketLoggingStatus><LoggingEnabled><TargetBucket>theirs</TargetBucket></LoggingEnabled></BucketLoggingStatus>", ossxml.CodeInvalidTargetBucket},
		{"website empty", "website", "<WebsiteConfiguration><IndexDocument><Suffix></Suffix></IndexDocument><ErrorDocument><Key></Key></ErrorDocument></WebsiteConfiguration>", ossxml.CodeMalformedXML},
		{"website index with slash", "website", "<WebsiteConfiguration><IndexDocument><Suffix>a/index.html</Suffix></IndexDocument></WebsiteConfiguration>", ossxml.CodeInvalidArgument},
		{"website index type 3", "website", "<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix><Type>3</Type></IndexDocument></WebsiteConfiguration>", ossxml.CodeInvalidArgument},
		{"website bool not a bool", "website", "<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix><SupportSubDir>maybe</SupportSubDir></IndexDocument></WebsiteConfiguration>", ossxml.CodeMalformedXML},
		{"website error status 500", "website", "<WebsiteConfiguration><ErrorDocument><Key>e.html</Key><HttpStatus>500</HttpStatus></ErrorDocument></WebsiteConfiguration>", ossxml.CodeInvalidArgument},
		{"website rule without redirect", "website", "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber></RoutingRule></RoutingRules></WebsiteConfiguration>", ossxml.CodeMalformedXML},
		{"website rule number 0", "website", routing(0, "External", ""), ossxml.CodeInvalidArgument},
		{"website redirect type", "website", routing(1, "Elsewhere", ""), ossxml.CodeInvalidArgument},
		{"website mirror without URL", "website", routing(1, "Mirror", ""), ossxml.CodeInvalidArgument},
		{"website redirect code 200", "website", routing(1, "External", "<HttpRedirectCode>200</HttpRedirectCode>"), ossxml.CodeInvalidArgument},
		{"website too large", "website", string(big), ossxml.CodeMalformedXML},
		{"transfer acceleration without Enabled", "transferAcceleration", "<TransferAccelerationConfiguration/>", ossxml.CodeMalformedXML},
		{"request payment payer", "requestPayment", "<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>", ossxml.CodeInvalidArgument},
		{"request payment without payer", "requestPayment", "<RequestPaymentConfiguration/>", ossxml.CodeMalformedXML},
		{"resource group ID", "resourceGroup", "<BucketResourceGroupConfiguration><ResourceGroupId>group 1</ResourceGroupId></BucketResourceGroupConfiguration>", ossxml.CodeInvalidArgument},
		{"access monitor status", "accessmonitor", "<AccessMonitorConfiguration><Status>On</Status></AccessMonitorConfiguration>", ossxml.CodeInvalidArgument},
		{"https without TLS", "httpsConfig", "<HttpsConfiguration/>", ossxml.CodeMalformedXML},
		{"https enabled without versions", "httpsConfig", "<HttpsConfiguration><TLS><Enable>true</Enable></TLS></HttpsConfiguration>", ossxml.CodeInvalidArgument},
		{"https version", "httpsConfig", "<HttpsConfiguration><TLS><Enable>true</Enable><TLSVersion>SSLv3</TLSVersion></TLS></HttpsConfiguration>", ossxml.CodeInvalidArgument},
		{"https version twice", "httpsConfig", "<HttpsConfiguration><TLS><Enable>true</Enable><TLSVersion>TLSv1.2</TLSVersion><TLSVersion>TLSv1.2</TLSVersion></TLS></HttpsConfiguration>", ossxml.CodeInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(call{method: "PUT", bucket: "conf", query: tc.query, body: []byte(tc.body)}, tc.code)
		})
	}
	for _, q := range []string{"website", "transferAcceleration"} {
		h.fails(call{method: "GET", bucket: "conf", query: q}, map[string]string{"website": ossxml.CodeNoSuchWebsiteConfig, "transferAcceleration": ossxml.CodeNoSuchTransferAccel}[q])
	}
}

func routing(n int, typ, extra string) string {
	return "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>" + strconv.Itoa(n) + "</RuleNumber><Redirect><RedirectType>" + typ + "</RedirectType>" + extra +
		"</Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>"
}

// TestBucketConfOwnerOnly checks that another account, even on a
// public-read-write bucket, reaches none of the configurations.
func TestBucketConfOwnerOnly(t *testing.T) {
	h := newHarness(t, withOtherAccount)
	h.ok(call{method: "PUT", bucket: "open", header: map[string]string{"x-oss-acl": "public-read-write"}}, http.StatusOK)
	for _, c := range []call{
		{method: "GET", query: "logging"}, {method: "PUT", query: "website", body: []byte("<WebsiteConfiguration/>")},
		{method: "GET", query: "inventory"}, {method: "POST", query: "replication&comp=add", body: []byte("<ReplicationConfiguration/>")},
		{method: "GET", query: "replicationLocation"}, {method: "GET", query: "transferAcceleration"},
		{method: "GET", query: "requestPayment"}, {method: "GET", query: "resourceGroup"},
		{method: "GET", query: "accessmonitor"}, {method: "GET", query: "httpsConfig"},
	} {
		c.bucket = "open"
		if r := h.as(otherCred, c); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s ?%s by another account: %d %s", c.method, c.query, r.StatusCode, r.body)
		}
		c.anon = true
		if r := h.do(c); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s ?%s anonymous: %d %s", c.method, c.query, r.StatusCode, r.body)
		}
	}
}
