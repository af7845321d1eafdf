package oss_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossup/ossup/oss"
)

// exampleFile writes size bytes to a file in a fresh directory.
func exampleFile(size int) (dir, path string) {
	dir, err := os.MkdirTemp("", "ossup-example-")
	if err != nil {
		log.Fatal(err)
	}
	path = filepath.Join(dir, "big.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte("ossup "), size/6), 0o644); err != nil {
		log.Fatal(err)
	}
	return dir, path
}

func ExampleClient_UploadFile() {
	env := exampleServer()
	defer env.Close()
	dir, path := exampleFile(3 << 20)
	defer os.RemoveAll(dir)

	res, err := env.Client.UploadFile(context.Background(), &oss.UploadFileRequest{
		Bucket:     "test-bucket",
		Key:        "backups/big.bin",
		UploadFile: path,
		TaskNum:    4,
		PartSize:   1 << 20,
		// Rerunning the same call after a failure, Ctrl-C or kill -9
		// uploads only the parts the service does not have.
		EnableCheckpoint: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasSuffix(res.ETag, `-3"`), res.BytesSent)
	// Output: true 3145728
}

func ExampleClient_DownloadFile() {
	env := exampleServer()
	defer env.Close()
	ctx := context.Background()
	dir, path := exampleFile(3 << 20)
	defer os.RemoveAll(dir)
	if _, err := env.Client.UploadFile(ctx, &oss.UploadFileRequest{Bucket: "test-bucket", Key: "big.bin", UploadFile: path, PartSize: 1 << 20}); err != nil {
		log.Fatal(err)
	}

	res, err := env.Client.DownloadFile(ctx, &oss.DownloadFileRequest{
		Bucket:       "test-bucket",
		Key:          "big.bin",
		DownloadFile: filepath.Join(dir, "copies", "big.bin"), // folders are created
		TaskNum:      4,
		PartSize:     1 << 20,
		// The file appears only once complete and checked; with a
		// checkpoint an interrupted download resumes.
		EnableCheckpoint: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.Verified)
	// Output: 3145728 true
}

func ExampleClient_UploadFrom() {
	env := exampleServer()
	defer env.Close()

	// Any reader: standard input, a pipe, a socket. Its size need not be
	// known; parts are read into TaskNum+1 buffers.
	stream := strings.NewReader(strings.Repeat("log line\n", 50000))
	res, err := env.Client.UploadFrom(context.Background(), &oss.UploadFromRequest{
		Bucket:   "test-bucket",
		Key:      "logs/today.log",
		Reader:   stream,
		TaskNum:  2,
		PartSize: 100 << 10,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.Verified)
	// Output: 450000 true
}

func ExampleClient_DownloadTo() {
	env := exampleServer()
	defer env.Close()
	ctx := context.Background()
	data := strings.Repeat("row\n", 100000)
	if _, err := env.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: "test-bucket", Key: "rows.txt", Body: strings.NewReader(data), Size: int64(len(data))}); err != nil {
		log.Fatal(err)
	}

	var out bytes.Buffer // os.Stdout, a pipe, ...
	res, err := env.Client.DownloadTo(ctx, &oss.DownloadToRequest{Bucket: "test-bucket", Key: "rows.txt", Writer: &out, TaskNum: 4})
	if err != nil {
		log.Fatal(err) // also when the CRC-64 does not match what was written
	}
	fmt.Println(out.Len(), res.Verified)
	// Output: 400000 true
}
