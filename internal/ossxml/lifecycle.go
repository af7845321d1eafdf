package ossxml

import "encoding/xml"

// LifecycleConfiguration is the request body of PutBucketLifecycle and the
// response body of GetBucketLifecycle (PUT and GET /?lifecycle): at most
// 1,000 rules.
type LifecycleConfiguration struct {
	Rules []LifecycleRule `xml:"Rule"`
}

func (LifecycleConfiguration) rootName() string { return "LifecycleConfiguration" }

// LifecycleRule is one <Rule> of a [LifecycleConfiguration]: which objects
// (Prefix, Tags, Filter) and what to do with them (Expiration, Transitions,
// AbortMultipartUpload). Child elements it does not model
// (NoncurrentVersionExpiration, NoncurrentVersionTransition, AtimeBase,
// ...) are collected in Other by name, so that a reader can refuse them.
type LifecycleRule struct {
	ID     string `xml:"ID,omitempty"` // at most 255 bytes; OSS makes one up when absent
	Prefix string `xml:"Prefix"`       // empty: every key
	Status string `xml:"Status"`       // Enabled or Disabled
	// Tags restrict the rule to objects that carry every one of them.
	Tags   []Tag            `xml:"Tag,omitempty"`
	Filter *LifecycleFilter `xml:"Filter,omitempty"`

	Expiration           *LifecycleExpiration           `xml:"Expiration,omitempty"`
	Transitions          []LifecycleTransition          `xml:"Transition,omitempty"`
	AbortMultipartUpload *LifecycleAbortMultipartUpload `xml:"AbortMultipartUpload,omitempty"`
	// NoncurrentVersionExpiration deletes the noncurrent versions of a
	// versioned bucket.
	NoncurrentVersionExpiration *LifecycleNoncurrentExpiration `xml:"NoncurrentVersionExpiration,omitempty"`
	// NoncurrentVersionTransitions move noncurrent versions to colder
	// storage classes.
	NoncurrentVersionTransitions []LifecycleNoncurrentTransition `xml:"NoncurrentVersionTransition,omitempty"`
	Other                        []OtherElement                  `xml:",any"`
}

// LifecycleNoncurrentTransition moves noncurrent versions to StorageClass
// NoncurrentDays days after they became noncurrent; IsAccessTime and the
// two elements that go with it are as in [LifecycleTransition].
type LifecycleNoncurrentTransition struct {
	NoncurrentDays       *int   `xml:"NoncurrentDays,omitempty"`
	StorageClass         string `xml:"StorageClass"`
	IsAccessTime         *bool  `xml:"IsAccessTime,omitempty"`
	ReturnToStdWhenVisit *bool  `xml:"ReturnToStdWhenVisit,omitempty"`
	AllowSmallFile       *bool  `xml:"AllowSmallFile,omitempty"`
}

// LifecycleNoncurrentExpiration deletes noncurrent versions NoncurrentDays
// days after they became noncurrent.
type LifecycleNoncurrentExpiration struct {
	NoncurrentDays *int `xml:"NoncurrentDays,omitempty"`
}

// Tag is one object tag, in a tag set or a lifecycle rule.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// LifecycleFilter excludes objects from a rule: those matching any of its
// Not elements. Other collects the elements it does not model
// (ObjectSizeGreaterThan, ObjectSizeLessThan, ...).
type LifecycleFilter struct {
	Not   []LifecycleNot `xml:"Not,omitempty"`
	Other []OtherElement `xml:",any"`
}

// LifecycleNot is one exclusion of a [LifecycleFilter]: objects whose key
// has Prefix and, when Tag is set, that carry Tag.
type LifecycleNot struct {
	Prefix string `xml:"Prefix"`
	Tag    *Tag   `xml:"Tag,omitempty"`
}

// LifecycleExpiration is the action that deletes objects. Exactly one of
// Days, CreatedBeforeDate and Date is set, or ExpiredObjectDeleteMarker is
// true.
type LifecycleExpiration struct {
	// Days is how many days after its last modification an object is
	// deleted.
	Days *int `xml:"Days,omitempty"`
	// CreatedBeforeDate deletes the objects last modified before it, a
	// midnight UTC written as 2002-10-11T00:00:00.000Z.
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
	// Date, an older form, deletes every object once the date has come,
	// whenever it was modified; also a midnight UTC.
	Date string `xml:"Date,omitempty"`
	// ExpiredObjectDeleteMarker removes delete markers left without
	// versions; it applies to versioned buckets only.
	ExpiredObjectDeleteMarker *bool `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

// LifecycleTransition is the action that moves objects to a colder
// storage class. Exactly one of Days and CreatedBeforeDate is set.
type LifecycleTransition struct {
	Days              *int   `xml:"Days,omitempty"`
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
	// StorageClass is IA, Archive, ColdArchive or DeepColdArchive.
	StorageClass string `xml:"StorageClass"`
	// IsAccessTime counts Days from the last access rather than the last
	// modification; ReturnToStdWhenVisit and AllowSmallFile go with it.
	IsAccessTime         *bool `xml:"IsAccessTime,omitempty"`
	ReturnToStdWhenVisit *bool `xml:"ReturnToStdWhenVisit,omitempty"`
	AllowSmallFile       *bool `xml:"AllowSmallFile,omitempty"`
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
