package store

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	bolt "go.etcd.io/bbolt"
)

// CompleteUpload assembles the listed parts (all uploaded parts, ascending,
// when parts is nil) into bucket/key in one transaction, without reading or
// copying data: the object's manifest references the part blobs. Checks run
// in this order: the upload exists (ErrNoSuchUpload); with parts nil, some
// part was uploaded (ErrMalformedParts; an empty, non-nil parts completes a
// 0-byte object);
// numbers strictly ascend (ErrInvalidPartOrder); every listed part exists
// with that ETag (ErrInvalidPart); every part but the last has at least
// MinPartSize bytes (ErrEntityTooSmall); with ForbidOverwrite the key is
// free (ErrFileAlreadyExists). opts.ContentMD5 is ignored.
//
// The object takes the upload's metadata, with acl (when not empty) as its
// ACL. Its ETag is the uppercase hex MD5 of the concatenated binary part
// MD5s followed by "-<number of parts>", and its CRC-64 is combined from
// the parts'. Unlisted parts and a replaced object's blobs are removed;
// the upload ends.
func (s *Disk) CompleteUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, acl string, opts PutOptions) (Object, error) {
	var rec *objectRec
	err := s.commit(ctx, nil, func(tx *bolt.Tx) ([]string, error) {
		u, err := findUpload(tx, bucket, key, uploadID)
		if err != nil {
			return nil, err
		}
		all, _, err := partsOf(u.b, uploadID, 0, -1)
		if err != nil {
			return nil, err
		}
		used, err := choose(all, parts)
		if err != nil {
			return nil, err
		}
		if opts.ForbidOverwrite && u.b.Bucket([]byte(bktObjects)).Get([]byte(key)) != nil {
			return nil, ErrFileAlreadyExists
		}
		rec = assemble(u.rec, used, acl, s.now())
		if want := opts.CRC64NVME; want != nil && (rec.NVME == nil || *rec.NVME != *want) {
			return nil, fmt.Errorf("%w: the object's CRC-64/NVME is not %d", ErrBadDigest, *want)
		}
		freed, err := putObjectRec(tx, bucket, key, rec, false)
		if err != nil {
			return nil, err
		}
		freed = append(freed, unused(all, used)...)
		return freed, u.end(key, uploadID, all)
	})
	if err != nil {
		return Object{}, err
	}
	return rec.object(bucket, key), nil
}

// choose validates the requested list against the uploaded parts (all,
// ascending) and returns the parts to assemble.
func choose(all []numberedPart, want []CompletePart) ([]numberedPart, error) {
	used := all
	if want != nil {
		if len(want) == 0 {
			// An explicitly empty list completes a 0-byte object, as OSS does.
			return nil, nil
		}
		for i := 1; i < len(want); i++ {
			if want[i].Number <= want[i-1].Number {
				return nil, fmt.Errorf("%w: part %d after part %d", ErrInvalidPartOrder, want[i].Number, want[i-1].Number)
			}
		}
		var err error
		if used, err = match(all, want); err != nil {
			return nil, err
		}
	}
	if len(used) == 0 {
		return nil, ErrMalformedParts // all parts asked for, none uploaded
	}
	for _, p := range used[:len(used)-1] {
		if p.rec.Size < MinPartSize {
			return nil, fmt.Errorf("%w: part %d has %d bytes, want at least %d", ErrEntityTooSmall, p.n, p.rec.Size, MinPartSize)
		}
	}
	return used, nil
}

// match finds each wanted part (ascending) in all (ascending) by a merge.
func match(all []numberedPart, want []CompletePart) ([]numberedPart, error) {
	used := make([]numberedPart, 0, len(want))
	j := 0
	for _, w := range want {
		for j < len(all) && all[j].n < w.Number {
			j++
		}
		if j == len(all) || all[j].n != w.Number {
			return nil, fmt.Errorf("%w: part %d not uploaded", ErrInvalidPart, w.Number)
		}
		if !etagMatches(w.ETag, all[j].rec.MD5) {
			return nil, fmt.Errorf("%w: part %d etag %s, uploaded %s", ErrInvalidPart, w.Number, w.ETag, upperHex(all[j].rec.MD5[:]))
		}
		if p := all[j].rec; w.CRC64NVME != nil && p.HasNVME && *w.CRC64NVME != p.NVME {
			return nil, fmt.Errorf("%w: part %d CRC-64/NVME %d, uploaded %d", ErrInvalidPart, w.Number, *w.CRC64NVME, p.NVME)
		}
		used = append(used, all[j])
	}
	return used, nil
}

// assemble builds the object record of the used parts, modified now.
func assemble(u uploadRec, used []numberedPart, acl string, now time.Time) *objectRec {
	rec := &objectRec{
		objectHdr: objectHdr{Type: TypeMultipart, Modified: now.UnixNano(), Meta: u.Meta},
		Blobs:     make([]blobRef, 0, len(used)),
	}
	if acl != "" {
		rec.Meta.ACL = acl
	}
	sums := md5.New()
	var nvme uint64
	hasNVME := true
	for _, p := range used {
		sums.Write(p.rec.MD5[:])
		rec.CRC64 = crc64.Combine(rec.CRC64, p.rec.CRC64, p.rec.Size)
		nvme = crc64.CombineNVME(nvme, p.rec.NVME, p.rec.Size)
		hasNVME = hasNVME && p.rec.HasNVME
		rec.Size += p.rec.Size
		rec.Blobs = append(rec.Blobs, p.rec.Blobs...)
	}
	rec.ETag = fmt.Sprintf("%X-%d", sums.Sum(nil), len(used))
	if hasNVME {
		rec.NVME = &nvme
	}
	return rec
}

// etagMatches reports whether etag (quotes optional, any case) is the hex
// form of sum.
func etagMatches(etag string, sum [16]byte) bool {
	etag = strings.Trim(etag, `"`)
	if len(etag) != 2*len(sum) {
		return false
	}
	var got [16]byte
	_, err := hex.Decode(got[:], []byte(etag))
	return err == nil && got == sum
}

// unused returns the blobs of the parts in all (ascending) not in used
// (an ascending subsequence of all).
func unused(all, used []numberedPart) []string {
	var out []string
	j := 0
	for _, p := range all {
		if j < len(used) && used[j].n == p.n {
			j++
			continue
		}
		out = append(out, p.rec.blobIDs()...)
	}
	return out
}
