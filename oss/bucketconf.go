package oss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ossup/ossup/internal/ossxml"
)

// Bucket configurations that OSS stores and acts on, and that ossup's
// server stores and returns without acting on: access logging, static
// website, inventory, data replication, transfer acceleration, request
// payment, resource group, access monitor and HTTPS. Each configuration
// type is the XML document sent and received; optional elements are
// pointers or empty values, omitted from the body.
type (
	// LoggingStatus is a bucket's access logging: off when LoggingEnabled
	// is nil.
	LoggingStatus = ossxml.BucketLoggingStatus
	// LoggingEnabled names the bucket (of the same owner) and prefix logs
	// are written under.
	LoggingEnabled = ossxml.LoggingEnabled

	// WebsiteConfig is a bucket's static website hosting.
	WebsiteConfig = ossxml.WebsiteConfiguration
	// IndexDocument is the object served for a directory.
	IndexDocument = ossxml.IndexDocument
	// ErrorDocument is the object served for a missing one.
	ErrorDocument = ossxml.ErrorDocument
	// RoutingRules are a website's redirect rules.
	RoutingRules = ossxml.RoutingRules
	// RoutingRule is one redirect rule.
	RoutingRule = ossxml.RoutingRule
	// RoutingRuleCondition is what a request must match.
	RoutingRuleCondition = ossxml.RoutingRuleCondition
	// IncludeHeader is a header a matching request carries.
	IncludeHeader = ossxml.IncludeHeader
	// RoutingRuleRedirect is where a matching request goes.
	RoutingRuleRedirect = ossxml.RoutingRuleRedirect
	// MirrorHeaders says which headers a mirror fetch passes on.
	MirrorHeaders = ossxml.MirrorHeaders
	// MirrorHeaderSet is a header a mirror fetch sets.
	MirrorHeaderSet = ossxml.MirrorHeaderSet

	// InventoryConfig is one inventory report of a bucket.
	InventoryConfig = ossxml.InventoryConfiguration
	// InventoryFilter limits the objects an inventory lists.
	InventoryFilter = ossxml.InventoryFilter
	// InventoryDestination is where an inventory is written.
	InventoryDestination = ossxml.InventoryDestination
	// InventoryOSSBucketDestination is the bucket an inventory goes to.
	InventoryOSSBucketDestination = ossxml.InventoryOSSBucketDestination
	// InventoryEncryption encrypts inventory lists.
	InventoryEncryption = ossxml.InventoryEncryption
	// InventorySSEOSS selects SSE-OSS.
	InventorySSEOSS = ossxml.InventorySSEOSS
	// InventorySSEKMS selects SSE-KMS with a key.
	InventorySSEKMS = ossxml.InventorySSEKMS
	// InventorySchedule is how often an inventory is made.
	InventorySchedule = ossxml.InventorySchedule
	// InventoryOptionalFields are an inventory's extra columns.
	InventoryOptionalFields = ossxml.InventoryOptionalFields

	// ReplicationRule is one data replication rule.
	ReplicationRule = ossxml.ReplicationRule
	// ReplicationRTC is replication time control.
	ReplicationRTC = ossxml.ReplicationRTC
	// ReplicationPrefixSet holds the prefixes a rule replicates.
	ReplicationPrefixSet = ossxml.ReplicationPrefixSet
	// ReplicationDestination is the bucket and region replicated to.
	ReplicationDestination = ossxml.ReplicationDestination
	// ReplicationSourceSelectionCriteria selects KMS-encrypted objects.
	ReplicationSourceSelectionCriteria = ossxml.ReplicationSourceSelectionCriteria
	// ReplicationSseKms is the status of replicating KMS-encrypted objects.
	ReplicationSseKms = ossxml.ReplicationSseKms
	// ReplicationEncryptionConfiguration names the replicas' KMS key.
	ReplicationEncryptionConfiguration = ossxml.ReplicationEncryptionConfiguration
	// ReplicationProgressRule is a rule and how far it has got.
	ReplicationProgressRule = ossxml.ReplicationProgressRule
	// ReplicationProgressInfo is the progress of a rule.
	ReplicationProgressInfo = ossxml.ReplicationProgressInfo

	// TransferAccelerationConfig says whether transfer acceleration is on.
	TransferAccelerationConfig = ossxml.TransferAccelerationConfiguration
	// RequestPaymentConfig names who pays for requests: BucketOwner or
	// Requester.
	RequestPaymentConfig = ossxml.RequestPaymentConfiguration
	// ResourceGroupConfig names a bucket's resource group.
	ResourceGroupConfig = ossxml.BucketResourceGroupConfiguration
	// AccessMonitorConfig says whether access monitoring is Enabled or
	// Disabled.
	AccessMonitorConfig = ossxml.AccessMonitorConfiguration
	// HTTPSConfig is the TLS versions and cipher suites a bucket accepts.
	HTTPSConfig = ossxml.HttpsConfiguration
	// HTTPSTLS enables TLS version checking.
	HTTPSTLS = ossxml.HttpsTLS
	// HTTPSCipherSuite restricts cipher suites.
	HTTPSCipherSuite = ossxml.HttpsCipherSuite
)

// BucketRequest names the bucket of a configuration Get or Delete.
type BucketRequest struct {
	Bucket string
}

// PutBucketConfigRequest sets one configuration of a bucket.
type PutBucketConfigRequest[T any] struct {
	Bucket string
	Config T
}

// GetBucketConfigResult is one configuration of a bucket.
type GetBucketConfigResult[T any] struct {
	Config    T
	RequestID string
}

// BucketConfigResult is what the service answered to a configuration Put
// or Delete.
type BucketConfigResult struct {
	RequestID string
}

// confOp builds the operation name on bucket for the sub-resource sub,
// checking the bucket is named.
func confOp(name, method, bucket string, query url.Values) (*operation, error) {
	op := &operation{name: name, method: method, bucket: bucket, query: query}
	if bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	return op, nil
}

func sub(name string) url.Values { return url.Values{name: {""}} }

func putConf[T any](ctx context.Context, c *Client, name string, q url.Values, req *PutBucketConfigRequest[T]) (*BucketConfigResult, error) {
	op, err := confOp(name, http.MethodPut, req.Bucket, q)
	if err != nil {
		return nil, err
	}
	id, err := c.doXML(ctx, op, &req.Config, nil)
	if err != nil {
		return nil, err
	}
	return &BucketConfigResult{RequestID: id}, nil
}

func getConf[T any](ctx context.Context, c *Client, name string, q url.Values, bucket string) (*GetBucketConfigResult[T], error) {
	op, err := confOp(name, http.MethodGet, bucket, q)
	if err != nil {
		return nil, err
	}
	res := &GetBucketConfigResult[T]{}
	if res.RequestID, err = c.doXML(ctx, op, nil, &res.Config); err != nil {
		return nil, err
	}
	return res, nil
}

func deleteConf(ctx context.Context, c *Client, name string, q url.Values, bucket string) (*BucketConfigResult, error) {
	op, err := confOp(name, http.MethodDelete, bucket, q)
	if err != nil {
		return nil, err
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &BucketConfigResult{RequestID: id}, nil
}

// PutBucketLogging sets a bucket's access logging; a LoggingStatus
// without LoggingEnabled turns it off.
func (c *Client) PutBucketLogging(ctx context.Context, req *PutBucketConfigRequest[LoggingStatus]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketLogging", sub("logging"), req)
}

// GetBucketLogging returns a bucket's access logging.
func (c *Client) GetBucketLogging(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[LoggingStatus], error) {
	return getConf[LoggingStatus](ctx, c, "GetBucketLogging", sub("logging"), req.Bucket)
}

// DeleteBucketLogging turns a bucket's access logging off.
func (c *Client) DeleteBucketLogging(ctx context.Context, req *BucketRequest) (*BucketConfigResult, error) {
	return deleteConf(ctx, c, "DeleteBucketLogging", sub("logging"), req.Bucket)
}

// PutBucketWebsite sets a bucket's static website hosting.
func (c *Client) PutBucketWebsite(ctx context.Context, req *PutBucketConfigRequest[WebsiteConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketWebsite", sub("website"), req)
}

// GetBucketWebsite returns a bucket's static website hosting, or an
// error with code NoSuchWebsiteConfiguration.
func (c *Client) GetBucketWebsite(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[WebsiteConfig], error) {
	return getConf[WebsiteConfig](ctx, c, "GetBucketWebsite", sub("website"), req.Bucket)
}

// DeleteBucketWebsite removes a bucket's static website hosting.
func (c *Client) DeleteBucketWebsite(ctx context.Context, req *BucketRequest) (*BucketConfigResult, error) {
	return deleteConf(ctx, c, "DeleteBucketWebsite", sub("website"), req.Bucket)
}

// PutBucketTransferAcceleration turns a bucket's transfer acceleration
// on or off.
func (c *Client) PutBucketTransferAcceleration(ctx context.Context, req *PutBucketConfigRequest[TransferAccelerationConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketTransferAcceleration", sub("transferAcceleration"), req)
}

// GetBucketTransferAcceleration returns a bucket's transfer
// acceleration, or an error with code
// NoSuchTransferAccelerationConfiguration when never set.
func (c *Client) GetBucketTransferAcceleration(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[TransferAccelerationConfig], error) {
	return getConf[TransferAccelerationConfig](ctx, c, "GetBucketTransferAcceleration", sub("transferAcceleration"), req.Bucket)
}

// PutBucketRequestPayment sets who pays for a bucket's requests.
func (c *Client) PutBucketRequestPayment(ctx context.Context, req *PutBucketConfigRequest[RequestPaymentConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketRequestPayment", sub("requestPayment"), req)
}

// GetBucketRequestPayment returns who pays for a bucket's requests
// (BucketOwner unless set).
func (c *Client) GetBucketRequestPayment(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[RequestPaymentConfig], error) {
	return getConf[RequestPaymentConfig](ctx, c, "GetBucketRequestPayment", sub("requestPayment"), req.Bucket)
}

// PutBucketResourceGroup moves a bucket to a resource group; an empty ID
// moves it to the default group.
func (c *Client) PutBucketResourceGroup(ctx context.Context, req *PutBucketConfigRequest[ResourceGroupConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketResourceGroup", sub("resourceGroup"), req)
}

// GetBucketResourceGroup returns a bucket's resource group
// (rg-default-id unless set).
func (c *Client) GetBucketResourceGroup(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[ResourceGroupConfig], error) {
	return getConf[ResourceGroupConfig](ctx, c, "GetBucketResourceGroup", sub("resourceGroup"), req.Bucket)
}

// PutBucketAccessMonitor turns a bucket's access monitoring on or off.
func (c *Client) PutBucketAccessMonitor(ctx context.Context, req *PutBucketConfigRequest[AccessMonitorConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketAccessMonitor", sub("accessmonitor"), req)
}

// GetBucketAccessMonitor returns a bucket's access monitoring (Disabled
// unless set).
func (c *Client) GetBucketAccessMonitor(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[AccessMonitorConfig], error) {
	return getConf[AccessMonitorConfig](ctx, c, "GetBucketAccessMonitor", sub("accessmonitor"), req.Bucket)
}

// PutBucketHTTPSConfig sets the TLS versions and cipher suites a bucket
// accepts.
func (c *Client) PutBucketHTTPSConfig(ctx context.Context, req *PutBucketConfigRequest[HTTPSConfig]) (*BucketConfigResult, error) {
	return putConf(ctx, c, "PutBucketHttpsConfig", sub("httpsConfig"), req)
}

// GetBucketHTTPSConfig returns the TLS versions and cipher suites a
// bucket accepts (TLS checking disabled unless set).
func (c *Client) GetBucketHTTPSConfig(ctx context.Context, req *BucketRequest) (*GetBucketConfigResult[HTTPSConfig], error) {
	return getConf[HTTPSConfig](ctx, c, "GetBucketHttpsConfig", sub("httpsConfig"), req.Bucket)
}
