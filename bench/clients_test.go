package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	v1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// job is the work asked of a resumable uploader; every client gets the
// same.
type job struct {
	partSize   int64 // bytes
	tasks      int   // parts uploaded at once
	checkpoint bool
	// cpDir holds the checkpoint, when there is one.
	cpDir string
}

// client is one library's way of uploading a local file.
type client interface {
	// UploadFile runs the library's resumable uploader.
	UploadFile(ctx context.Context, key, path string, j job) error
	// PutFile uploads the file with one PutObject.
	PutFile(ctx context.Context, key, path string) error
}

// clientNames are the clients compared, in the order they run.
var clientNames = []string{"ossup", "sdk-v1", "sdk-v2"}

// uploadClients are the clients of the report's upload rows: those
// compared, and the floor (floorClient) as a reference.
var uploadClients = append(slices.Clip(clientNames), "floor")

// newClient makes the client called name for env's server, path style
// (the endpoint is 127.0.0.1) and signing with V4, with its CRC-64 checks
// on.
func newClient(tb testing.TB, name string, env *osstest.Env) client {
	tb.Helper()
	if env.Config.SignatureVersion != oss.SignatureV4 {
		tb.Fatal("ossup client does not sign with V4")
	}
	id, secret := env.Credentials.AccessKeyID, env.Credentials.AccessKeySecret
	switch name {
	case "ossup":
		return ossupClient{env.Client, env.Bucket}
	case "sdk-v1":
		c, err := v1.New(env.HTTP.URL, id, secret, v1.AuthVersion(v1.AuthV4), v1.Region(env.Config.Region))
		if err != nil {
			tb.Fatal(err)
		}
		if !c.Config.IsEnableCRC {
			tb.Fatal("sdk-v1: CRC checks are off")
		}
		b, err := c.Bucket(env.Bucket)
		if err != nil {
			tb.Fatal(err)
		}
		return sdkV1Client{b}
	case "sdk-v2":
		cfg := v2.LoadDefaultConfig().
			WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret)).
			WithRegion(env.Config.Region).
			WithEndpoint(env.HTTP.URL).
			WithSignatureVersion(v2.SignatureVersionV4)
		if cfg.DisableUploadCRC64Check != nil && *cfg.DisableUploadCRC64Check {
			tb.Fatal("sdk-v2: CRC checks are off")
		}
		return sdkV2Client{v2.NewClient(cfg), env.Bucket}
	case "floor":
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		return floorClient{&http.Client{Transport: tr}, env.HTTP.URL, env.Bucket}
	}
	tb.Fatalf("no client %q", name)
	return nil
}

type ossupClient struct {
	c      *oss.Client
	bucket string
}

func (c ossupClient) UploadFile(ctx context.Context, key, path string, j job) error {
	req := &oss.UploadFileRequest{Bucket: c.bucket, Key: key, UploadFile: path,
		PartSize: j.partSize, TaskNum: j.tasks, EnableCheckpoint: j.checkpoint}
	if j.checkpoint {
		req.CheckpointFile = filepath.Join(j.cpDir, key+".ucp")
	}
	_, err := c.c.UploadFile(ctx, req)
	return err
}

func (c ossupClient) PutFile(ctx context.Context, key, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = c.c.PutObject(ctx, &oss.PutObjectRequest{Bucket: c.bucket, Key: key, Body: f, Size: fi.Size()})
	return err
}

type sdkV1Client struct{ b *v1.Bucket }

func (c sdkV1Client) UploadFile(ctx context.Context, key, path string, j job) error {
	opts := []v1.Option{v1.Routines(j.tasks), v1.WithContext(ctx)}
	if j.checkpoint {
		opts = append(opts, v1.Checkpoint(true, filepath.Join(j.cpDir, key+".cp")))
	}
	return c.b.UploadFile(key, path, j.partSize, opts...)
}

func (c sdkV1Client) PutFile(ctx context.Context, key, path string) error {
	return c.b.PutObjectFromFile(key, path, v1.WithContext(ctx))
}

type sdkV2Client struct {
	c      *v2.Client
	bucket string
}

func (c sdkV2Client) UploadFile(ctx context.Context, key, path string, j job) error {
	u := c.c.NewUploader(func(o *v2.UploaderOptions) {
		o.PartSize = j.partSize
		o.ParallelNum = j.tasks
		o.EnableCheckpoint = j.checkpoint
		if j.checkpoint {
			// v1.6.1 takes filepath.Dir of CheckpointDir (oss/checkpoint.go):
			// without a trailing separator the checkpoint would land in the
			// parent directory.
			o.CheckpointDir = j.cpDir + string(filepath.Separator)
		}
	})
	_, err := u.UploadFile(ctx, &v2.PutObjectRequest{Bucket: &c.bucket, Key: &key}, path)
	return err
}

func (c sdkV2Client) PutFile(ctx context.Context, key, path string) error {
	_, err := c.c.PutObjectFromFile(ctx, &v2.PutObjectRequest{Bucket: &c.bucket, Key: &key}, path)
	return err
}

// objectKey names the object of iteration i of a client's run.
func objectKey(client string, i int) string {
	return fmt.Sprintf("%s-%d", client, i)
}
