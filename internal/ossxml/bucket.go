package ossxml

// Owner identifies the owner of a bucket or object.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// AccessControlList holds a canned ACL: private, public-read or
// public-read-write.
type AccessControlList struct {
	Grant string `xml:"Grant"`
}

// ListAllMyBucketsResult is the response body of ListBuckets (GET / on the
// service host).
//
// Prefix, Marker, MaxKeys, IsTruncated and NextMarker echo the query and are
// written only when set; an omitted IsTruncated means false to both SDKs.
// Set NextMarker only when the listing is truncated.
type ListAllMyBucketsResult struct {
	Prefix      string          `xml:"Prefix,omitempty"`
	Marker      string          `xml:"Marker,omitempty"`
	MaxKeys     int             `xml:"MaxKeys,omitempty"`
	IsTruncated bool            `xml:"IsTruncated,omitempty"`
	NextMarker  string          `xml:"NextMarker,omitempty"`
	Owner       Owner           `xml:"Owner"`
	Buckets     []BucketSummary `xml:"Buckets>Bucket"`
}

func (ListAllMyBucketsResult) rootName() string { return "ListAllMyBucketsResult" }

// BucketSummary is one <Bucket> of a [ListAllMyBucketsResult].
type BucketSummary struct {
	CreationDate     Time   `xml:"CreationDate"`
	ExtranetEndpoint string `xml:"ExtranetEndpoint"`
	IntranetEndpoint string `xml:"IntranetEndpoint"`
	Location         string `xml:"Location"` // e.g. oss-cn-hangzhou
	Name             string `xml:"Name"`
	Region           string `xml:"Region"` // e.g. cn-hangzhou
	StorageClass     string `xml:"StorageClass"`
}

// CreateBucketConfiguration is the optional request body of PutBucket. The
// v1 SDK always sends it; empty fields mean the defaults (Standard, LRS).
type CreateBucketConfiguration struct {
	StorageClass       string `xml:"StorageClass,omitempty"`
	DataRedundancyType string `xml:"DataRedundancyType,omitempty"` // LRS or ZRS
}

func (CreateBucketConfiguration) rootName() string { return "CreateBucketConfiguration" }

// BucketInfo is the response body of GetBucketInfo (GET /?bucketInfo).
type BucketInfo struct {
	Bucket BucketDetail `xml:"Bucket"`
}

func (BucketInfo) rootName() string { return "BucketInfo" }

// BucketDetail is the <Bucket> of a [BucketInfo]: the minimal set of
// elements both SDKs read.
type BucketDetail struct {
	Name                     string                   `xml:"Name"`
	AccessMonitor            string                   `xml:"AccessMonitor"` // Enabled or Disabled
	CreationDate             Time                     `xml:"CreationDate"`
	Location                 string                   `xml:"Location"`
	ExtranetEndpoint         string                   `xml:"ExtranetEndpoint"`
	IntranetEndpoint         string                   `xml:"IntranetEndpoint"`
	StorageClass             string                   `xml:"StorageClass"`
	DataRedundancyType       string                   `xml:"DataRedundancyType"`
	TransferAcceleration     string                   `xml:"TransferAcceleration"`   // Enabled or Disabled
	CrossRegionReplication   string                   `xml:"CrossRegionReplication"` // Enabled or Disabled
	ResourceGroupID          string                   `xml:"ResourceGroupId"`
	Owner                    Owner                    `xml:"Owner"`
	AccessControlList        AccessControlList        `xml:"AccessControlList"`
	ServerSideEncryptionRule ServerSideEncryptionRule `xml:"ServerSideEncryptionRule"`
	BucketPolicy             BucketLogging            `xml:"BucketPolicy"`
	Comment                  string                   `xml:"Comment"`
	BlockPublicAccess        bool                     `xml:"BlockPublicAccess"`
}

// ServerSideEncryptionRule is a bucket's default encryption; SSEAlgorithm
// None means none.
type ServerSideEncryptionRule struct {
	SSEAlgorithm string `xml:"SSEAlgorithm"`
}

// BucketLogging is where a bucket's access logs go; empty when logging is
// off. GetBucketInfo calls it BucketPolicy.
type BucketLogging struct {
	LogBucket string `xml:"LogBucket"`
	LogPrefix string `xml:"LogPrefix"`
}

// AccessControlPolicy is the response body of GetBucketAcl (GET /?acl),
// which the v2 SDK's IsBucketExist calls.
type AccessControlPolicy struct {
	Owner             Owner             `xml:"Owner"`
	AccessControlList AccessControlList `xml:"AccessControlList"`
}

func (AccessControlPolicy) rootName() string { return "AccessControlPolicy" }

// LocationConstraint is the response body of GetBucketLocation
// (GET /?location): the region id as the root's text, e.g. oss-cn-hangzhou.
type LocationConstraint struct {
	Location string `xml:",chardata"`
}

func (LocationConstraint) rootName() string { return "LocationConstraint" }

// BucketStat is the response body of GetBucketStat (GET /?stat): the
// bucket's storage in bytes and its object, upload and part counts, in
// all and by storage class. LastModifiedTime is in Unix seconds.
type BucketStat struct {
	Storage                     int64 `xml:"Storage"`
	ObjectCount                 int64 `xml:"ObjectCount"`
	MultipartUploadCount        int64 `xml:"MultipartUploadCount"`
	LiveChannelCount            int64 `xml:"LiveChannelCount"`
	LastModifiedTime            int64 `xml:"LastModifiedTime"`
	StandardStorage             int64 `xml:"StandardStorage"`
	StandardObjectCount         int64 `xml:"StandardObjectCount"`
	InfrequentAccessStorage     int64 `xml:"InfrequentAccessStorage"`
	InfrequentAccessRealStorage int64 `xml:"InfrequentAccessRealStorage"`
	InfrequentAccessObjectCount int64 `xml:"InfrequentAccessObjectCount"`
	ArchiveStorage              int64 `xml:"ArchiveStorage"`
	ArchiveRealStorage          int64 `xml:"ArchiveRealStorage"`
	ArchiveObjectCount          int64 `xml:"ArchiveObjectCount"`
	ColdArchiveStorage          int64 `xml:"ColdArchiveStorage"`
	ColdArchiveRealStorage      int64 `xml:"ColdArchiveRealStorage"`
	ColdArchiveObjectCount      int64 `xml:"ColdArchiveObjectCount"`
	DeepColdArchiveObjectCount  int64 `xml:"DeepColdArchiveObjectCount"`
	DeepColdArchiveStorage      int64 `xml:"DeepColdArchiveStorage"`
	DeepColdArchiveRealStorage  int64 `xml:"DeepColdArchiveRealStorage"`
	MultipartPartCount          int64 `xml:"MultipartPartCount"`
	DeleteMarkerCount           int64 `xml:"DeleteMarkerCount"`
}

func (BucketStat) rootName() string { return "BucketStat" }

// RefererConfiguration is the body of PutBucketReferer and the response
// body of GetBucketReferer (?referer): hotlink protection.
type RefererConfiguration struct {
	AllowEmptyReferer        string   `xml:"AllowEmptyReferer"`
	AllowTruncateQueryString string   `xml:"AllowTruncateQueryString,omitempty"`
	TruncatePath             string   `xml:"TruncatePath,omitempty"`
	RefererList              []string `xml:"RefererList>Referer"`
	RefererBlacklist         []string `xml:"RefererBlacklist>Referer,omitempty"`
}

func (RefererConfiguration) rootName() string { return "RefererConfiguration" }
