package interop

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestBucketConfigurations puts, reads back and deletes the bucket
// configurations ossup stores without acting on (logging, website,
// inventory, replication, transfer acceleration, request payment,
// resource group, access monitor and, in the v2 SDK, HTTPS) through both
// SDKs, each signing with V1 and with V4.
func TestBucketConfigurations(t *testing.T) {
	forEach(t, func(t *testing.T, f *fixture, c sdkClient, v variant) {
		ctx := t.Context()
		const bucket, logs = "confs", "confs-logs"
		for _, b := range []string{bucket, logs} {
			if err := c.CreateBucket(ctx, b, "private"); err != nil {
				t.Fatal(err)
			}
		}
		switch c := c.(type) {
		case *v1Client:
			v1Configurations(ctx, t, c.c, bucket, logs)
			v1Rules(ctx, t, c.c, bucket)
		case *v2Client:
			v2Configurations(ctx, t, c.c, bucket, logs)
			v2Rules(ctx, t, c.c, bucket)
			v2HTTPS(ctx, t, c.c, bucket)
		}
	})
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func v1Configurations(ctx context.Context, t *testing.T, c *v1.Client, bucket, logs string) {
	wc := v1.WithContext(ctx)
	must(t, "SetBucketLogging", c.SetBucketLogging(bucket, logs, "access/", true, wc))
	lg, err := c.GetBucketLogging(bucket, wc)
	if err != nil || lg.LoggingEnabled.TargetBucket != logs || lg.LoggingEnabled.TargetPrefix != "access/" {
		t.Errorf("GetBucketLogging = %+v, %v", lg, err)
	}
	must(t, "DeleteBucketLogging", c.DeleteBucketLogging(bucket, wc))
	if lg, err := c.GetBucketLogging(bucket, wc); err != nil || lg.LoggingEnabled.TargetBucket != "" {
		t.Errorf("GetBucketLogging after delete = %+v, %v", lg, err)
	}
	wantCode(t, "logging to a missing bucket", c.SetBucketLogging(bucket, "no-such-bucket", "", true, wc), http.StatusBadRequest, "InvalidTargetBucketForLogging")

	_, err = c.GetBucketWebsite(bucket, wc)
	wantCode(t, "GetBucketWebsite never set", err, http.StatusNotFound, "NoSuchWebsiteConfiguration")
	site := v1.WebsiteXML{}
	site.IndexDocument.Suffix = "index.html"
	site.ErrorDocument.Key = "404.html"
	rule := v1.RoutingRule{RuleNumber: 1}
	rule.Condition.KeyPrefixEquals = "old/"
	rule.Redirect.RedirectType = "External"
	rule.Redirect.HostName = "example.com"
	rule.Redirect.HttpRedirectCode = 302
	site.RoutingRules = []v1.RoutingRule{rule}
	must(t, "SetBucketWebsiteDetail", c.SetBucketWebsiteDetail(bucket, site, wc))
	ws, err := c.GetBucketWebsite(bucket, wc)
	if err != nil || ws.IndexDocument.Suffix != "index.html" || ws.ErrorDocument.Key != "404.html" || len(ws.RoutingRules) != 1 ||
		ws.RoutingRules[0].Condition.KeyPrefixEquals != "old/" || ws.RoutingRules[0].Redirect.HostName != "example.com" || ws.RoutingRules[0].Redirect.HttpRedirectCode != 302 {
		t.Errorf("GetBucketWebsite = %+v, %v", ws, err)
	}
	must(t, "DeleteBucketWebsite", c.DeleteBucketWebsite(bucket, wc))
	_, err = c.GetBucketWebsite(bucket, wc)
	wantCode(t, "GetBucketWebsite after delete", err, http.StatusNotFound, "NoSuchWebsiteConfiguration")

	_, err = c.GetBucketTransferAcc(bucket, wc)
	wantCode(t, "GetBucketTransferAcc never set", err, http.StatusNotFound, "NoSuchTransferAccelerationConfiguration")
	must(t, "SetBucketTransferAcc", c.SetBucketTransferAcc(bucket, v1.TransferAccConfiguration{Enabled: true}, wc))
	if acc, err := c.GetBucketTransferAcc(bucket, wc); err != nil || !acc.Enabled {
		t.Errorf("GetBucketTransferAcc = %+v, %v", acc, err)
	}

	if pay, err := c.GetBucketRequestPayment(bucket, wc); err != nil || pay.Payer != "BucketOwner" {
		t.Errorf("GetBucketRequestPayment never set = %+v, %v", pay, err)
	}
	must(t, "SetBucketRequestPayment", c.SetBucketRequestPayment(bucket, v1.RequestPaymentConfiguration{Payer: "Requester"}, wc))
	if pay, err := c.GetBucketRequestPayment(bucket, wc); err != nil || pay.Payer != "Requester" {
		t.Errorf("GetBucketRequestPayment = %+v, %v", pay, err)
	}

	if rg, err := c.GetBucketResourceGroup(bucket, wc); err != nil || rg.ResourceGroupId != "rg-default-id" {
		t.Errorf("GetBucketResourceGroup never set = %+v, %v", rg, err)
	}
	must(t, "PutBucketResourceGroup", c.PutBucketResourceGroup(bucket, v1.PutBucketResourceGroup{ResourceGroupId: "rg-aek27tc"}, wc))
	if rg, err := c.GetBucketResourceGroup(bucket, wc); err != nil || rg.ResourceGroupId != "rg-aek27tc" {
		t.Errorf("GetBucketResourceGroup = %+v, %v", rg, err)
	}

	if am, err := c.GetBucketAccessMonitor(bucket, wc); err != nil || am.Status != "Disabled" {
		t.Errorf("GetBucketAccessMonitor never set = %+v, %v", am, err)
	}
	must(t, "PutBucketAccessMonitor", c.PutBucketAccessMonitor(bucket, v1.PutBucketAccessMonitor{Status: "Enabled"}, wc))
	if am, err := c.GetBucketAccessMonitor(bucket, wc); err != nil || am.Status != "Enabled" {
		t.Errorf("GetBucketAccessMonitor = %+v, %v", am, err)
	}
}

func v1Rules(ctx context.Context, t *testing.T, c *v1.Client, bucket string) {
	wc := v1.WithContext(ctx)
	_, err := c.GetBucketInventory(bucket, "report1", wc)
	wantCode(t, "GetBucketInventory never set", err, http.StatusNotFound, "NoSuchInventory")
	inv := v1.InventoryConfiguration{Id: "report1", IsEnabled: v2.Ptr(true), Prefix: "p/",
		OSSBucketDestination: v1.OSSBucketDestination{Format: "CSV", AccountId: "100", RoleArn: "acs:ram::100:role/AliyunOSSRole", Bucket: "acs:oss:::dest", Prefix: "inv"},
		Frequency:            "Daily", IncludedObjectVersions: "All", OptionalFields: v1.OptionalFields{Field: []string{"Size", "ETag"}}}
	must(t, "SetBucketInventory", c.SetBucketInventory(bucket, inv, wc))
	got, err := c.GetBucketInventory(bucket, "report1", wc)
	if err != nil || got.Id != "report1" || got.IsEnabled == nil || !*got.IsEnabled || got.Prefix != "p/" || got.OSSBucketDestination.Bucket != "acs:oss:::dest" ||
		got.Frequency != "Daily" || !reflect.DeepEqual(got.OptionalFields.Field, []string{"Size", "ETag"}) {
		t.Errorf("GetBucketInventory = %+v, %v", got, err)
	}
	list, err := c.ListBucketInventory(bucket, "", wc)
	if err != nil || len(list.InventoryConfiguration) != 1 || (list.IsTruncated != nil && *list.IsTruncated) {
		t.Errorf("ListBucketInventory = %+v, %v", list, err)
	}
	must(t, "DeleteBucketInventory", c.DeleteBucketInventory(bucket, "report1", wc))
	_, err = c.GetBucketInventory(bucket, "report1", wc)
	wantCode(t, "GetBucketInventory after delete", err, http.StatusNotFound, "NoSuchInventory")

	_, err = c.GetBucketReplication(bucket, wc)
	wantCode(t, "GetBucketReplication never set", err, http.StatusNotFound, "NoSuchReplicationConfiguration")
	must(t, "PutBucketReplication", c.PutBucketReplication(bucket, `<ReplicationConfiguration><Rule><ID>rule1</ID><PrefixSet><Prefix>a/</Prefix></PrefixSet>`+
		`<Action>PUT</Action><Destination><Bucket>dest</Bucket><Location>oss-cn-beijing</Location></Destination></Rule></ReplicationConfiguration>`, wc))
	body, err := c.GetBucketReplication(bucket, wc)
	if err != nil || !strings.Contains(body, "<ID>rule1</ID>") || !strings.Contains(body, "<Bucket>dest</Bucket>") || !strings.Contains(body, "<Prefix>a/</Prefix>") {
		t.Errorf("GetBucketReplication = %s, %v", body, err)
	}
	if loc, err := c.GetBucketReplicationLocation(bucket, wc); err != nil || !strings.Contains(loc, "<Location>") {
		t.Errorf("GetBucketReplicationLocation = %s, %v", loc, err)
	}
	if prog, err := c.GetBucketReplicationProgress(bucket, "rule1", wc); err != nil || !strings.Contains(prog, "<ID>rule1</ID>") {
		t.Errorf("GetBucketReplicationProgress = %s, %v", prog, err)
	}
	must(t, "DeleteBucketReplication", c.DeleteBucketReplication(bucket, "rule1", wc))
	_, err = c.GetBucketReplication(bucket, wc)
	wantCode(t, "GetBucketReplication after delete", err, http.StatusNotFound, "NoSuchReplicationConfiguration")
}

func v2Configurations(ctx context.Context, t *testing.T, c *v2.Client, bucket, logs string) {
	b := v2.Ptr(bucket)
	logging := &v2.BucketLoggingStatus{LoggingEnabled: &v2.LoggingEnabled{TargetBucket: v2.Ptr(logs), TargetPrefix: v2.Ptr("access/")}}
	_, err := c.PutBucketLogging(ctx, &v2.PutBucketLoggingRequest{Bucket: b, BucketLoggingStatus: logging})
	must(t, "PutBucketLogging", err)
	lg, err := c.GetBucketLogging(ctx, &v2.GetBucketLoggingRequest{Bucket: b})
	if err != nil || !reflect.DeepEqual(lg.BucketLoggingStatus, logging) {
		t.Errorf("GetBucketLogging = %+v, %v", lg, err)
	}
	_, err = c.DeleteBucketLogging(ctx, &v2.DeleteBucketLoggingRequest{Bucket: b})
	must(t, "DeleteBucketLogging", err)
	if lg, err := c.GetBucketLogging(ctx, &v2.GetBucketLoggingRequest{Bucket: b}); err != nil || lg.BucketLoggingStatus.LoggingEnabled != nil {
		t.Errorf("GetBucketLogging after delete = %+v, %v", lg, err)
	}

	site := &v2.WebsiteConfiguration{
		IndexDocument: &v2.IndexDocument{Suffix: v2.Ptr("index.html"), SupportSubDir: v2.Ptr(true), Type: v2.Ptr(int64(0))},
		ErrorDocument: &v2.ErrorDocument{Key: v2.Ptr("error.html"), HttpStatus: v2.Ptr(int64(404))},
		RoutingRules: &v2.RoutingRules{RoutingRules: []v2.RoutingRule{{RuleNumber: v2.Ptr(int64(1)),
			Condition: &v2.RoutingRuleCondition{KeyPrefixEquals: v2.Ptr("abc/"), HttpErrorCodeReturnedEquals: v2.Ptr(int64(404))},
			Redirect: &v2.RoutingRuleRedirect{RedirectType: v2.Ptr("Mirror"), MirrorURL: v2.Ptr("http://example.com/"), PassQueryString: v2.Ptr(true),
				MirrorHeaders: &v2.MirrorHeaders{PassAll: v2.Ptr(true), Passes: []string{"myheader-key1"}, Sets: []v2.MirrorHeadersSet{{Key: v2.Ptr("k"), Value: v2.Ptr("v")}}}}}}},
	}
	_, err = c.GetBucketWebsite(ctx, &v2.GetBucketWebsiteRequest{Bucket: b})
	wantCode(t, "GetBucketWebsite never set", err, http.StatusNotFound, "NoSuchWebsiteConfiguration")
	_, err = c.PutBucketWebsite(ctx, &v2.PutBucketWebsiteRequest{Bucket: b, WebsiteConfiguration: site})
	must(t, "PutBucketWebsite", err)
	if ws, err := c.GetBucketWebsite(ctx, &v2.GetBucketWebsiteRequest{Bucket: b}); err != nil || !reflect.DeepEqual(ws.WebsiteConfiguration, site) {
		t.Errorf("GetBucketWebsite = %+v, %v", ws, err)
	}
	_, err = c.DeleteBucketWebsite(ctx, &v2.DeleteBucketWebsiteRequest{Bucket: b})
	must(t, "DeleteBucketWebsite", err)
	_, err = c.GetBucketWebsite(ctx, &v2.GetBucketWebsiteRequest{Bucket: b})
	wantCode(t, "GetBucketWebsite after delete", err, http.StatusNotFound, "NoSuchWebsiteConfiguration")

	_, err = c.GetBucketTransferAcceleration(ctx, &v2.GetBucketTransferAccelerationRequest{Bucket: b})
	wantCode(t, "GetBucketTransferAcceleration never set", err, http.StatusNotFound, "NoSuchTransferAccelerationConfiguration")
	_, err = c.PutBucketTransferAcceleration(ctx, &v2.PutBucketTransferAccelerationRequest{Bucket: b,
		TransferAccelerationConfiguration: &v2.TransferAccelerationConfiguration{Enabled: v2.Ptr(true)}})
	must(t, "PutBucketTransferAcceleration", err)
	if acc, err := c.GetBucketTransferAcceleration(ctx, &v2.GetBucketTransferAccelerationRequest{Bucket: b}); err != nil || !v2.ToBool(acc.TransferAccelerationConfiguration.Enabled) {
		t.Errorf("GetBucketTransferAcceleration = %+v, %v", acc, err)
	}

	if pay, err := c.GetBucketRequestPayment(ctx, &v2.GetBucketRequestPaymentRequest{Bucket: b}); err != nil || v2.ToString(pay.Payer) != "BucketOwner" {
		t.Errorf("GetBucketRequestPayment never set = %+v, %v", pay, err)
	}
	_, err = c.PutBucketRequestPayment(ctx, &v2.PutBucketRequestPaymentRequest{Bucket: b, PaymentConfiguration: &v2.RequestPaymentConfiguration{Payer: "Requester"}})
	must(t, "PutBucketRequestPayment", err)
	if pay, err := c.GetBucketRequestPayment(ctx, &v2.GetBucketRequestPaymentRequest{Bucket: b}); err != nil || v2.ToString(pay.Payer) != "Requester" {
		t.Errorf("GetBucketRequestPayment = %+v, %v", pay, err)
	}

	_, err = c.PutBucketResourceGroup(ctx, &v2.PutBucketResourceGroupRequest{Bucket: b,
		BucketResourceGroupConfiguration: &v2.BucketResourceGroupConfiguration{ResourceGroupId: v2.Ptr("rg-aek27tc")}})
	must(t, "PutBucketResourceGroup", err)
	if rg, err := c.GetBucketResourceGroup(ctx, &v2.GetBucketResourceGroupRequest{Bucket: b}); err != nil || v2.ToString(rg.BucketResourceGroupConfiguration.ResourceGroupId) != "rg-aek27tc" {
		t.Errorf("GetBucketResourceGroup = %+v, %v", rg, err)
	}

	if am, err := c.GetBucketAccessMonitor(ctx, &v2.GetBucketAccessMonitorRequest{Bucket: b}); err != nil || am.AccessMonitorConfiguration.Status != v2.AccessMonitorStatusDisabled {
		t.Errorf("GetBucketAccessMonitor never set = %+v, %v", am, err)
	}
	_, err = c.PutBucketAccessMonitor(ctx, &v2.PutBucketAccessMonitorRequest{Bucket: b,
		AccessMonitorConfiguration: &v2.AccessMonitorConfiguration{Status: v2.AccessMonitorStatusEnabled}})
	must(t, "PutBucketAccessMonitor", err)
	if am, err := c.GetBucketAccessMonitor(ctx, &v2.GetBucketAccessMonitorRequest{Bucket: b}); err != nil || am.AccessMonitorConfiguration.Status != v2.AccessMonitorStatusEnabled {
		t.Errorf("GetBucketAccessMonitor = %+v, %v", am, err)
	}
}

func v2Rules(ctx context.Context, t *testing.T, c *v2.Client, bucket string) {
	b := v2.Ptr(bucket)
	inv := &v2.InventoryConfiguration{Id: v2.Ptr("report1"), IsEnabled: v2.Ptr(true),
		Filter: &v2.InventoryFilter{Prefix: v2.Ptr("p/"), LowerSizeBound: v2.Ptr(int64(1024)), UpperSizeBound: v2.Ptr(int64(1048576)), StorageClass: v2.Ptr("Standard,IA")},
		Destination: &v2.InventoryDestination{OSSBucketDestination: &v2.InventoryOSSBucketDestination{Format: v2.InventoryFormatCSV, AccountId: v2.Ptr("100"),
			RoleArn: v2.Ptr("acs:ram::100:role/AliyunOSSRole"), Bucket: v2.Ptr("acs:oss:::dest"), Prefix: v2.Ptr("inv"),
			Encryption: &v2.InventoryEncryption{SseKms: &v2.SSEKMS{KeyId: v2.Ptr("key")}}}},
		Schedule: &v2.InventorySchedule{Frequency: v2.InventoryFrequencyWeekly}, IncludedObjectVersions: v2.Ptr("Current"),
		OptionalFields: &v2.OptionalFields{Fields: []v2.InventoryOptionalFieldType{v2.InventoryOptionalFieldSize, v2.InventoryOptionalFieldETag}}}
	_, err := c.GetBucketInventory(ctx, &v2.GetBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1")})
	wantCode(t, "GetBucketInventory never set", err, http.StatusNotFound, "NoSuchInventory")
	_, err = c.PutBucketInventory(ctx, &v2.PutBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1"), InventoryConfiguration: inv})
	must(t, "PutBucketInventory", err)
	_, err = c.PutBucketInventory(ctx, &v2.PutBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1"), InventoryConfiguration: inv})
	wantCode(t, "PutBucketInventory twice", err, http.StatusConflict, "InventoryAlreadyExist")
	if got, err := c.GetBucketInventory(ctx, &v2.GetBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1")}); err != nil || !reflect.DeepEqual(got.InventoryConfiguration, inv) {
		t.Errorf("GetBucketInventory = %+v, %v", got, err)
	}
	list, err := c.ListBucketInventory(ctx, &v2.ListBucketInventoryRequest{Bucket: b})
	if err != nil || len(list.ListInventoryConfigurationsResult.InventoryConfigurations) != 1 || v2.ToBool(list.ListInventoryConfigurationsResult.IsTruncated) {
		t.Errorf("ListBucketInventory = %+v, %v", list, err)
	}
	_, err = c.DeleteBucketInventory(ctx, &v2.DeleteBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1")})
	must(t, "DeleteBucketInventory", err)
	_, err = c.GetBucketInventory(ctx, &v2.GetBucketInventoryRequest{Bucket: b, InventoryId: v2.Ptr("report1")})
	wantCode(t, "GetBucketInventory after delete", err, http.StatusNotFound, "NoSuchInventory")

	rule := v2.ReplicationRule{ID: v2.Ptr("rule1"), PrefixSet: &v2.ReplicationPrefixSet{Prefixs: []string{"a/", "b/"}}, Action: v2.Ptr("PUT,DELETE"),
		Destination:                 &v2.ReplicationDestination{Bucket: v2.Ptr("dest"), Location: v2.Ptr("oss-cn-beijing"), TransferType: v2.TransferTypeOssAcc},
		HistoricalObjectReplication: v2.HistoricalObjectReplicationDisabled, RTC: &v2.ReplicationTimeControl{Status: v2.Ptr("enabled")}}
	_, err = c.GetBucketReplication(ctx, &v2.GetBucketReplicationRequest{Bucket: b})
	wantCode(t, "GetBucketReplication never set", err, http.StatusNotFound, "NoSuchReplicationConfiguration")
	put, err := c.PutBucketReplication(ctx, &v2.PutBucketReplicationRequest{Bucket: b, ReplicationConfiguration: &v2.ReplicationConfiguration{Rules: []v2.ReplicationRule{rule}}})
	must(t, "PutBucketReplication", err)
	if v2.ToString(put.ReplicationRuleId) != "rule1" {
		t.Errorf("PutBucketReplication rule id %q", v2.ToString(put.ReplicationRuleId))
	}
	got, err := c.GetBucketReplication(ctx, &v2.GetBucketReplicationRequest{Bucket: b})
	rule.Status = v2.Ptr("starting")
	if err != nil || len(got.ReplicationConfiguration.Rules) != 1 || !reflect.DeepEqual(got.ReplicationConfiguration.Rules[0], rule) {
		t.Errorf("GetBucketReplication = %+v, %v", got, err)
	}
	if loc, err := c.GetBucketReplicationLocation(ctx, &v2.GetBucketReplicationLocationRequest{Bucket: b}); err != nil || len(loc.ReplicationLocation.Locations) == 0 {
		t.Errorf("GetBucketReplicationLocation = %+v, %v", loc, err)
	}
	prog, err := c.GetBucketReplicationProgress(ctx, &v2.GetBucketReplicationProgressRequest{Bucket: b, RuleId: v2.Ptr("rule1")})
	if err != nil || len(prog.ReplicationProgress.Rules) != 1 || v2.ToString(prog.ReplicationProgress.Rules[0].ID) != "rule1" {
		t.Errorf("GetBucketReplicationProgress = %+v, %v", prog, err)
	}
	_, err = c.DeleteBucketReplication(ctx, &v2.DeleteBucketReplicationRequest{Bucket: b, ReplicationRules: &v2.ReplicationRules{IDs: []string{"rule1"}}})
	must(t, "DeleteBucketReplication", err)
	_, err = c.GetBucketReplication(ctx, &v2.GetBucketReplicationRequest{Bucket: b})
	wantCode(t, "GetBucketReplication after delete", err, http.StatusNotFound, "NoSuchReplicationConfiguration")
}

func v2HTTPS(ctx context.Context, t *testing.T, c *v2.Client, bucket string) {
	b := v2.Ptr(bucket)
	if got, err := c.GetBucketHttpsConfig(ctx, &v2.GetBucketHttpsConfigRequest{Bucket: b}); err != nil || got.HttpsConfiguration.TLS == nil || v2.ToBool(got.HttpsConfiguration.TLS.Enable) {
		t.Errorf("GetBucketHttpsConfig never set = %+v, %v", got, err)
	}
	conf := &v2.HttpsConfiguration{TLS: &v2.TLS{Enable: v2.Ptr(true), TLSVersions: []string{"TLSv1.2", "TLSv1.3"}}}
	_, err := c.PutBucketHttpsConfig(ctx, &v2.PutBucketHttpsConfigRequest{Bucket: b, HttpsConfiguration: conf})
	must(t, "PutBucketHttpsConfig", err)
	if got, err := c.GetBucketHttpsConfig(ctx, &v2.GetBucketHttpsConfigRequest{Bucket: b}); err != nil || !reflect.DeepEqual(got.HttpsConfiguration, conf) {
		t.Errorf("GetBucketHttpsConfig = %+v, %v", got, err)
	}
	bad := &v2.HttpsConfiguration{TLS: &v2.TLS{Enable: v2.Ptr(true), TLSVersions: []string{"SSLv3"}}}
	_, err = c.PutBucketHttpsConfig(ctx, &v2.PutBucketHttpsConfigRequest{Bucket: b, HttpsConfiguration: bad})
	wantCode(t, "PutBucketHttpsConfig SSLv3", err, http.StatusBadRequest, "InvalidArgument")
}
