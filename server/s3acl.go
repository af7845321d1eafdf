package server

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/ossup/ossup/internal/ossxml"
)

// S3 clients read an ACL as a list of grants, where OSS answers the
// canned ACL's name. A canned ACL is these grants on S3: the owner has
// FULL_CONTROL; public-read adds READ for everyone, public-read-write
// READ and WRITE.

// allUsers is S3's group of every caller, signed or not.
const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"

// writeS3ACL answers GetBucketAcl or GetObjectAcl in S3's form: owner's
// account and the grants of the canned acl (an object's "default" is
// its bucket's, bucketACL).
func writeS3ACL(w http.ResponseWriter, owner, acl, bucketACL string) error {
	if acl == "" || acl == aclDefault {
		acl = bucketACL
	}
	o := ownerOf(owner)
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	b.WriteString(xml.Header)
	b.WriteString(`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + esc(o.ID) + `</ID><DisplayName>` + esc(o.DisplayName) + `</DisplayName></Owner><AccessControlList>`)
	grant := func(grantee, perm string) {
		b.WriteString(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` + grantee + `</Grantee><Permission>` + perm + `</Permission></Grant>`)
	}
	grant(`xsi:type="CanonicalUser"><ID>`+esc(o.ID)+`</ID><DisplayName>`+esc(o.DisplayName)+`</DisplayName>`, "FULL_CONTROL")
	switch acl {
	case aclPublicRead:
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "READ")
	case aclPublicReadWrite:
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "READ")
		grant(`xsi:type="Group"><URI>`+allUsers+`</URI>`, "WRITE")
	}
	b.WriteString(`</AccessControlList></AccessControlPolicy>`)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
	return nil
}

// s3GrantsRefused answers an S3 PutBucketAcl or PutObjectAcl without a
// canned x-amz-acl: a list of grants has no OSS equivalent.
func s3GrantsRefused() error {
	return newError(ossxml.CodeNotImplemented, "ACL grant lists are not supported; send a canned ACL in x-amz-acl (private, public-read, public-read-write).")
}
