package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The report's groups whose measured processes are not this package's
// clients: the command-line tools (`ossup cp -r` against ossutil's) and
// the servers (`ossup serve` against MinIO).

// batchSet is one tree and the tool settings that upload it.
type batchSet struct {
	title string
	n     int   // files
	size  int64 // bytes each
	clis  []cli
}

// reportBatches are the trees of the batch group, with the tools at
// their settings, alternating between the tools so that neither always
// runs first.
func reportBatches() []batchSet {
	multipart := []string{"--bigfile-threshold", strconv.Itoa(8 << 20), "--part-size", strconv.Itoa(8 << 20)}
	return []batchSet{
		{"Batch: cp -r of 10,000 files of 4 KiB (100 folders) into one ossup serve process", 10000, 4 << 10, []cli{
			{"ossutil --jobs 5", "ossutil", []string{"--jobs", "5"}},
			{"ossup (default: 16 files, 4 large)", "ossup", nil},
			{"ossutil --jobs 10", "ossutil", []string{"--jobs", "10"}},
			{"ossup --jobs 16", "ossup", []string{"--jobs", "16"}},
			{"ossutil --jobs 20", "ossutil", []string{"--jobs", "20"}},
		}},
		{"Batch: cp -r of 20 files of 64 MiB into one ossup serve process", 20, 64 << 20, []cli{
			{"ossutil --jobs 5", "ossutil", []string{"--jobs", "5"}},
			{"ossup (default: 16 files, 4 large)", "ossup", nil},
			{"ossutil --jobs 10", "ossutil", []string{"--jobs", "10"}},
			{"ossup --jobs 2", "ossup", []string{"--jobs", "2"}},
			{"ossutil --jobs 20", "ossutil", []string{"--jobs", "20"}},
			{"ossutil --jobs 5 --parallel 5 (multipart)", "ossutil", append([]string{"--jobs", "5", "--parallel", "5"}, multipart...)},
		}},
	}
}

// batches uploads each set's tree with each tool setting, rounds times,
// the settings interleaved within a round, to one `ossup serve` process
// per set. Outside the timing each upload's listing must hold one object
// per file, each of the file's size and CRC-64 (from HEAD); the objects
// are then deleted.
func (r *report) batches(t *testing.T, sets []batchSet) {
	ossutil := os.Getenv(ossutilEnv)
	for _, set := range sets {
		root := filepath.Join(t.TempDir(), "tree")
		files := writeTree(t, root, set.n, set.size)
		syscall.Sync() // write the tree back now rather than during the first runs
		tg := startTarget(t, "ossup")
		ep := endpoint{url: tg.endpoint, region: "cn-hangzhou", bucket: benchBucket, id: benchID, secret: benchSecret, pid: tg.pid}
		c := ossupFor(t, ep)
		runs := make([][]run, len(set.clis))
		works := make([]string, len(set.clis))
		for round := range r.rounds {
			for i, cl := range set.clis {
				bin := ossupBinary
				if cl.tool == "ossutil" {
					if bin = ossutil; bin == "" {
						continue
					}
				}
				if works[i] == "" {
					works[i] = t.TempDir()
				}
				prefix := fmt.Sprintf("batch%d-%d/", i, round)
				cmd := folderCommand(bin, cl, ep, root, prefix, works[i])
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				s0, err := procCPU(tg.pid)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				stop := watchPeakRSS(cmd.Process.Pid)
				err = cmd.Wait()
				elapsed := time.Since(start)
				peak := stop()
				if err != nil {
					t.Fatalf("%s: %v\n%s", cmd, err, out.Bytes())
				}
				s1, err := procCPU(tg.pid)
				if err != nil {
					t.Fatal(err)
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				run := run{elapsed: elapsed, cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
					sys: time.Duration(ru.Stime.Nano()), maxRSS: peak, server: s1 - s0}
				if err := checkTree(t, c, ep.bucket, prefix, files); err != nil {
					t.Fatalf("%s: %v\n%s", cl.name, err, out.Bytes())
				}
				progress("%s: %s round %d: %.2f s, %.2f tool CPU-s, %.2f server CPU-s, %.1f MiB peak RSS",
					set.title, cl.name, round+1, elapsed.Seconds(), run.cpu.Seconds(), run.server.Seconds(), mib(run.maxRSS))
				runs[i] = append(runs[i], run)
			}
		}
		r.add(batchTable(set, runs, ossutil == ""))
	}
}

// batchTable makes the table of a batch set: per setting the medians of
// its time, rates, the tool's CPU and peak RSS and the server's CPU; the
// best (fastest median) setting of each tool is marked, and the notes
// compare the two bests.
func batchTable(set batchSet, runs [][]run, noOssutil bool) *table {
	type med struct{ secs, tool, server, rss float64 }
	meds := make([]med, len(set.clis))
	best := map[string]int{}
	for i, cl := range set.clis {
		if len(runs[i]) == 0 {
			continue
		}
		var ss, ts, vs, rs []float64
		for _, r := range runs[i] {
			ss = append(ss, r.elapsed.Seconds())
			ts = append(ts, r.cpu.Seconds())
			vs = append(vs, r.server.Seconds())
			rs = append(rs, mib(r.maxRSS))
		}
		meds[i] = med{median(ss), median(ts), median(vs), median(rs)}
		if b, ok := best[cl.tool]; !ok || meds[i].secs < meds[b].secs {
			best[cl.tool] = i
		}
	}
	total := float64(set.n) * float64(set.size)
	tb := &table{title: set.title,
		head: []string{"tool, settings", "s", "files/s", "MB/s", "tool CPU-s", "srv CPU-s", "RSS MiB", "×ossutil"}}
	bu, haveUtil := best["ossutil"]
	for i, cl := range set.clis {
		name := cl.name
		if b, ok := best[cl.tool]; ok && b == i {
			name += " *"
		}
		if len(runs[i]) == 0 {
			why := "failed"
			if cl.tool == "ossutil" && noOssutil {
				why = "skipped"
			}
			tb.rows = append(tb.rows, []string{name, why, "", "", "", "", "", ""})
			continue
		}
		m := meds[i]
		tb.rows = append(tb.rows, []string{name, fmt.Sprintf("%.2f", m.secs), fmt.Sprintf("%.0f", float64(set.n)/m.secs),
			fmt.Sprintf("%.0f", total/1e6/m.secs), fmt.Sprintf("%.2f", m.tool), fmt.Sprintf("%.2f", m.server),
			fmt.Sprintf("%.1f", m.rss), ratio(meds[bu].secs, m.secs, haveUtil)})
	}
	tb.notes = append(tb.notes, "* marks each tool's best setting. s is the tool process's whole run, start to exit; srv CPU-s the ossup serve process's CPU meanwhile; ×ossutil the speed against ossutil's best (its median s ÷ this one's).")
	if bo, ok := best["ossup"]; ok && haveUtil {
		o, u := meds[bo], meds[bu]
		tb.notes = append(tb.notes, fmt.Sprintf("Best ossup ÷ best ossutil: %s the speed, %s the tool CPU, %s the server CPU, %s the tool peak RSS.",
			ratio(u.secs, o.secs, true), ratio(o.tool, u.tool, true), ratio(o.server, u.server, true), ratio(o.rss, u.rss, true)))
	}
	if set.size >= 8<<20 {
		tb.notes = append(tb.notes, "Below its --bigfile-threshold (100 MiB) ossutil sends each file in one PutObject; (multipart) lowers the threshold to 8 MiB and uses 8 MiB parts, as ossup does for 64 MiB files.")
	}
	tb.notes = append(tb.notes, "Tool CPU is the tool's rusage; its peak RSS is its VmHWM, read from /proc every 10 ms while it runs (its rusage maxrss would include the report's own peak, inherited at exec).")
	tb.notes = append(tb.notes, "Every object is checked after each run: one per file, of its size and CRC-64 (HEAD); neither tool makes folder objects; both sign with V4, path style.")
	if noOssutil {
		tb.notes = append(tb.notes, "ossutil skipped: set "+ossutilEnv+" to the path of an ossutil 1.7.19 binary (report.sh does).")
	}
	return tb
}

// watchPeakRSS reads the peak resident set (VmHWM) of process pid from
// /proc every 10 ms until the returned function is called, and the
// function returns the highest value read, in bytes. The mark only
// grows, so what can be missed is growth in the last 10 ms before the
// process exits (after which /proc no longer shows it).
func watchPeakRSS(pid int) (stop func() int64) {
	var peak int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if n, err := procPeakRSS(pid); err == nil {
				peak = max(peak, n)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// procPeakRSS returns VmHWM of process pid, in bytes.
func procPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for process %d", pid)
}

// serverCase is one row of the server group.
type serverCase struct {
	title    string
	kind     string // "ingest" (then Complete, read back), "parts" (then listed), "get", "complete"
	partSize int
	parts    int
	tasks    int
}

var fullServerCases = []serverCase{
	{"UploadPart, 64 × 8 MiB, 4 at a time", "ingest", 8 << 20, 64, 4},
	{"UploadPart, 2,000 × 100 KiB, 5 at a time", "parts", 100 << 10, 2000, 5},
	{"GetObject, 256 MiB, page cache", "get", 256 << 20, 1, 1},
	{"Complete of 10,000 × 100 KiB", "complete", 100 << 10, 10000, 5},
}

// servers runs each case rounds times on each server, the servers
// interleaved within a round, each run with a server process of its own
// (fresh data directory) driven by the bare HTTP client of
// server_test.go.
func (r *report) servers(t *testing.T, cases []serverCase) {
	haveMinio := os.Getenv(minioEnv) != ""
	size := 0
	for _, c := range cases {
		size = max(size, c.partSize*c.parts)
	}
	data := benchData(size)
	type stats struct{ secs, cpu []float64 }
	tb := &table{title: "Servers as processes: ossup serve against MinIO, on loopback",
		head: []string{"case", "ossup MB/s", "MinIO MB/s", "×MinIO", "ossup CPU/GiB", "MinIO CPU/GiB", "CPU ×MinIO"}}
	for _, c := range cases {
		res := map[string]*stats{}
		for round := range r.rounds {
			for _, name := range serverNames {
				if name == "minio" && (!haveMinio || c.kind == "complete") {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/%d", c.kind, name, round+1), func(t *testing.T) {
					secs, cpu := serverRun(t, name, c, data)
					if res[name] == nil {
						res[name] = &stats{}
					}
					res[name].secs = append(res[name].secs, secs.Seconds())
					res[name].cpu = append(res[name].cpu, cpu.Seconds())
					progress("%s: %s round %d: %.3f s, %.2f server CPU-s", c.title, name, round+1, secs.Seconds(), cpu.Seconds())
				})
			}
		}
		cell := func(name string, f func(s *stats) string) string {
			if s := res[name]; s != nil {
				return f(s)
			}
			switch {
			case name == "minio" && c.kind == "complete":
				return "—"
			case name == "minio" && !haveMinio:
				return "skipped"
			}
			return "failed"
		}
		gib := float64(c.partSize*c.parts) / (1 << 30)
		if c.kind == "complete" {
			tb.rows = append(tb.rows, []string{c.title,
				cell("ossup", func(s *stats) string { return fmt.Sprintf("%.0f ms", median(s.secs)*1000) }), "—", "—",
				cell("ossup", func(s *stats) string { return fmt.Sprintf("%.2f s", median(s.cpu)) }), "—", "—"})
			continue
		}
		row := []string{c.title,
			cell("ossup", func(s *stats) string { return fmt.Sprintf("%.0f", float64(c.partSize*c.parts)/1e6/median(s.secs)) }),
			cell("minio", func(s *stats) string { return fmt.Sprintf("%.0f", float64(c.partSize*c.parts)/1e6/median(s.secs)) }),
			"—",
			cell("ossup", func(s *stats) string { return fmt.Sprintf("%.2f", median(s.cpu)/gib) }),
			cell("minio", func(s *stats) string { return fmt.Sprintf("%.2f", median(s.cpu)/gib) }),
			"—"}
		if o, m := res["ossup"], res["minio"]; o != nil && m != nil {
			row[3] = ratio(median(m.secs), median(o.secs), true)
			row[6] = ratio(median(o.cpu), median(m.cpu), true)
		}
		tb.rows = append(tb.rows, row)
	}
	tb.notes = append(tb.notes,
		"Every run has a fresh server process and data directory; the report drives it with one bare net/http client, presigning every request with Signature V4.",
		"CPU/GiB is the server process's user plus system seconds per GiB over the timed section, from /proc/<pid>/stat (10 ms ticks). Complete (ossup only: MinIO, as S3, refuses parts under 5 MiB) is timed alone, the parts uploaded before it; its row gives the request's time and the server's CPU for it.",
		"Checks: the 8 MiB upload is completed and read back by MD5; the 100 KiB parts are listed with their MD5 ETags; the GET object is read back by MD5 once before the timed read; the 10,000-part object is read back by MD5.")
	if !haveMinio {
		tb.notes = append(tb.notes, "MinIO skipped: set "+minioEnv+" to the path of a minio binary (report.sh does).")
	}
	r.add(tb)
}

// serverRun starts server name and runs c once on it, returning the
// timed section's wall time and the server's CPU time in it; the result
// is checked outside it.
func serverRun(t *testing.T, name string, c serverCase, data []byte) (time.Duration, time.Duration) {
	tg := startTarget(t, name)
	ctx := t.Context()
	size := c.partSize * c.parts
	var s0, s1 time.Duration
	var start time.Time
	var elapsed time.Duration
	begin := func() {
		var err error
		if s0, err = procCPU(tg.pid); err != nil {
			t.Fatal(err)
		}
		start = time.Now()
	}
	end := func() {
		elapsed = time.Since(start)
		var err error
		if s1, err = procCPU(tg.pid); err != nil {
			t.Fatal(err)
		}
	}
	const key = "report"
	switch c.kind {
	case "ingest", "parts":
		begin()
		id, etags, err := tg.uploadParts(ctx, key, data, c.partSize, c.parts, c.tasks)
		end()
		if err != nil {
			t.Fatal(err)
		}
		if c.kind == "ingest" {
			err = tg.complete(ctx, key, id, etags)
			if err == nil {
				err = tg.checkObject(ctx, key, data[:size])
			}
		} else {
			err = tg.checkParts(ctx, key, id, data, c.partSize, c.parts)
		}
		if err != nil {
			t.Fatal(err)
		}
	case "get":
		if _, err := tg.call(ctx, http.MethodPut, key, nil, data[:size]); err != nil {
			t.Fatal(err)
		}
		if err := tg.sameObject(ctx, key, data[:size]); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256<<10)
		begin()
		n, err := tg.readObject(ctx, key, buf)
		end()
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(size) {
			t.Fatalf("read %d bytes, want %d", n, size)
		}
	case "complete":
		id, etags, err := tg.uploadParts(ctx, key, data, c.partSize, c.parts, c.tasks)
		if err != nil {
			t.Fatal(err)
		}
		begin()
		err = tg.complete(ctx, key, id, etags)
		end()
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.checkObject(ctx, key, data[:size]); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("no server case kind %q", c.kind)
	}
	return elapsed, s1 - s0
}
