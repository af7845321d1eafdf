package transfer

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/oss/internal/apierr"
)

// fakeAPI is a API whose methods call its func fields; a nil
// field fails the call.
type fakeAPI struct {
	putObject  func(ctx context.Context, req *PutInput) (*Stored, error)
	initiate   func(ctx context.Context, req *initiateReq) (string, error)
	uploadPart func(ctx context.Context, req *PartInput) (*Stored, error)
	listParts  func(ctx context.Context, uploadID string) ([]Part, error)
	complete   func(ctx context.Context, req *completeReq) (*Stored, error)
	abort      func(ctx context.Context, uploadID string) error
	headObject func(ctx context.Context, key string) (*Object, error)
}

var errUnexpectedCall = errors.New("unexpected call")

// initiateReq and completeReq are what Initiate and Complete are called
// with.
type (
	initiateReq struct{ Bucket, Key string }
	completeReq struct {
		Bucket, Key, UploadID string
		Parts                 []Part
	}
)

func (f *fakeAPI) PutObject(ctx context.Context, req *PutInput) (*Stored, error) {
	if f.putObject == nil {
		return nil, fmt.Errorf("PutObject: %w", errUnexpectedCall)
	}
	return f.putObject(ctx, req)
}

func (f *fakeAPI) Initiate(ctx context.Context, bucket, key string) (string, error) {
	if f.initiate == nil {
		return "", fmt.Errorf("InitiateMultipartUpload: %w", errUnexpectedCall)
	}
	return f.initiate(ctx, &initiateReq{Bucket: bucket, Key: key})
}

func (f *fakeAPI) UploadPart(ctx context.Context, req *PartInput) (*Stored, error) {
	if f.uploadPart == nil {
		return nil, fmt.Errorf("UploadPart: %w", errUnexpectedCall)
	}
	return f.uploadPart(ctx, req)
}

func (f *fakeAPI) ListParts(ctx context.Context, bucket, key, uploadID string) iter.Seq2[[]Part, error] {
	return func(yield func([]Part, error) bool) {
		if f.listParts == nil {
			yield(nil, fmt.Errorf("ListParts: %w", errUnexpectedCall))
			return
		}
		parts, err := f.listParts(ctx, uploadID)
		if err != nil {
			yield(nil, err)
			return
		}
		yield(parts, nil)
	}
}

func (f *fakeAPI) Complete(ctx context.Context, bucket, key, uploadID string, parts []Part) (*Stored, error) {
	if f.complete == nil {
		return nil, fmt.Errorf("CompleteMultipartUpload: %w", errUnexpectedCall)
	}
	return f.complete(ctx, &completeReq{Bucket: bucket, Key: key, UploadID: uploadID, Parts: parts})
}

func (f *fakeAPI) Abort(ctx context.Context, bucket, key, uploadID string) error {
	if f.abort == nil {
		return fmt.Errorf("AbortMultipartUpload: %w", errUnexpectedCall)
	}
	return f.abort(ctx, uploadID)
}

func (f *fakeAPI) Head(ctx context.Context, bucket, key string) (*Object, error) {
	if f.headObject == nil {
		return nil, fmt.Errorf("HeadObject: %w", errUnexpectedCall)
	}
	return f.headObject(ctx, key)
}

func (f *fakeAPI) Get(ctx context.Context, in *GetInput) (io.ReadCloser, error) {
	return nil, fmt.Errorf("GetObject: %w", errUnexpectedCall)
}

// fakeStorePart reads a part's body as the service would and returns what it
// answers.
func fakeStorePart(req *PartInput) (Part, error) {
	h, c := md5.New(), crc64.New()
	n, err := io.Copy(io.MultiWriter(h, c), req.Body)
	if err != nil {
		return Part{}, err
	}
	if n != req.Size {
		return Part{}, fmt.Errorf("part %d: body has %d bytes, size says %d", req.PartNumber, n, req.Size)
	}
	return Part{PartNumber: req.PartNumber, Size: n, ETag: fmt.Sprintf(`"%X"`, h.Sum(nil)), CRC64: c.Sum64(), HasCRC64: true}, nil
}

// memAPI is a fakeAPI backed by one in-memory upload, "UP1"; tests replace
// the fields they want to change.
type memAPI struct {
	fakeAPI
	mu      sync.Mutex
	parts   map[int]Part
	calls   []string // operation names, UploadPart with its number
	aborted []string
}

func newMemAPI() *memAPI {
	m := &memAPI{parts: map[int]Part{}}
	m.initiate = func(context.Context, *initiateReq) (string, error) {
		m.record("Initiate")
		return "UP1", nil
	}
	m.uploadPart = func(ctx context.Context, req *PartInput) (*Stored, error) {
		m.record(fmt.Sprint("UploadPart ", req.PartNumber))
		p, err := fakeStorePart(req)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.parts[p.PartNumber] = p
		m.mu.Unlock()
		return &Stored{ETag: p.ETag, CRC64: p.CRC64, HasCRC64: true}, nil
	}
	m.listParts = func(context.Context, string) ([]Part, error) {
		m.record("ListParts")
		m.mu.Lock()
		defer m.mu.Unlock()
		var out []Part
		for _, n := range slices.Sorted(maps.Keys(m.parts)) {
			out = append(out, m.parts[n])
		}
		return out, nil
	}
	m.complete = func(_ context.Context, req *completeReq) (*Stored, error) {
		m.record("Complete")
		m.mu.Lock()
		defer m.mu.Unlock()
		var crc uint64
		for _, p := range req.Parts {
			sp := m.parts[p.PartNumber]
			if sp.ETag != p.ETag {
				return nil, apierr.ErrInvalidPart
			}
			crc = crc64.Combine(crc, sp.CRC64, sp.Size)
		}
		return &Stored{ETag: `"X-1"`, CRC64: crc, HasCRC64: true}, nil
	}
	m.abort = func(_ context.Context, id string) error {
		m.record("Abort")
		m.mu.Lock()
		m.aborted = append(m.aborted, id)
		m.mu.Unlock()
		return nil
	}
	return m
}

func (m *memAPI) record(call string) {
	m.mu.Lock()
	m.calls = append(m.calls, call)
	m.mu.Unlock()
}

// writeUploadFile writes size pseudo-random bytes to a new file.
func writeUploadFile(t *testing.T, size int, seed uint64) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func fakeUpload(ctx context.Context, api API, req *UploadRequest) (*UploadResult, error) {
	u := &uploader{api: api, endpoint: "http://fake", req: req, log: slog.New(slog.DiscardHandler)}
	return u.run(ctx)
}

// TestUploadFileFirstPartErrorCancels fails part 1 while parts 2 to 4 are
// in flight: they must see their context cancelled, no later part may
// start, the upload is aborted, and no goroutine outlives the call
// (synctest fails the test if one is left blocked).
func TestUploadFileFirstPartErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path, _ := writeUploadFile(t, 8*limits.MinPartSize, 1)
		m := newMemAPI()
		fatal := &apierr.ServiceError{StatusCode: 403, Code: "AccessDenied"}
		var (
			active    atomic.Int32
			started   = make(chan int, 8)
			cancelled = make(chan int, 8)
		)
		m.uploadPart = func(ctx context.Context, req *PartInput) (*Stored, error) {
			active.Add(1)
			defer active.Add(-1)
			if ctx.Err() != nil {
				t.Errorf("part %d started after the failure", req.PartNumber)
			}
			started <- req.PartNumber
			if req.PartNumber == 1 {
				synctest.Wait() // parts 2, 3 and 4 are blocked below
				return nil, fatal
			}
			<-ctx.Done()
			cancelled <- req.PartNumber
			return nil, ctx.Err()
		}
		_, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", UploadFile: path, TaskNum: 4})
		if !errors.Is(err, apierr.ErrAccessDenied) {
			t.Fatalf("UploadFile: %v, want the part's AccessDenied", err)
		}
		ue, ok := errors.AsType[*UploadError](err)
		if !ok || ue.UploadID != "UP1" || ue.CheckpointFile != "" {
			t.Errorf("error %#v, want an *UploadError for UP1 without checkpoint", ue)
		}
		if n := active.Load(); n != 0 {
			t.Errorf("%d UploadPart calls still running after UploadFile returned", n)
		}
		close(started)
		close(cancelled)
		if got, want := slices.Sorted(drained(started)), []int{1, 2, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("parts started %v, want %v", got, want)
		}
		if got, want := slices.Sorted(drained(cancelled)), []int{2, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("parts cancelled %v, want %v", got, want)
		}
		if !slices.Equal(m.aborted, []string{"UP1"}) {
			t.Errorf("aborted %v, want [UP1]", m.aborted)
		}
	})
}

func drained[T any](c <-chan T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range c {
			if !yield(v) {
				return
			}
		}
	}
}

// TestUploadFileCallSequence records the calls of a serial upload: parts
// in order then Complete; after a failure, Abort and no further part.
func TestUploadFileCallSequence(t *testing.T) {
	path, data := writeUploadFile(t, 3*limits.MinPartSize+10, 2)
	t.Run("success", func(t *testing.T) {
		m := newMemAPI()
		res, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", UploadFile: path})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Initiate", "UploadPart 1", "UploadPart 2", "UploadPart 3", "UploadPart 4", "Complete"}
		if !slices.Equal(m.calls, want) {
			t.Errorf("calls %q, want %q", m.calls, want)
		}
		if got := crc64.Checksum(data); res.CRC64 != got || res.UploadID != "UP1" || res.BytesSent != int64(len(data)) {
			t.Errorf("result %+v, want CRC64 %d, upload UP1 and %d bytes sent", res, got, len(data))
		}
	})
	t.Run("failure", func(t *testing.T) {
		m := newMemAPI()
		store := m.uploadPart
		m.uploadPart = func(ctx context.Context, req *PartInput) (*Stored, error) {
			if req.PartNumber == 2 {
				m.record("UploadPart 2")
				return nil, apierr.ErrNoSuchUpload
			}
			return store(ctx, req)
		}
		_, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", UploadFile: path})
		if !errors.Is(err, apierr.ErrNoSuchUpload) {
			t.Fatalf("UploadFile: %v", err)
		}
		want := []string{"Initiate", "UploadPart 1", "UploadPart 2", "Abort"}
		if !slices.Equal(m.calls, want) {
			t.Errorf("calls %q, want %q", m.calls, want)
		}
	})
}

// TestUploadFileCompleteCRCMismatch: the object's CRC-64 as the service
// reports it must equal the combination of the parts'.
func TestUploadFileCompleteCRCMismatch(t *testing.T) {
	path, _ := writeUploadFile(t, 2*limits.MinPartSize, 3)
	m := newMemAPI()
	m.complete = func(context.Context, *completeReq) (*Stored, error) {
		return &Stored{ETag: `"X-2"`, CRC64: 12345, HasCRC64: true}, nil
	}
	if _, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", UploadFile: path}); !errors.Is(err, apierr.ErrCRCMismatch) {
		t.Fatalf("UploadFile: %v, want apierr.ErrCRCMismatch", err)
	}
}
