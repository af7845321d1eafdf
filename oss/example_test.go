package oss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// exampleServer starts an OSS-compatible server on loopback with a bucket
// "test-bucket", standing in for a real OSS endpoint.
func exampleServer() *osstest.Env {
	env, err := osstest.New(osstest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return env
}

func Example() {
	env := exampleServer()
	defer env.Close()
	ctx := context.Background()

	client, err := oss.New(oss.Config{
		Endpoint:    env.Config.Endpoint, // e.g. "https://oss-cn-hangzhou.aliyuncs.com"
		Region:      "cn-hangzhou",
		Credentials: oss.StaticCredentials(env.Credentials), // nil: from OSS_ACCESS_KEY_ID etc.
	})
	if err != nil {
		log.Fatal(err)
	}

	data := "hello, world"
	_, err = client.PutObject(ctx, &oss.PutObjectRequest{
		Bucket:         "test-bucket",
		Key:            "greetings/hello.txt",
		Body:           strings.NewReader(data),
		Size:           int64(len(data)),
		ObjectMetadata: oss.ObjectMetadata{ContentType: "text/plain", User: map[string]string{"lang": "en"}},
	})
	if err != nil {
		log.Fatal(err)
	}

	res, err := client.GetObject(ctx, &oss.GetObjectRequest{Bucket: "test-bucket", Key: "greetings/hello.txt"})
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body) // fails with ErrCRCMismatch if the bytes were damaged
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%s, lang %s)\n", body, res.Object.ObjectMetadata.ContentType, res.Object.ObjectMetadata.User["lang"])
	// Output: hello, world (text/plain, lang en)
}

func ExampleClient_HeadObject() {
	env := exampleServer()
	defer env.Close()

	_, err := env.Client.HeadObject(context.Background(), &oss.HeadObjectRequest{Bucket: "test-bucket", Key: "no/such/key"})
	if errors.Is(err, oss.ErrNoSuchKey) {
		fmt.Println("no such key")
	}
	// The details of an answer of the service, for logs and support tickets.
	if se, ok := errors.AsType[*oss.ServiceError](err); ok {
		fmt.Println(se.StatusCode, se.Code, se.EC, len(se.RequestID))
	}
	// Output:
	// no such key
	// 404 NoSuchKey 0026-00000001 24
}

func ExampleClient_ListObjectsV2() {
	env := exampleServer()
	defer env.Close()
	ctx := context.Background()
	for _, key := range []string{"logs/1", "logs/2", "logs/3", "logs/old/1", "readme"} {
		if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: "test-bucket", Key: key}); err != nil {
			log.Fatal(err)
		}
	}

	req := &oss.ListObjectsV2Request{Bucket: "test-bucket", Prefix: "logs/", Delimiter: "/", PageSize: 2}
	n := 0
	for page, err := range env.Client.ListObjectsV2(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		for _, o := range page.Objects {
			fmt.Printf("page %d: %s (%d bytes)\n", n, o.Key, o.Size)
		}
		for _, p := range page.CommonPrefixes {
			fmt.Printf("page %d: %s (prefix)\n", n, p)
		}
	}
	// Output:
	// page 1: logs/1 (0 bytes)
	// page 1: logs/2 (0 bytes)
	// page 2: logs/3 (0 bytes)
	// page 2: logs/old/ (prefix)
}

// A multipart upload: every part but the last at least oss.MinPartSize,
// each read from its own section of one io.ReaderAt (a file, in real use).
func Example_multipart() {
	env := exampleServer()
	defer env.Close()
	ctx, client := context.Background(), env.Client
	const bucket, key = "test-bucket", "big/object.bin"
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	src := bytes.NewReader(data)

	init, err := client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: bucket, Key: key})
	if err != nil {
		log.Fatal(err)
	}
	id := init.UploadID
	var parts []oss.UploadedPart
	for n, off := 1, int64(0); off < int64(len(data)); n, off = n+1, off+oss.MinPartSize {
		size := min(oss.MinPartSize, int64(len(data))-off)
		res, err := client.UploadPart(ctx, &oss.UploadPartRequest{
			Bucket: bucket, Key: key, UploadID: id, PartNumber: n,
			Body: io.NewSectionReader(src, off, size), Size: size,
		})
		if err != nil {
			_, _ = client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: bucket, Key: key, UploadID: id}) // leave no parts behind
			log.Fatal(err)
		}
		parts = append(parts, oss.UploadedPart{PartNumber: n, ETag: res.ETag})
	}
	for page, err := range client.ListParts(ctx, &oss.ListPartsRequest{Bucket: bucket, Key: key, UploadID: id}) {
		if err != nil {
			log.Fatal(err)
		}
		for _, p := range page.Parts {
			fmt.Printf("part %d: %d bytes\n", p.PartNumber, p.Size)
		}
	}
	res, err := client.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: bucket, Key: key, UploadID: id, Parts: parts})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("object CRC-64 matches:", res.CRC64 == crc64.Checksum(data))
	// Output:
	// part 1: 102400 bytes
	// part 2: 102400 bytes
	// part 3: 102400 bytes
	// part 4: 12800 bytes
	// object CRC-64 matches: true
}

func ExampleClient_Presign() {
	env := exampleServer()
	defer env.Close()
	ctx := context.Background()
	if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: "test-bucket", Key: "shared.txt", Body: strings.NewReader("for your eyes"), Size: 13}); err != nil {
		log.Fatal(err)
	}

	ps, err := env.Client.Presign(ctx, &oss.PresignRequest{Bucket: "test-bucket", Key: "shared.txt", Expires: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	u, err := url.Parse(ps.URL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ps.Method, u.Path, u.Query().Get("x-oss-expires"))

	// Anyone holding the URL can read the object until it expires.
	resp, err := http.Get(ps.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// GET /test-bucket/shared.txt 3600
	// 200 for your eyes
}

// A copy made on the service, then a copy of an object onto itself that
// replaces its metadata in place.
func ExampleClient_CopyObject() {
	env := exampleServer()
	defer env.Close()
	ctx, client := context.Background(), env.Client
	data := "quarterly numbers"
	if _, err := client.PutObject(ctx, &oss.PutObjectRequest{Bucket: "test-bucket", Key: "report.txt", Body: strings.NewReader(data), Size: int64(len(data))}); err != nil {
		log.Fatal(err)
	}

	res, err := client.CopyObject(ctx, &oss.CopyObjectRequest{
		Bucket: "test-bucket", Key: "archive/report.txt", // the copy
		SourceKey: "report.txt", // SourceBucket empty: the same bucket
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("copy CRC-64 matches:", res.CRC64 == crc64.Checksum([]byte(data)))

	_, err = client.CopyObject(ctx, &oss.CopyObjectRequest{
		Bucket: "test-bucket", Key: "report.txt", SourceKey: "report.txt",
		MetadataDirective: oss.MetadataDirectiveReplace,
		ObjectMetadata:    oss.ObjectMetadata{ContentType: "text/plain", User: map[string]string{"reviewed": "yes"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	head, err := client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: "test-bucket", Key: "report.txt"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(head.Object.ObjectMetadata.ContentType, head.Object.ObjectMetadata.User["reviewed"], head.Object.Size)
	// Output:
	// copy CRC-64 matches: true
	// text/plain yes 17
}

// Appends that chain each answer's position and CRC-64 into the next
// request, so that the client checks the whole object after each one.
func ExampleClient_AppendObject() {
	env := exampleServer()
	defer env.Close()
	ctx, client := context.Background(), env.Client

	var pos int64
	var crc *uint64 // unknown before the first append; 0 is assumed at position 0
	for _, line := range []string{"started\n", "working\n", "done\n"} {
		res, err := client.AppendObject(ctx, &oss.AppendObjectRequest{
			Bucket: "test-bucket", Key: "job.log",
			Position: pos, InitCRC64: crc,
			Body: strings.NewReader(line), Size: int64(len(line)),
		})
		if err != nil {
			log.Fatal(err) // ErrCRCMismatch if the object is not what was appended
		}
		pos, crc = res.NextPosition, &res.CRC64
	}
	head, err := client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: "test-bucket", Key: "job.log"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(head.Object.ObjectType, head.Object.Size, pos)
	// Output: Appendable 21 21
}

// The CRC-64 of a local file, to compare with an object's.
func ExampleNewCRC64() {
	h := oss.NewCRC64()
	h.Write([]byte("123456789"))
	fmt.Println(h.Sum64())
	// Output: 11051210869376104954
}

// A multipart object's CRC-64 from its parts'.
func ExampleCombineCRC64() {
	a, b := oss.NewCRC64(), oss.NewCRC64()
	a.Write([]byte("12345"))
	b.Write([]byte("6789"))
	fmt.Println(oss.CombineCRC64(a.Sum64(), b.Sum64(), 4))
	// Output: 11051210869376104954
}
