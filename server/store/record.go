package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The bbolt layout (all names are bbolt bucket names or keys):
//
//	store/version                  layoutVersion, one byte
//	refs/<16 id bytes>             uvarint reference count (see refs.go)
//	buckets/<name>/info            bucketRec
//	buckets/<name>/lifecycle       lifecycleRec, when the bucket has rules
//	buckets/<name>/config/<name>   a bucket configuration document (e.g. cors):
//	                               recordVersion then the bytes the server put
//	buckets/<name>/objects/<key>   objectRec (header JSON plus binary manifest)
//	buckets/<name>/uploads/<key>/<uploadID>  uploadRec
//	buckets/<name>/parts/<uploadID><uint32 BE part number>  partRec (binary)
//	buckets/<name>/versioning      the versioning state (see versioning.go)
//	buckets/<name>/versions/<key>/<^seq>  a noncurrent version: objectRec
//
// uploads/<key> is a bbolt sub-bucket per object key that has uploads in
// progress; it is deleted with its last upload. Upload IDs begin with the
// initiation time, so their byte order is the initiation order. config is
// created with a bucket's first configuration document; a bucket without it
// has none.
//
// Every value starts with recordVersion; a reader refuses other versions
// instead of guessing.
const (
	bktStore     = "store"
	bktBuckets   = "buckets"
	keyVersion   = "version"
	keyInfo      = "info"
	keyLifecycle = "lifecycle"
	bktObjects   = "objects"
	bktUploads   = "uploads"
	bktParts     = "parts"
	bktConfig    = "config"
)

const (
	layoutVersion = 4
	recordVersion = 1
)

var errRecordVersion = errors.New("store: unsupported record version")

// bucketRec is the stored form of a Bucket.
type bucketRec struct {
	Owner              string `json:"owner,omitempty"`
	ACL                string `json:"acl"`
	StorageClass       string `json:"class"`
	DataRedundancyType string `json:"redundancy"`
	Created            int64  `json:"created"` // Unix nanoseconds
}

// metaRec is the stored form of Metadata, decoupled from the API struct.
type metaRec struct {
	ContentType        string            `json:"type,omitempty"`
	CacheControl       string            `json:"cache,omitempty"`
	ContentDisposition string            `json:"disposition,omitempty"`
	ContentEncoding    string            `json:"encoding,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	ACL                string            `json:"acl,omitempty"`
	StorageClass       string            `json:"class,omitempty"`
	User               map[string]string `json:"user,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	Checksum           string            `json:"checksum,omitempty"`
}

func toMetaRec(m Metadata) metaRec   { return metaRec(m) }
func (m metaRec) metadata() Metadata { return Metadata(m) }

// objectHdr is the JSON part of an object record; the manifest follows it
// in binary so listings need not decode thousands of blob references.
type objectHdr struct {
	Size       int64  `json:"size"`
	ETag       string `json:"etag"`
	ContentMD5 string `json:"md5,omitempty"`
	CRC64      uint64 `json:"crc64"`
	// NVME is the CRC-64/NVME of the whole object, absent for objects
	// stored before it was computed (and for those made of their parts).
	NVME     *uint64 `json:"nvme,omitempty"`
	Type     string  `json:"type"`
	Modified int64   `json:"modified"` // Unix nanoseconds
	Meta     metaRec `json:"meta"`
	// Target is a Symlink's target key.
	Target string `json:"target,omitempty"`
	// Version is the version id of an object written in a versioned
	// bucket ("null" for the null version); empty for objects written
	// before the bucket was versioned, which are null versions too.
	Version string `json:"vid,omitempty"`
	// Seq orders a key's versions (see versioning.go); 0 before
	// versioning.
	Seq uint64 `json:"seq,omitempty"`
	// Marker marks a delete marker, which only the versions bucket holds.
	Marker bool `json:"marker,omitempty"`
	// Restore is an archived object's restore, when one was requested.
	Restore *restoreRec `json:"restore,omitempty"`
}

// blobRef names one blob of a manifest and its size in bytes.
type blobRef struct {
	ID   string // 32 lowercase hex characters
	Size int64
}

// objectRec is a stored object: its header and its manifest, or its
// content itself when it is small (see InlineMax).
type objectRec struct {
	objectHdr
	Blobs []blobRef
	// Inline, when not nil, is the object's whole content, kept in the
	// record instead of a blob; Blobs is then empty.
	Inline []byte
}

// uploadRec is a stored multipart upload; its key and ID are its path.
type uploadRec struct {
	Initiated int64   `json:"initiated"` // Unix nanoseconds
	Meta      metaRec `json:"meta"`
}

// partRec is a stored part. It is encoded in binary (see encodePart)
// because CompleteUpload decodes thousands at once.
type partRec struct {
	Size  int64
	MD5   [16]byte
	CRC64 uint64
	// NVME is the part's CRC-64/NVME when HasNVME; parts stored before it
	// was computed have none.
	NVME     uint64
	HasNVME  bool
	Modified int64 // Unix nanoseconds
	// Blobs is the part's content: one blob for an uploaded part, the
	// shared blobs and copied edges of a copied one.
	Blobs []blobRef
}

// Part records come in four encodings. A part of one blob (every uploaded
// part) is partRecLen bytes: version 1, size, MD5, CRC-64, modified time
// and the 16 bytes of the blob id. A part of several blobs (UploadPartCopy)
// is version 2, the same fixed fields, then a manifest as in encodeObject.
// Versions 3 and 4 are 1 and 2 with the part's CRC-64/NVME after the
// fixed fields; parts stored before it was computed keep 1 and 2.
const (
	partRecLen      = 1 + 8 + 16 + 8 + 8 + 16
	partRecVersion2 = 2
	partRecVersion3 = 3
	partRecVersion4 = 4
)

func encodePart(r *partRec) ([]byte, error) {
	b := make([]byte, 0, partRecLen+8)
	single := len(r.Blobs) == 1 && r.Blobs[0].Size == r.Size
	switch {
	case single && r.HasNVME:
		b = append(b, partRecVersion3)
	case single:
		b = append(b, recordVersion)
	case r.HasNVME:
		b = append(b, partRecVersion4)
	default:
		b = append(b, partRecVersion2)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = append(b, r.MD5[:]...)
	b = binary.BigEndian.AppendUint64(b, r.CRC64)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Modified))
	if r.HasNVME {
		b = binary.BigEndian.AppendUint64(b, r.NVME)
	}
	if single {
		id, err := hex.DecodeString(r.Blobs[0].ID)
		if err != nil || len(id) != 16 {
			return nil, fmt.Errorf("store: bad blob id %q", r.Blobs[0].ID)
		}
		return append(b, id...), nil
	}
	return appendManifest(b, r.Blobs)
}

func decodePart(b []byte) (partRec, error) {
	var r partRec
	if len(b) == 0 || b[0] < recordVersion || b[0] > partRecVersion4 {
		return r, errRecordVersion
	}
	v := b[0]
	single := v == recordVersion || v == partRecVersion3
	r.HasNVME = v >= partRecVersion3
	fixed := partRecLen - 16
	if r.HasNVME {
		fixed += 8
	}
	if len(b) < fixed || single && len(b) != fixed+16 {
		return r, errors.New("store: corrupt part record")
	}
	r.Size = int64(binary.BigEndian.Uint64(b[1:]))
	copy(r.MD5[:], b[9:25])
	r.CRC64 = binary.BigEndian.Uint64(b[25:])
	r.Modified = int64(binary.BigEndian.Uint64(b[33:]))
	if r.HasNVME {
		r.NVME = binary.BigEndian.Uint64(b[41:])
	}
	if single {
		r.Blobs = []blobRef{{ID: hex.EncodeToString(b[fixed:]), Size: r.Size}}
		return r, nil
	}
	blobs, rest, err := decodeManifest(b[fixed:])
	if err == nil && len(rest) > 0 {
		err = errors.New("store: corrupt part record: trailing bytes")
	}
	r.Blobs = blobs
	return r, err
}

// blobIDs returns the ids the part references, one per reference.
func (r *partRec) blobIDs() []string { return idsOf(r.Blobs) }

// upperHex is the ETag form of an MD5.
func upperHex(p []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(p))
	for i, c := range p {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xF]
	}
	return string(out)
}

func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{recordVersion}, b...), nil
}

func decodeJSON(b []byte, v any) error {
	if len(b) == 0 || b[0] != recordVersion {
		return errRecordVersion
	}
	return json.Unmarshal(b[1:], v)
}

// objectInlineVersion marks an object record that holds its content: the
// layout of recordVersion (with an empty manifest), then the content to
// the end of the value. A store that predates inline content refuses the
// record instead of reading it as an empty object.
const objectInlineVersion = 2

// encodeObject lays out version, uvarint header length, header JSON, uvarint
// blob count, then per blob 16 id bytes and a uvarint size; an inline
// object's content follows its (empty) manifest.
func encodeObject(r *objectRec) ([]byte, error) {
	if r.Inline != nil && len(r.Blobs) > 0 {
		return nil, errors.New("store: object record with both blobs and inline content")
	}
	hdr, err := json.Marshal(&r.objectHdr)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(hdr)+len(r.Blobs)*(16+4)+len(r.Inline))
	if r.Inline != nil {
		b = append(b, objectInlineVersion)
	} else {
		b = append(b, recordVersion)
	}
	b = binary.AppendUvarint(b, uint64(len(hdr)))
	b = append(b, hdr...)
	b, err = appendManifest(b, r.Blobs)
	if err != nil {
		return nil, err
	}
	return append(b, r.Inline...), nil
}

// appendManifest appends the uvarint blob count, then per blob 16 id bytes
// and a uvarint size.
func appendManifest(b []byte, blobs []blobRef) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(blobs)))
	for _, bl := range blobs {
		id, err := hex.DecodeString(bl.ID)
		if err != nil || len(id) != 16 {
			return nil, fmt.Errorf("store: bad blob id %q", bl.ID)
		}
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(bl.Size))
	}
	return b, nil
}

// decodeObject decodes a record; with withBlobs false the manifest and
// inline content are skipped. Inline content is copied out of b, which
// bbolt owns.
func decodeObject(b []byte, withBlobs bool) (objectRec, error) {
	var r objectRec
	if len(b) == 0 || (b[0] != recordVersion && b[0] != objectInlineVersion) {
		return r, errRecordVersion
	}
	inline := b[0] == objectInlineVersion
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return r, errors.New("store: corrupt object record")
	}
	if err := json.Unmarshal(b[k:k+int(n)], &r.objectHdr); err != nil {
		return r, err
	}
	if !withBlobs {
		return r, nil
	}
	blobs, rest, err := decodeManifest(b[k+int(n):])
	if err != nil {
		return r, err
	}
	switch {
	case inline && len(blobs) > 0:
		return r, errors.New("store: corrupt object record: blobs and inline content")
	case inline && int64(len(rest)) != r.Size:
		return r, fmt.Errorf("store: corrupt object record: %d inline bytes of %d", len(rest), r.Size)
	case inline:
		r.Inline = append(make([]byte, 0, len(rest)), rest...)
	case len(rest) > 0:
		return r, errors.New("store: corrupt object record: trailing bytes")
	default:
		r.Blobs = blobs
	}
	return r, nil
}

// decodeManifest decodes a manifest at the start of b and returns it with
// the bytes after it.
func decodeManifest(b []byte) ([]blobRef, []byte, error) {
	count, k := binary.Uvarint(b)
	if k <= 0 || count > uint64(len(b)) {
		return nil, nil, errors.New("store: corrupt manifest")
	}
	b = b[k:]
	blobs := make([]blobRef, 0, count)
	for range count {
		if len(b) < 17 {
			return nil, nil, errors.New("store: corrupt manifest")
		}
		id := hex.EncodeToString(b[:16])
		size, k := binary.Uvarint(b[16:])
		if k <= 0 {
			return nil, nil, errors.New("store: corrupt manifest")
		}
		blobs = append(blobs, blobRef{ID: id, Size: int64(size)})
		b = b[16+k:]
	}
	return blobs, b, nil
}

// blobIDs returns the ids the object references, one per reference.
func (r *objectRec) blobIDs() []string { return idsOf(r.Blobs) }

func idsOf(blobs []blobRef) []string {
	ids := make([]string, len(blobs))
	for i, b := range blobs {
		ids[i] = b.ID
	}
	return ids
}

func (r *objectRec) object(bucket, key string) Object {
	return Object{
		Bucket:       bucket,
		Key:          key,
		Size:         r.Size,
		ETag:         r.ETag,
		ContentMD5:   r.ContentMD5,
		CRC64:        r.CRC64,
		CRC64NVME:    derefNVME(r.NVME),
		HasNVME:      r.NVME != nil,
		Type:         r.Type,
		Modified:     fromNanos(r.Modified),
		Meta:         r.Meta.metadata(),
		Target:       r.Target,
		VersionID:    r.Version,
		DeleteMarker: r.Marker,
		Restore:      r.restore(),
	}
}

func (r *partRec) part(n int) Part {
	return Part{Number: n, Size: r.Size, ETag: upperHex(r.MD5[:]), CRC64: r.CRC64, CRC64NVME: r.NVME, HasNVME: r.HasNVME, Modified: fromNanos(r.Modified)}
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// partKey is the parts-bucket key of part n of upload id.
func partKey(id string, n int) []byte {
	return binary.BigEndian.AppendUint32([]byte(id), uint32(n))
}

// bucketOf returns the bbolt bucket of OSS bucket name.
func bucketOf(tx *bolt.Tx, name string) (*bolt.Bucket, error) {
	if name == "" {
		return nil, ErrNoSuchBucket
	}
	b := tx.Bucket([]byte(bktBuckets)).Bucket([]byte(name))
	if b == nil {
		return nil, ErrNoSuchBucket
	}
	return b, nil
}

// subOf returns sub-bucket sub of OSS bucket name.
func subOf(tx *bolt.Tx, name, sub string) (*bolt.Bucket, error) {
	b, err := bucketOf(tx, name)
	if err != nil {
		return nil, err
	}
	return b.Bucket([]byte(sub)), nil
}

func derefNVME(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}
