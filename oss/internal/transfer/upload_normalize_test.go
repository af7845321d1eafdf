package transfer

import (
	"errors"
	"strings"
	"testing"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

func TestNormalize(t *testing.T) {
	const (
		KiB = int64(1) << 10
		GiB = int64(1) << 30
	)
	base := UploadRequest{Bucket: "b", Key: "k", UploadFile: "/data/f"}
	with := func(f func(*UploadRequest)) UploadRequest {
		r := base
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		req     UploadRequest
		size    int64
		want    uploadPlan
		wantErr bool // apierr.ErrInvalidArgument
	}{
		{name: "defaults", req: base, size: 1 << 20,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 11, checkpoint: "/data/f.ucp"}},
		{name: "explicit values kept", size: 10 << 20,
			req:  with(func(r *UploadRequest) { r.TaskNum, r.PartSize, r.CheckpointFile = 8, 1<<20, "/cp/x" }),
			want: uploadPlan{taskNum: 8, partSize: 1 << 20, parts: 10, checkpoint: "/cp/x"}},
		{name: "empty file is one PutObject", req: base, size: 0,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 0, checkpoint: "/data/f.ucp"}},
		{name: "smaller than a part is one PutObject", req: base, size: 100*KiB - 1,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 0, checkpoint: "/data/f.ucp"}},
		{name: "exactly one part", req: base, size: 100 * KiB,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 1, checkpoint: "/data/f.ucp"}},
		{name: "one byte more than a part", req: base, size: 100*KiB + 1,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 2, checkpoint: "/data/f.ucp"}},
		{name: "minimum part size", size: 1 << 20,
			req:  with(func(r *UploadRequest) { r.PartSize = limits.MinPartSize }),
			want: uploadPlan{taskNum: 1, partSize: limits.MinPartSize, parts: 11, checkpoint: "/data/f.ucp"}},
		{name: "maximum part size and task number", size: 6 * GiB,
			req:  with(func(r *UploadRequest) { r.PartSize, r.TaskNum = limits.MaxPartSize, MaxTaskNum }),
			want: uploadPlan{taskNum: MaxTaskNum, partSize: limits.MaxPartSize, parts: 2, checkpoint: "/data/f.ucp"}},
		{name: "exactly 10000 parts keeps the part size", req: base, size: 10000 * 100 * KiB,
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 10000, checkpoint: "/data/f.ucp"}},
		{name: "one byte past 10000 parts grows the part size", req: base, size: 10000*100*KiB + 1,
			want: uploadPlan{taskNum: 1, partSize: 100*KiB + 1, parts: 10000, checkpoint: "/data/f.ucp"}},
		{name: "grows to the smallest size that fits", size: 10000*(1<<20) + 5000,
			req:  with(func(r *UploadRequest) { r.PartSize = 1 << 20 }),
			want: uploadPlan{taskNum: 1, partSize: 1<<20 + 1, parts: 10000, checkpoint: "/data/f.ucp"}},
		{name: "grows to fit a huge file", req: base, size: 1 << 40,
			want: uploadPlan{taskNum: 1, partSize: 109951163, parts: 10000, checkpoint: "/data/f.ucp"}},
		{name: "10000 parts of 5 GiB fit", req: base, size: 10000 * limits.MaxPartSize,
			want: uploadPlan{taskNum: 1, partSize: limits.MaxPartSize, parts: 10000, checkpoint: "/data/f.ucp"}},
		{name: "too large for 10000 parts of 5 GiB", req: base, size: 10000*limits.MaxPartSize + 1, wantErr: true},
		{name: "part size below 100 KiB", req: with(func(r *UploadRequest) { r.PartSize = 100*KiB - 1 }), size: 1 << 20, wantErr: true},
		{name: "part size 1", req: with(func(r *UploadRequest) { r.PartSize = 1 }), size: 1 << 20, wantErr: true},
		{name: "negative part size", req: with(func(r *UploadRequest) { r.PartSize = -1 }), size: 1 << 20, wantErr: true},
		{name: "part size above 5 GiB", req: with(func(r *UploadRequest) { r.PartSize = limits.MaxPartSize + 1 }), size: 1 << 20, wantErr: true},
		{name: "bad part size with an empty file", req: with(func(r *UploadRequest) { r.PartSize = 1 }), size: 0, wantErr: true},
		{name: "negative task number", req: with(func(r *UploadRequest) { r.TaskNum = -1 }), size: 1 << 20, wantErr: true},
		{name: "task number above 1000", req: with(func(r *UploadRequest) { r.TaskNum = MaxTaskNum + 1 }), size: 1 << 20, wantErr: true},
		{name: "traffic limit below the minimum", req: with(func(r *UploadRequest) { r.TrafficLimit = limits.MinTrafficLimit - 1 }), size: 1 << 20, wantErr: true},
		{name: "traffic limit above the maximum", req: with(func(r *UploadRequest) { r.TrafficLimit = limits.MaxTrafficLimit + 1 }), size: 1 << 20, wantErr: true},
		{name: "traffic limit in range", size: 1 << 20,
			req:  with(func(r *UploadRequest) { r.TrafficLimit = limits.MinTrafficLimit }),
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 11, checkpoint: "/data/f.ucp"}},
		{name: "no bucket", req: with(func(r *UploadRequest) { r.Bucket = "" }), size: 1, wantErr: true},
		{name: "no key", req: with(func(r *UploadRequest) { r.Key = "" }), size: 1, wantErr: true},
		{name: "no file", req: with(func(r *UploadRequest) { r.UploadFile = "" }), size: 1, wantErr: true},
		{name: "negative size", req: base, size: -1, wantErr: true},
		{name: "a source has no default checkpoint", size: 1 << 20,
			req:  with(func(r *UploadRequest) { r.UploadFile, r.Source = "", strings.NewReader("") }),
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 11}},
		{name: "a source with its id and checkpoint", size: 1 << 20,
			req: with(func(r *UploadRequest) {
				r.UploadFile, r.Source, r.SourceID, r.EnableCheckpoint, r.CheckpointFile = "", strings.NewReader(""), "v1", true, "/cp/s"
			}),
			want: uploadPlan{taskNum: 1, partSize: 100 * KiB, parts: 11, checkpoint: "/cp/s"}},
		{name: "a file and a source", req: with(func(r *UploadRequest) { r.Source = strings.NewReader("") }), size: 1, wantErr: true},
		{name: "a source checkpoint without an id", size: 1,
			req: with(func(r *UploadRequest) {
				r.UploadFile, r.Source, r.EnableCheckpoint, r.CheckpointFile = "", strings.NewReader(""), true, "/cp/s"
			}), wantErr: true},
		{name: "a source checkpoint without a file", size: 1,
			req: with(func(r *UploadRequest) {
				r.UploadFile, r.Source, r.EnableCheckpoint, r.SourceID = "", strings.NewReader(""), true, "v1"
			}), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			got, err := normalize(&req, tt.size)
			if tt.wantErr {
				if !errors.Is(err, apierr.ErrInvalidArgument) {
					t.Fatalf("normalize(%+v, %d) error = %v, want apierr.ErrInvalidArgument", tt.req, tt.size, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("normalize(%+v, %d): %v", tt.req, tt.size, err)
			}
			if got != tt.want {
				t.Errorf("normalize(%+v, %d) = %+v, want %+v", tt.req, tt.size, got, tt.want)
			}
			if got.parts > 0 {
				if last := tt.size - int64(got.parts-1)*got.partSize; last <= 0 || last > got.partSize {
					t.Errorf("last part has %d bytes, want 1..%d", last, got.partSize)
				}
			}
		})
	}
}
