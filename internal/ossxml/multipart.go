package ossxml

// InitiateMultipartUploadResult is the response body of
// InitiateMultipartUpload (POST /K?uploads).
type InitiateMultipartUploadResult struct {
	Bucket       string `xml:"Bucket"`
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	EncodingType string `xml:"EncodingType,omitempty"`
}

func (InitiateMultipartUploadResult) rootName() string { return "InitiateMultipartUploadResult" }

// CompleteMultipartUpload is the request body of CompleteMultipartUpload
// (POST /K?uploadId=ID): the parts to join, in ascending part-number order.
type CompleteMultipartUpload struct {
	Parts []CompletePart `xml:"Part"`
}

func (CompleteMultipartUpload) rootName() string { return "CompleteMultipartUpload" }

// CompletePart is one <Part> of a [CompleteMultipartUpload].
type CompletePart struct {
	PartNumber int    `xml:"PartNumber"` // 1–10000
	ETag       string `xml:"ETag"`       // as UploadPart returned it, quotes included
	// ChecksumCRC64NVME is S3's: the part's CRC-64/NVME, base64 of its 8
	// big-endian bytes, when the client sends it.
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	// ChecksumCRC32C is S3's too: the part's CRC-32C in base64, for an
	// upload created with that algorithm.
	ChecksumCRC32C string `xml:"ChecksumCRC32C,omitempty"`
}

// CompleteMultipartUploadResult is the response body of
// CompleteMultipartUpload when no callback is set.
type CompleteMultipartUploadResult struct {
	EncodingType string `xml:"EncodingType,omitempty"`
	Location     string `xml:"Location"` // URL of the object
	Bucket       string `xml:"Bucket"`
	Key          string `xml:"Key"`
	ETag         string `xml:"ETag"` // quoted, "<HEX>-<part count>"
}

func (CompleteMultipartUploadResult) rootName() string { return "CompleteMultipartUploadResult" }

// ListPartsResult is the response body of ListParts (GET /K?uploadId=ID).
// NextPartNumberMarker is the last part number in the page and is always
// written.
type ListPartsResult struct {
	EncodingType         string        `xml:"EncodingType,omitempty"`
	Bucket               string        `xml:"Bucket"`
	Key                  string        `xml:"Key"`
	UploadID             string        `xml:"UploadId"`
	StorageClass         string        `xml:"StorageClass"`
	PartNumberMarker     int           `xml:"PartNumberMarker"`
	NextPartNumberMarker int           `xml:"NextPartNumberMarker"`
	MaxParts             int           `xml:"MaxParts"`
	IsTruncated          bool          `xml:"IsTruncated"`
	Parts                []PartSummary `xml:"Part"`
}

func (ListPartsResult) rootName() string { return "ListPartsResult" }

// PartSummary is one <Part> of a [ListPartsResult]. The v2 SDK resumes
// uploads from Size and HashCRC64, so both must be exact.
type PartSummary struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified Time   `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	HashCRC64    uint64 `xml:"HashCrc64ecma"` // CRC-64/ECMA of the part
	Size         int64  `xml:"Size"`          // bytes
	// ChecksumCRC64NVME is S3's: the part's CRC-64/NVME in base64, in
	// answers to S3 clients only.
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	// ChecksumCRC32C is S3's part CRC-32C, where the upload has one.
	ChecksumCRC32C string `xml:"ChecksumCRC32C,omitempty"`
}

// ListMultipartUploadsResult is the response body of ListMultipartUploads
// (GET /?uploads).
type ListMultipartUploadsResult struct {
	EncodingType       string          `xml:"EncodingType,omitempty"`
	Bucket             string          `xml:"Bucket"`
	KeyMarker          string          `xml:"KeyMarker"`
	UploadIDMarker     string          `xml:"UploadIdMarker"`
	NextKeyMarker      string          `xml:"NextKeyMarker"`
	NextUploadIDMarker string          `xml:"NextUploadIdMarker"`
	Delimiter          string          `xml:"Delimiter"`
	Prefix             string          `xml:"Prefix"`
	MaxUploads         int             `xml:"MaxUploads"`
	IsTruncated        bool            `xml:"IsTruncated"`
	Uploads            []UploadSummary `xml:"Upload"`
	CommonPrefixes     []CommonPrefix  `xml:"CommonPrefixes"`
}

func (ListMultipartUploadsResult) rootName() string { return "ListMultipartUploadsResult" }

// UploadSummary is one <Upload> of a [ListMultipartUploadsResult].
type UploadSummary struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiated    Time   `xml:"Initiated"`
	StorageClass string `xml:"StorageClass,omitempty"`
}

// CopyPartResult is the response body of UploadPartCopy.
type CopyPartResult struct {
	LastModified Time   `xml:"LastModified"`
	ETag         string `xml:"ETag"`
}

func (CopyPartResult) rootName() string { return "CopyPartResult" }
