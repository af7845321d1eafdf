package transfer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBatchJournalReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.ubj")
	h := BatchHeader{Direction: "upload", Bucket: "b", Prefix: "p/", Dir: "/d"}
	j, fresh, err := OpenBatchJournal(path, h)
	if err != nil || !fresh {
		t.Fatalf("open: %v, fresh %v", err, fresh)
	}
	want := map[string]BatchEntry{
		"a":          {Size: 1, Mtime: 2, Ino: 3, CRC64: 4},
		"ü/b c.txt":  {Size: 5, Mtime: 6, CRC64: 7},
		"torn/later": {Size: 8},
	}
	for _, name := range []string{"a", "ü/b c.txt", "torn/later"} {
		if err := j.Record(name, want[name]); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()-3); err != nil { // a torn last record
		t.Fatal(err)
	}
	j, fresh, err = OpenBatchJournal(path, h)
	if err != nil || fresh {
		t.Fatalf("reopen: %v, fresh %v", err, fresh)
	}
	delete(want, "torn/later")
	if len(j.Done) != len(want) {
		t.Errorf("got %v, want %v", j.Done, want)
	}
	for k, w := range want {
		if got, ok := j.Lookup(k); !ok || got != w {
			t.Errorf("%s: got %+v, want %+v", k, got, w)
		}
	}
	// A record appended after the torn tail is read back.
	if err := j.Record("c", BatchEntry{Size: 9}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenBatchJournal(path, h); err == nil {
		t.Error("a second open of a locked journal succeeded")
	}
	j.Close()
	j, _, _ = OpenBatchJournal(path, h)
	if _, ok := j.Lookup("c"); !ok || len(j.Done) != 3 {
		t.Errorf("after append: %v", j.Done)
	}
	j.Close()
	h.Prefix = "other/"
	j, fresh, err = OpenBatchJournal(path, h)
	if err != nil || !fresh || len(j.Done) != 0 {
		t.Errorf("another batch's journal was kept: %v, fresh %v, %v", err, fresh, j.Done)
	}
	if err := j.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("Remove left the journal")
	}
}
