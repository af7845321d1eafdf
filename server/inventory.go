package server

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/ossup/ossup/internal/ossxml"
)

// Bucket inventory (PutBucketInventory, GetBucketInventory,
// ListBucketInventory, DeleteBucketInventory): stored, never run. The
// configurations are the bucket's config document inventoryConfig, a
// ListInventoryConfigurationsResult in Id order.

const inventoryConfig = "inventory"

// Limits of bucket inventory.
const (
	maxInventories      = 1000
	inventoryPageSize   = 100
	inventoryBucketARN  = "acs:oss:::"
	inventoryIDAllowed  = "1 to 64 letters, digits, '-', '_' and '.'"
	inventoryNoSuchText = "The specified inventory configuration does not exist."
)

var inventoryID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Values an inventory configuration's enumerations may take.
var (
	inventoryFrequencies = []string{"Daily", "Weekly", "Monthly", "Once"}
	inventoryVersions    = []string{"All", "Current"}
	inventoryFields      = []string{"Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded",
		"EncryptionStatus", "TransitionTime", "ObjectAcl", "TaggingCount", "ObjectType", "Crc64"}
	inventoryClasses = []string{"Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive", "All"}
)

func (s *Server) inventories(ctx context.Context, rq *request) ([]ossxml.InventoryConfiguration, error) {
	doc, err := loadConf[ossxml.ListInventoryConfigurationsResult](ctx, s, rq.bucket, inventoryConfig)
	if err != nil || doc == nil {
		return nil, storeError(err, rq)
	}
	return doc.InventoryConfigurations, nil
}

func noSuchInventory(rq *request) error {
	e := newError(ossxml.CodeNoSuchInventory, inventoryNoSuchText)
	e.body.BucketName = rq.bucket
	return e
}

// putBucketInventory answers PutBucketInventory: a new configuration,
// whose Id must be the query's inventoryId and not yet taken
// (InventoryAlreadyExist).
func (s *Server) putBucketInventory(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	id := rq.query.Get("inventoryId")
	if !inventoryID.MatchString(id) {
		return invalidArgument("inventoryId", id, "The inventory ID must be "+inventoryIDAllowed+".")
	}
	var doc ossxml.InventoryConfiguration
	if err := s.readConf(w, r, &doc); err != nil {
		return err
	}
	if doc.Id != id {
		return invalidArgument("Id", doc.Id, "The Id in the body must be the inventoryId of the URL.")
	}
	if err := checkInventory(&doc); err != nil {
		return err
	}
	s.confMu.Lock()
	defer s.confMu.Unlock()
	list, err := s.inventories(ctx, rq)
	if err != nil {
		return err
	}
	i, found := slices.BinarySearchFunc(list, id, func(c ossxml.InventoryConfiguration, id string) int { return strings.Compare(c.Id, id) })
	if found {
		return newError(ossxml.CodeInventoryAlreadyExist, "")
	}
	if len(list) >= maxInventories {
		return invalidArgument("inventoryId", id, "A bucket holds at most 1000 inventory configurations.")
	}
	list = slices.Insert(list, i, doc)
	if err := saveConf(ctx, s, rq, inventoryConfig, &ossxml.ListInventoryConfigurationsResult{InventoryConfigurations: list}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkInventory applies OSS's schema: IsEnabled, Destination with its
// OSSBucketDestination (Format CSV, AccountId, RoleArn, and Bucket as
// acs:oss:::name), Schedule and IncludedObjectVersions are required;
// enumerations must hold one of their values, a filter's bounds must be
// in order.
func checkInventory(doc *ossxml.InventoryConfiguration) error {
	d := doc.Destination
	if err := required("OSSBucketDestination", d != nil && d.OSSBucketDestination != nil); err != nil {
		return err
	}
	dst := d.OSSBucketDestination
	for _, el := range []struct {
		name    string
		present bool
	}{{"IsEnabled", doc.IsEnabled != nil}, {"Schedule", doc.Schedule != nil},
		{"AccountId", dst.AccountId != ""}, {"RoleArn", dst.RoleArn != ""}, {"Bucket", dst.Bucket != ""}} {
		if err := required(el.name, el.present); err != nil {
			return err
		}
	}
	if err := oneOf("Format", dst.Format, "CSV"); err != nil {
		return err
	}
	if b, ok := strings.CutPrefix(dst.Bucket, inventoryBucketARN); !ok || !validBucketName(b) {
		return invalidArgument("Bucket", dst.Bucket, "The destination bucket must be acs:oss:::<bucket>.")
	}
	if err := oneOf("Frequency", doc.Schedule.Frequency, inventoryFrequencies...); err != nil {
		return err
	}
	if err := oneOf("IncludedObjectVersions", doc.IncludedObjectVersions, inventoryVersions...); err != nil {
		return err
	}
	if doc.OptionalFields != nil {
		for _, f := range doc.OptionalFields.Fields {
			if err := oneOf("Field", f, inventoryFields...); err != nil {
				return err
			}
		}
	}
	return checkInventoryFilter(doc.Filter)
}

func checkInventoryFilter(f *ossxml.InventoryFilter) error {
	if f == nil {
		return nil
	}
	if f.StorageClass != "" {
		for c := range strings.SplitSeq(f.StorageClass, ",") {
			if !slices.Contains(inventoryClasses, strings.TrimSpace(c)) {
				return invalidArgument("StorageClass", f.StorageClass, "The storage class filter is not valid.")
			}
		}
	}
	ordered := func(lo, hi *int64) bool { return lo == nil || hi == nil || *lo <= *hi }
	nonNegative := func(vs ...*int64) bool {
		return !slices.ContainsFunc(vs, func(v *int64) bool { return v != nil && *v < 0 })
	}
	if !nonNegative(f.LowerSizeBound, f.UpperSizeBound, f.LastModifyBeginTimeStamp, f.LastModifyEndTimeStamp) ||
		!ordered(f.LowerSizeBound, f.UpperSizeBound) || !ordered(f.LastModifyBeginTimeStamp, f.LastModifyEndTimeStamp) {
		return invalidArgument("Filter", "", "The filter's bounds must be non-negative and in order.")
	}
	return nil
}

// getBucketInventory answers GetBucketInventory, or NoSuchInventory.
func (s *Server) getBucketInventory(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	list, err := s.inventories(ctx, rq)
	if err != nil {
		return err
	}
	id := rq.query.Get("inventoryId")
	i := slices.IndexFunc(list, func(c ossxml.InventoryConfiguration) bool { return c.Id == id })
	if i < 0 {
		return noSuchInventory(rq)
	}
	return writeXML(w, &list[i])
}

// listBucketInventory answers ListBucketInventory: up to 100
// configurations in Id order after the continuation-token, which is the
// last Id of the page before. A bucket without any answers an empty list.
func (s *Server) listBucketInventory(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	list, err := s.inventories(ctx, rq)
	if err != nil {
		return err
	}
	after := rq.query.Get("continuation-token")
	start, _ := slices.BinarySearchFunc(list, after, func(c ossxml.InventoryConfiguration, id string) int {
		if c.Id <= id {
			return -1
		}
		return 1
	})
	page := ossxml.ListInventoryConfigurationsResult{InventoryConfigurations: list[start:]}
	if len(page.InventoryConfigurations) > inventoryPageSize {
		page.InventoryConfigurations = page.InventoryConfigurations[:inventoryPageSize]
		page.IsTruncated = true
		page.NextContinuationToken = page.InventoryConfigurations[inventoryPageSize-1].Id
	}
	return writeXML(w, &page)
}

// deleteBucketInventory answers DeleteBucketInventory: 204, whether or
// not the configuration existed.
func (s *Server) deleteBucketInventory(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	s.confMu.Lock()
	defer s.confMu.Unlock()
	list, err := s.inventories(ctx, rq)
	if err != nil {
		return err
	}
	id := rq.query.Get("inventoryId")
	if i := slices.IndexFunc(list, func(c ossxml.InventoryConfiguration) bool { return c.Id == id }); i >= 0 {
		list = slices.Delete(list, i, i+1)
		if len(list) == 0 {
			err = deleteConf(ctx, s, rq, inventoryConfig)
		} else {
			err = saveConf(ctx, s, rq, inventoryConfig, &ossxml.ListInventoryConfigurationsResult{InventoryConfigurations: list})
		}
		if err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
