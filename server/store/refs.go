package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Blob reference counts.
//
// A blob may be referenced by several records: a copied object shares its
// source's blobs, a copied part shares the source blobs its range covers
// whole, and a manifest may list one blob more than once. The top-level
// bbolt bucket refs maps each referenced blob's 16 id bytes to the number
// of references (a uvarint), counting every manifest entry. Each change of
// state adjusts the counts in the same transaction as the records (see
// Disk.commit), and a blob is removed only after the commit that took its
// count to zero. Open recounts every reference from the records and
// repairs the table where it differs (and builds it for a layout 1 store,
// which had none), so the counts can never drift past a restart.
const bktRefs = "refs"

// errRefCount reports a reference count the records contradict; the
// change of state that met it is refused, so no blob is removed early.
var errRefCount = errors.New("store: blob reference count out of step with the records")

func refKey(id string) ([]byte, error) {
	k, err := hex.DecodeString(id)
	if err != nil || len(k) != 16 {
		return nil, fmt.Errorf("store: bad blob id %q", id)
	}
	return k, nil
}

// retain adds one reference to each id; an id listed twice gains two.
func retain(tx *bolt.Tx, ids []string) error {
	refs := tx.Bucket([]byte(bktRefs))
	for _, id := range ids {
		k, err := refKey(id)
		if err != nil {
			return err
		}
		n, _ := binary.Uvarint(refs.Get(k))
		if err := refs.Put(k, binary.AppendUvarint(nil, n+1)); err != nil {
			return err
		}
	}
	return nil
}

// release drops one reference per id and returns the ids left with none,
// whose blobs the caller removes after the commit.
func release(tx *bolt.Tx, ids []string) (freed []string, err error) {
	refs := tx.Bucket([]byte(bktRefs))
	for _, id := range ids {
		k, err := refKey(id)
		if err != nil {
			return nil, err
		}
		n, _ := binary.Uvarint(refs.Get(k))
		switch n {
		case 0:
			return nil, fmt.Errorf("%w: blob %s has no reference to drop", errRefCount, id)
		case 1:
			freed = append(freed, id)
			err = refs.Delete(k)
		default:
			err = refs.Put(k, binary.AppendUvarint(nil, n-1))
		}
		if err != nil {
			return nil, err
		}
	}
	return freed, nil
}

// refCount is a blob's reference count as the table holds it.
func refCount(tx *bolt.Tx, id string) uint64 {
	k, err := refKey(id)
	if err != nil {
		return 0
	}
	n, _ := binary.Uvarint(tx.Bucket([]byte(bktRefs)).Get(k))
	return n
}

// reconcile makes the refs table equal counts (recounted from the
// records) and returns how many entries it had to change.
func reconcile(tx *bolt.Tx, counts map[string]int) (int, error) {
	refs, err := tx.CreateBucketIfNotExists([]byte(bktRefs))
	if err != nil {
		return 0, err
	}
	fixed := 0
	var stale [][]byte
	err = refs.ForEach(func(k, v []byte) error {
		n, _ := binary.Uvarint(v)
		if want, ok := counts[hex.EncodeToString(k)]; !ok || uint64(want) != n {
			stale = append(stale, k)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range stale {
		if want, ok := counts[hex.EncodeToString(k)]; ok {
			err = refs.Put(k, binary.AppendUvarint(nil, uint64(want)))
		} else {
			err = refs.Delete(k)
		}
		if err != nil {
			return 0, err
		}
		fixed++
	}
	for id, n := range counts {
		k, err := refKey(id)
		if err != nil {
			return 0, err
		}
		if refs.Get(k) != nil {
			continue
		}
		if err := refs.Put(k, binary.AppendUvarint(nil, uint64(n))); err != nil {
			return 0, err
		}
		fixed++
	}
	return fixed, nil
}
