package server

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// Data replication (PutBucketReplication, GetBucketReplication,
// DeleteBucketReplication, GetBucketReplicationLocation,
// GetBucketReplicationProgress): rules are stored and reported, nothing
// is replicated. The rules are the bucket's config document
// replicationConfig, a ReplicationConfiguration.

const replicationConfig = "replication"

// Limits of a replication configuration.
const (
	maxReplicationRules    = 100
	maxReplicationPrefixes = 10
	maxReplicationRuleID   = 255
	// replicationStatus is the Status of every rule: a rule of a single
	// node never gets past starting.
	replicationStatus = "starting"
)

// replicationActions are the operations a rule may replicate, besides ALL.
var replicationActions = []string{"PUT", "DELETE", "ABORT"}

func (s *Server) replicationRules(ctx context.Context, rq *request) ([]ossxml.ReplicationRule, error) {
	doc, err := loadConf[ossxml.ReplicationConfiguration](ctx, s, rq.bucket, replicationConfig)
	if err != nil || doc == nil {
		return nil, storeError(err, rq)
	}
	return doc.Rules, nil
}

func (s *Server) saveReplication(ctx context.Context, rq *request, rules []ossxml.ReplicationRule) error {
	if len(rules) == 0 {
		return deleteConf(ctx, s, rq, replicationConfig)
	}
	return saveConf(ctx, s, rq, replicationConfig, &ossxml.ReplicationConfiguration{Rules: rules})
}

// putBucketReplication answers PutBucketReplication: the body's one rule
// is added, under its ID or a new one, which the answer's
// x-oss-replication-rule-id names.
func (s *Server) putBucketReplication(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	var doc ossxml.ReplicationConfiguration
	if err := s.readConf(w, r, &doc); err != nil {
		return err
	}
	if err := required("Rule", len(doc.Rules) > 0); err != nil {
		return err
	}
	if len(doc.Rules) > 1 {
		return invalidArgument("Rule", strconv.Itoa(len(doc.Rules)), "A request adds one replication rule.")
	}
	rule := doc.Rules[0]
	if err := checkReplicationRule(&rule); err != nil {
		return err
	}
	s.confMu.Lock()
	defer s.confMu.Unlock()
	rules, err := s.replicationRules(ctx, rq)
	if err != nil {
		return err
	}
	if rule.ID == "" {
		rule.ID = rand.Text()
	}
	if slices.ContainsFunc(rules, func(x ossxml.ReplicationRule) bool { return x.ID == rule.ID }) {
		return invalidArgument("ID", rule.ID, "A replication rule with this ID exists.")
	}
	if len(rules) >= maxReplicationRules {
		return invalidArgument("Rule", "", "A bucket holds at most 100 replication rules.")
	}
	rule.Status = replicationStatus
	if err := s.saveReplication(ctx, rq, append(rules, rule)); err != nil {
		return err
	}
	w.Header().Set("x-oss-replication-rule-id", rule.ID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkReplicationRule applies OSS's schema to a rule, filling in the
// defaults (Action ALL, HistoricalObjectReplication enabled): a
// Destination with a valid Bucket and a Location is required; Action is
// ALL or some of PUT, DELETE and ABORT; TransferType internal or oss_acc;
// at most 10 prefixes; the statuses take their enumerations.
func checkReplicationRule(rule *ossxml.ReplicationRule) error {
	d := rule.Destination
	if err := required("Destination", d != nil && d.Bucket != "" && d.Location != ""); err != nil {
		return err
	}
	if !validBucketName(d.Bucket) {
		return invalidArgument("Bucket", d.Bucket, "The destination bucket name is not valid.")
	}
	if d.TransferType != "" {
		if err := oneOf("TransferType", d.TransferType, "internal", "oss_acc"); err != nil {
			return err
		}
	}
	if len(rule.ID) > maxReplicationRuleID {
		return invalidArgument("ID", rule.ID, "A replication rule ID has at most 255 characters.")
	}
	if err := checkReplicationAction(rule); err != nil {
		return err
	}
	if rule.HistoricalObjectReplication == "" {
		rule.HistoricalObjectReplication = "enabled"
	}
	if err := oneOf("HistoricalObjectReplication", rule.HistoricalObjectReplication, "enabled", "disabled"); err != nil {
		return err
	}
	if rule.PrefixSet != nil && len(rule.PrefixSet.Prefixes) > maxReplicationPrefixes {
		return invalidArgument("Prefix", strconv.Itoa(len(rule.PrefixSet.Prefixes)), "A replication rule holds at most 10 prefixes.")
	}
	if rule.RTC != nil {
		if err := oneOf("RTC", rule.RTC.Status, "enabled", "disabled"); err != nil {
			return err
		}
	}
	if c := rule.SourceSelectionCriteria; c != nil && c.SseKmsEncryptedObjects != nil {
		if err := oneOf("SseKmsEncryptedObjects", c.SseKmsEncryptedObjects.Status, "Enabled", "Disabled"); err != nil {
			return err
		}
	}
	return nil
}

func checkReplicationAction(rule *ossxml.ReplicationRule) error {
	if rule.Action == "" {
		rule.Action = "ALL"
	}
	for a := range strings.SplitSeq(rule.Action, ",") {
		if a != "ALL" && !slices.Contains(replicationActions, a) {
			return invalidArgument("Action", rule.Action, "Action must be ALL or some of PUT, DELETE and ABORT.")
		}
	}
	return nil
}

// getBucketReplication answers GetBucketReplication: every rule, or
// NoSuchReplicationConfiguration.
func (s *Server) getBucketReplication(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	rules, err := s.replicationRules(ctx, rq)
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return noSuchReplication(rq)
	}
	return writeXML(w, &ossxml.ReplicationConfiguration{Rules: rules})
}

func noSuchReplication(rq *request) error {
	e := newError(ossxml.CodeNoSuchReplicationConfig, "")
	e.body.BucketName = rq.bucket
	return e
}

// deleteBucketReplication answers DeleteBucketReplication: the rule of
// the body's ID goes; 200 whether or not there was one, as on OSS.
func (s *Server) deleteBucketReplication(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	var doc ossxml.ReplicationRules
	if err := s.readConf(w, r, &doc); err != nil {
		return err
	}
	if err := required("ID", len(doc.IDs) > 0 && doc.IDs[0] != ""); err != nil {
		return err
	}
	s.confMu.Lock()
	defer s.confMu.Unlock()
	rules, err := s.replicationRules(ctx, rq)
	if err != nil {
		return err
	}
	kept := slices.DeleteFunc(rules, func(x ossxml.ReplicationRule) bool { return slices.Contains(doc.IDs, x.ID) })
	if err := s.saveReplication(ctx, rq, kept); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketReplicationLocation answers GetBucketReplicationLocation: a
// single node reaches only its own region.
func (s *Server) getBucketReplicationLocation(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	return writeXML(w, &ossxml.ReplicationLocation{Locations: []string{s.location()}})
}

// getBucketReplicationProgress answers GetBucketReplicationProgress for
// the rule rule-id (every rule when absent): nothing replicated yet.
func (s *Server) getBucketReplicationProgress(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	rules, err := s.replicationRules(ctx, rq)
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return noSuchReplication(rq)
	}
	id := rq.query.Get("rule-id")
	var out ossxml.ReplicationProgress
	for _, x := range rules {
		if id != "" && x.ID != id {
			continue
		}
		p := ossxml.ReplicationProgressRule{ID: x.ID, PrefixSet: x.PrefixSet, Action: x.Action, Destination: x.Destination,
			Status: x.Status, HistoricalObjectReplication: x.HistoricalObjectReplication}
		if x.HistoricalObjectReplication == "enabled" {
			p.Progress = &ossxml.ReplicationProgressInfo{HistoricalObject: "0.00"}
		}
		out.Rules = append(out.Rules, p)
	}
	if len(out.Rules) == 0 {
		e := newError(ossxml.CodeNoSuchReplicationRule, "")
		e.body.BucketName = rq.bucket
		return e
	}
	return writeXML(w, &out)
}
