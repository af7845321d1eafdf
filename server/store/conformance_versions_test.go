package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// modelVersion is one version of a key in the versioning model.
type modelVersion struct {
	id     string // "null" for the null version
	marker bool
	body   []byte
}

// versionModel is the brute-force model of a bucket's versions: each
// key's versions, newest first, changed by the rules of versioning
// written out plainly.
type versionModel struct {
	state string
	keys  map[string][]modelVersion
}

func (m *versionModel) dropNull(key string) {
	m.keys[key] = slices.DeleteFunc(m.keys[key], func(v modelVersion) bool { return v.id == NullVersion })
}

func (m *versionModel) push(key string, v modelVersion) {
	if m.state == "" {
		m.keys[key] = nil
	}
	if v.id == NullVersion {
		m.dropNull(key)
	}
	if v.marker && m.state == "" {
		delete(m.keys, key)
		return
	}
	m.keys[key] = append([]modelVersion{v}, m.keys[key]...)
}

func (m *versionModel) deleteVersion(key, id string) {
	m.keys[key] = slices.DeleteFunc(m.keys[key], func(v modelVersion) bool { return v.id == id })
	if len(m.keys[key]) == 0 {
		delete(m.keys, key)
	}
}

// entries lists every version as ListVersions must, with ids, and the
// latest flag in item.prefix's place is not needed: ids suffice.
func (m *versionModel) entries() []item {
	keys := make([]string, 0, len(m.keys))
	for k := range m.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []item
	for _, k := range keys {
		for _, v := range m.keys[k] {
			out = append(out, item{key: k, id: v.id})
		}
	}
	return out
}

// expectVersions is expect for versions: within a key the model's order
// (newest first) is kept, and a version-id marker skips the versions up
// to and including it.
func expectVersions(all []item, prefix, delim string) []item {
	var out []item
	for _, it := range all {
		if !strings.HasPrefix(it.key, prefix) {
			continue
		}
		if i := strings.Index(it.key[len(prefix):], delim); delim != "" && i >= 0 {
			it = item{key: it.key[:len(prefix)+i+len(delim)], prefix: true}
			if len(out) > 0 && out[len(out)-1] == it {
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

// listAllVersions pages through ListVersions, checking each page's
// markers, latest flags and delete markers against the model.
func listAllVersions(t *testing.T, e *env, m *versionModel, o ListVersionsOptions) []item {
	t.Helper()
	var all []item
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("%+v: more than 1000 pages", o)
		}
		res, err := e.s.ListVersions(t.Context(), "b", o)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.Versions) + len(res.CommonPrefixes); n > pageSize(o.Max) || res.Truncated && n == 0 {
			t.Fatalf("%+v: page of %d, truncated %v", o, n, res.Truncated)
		}
		var items []item
		for _, v := range res.Versions {
			vs := m.keys[v.Key]
			i := slices.IndexFunc(vs, func(mv modelVersion) bool { return mv.id == v.VersionID })
			switch {
			case i < 0:
				t.Errorf("%+v: listed %q %s, not in the model", o, v.Key, v.VersionID)
			case v.IsLatest != (i == 0) || v.DeleteMarker != vs[i].marker || !v.DeleteMarker && v.Size != int64(len(vs[i].body)):
				t.Errorf("%+v: listed %q %s latest %v marker %v size %d; model #%d %+v", o, v.Key, v.VersionID, v.IsLatest, v.DeleteMarker, v.Size, i, vs[i])
			}
			items = append(items, item{key: v.Key, id: v.VersionID})
		}
		// Prefixes and versions interleave in key order; a prefix never
		// shares a key with a version.
		for _, p := range res.CommonPrefixes {
			items = append(items, item{key: p, prefix: true})
		}
		slices.SortStableFunc(items, func(a, b item) int { return strings.Compare(a.key, b.key) })
		all = append(all, items...)
		if !res.Truncated {
			if res.NextKeyMarker != "" || res.NextVersionIDMarker != "" {
				t.Errorf("%+v: next markers %q %q without truncation", o, res.NextKeyMarker, res.NextVersionIDMarker)
			}
			return all
		}
		last := items[len(items)-1]
		if res.NextKeyMarker != last.key || res.NextVersionIDMarker != last.id {
			t.Fatalf("%+v: next markers %q %q, last entry %v", o, res.NextKeyMarker, res.NextVersionIDMarker, last)
		}
		o.KeyMarker, o.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
}

// checkModel compares every version's content and the current objects
// with the model, and the listing under a few options.
func checkModel(t *testing.T, e *env, m *versionModel, rng *rand.Rand) {
	t.Helper()
	ctx := t.Context()
	for key, vs := range m.keys {
		for i, v := range vs {
			obj, r, err := e.s.OpenVersion(ctx, "b", key, v.id)
			if v.marker {
				if !errors.Is(err, ErrDeleteMarker) || !obj.DeleteMarker || obj.VersionID != v.id {
					t.Fatalf("open marker %q %s: %+v, %v", key, v.id, obj, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("open %q %s: %v", key, v.id, err)
			}
			var buf bytes.Buffer
			_, err = buf.ReadFrom(r)
			_ = r.Close()
			if err != nil || !bytes.Equal(buf.Bytes(), v.body) {
				t.Fatalf("read %q %s: %q, %v; want %q", key, v.id, buf.Bytes(), err, v.body)
			}
			if i == 0 {
				got := e.read(key)
				if !bytes.Equal(got, v.body) {
					t.Fatalf("current %q: %q, want %q", key, got, v.body)
				}
			}
		}
		if vs[0].marker {
			obj, err := e.s.HeadVersion(ctx, "b", key, "")
			if !errors.Is(err, ErrNoSuchKey) || !obj.DeleteMarker || obj.VersionID != vs[0].id {
				t.Fatalf("head %q under a marker: %+v, %v", key, obj, err)
			}
		}
	}
	all := m.entries()
	for range 3 {
		o := ListVersionsOptions{Max: rng.IntN(6)}
		if rng.IntN(2) == 0 {
			o.Prefix = []string{"a", "a/", "b"}[rng.IntN(3)]
		}
		if rng.IntN(2) == 0 {
			o.Delimiter = "/"
		}
		wantItems(t, fmt.Sprintf("%+v", o), listAllVersions(t, e, m, o), expectVersions(all, o.Prefix, o.Delimiter))
	}
}

// versionsSeedsEnv sets how many random runs testVersionsModel makes
// (default 1; the long mode runs hundreds).
const versionsSeedsEnv = "OSSUP_VERSIONS_SEEDS"

// testVersionsModel runs random puts, deletes, deletes of versions and
// changes of state against the model, one run per seed.
func testVersionsModel(t *testing.T, h harness) {
	seeds := uint64(1)
	if v, err := strconv.ParseUint(os.Getenv(versionsSeedsEnv), 10, 64); err == nil && v > 0 {
		seeds = v
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { versionsModelRun(t, h, 7+seed) })
	}
}

func versionsModelRun(t *testing.T, h harness, seed uint64) {
	e := newEnv(t, h)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(seed, 8))
	keys := []string{"a", "a/b", "a/c", "ab", "b", "b/x/y"}
	m := &versionModel{keys: map[string][]modelVersion{}}
	for step := range 400 {
		key := keys[rng.IntN(len(keys))]
		switch op := rng.IntN(20); {
		case op == 0 && step > 20:
			state := []string{VersioningEnabled, VersioningSuspended}[rng.IntN(2)]
			if err := e.s.SetBucketVersioning(ctx, "b", state); err != nil {
				t.Fatal(err)
			}
			m.state = state
		case op < 10:
			body := data(uint64(step), rng.IntN(3)*(InlineMax+1)/2)
			obj := e.put(key, body)
			want := NullVersion
			if m.state == VersioningEnabled {
				want = obj.VersionID
			}
			if m.state != "" && obj.VersionID != want || m.state == "" && obj.VersionID != "" {
				t.Fatalf("step %d: put in state %q got version %q", step, m.state, obj.VersionID)
			}
			m.push(key, modelVersion{id: want, body: body})
		case op < 14:
			res, err := e.s.DeleteVersions(ctx, "b", []ObjectVersion{{Key: key}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].DeleteMarker != (m.state != "") {
				t.Fatalf("step %d: delete in state %q: %+v", step, m.state, res[0])
			}
			m.push(key, modelVersion{id: res[0].MarkerVersionID, marker: true})
		default:
			vs := m.keys[key]
			if len(vs) == 0 {
				continue
			}
			v := vs[rng.IntN(len(vs))]
			res, err := e.s.DeleteVersions(ctx, "b", []ObjectVersion{{Key: key, VersionID: v.id}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].DeleteMarker != v.marker || v.marker && res[0].MarkerVersionID != v.id {
				t.Fatalf("step %d: delete of %+v: %+v", step, v, res[0])
			}
			m.deleteVersion(key, v.id)
		}
		if step%20 == 19 {
			checkModel(t, e, m, rng)
		}
	}
	checkModel(t, e, m, rng)
	if err := e.s.DeleteBucket(ctx, "b"); len(m.keys) > 0 && !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket with versions left: %v", err)
	}
	var all []ObjectVersion
	for key, vs := range m.keys {
		for _, v := range vs {
			all = append(all, ObjectVersion{Key: key, VersionID: v.id})
		}
	}
	if _, err := e.s.DeleteVersions(ctx, "b", all); err != nil {
		t.Fatal(err)
	}
	e.wantBlobs(0)
	if err := e.s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatalf("DeleteBucket after every version was deleted: %v", err)
	}
}

// testVersioning checks the operations other than put and delete in a
// versioned bucket: reads, metadata, copies, appends, multipart, expiry
// and the bucket's statistics.
func testVersioning(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	old := e.put("k", []byte("before versioning"))
	if old.VersionID != "" {
		t.Fatalf("version id %q before versioning", old.VersionID)
	}
	if err := e.s.SetBucketVersioning(ctx, "b", "On"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("SetBucketVersioning(On): %v", err)
	}
	if err := e.s.SetBucketVersioning(ctx, "b", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.s.GetBucket(ctx, "b"); b.Versioning != VersioningEnabled {
		t.Fatalf("bucket versioning %q", b.Versioning)
	}
	v1 := e.put("k", []byte("one"))
	v2 := e.put("k", []byte("two"))
	if v1.VersionID == v2.VersionID || v1.VersionID == "" {
		t.Fatalf("version ids %q %q", v1.VersionID, v2.VersionID)
	}
	// The version from before versioning is the null version.
	if o, err := e.s.HeadVersion(ctx, "b", "k", NullVersion); err != nil || o.Size != int64(len("before versioning")) || o.VersionID != NullVersion {
		t.Fatalf("null version: %+v, %v", o, err)
	}
	for _, id := range []string{"0000000000000999", "nonsense", "000000000000000g"} {
		if _, err := e.s.HeadVersion(ctx, "b", "k", id); !errors.Is(err, ErrNoSuchVersion) {
			t.Errorf("HeadVersion(%q): %v", id, err)
		}
	}

	// Metadata of one version leaves the others alone.
	if err := e.s.SetObjectTags(ctx, "b", "k", v1.VersionID, map[string]string{"v": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetObjectACL(ctx, "b", "k", "", "public-read"); err != nil {
		t.Fatal(err)
	}
	o1, _ := e.s.HeadVersion(ctx, "b", "k", v1.VersionID)
	o2, _ := e.s.HeadVersion(ctx, "b", "k", "")
	if o1.Meta.Tags["v"] != "1" || o1.Meta.ACL != "" || o2.Meta.Tags != nil || o2.Meta.ACL != "public-read" || o2.VersionID != v2.VersionID {
		t.Fatalf("after metadata changes: %+v / %+v", o1, o2)
	}

	// A copy of an old version is a new version with its content.
	c, err := e.s.CopyObject(ctx, "b", "k", "b", "copy", CopyOptions{SourceVersion: v1.VersionID})
	if err != nil || c.VersionID == "" || c.VersionID == v1.VersionID {
		t.Fatalf("copy of a version: %+v, %v", c, err)
	}
	wantSame(t, "copy of a version", e.read("copy"), []byte("one"))
	u := e.create("mp")
	if _, err := e.s.CopyPart(ctx, "b", "mp", u.ID, 1, "b", "k", NullVersion, 0, 6, nil); err != nil {
		t.Fatal(err)
	}
	mp, err := e.s.CompleteUpload(ctx, "b", "mp", u.ID, nil, "", PutOptions{})
	if err != nil || mp.VersionID == "" {
		t.Fatalf("complete in a versioned bucket: %+v, %v", mp, err)
	}
	wantSame(t, "part copied from the null version", e.read("mp"), []byte("before"))

	// Delete markers: the key reads as missing; its versions stay.
	res, err := e.s.DeleteVersions(ctx, "b", []ObjectVersion{{Key: "k"}})
	if err != nil || !res[0].DeleteMarker || res[0].MarkerVersionID == "" {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	marker := res[0].MarkerVersionID
	if _, err := e.s.HeadObject(ctx, "b", "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("HeadObject under a marker: %v", err)
	}
	if _, err := e.s.CopyObject(ctx, "b", "k", "b", "x", CopyOptions{SourceVersion: marker}); !errors.Is(err, ErrDeleteMarker) {
		t.Fatalf("copy of a marker: %v", err)
	}
	if err := e.s.SetObjectTags(ctx, "b", "k", marker, nil); !errors.Is(err, ErrDeleteMarker) {
		t.Fatalf("tags of a marker: %v", err)
	}
	if err := e.s.SetObjectACL(ctx, "b", "k", "", "private"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("ACL under a marker: %v", err)
	}
	// An append to the key starts a new Appendable version; the next
	// extends it in place.
	a1, err := e.s.AppendObject(ctx, "b", "k", 0, strings.NewReader("ab"), 2, Metadata{}, PutOptions{})
	if err != nil || a1.VersionID == "" {
		t.Fatalf("append: %+v, %v", a1, err)
	}
	a2, err := e.s.AppendObject(ctx, "b", "k", 2, strings.NewReader("cd"), 2, Metadata{}, PutOptions{})
	if err != nil || a2.VersionID != a1.VersionID {
		t.Fatalf("second append: %+v, %v", a2, err)
	}
	wantSame(t, "appended", e.read("k"), []byte("abcd"))
	// Removing the new version and the marker brings v2 back.
	if _, err := e.s.DeleteVersions(ctx, "b", []ObjectVersion{{"k", a1.VersionID}, {"k", marker}}); err != nil {
		t.Fatal(err)
	}
	wantSame(t, "after removing the marker", e.read("k"), []byte("two"))

	// Lifecycle expiry in a versioned bucket puts a marker.
	deleted, err := e.s.ExpireObjects(ctx, "b", []string{"copy", "nothing"}, func(Object) bool { return true })
	if err != nil || !slices.Equal(deleted, []string{"copy"}) {
		t.Fatalf("expire: %v, %v", deleted, err)
	}
	if o, err := e.s.HeadVersion(ctx, "b", "copy", c.VersionID); err != nil || o.Size != 3 {
		t.Fatalf("expired object's version: %+v, %v", o, err)
	}

	st, err := e.s.BucketStat(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	// k: null, v1, v2; copy: c and a marker; mp.
	if st.Objects != 5 || st.DeleteMarkers != 1 || st.Bytes != int64(len("before versioning")+3+3+3+6) {
		t.Fatalf("stat %+v", st)
	}

	// Suspended: writes are the null version, replacing the old one.
	if err := e.s.SetBucketVersioning(ctx, "b", VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	n := e.put("k", []byte("null again"))
	if n.VersionID != NullVersion {
		t.Fatalf("suspended put version %q", n.VersionID)
	}
	page, err := e.s.ListVersions(ctx, "b", ListVersionsOptions{Prefix: "k"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range page.Versions {
		ids = append(ids, v.VersionID)
	}
	if want := []string{NullVersion, v2.VersionID, v1.VersionID}; !slices.Equal(ids, want) {
		t.Fatalf("versions of k: %v, want %v", ids, want)
	}
}

// testVersionsDeleteAsListed lists versions a page at a time and deletes
// each page before asking for the next, as tools emptying a bucket do:
// no version is left behind, the null one included.
func testVersionsDeleteAsListed(t *testing.T, h harness) {
	e := newEnv(t, h)
	ctx := t.Context()
	set := func(state string) {
		if err := e.s.SetBucketVersioning(ctx, "b", state); err != nil {
			t.Fatal(err)
		}
	}
	set(VersioningEnabled)
	e.put("k", []byte("1"))
	set(VersioningSuspended)
	e.put("k", []byte("null"))
	set(VersioningEnabled)
	for i := range 4 {
		e.put("k", []byte(fmt.Sprint(i)))
	}
	e.put("z", []byte("z"))
	o := ListVersionsOptions{Max: 2}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("the listing does not end")
		}
		page, err := e.s.ListVersions(ctx, "b", o)
		if err != nil {
			t.Fatal(err)
		}
		var vs []ObjectVersion
		for _, v := range page.Versions {
			vs = append(vs, ObjectVersion{Key: v.Key, VersionID: v.VersionID})
		}
		if _, err := e.s.DeleteVersions(ctx, "b", vs); err != nil {
			t.Fatal(err)
		}
		if !page.Truncated {
			break
		}
		o.KeyMarker, o.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	page, err := e.s.ListVersions(ctx, "b", ListVersionsOptions{})
	if err != nil || len(page.Versions) != 0 {
		t.Fatalf("versions left: %+v, %v", page.Versions, err)
	}
}
