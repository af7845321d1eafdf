package store

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCommitterGroup runs a group by hand: a change that fails after
// writing, and one that panics, are dropped with their writes; the
// others commit, each seeing the ones before it.
func TestCommitterGroup(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	boom := errors.New("boom")
	put := func(k string, fail error, panics bool) *change {
		return &change{wake: make(chan bool, 1), fn: func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("t"))
			if err != nil {
				return err
			}
			n, c := 0, b.Cursor()
			for x, _ := c.First(); x != nil; x, _ = c.Next() {
				n++
			}
			if err := b.Put([]byte(k), []byte(fmt.Sprint(n))); err != nil {
				return err
			}
			if panics {
				panic("change " + k)
			}
			return fail
		}}
	}
	group := []*change{put("a", nil, false), put("b", boom, false), put("c", nil, true), put("d", nil, false)}
	s.group.run(group)
	if group[0].err != nil || group[3].err != nil {
		t.Errorf("good changes failed: %v, %v", group[0].err, group[3].err)
	}
	if !errors.Is(group[1].err, boom) {
		t.Errorf("failing change: err = %v", group[1].err)
	}
	if group[2].panicked == nil || group[2].err == nil {
		t.Errorf("panicking change: panicked %v, err %v", group[2].panicked, group[2].err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		var got []string
		err := tx.Bucket([]byte("t")).ForEach(func(k, v []byte) error {
			got = append(got, string(k)+"="+string(v))
			return nil
		})
		if want := "a=0 d=1"; strings.Join(got, " ") != want {
			t.Errorf("committed %q, want %q", got, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCommitterConcurrent puts objects from many goroutines, half of
// them racing for the same keys with ForbidOverwrite: exactly one put of
// each key wins, and after reopening every object reads back, no blob is
// left without a record and no reference count needs repair.
func TestCommitterConcurrent(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	const workers, keys = 8, 40
	wins := make([]int, keys)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range keys {
				body := fmt.Sprintf("worker %d key %d", w, k)
				_, err := s.PutObject(ctx, "b", fmt.Sprint("race", k), strings.NewReader(body), int64(len(body)), Metadata{}, PutOptions{ForbidOverwrite: true})
				switch {
				case err == nil:
					mu.Lock()
					wins[k]++
					mu.Unlock()
				case !errors.Is(err, ErrFileAlreadyExists):
					t.Error(err)
				}
				if _, err := s.PutObject(ctx, "b", fmt.Sprint("own", w, "/", k), strings.NewReader(body), int64(len(body)), Metadata{}, PutOptions{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for k, n := range wins {
		if n != 1 {
			t.Errorf("key %d: %d puts won, want 1", k, n)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.opened.stray != 0 || s.opened.missing != 0 || s.opened.refsFixed != 0 {
		t.Errorf("after reopening: %+v", s.opened)
	}
	for w := range workers {
		for k := range keys {
			want := fmt.Sprintf("worker %d key %d", w, k)
			if got := readAll(t, s, fmt.Sprint("own", w, "/", k)); got != want {
				t.Errorf("own%d/%d reads %q", w, k, got)
			}
		}
	}
	for k := range keys {
		if got := readAll(t, s, fmt.Sprint("race", k)); !strings.HasSuffix(got, fmt.Sprintf(" key %d", k)) {
			t.Errorf("race%d reads %q", k, got)
		}
	}
}

func readAll(t *testing.T, s *Disk, key string) string {
	t.Helper()
	_, r, err := s.OpenObject(t.Context(), "b", key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCrashConcurrent kills a process that puts objects from several
// goroutines at once (so that changes share commits and directory
// fsyncs; some objects inline, some in blobs), reopens the store and checks that every put reported done is
// there, that every object there reads back as written, that no record
// references a missing blob nor any blob lacks a record, and that no
// reference count needed repair.
func TestCrashConcurrent(t *testing.T) {
	if dir := os.Getenv("STORE_CRASH_CONCURRENT_CHILD"); dir != "" {
		crashConcurrentChild(t, dir)
		return
	}
	for trial := range 4 {
		t.Run(fmt.Sprint("trial", trial), func(t *testing.T) {
			dir := t.TempDir()
			done := crashConcurrentParent(t, dir, 20+trial*45)
			s := openDisk(t, dir, Options{})
			defer s.Close()
			t.Logf("killed after %d puts; open collected %+v", len(done), s.opened)
			if s.opened.missing != 0 || s.opened.refsFixed != 0 {
				t.Errorf("after the crash: %+v", s.opened)
			}
			refs, err := s.referenced()
			if err != nil {
				t.Fatal(err)
			}
			if got := blobFiles(t, dir); !maps.Equal(got, refs) {
				t.Errorf("%d blob files, %d referenced", len(got), len(refs))
			}
			for key := range done {
				if _, err := s.HeadObject(t.Context(), "b", key); err != nil {
					t.Errorf("%s, reported done: %v", key, err)
				}
			}
			list, err := s.ListObjects(t.Context(), "b", ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range list.Objects {
				if got := readAll(t, s, o.Key); got != crashBody(o.Key) {
					t.Errorf("%s reads %d bytes, not what was put", o.Key, len(got))
				}
			}
		})
	}
}

// crashBody is what the child puts as key: 1 to 64 KiB derived from it,
// so that about half the objects are kept in their records (InlineMax)
// and half in blobs.
func crashBody(key string) string {
	sum := md5.Sum([]byte(key))
	return strings.Repeat(key+"|", 1+int(sum[0])*64<<10/256/(len(key)+1))
}

// crashConcurrentChild puts new objects from 6 goroutines until killed,
// writing "D <key>" when a put returns.
func crashConcurrentChild(t *testing.T, dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(t.Context(), Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d/%d", w, i)
				body := crashBody(key)
				if _, err := s.PutObject(t.Context(), "b", key, strings.NewReader(body), int64(len(body)), Metadata{}, PutOptions{}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "D %s\n", key)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// crashConcurrentParent runs the child until it reports puts done, kills
// it, and returns the keys reported done.
func crashConcurrentParent(t *testing.T, dir string, puts int) map[string]bool {
	done := map[string]bool{}
	runKilledChild(t, "TestCrashConcurrent", []string{"STORE_CRASH_CONCURRENT_CHILD=" + dir}, func(line string) (known, kill bool) {
		key, ok := strings.CutPrefix(line, "D ")
		if ok {
			done[key] = true
		}
		return ok, len(done) >= puts
	})
	return done
}
