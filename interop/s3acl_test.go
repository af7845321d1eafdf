package interop

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestAWSSDKACL reads and sets canned ACLs through aws-sdk-go-v2: the
// server answers grants as S3 does (the owner's FULL_CONTROL, everyone's
// READ for public-read), canned ACLs set with x-amz-acl are enforced,
// and a list of grants, which OSS cannot hold, is refused.
func TestAWSSDKACL(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := awsClient(f, accessKeySecret)
	bucket := aws.String("aws-acl")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	grants := func(g []types.Grant) []string {
		var out []string
		for _, x := range g {
			who := aws.ToString(x.Grantee.URI)
			if x.Grantee.Type == types.TypeCanonicalUser {
				who = "owner:" + aws.ToString(x.Grantee.ID)
			}
			out = append(out, who+" "+string(x.Permission))
		}
		slices.Sort(out)
		return out
	}
	b, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	owner := aws.ToString(b.Owner.ID)
	if got := grants(b.Grants); owner == "" || !slices.Equal(got, []string{"owner:" + owner + " FULL_CONTROL"}) {
		t.Fatalf("bucket grants %v (owner %q)", got, owner)
	}
	key := aws.String("shared.txt")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader([]byte("hello")), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	o, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	allUsers := "http://acs.amazonaws.com/groups/global/AllUsers"
	if got := grants(o.Grants); !slices.Equal(got, []string{allUsers + " READ", "owner:" + owner + " FULL_CONTROL"}) {
		t.Fatalf("object grants %v", got)
	}
	anon := func() int {
		resp, err := http.Get(f.url + "/aws-acl/shared.txt")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := anon(); got != http.StatusOK {
		t.Fatalf("anonymous GET of a public-read object: %d", got)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bucket, Key: key, ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if got := anon(); got != http.StatusForbidden {
		t.Fatalf("anonymous GET after PutObjectAcl private: %d", got)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bucket, Key: key, AccessControlPolicy: &types.AccessControlPolicy{
		Owner:  &types.Owner{ID: aws.String(owner)},
		Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(allUsers)}, Permission: types.PermissionRead}},
	}})
	if code := apiCode(err); code != "NotImplemented" {
		t.Fatalf("PutObjectAcl with grants: %v (code %q)", err, code)
	}
	if got := anon(); got != http.StatusForbidden {
		t.Fatalf("anonymous GET after a refused grant list: %d", got)
	}
}
