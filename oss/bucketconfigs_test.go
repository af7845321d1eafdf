package oss_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

func ptrTo[T any](v T) *T { return &v }

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if se, ok := errors.AsType[*oss.ServiceError](err); !ok || se.Code != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestBucketConfigs puts, reads back and deletes each stored-only bucket
// configuration through the client.
func TestBucketConfigs(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c, b := env.Client, env.Bucket
	if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: "logs"}); err != nil {
		t.Fatal(err)
	}
	get := &oss.BucketRequest{Bucket: b}

	if got, err := c.GetBucketLogging(ctx, get); err != nil || got.Config.LoggingEnabled != nil {
		t.Errorf("logging never set: %+v, %v", got, err)
	}
	logging := oss.LoggingStatus{LoggingEnabled: &oss.LoggingEnabled{TargetBucket: "logs", TargetPrefix: "access/"}}
	if _, err := c.PutBucketLogging(ctx, &oss.PutBucketConfigRequest[oss.LoggingStatus]{Bucket: b, Config: logging}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketLogging(ctx, get); err != nil || !reflect.DeepEqual(got.Config, logging) {
		t.Errorf("GetBucketLogging = %+v, %v", got, err)
	}
	if _, err := c.DeleteBucketLogging(ctx, get); err != nil {
		t.Fatal(err)
	}

	_, err := c.GetBucketWebsite(ctx, get)
	wantCode(t, "website never set", err, "NoSuchWebsiteConfiguration")
	website := oss.WebsiteConfig{IndexDocument: &oss.IndexDocument{Suffix: "index.html", SupportSubDir: ptrTo(true), Type: ptrTo(int64(1))},
		ErrorDocument: &oss.ErrorDocument{Key: "404.html", HttpStatus: ptrTo(int64(404))},
		RoutingRules: &oss.RoutingRules{Rules: []oss.RoutingRule{{RuleNumber: 1,
			Condition: &oss.RoutingRuleCondition{KeyPrefixEquals: "old/", IncludeHeaders: []oss.IncludeHeader{{Key: "h", Equals: "v"}}},
			Redirect:  &oss.RoutingRuleRedirect{RedirectType: "External", HostName: "example.com", Protocol: "https", HttpRedirectCode: ptrTo(int64(301)), ReplaceKeyPrefixWith: "new/"}}}}}
	if _, err := c.PutBucketWebsite(ctx, &oss.PutBucketConfigRequest[oss.WebsiteConfig]{Bucket: b, Config: website}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketWebsite(ctx, get); err != nil || !reflect.DeepEqual(got.Config, website) {
		t.Errorf("GetBucketWebsite = %+v, %v", got, err)
	}
	if _, err := c.DeleteBucketWebsite(ctx, get); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketWebsite(ctx, get)
	wantCode(t, "website deleted", err, "NoSuchWebsiteConfiguration")

	_, err = c.GetBucketTransferAcceleration(ctx, get)
	wantCode(t, "acceleration never set", err, "NoSuchTransferAccelerationConfiguration")
	if _, err := c.PutBucketTransferAcceleration(ctx, &oss.PutBucketConfigRequest[oss.TransferAccelerationConfig]{Bucket: b, Config: oss.TransferAccelerationConfig{Enabled: ptrTo(true)}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketTransferAcceleration(ctx, get); err != nil || got.Config.Enabled == nil || !*got.Config.Enabled {
		t.Errorf("GetBucketTransferAcceleration = %+v, %v", got, err)
	}

	if got, err := c.GetBucketRequestPayment(ctx, get); err != nil || got.Config.Payer != "BucketOwner" {
		t.Errorf("request payment never set: %+v, %v", got, err)
	}
	if _, err := c.PutBucketRequestPayment(ctx, &oss.PutBucketConfigRequest[oss.RequestPaymentConfig]{Bucket: b, Config: oss.RequestPaymentConfig{Payer: "Requester"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketRequestPayment(ctx, get); err != nil || got.Config.Payer != "Requester" {
		t.Errorf("GetBucketRequestPayment = %+v, %v", got, err)
	}
	_, err = c.PutBucketRequestPayment(ctx, &oss.PutBucketConfigRequest[oss.RequestPaymentConfig]{Bucket: b, Config: oss.RequestPaymentConfig{Payer: "Anyone"}})
	wantCode(t, "payer Anyone", err, "InvalidArgument")

	if got, err := c.GetBucketResourceGroup(ctx, get); err != nil || got.Config.ResourceGroupId != "rg-default-id" {
		t.Errorf("resource group never set: %+v, %v", got, err)
	}
	if _, err := c.PutBucketResourceGroup(ctx, &oss.PutBucketConfigRequest[oss.ResourceGroupConfig]{Bucket: b, Config: oss.ResourceGroupConfig{ResourceGroupId: "rg-acfm"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketResourceGroup(ctx, get); err != nil || got.Config.ResourceGroupId != "rg-acfm" {
		t.Errorf("GetBucketResourceGroup = %+v, %v", got, err)
	}

	if got, err := c.GetBucketAccessMonitor(ctx, get); err != nil || got.Config.Status != "Disabled" {
		t.Errorf("access monitor never set: %+v, %v", got, err)
	}
	if _, err := c.PutBucketAccessMonitor(ctx, &oss.PutBucketConfigRequest[oss.AccessMonitorConfig]{Bucket: b, Config: oss.AccessMonitorConfig{Status: "Enabled"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketAccessMonitor(ctx, get); err != nil || got.Config.Status != "Enabled" {
		t.Errorf("GetBucketAccessMonitor = %+v, %v", got, err)
	}

	https := oss.HTTPSConfig{TLS: &oss.HTTPSTLS{Enable: ptrTo(true), TLSVersions: []string{"TLSv1.2", "TLSv1.3"}},
		CipherSuite: &oss.HTTPSCipherSuite{Enable: ptrTo(true), StrongCipherSuite: ptrTo(false), CustomCipherSuites: []string{"ECDHE-ECDSA-AES128-SHA256"}}}
	if _, err := c.PutBucketHTTPSConfig(ctx, &oss.PutBucketConfigRequest[oss.HTTPSConfig]{Bucket: b, Config: https}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketHTTPSConfig(ctx, get); err != nil || !reflect.DeepEqual(got.Config, https) {
		t.Errorf("GetBucketHTTPSConfig = %+v, %v", got, err)
	}
	if _, err := c.GetBucketLogging(ctx, &oss.BucketRequest{}); !errors.Is(err, oss.ErrInvalidArgument) {
		t.Errorf("no bucket: %v", err)
	}
}

// TestBucketInventoryAndReplication drives the configurations of several
// rules through the client.
func TestBucketInventoryAndReplication(t *testing.T) {
	env := osstest.Start(t, osstest.Options{})
	ctx := t.Context()
	c, b := env.Client, env.Bucket
	inv := oss.InventoryConfig{Id: "report1", IsEnabled: ptrTo(true),
		Filter: &oss.InventoryFilter{Prefix: "p/", LowerSizeBound: ptrTo(int64(1))},
		Destination: &oss.InventoryDestination{OSSBucketDestination: &oss.InventoryOSSBucketDestination{Format: "CSV", AccountId: "100",
			RoleArn: "acs:ram::100:role/AliyunOSSRole", Bucket: "acs:oss:::dest", Encryption: &oss.InventoryEncryption{SSEKMS: &oss.InventorySSEKMS{KeyId: "k"}}}},
		Schedule: &oss.InventorySchedule{Frequency: "Weekly"}, IncludedObjectVersions: "Current",
		OptionalFields: &oss.InventoryOptionalFields{Fields: []string{"Size", "StorageClass"}}}
	for _, id := range []string{"report1", "report2"} {
		inv.Id = id
		if _, err := c.PutBucketInventory(ctx, &oss.PutBucketConfigRequest[oss.InventoryConfig]{Bucket: b, Config: inv}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.GetBucketInventory(ctx, &oss.InventoryRequest{Bucket: b, ID: "report2"}); err != nil || !reflect.DeepEqual(got.Config, inv) {
		t.Errorf("GetBucketInventory = %+v, %v", got, err)
	}
	var ids []string
	for page, err := range c.ListBucketInventory(ctx, &oss.ListBucketInventoryRequest{Bucket: b}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Configs {
			ids = append(ids, x.Id)
		}
	}
	if !reflect.DeepEqual(ids, []string{"report1", "report2"}) {
		t.Errorf("listed %v", ids)
	}
	if _, err := c.DeleteBucketInventory(ctx, &oss.InventoryRequest{Bucket: b, ID: "report1"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetBucketInventory(ctx, &oss.InventoryRequest{Bucket: b, ID: "report1"})
	wantCode(t, "deleted inventory", err, "NoSuchInventory")

	rule := oss.ReplicationRule{PrefixSet: &oss.ReplicationPrefixSet{Prefixes: []string{"a/"}}, Action: "PUT",
		Destination: &oss.ReplicationDestination{Bucket: "dest", Location: "oss-cn-beijing", TransferType: "oss_acc"}, HistoricalObjectReplication: "enabled"}
	put, err := c.PutBucketReplication(ctx, &oss.PutBucketReplicationRequest{Bucket: b, Rule: rule})
	if err != nil || put.RuleID == "" {
		t.Fatalf("PutBucketReplication = %+v, %v", put, err)
	}
	got, err := c.GetBucketReplication(ctx, &oss.BucketRequest{Bucket: b})
	rule.ID, rule.Status = put.RuleID, "starting"
	if err != nil || len(got.Rules) != 1 || !reflect.DeepEqual(got.Rules[0], rule) {
		t.Errorf("GetBucketReplication = %+v, %v", got, err)
	}
	if loc, err := c.GetBucketReplicationLocation(ctx, &oss.BucketRequest{Bucket: b}); err != nil || len(loc.Locations) == 0 {
		t.Errorf("GetBucketReplicationLocation = %+v, %v", loc, err)
	}
	if p, err := c.GetBucketReplicationProgress(ctx, &oss.ReplicationRuleRequest{Bucket: b, RuleID: put.RuleID}); err != nil || len(p.Rules) != 1 || p.Rules[0].Progress == nil {
		t.Errorf("GetBucketReplicationProgress = %+v, %v", p, err)
	}
	if _, err := c.DeleteBucketReplication(ctx, &oss.ReplicationRuleRequest{Bucket: b, RuleID: put.RuleID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &oss.BucketRequest{Bucket: b})
	wantCode(t, "deleted replication", err, "NoSuchReplicationConfiguration")
}
