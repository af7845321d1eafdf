package server

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Limits of a lifecycle configuration.
const (
	maxLifecycleRules = 1000
	maxRuleID         = 255 // bytes
	maxTagKey         = 128 // bytes
	maxTagValue       = 256 // bytes
)

// coldness orders the storage classes a transition may reach, warmest
// first; Standard (and an object without a class) is 0.
var coldness = map[string]int{"Standard": 0, "IA": 1, "Archive": 2, "ColdArchive": 3, "DeepColdArchive": 4}

// lifecycleRules checks the rules of a PutBucketLifecycle body and returns
// them as the store keeps them. A rule without an ID gets a random one,
// as OSS gives it.
//
// MalformedXML: a document that does not parse or has no rule; a rule
// whose Status is not Enabled or Disabled, or that has no action.
//
// NotImplemented, rather than stored and silently not applied: rule
// elements the server does not model;
// Filter elements other than Not (ObjectSizeGreaterThan, ...); a
// Transition with IsAccessTime true (the server records no access
// times).
//
// InvalidArgument: more than 1,000 rules; an ID over 255 bytes or used
// twice; a prefix longer than a key; a tag with an empty or long key, a
// long value, or a key twice in a rule; a Not whose prefix does not
// extend the rule's; tags (in Tag or in a Not) on a rule that aborts
// multipart uploads; an action with none or several of Days,
// CreatedBeforeDate (and, for Expiration, Date); Days below 1; a date
// that is not a midnight UTC in OSS's layout; a Transition to a class
// other than IA, Archive, ColdArchive and DeepColdArchive, to a class
// twice, to a colder class no later than to a warmer one, or no earlier
// than the Expiration (compared when both count Days or both give
// dates); ReturnToStdWhenVisit or AllowSmallFile without IsAccessTime;
// and, unless the request allows it with
// x-oss-allow-same-action-overlap: true, two rules with the same action
// whose prefixes overlap (one is a prefix of the other), as OSS refuses.
func lifecycleRules(in []ossxml.LifecycleRule, overlap bool) ([]store.LifecycleRule, error) {
	if len(in) == 0 {
		return nil, newError(ossxml.CodeMalformedXML, "The lifecycle configuration has no rule.")
	}
	if len(in) > maxLifecycleRules {
		return nil, invalidArgument("Rule", strconv.Itoa(len(in)), "A lifecycle configuration holds at most 1000 rules.")
	}
	out := make([]store.LifecycleRule, len(in))
	ids := make(map[string]bool, len(in))
	for i, r := range in {
		rule, err := lifecycleRule(r)
		if err != nil {
			return nil, err
		}
		if ids[rule.ID] {
			return nil, invalidArgument("ID", rule.ID, "Two lifecycle rules have the same ID.")
		}
		ids[rule.ID] = true
		out[i] = rule
	}
	if !overlap {
		if err := checkOverlap(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lifecycleRule checks one rule (see lifecycleRules).
func lifecycleRule(r ossxml.LifecycleRule) (store.LifecycleRule, error) {
	out := store.LifecycleRule{ID: r.ID, Prefix: r.Prefix}
	if err := notImplemented(r); err != nil {
		return out, err
	}
	switch r.Status {
	case "Enabled":
		out.Enabled = true
	case "Disabled":
	default:
		return out, newError(ossxml.CodeMalformedXML, "The Status of a lifecycle rule must be Enabled or Disabled.")
	}
	if r.Expiration == nil && len(r.Transitions) == 0 && r.AbortMultipartUpload == nil && r.NoncurrentVersionExpiration == nil && len(r.NoncurrentVersionTransitions) == 0 {
		return out, newError(ossxml.CodeMalformedXML, "A lifecycle rule needs an action.")
	}
	if out.ID == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		out.ID = hex.EncodeToString(b[:])
	}
	if len(out.ID) > maxRuleID {
		return out, invalidArgument("ID", out.ID, "The ID of a lifecycle rule is at most 255 bytes long.")
	}
	if len(out.Prefix) > MaxKeyLength {
		return out, invalidArgument("Prefix", out.Prefix, "The prefix of a lifecycle rule is at most 1023 bytes long.")
	}
	var err error
	if out.Tags, out.Not, err = ruleFilter(r); err != nil {
		return out, err
	}
	if out.Expiration, out.ExpireMarkers, err = expiration(r.Expiration); err != nil {
		return out, err
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays == nil || *n.NoncurrentDays < 1 {
			return out, invalidArgument("NoncurrentDays", "", "NoncurrentVersionExpiration takes NoncurrentDays, a positive integer.")
		}
		out.NoncurrentDays = *n.NoncurrentDays
	}
	noncurrent := store.LifecycleWhen{Days: out.NoncurrentDays}
	if out.NoncurrentTransitions, err = noncurrentTransitions(r.NoncurrentVersionTransitions, noncurrent); err != nil {
		return out, err
	}
	if out.Transitions, err = transitions(r.Transitions, out.Expiration); err != nil {
		return out, err
	}
	if a := r.AbortMultipartUpload; a != nil {
		if hasTags(out) {
			return out, invalidArgument("AbortMultipartUpload", "", "A lifecycle rule with tags cannot abort multipart uploads.")
		}
		w, err := when("AbortMultipartUpload", a.Days, a.CreatedBeforeDate, "")
		if err != nil {
			return out, err
		}
		out.AbortDays, out.AbortBefore = w.Days, w.Before
	}
	return out, nil
}

// notImplemented refuses the parts of a rule the server does not apply.
func notImplemented(r ossxml.LifecycleRule) error {
	refuse := func(what string) error {
		return newError(ossxml.CodeNotImplemented,
			"This server does not implement "+what+" in lifecycle rules; it implements Expiration (ExpiredObjectDeleteMarker included), Transition, NoncurrentVersionExpiration, NoncurrentVersionTransition and AbortMultipartUpload filtered by Prefix, Tag and Filter/Not.")
	}
	switch {
	case len(r.Other) > 0:
		return refuse("<" + r.Other[0].XMLName.Local + ">")
	case r.Filter != nil && len(r.Filter.Other) > 0:
		return refuse("<Filter><" + r.Filter.Other[0].XMLName.Local + ">")
	}
	for _, t := range r.Transitions {
		if isTrue(t.IsAccessTime) {
			return refuse("IsAccessTime (last access times are not recorded)")
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if isTrue(t.IsAccessTime) {
			return refuse("IsAccessTime (last access times are not recorded)")
		}
	}
	return nil
}

// noncurrentTransitions checks a rule's NoncurrentVersionTransition
// actions as transitions checks Transition ones, against the rule's
// NoncurrentVersionExpiration exp; each counts NoncurrentDays.
func noncurrentTransitions(in []ossxml.LifecycleNoncurrentTransition, exp store.LifecycleWhen) ([]store.LifecycleTransition, error) {
	plain := make([]ossxml.LifecycleTransition, len(in))
	for i, t := range in {
		if t.NoncurrentDays == nil {
			return nil, invalidArgument("NoncurrentDays", "", "NoncurrentVersionTransition takes NoncurrentDays, a positive integer.")
		}
		plain[i] = ossxml.LifecycleTransition{Days: t.NoncurrentDays, StorageClass: t.StorageClass,
			ReturnToStdWhenVisit: t.ReturnToStdWhenVisit, AllowSmallFile: t.AllowSmallFile}
	}
	return transitions(plain, exp)
}

func isTrue(b *bool) bool { return b != nil && *b }

// hasTags reports whether r names a tag, to include or to exclude.
func hasTags(r store.LifecycleRule) bool {
	return len(r.Tags) > 0 || slices.ContainsFunc(r.Not, func(n store.LifecycleNot) bool { return n.Tag != nil })
}

// ruleFilter checks a rule's tags and exclusions.
func ruleFilter(r ossxml.LifecycleRule) ([]store.LifecycleTag, []store.LifecycleNot, error) {
	var tags []store.LifecycleTag
	seen := map[string]bool{}
	for _, t := range r.Tags {
		tag, err := lifecycleTag(t)
		if err != nil {
			return nil, nil, err
		}
		if seen[tag.Key] {
			return nil, nil, invalidArgument("Tag", tag.Key, "A lifecycle rule names a tag key twice.")
		}
		seen[tag.Key] = true
		tags = append(tags, tag)
	}
	if r.Filter == nil {
		return tags, nil, nil
	}
	var nots []store.LifecycleNot
	for _, n := range r.Filter.Not {
		if !strings.HasPrefix(n.Prefix, r.Prefix) || len(n.Prefix) > MaxKeyLength || (n.Prefix == r.Prefix && n.Tag == nil) {
			return nil, nil, invalidArgument("Not", n.Prefix, "The prefix in Not must start with the prefix of its rule, and be longer unless the Not names a tag.")
		}
		not := store.LifecycleNot{Prefix: n.Prefix}
		if n.Tag != nil {
			tag, err := lifecycleTag(*n.Tag)
			if err != nil {
				return nil, nil, err
			}
			not.Tag = &tag
		}
		nots = append(nots, not)
	}
	return tags, nots, nil
}

func lifecycleTag(t ossxml.Tag) (store.LifecycleTag, error) {
	if t.Key == "" || len(t.Key) > maxTagKey || len(t.Value) > maxTagValue {
		return store.LifecycleTag{}, invalidArgument("Tag", t.Key, "A tag key is 1 to 128 bytes long, its value at most 256.")
	}
	return store.LifecycleTag{Key: t.Key, Value: t.Value}, nil
}

// expiration checks an Expiration action (nil is none): a time, or
// ExpiredObjectDeleteMarker true alone (markers).
func expiration(e *ossxml.LifecycleExpiration) (w store.LifecycleWhen, markers bool, err error) {
	switch {
	case e == nil:
		return w, false, nil
	case e.ExpiredObjectDeleteMarker == nil:
	case e.Days != nil || e.CreatedBeforeDate != "" || e.Date != "":
		return w, false, invalidArgument("ExpiredObjectDeleteMarker", "", "ExpiredObjectDeleteMarker goes alone in an Expiration, without Days or dates.")
	case !*e.ExpiredObjectDeleteMarker:
		return w, false, invalidArgument("ExpiredObjectDeleteMarker", "false", "ExpiredObjectDeleteMarker, when given, must be true.")
	default:
		return w, true, nil
	}
	w, err = when("Expiration", e.Days, e.CreatedBeforeDate, e.Date)
	return w, false, err
}

// transitions checks a rule's Transition actions against each other and
// against its expiration exp.
func transitions(in []ossxml.LifecycleTransition, exp store.LifecycleWhen) ([]store.LifecycleTransition, error) {
	var out []store.LifecycleTransition
	for _, t := range in {
		if coldness[t.StorageClass] == 0 {
			return nil, invalidArgument("StorageClass", t.StorageClass, "A transition goes to IA, Archive, ColdArchive or DeepColdArchive.")
		}
		if t.ReturnToStdWhenVisit != nil || t.AllowSmallFile != nil {
			return nil, invalidArgument("Transition", "", "ReturnToStdWhenVisit and AllowSmallFile go only with IsAccessTime true.")
		}
		w, err := when("Transition", t.Days, t.CreatedBeforeDate, "")
		if err != nil {
			return nil, err
		}
		if !earlier(w, exp) {
			return nil, invalidArgument("Transition", t.StorageClass, "A transition must come before the expiration of its rule.")
		}
		for _, o := range out {
			if o.StorageClass == t.StorageClass {
				return nil, invalidArgument("StorageClass", t.StorageClass, "A lifecycle rule has two transitions to one storage class.")
			}
			warm, cold := o.When, w
			if coldness[o.StorageClass] > coldness[t.StorageClass] {
				warm, cold = w, o.When
			}
			if !earlier(warm, cold) {
				return nil, invalidArgument("Transition", t.StorageClass, "A transition to a colder storage class must come later than one to a warmer class.")
			}
		}
		out = append(out, store.LifecycleTransition{When: w, StorageClass: t.StorageClass})
	}
	return out, nil
}

// earlier reports whether a comes strictly before b, when both count Days
// or both name a CreatedBeforeDate; other pairs are not compared (true).
func earlier(a, b store.LifecycleWhen) bool {
	switch {
	case a.Days > 0 && b.Days > 0:
		return a.Days < b.Days
	case !a.Before.IsZero() && !b.Before.IsZero():
		return a.Before.Before(b.Before)
	}
	return true
}

// when checks the time of an action: exactly one of days,
// createdBefore and date (the older Expiration form), days positive, the
// dates midnights UTC in OSS's layout.
func when(action string, days *int, createdBefore, date string) (store.LifecycleWhen, error) {
	n := 0
	for _, set := range []bool{days != nil, createdBefore != "", date != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		msg := action + " takes one of Days and CreatedBeforeDate."
		if action == "Expiration" {
			msg = "Expiration takes one of Days, CreatedBeforeDate and Date."
		}
		return store.LifecycleWhen{}, invalidArgument(action, "", msg)
	}
	var w store.LifecycleWhen
	var err error
	switch {
	case days != nil && *days < 1:
		return w, invalidArgument("Days", strconv.Itoa(*days), "Days must be a positive integer.")
	case days != nil:
		w.Days = *days
	case createdBefore != "":
		w.Before, err = midnight("CreatedBeforeDate", createdBefore)
	default:
		w.Date, err = midnight("Date", date)
	}
	return w, err
}

// midnight parses a date of a lifecycle rule.
func midnight(name, v string) (time.Time, error) {
	t, err := time.Parse(ossxml.TimeLayout, strings.TrimSpace(v))
	if err != nil || !t.Equal(t.Truncate(24*time.Hour)) {
		return time.Time{}, invalidArgument(name, v, name+" must be a midnight UTC, such as 2002-10-11T00:00:00.000Z.")
	}
	return t, nil
}

// checkOverlap refuses two rules with the same action one of whose
// prefixes is a prefix of the other's.
func checkOverlap(rules []store.LifecycleRule) error {
	for _, a := range []struct {
		name string
		has  func(store.LifecycleRule) bool
	}{
		{"Expiration", func(r store.LifecycleRule) bool { return !r.Expiration.IsZero() }},
		{"Transition", func(r store.LifecycleRule) bool { return len(r.Transitions) > 0 }},
		{"AbortMultipartUpload", func(r store.LifecycleRule) bool { return r.AbortDays > 0 || !r.AbortBefore.IsZero() }},
		{"NoncurrentVersionExpiration", func(r store.LifecycleRule) bool { return r.NoncurrentDays > 0 }},
		{"NoncurrentVersionTransition", func(r store.LifecycleRule) bool { return len(r.NoncurrentTransitions) > 0 }},
	} {
		var prefixes []string
		for _, r := range rules {
			if a.has(r) {
				prefixes = append(prefixes, r.Prefix)
			}
		}
		if p, ok := overlapping(prefixes); ok {
			return invalidArgument("Prefix", p,
				"The prefixes of two lifecycle rules with the "+a.name+" action overlap; send x-oss-allow-same-action-overlap: true to allow it.")
		}
	}
	return nil
}

// overlapping returns a prefix that extends (or equals) another one of
// prefixes. In byte order, a prefix of a later prefix is a prefix of every
// one in between, so comparing neighbours suffices.
func overlapping(prefixes []string) (string, bool) {
	slices.Sort(prefixes)
	for i := 1; i < len(prefixes); i++ {
		if strings.HasPrefix(prefixes[i], prefixes[i-1]) {
			return prefixes[i], true
		}
	}
	return "", false
}
