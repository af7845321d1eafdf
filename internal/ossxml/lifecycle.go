package ossxml

import "encoding/xml"

// LifecycleConfiguration is the request body of PutBucketLifecycle and the
// response body of GetBucketLifecycle (PUT and GET /?lifecycle): at most
// 1,000 rules.
type LifecycleConfiguration struct {
	Rules []LifecycleRule `xml:"Rule"`
}

func (LifecycleConfiguration) rootName() string { return "LifecycleConfiguration" }

// LifecycleRule is one <Rule> of a [LifecycleConfiguration]. Of the actions
// OSS defines it models AbortMultipartUpload; every other child element
// (Expiration, Transition, Tag, Filter, NoncurrentVersionExpiration, ...)
// is collected in Other by name, so that a reader can refuse it.
type LifecycleRule struct {
	ID                   string                         `xml:"ID,omitempty"` // at most 255 bytes; OSS makes one up when absent
	Prefix               string                         `xml:"Prefix"`       // empty: every key
	Status               string                         `xml:"Status"`       // Enabled or Disabled
	AbortMultipartUpload *LifecycleAbortMultipartUpload `xml:"AbortMultipartUpload,omitempty"`
	Other                []OtherElement                 `xml:",any"`
}

// LifecycleAbortMultipartUpload is the action that aborts incomplete
// multipart uploads. Exactly one of its fields is set.
type LifecycleAbortMultipartUpload struct {
	// Days is how many days after an upload starts it is aborted.
	Days *int `xml:"Days,omitempty"`
	// CreatedBeforeDate aborts the uploads started before it, a midnight
	// UTC written as 2002-10-11T00:00:00.000Z.
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
}

// OtherElement records the name of an element a struct does not model;
// its content is skipped.
type OtherElement struct {
	XMLName xml.Name
}
