package server

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// The single-document configurations and the rules each Put is held to.
// A Get of one never put answers as OSS does: logging an empty
// BucketLoggingStatus, request payment BucketOwner, resource group
// rg-default-id, access monitor Disabled, HTTPS TLS disabled; website
// NoSuchWebsiteConfiguration and transfer acceleration
// NoSuchTransferAccelerationConfiguration.

var loggingConf = bucketConf[ossxml.BucketLoggingStatus]{
	name:   "logging",
	check:  checkLogging,
	absent: byDefault(func() *ossxml.BucketLoggingStatus { return &ossxml.BucketLoggingStatus{} }),
}

// checkLogging: a LoggingEnabled needs a TargetBucket that exists and is
// owned by the bucket's owner (else InvalidTargetBucketForLogging) and a
// TargetPrefix that could start an object key.
func checkLogging(ctx context.Context, s *Server, rq *request, doc *ossxml.BucketLoggingStatus) error {
	le := doc.LoggingEnabled
	if le == nil {
		return nil
	}
	if err := required("TargetBucket", le.TargetBucket != ""); err != nil {
		return err
	}
	target, err := s.store.GetBucket(ctx, le.TargetBucket)
	if err != nil || target.Owner != rq.b.Owner {
		e := newError(ossxml.CodeInvalidTargetBucket, "")
		e.body.BucketName = le.TargetBucket
		return e
	}
	if len(le.TargetPrefix) > MaxKeyLength || strings.HasPrefix(le.TargetPrefix, "/") {
		return invalidArgument("TargetPrefix", le.TargetPrefix, "The log prefix is not valid.")
	}
	return nil
}

var websiteConf = bucketConf[ossxml.WebsiteConfiguration]{
	name: "website",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.WebsiteConfiguration) error {
		return checkWebsite(doc)
	},
	absent: missing[ossxml.WebsiteConfiguration](ossxml.CodeNoSuchWebsiteConfig),
}

var transferAccelerationConf = bucketConf[ossxml.TransferAccelerationConfiguration]{
	name: "transferAcceleration",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.TransferAccelerationConfiguration) error {
		return required("Enabled", doc.Enabled != nil)
	},
	absent: missing[ossxml.TransferAccelerationConfiguration](ossxml.CodeNoSuchTransferAccel),
}

var requestPaymentConf = bucketConf[ossxml.RequestPaymentConfiguration]{
	name: "requestPayment",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.RequestPaymentConfiguration) error {
		return oneOf("Payer", doc.Payer, "BucketOwner", "Requester")
	},
	absent: byDefault(func() *ossxml.RequestPaymentConfiguration {
		return &ossxml.RequestPaymentConfiguration{Payer: "BucketOwner"}
	}),
}

// resourceGroupID is the shape of resource group IDs: rg- and lower-case
// letters and digits.
var resourceGroupID = regexp.MustCompile(`^rg-[a-z0-9]{1,60}$`)

var resourceGroupConf = bucketConf[ossxml.BucketResourceGroupConfiguration]{
	name: "resourceGroup",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.BucketResourceGroupConfiguration) error {
		switch id := strings.TrimSpace(doc.ResourceGroupId); {
		case id == "":
			// No ID moves the bucket to the default group.
			doc.ResourceGroupId = defaultResourceGroup
		case id != defaultResourceGroup && !resourceGroupID.MatchString(id):
			return invalidArgument("ResourceGroupId", doc.ResourceGroupId, "The resource group ID is not valid.")
		}
		return nil
	},
	absent: byDefault(func() *ossxml.BucketResourceGroupConfiguration {
		return &ossxml.BucketResourceGroupConfiguration{ResourceGroupId: defaultResourceGroup}
	}),
}

var accessMonitorConf = bucketConf[ossxml.AccessMonitorConfiguration]{
	name: "accessMonitor",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.AccessMonitorConfiguration) error {
		return oneOf("Status", doc.Status, "Enabled", "Disabled")
	},
	absent: byDefault(func() *ossxml.AccessMonitorConfiguration {
		return &ossxml.AccessMonitorConfiguration{Status: "Disabled"}
	}),
}

// tlsVersions are the TLS versions a bucket may accept.
var tlsVersions = []string{"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

var httpsConf = bucketConf[ossxml.HttpsConfiguration]{
	name: "httpsConfig",
	check: func(_ context.Context, _ *Server, _ *request, doc *ossxml.HttpsConfiguration) error {
		return checkHTTPS(doc)
	},
	absent: byDefault(func() *ossxml.HttpsConfiguration {
		return &ossxml.HttpsConfiguration{TLS: &ossxml.HttpsTLS{Enable: ptr(false)}}
	}),
}

// checkHTTPS: TLS and its Enable are required; enabled TLS needs at least
// one version, each of tlsVersions and none twice.
func checkHTTPS(doc *ossxml.HttpsConfiguration) error {
	if err := required("TLS", doc.TLS != nil && doc.TLS.Enable != nil); err != nil {
		return err
	}
	if *doc.TLS.Enable && len(doc.TLS.TLSVersions) == 0 {
		return invalidArgument("TLSVersion", "", "Enabled TLS version management needs at least one TLSVersion.")
	}
	for i, v := range doc.TLS.TLSVersions {
		if !slices.Contains(tlsVersions, v) || slices.Contains(doc.TLS.TLSVersions[:i], v) {
			return invalidArgument("TLSVersion", v, "TLSVersion must be TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, each at most once.")
		}
	}
	return nil
}

// Limits of a website configuration.
const (
	maxRoutingRules   = 20
	maxIncludeHeaders = 10
)

// checkWebsite applies OSS's rules to a website configuration, dropping
// the empty IndexDocument, ErrorDocument, Condition and MirrorHeaders
// some SDKs always send. At least one of IndexDocument, ErrorDocument and
// RoutingRules must remain. The index document's Suffix must not hold
// '/'; its Type is 0, 1 or 2; the error document's HttpStatus is 200 or
// 404. There are at most 20 routing rules, with distinct positive
// RuleNumbers, each with a Redirect.
func checkWebsite(doc *ossxml.WebsiteConfiguration) error {
	if doc.IndexDocument != nil && doc.IndexDocument.Suffix == "" && doc.IndexDocument.SupportSubDir == nil && doc.IndexDocument.Type == nil {
		doc.IndexDocument = nil
	}
	if doc.ErrorDocument != nil && doc.ErrorDocument.Key == "" && doc.ErrorDocument.HttpStatus == nil {
		doc.ErrorDocument = nil
	}
	if doc.RoutingRules != nil && len(doc.RoutingRules.Rules) == 0 {
		doc.RoutingRules = nil
	}
	if doc.IndexDocument == nil && doc.ErrorDocument == nil && doc.RoutingRules == nil {
		return newError(ossxml.CodeMalformedXML, "The website configuration is empty.")
	}
	if ix := doc.IndexDocument; ix != nil {
		if ix.Suffix == "" || strings.Contains(ix.Suffix, "/") {
			return invalidArgument("Suffix", ix.Suffix, "The index document must be a non-empty name without '/'.")
		}
		if ix.Type != nil && (*ix.Type < 0 || *ix.Type > 2) {
			return invalidArgument("Type", strconv.FormatInt(*ix.Type, 10), "Type must be 0, 1 or 2.")
		}
	}
	if ed := doc.ErrorDocument; ed != nil {
		if ed.Key == "" || strings.HasPrefix(ed.Key, "/") {
			return invalidArgument("Key", ed.Key, "The error document must be an object key.")
		}
		if ed.HttpStatus != nil && *ed.HttpStatus != 200 && *ed.HttpStatus != 404 {
			return invalidArgument("HttpStatus", strconv.FormatInt(*ed.HttpStatus, 10), "HttpStatus must be 200 or 404.")
		}
	}
	if doc.RoutingRules == nil {
		return nil
	}
	rules := doc.RoutingRules.Rules
	if len(rules) > maxRoutingRules {
		return invalidArgument("RoutingRule", strconv.Itoa(len(rules)), "A website configuration holds at most 20 routing rules.")
	}
	seen := map[int64]bool{}
	for i := range rules {
		if err := checkRoutingRule(&rules[i]); err != nil {
			return err
		}
		if seen[rules[i].RuleNumber] {
			return invalidArgument("RuleNumber", strconv.FormatInt(rules[i].RuleNumber, 10), "RuleNumbers must differ.")
		}
		seen[rules[i].RuleNumber] = true
	}
	return nil
}

// redirectTypes and redirectCodes are the values a Redirect may take.
var (
	redirectTypes = []string{"Mirror", "External", "Internal", "AliCDN"}
	redirectCodes = []int64{301, 302, 307}
)

func checkRoutingRule(rule *ossxml.RoutingRule) error {
	if rule.RuleNumber < 1 {
		return invalidArgument("RuleNumber", strconv.FormatInt(rule.RuleNumber, 10), "RuleNumber must be a positive integer.")
	}
	if c := rule.Condition; c != nil {
		if c.KeyPrefixEquals == "" && c.KeySuffixEquals == "" && c.HttpErrorCodeReturnedEquals == nil && len(c.IncludeHeaders) == 0 {
			rule.Condition = nil
		} else if len(c.IncludeHeaders) > maxIncludeHeaders {
			return invalidArgument("IncludeHeader", strconv.Itoa(len(c.IncludeHeaders)), "A condition holds at most 10 IncludeHeaders.")
		}
	}
	rd := rule.Redirect
	if err := required("Redirect", rd != nil); err != nil {
		return err
	}
	if err := oneOf("RedirectType", rd.RedirectType, redirectTypes...); err != nil {
		return err
	}
	if rd.MirrorHeaders != nil && rd.MirrorHeaders.PassAll == nil && len(rd.MirrorHeaders.Pass)+len(rd.MirrorHeaders.Remove)+len(rd.MirrorHeaders.Set) == 0 {
		rd.MirrorHeaders = nil
	}
	switch {
	case rd.RedirectType == "Mirror" && !strings.HasPrefix(rd.MirrorURL, "http://") && !strings.HasPrefix(rd.MirrorURL, "https://"):
		return invalidArgument("MirrorURL", rd.MirrorURL, "A Mirror redirect needs a MirrorURL starting with http:// or https://.")
	case rd.Protocol != "" && rd.Protocol != "http" && rd.Protocol != "https":
		return invalidArgument("Protocol", rd.Protocol, "Protocol must be http or https.")
	case rd.HttpRedirectCode != nil && !slices.Contains(redirectCodes, *rd.HttpRedirectCode):
		return invalidArgument("HttpRedirectCode", strconv.FormatInt(*rd.HttpRedirectCode, 10), "HttpRedirectCode must be 301, 302 or 307.")
	case rd.ReplaceKeyWith != "" && rd.ReplaceKeyPrefixWith != "":
		return invalidArgument("ReplaceKeyWith", rd.ReplaceKeyWith, "ReplaceKeyWith and ReplaceKeyPrefixWith exclude each other.")
	}
	return nil
}

// confStates is what GetBucketInfo reports of the stored configurations.
type confStates struct {
	accessMonitor, acceleration, replication, resourceGroup string
}

func (s *Server) confStates(ctx context.Context, bucket string) (confStates, error) {
	st := confStates{accessMonitor: "Disabled", acceleration: "Disabled", replication: "Disabled", resourceGroup: defaultResourceGroup}
	am, err := loadConf[ossxml.AccessMonitorConfiguration](ctx, s, bucket, accessMonitorConf.name)
	if err != nil {
		return st, err
	}
	if am != nil {
		st.accessMonitor = am.Status
	}
	ta, err := loadConf[ossxml.TransferAccelerationConfiguration](ctx, s, bucket, transferAccelerationConf.name)
	if err != nil {
		return st, err
	}
	if ta != nil && *ta.Enabled {
		st.acceleration = "Enabled"
	}
	rc, err := loadConf[ossxml.ReplicationConfiguration](ctx, s, bucket, replicationConfig)
	if err != nil {
		return st, err
	}
	if rc != nil && len(rc.Rules) > 0 {
		st.replication = "Enabled"
	}
	rg, err := loadConf[ossxml.BucketResourceGroupConfiguration](ctx, s, bucket, resourceGroupConf.name)
	if err != nil {
		return st, err
	}
	if rg != nil {
		st.resourceGroup = rg.ResourceGroupId
	}
	return st, nil
}
