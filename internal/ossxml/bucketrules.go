package ossxml

// InventoryConfiguration is the body of PutBucketInventory and
// GetBucketInventory (?inventory&inventoryId=).
type InventoryConfiguration struct {
	Id                     string                   `xml:"Id"`
	IsEnabled              *bool                    `xml:"IsEnabled"`
	Filter                 *InventoryFilter         `xml:"Filter,omitempty"`
	Destination            *InventoryDestination    `xml:"Destination"`
	Schedule               *InventorySchedule       `xml:"Schedule"`
	IncludedObjectVersions string                   `xml:"IncludedObjectVersions"`
	OptionalFields         *InventoryOptionalFields `xml:"OptionalFields,omitempty"`
}

func (InventoryConfiguration) rootName() string { return "InventoryConfiguration" }

// InventoryFilter limits the objects listed: by key prefix, last
// modification (Unix seconds), size in bytes and storage classes (a
// comma-separated list).
type InventoryFilter struct {
	Prefix                   string `xml:"Prefix,omitempty"`
	LastModifyBeginTimeStamp *int64 `xml:"LastModifyBeginTimeStamp,omitempty"`
	LastModifyEndTimeStamp   *int64 `xml:"LastModifyEndTimeStamp,omitempty"`
	LowerSizeBound           *int64 `xml:"LowerSizeBound,omitempty"`
	UpperSizeBound           *int64 `xml:"UpperSizeBound,omitempty"`
	StorageClass             string `xml:"StorageClass,omitempty"`
}

// InventoryDestination is where inventory lists are written.
type InventoryDestination struct {
	OSSBucketDestination *InventoryOSSBucketDestination `xml:"OSSBucketDestination"`
}

// InventoryOSSBucketDestination is the bucket (as acs:oss:::name) the
// lists go to, in Format CSV, written by RoleArn of AccountId.
type InventoryOSSBucketDestination struct {
	Format     string               `xml:"Format"`
	AccountId  string               `xml:"AccountId"`
	RoleArn    string               `xml:"RoleArn"`
	Bucket     string               `xml:"Bucket"`
	Prefix     string               `xml:"Prefix,omitempty"`
	Encryption *InventoryEncryption `xml:"Encryption,omitempty"`
}

// InventoryEncryption encrypts the lists with SSE-OSS or SSE-KMS.
type InventoryEncryption struct {
	SSEOSS *InventorySSEOSS `xml:"SSE-OSS,omitempty"`
	SSEKMS *InventorySSEKMS `xml:"SSE-KMS,omitempty"`
}

// InventorySSEOSS is the empty <SSE-OSS/> element.
type InventorySSEOSS struct{}

// InventorySSEKMS names the KMS key.
type InventorySSEKMS struct {
	KeyId string `xml:"KeyId"`
}

// InventorySchedule is how often lists are made: Daily or Weekly.
type InventorySchedule struct {
	Frequency string `xml:"Frequency"`
}

// InventoryOptionalFields are the columns listed besides bucket and key.
type InventoryOptionalFields struct {
	Fields []string `xml:"Field"`
}

// ListInventoryConfigurationsResult is the response body of
// ListBucketInventory (GET ?inventory), a page of at most 100
// configurations in Id order.
type ListInventoryConfigurationsResult struct {
	InventoryConfigurations []InventoryConfiguration `xml:"InventoryConfiguration"`
	IsTruncated             bool                     `xml:"IsTruncated"`
	NextContinuationToken   string                   `xml:"NextContinuationToken,omitempty"`
}

func (ListInventoryConfigurationsResult) rootName() string {
	return "ListInventoryConfigurationsResult"
}

// ReplicationConfiguration is the body of PutBucketReplication (POST
// ?replication&comp=add, one rule) and GetBucketReplication (every rule).
type ReplicationConfiguration struct {
	Rules []ReplicationRule `xml:"Rule"`
}

func (ReplicationConfiguration) rootName() string { return "ReplicationConfiguration" }

// ReplicationRule replicates the objects under PrefixSet (all when none)
// to Destination, for the operations of Action (ALL, or some of PUT,
// DELETE and ABORT, comma-separated). Status is set by the service.
type ReplicationRule struct {
	ID                          string                              `xml:"ID,omitempty"`
	RTC                         *ReplicationRTC                     `xml:"RTC,omitempty"`
	PrefixSet                   *ReplicationPrefixSet               `xml:"PrefixSet,omitempty"`
	Action                      string                              `xml:"Action,omitempty"`
	Destination                 *ReplicationDestination             `xml:"Destination"`
	Status                      string                              `xml:"Status,omitempty"`
	HistoricalObjectReplication string                              `xml:"HistoricalObjectReplication,omitempty"`
	SyncRole                    string                              `xml:"SyncRole,omitempty"`
	SourceSelectionCriteria     *ReplicationSourceSelectionCriteria `xml:"SourceSelectionCriteria,omitempty"`
	EncryptionConfiguration     *ReplicationEncryptionConfiguration `xml:"EncryptionConfiguration,omitempty"`
}

// ReplicationRTC is replication time control: Status enabled or
// disabled.
type ReplicationRTC struct {
	Status string `xml:"Status"`
}

// ReplicationPrefixSet holds the key prefixes a rule replicates.
type ReplicationPrefixSet struct {
	Prefixes []string `xml:"Prefix"`
}

// ReplicationDestination is the bucket and region objects go to, over
// TransferType internal or oss_acc.
type ReplicationDestination struct {
	Bucket       string `xml:"Bucket"`
	Location     string `xml:"Location"`
	TransferType string `xml:"TransferType,omitempty"`
}

// ReplicationSourceSelectionCriteria says whether KMS-encrypted objects
// are replicated.
type ReplicationSourceSelectionCriteria struct {
	SseKmsEncryptedObjects *ReplicationSseKms `xml:"SseKmsEncryptedObjects,omitempty"`
}

// ReplicationSseKms is Status Enabled or Disabled.
type ReplicationSseKms struct {
	Status string `xml:"Status"`
}

// ReplicationEncryptionConfiguration names the KMS key replicas are
// encrypted with.
type ReplicationEncryptionConfiguration struct {
	ReplicaKmsKeyID string `xml:"ReplicaKmsKeyID"`
}

// ReplicationRules is the body of DeleteBucketReplication (POST
// ?replication&comp=delete): the rule to delete.
type ReplicationRules struct {
	IDs []string `xml:"ID"`
}

func (ReplicationRules) rootName() string { return "ReplicationRules" }

// ReplicationLocation is the response body of
// GetBucketReplicationLocation: the regions a bucket may replicate to.
type ReplicationLocation struct {
	Locations []string `xml:"Location"`
}

func (ReplicationLocation) rootName() string { return "ReplicationLocation" }

// ReplicationProgress is the response body of
// GetBucketReplicationProgress.
type ReplicationProgress struct {
	Rules []ReplicationProgressRule `xml:"Rule"`
}

func (ReplicationProgress) rootName() string { return "ReplicationProgress" }

// ReplicationProgressRule is one rule and how far it has got.
type ReplicationProgressRule struct {
	ID                          string                   `xml:"ID"`
	PrefixSet                   *ReplicationPrefixSet    `xml:"PrefixSet,omitempty"`
	Action                      string                   `xml:"Action"`
	Destination                 *ReplicationDestination  `xml:"Destination"`
	Status                      string                   `xml:"Status"`
	HistoricalObjectReplication string                   `xml:"HistoricalObjectReplication"`
	Progress                    *ReplicationProgressInfo `xml:"Progress,omitempty"`
}

// ReplicationProgressInfo is the share of historical objects replicated
// ("0.85") and the time before which new objects are.
type ReplicationProgressInfo struct {
	HistoricalObject string `xml:"HistoricalObject,omitempty"`
	NewObject        string `xml:"NewObject,omitempty"`
}
