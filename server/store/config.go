package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// MaxConfigSize is the largest bucket configuration document the store
// keeps, in bytes.
const MaxConfigSize = 1 << 20

// PutBucketConfig stores doc as bucket's configuration called name (for
// example "cors"), replacing an earlier one. The store does not interpret
// doc; name must not be empty and doc must be 1..MaxConfigSize bytes
// (ErrInvalidArgument). The configuration goes with the bucket when it is
// deleted.
func (s *Disk) PutBucketConfig(ctx context.Context, bucket, name string, doc []byte) error {
	if name == "" || len(doc) == 0 || len(doc) > MaxConfigSize {
		return fmt.Errorf("%w: bucket config %q of %d bytes", ErrInvalidArgument, name, len(doc))
	}
	v := append([]byte{recordVersion}, doc...)
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return nil, err
		}
		cfg, err := b.CreateBucketIfNotExists([]byte(bktConfig))
		if err != nil {
			return nil, err
		}
		return nil, cfg.Put([]byte(name), v)
	})
}

// GetBucketConfig returns bucket's configuration called name, or
// ErrNoSuchConfig when it has none.
func (s *Disk) GetBucketConfig(ctx context.Context, bucket, name string) ([]byte, error) {
	var doc []byte
	err := s.view(ctx, func(tx *bolt.Tx) error {
		cfg, err := subOf(tx, bucket, bktConfig)
		if err != nil {
			return err
		}
		var v []byte
		if cfg != nil {
			v = cfg.Get([]byte(name))
		}
		if v == nil {
			return ErrNoSuchConfig
		}
		if v[0] != recordVersion {
			return errRecordVersion
		}
		doc = append([]byte(nil), v[1:]...) // v is only valid inside the transaction
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// DeleteBucketConfig removes bucket's configuration called name; a bucket
// without it is not an error.
func (s *Disk) DeleteBucketConfig(ctx context.Context, bucket, name string) error {
	return s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		cfg, err := subOf(tx, bucket, bktConfig)
		if err != nil || cfg == nil {
			return nil, err
		}
		return nil, cfg.Delete([]byte(name))
	})
}
