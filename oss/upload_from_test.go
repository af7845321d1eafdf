package oss_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// streamOf yields data through io.Pipe: a reader that is no io.Seeker and
// hands out bytes in the pieces its writer chose, as standard input does.
func streamOf(data []byte, piece int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(data); off += piece {
			if _, err := pw.Write(data[off:min(off+piece, len(data))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

func TestUploadFrom(t *testing.T) {
	s := upStart(t, osstest.Options{})
	sizes := []int{0, 1, 100*upKiB - 1, 100 * upKiB, 100*upKiB + 1, 1234567, 3 << 20}
	for _, size := range sizes {
		data := upData(size, uint64(size)+3)
		for _, tasks := range []int{1, 3, 8} {
			name := fmt.Sprintf("size=%d/tasks=%d", size, tasks)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				key := "stream/" + name
				var last oss.ProgressEvent
				res, err := s.Client.UploadFrom(t.Context(), &oss.UploadFromRequest{
					Bucket: s.Bucket, Key: key, Reader: streamOf(data, 7000), TaskNum: tasks,
					Progress: func(e oss.ProgressEvent) { last = e },
				})
				if err != nil {
					t.Fatal(err)
				}
				s.checkObject(t, key, data)
				if res.CRC64 != crc64.Checksum(data) || res.Size != int64(size) || !res.Verified {
					t.Errorf("result %+v: want size %d, the data's CRC-64, verified", res, size)
				}
				if multipart := size >= 100*upKiB; (res.UploadID != "") != multipart {
					t.Errorf("upload id %q; multipart %t", res.UploadID, multipart)
				}
				if size > 0 && (last.Done != int64(size) || last.Total != -1) {
					t.Errorf("last progress %+v", last)
				}
			})
		}
	}
}

// failingReader yields n bytes, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestUploadFromBrokenStream: a stream that fails mid-way stores nothing
// and leaves no upload behind.
func TestUploadFromBrokenStream(t *testing.T) {
	s := upStart(t, osstest.Options{})
	broken := errors.New("the pipe broke")
	_, err := s.Client.UploadFrom(t.Context(), &oss.UploadFromRequest{
		Bucket: s.Bucket, Key: "broken", Reader: &failingReader{data: upData(1<<20, 1), err: broken}, TaskNum: 2,
	})
	var ue *oss.UploadError
	if !errors.Is(err, broken) || !errors.As(err, &ue) || ue.UploadID == "" {
		t.Fatalf("broken stream: %v", err)
	}
	if ids := s.uploads(t, "broken"); len(ids) != 0 {
		t.Errorf("uploads left behind: %v", ids)
	}
	if _, err := s.Client.HeadObject(t.Context(), &oss.HeadObjectRequest{Bucket: s.Bucket, Key: "broken"}); !errors.Is(err, oss.ErrNoSuchKey) {
		t.Errorf("object after a broken stream: %v", err)
	}
	for _, req := range []oss.UploadFromRequest{
		{Bucket: s.Bucket, Key: "k"},
		{Bucket: s.Bucket, Key: "k", Reader: streamOf(nil, 1), PartSize: 1},
		{Bucket: s.Bucket, Key: "k", Reader: streamOf(nil, 1), TaskNum: -1},
	} {
		if _, err := s.Client.UploadFrom(t.Context(), &req); !errors.Is(err, oss.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", req, err)
		}
	}
}

// TestUploadFromPartSizes: whatever the first part size, 10,000 parts hold
// OSS's largest object, 48.8 TB, and the size never passes 5 GiB.
func TestUploadFromPartSizes(t *testing.T) {
	for _, base := range []int64{oss.MinPartSize, 1 << 20, 8 << 20, 1 << 30, oss.MaxPartSize} {
		var total int64
		for n := 1; n <= oss.MaxPartNumber; n++ {
			size := oss.PartSizeAt(base, n)
			if size > oss.MaxPartSize || size < base {
				t.Fatalf("base %d: part %d has %d bytes", base, n, size)
			}
			if n <= 500 && size != base {
				t.Fatalf("base %d: part %d grew to %d bytes", base, n, size)
			}
			total += size
		}
		if total < 48_800_000_000_000 {
			t.Errorf("base %d: 10,000 parts hold %d bytes, less than 48.8 TB", base, total)
		}
	}
}

// TestUploadFromMemory streams 256 MiB through a pipe with 8 MiB parts and
// 4 tasks: the heap (client and server together) stays within
// (TaskNum+2) × PartSize + 32 MiB.
func TestUploadFromMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 256 MiB")
	}
	s := upStart(t, osstest.Options{})
	const size, part, tasks = 256 << 20, 8 << 20, 4
	pr, pw := io.Pipe()
	go func() {
		chunk := upData(1<<20, 5)
		for off := 0; off < size; off += len(chunk) {
			chunk[0] = byte(off >> 20)
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	peak := &heapPeak{}
	stop := peak.sample()
	res, err := s.Client.UploadFrom(t.Context(), &oss.UploadFromRequest{Bucket: s.Bucket, Key: "mem", Reader: pr, PartSize: part, TaskNum: tasks})
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != size || !res.Verified {
		t.Errorf("result %+v", res)
	}
	limit := uint64((tasks+2)*part + 32<<20)
	t.Logf("peak heap %d MiB, limit %d MiB", peak.max>>20, limit>>20)
	if peak.max > limit {
		t.Errorf("peak heap %d MiB, more than (TaskNum+2) × PartSize + 32 MiB = %d MiB", peak.max>>20, limit>>20)
	}
}
