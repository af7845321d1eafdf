package oss

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/limits"
)

// ObjectMetadata is what an object carries besides its bytes.
type ObjectMetadata struct {
	ContentType        string // default: application/octet-stream
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	Expires            string
	// ACL is the object ACL: "default" (the bucket's), "private",
	// "public-read" or "public-read-write"; empty means default.
	ACL string
	// StorageClass is Standard, IA, Archive, ColdArchive or DeepColdArchive;
	// empty means the bucket's.
	StorageClass string
	// User is user metadata, sent as x-oss-meta-<name>; names are
	// case-insensitive and come back lower-cased.
	User map[string]string
	// Tags are the object's tags, sent as x-oss-tagging, in order: at
	// most MaxObjectTags with unique keys. HeadObject and GetObject do not
	// report them (ObjectInfo.TagCount counts them); GetObjectTagging
	// reads them.
	Tags []Tag `json:",omitempty"`
}

// apply checks m and sets its headers.
func (m *ObjectMetadata) apply(h http.Header) error {
	if err := setTagging(h, m.Tags); err != nil {
		return err
	}
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("Content-Type", m.ContentType)
	if m.ContentType == "" {
		h.Set("Content-Type", "application/octet-stream")
	}
	set("Cache-Control", m.CacheControl)
	set("Content-Disposition", m.ContentDisposition)
	set("Content-Encoding", m.ContentEncoding)
	set("Expires", m.Expires)
	set("x-oss-object-acl", m.ACL)
	set("x-oss-storage-class", m.StorageClass)
	for k, v := range m.User {
		h.Set("x-oss-meta-"+strings.ToLower(k), v)
	}
	return nil
}

// Object types, as ObjectInfo.ObjectType and ObjectSummary.Type name them.
const (
	ObjectTypeNormal     = "Normal"     // made by PutObject or CopyObject
	ObjectTypeMultipart  = "Multipart"  // made by CompleteMultipartUpload
	ObjectTypeAppendable = "Appendable" // made by AppendObject
	ObjectTypeSymlink    = "Symlink"    // made by PutSymlink
)

// ObjectInfo describes a stored object, as HeadObject and GetObject report
// it. The request id is in their results.
type ObjectInfo struct {
	Size         int64 // bytes
	ETag         string
	LastModified time.Time
	CRC64        uint64 // CRC-64/ECMA of the whole object; 0 when not reported
	HasCRC64     bool   // whether the service reported a CRC-64
	// ObjectType is how the object was made: ObjectTypeNormal,
	// ObjectTypeMultipart, ObjectTypeAppendable or ObjectTypeSymlink.
	ObjectType string
	// NextAppendPosition is, for an Appendable object, the Position of the
	// next AppendObject: its length in bytes. It is 0 for other types.
	NextAppendPosition int64
	// TagCount is the number of tags the object has.
	TagCount int
	// Restore is the restore of an archived object.
	Restore RestoreStatus
	// ObjectMetadata is the metadata the object was stored with.
	ObjectMetadata ObjectMetadata
	// VersionID is the object's version, in a versioned bucket ("null"
	// for the version written while versioning was suspended or before
	// it was enabled).
	VersionID string
}

func objectInfo(h http.Header) ObjectInfo {
	info := ObjectInfo{
		ETag:       h.Get("ETag"),
		ObjectType: h.Get("x-oss-object-type"),
		VersionID:  h.Get("x-oss-version-id"),
		ObjectMetadata: ObjectMetadata{
			ContentType: h.Get("Content-Type"), CacheControl: h.Get("Cache-Control"),
			ContentDisposition: h.Get("Content-Disposition"), ContentEncoding: h.Get("Content-Encoding"),
			Expires: h.Get("Expires"), ACL: h.Get("x-oss-object-acl"), StorageClass: h.Get("x-oss-storage-class"),
		},
	}
	info.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	info.LastModified, _ = http.ParseTime(h.Get("Last-Modified"))
	info.CRC64, info.HasCRC64 = crcHeader(h)
	info.NextAppendPosition, _ = strconv.ParseInt(h.Get("x-oss-next-append-position"), 10, 64)
	info.TagCount, _ = strconv.Atoi(h.Get("x-oss-tagging-count"))
	info.Restore = parseRestore(h.Get("x-oss-restore"))
	for k, v := range h {
		if name, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok && len(v) > 0 {
			if info.ObjectMetadata.User == nil {
				info.ObjectMetadata.User = map[string]string{}
			}
			info.ObjectMetadata.User[name] = v[0]
		}
	}
	return info
}

// setTrafficLimit adds x-oss-traffic-limit, in bits per second.
func setTrafficLimit(h http.Header, bitsPerSecond int64) error {
	if bitsPerSecond == 0 {
		return nil
	}
	if bitsPerSecond < MinTrafficLimit || bitsPerSecond > MaxTrafficLimit {
		return fmt.Errorf("traffic limit %d bit/s is outside %d..%d: %w", bitsPerSecond, MinTrafficLimit, MaxTrafficLimit, ErrInvalidArgument)
	}
	h.Set("x-oss-traffic-limit", strconv.FormatInt(bitsPerSecond, 10))
	return nil
}

// The range OSS accepts for x-oss-traffic-limit, in bits per second
// (100 KiB/s to 100 MiB/s).
const (
	MinTrafficLimit = limits.MinTrafficLimit
	MaxTrafficLimit = limits.MaxTrafficLimit
)
