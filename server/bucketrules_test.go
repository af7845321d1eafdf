package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/ossxml"
)

func inventoryBody(id, extra string) []byte {
	return []byte(`<InventoryConfiguration><Id>` + id + `</Id><IsEnabled>true</IsEnabled>` +
		`<Filter><Prefix>p/</Prefix><LowerSizeBound>1</LowerSizeBound><UpperSizeBound>100</UpperSizeBound><StorageClass>Standard,IA</StorageClass></Filter>` +
		`<Destination><OSSBucketDestination><Format>CSV</Format><AccountId>100</AccountId><RoleArn>acs:ram::100:role/AliyunOSSRole</RoleArn>` +
		`<Bucket>acs:oss:::dest</Bucket><Prefix>inv</Prefix><Encryption><SSE-OSS/></Encryption></OSSBucketDestination></Destination>` +
		`<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions>` +
		`<OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>` + extra + `</InventoryConfiguration>`)
}

// TestBucketInventory puts, reads, lists page by page and deletes
// inventory configurations, and refuses invalid ones.
func TestBucketInventory(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("inv")
	put := func(id string) {
		h.ok(call{method: "PUT", bucket: "inv", query: "inventory&inventoryId=" + id, body: inventoryBody(id, "")}, http.StatusOK)
	}
	h.fails(call{method: "GET", bucket: "inv", query: "inventory&inventoryId=a"}, ossxml.CodeNoSuchInventory)
	var empty ossxml.ListInventoryConfigurationsResult
	h.xml(call{method: "GET", bucket: "inv", query: "inventory"}, &empty)
	if len(empty.InventoryConfigurations) != 0 || empty.IsTruncated {
		t.Errorf("a bucket without inventory lists %+v", empty)
	}

	put("report1")
	var got ossxml.InventoryConfiguration
	h.xml(call{method: "GET", bucket: "inv", query: "inventory&inventoryId=report1"}, &got)
	var want ossxml.InventoryConfiguration
	if err := ossxml.Unmarshal(inventoryBody("report1", ""), &want); err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(mustMarshal(t, &got)), fmt.Sprint(mustMarshal(t, &want)); a != b {
		t.Errorf("GetBucketInventory = %s\nwant %s", a, b)
	}
	h.fails(call{method: "PUT", bucket: "inv", query: "inventory&inventoryId=report1", body: inventoryBody("report1", "")}, ossxml.CodeInventoryAlreadyExist)

	for i := range 149 {
		put(fmt.Sprintf("r%03d", i))
	}
	var ids []string
	token := ""
	for pages := 0; ; pages++ {
		var page ossxml.ListInventoryConfigurationsResult
		h.xml(call{method: "GET", bucket: "inv", query: "inventory&continuation-token=" + token}, &page)
		for _, c := range page.InventoryConfigurations {
			ids = append(ids, c.Id)
		}
		if !page.IsTruncated {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
		token = page.NextContinuationToken
	}
	if len(ids) != 150 || ids[0] != "r000" || ids[149] != "report1" {
		t.Errorf("listed %d configurations: %v … %v", len(ids), ids[:1], ids[len(ids)-1:])
	}

	h.ok(call{method: "DELETE", bucket: "inv", query: "inventory&inventoryId=report1"}, http.StatusNoContent)
	h.ok(call{method: "DELETE", bucket: "inv", query: "inventory&inventoryId=report1"}, http.StatusNoContent)
	h.fails(call{method: "GET", bucket: "inv", query: "inventory&inventoryId=report1"}, ossxml.CodeNoSuchInventory)

	for name, c := range map[string]struct {
		id   string
		body []byte
		code string
	}{
		"id differs from the URL": {"x1", inventoryBody("x2", ""), ossxml.CodeInvalidArgument},
		"id with a space":         {"a%20b", inventoryBody("a b", ""), ossxml.CodeInvalidArgument},
		"id of 65 characters":     {strings.Repeat("i", 65), inventoryBody(strings.Repeat("i", 65), ""), ossxml.CodeInvalidArgument},
		"not XML":                 {"x1", []byte("<InventoryConfiguration>"), ossxml.CodeMalformedXML},
		"no destination":          {"x1", []byte("<InventoryConfiguration><Id>x1</Id><IsEnabled>true</IsEnabled></InventoryConfiguration>"), ossxml.CodeMalformedXML},
		"format ORC":              {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "CSV", "ORC", 1)), ossxml.CodeInvalidArgument},
		"bucket not an ARN":       {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "acs:oss:::dest", "dest", 1)), ossxml.CodeInvalidArgument},
		"frequency hourly":        {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "Daily", "Hourly", 1)), ossxml.CodeInvalidArgument},
		"field StartTime":         {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "<Field>ETag", "<Field>StartTime", 1)), ossxml.CodeInvalidArgument},
		"storage class":           {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "Standard,IA", "Standard,UNKNOWN", 1)), ossxml.CodeInvalidArgument},
		"size bounds reversed":    {"x1", []byte(strings.Replace(string(inventoryBody("x1", "")), "<UpperSizeBound>100", "<UpperSizeBound>0", 1)), ossxml.CodeInvalidArgument},
	} {
		t.Run(name, func(t *testing.T) {
			h.fails(call{method: "PUT", bucket: "inv", query: "inventory&inventoryId=" + c.id, body: c.body}, c.code)
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := ossxml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func replicationBody(id, extra string) []byte {
	return []byte(`<ReplicationConfiguration><Rule>` + id + `<PrefixSet><Prefix>a/</Prefix><Prefix>b/</Prefix></PrefixSet><Action>PUT,DELETE</Action>` +
		`<Destination><Bucket>dest</Bucket><Location>oss-cn-beijing</Location><TransferType>internal</TransferType></Destination>` +
		`<HistoricalObjectReplication>disabled</HistoricalObjectReplication>` + extra + `</Rule></ReplicationConfiguration>`)
}

// TestBucketReplication adds, reads, reports on and deletes replication
// rules, and refuses invalid ones.
func TestBucketReplication(t *testing.T) {
	h := newHarness(t, nil)
	h.mkbucket("src")
	h.fails(call{method: "GET", bucket: "src", query: "replication"}, ossxml.CodeNoSuchReplicationConfig)
	h.fails(call{method: "GET", bucket: "src", query: "replicationProgress&rule-id=x"}, ossxml.CodeNoSuchReplicationConfig)
	r := h.ok(call{method: "POST", bucket: "src", query: "replication&comp=add", body: replicationBody("<ID>rule1</ID>", "<RTC><Status>enabled</Status></RTC>")}, http.StatusOK)
	if id := r.Header.Get("x-oss-replication-rule-id"); id != "rule1" {
		t.Errorf("rule id header %q", id)
	}
	r = h.ok(call{method: "POST", bucket: "src", query: "replication&comp=add", body: replicationBody("", "")}, http.StatusOK)
	generated := r.Header.Get("x-oss-replication-rule-id")
	if generated == "" {
		t.Fatal("no rule id for a rule without one")
	}
	var conf ossxml.ReplicationConfiguration
	h.xml(call{method: "GET", bucket: "src", query: "replication"}, &conf)
	if len(conf.Rules) != 2 || conf.Rules[0].ID != "rule1" || conf.Rules[1].ID != generated {
		t.Fatalf("rules %+v", conf.Rules)
	}
	r0 := conf.Rules[0]
	if r0.Status != "starting" || r0.Action != "PUT,DELETE" || r0.RTC == nil || r0.RTC.Status != "enabled" || r0.Destination.Location != "oss-cn-beijing" ||
		len(r0.PrefixSet.Prefixes) != 2 || r0.HistoricalObjectReplication != "disabled" {
		t.Errorf("rule %+v", r0)
	}
	var loc ossxml.ReplicationLocation
	h.xml(call{method: "GET", bucket: "src", query: "replicationLocation"}, &loc)
	if len(loc.Locations) != 1 || loc.Locations[0] != "oss-cn-hangzhou" {
		t.Errorf("locations %v", loc.Locations)
	}
	var prog ossxml.ReplicationProgress
	h.xml(call{method: "GET", bucket: "src", query: "replicationProgress&rule-id=rule1"}, &prog)
	if len(prog.Rules) != 1 || prog.Rules[0].ID != "rule1" || prog.Rules[0].Status != "starting" {
		t.Errorf("progress %+v", prog)
	}
	h.fails(call{method: "GET", bucket: "src", query: "replicationProgress&rule-id=none"}, ossxml.CodeNoSuchReplicationRule)
	h.fails(call{method: "POST", bucket: "src", query: "replication&comp=add", body: replicationBody("<ID>rule1</ID>", "")}, ossxml.CodeInvalidArgument)

	del := func(id string) {
		h.ok(call{method: "POST", bucket: "src", query: "replication&comp=delete", body: []byte("<ReplicationRules><ID>" + id + "</ID></ReplicationRules>")}, http.StatusOK)
	}
	del("rule1")
	del("rule1")
	del(generated)
	h.fails(call{method: "GET", bucket: "src", query: "replication"}, ossxml.CodeNoSuchReplicationConfig)

	for name, body := range map[string]string{
		"no rule":            "<ReplicationConfiguration/>",
		"no destination":     "<ReplicationConfiguration><Rule><ID>x</ID></Rule></ReplicationConfiguration>",
		"no location":        "<ReplicationConfiguration><Rule><Destination><Bucket>dest</Bucket></Destination></Rule></ReplicationConfiguration>",
		"wrong root":         "<ReplicationRules><ID>x</ID></ReplicationRules>",
		"delete without ID":  "",
		"two rules":          strings.Replace(string(replicationBody("", "")), "</Rule>", "</Rule><Rule><Destination><Bucket>d</Bucket><Location>l</Location></Destination></Rule>", 1),
		"action GET":         strings.Replace(string(replicationBody("", "")), "PUT,DELETE", "GET", 1),
		"transfer type":      strings.Replace(string(replicationBody("", "")), "internal", "fast", 1),
		"historical maybe":   strings.Replace(string(replicationBody("", "")), ">disabled<", ">maybe<", 1),
		"destination bucket": strings.Replace(string(replicationBody("", "")), "<Bucket>dest", "<Bucket>Dest_", 1),
		"rtc status":         string(replicationBody("", "<RTC><Status>on</Status></RTC>")),
		"eleven prefixes":    strings.Replace(string(replicationBody("", "")), "<Prefix>a/</Prefix>", strings.Repeat("<Prefix>a/</Prefix>", 10), 1),
	} {
		t.Run(name, func(t *testing.T) {
			want := ossxml.CodeInvalidArgument
			switch name {
			case "no rule", "no destination", "no location", "wrong root", "delete without ID":
				want = ossxml.CodeMalformedXML
			}
			q := "replication&comp=add"
			if name == "delete without ID" {
				q, body = "replication&comp=delete", "<ReplicationRules/>"
			}
			h.fails(call{method: "POST", bucket: "src", query: q, body: []byte(body)}, want)
		})
	}
}
