package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// BucketStat is what GetBucketStat reports of a bucket, counted from its
// records alone: no blob is read.
type BucketStat struct {
	// Objects and Bytes count the objects and their bytes, noncurrent
	// versions included; ByClass splits them by storage class
	// ("Standard", "IA", ...).
	Objects, Bytes int64
	// DeleteMarkers counts the delete markers of a versioned bucket.
	DeleteMarkers int64
	ByClass       map[string]ClassStat
	// Uploads counts multipart uploads in progress, Parts and PartBytes
	// their parts.
	Uploads, Parts, PartBytes int64
	// LastModified is the latest modification time of an object, in Unix
	// nanoseconds; 0 for an empty bucket.
	LastModified int64
}

// ClassStat counts the objects of one storage class.
type ClassStat struct{ Objects, Bytes int64 }

// BucketStat counts bucket's objects, uploads and parts in one read
// transaction.
func (s *Disk) BucketStat(ctx context.Context, bucket string) (BucketStat, error) {
	st := BucketStat{ByClass: map[string]ClassStat{}}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		info, err := readBucket(bucket, b)
		if err != nil {
			return err
		}
		count := func(v []byte) error {
			rec, err := decodeObject(v, false)
			if err != nil {
				return err
			}
			if rec.Marker {
				st.DeleteMarkers++
				return nil
			}
			class := rec.Meta.StorageClass
			if class == "" {
				class = info.StorageClass
			}
			c := st.ByClass[class]
			c.Objects++
			c.Bytes += rec.Size
			st.ByClass[class] = c
			st.Objects++
			st.Bytes += rec.Size
			st.LastModified = max(st.LastModified, rec.Modified)
			return nil
		}
		err = b.Bucket([]byte(bktObjects)).ForEach(func(_, v []byte) error { return count(v) })
		if err == nil {
			err = forEachVersion(b.Bucket([]byte(bktVersions)), count)
		}
		if err != nil {
			return err
		}
		err = b.Bucket([]byte(bktUploads)).ForEachBucket(func(k []byte) error {
			return b.Bucket([]byte(bktUploads)).Bucket(k).ForEach(func(_, _ []byte) error {
				st.Uploads++
				return nil
			})
		})
		if err != nil {
			return err
		}
		return b.Bucket([]byte(bktParts)).ForEach(func(_, v []byte) error {
			p, err := decodePart(v)
			if err != nil {
				return err
			}
			st.Parts++
			st.PartBytes += p.Size
			return nil
		})
	})
	return st, err
}
