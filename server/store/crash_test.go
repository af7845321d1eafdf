package store

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossup/ossup/internal/crc64"
)

// crashTrialsEnv sets how many kill trials TestCrash runs (default 12).
const crashTrialsEnv = "OSSUP_STORE_CRASH_TRIALS"

// TestCrash kills a process that is changing the store (SIGKILL, after it
// has reported a few operations begun or done), reopens the store and
// checks that it holds exactly the state after the last reported
// operation, or after the one in flight; that every object and part reads
// back byte-exact; that no record references a missing blob nor any blob
// lacks a record; and that the blob reference counts needed no repair.
// The operations copy objects and parts (sharing blobs), append, link and
// delete, so blobs with many references are freed and shared at every
// instant. One trial in three runs in a versioned bucket, where deletes
// put delete markers, old versions are deleted by id, and every version
// must read back byte-exact too.
func TestCrash(t *testing.T) {
	if dir := os.Getenv("STORE_CRASH_CHILD"); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv("STORE_CRASH_SEED"), 10, 64)
		crashChild(t, dir, seed)
		return
	}
	trials := uint64(12)
	if v, err := strconv.ParseUint(os.Getenv(crashTrialsEnv), 10, 64); err == nil && v > 0 {
		trials = v
	}
	for seed := range trials {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			dir := t.TempDir()
			ops := 4 + int(seed*7919%60)
			m, pending := crashParent(t, dir, seed, ops, seed%2 == 1)
			crashCheck(t, dir, m, pending)
		})
	}
}

// crashChild runs operations until killed, writing "B <op>" before and
// "D <result>" after each.
func crashChild(t *testing.T, dir string, seed uint64) {
	ctx := context.Background()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	m := newCrashModel()
	if m.versioned = crashVersioned(seed); m.versioned {
		if err := s.SetBucketVersioning(ctx, "b", VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	for i := range 5000 {
		op := m.next(rng, i)
		fmt.Printf("B %s\n", strings.Join(op, " "))
		res, err := runCrashOp(ctx, s, op)
		if err != nil {
			t.Fatalf("%v: %v", op, err)
		}
		m.apply(op, res)
		fmt.Printf("D %s\n", res)
	}
}

// crashVersioned reports whether the trial of seed runs in a versioned
// bucket.
func crashVersioned(seed uint64) bool { return seed%3 == 2 }

// crashModel is the state the operations build, known to both processes.
type crashModel struct {
	objects map[string][]string // key → content names of its parts
	types   map[string]string   // key → object type; "Symlink:<target>" for links
	uploads map[string]*crashUpload
	// versioned is set for a bucket with versioning enabled; history then
	// holds every key's versions, newest first, and objects and types
	// follow from it.
	versioned bool
	history   map[string][]crashVersion
}

// crashVersion is one version of a key in a versioned bucket.
type crashVersion struct {
	names  []string
	typ    string
	marker bool
}

type crashUpload struct {
	key   string
	parts map[int]string // part number → content name
}

func newCrashModel() *crashModel {
	return &crashModel{objects: map[string][]string{}, types: map[string]string{}, uploads: map[string]*crashUpload{},
		history: map[string][]crashVersion{}}
}

func (m *crashModel) clone() *crashModel {
	c := newCrashModel()
	c.versioned = m.versioned
	for key, h := range m.history {
		c.history[key] = slices.Clone(h)
	}
	maps.Copy(c.objects, m.objects)
	maps.Copy(c.types, m.types)
	for id, u := range m.uploads {
		c.uploads[id] = &crashUpload{key: u.key, parts: maps.Clone(u.parts)}
	}
	return c
}

// size is the length of key's content in the model.
func (m *crashModel) size(key string) int {
	n := 0
	for _, name := range m.objects[key] {
		n += contentSize(name)
	}
	return n
}

// next picks an operation: put, del, delmany, create, part, complete,
// abort, copy, pcopy (a part copied from a range of an object), append or
// link.
func (m *crashModel) next(rng *rand.Rand, i int) []string {
	key := fmt.Sprintf("k%d", rng.IntN(6))
	src := fmt.Sprintf("k%d", rng.IntN(6))
	ids := slices.Sorted(maps.Keys(m.uploads))
	r := rng.IntN(10)
	if h := m.history[key]; len(h) > 0 && rng.IntN(5) == 0 {
		return []string{"delver", key, strconv.Itoa(rng.IntN(len(h)))}
	}
	if rng.IntN(2) == 0 {
		switch r2 := rng.IntN(4); {
		case r2 == 0:
			return []string{"copy", src, key}
		case r2 == 1 && len(ids) > 0 && m.size(src) > 0:
			id := ids[rng.IntN(len(ids))]
			size := m.size(src)
			off := rng.IntN(size)
			if rng.IntN(2) == 0 {
				off = 0
			}
			n := 1 + rng.IntN(size-off)
			if rng.IntN(3) > 0 {
				n = size - off
			}
			return []string{"pcopy", id, m.uploads[id].key, strconv.Itoa(1 + rng.IntN(3)), src, strconv.Itoa(off), strconv.Itoa(n)}
		case r2 == 2 && (m.objects[key] == nil || m.types[key] == TypeAppendable):
			return []string{"append", key, strconv.Itoa(m.size(key)), fmt.Sprintf("%s.a%d:%d", key, i, rng.IntN(50_000))}
		case r2 == 3:
			return []string{"link", key, src}
		}
	}
	switch {
	case r < 3:
		size := rng.IntN(200_000)
		if rng.IntN(2) == 0 {
			size = rng.IntN(InlineMax + 2) // kept in the record, or just not
		}
		return []string{"put", key, fmt.Sprintf("%s.%d:%d", key, i, size)}
	case r < 4 && rng.IntN(2) == 0:
		return []string{"del", key}
	case r < 4:
		return []string{"delmany", key, fmt.Sprintf("k%d", rng.IntN(6)), "missing"}
	case r < 5 || len(ids) == 0:
		return []string{"create", key}
	}
	id := ids[rng.IntN(len(ids))]
	u := m.uploads[id]
	switch {
	case r < 8 || len(u.parts) == 0:
		n := len(u.parts) + 1
		if len(u.parts) > 0 && rng.IntN(4) == 0 {
			n = 1 + rng.IntN(len(u.parts)) // replace a part
		}
		name := fmt.Sprintf("%s.%d.%d:%d", id[16:], n, i, MinPartSize+rng.IntN(4096))
		return []string{"part", id, u.key, strconv.Itoa(n), name}
	case r < 9:
		return []string{"complete", id, u.key}
	}
	return []string{"abort", id, u.key}
}

func runCrashOp(ctx context.Context, s Store, op []string) (string, error) {
	switch op[0] {
	case "put":
		body := crashContent(op[2])
		_, err := s.PutObject(ctx, "b", op[1], bytes.NewReader(body), int64(len(body)), Metadata{}, PutOptions{})
		return "ok", err
	case "del":
		return "ok", s.DeleteObject(ctx, "b", op[1])
	case "delmany":
		return "ok", s.DeleteObjects(ctx, "b", op[1:])
	case "create":
		u, err := s.CreateUpload(ctx, "b", op[1], Metadata{})
		return u.ID, err
	case "part":
		n, _ := strconv.Atoi(op[3])
		body := crashContent(op[4])
		_, err := s.PutPart(ctx, "b", op[2], op[1], n, bytes.NewReader(body), int64(len(body)), nil)
		return "ok", err
	case "complete":
		_, err := s.CompleteUpload(ctx, "b", op[2], op[1], nil, "", PutOptions{})
		if errors.Is(err, ErrEntityTooSmall) || errors.Is(err, ErrMalformedParts) {
			return "skipped", nil
		}
		return "ok", err
	case "abort":
		return "ok", s.AbortUpload(ctx, "b", op[2], op[1])
	case "copy":
		_, err := s.CopyObject(ctx, "b", op[1], "b", op[2], CopyOptions{})
		if errors.Is(err, ErrNoSuchKey) {
			return "nokey", nil
		}
		return "ok", err
	case "pcopy":
		n, _ := strconv.Atoi(op[3])
		off, _ := strconv.ParseInt(op[5], 10, 64)
		length, _ := strconv.ParseInt(op[6], 10, 64)
		_, err := s.CopyPart(ctx, "b", op[2], op[1], n, "b", op[4], "", off, length, nil)
		if errors.Is(err, ErrNoSuchKey) || errors.Is(err, ErrInvalidArgument) {
			return "skipped", nil
		}
		return "ok", err
	case "append":
		pos, _ := strconv.ParseInt(op[2], 10, 64)
		body := crashContent(op[3])
		_, err := s.AppendObject(ctx, "b", op[1], pos, bytes.NewReader(body), int64(len(body)), Metadata{}, PutOptions{})
		return "ok", err
	case "link":
		_, err := s.PutSymlink(ctx, "b", op[1], op[2], Metadata{}, PutOptions{})
		return "ok", err
	case "delver":
		idx, _ := strconv.Atoi(op[2])
		vs, err := keyVersions(ctx, s, op[1])
		if err != nil || idx >= len(vs) {
			return "", fmt.Errorf("%d versions, %v", len(vs), err)
		}
		_, err = s.DeleteVersions(ctx, "b", []ObjectVersion{{Key: op[1], VersionID: vs[idx].VersionID}})
		return "ok", err
	}
	return "", fmt.Errorf("unknown op %v", op)
}

// keyVersions lists the versions of key, newest first.
func keyVersions(ctx context.Context, s Store, key string) ([]Object, error) {
	page, err := s.ListVersions(ctx, "b", ListVersionsOptions{Prefix: key})
	if err != nil || page.Truncated {
		return nil, cmp.Or(err, errors.New("too many versions"))
	}
	return slices.DeleteFunc(page.Versions, func(o Object) bool { return o.Key != key }), nil
}

// apply changes the model as op does. Whether an operation takes effect
// follows from the model alone (res is used only for upload IDs), so an
// operation in flight at the kill can be applied too.
func (m *crashModel) apply(op []string, res string) {
	if m.versioned {
		m.applyVersioned(op, res)
		return
	}
	switch op[0] {
	case "put":
		m.objects[op[1]] = []string{op[2]}
		m.types[op[1]] = TypeNormal
	case "del":
		delete(m.objects, op[1])
		delete(m.types, op[1])
	case "delmany":
		for _, key := range op[1:] {
			delete(m.objects, key)
			delete(m.types, key)
		}
	case "copy":
		if names, ok := m.objects[op[1]]; ok {
			m.objects[op[2]] = slices.Clone(names)
			m.types[op[2]] = m.types[op[1]]
		}
	case "pcopy":
		off, _ := strconv.Atoi(op[5])
		length, _ := strconv.Atoi(op[6])
		if names, ok := m.objects[op[4]]; ok && off+length <= m.size(op[4]) {
			n, _ := strconv.Atoi(op[3])
			m.uploads[op[1]].parts[n] = fmt.Sprintf("R%d+%d[%s]", off, length, strings.Join(names, "|"))
		}
	case "append":
		m.objects[op[1]] = append(slices.Clone(m.objects[op[1]]), op[3])
		m.types[op[1]] = TypeAppendable
	case "link":
		m.objects[op[1]] = []string{}
		m.types[op[1]] = TypeSymlink + ":" + op[2]
	case "create":
		m.uploads[res] = &crashUpload{key: op[1], parts: map[int]string{}}
	case "part":
		n, _ := strconv.Atoi(op[3])
		m.uploads[op[1]].parts[n] = op[4]
	case "complete":
		u := m.uploads[op[1]]
		if !u.completes() {
			return
		}
		m.objects[u.key] = u.names()
		m.types[u.key] = TypeMultipart
		delete(m.uploads, op[1])
	case "abort":
		delete(m.uploads, op[1])
	}
}

// completes reports whether completing the upload succeeds: some part
// was uploaded and all but the last have at least MinPartSize bytes.
func (u *crashUpload) completes() bool {
	names := u.names()
	for _, n := range names[:max(len(names)-1, 0)] {
		if contentSize(n) < MinPartSize {
			return false
		}
	}
	return len(names) > 0
}

func (u *crashUpload) names() []string {
	var names []string
	for _, n := range slices.Sorted(maps.Keys(u.parts)) {
		names = append(names, u.parts[n])
	}
	return names
}

// crashContent is the content named name: "<label>:<size>" is size
// pseudo-random bytes; "R<off>+<length>[<name>|<name>...]" is length bytes
// at off of the named contents one after another (a copied range).
func crashContent(name string) []byte {
	if off, length, inner, ok := parseRangeName(name); ok {
		var all []byte
		for _, n := range inner {
			all = append(all, crashContent(n)...)
		}
		return all[off : off+length]
	}
	p := make([]byte, contentSize(name))
	_, _ = rand.NewChaCha8(sha256.Sum256([]byte(name))).Read(p)
	return p
}

func contentSize(name string) int {
	if _, length, _, ok := parseRangeName(name); ok {
		return length
	}
	size, _ := strconv.Atoi(name[strings.LastIndexByte(name, ':')+1:])
	return size
}

// parseRangeName splits a copied-range name; its inner names are split at
// the | of bracket depth zero.
func parseRangeName(name string) (off, length int, inner []string, ok bool) {
	if !strings.HasPrefix(name, "R") || !strings.HasSuffix(name, "]") {
		return 0, 0, nil, false
	}
	head, body, _ := strings.Cut(name[1:len(name)-1], "[")
	o, l, _ := strings.Cut(head, "+")
	off, _ = strconv.Atoi(o)
	length, _ = strconv.Atoi(l)
	depth, start := 0, 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '|':
			if depth == 0 {
				inner = append(inner, body[start:i])
				start = i + 1
			}
		}
	}
	if body != "" {
		inner = append(inner, body[start:])
	}
	return off, length, inner, true
}

// crashParent starts the child, waits until ops operations are reported
// done (or, with atBegin, begun, to kill it within an operation), kills
// it, and returns the model of every operation reported done and the
// operation in flight (nil when none).
func crashParent(t *testing.T, dir string, seed uint64, ops int, atBegin bool) (*crashModel, []string) {
	m, pending := newCrashModel(), []string(nil)
	m.versioned = crashVersioned(seed)
	begun, done := 0, 0
	runKilledChild(t, "TestCrash", []string{"STORE_CRASH_CHILD=" + dir, fmt.Sprint("STORE_CRASH_SEED=", seed)}, func(line string) (known, kill bool) {
		switch {
		case strings.HasPrefix(line, "B "):
			pending = strings.Fields(line[2:])
			begun++
		case strings.HasPrefix(line, "D ") && pending != nil:
			m.apply(pending, line[2:])
			pending = nil
			done++
		default:
			return false, false
		}
		return true, done == ops || atBegin && begun == ops
	})
	t.Logf("killed after %d operations, in flight: %v", done, pending)
	return m, pending
}

// runKilledChild runs the test binary's test as a child with env added,
// hands each line it prints to onLine, and kills the child (SIGKILL) as
// soon as onLine asks. A line onLine does not know is kept for the
// failure message. It fails t when the child ends without being killed,
// and kills a child that hangs for a minute. A fragment of a line cut by
// the kill is not handed on: it is an operation not known to have begun.
func runKilledChild(t *testing.T, test string, env []string, onLine func(line string) (known, kill bool)) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	var other bytes.Buffer
	cmd.Stderr = &other
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() }) // a hung child
	defer guard.Stop()
	killed, lines := false, 0
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		lines++
		known, kill := onLine(strings.TrimSuffix(line, "\n"))
		if !known {
			other.WriteString(line)
		}
		if kill && !killed {
			killed = cmd.Process.Kill() == nil
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d lines, before it was killed:\n%s", lines, other.String())
	}
}

// crashCheck reopens the store and compares it with the model before and
// after the operation in flight.
func crashCheck(t *testing.T, dir string, m *crashModel, pending []string) {
	s := openDisk(t, dir, Options{})
	defer s.Close()
	t.Logf("open collected %+v", s.opened)
	if s.opened.missing != 0 {
		t.Errorf("%d referenced blobs missing", s.opened.missing)
	}
	if s.opened.refsFixed != 0 {
		t.Errorf("%d blob reference counts needed repair", s.opened.refsFixed)
	}
	refs, err := s.referenced()
	if err != nil {
		t.Fatal(err)
	}
	if got := blobFiles(t, dir); !maps.Equal(got, refs) {
		t.Errorf("blob files %v, referenced %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(refs)))
	}
	if n := countFiles(t, filepath.Join(dir, tmpDir)); n != 0 {
		t.Errorf("%d files in tmp", n)
	}
	after := m
	if pending != nil {
		after = m.clone()
		after.apply(pending, "?")
	}
	got := actualLines(t, s, m)
	match := m
	switch {
	case slices.Equal(got, m.lines()):
	case slices.Equal(got, after.lines()):
		match = after
	default:
		t.Fatalf("state after crash:\n%s\nwant\n%s\nor (in flight %v done)\n%s", strings.Join(got, "\n"),
			strings.Join(m.lines(), "\n"), pending, strings.Join(after.lines(), "\n"))
	}
	checkCrashParts(t, s, match)
}

func blobFiles(t *testing.T, dir string) map[string]struct{} {
	files := map[string]struct{}{}
	err := filepath.WalkDir(filepath.Join(dir, blobsDir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[d.Name()] = struct{}{}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func contentLine(kind, name string, p []byte) string {
	return fmt.Sprintf("%s %s %d %X %d", kind, name, len(p), md5.Sum(p), crc64.Checksum(p))
}

// lines describes the model's state, one sorted line per object, upload
// and part.
func (m *crashModel) lines() []string {
	var lines []string
	for key, names := range m.objects {
		var all []byte
		for _, n := range names {
			all = append(all, crashContent(n)...)
		}
		lines = append(lines, contentLine("obj "+m.types[key], key, all))
	}
	for id, u := range m.uploads {
		lines = append(lines, "up "+u.key+" "+id)
		for n, name := range u.parts {
			lines = append(lines, contentLine("part", fmt.Sprint(id, " ", n), crashContent(name)))
		}
	}
	lines = append(lines, m.versionLines()...)
	slices.Sort(lines)
	return lines
}

// actualLines describes the store like lines, reading every object; an
// upload ID the model lacks is written "?".
func actualLines(t *testing.T, s *Disk, m *crashModel) []string {
	ctx := t.Context()
	var lines []string
	objs, err := s.ListObjects(ctx, "b", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs.Objects {
		_, r, err := s.OpenObject(ctx, "b", o.Key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := io.ReadAll(r)
		r.Close()
		if err != nil || int64(len(p)) != o.Size || crc64.Checksum(p) != o.CRC64 {
			t.Errorf("object %s: read %d bytes, %v; header %+v", o.Key, len(p), err, o)
		}
		typ := o.Type
		if typ == TypeSymlink {
			typ += ":" + o.Target
		}
		lines = append(lines, contentLine("obj "+typ, o.Key, p))
	}
	ups, err := s.ListUploads(ctx, "b", ListUploadsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups.Uploads {
		parts, _, err := s.ListParts(ctx, "b", u.Key, u.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		id := u.ID
		if m.uploads[id] == nil {
			id = "?"
		}
		lines = append(lines, "up "+u.Key+" "+id)
		for _, p := range parts {
			lines = append(lines, fmt.Sprintf("part %s %d %d %s %d", id, p.Number, p.Size, p.ETag, p.CRC64))
		}
	}
	if m.versioned {
		lines = append(lines, actualVersionLines(t, s)...)
	}
	slices.Sort(lines)
	return lines
}

// checkCrashParts completes every upload with parts and compares the
// object's bytes with the parts' content.
func checkCrashParts(t *testing.T, s *Disk, m *crashModel) {
	for id, u := range m.uploads {
		if !u.completes() {
			continue
		}
		if _, err := s.CompleteUpload(t.Context(), "b", u.key, id, nil, "", PutOptions{}); err != nil {
			t.Fatal(err)
		}
		var want []byte
		for _, n := range u.names() {
			want = append(want, crashContent(n)...)
		}
		e := &env{t: t, s: s}
		wantSame(t, "parts of "+id, e.read(u.key), want)
	}
}

// applyVersioned is apply in a versioned bucket: every write is a new
// version, every delete of a key a delete marker, and delver deletes one
// version for good; the current objects follow.
func (m *crashModel) applyVersioned(op []string, res string) {
	push := func(key string, v crashVersion) {
		m.history[key] = append([]crashVersion{v}, m.history[key]...)
	}
	switch op[0] {
	case "put":
		push(op[1], crashVersion{names: []string{op[2]}, typ: TypeNormal})
	case "del":
		push(op[1], crashVersion{marker: true})
	case "delmany":
		for _, key := range op[1:] {
			push(key, crashVersion{marker: true})
		}
	case "copy":
		if names, ok := m.objects[op[1]]; ok {
			push(op[2], crashVersion{names: slices.Clone(names), typ: m.types[op[1]]})
		}
	case "append":
		if h := m.history[op[1]]; len(h) > 0 && !h[0].marker {
			h = slices.Clone(h)
			h[0].names = append(slices.Clone(h[0].names), op[3])
			m.history[op[1]] = h
		} else {
			push(op[1], crashVersion{names: []string{op[3]}, typ: TypeAppendable})
		}
	case "link":
		push(op[1], crashVersion{names: []string{}, typ: TypeSymlink + ":" + op[2]})
	case "complete":
		if u := m.uploads[op[1]]; u.completes() {
			push(u.key, crashVersion{names: u.names(), typ: TypeMultipart})
			delete(m.uploads, op[1])
		}
	case "delver":
		idx, _ := strconv.Atoi(op[2])
		m.history[op[1]] = slices.Delete(slices.Clone(m.history[op[1]]), idx, idx+1)
		if len(m.history[op[1]]) == 0 {
			delete(m.history, op[1])
		}
	default:
		// Uploads and parts are as in an unversioned bucket.
		m.versioned = false
		m.apply(op, res)
		m.versioned = true
	}
	clear(m.objects)
	clear(m.types)
	for key, h := range m.history {
		if !h[0].marker {
			m.objects[key], m.types[key] = h[0].names, h[0].typ
		}
	}
}

// versionLines describes every version of the model, by key and position.
func (m *crashModel) versionLines() []string {
	var lines []string
	for key, h := range m.history {
		for i, v := range h {
			if v.marker {
				lines = append(lines, fmt.Sprintf("ver %s %d marker", key, i))
				continue
			}
			var all []byte
			for _, n := range v.names {
				all = append(all, crashContent(n)...)
			}
			lines = append(lines, fmt.Sprintf("ver %s %d %s", key, i, contentLine(v.typ, "", all)))
		}
	}
	return lines
}

// actualVersionLines describes the store's versions like versionLines,
// reading every one.
func actualVersionLines(t *testing.T, s *Disk) []string {
	ctx := t.Context()
	var lines []string
	o := ListVersionsOptions{}
	idx := map[string]int{}
	for {
		page, err := s.ListVersions(ctx, "b", o)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			i := idx[v.Key]
			idx[v.Key]++
			if v.DeleteMarker {
				lines = append(lines, fmt.Sprintf("ver %s %d marker", v.Key, i))
				continue
			}
			obj, r, err := s.OpenVersion(ctx, "b", v.Key, v.VersionID)
			if err != nil {
				t.Fatal(err)
			}
			p, err := io.ReadAll(r)
			r.Close()
			if err != nil || int64(len(p)) != obj.Size || crc64.Checksum(p) != obj.CRC64 {
				t.Errorf("version %s %s: read %d bytes, %v; header %+v", v.Key, v.VersionID, len(p), err, obj)
			}
			typ := obj.Type
			if typ == TypeSymlink {
				typ += ":" + obj.Target
			}
			lines = append(lines, fmt.Sprintf("ver %s %d %s", v.Key, i, contentLine(typ, "", p)))
		}
		if !page.Truncated {
			return lines
		}
		o.KeyMarker, o.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}
