package oss

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/ossup/ossup/internal/ossxml"
)

// PutBucketInventory adds an inventory configuration to a bucket, under
// its Id; an Id the bucket has is an error with code
// InventoryAlreadyExist.
func (c *Client) PutBucketInventory(ctx context.Context, req *PutBucketConfigRequest[InventoryConfig]) (*BucketConfigResult, error) {
	if req.Config.Id == "" {
		return nil, fmt.Errorf("oss: PutBucketInventory %s: inventory id is required: %w", req.Bucket, ErrInvalidArgument)
	}
	return putConf(ctx, c, "PutBucketInventory", inventoryQuery(req.Config.Id), req)
}

// InventoryRequest names one inventory configuration of a bucket.
type InventoryRequest struct {
	Bucket string
	ID     string
}

func inventoryQuery(id string) url.Values {
	return url.Values{"inventory": {""}, "inventoryId": {id}}
}

// GetBucketInventory returns one inventory configuration of a bucket, or
// an error with code NoSuchInventory.
func (c *Client) GetBucketInventory(ctx context.Context, req *InventoryRequest) (*GetBucketConfigResult[InventoryConfig], error) {
	return getConf[InventoryConfig](ctx, c, "GetBucketInventory", inventoryQuery(req.ID), req.Bucket)
}

// DeleteBucketInventory removes one inventory configuration of a bucket;
// one it does not have is not an error.
func (c *Client) DeleteBucketInventory(ctx context.Context, req *InventoryRequest) (*BucketConfigResult, error) {
	return deleteConf(ctx, c, "DeleteBucketInventory", inventoryQuery(req.ID), req.Bucket)
}

// ListBucketInventoryRequest names the bucket whose inventory
// configurations to list.
type ListBucketInventoryRequest struct {
	Bucket string
	// ContinuationToken starts the listing after an earlier page.
	ContinuationToken string
}

// ListBucketInventoryResult is one page of at most 100 inventory
// configurations, in Id order.
type ListBucketInventoryResult struct {
	Configs               []InventoryConfig
	IsTruncated           bool
	NextContinuationToken string
	RequestID             string
}

// ListBucketInventory returns a bucket's inventory configurations page by
// page; it stops after the first error, or when a page would repeat.
func (c *Client) ListBucketInventory(ctx context.Context, req *ListBucketInventoryRequest) iter.Seq2[*ListBucketInventoryResult, error] {
	return func(yield func(*ListBucketInventoryResult, error) bool) {
		token := req.ContinuationToken
		for {
			q := url.Values{"inventory": {""}}
			if token != "" {
				q.Set("continuation-token", token)
			}
			page, err := getConf[ossxml.ListInventoryConfigurationsResult](ctx, c, "ListBucketInventory", q, req.Bucket)
			if err != nil {
				yield(nil, err)
				return
			}
			p := page.Config
			res := &ListBucketInventoryResult{Configs: p.InventoryConfigurations, IsTruncated: p.IsTruncated, NextContinuationToken: p.NextContinuationToken, RequestID: page.RequestID}
			if !yield(res, nil) || !p.IsTruncated {
				return
			}
			if p.NextContinuationToken == "" || p.NextContinuationToken == token {
				yield(nil, fmt.Errorf("oss: ListBucketInventory %s: continuation token %q does not move", req.Bucket, p.NextContinuationToken))
				return
			}
			token = p.NextContinuationToken
		}
	}
}

// PutBucketReplicationRequest adds one data replication rule to a bucket.
type PutBucketReplicationRequest struct {
	Bucket string
	// Rule needs a Destination; an empty ID lets the service choose one.
	Rule ReplicationRule
}

// PutBucketReplicationResult carries the ID of the rule added.
type PutBucketReplicationResult struct {
	RuleID    string
	RequestID string
}

// PutBucketReplication adds a data replication rule to a bucket.
func (c *Client) PutBucketReplication(ctx context.Context, req *PutBucketReplicationRequest) (*PutBucketReplicationResult, error) {
	op, err := confOp("PutBucketReplication", http.MethodPost, req.Bucket, url.Values{"replication": {""}, "comp": {"add"}})
	if err != nil {
		return nil, err
	}
	resp, err := c.doXMLResponse(ctx, op, &ossxml.ReplicationConfiguration{Rules: []ReplicationRule{req.Rule}})
	if err != nil {
		return nil, err
	}
	res := &PutBucketReplicationResult{RuleID: resp.Header.Get("x-oss-replication-rule-id")}
	if res.RequestID, err = decodeXMLBody(op, resp, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// GetBucketReplicationResult is a bucket's data replication rules.
type GetBucketReplicationResult struct {
	Rules     []ReplicationRule
	RequestID string
}

// GetBucketReplication returns a bucket's data replication rules, or an
// error with code NoSuchReplicationConfiguration.
func (c *Client) GetBucketReplication(ctx context.Context, req *BucketRequest) (*GetBucketReplicationResult, error) {
	res, err := getConf[ossxml.ReplicationConfiguration](ctx, c, "GetBucketReplication", sub("replication"), req.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketReplicationResult{Rules: res.Config.Rules, RequestID: res.RequestID}, nil
}

// ReplicationRuleRequest names one data replication rule of a bucket.
type ReplicationRuleRequest struct {
	Bucket string
	RuleID string
}

// DeleteBucketReplication removes a data replication rule; one the bucket
// does not have is not an error.
func (c *Client) DeleteBucketReplication(ctx context.Context, req *ReplicationRuleRequest) (*BucketConfigResult, error) {
	op, err := confOp("DeleteBucketReplication", http.MethodPost, req.Bucket, url.Values{"replication": {""}, "comp": {"delete"}})
	if err != nil {
		return nil, err
	}
	if req.RuleID == "" {
		return nil, op.wrap(fmt.Errorf("rule id is required: %w", ErrInvalidArgument))
	}
	id, err := c.doXML(ctx, op, &ossxml.ReplicationRules{IDs: []string{req.RuleID}}, nil)
	if err != nil {
		return nil, err
	}
	return &BucketConfigResult{RequestID: id}, nil
}

// GetBucketReplicationLocationResult lists the regions a bucket may
// replicate to.
type GetBucketReplicationLocationResult struct {
	Locations []string
	RequestID string
}

// GetBucketReplicationLocation returns the regions a bucket may
// replicate to.
func (c *Client) GetBucketReplicationLocation(ctx context.Context, req *BucketRequest) (*GetBucketReplicationLocationResult, error) {
	res, err := getConf[ossxml.ReplicationLocation](ctx, c, "GetBucketReplicationLocation", sub("replicationLocation"), req.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketReplicationLocationResult{Locations: res.Config.Locations, RequestID: res.RequestID}, nil
}

// GetBucketReplicationProgressResult is how far replication rules have
// got.
type GetBucketReplicationProgressResult struct {
	Rules     []ReplicationProgressRule
	RequestID string
}

// GetBucketReplicationProgress returns the progress of the rule RuleID,
// or of every rule when RuleID is empty.
func (c *Client) GetBucketReplicationProgress(ctx context.Context, req *ReplicationRuleRequest) (*GetBucketReplicationProgressResult, error) {
	q := sub("replicationProgress")
	if req.RuleID != "" {
		q.Set("rule-id", req.RuleID)
	}
	res, err := getConf[ossxml.ReplicationProgress](ctx, c, "GetBucketReplicationProgress", q, req.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketReplicationProgressResult{Rules: res.Config.Rules, RequestID: res.RequestID}, nil
}
