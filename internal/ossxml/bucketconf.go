package ossxml

// Bucket configurations that a single node stores and returns but does
// not act on: logging, website, transfer acceleration, request payment,
// resource group, access monitor and HTTPS. Each type is both the request
// body of the Put operation and the response body of the Get.

// BucketLoggingStatus is the body of PutBucketLogging and GetBucketLogging
// (?logging). Without LoggingEnabled, access logging is off.
type BucketLoggingStatus struct {
	LoggingEnabled *LoggingEnabled `xml:"LoggingEnabled,omitempty"`
}

func (BucketLoggingStatus) rootName() string { return "BucketLoggingStatus" }

// LoggingEnabled says where access logs go: TargetBucket, a bucket of the
// same owner, under TargetPrefix.
type LoggingEnabled struct {
	TargetBucket string `xml:"TargetBucket"`
	TargetPrefix string `xml:"TargetPrefix,omitempty"`
	LoggingRole  string `xml:"LoggingRole,omitempty"`
}

// WebsiteConfiguration is the body of PutBucketWebsite and
// GetBucketWebsite (?website): static website hosting.
type WebsiteConfiguration struct {
	IndexDocument *IndexDocument `xml:"IndexDocument,omitempty"`
	ErrorDocument *ErrorDocument `xml:"ErrorDocument,omitempty"`
	RoutingRules  *RoutingRules  `xml:"RoutingRules,omitempty"`
}

func (WebsiteConfiguration) rootName() string { return "WebsiteConfiguration" }

// IndexDocument is the object served for a directory: Suffix, a name
// without '/'; Type 0, 1 or 2 says what a request for a missing object
// without a trailing '/' gets when SupportSubDir is set.
type IndexDocument struct {
	Suffix        string `xml:"Suffix"`
	SupportSubDir *bool  `xml:"SupportSubDir,omitempty"`
	Type          *int64 `xml:"Type,omitempty"`
}

// ErrorDocument is the object served, with HttpStatus (200 or 404), for a
// missing one.
type ErrorDocument struct {
	Key        string `xml:"Key"`
	HttpStatus *int64 `xml:"HttpStatus,omitempty"`
}

// RoutingRules are a website's redirect and mirror rules, tried in
// RuleNumber order.
type RoutingRules struct {
	Rules []RoutingRule `xml:"RoutingRule"`
}

// RoutingRule is one redirect: when Condition holds, Redirect applies.
type RoutingRule struct {
	RuleNumber int64                 `xml:"RuleNumber"`
	Condition  *RoutingRuleCondition `xml:"Condition,omitempty"`
	Redirect   *RoutingRuleRedirect  `xml:"Redirect,omitempty"`
}

// RoutingRuleCondition is what a request must match for its rule.
type RoutingRuleCondition struct {
	KeyPrefixEquals             string          `xml:"KeyPrefixEquals,omitempty"`
	KeySuffixEquals             string          `xml:"KeySuffixEquals,omitempty"`
	HttpErrorCodeReturnedEquals *int64          `xml:"HttpErrorCodeReturnedEquals,omitempty"`
	IncludeHeaders              []IncludeHeader `xml:"IncludeHeader,omitempty"`
}

// IncludeHeader is a header a request must carry, with the value Equals.
type IncludeHeader struct {
	Key    string `xml:"Key"`
	Equals string `xml:"Equals,omitempty"`
}

// RoutingRuleRedirect is where a matching request goes: RedirectType
// Mirror (fetched from MirrorURL), External, Internal or AliCDN.
type RoutingRuleRedirect struct {
	RedirectType          string         `xml:"RedirectType"`
	PassQueryString       *bool          `xml:"PassQueryString,omitempty"`
	MirrorURL             string         `xml:"MirrorURL,omitempty"`
	MirrorPassQueryString *bool          `xml:"MirrorPassQueryString,omitempty"`
	MirrorFollowRedirect  *bool          `xml:"MirrorFollowRedirect,omitempty"`
	MirrorCheckMd5        *bool          `xml:"MirrorCheckMd5,omitempty"`
	MirrorHeaders         *MirrorHeaders `xml:"MirrorHeaders,omitempty"`
	Protocol              string         `xml:"Protocol,omitempty"`
	HostName              string         `xml:"HostName,omitempty"`
	ReplaceKeyPrefixWith  string         `xml:"ReplaceKeyPrefixWith,omitempty"`
	ReplaceKeyWith        string         `xml:"ReplaceKeyWith,omitempty"`
	EnableReplacePrefix   *bool          `xml:"EnableReplacePrefix,omitempty"`
	HttpRedirectCode      *int64         `xml:"HttpRedirectCode,omitempty"`
}

// MirrorHeaders says which request headers a mirror fetch passes on.
type MirrorHeaders struct {
	PassAll *bool             `xml:"PassAll,omitempty"`
	Pass    []string          `xml:"Pass,omitempty"`
	Remove  []string          `xml:"Remove,omitempty"`
	Set     []MirrorHeaderSet `xml:"Set,omitempty"`
}

// MirrorHeaderSet is a header a mirror fetch sends with Value.
type MirrorHeaderSet struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// TransferAccelerationConfiguration is the body of
// PutBucketTransferAcceleration and GetBucketTransferAcceleration
// (?transferAcceleration).
type TransferAccelerationConfiguration struct {
	Enabled *bool `xml:"Enabled"`
}

func (TransferAccelerationConfiguration) rootName() string {
	return "TransferAccelerationConfiguration"
}

// RequestPaymentConfiguration is the body of PutBucketRequestPayment and
// GetBucketRequestPayment (?requestPayment): Payer BucketOwner or
// Requester.
type RequestPaymentConfiguration struct {
	Payer string `xml:"Payer"`
}

func (RequestPaymentConfiguration) rootName() string { return "RequestPaymentConfiguration" }

// BucketResourceGroupConfiguration is the body of PutBucketResourceGroup
// and GetBucketResourceGroup (?resourceGroup).
type BucketResourceGroupConfiguration struct {
	ResourceGroupId string `xml:"ResourceGroupId"`
}

func (BucketResourceGroupConfiguration) rootName() string { return "BucketResourceGroupConfiguration" }

// AccessMonitorConfiguration is the body of PutBucketAccessMonitor and
// GetBucketAccessMonitor (?accessmonitor): Status Enabled or Disabled.
type AccessMonitorConfiguration struct {
	Status string `xml:"Status"`
}

func (AccessMonitorConfiguration) rootName() string { return "AccessMonitorConfiguration" }

// HttpsConfiguration is the body of PutBucketHttpsConfig and
// GetBucketHttpsConfig (?httpsConfig): the TLS versions a bucket accepts.
type HttpsConfiguration struct {
	TLS         *HttpsTLS         `xml:"TLS"`
	CipherSuite *HttpsCipherSuite `xml:"CipherSuite,omitempty"`
}

func (HttpsConfiguration) rootName() string { return "HttpsConfiguration" }

// HttpsTLS enables TLS version checking; TLSVersions are of TLSv1.0,
// TLSv1.1, TLSv1.2 and TLSv1.3.
type HttpsTLS struct {
	Enable      *bool    `xml:"Enable"`
	TLSVersions []string `xml:"TLSVersion,omitempty"`
}

// HttpsCipherSuite restricts the cipher suites a bucket accepts.
type HttpsCipherSuite struct {
	Enable                  *bool    `xml:"Enable,omitempty"`
	StrongCipherSuite       *bool    `xml:"StrongCipherSuite,omitempty"`
	CustomCipherSuites      []string `xml:"CustomCipherSuite,omitempty"`
	TLS13CustomCipherSuites []string `xml:"TLS13CustomCipherSuite,omitempty"`
}
