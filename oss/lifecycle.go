package oss

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
)

// Limits of a lifecycle configuration.
const (
	MaxLifecycleRules  = 1000
	MaxLifecycleRuleID = 255 // bytes
)

// Values of LifecycleRule.Status.
const (
	LifecycleRuleEnabled  = "Enabled"  // the rule applies
	LifecycleRuleDisabled = "Disabled" // the rule is kept but not applied
)

// LifecycleRule is one rule of a bucket's lifecycle: the objects it
// selects (Prefix, Tags, Filter) and what happens to them. The fields
// mirror the <Rule> element, so a configuration read with
// GetBucketLifecycle can be put back unchanged. Dates are written as OSS
// writes them, a midnight UTC such as "2025-01-01T00:00:00.000Z".
type LifecycleRule struct {
	// ID names the rule, at most MaxLifecycleRuleID bytes; empty lets the
	// service make one up.
	ID string `xml:"ID,omitempty"`
	// Prefix selects the keys the rule applies to; empty selects all.
	Prefix string `xml:"Prefix"`
	// Status is LifecycleRuleEnabled or LifecycleRuleDisabled.
	Status string `xml:"Status"`
	// Filter narrows the objects selected further.
	Filter *LifecycleFilter `xml:"Filter,omitempty"`
	// Tags select the objects that carry every one of them.
	Tags []Tag `xml:"Tag"`
	// Expiration deletes the current objects.
	Expiration *LifecycleExpiration `xml:"Expiration,omitempty"`
	// Transitions change the storage class of the objects.
	Transitions []LifecycleTransition `xml:"Transition"`
	// AbortMultipartUpload aborts incomplete multipart uploads.
	AbortMultipartUpload *LifecycleAbortMultipartUpload `xml:"AbortMultipartUpload,omitempty"`
	// NoncurrentVersionExpiration deletes previous versions, in a
	// versioned bucket.
	NoncurrentVersionExpiration *NoncurrentVersionExpiration `xml:"NoncurrentVersionExpiration,omitempty"`
	// NoncurrentVersionTransitions change the storage class of previous
	// versions, in a versioned bucket.
	NoncurrentVersionTransitions []NoncurrentVersionTransition `xml:"NoncurrentVersionTransition"`
	// AtimeBase is the time access tracking was enabled, in seconds since
	// the epoch, as the service reports it; nil when not reported.
	AtimeBase *int64 `xml:"AtimeBase,omitempty"`
}

// LifecycleFilter excludes objects from a rule.
type LifecycleFilter struct {
	// Not excludes objects by prefix, and by tag within that prefix.
	Not []LifecycleNot `xml:"Not"`
	// ObjectSizeGreaterThan and ObjectSizeLessThan, in bytes, bound the
	// size of the objects selected; nil leaves a side open.
	ObjectSizeGreaterThan *int64 `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64 `xml:"ObjectSizeLessThan,omitempty"`
}

// LifecycleNot is one exclusion of a LifecycleFilter: the keys with
// Prefix, or only those of them that carry Tag when it is set.
type LifecycleNot struct {
	Prefix string `xml:"Prefix"`
	Tag    *Tag   `xml:"Tag,omitempty"`
}

// LifecycleExpiration deletes objects: Days after they were last
// modified, or those last modified before CreatedBeforeDate, or all of
// them on Date. Exactly one of the three is set, unless
// ExpiredObjectDeleteMarker is.
type LifecycleExpiration struct {
	Days              *int   `xml:"Days,omitempty"`
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
	Date              string `xml:"Date,omitempty"`
	// ExpiredObjectDeleteMarker removes delete markers left with no
	// versions behind them, in a versioned bucket.
	ExpiredObjectDeleteMarker *bool `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

// LifecycleAbortMultipartUpload aborts the multipart uploads started Days
// ago, or before CreatedBeforeDate; exactly one is set.
type LifecycleAbortMultipartUpload struct {
	Days              *int   `xml:"Days,omitempty"`
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
}

// LifecycleTransition moves objects to StorageClass (IA, Archive,
// ColdArchive or DeepColdArchive) Days after they were last modified (or
// accessed, with IsAccessTime), or those last modified before
// CreatedBeforeDate; exactly one of Days and CreatedBeforeDate is set.
type LifecycleTransition struct {
	Days              *int   `xml:"Days,omitempty"`
	CreatedBeforeDate string `xml:"CreatedBeforeDate,omitempty"`
	StorageClass      string `xml:"StorageClass"`
	// IsAccessTime counts Days from the last access instead.
	IsAccessTime *bool `xml:"IsAccessTime,omitempty"`
	// ReturnToStdWhenVisit moves an object back to Standard when read,
	// with IsAccessTime.
	ReturnToStdWhenVisit *bool `xml:"ReturnToStdWhenVisit,omitempty"`
	// AllowSmallFile moves objects under 64 KiB too, with IsAccessTime.
	AllowSmallFile *bool `xml:"AllowSmallFile,omitempty"`
}

// NoncurrentVersionExpiration deletes a version NoncurrentDays after it
// stopped being current.
type NoncurrentVersionExpiration struct {
	NoncurrentDays int `xml:"NoncurrentDays"`
}

// NoncurrentVersionTransition moves a version to StorageClass
// NoncurrentDays after it stopped being current.
type NoncurrentVersionTransition struct {
	NoncurrentDays       int    `xml:"NoncurrentDays"`
	StorageClass         string `xml:"StorageClass"`
	IsAccessTime         *bool  `xml:"IsAccessTime,omitempty"`
	ReturnToStdWhenVisit *bool  `xml:"ReturnToStdWhenVisit,omitempty"`
	AllowSmallFile       *bool  `xml:"AllowSmallFile,omitempty"`
}

// lifecycleConfiguration is the body of PutBucketLifecycle and
// GetBucketLifecycle.
type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []LifecycleRule `xml:"Rule"`
}

// checkLifecycle applies the limits of a lifecycle configuration that
// need no knowledge of the bucket.
func checkLifecycle(rules []LifecycleRule) error {
	if len(rules) == 0 || len(rules) > MaxLifecycleRules {
		return fmt.Errorf("%d lifecycle rules, need 1..%d: %w", len(rules), MaxLifecycleRules, ErrInvalidArgument)
	}
	for i, r := range rules {
		if err := checkLifecycleRule(&r); err != nil {
			return fmt.Errorf("lifecycle rule %d (%q): %w", i+1, r.ID, err)
		}
	}
	return nil
}

func checkLifecycleRule(r *LifecycleRule) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, ErrInvalidArgument)...)
	}
	if len(r.ID) > MaxLifecycleRuleID {
		return bad("id of %d bytes, more than %d", len(r.ID), MaxLifecycleRuleID)
	}
	if r.Status != LifecycleRuleEnabled && r.Status != LifecycleRuleDisabled {
		return bad("status %q is neither %s nor %s", r.Status, LifecycleRuleEnabled, LifecycleRuleDisabled)
	}
	if r.Expiration == nil && len(r.Transitions) == 0 && r.AbortMultipartUpload == nil &&
		r.NoncurrentVersionExpiration == nil && len(r.NoncurrentVersionTransitions) == 0 {
		return bad("no action")
	}
	if e := r.Expiration; e != nil && count(e.Days != nil, e.CreatedBeforeDate != "", e.Date != "") != 1 && e.ExpiredObjectDeleteMarker == nil {
		return bad("expiration needs exactly one of Days, CreatedBeforeDate and Date")
	}
	if a := r.AbortMultipartUpload; a != nil && count(a.Days != nil, a.CreatedBeforeDate != "") != 1 {
		return bad("abort multipart upload needs exactly one of Days and CreatedBeforeDate")
	}
	for _, t := range r.Transitions {
		if count(t.Days != nil, t.CreatedBeforeDate != "") != 1 || t.StorageClass == "" {
			return bad("a transition needs a storage class and exactly one of Days and CreatedBeforeDate")
		}
	}
	return checkTags(r.Tags)
}

// count is the number of its arguments that are true.
func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}

// PutBucketLifecycleRequest replaces a bucket's lifecycle rules.
type PutBucketLifecycleRequest struct {
	Bucket string
	// Rules are the rules, 1 to MaxLifecycleRules.
	Rules []LifecycleRule
	// AllowSameActionOverlap lets rules whose prefixes overlap take the
	// same action.
	AllowSameActionOverlap bool
}

// PutBucketLifecycleResult is what the service answered to a
// PutBucketLifecycle.
type PutBucketLifecycleResult struct {
	RequestID string
}

// PutBucketLifecycle replaces the lifecycle rules of a bucket. The body
// goes with its Content-MD5, which the service requires.
func (c *Client) PutBucketLifecycle(ctx context.Context, req *PutBucketLifecycleRequest) (*PutBucketLifecycleResult, error) {
	op := &operation{name: "PutBucketLifecycle", method: http.MethodPut, bucket: req.Bucket, header: http.Header{}, query: url.Values{"lifecycle": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	if err := checkLifecycle(req.Rules); err != nil {
		return nil, op.wrap(err)
	}
	if req.AllowSameActionOverlap {
		op.header.Set("x-oss-allow-same-action-overlap", "true")
	}
	id, err := c.doXML(ctx, op, &lifecycleConfiguration{Rules: req.Rules}, nil)
	if err != nil {
		return nil, err
	}
	return &PutBucketLifecycleResult{RequestID: id}, nil
}

// GetBucketLifecycleRequest names the bucket whose lifecycle to read.
type GetBucketLifecycleRequest struct {
	Bucket string
}

// GetBucketLifecycleResult is a bucket's lifecycle rules.
type GetBucketLifecycleResult struct {
	Rules     []LifecycleRule
	RequestID string
}

// GetBucketLifecycle returns the lifecycle rules of a bucket; a bucket
// without any fails with ErrNoSuchLifecycle.
func (c *Client) GetBucketLifecycle(ctx context.Context, req *GetBucketLifecycleRequest) (*GetBucketLifecycleResult, error) {
	op := &operation{name: "GetBucketLifecycle", method: http.MethodGet, bucket: req.Bucket, query: url.Values{"lifecycle": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	var res lifecycleConfiguration
	id, err := c.doXML(ctx, op, nil, &res)
	if err != nil {
		return nil, err
	}
	return &GetBucketLifecycleResult{Rules: res.Rules, RequestID: id}, nil
}

// DeleteBucketLifecycleRequest names the bucket whose lifecycle to remove.
type DeleteBucketLifecycleRequest struct {
	Bucket string
}

// DeleteBucketLifecycleResult is what the service answered to a
// DeleteBucketLifecycle.
type DeleteBucketLifecycleResult struct {
	RequestID string
}

// DeleteBucketLifecycle removes every lifecycle rule of a bucket.
func (c *Client) DeleteBucketLifecycle(ctx context.Context, req *DeleteBucketLifecycleRequest) (*DeleteBucketLifecycleResult, error) {
	op := &operation{name: "DeleteBucketLifecycle", method: http.MethodDelete, bucket: req.Bucket, query: url.Values{"lifecycle": {""}}}
	if req.Bucket == "" {
		return nil, op.wrap(fmt.Errorf("bucket is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, nil, nil)
	if err != nil {
		return nil, err
	}
	return &DeleteBucketLifecycleResult{RequestID: id}, nil
}
