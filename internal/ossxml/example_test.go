package ossxml_test

import (
	"fmt"

	"github.com/ossup/ossup/internal/ossxml"
)

// The server encodes a listing when the request carries
// encoding-type=url; the client decodes it.
func ExampleListBucketResult_EncodeURL() {
	res := &ossxml.ListBucketResult{
		Name:     "bucket",
		MaxKeys:  100,
		Contents: []ossxml.ObjectSummary{{Key: "dir/a b+\x0c.txt", ETag: `"E"`}},
	}
	res.EncodeURL()
	body, err := ossxml.Marshal(res)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Contents[0].Key)

	var got ossxml.ListBucketResult
	if err := ossxml.Unmarshal(body, &got); err != nil {
		panic(err)
	}
	if err := got.DecodeURL(); err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", got.Contents[0].Key)
	// Output:
	// dir%2Fa%20b%2B%0C.txt
	// "dir/a b+\f.txt"
}

// A HEAD error carries its body in the x-oss-err header.
func ExampleEncodeErrHeader() {
	c, _ := ossxml.LookupCode(ossxml.CodeNoSuchKey)
	v, err := ossxml.EncodeErrHeader(&ossxml.Error{
		Code: c.Code, Message: c.Message, RequestID: "5C3D9175B6FC201293AD4890", HostID: "bucket.localhost", EC: c.EC,
	})
	if err != nil {
		panic(err)
	}
	e, err := ossxml.DecodeErrHeader(v)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Status, e.Code, e.EC)
	// Output: 404 NoSuchKey 0026-00000001
}
