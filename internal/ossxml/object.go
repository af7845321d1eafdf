package ossxml

import "encoding/xml"

// ObjectSummary is one <Contents> entry of a listing.
type ObjectSummary struct {
	Key          string `xml:"Key"`
	LastModified Time   `xml:"LastModified"`
	ETag         string `xml:"ETag"` // quoted, e.g. "5B3C1A2E053D763E1B002CC607C5A0FE"
	Type         string `xml:"Type"` // Normal, Multipart, Appendable or Symlink
	Size         int64  `xml:"Size"` // bytes
	StorageClass string `xml:"StorageClass"`
	Owner        *Owner `xml:"Owner,omitempty"` // V1 always; V2 only with fetch-owner=true
	RestoreInfo  string `xml:"RestoreInfo,omitempty"`
}

// CommonPrefix is one rolled-up prefix of a delimited listing. Each prefix
// gets its own <CommonPrefixes> element, as the v2 SDK requires.
type CommonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// ListBucketResult is the response body of ListObjects (V1, GET / on a
// bucket). Set NextMarker only when the listing is truncated; it is the last
// key or common prefix returned.
type ListBucketResult struct {
	Name           string          `xml:"Name"`
	Prefix         string          `xml:"Prefix"`
	Marker         string          `xml:"Marker"`
	MaxKeys        int             `xml:"MaxKeys"`
	Delimiter      string          `xml:"Delimiter"`
	EncodingType   string          `xml:"EncodingType,omitempty"`
	IsTruncated    bool            `xml:"IsTruncated"`
	NextMarker     string          `xml:"NextMarker,omitempty"`
	Contents       []ObjectSummary `xml:"Contents"`
	CommonPrefixes []CommonPrefix  `xml:"CommonPrefixes"`
}

func (ListBucketResult) rootName() string { return "ListBucketResult" }

// ListBucketV2Result is the response body of ListObjectsV2
// (GET /?list-type=2). Its root element is ListBucketResult, like the V1
// listing's. KeyCount is len(Contents) + len(CommonPrefixes).
type ListBucketV2Result struct {
	Name                  string          `xml:"Name"`
	Prefix                string          `xml:"Prefix"`
	StartAfter            string          `xml:"StartAfter,omitempty"`
	ContinuationToken     string          `xml:"ContinuationToken,omitempty"`
	MaxKeys               int             `xml:"MaxKeys"`
	Delimiter             string          `xml:"Delimiter"`
	EncodingType          string          `xml:"EncodingType,omitempty"`
	IsTruncated           bool            `xml:"IsTruncated"`
	NextContinuationToken string          `xml:"NextContinuationToken,omitempty"`
	KeyCount              int             `xml:"KeyCount"`
	Contents              []ObjectSummary `xml:"Contents"`
	CommonPrefixes        []CommonPrefix  `xml:"CommonPrefixes"`
}

func (ListBucketV2Result) rootName() string { return "ListBucketResult" }

// MarshalXML implements [xml.Marshaler] so that encoding/xml, too, writes
// the root element as ListBucketResult. The type is only ever a document
// root.
func (r ListBucketV2Result) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain ListBucketV2Result
	start.Name = xml.Name{Local: "ListBucketResult"}
	return e.EncodeElement(plain(r), start)
}

// Delete is the request body of DeleteMultipleObjects (POST /?delete).
// With Quiet set the response lists no deleted keys.
type Delete struct {
	Quiet   bool           `xml:"Quiet"`
	Objects []DeleteObject `xml:"Object"`
}

func (Delete) rootName() string { return "Delete" }

// DeleteObject names one object of a [Delete] request.
type DeleteObject struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

// DeleteResult is the response body of DeleteMultipleObjects. Keys that did
// not exist are reported as deleted too.
type DeleteResult struct {
	EncodingType string          `xml:"EncodingType,omitempty"`
	Deleted      []DeletedObject `xml:"Deleted"`
}

func (DeleteResult) rootName() string { return "DeleteResult" }

// DeletedObject is one <Deleted> entry of a [DeleteResult].
type DeletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// CopyObjectResult is the response body of CopyObject.
type CopyObjectResult struct {
	ETag         string `xml:"ETag"` // quoted
	LastModified Time   `xml:"LastModified"`
}

func (CopyObjectResult) rootName() string { return "CopyObjectResult" }

// Tagging is the body of PutObjectTagging and the response body of
// GetObjectTagging.
type Tagging struct {
	TagSet struct {
		Tags []Tag `xml:"Tag"`
	} `xml:"TagSet"`
}

func (Tagging) rootName() string { return "Tagging" }

// ListVersionsResult is the response body of ListObjectVersions
// (GET /?versions).
type ListVersionsResult struct {
	EncodingType        string              `xml:"EncodingType,omitempty"`
	Name                string              `xml:"Name"`
	Prefix              string              `xml:"Prefix"`
	KeyMarker           string              `xml:"KeyMarker"`
	VersionIDMarker     string              `xml:"VersionIdMarker"`
	MaxKeys             int                 `xml:"MaxKeys"`
	Delimiter           string              `xml:"Delimiter,omitempty"`
	IsTruncated         bool                `xml:"IsTruncated"`
	NextKeyMarker       string              `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string              `xml:"NextVersionIdMarker,omitempty"`
	Versions            []ObjectVersion     `xml:"Version"`
	DeleteMarkers       []DeleteMarkerEntry `xml:"DeleteMarker"`
	CommonPrefixes      []CommonPrefix      `xml:"CommonPrefixes"`
}

func (ListVersionsResult) rootName() string { return "ListVersionsResult" }

// ObjectVersion is one <Version> of a ListVersionsResult.
type ObjectVersion struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"` // "null" for the null version
	IsLatest     bool   `xml:"IsLatest"`
	LastModified Time   `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *Owner `xml:"Owner,omitempty"`
	RestoreInfo  string `xml:"RestoreInfo,omitempty"`
}

// DeleteMarkerEntry is one <DeleteMarker> of a ListVersionsResult.
type DeleteMarkerEntry struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified Time   `xml:"LastModified"`
	Owner        *Owner `xml:"Owner,omitempty"`
}

// VersioningConfiguration is the body of PutBucketVersioning and the
// response body of GetBucketVersioning (GET /?versioning): Status is
// Enabled, Suspended, or empty for a bucket never versioned.
type VersioningConfiguration struct {
	Status string `xml:"Status,omitempty"`
}

func (VersioningConfiguration) rootName() string { return "VersioningConfiguration" }

// RestoreRequest is the optional body of RestoreObject (POST ?restore):
// how many days the restored copy stays readable, and for a ColdArchive
// or DeepColdArchive object the priority of the restore (Expedited,
// Standard or Bulk).
type RestoreRequest struct {
	Days          int            `xml:"Days,omitempty"`
	JobParameters *JobParameters `xml:"JobParameters,omitempty"`
}

func (RestoreRequest) rootName() string { return "RestoreRequest" }

// JobParameters is the priority of a RestoreRequest.
type JobParameters struct {
	Tier string `xml:"Tier,omitempty"`
}
